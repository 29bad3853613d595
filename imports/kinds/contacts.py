"""Contacts with people on the register (lượt tiếp cận, giúp đỡ), through
cases.services.contact_record.

A row names a person already on the ward's register: by ID number, or by full name with the
year of birth when two people share a name. The volunteer, when named, must be a member of the
ward's team. Each row is checked by the contact form (the test result only for a drug test) and
saved by the service (not before the person was registered, not after the file was closed, a
member on the team that day). A contact already recorded (same person, day, form and content)
is skipped. The counselling topics («Nội dung tư vấn») are optional: one cell names any number
of them, by label or code, with or without diacritics, separated by commas or semicolons.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.forms.work import ContactForm
from cases.models import Contact, Milestone, Person
from cases.services import contact_record
from cases.text import fold
from wards.models import AdminUnit, Member

from .base import Bad, Column, Kind, Saved, choice, parse_past_date, parse_year, text


def several(choices, what) -> Callable[[str], list[str]]:
    """Any number of `choices` in one cell, separated by commas or semicolons, each read as
    `choice` reads one; a value not in the list is named in the error."""
    one = choice(choices, what)

    def parse(value: str) -> list[str]:
        codes = []
        for part in re.split(r"[,;]", value):
            if part.strip():
                code = one(part.strip())
                if code not in codes:
                    codes.append(code)
        if not codes:
            raise Bad(_("Không đọc được «%(value)s».") % {"value": value})
        return codes

    return parse


_topic_list = lazy(lambda: "; ".join(str(label) for label in Contact.Topic.labels), str)
COLUMNS = (
    Column(
        "full_name",
        gettext_lazy("Họ và tên"),
        text(120),
        required=True,
        aliases=("ho ten", "ten", "ho va ten nguoi duoc ho tro", "ho ten doi tuong", "doi tuong"),
        hint=gettext_lazy("Người phải có trong danh sách quản lý của xã, phường."),
        example="Nguyễn Văn Mẫu",
    ),
    Column(
        "birth_year",
        gettext_lazy("Năm sinh"),
        parse_year,
        aliases=("sinh nam", "ngay sinh"),
        hint=gettext_lazy("Giúp phân biệt hai người trùng tên."),
        example="1990",
    ),
    Column(
        "id_number",
        gettext_lazy("Số CCCD"),
        text(20),
        aliases=("cccd", "so cccd dinh danh", "so dinh danh", "cmnd", "so cmnd", "can cuoc"),
        hint=gettext_lazy("Không bắt buộc; cần khi có hai người trùng họ tên và năm sinh."),
    ),
    Column(
        "occurred_on",
        gettext_lazy("Ngày tiếp cận"),
        parse_past_date,
        required=True,
        aliases=("ngay", "ngay gap", "ngay tham", "ngay giup do", "ngay thuc hien"),
        hint=gettext_lazy("ngày/tháng/năm, ví dụ 05/03/2024."),
        example="05/03/2024",
    ),
    Column(
        "kind",
        gettext_lazy("Hình thức"),
        choice(Contact.Kind.choices, gettext_lazy("Hình thức")),
        required=True,
        aliases=("hinh thuc tiep can", "loai tiep can", "cach tiep can"),
        choices=Contact.Kind.choices,
        example=str(Contact.Kind.HOME_VISIT.label),
    ),
    Column(
        "summary",
        gettext_lazy("Nội dung"),
        text(5000),
        aliases=("noi dung tiep can", "noi dung giup do", "noi dung trao doi", "ghi chu"),
        example="Trao đổi về việc học nghề",
    ),
    Column(
        "topics",
        gettext_lazy("Nội dung tư vấn"),
        several(Contact.Topic.choices, gettext_lazy("Nội dung tư vấn")),
        aliases=("tu van", "noi dung da tu van", "linh vuc tu van", "chu de tu van"),
        hint=format_lazy(
            "{} {}.",
            gettext_lazy("Không bắt buộc. Một hoặc nhiều nội dung, cách nhau bằng dấu phẩy:"),
            _topic_list(),
        ),
        example=f"{Contact.Topic.CAREER.label}, {Contact.Topic.LEGAL.label}",
    ),
    Column(
        "member",
        gettext_lazy("Thành viên thực hiện"),
        text(120),
        aliases=(
            "thanh vien",
            "nguoi thuc hien",
            "tinh nguyen vien",
            "nguoi tiep can",
            "nguoi giup do",
        ),
        hint=gettext_lazy("Họ tên thành viên Đội đã tiếp cận. Để trống nếu không rõ."),
    ),
    Column(
        "drug_test_result",
        gettext_lazy("Kết quả xét nghiệm"),
        choice(Contact.DrugTestResult.choices, gettext_lazy("Kết quả xét nghiệm")),
        aliases=("xet nghiem", "ket qua xn"),
        choices=Contact.DrugTestResult.choices,
        hint=gettext_lazy("Chỉ ghi khi hình thức là «Phối hợp xét nghiệm»."),
    ),
    Column(
        "milestone_kind",
        gettext_lazy("Chuyển biến ghi nhận được"),
        choice(Milestone.Kind.choices, gettext_lazy("Chuyển biến")),
        aliases=("chuyen bien", "chuyen bien tich cuc"),
        choices=Milestone.Kind.choices,
        hint=gettext_lazy("Không bắt buộc. Ví dụ: có việc làm, đi cai nghiện tự nguyện."),
    ),
)

_FORM_FIELDS = ("occurred_on", "kind", "summary", "drug_test_result", "milestone_kind", "topics")


def prepare(*, ward, actor) -> dict:
    scope = AdminUnit.objects.scope(ward).values("pk")
    by_name: dict[str, list[Person]] = defaultdict(list)
    by_id: dict[str, list[Person]] = defaultdict(list)
    persons = Person.objects.filter(ward__in=scope)
    if not actor.is_superuser:  # an administrator migrating a ward's files (import_xlsx)
        persons = persons.editable_by(actor)
    for person in persons.only("full_name", "birth_year", "id_number").order_by("pk"):
        by_name[fold(person.full_name)].append(person)
        if person.id_number:
            by_id[_id(person.id_number)].append(person)
    members: dict[str, list[Member]] = defaultdict(list)
    # Members of the active team first, then those of the teams of merged wards.
    team_members = Member.objects.filter(team__ward__in=scope).select_related("team__ward")
    for member in team_members.order_by(F("team__dissolved_on").asc(nulls_first=True), "pk"):
        members[fold(member.full_name)].append(member)
    return {
        "by_name": by_name,
        "by_id": by_id,
        "members": members,
        "seen": {},  # (person, day, kind, summary) -> the file row that recorded it
    }


def _id(number: str) -> str:
    return "".join(number.split())


def find_person(values: dict, context: dict) -> Person:
    """The person the row names, or ValidationError saying why none or several match."""
    name = values["full_name"]
    year = values.get("birth_year")
    by_name = context["by_name"][fold(name)]
    if values.get("id_number"):
        with_id = context["by_id"].get(_id(values["id_number"]), [])
        if with_id:
            person = with_id[0]
            if fold(person.full_name) != fold(name):
                raise ValidationError(
                    _(
                        "Số CCCD «%(number)s» trong danh sách là của «%(other)s», không phải "
                        "«%(name)s». Hãy kiểm tra lại."
                    )
                    % {"number": values["id_number"], "other": person.full_name, "name": name}
                )
            return person
        # The register may lack the ID number: a namesake without one can still be the person.
        by_name = [p for p in by_name if not p.id_number]
    if year is not None:
        by_name = [p for p in by_name if p.birth_year == year]
    if len(by_name) == 1:
        return by_name[0]
    who = _("«%(name)s»") % {"name": name}
    if year is not None:
        who += _(" (sinh %(year)s)") % {"year": year}
    if not by_name:
        raise ValidationError(
            _(
                "Không tìm thấy %(who)s trong danh sách của xã, phường; hãy nhập danh sách "
                "người trước."
            )
            % {"who": who}
        )
    raise ValidationError(
        _(
            "Có %(count)s người %(who)s trong danh sách của xã, phường; hãy ghi Số CCCD để biết "
            "là người nào."
        )
        % {"count": len(by_name), "who": who}
    )


def find_member(name: str, day, context: dict) -> Member:
    """The team member the row names: the one on the team that day when several share it."""
    candidates = context["members"].get(fold(name), [])
    if not candidates:
        raise ValidationError(
            {
                "member": _(
                    "«%(name)s» không có trong danh sách thành viên Đội của xã, phường. Hãy ghi "
                    "đúng họ tên như trong danh sách thành viên, hoặc để trống."
                )
                % {"name": name}
            }
        )
    # `left_on` and the team's `dissolved_on` are the last days a member holds (INDICATORS.md)
    on_day = [
        m
        for m in candidates
        if m.joined_on <= day
        and (m.left_on is None or m.left_on >= day)
        and (m.team.dissolved_on is None or m.team.dissolved_on >= day)
    ]
    # None that day: the service says so, with the member's name and the date.
    return on_day[0] if on_day else candidates[0]


def save(*, actor, ward, values: dict, context: dict, number: int) -> Saved:
    person = find_person(values, context)
    day = values["occurred_on"]
    member = find_member(values["member"], day, context) if values.get("member") else None
    key = (person.pk, day, values["kind"], values.get("summary", ""))
    if key in context["seen"]:
        raise ValidationError(
            _("Trùng với dòng %(row)s của tệp (cùng người, ngày, hình thức và nội dung).")
            % {"row": context["seen"][key]}
        )
    same = Contact.objects.filter(person=person, occurred_on=day, kind=key[2], summary=key[3])
    if same.exists():
        return Saved(
            created=False,
            note=_("Đã ghi lượt tiếp cận này với %(name)s ngày %(date)s. Dòng này không nhập thêm.")
            % {"name": person.full_name, "date": day.strftime("%d/%m/%Y")},
        )
    # The contact form holds the rules of a contact typed by hand (the test result only with
    # a drug test). Without a next appointment the service sets the ward's usual one; the
    # form's `due_days` only words its help text.
    form = ContactForm(data={name: values.get(name, "") for name in _FORM_FIELDS}, due_days=0)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    contact_record(actor=actor, person=person, member=member, **form.cleaned_data)
    context["seen"][key] = number
    return Saved(created=True)


CONTACTS = Kind(
    code="contacts",
    label=gettext_lazy("Lượt tiếp cận, giúp đỡ"),
    capability="person_edit",
    columns=COLUMNS,
    save=save,
    prepare=prepare,
    done="cases:register",
    intro=gettext_lazy(
        "Mỗi dòng là một lần Đội tiếp cận, giúp đỡ một người đã có trong danh sách quản lý: "
        "họ tên (và năm sinh hoặc Số CCCD khi có người trùng tên), ngày và hình thức."
    ),
)
