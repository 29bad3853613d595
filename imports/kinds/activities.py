"""The team's activity notebook (Sổ hoạt động), through outreach.services.activity_record.

One row is one line of the notebook: a date, a kind and the figures that kind records
(`Activity.FIELDS`: participants for a meeting, items for leaflets, minutes for a broadcast
and, if the office estimated it, the broadcast's audience).
The service checks the figures against the kind, so a row with minutes on a leaflet drop is
refused with the same sentence the form shows. Minutes are per session, as the notebook and
the form write them ("35 lần, mỗi lần 15 phút"); the total is what is stored. Members,
partners and persons who took part are not imported. A line already in the ward's notebook
(same date, kind, content and figures) is skipped.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.models import Activity
from outreach.services import activity_record

from .base import Column, Kind, Saved, choice, count, parse_past_date, text

# How notebooks usually write the kinds, folded.
KIND_SHORT_NAMES = {
    "hop to dan pho": "community_meeting",
    "tuyen truyen": "community_meeting",
    "truong hoc": "school_talk",
    "phat thanh": "radio",
    "loa truyen thanh": "radio",
    "loa di dong": "loudspeaker",
    "loa": "loudspeaker",
    "toa dam": "seminar",
    "chieu phim": "film",
    "to roi": "leaflets",
    "tin bai": "article",
    "bang ron": "banner",
    "pano": "banner",
    "cam ket": "pledge",
    "giao ban": "team_meeting",
    "sinh hoat doi": "team_meeting",
    "cau lac bo": "club_session",
    "clb": "club_session",
    "tuan tra": "patrol",
    "kiem tra": "inspection",
    "tin bao": "police_tip",
    "khac": "other",
}

COLUMNS = (
    Column(
        "occurred_on",
        gettext_lazy("Ngày"),
        parse_past_date,
        required=True,
        aliases=("ngay thuc hien", "ngay to chuc", "ngay thang", "thoi gian"),
        hint=gettext_lazy("ngày/tháng/năm, ví dụ 05/03/2024."),
        example="05/03/2024",
    ),
    Column(
        "kind",
        gettext_lazy("Loại hoạt động"),
        choice(Activity.Kind.choices, gettext_lazy("Loại hoạt động"), KIND_SHORT_NAMES),
        required=True,
        aliases=("loai", "hinh thuc", "hinh thuc tuyen truyen", "hoat dong"),
        choices=Activity.Kind.choices,
        example=str(Activity.Kind.COMMUNITY_MEETING.label),
    ),
    Column(
        "title",
        gettext_lazy("Nội dung, chủ đề"),
        text(255),
        aliases=("noi dung", "chu de", "ten hoat dong", "noi dung tuyen truyen"),
        hint=gettext_lazy("Bắt buộc với «Hoạt động khác»."),
        example="Tác hại của ma túy tổng hợp",
    ),
    Column(
        "place",
        gettext_lazy("Địa điểm, trường học"),
        text(200),
        aliases=("dia diem", "noi to chuc", "dia diem to chuc", "truong", "truong hoc"),
        hint=gettext_lazy("Bắt buộc với buổi tại trường học: ghi tên trường."),
        example="Nhà văn hóa tổ dân phố 3",
    ),
    Column(
        "audience",
        gettext_lazy("Đối tượng tham dự"),
        text(200),
        aliases=("doi tuong", "thanh phan tham du", "doi tuong tham gia"),
        example="Hội viên phụ nữ",
    ),
    Column(
        "sessions",
        gettext_lazy("Số cuộc, buổi, lần"),
        count(Activity.LIMITS["sessions"]),
        aliases=("so buoi", "so cuoc", "so lan", "so cuoc buoi"),
        hint=gettext_lazy("Để trống: 1. Ghi gộp nhiều buổi giống nhau, ví dụ 35 lần phát thanh."),
        example="1",
    ),
    Column(
        "participants",
        gettext_lazy("Số người tham dự"),
        count(Activity.LIMITS["participants"]),
        aliases=(
            "so nguoi",
            "so luot nguoi",
            "so nguoi tham gia",
            "so luot nguoi tham du",
            "so hoc sinh",
            "so nguoi nghe",
            "so luot nguoi nghe",
        ),
        hint=gettext_lazy(
            "Tổng số lượt người của tất cả các buổi. Với phát thanh, loa di động: số lượt "
            "người nghe ước tính, để trống nếu không rõ."
        ),
        example="45",
    ),
    Column(
        "items",
        gettext_lazy("Số lượng"),
        count(Activity.LIMITS["items"]),
        aliases=("so to roi", "so ban", "so tin bai", "so bang ron"),
        hint=gettext_lazy("Số tờ rơi, tin bài, băng rôn, bản cam kết."),
    ),
    Column(
        "minutes",
        gettext_lazy("Thời lượng mỗi lần (phút)"),
        count(Activity.LIMITS["minutes"]),
        aliases=("thoi luong", "so phut", "phut", "thoi luong phut"),
        hint=gettext_lazy(
            "Chỉ với phát thanh, loa di động: số phút mỗi lần; Đồng Hành tự nhân với số lần."
        ),
    ),
    Column("note", gettext_lazy("Ghi chú"), text(5000), aliases=("chu thich",)),
)

# What makes two lines of the notebook the same line.
SAME = ("occurred_on", "kind", "title", "sessions", "participants", "items", "minutes", "place")


def prepare(*, ward, actor) -> dict:
    return {"seen": {}}  # the line's SAME values -> the file row that recorded it


def save(*, actor, ward, values: dict, context: dict, number: int) -> Saved:
    values.setdefault("sessions", 1)
    if values.get("minutes") is not None:
        values["minutes"] *= values["sessions"]
    line = {name: values.get(name, "" if name in ("title", "place") else None) for name in SAME}
    key = tuple(line.values())
    if key in context["seen"]:
        raise ValidationError(
            _(
                "Trùng với dòng %(row)s của tệp (cùng ngày, loại hoạt động, nội dung và số "
                "liệu). Nếu đúng là nhiều buổi, hãy gộp thành một dòng và ghi số buổi."
            )
            % {"row": context["seen"][key]}
        )
    if Activity.objects.filter(unit=ward, **line).exists():
        return Saved(
            created=False,
            note=_("Đã có trong sổ hoạt động ngày %(date)s. Dòng này không nhập thêm.")
            % {"date": line["occurred_on"].strftime("%d/%m/%Y")},
        )
    activity_record(actor=actor, unit=ward, **values)
    context["seen"][key] = number
    return Saved(created=True)


ACTIVITIES = Kind(
    code="activities",
    label=gettext_lazy("Sổ hoạt động"),
    capability="outreach_manage",
    columns=COLUMNS,
    save=save,
    prepare=prepare,
    done="outreach:activity_list",
    intro=gettext_lazy(
        "Mỗi dòng là một dòng của sổ hoạt động: ngày, loại hoạt động và số liệu của loại đó "
        "(số người tham dự, số lượng tờ rơi, thời lượng phát thanh…). Nhiều buổi giống nhau "
        "ghi gộp một dòng."
    ),
)
