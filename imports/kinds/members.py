"""The team's member list (Danh sách thành viên Đội), through wards.services.member_add.

Rows go to the ward's active team. Each row is checked by the member form (the same rules as
adding a member by hand: a full name, a join date not before the team was formed, a member of
18 or more) and saved by the service, which also turns the current leader into a deputy when
the file names a new leader. A member already on the team under the same name is skipped.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.text import fold
from wards.forms import MemberForm
from wards.models import AdminUnit, Member, Team
from wards.services import member_add

from .base import Column, Kind, Saved, choice, parse_past_date, parse_year, phone, text

_FORM_FIELDS = MemberForm.Meta.fields
# How member lists usually write the organisations, folded.
ORGANISATION_SHORT_NAMES = {
    "mttq": "front",
    "mat tran": "front",
    "uy ban mttq": "front",
    "doan tn": "youth",
    "doan thanh nien": "youth",
    "doan tncs": "youth",
    "doan tncs ho chi minh": "youth",
    "hoi lhpn": "women",
    "hoi phu nu": "women",
    "phu nu": "women",
    "hoi ccb": "veterans",
    "cuu chien binh": "veterans",
    "ccb": "veterans",
    "hoi nd": "farmers",
    "nong dan": "farmers",
    "ca": "police",
    "cong an phuong": "police",
    "cong an xa": "police",
    "tram y te": "health",
    "yte": "health",
}

COLUMNS = (
    Column(
        "full_name",
        gettext_lazy("Họ và tên"),
        text(120),
        required=True,
        aliases=("ho ten", "ten", "ho ten thanh vien", "ten thanh vien"),
        example="Nguyễn Thị Mẫu",
    ),
    Column(
        "sex",
        gettext_lazy("Giới tính"),
        choice(Member.Sex.choices, gettext_lazy("Giới tính")),
        required=True,
        aliases=("gioi", "nam nu", "phai"),
        choices=Member.Sex.choices,
        example=str(Member.Sex.FEMALE.label),
    ),
    Column(
        "birth_year",
        gettext_lazy("Năm sinh"),
        parse_year,
        aliases=("sinh nam", "ngay sinh"),
        hint=gettext_lazy("4 chữ số, ví dụ 1975. Thành viên Đội phải từ đủ 18 tuổi."),
        example="1975",
    ),
    Column(
        "phone",
        gettext_lazy("Điện thoại"),
        phone,
        aliases=("sdt", "so dien thoai", "dt"),
        example="0912345678",
    ),
    Column(
        "organisation",
        gettext_lazy("Tổ chức cử tham gia"),
        choice(
            Member.Organisation.choices,
            gettext_lazy("Tổ chức cử tham gia"),
            ORGANISATION_SHORT_NAMES,
        ),
        required=True,
        aliases=("to chuc", "don vi cu", "co quan cu", "to chuc doan the", "thanh phan"),
        choices=Member.Organisation.choices,
        example=str(Member.Organisation.WOMEN.label),
    ),
    Column(
        "role",
        gettext_lazy("Chức danh"),
        choice(Member.Role.choices, gettext_lazy("Chức danh")),
        aliases=("chuc vu", "vai tro", "chuc danh trong doi"),
        choices=Member.Role.choices,
        hint=gettext_lazy(
            "Để trống: thành viên. Ghi Đội trưởng thì đội trưởng hiện tại chuyển thành đội phó."
        ),
        example=str(Member.Role.MEMBER.label),
    ),
    Column(
        "joined_on",
        gettext_lazy("Ngày tham gia"),
        parse_past_date,
        required=True,
        aliases=("ngay vao doi", "tham gia tu ngay", "ngay tham gia doi", "ngay quyet dinh"),
        hint=gettext_lazy(
            "Bắt buộc: ngày vào Đội (ngày/tháng/năm), không trước ngày thành lập Đội."
        ),
        example="15/03/2024",
    ),
)


def prepare(*, ward, actor) -> dict:
    team = Team.objects.active().filter(ward=ward).first()
    current = {}
    if team is not None:
        current = {fold(m.full_name): m for m in team.members.active().order_by("pk")}
    return {
        "team": team,
        "current": current,  # folded name -> the member already on the team
        "seen": {},  # folded name -> the file row that added it
        "leader_row": None,  # the file row that named a new leader
    }


def save(*, actor, ward, values: dict, context: dict, number: int) -> Saved:
    team = context["team"]
    if team is None:
        raise ValidationError(
            _(
                "%(ward)s chưa có Đội công tác xã hội tình nguyện đang hoạt động, nên chưa nhập "
                "được thành viên. Hãy đề nghị quản trị hệ thống khai báo Đội trước."
            )
            % {"ward": ward.name}
        )
    key = fold(values["full_name"])
    if key in context["seen"]:
        raise ValidationError(
            _("Trùng với dòng %(row)s của tệp (cùng họ tên).") % {"row": context["seen"][key]}
        )
    found = context["current"].get(key)
    if found is not None:
        return Saved(
            created=False,
            note=_("Đã có trong Đội: %(name)s (%(role)s). Dòng này không nhập thêm.")
            % {"name": found.full_name, "role": found.get_role_display()},
        )
    values.setdefault("role", Member.Role.MEMBER)
    note = ""
    if values["role"] == Member.Role.LEADER:
        if context["leader_row"] is not None:
            raise ValidationError(
                {
                    "role": _(
                        "Dòng %(row)s của tệp đã ghi Đội trưởng; một Đội chỉ có một Đội trưởng."
                    )
                    % {"row": context["leader_row"]}
                }
            )
        leader = team.members.active().filter(role=Member.Role.LEADER).first()
        if leader is not None:
            note = _("Đội trưởng hiện tại (%(name)s) sẽ chuyển thành Đội phó.") % {
                "name": leader.full_name
            }
    # The form adding a member by hand holds the rules; a year of birth may be missing from an
    # old list, so only the file's columns are required here.
    form = MemberForm(data={name: values.get(name, "") for name in _FORM_FIELDS}, team=team)
    form.fields["birth_year"].required = False
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())
    member_add(actor=actor, team=team, **form.cleaned_data)
    context["seen"][key] = number
    if values["role"] == Member.Role.LEADER:
        context["leader_row"] = number
    return Saved(created=True, note=note)


def team_page(ward: AdminUnit) -> str:
    """Where a committed import leads: the page of the ward's team (the import page when the
    ward has none, which only an empty file can commit)."""
    team = Team.objects.active().filter(ward=ward).first()
    if team is None:
        return reverse("imports:start") + "?" + urlencode({"xa": ward.code})
    return team.get_absolute_url()


MEMBERS = Kind(
    code="members",
    label=gettext_lazy("Thành viên Đội"),
    capability="team_edit",
    columns=COLUMNS,
    save=save,
    prepare=prepare,
    done=team_page,
    intro=gettext_lazy(
        "Mỗi dòng là một thành viên Đội công tác xã hội tình nguyện của xã, phường. Cần có họ "
        "tên, giới tính, tổ chức cử tham gia và ngày tham gia."
    ),
)
