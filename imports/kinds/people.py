"""People on the ward's register (Danh sách quản lý), through cases.services.person_register."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cases.models import Person
from cases.services import person_register
from cases.text import fold
from wards.models import AdminUnit, Area

from .base import Column, Kind, Saved, choice, parse_past_date, parse_year, phone, text


def id_number(value: str) -> str:
    """A citizen ID as text. Typed as a number, Excel drops the leading zeros of a 12-digit
    CCCD (001090012345 → 1090012345): a 10- or 11-digit number gets them back."""
    value = text(20)(value)
    if value.isdigit() and len(value) in (10, 11):
        return value.zfill(12)
    return value


COLUMNS = (
    Column(
        "full_name",
        gettext_lazy("Họ và tên"),
        text(120),
        required=True,
        aliases=("ho ten", "ten", "ho va ten nguoi duoc ho tro", "ho ten doi tuong"),
        example="Nguyễn Văn Mẫu",
    ),
    Column(
        "alias",
        gettext_lazy("Tên gọi khác"),
        text(120),
        aliases=("biet danh", "ten khac", "ten thuong goi"),
    ),
    Column(
        "sex",
        gettext_lazy("Giới tính"),
        choice(Person.Sex.choices, gettext_lazy("Giới tính")),
        required=True,
        aliases=("gioi", "nam nu", "phai"),
        choices=Person.Sex.choices,
        example=str(Person.Sex.MALE.label),
    ),
    Column(
        "birth_date",
        gettext_lazy("Ngày sinh"),
        parse_past_date,
        aliases=("sinh ngay",),
        hint=gettext_lazy("ngày/tháng/năm, ví dụ 05/03/1990. Không biết ngày thì ghi năm sinh."),
    ),
    Column(
        "birth_year",
        gettext_lazy("Năm sinh"),
        parse_year,
        aliases=("nam sinh", "sinh nam"),
        example="1990",
    ),
    Column(
        "id_number",
        gettext_lazy("Số CCCD, định danh"),
        id_number,
        aliases=("cccd", "so cccd", "so dinh danh", "cmnd", "so cmnd", "can cuoc", "cmnd cccd"),
    ),
    Column(
        "phone",
        gettext_lazy("Điện thoại"),
        phone,
        aliases=("sdt", "so dien thoai", "dt"),
        example="0912345678",
    ),
    Column("address", gettext_lazy("Nơi ở"), text(255), aliases=("dia chi", "cho o", "noi cu tru")),
    Column(
        "area",
        gettext_lazy("Tổ dân phố, thôn"),
        text(120),
        aliases=("to dan pho", "thon", "to", "khu pho", "ap", "dia ban"),
        hint=gettext_lazy("Tên như trong danh sách địa bàn của xã, phường."),
    ),
    Column(
        "family_contact",
        gettext_lazy("Người thân liên hệ"),
        text(255),
        aliases=("nguoi than", "lien he gia dinh"),
    ),
    Column(
        "group",
        gettext_lazy("Nhóm"),
        choice(Person.Group.choices, gettext_lazy("Nhóm")),
        required=True,
        aliases=("doi tuong", "nhom doi tuong", "phan loai", "loai doi tuong"),
        choices=Person.Group.choices,
        example=str(Person.Group.POST_REHAB.label),
    ),
    Column(
        "substances",
        gettext_lazy("Chất sử dụng"),
        text(200),
        aliases=("loai ma tuy", "chat ma tuy"),
    ),
    Column(
        "history_notes",
        gettext_lazy("Quá trình, tiền sử"),
        text(5000),
        aliases=("tien su", "ghi chu", "qua trinh"),
    ),
    Column(
        "registered_on",
        gettext_lazy("Ngày đưa vào danh sách"),
        parse_past_date,
        aliases=("ngay dua vao danh sach", "ngay quan ly", "ngay tiep nhan"),
        hint=gettext_lazy(
            "ngày/tháng/năm. Để trống: hôm nay. Không được trước ngày xã, phường được thành lập "
            "(với xã, phường mới sáp nhập: để trống)."
        ),
    ),
    Column(
        "consent_on",
        gettext_lazy("Ngày đồng ý cung cấp thông tin"),
        parse_past_date,
        required=True,
        aliases=("ngay dong y", "dong y", "ngay dong y cung cap thong tin"),
        hint=gettext_lazy(
            "Bắt buộc: ngày người này đồng ý cho Đội lưu và dùng thông tin (ngày/tháng/năm)."
        ),
        example="05/03/2024",
    ),
)


def prepare(*, ward, actor) -> dict:
    # The register of the ward and of the wards merged into it, loaded once: what
    # find_duplicates() would look up row by row.
    local = AdminUnit.objects.scope_ids([ward])
    register: dict[tuple[str, int | None], tuple[str, int | None]] = {}
    by_name: dict[str, tuple[str, int | None]] = {}
    for name, year in Person.objects.filter(ward__in=local).values_list("full_name", "birth_year"):
        register.setdefault((fold(name), year), (name, year))
        by_name.setdefault(fold(name), (name, year))
    return {
        "areas": {fold(a.name): a for a in Area.objects.filter(ward=ward)},
        "register": register,
        "by_name": by_name,
        "seen": {},  # (folded name, birth year) -> the file row that registered it
    }


def save(*, actor, ward, values: dict, context: dict, number: int) -> Saved:
    if "area" in values:
        area = context["areas"].get(fold(values["area"]))
        if area is None:
            known = ", ".join(a.name for a in context["areas"].values()) or _("chưa có")
            raise ValidationError(
                {
                    "area": _("Không có «%(name)s» trong các địa bàn của xã, phường (%(known)s).")
                    % {"name": values["area"], "known": known}
                }
            )
        values["area"] = area
    birth_year = values.get("birth_year") or (
        values["birth_date"].year if values.get("birth_date") else None
    )
    key = (fold(values["full_name"]), birth_year)
    if key in context["seen"]:
        raise ValidationError(
            _("Trùng với dòng %(row)s của tệp (cùng họ tên và năm sinh).")
            % {"row": context["seen"][key]}
        )
    # As find_duplicates(): the same folded name and birth year on the ward's register; without
    # a birth year, the same name is taken as the same person.
    found = context["register"].get(key) if birth_year else context["by_name"].get(key[0])
    if found:
        name, year = found
        return Saved(
            created=False,
            note=_("Đã có trong danh sách: %(name)s%(born)s. Dòng này không nhập thêm.")
            % {"name": name, "born": _(", sinh %(year)s") % {"year": year} if year else ""},
        )
    # Other communes' registers are not looked at: that look is rationed and audited one person
    # at a time (cases.duplicates), and a file of rows would be a way round the ration.
    # The person's group history starts on the day of registration, with the file's group.
    person = person_register(
        actor=actor,
        ward=ward,
        confirm_duplicate=True,
        group_reason=gettext_noop("Nhập từ tệp danh sách"),
        **values,
    )
    context["seen"][key] = number
    context["register"].setdefault(key, (person.full_name, person.birth_year))
    context["by_name"].setdefault(key[0], (person.full_name, person.birth_year))
    return Saved(created=True)


PEOPLE = Kind(
    code="people",
    label=gettext_lazy("Người được hỗ trợ"),
    capability="person_edit",
    columns=COLUMNS,
    save=save,
    prepare=prepare,
    done="cases:register",
    intro=gettext_lazy(
        "Mỗi dòng là một người được Đội hỗ trợ. Cần có họ tên, giới tính, nhóm và ngày người "
        "đó đồng ý cung cấp thông tin."
    ),
)
