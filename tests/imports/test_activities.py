"""Importing the activity notebook: the template, each kind's figures, the commit."""

from __future__ import annotations

import datetime

from django.urls import reverse

from imports.models import ImportBatch
from outreach.models import Activity
from outreach.services import activity_record
from tests.imports.helpers import (
    allowed_values,
    batch_of,
    commit,
    csv_bytes,
    outcome,
    template_book,
    template_headers,
    upload,
    xlsx,
)
from wards.models import AuditEvent

HEADERS = [
    "Ngày",
    "Loại hoạt động",
    "Nội dung, chủ đề",
    "Địa điểm, trường học",
    "Đối tượng tham dự",
    "Số cuộc, buổi, lần",
    "Số người tham dự",
    "Số lượng",
    "Thời lượng mỗi lần (phút)",
    "Ghi chú",
]
MEETING = "Tuyên truyền tại họp tổ dân phố, đoàn thể"
GOOD = [
    ["05/03/2024", MEETING, "Tác hại của ma túy", "Nhà văn hóa tổ 3", "Hội viên phụ nữ", 1, 45],
    [
        "2024-03-10",
        "Phát thanh trên đài truyền thanh",
        "Phòng chống ma túy",
        "",
        "",
        35,
        "",
        "",
        15,
        "Mỗi sáng thứ hai",
    ],
    [datetime.date(2024, 3, 12), "Phat to roi", "", "Chợ phường", "", "", "", "1.500"],
    ["15/03/2024", "Tuyên truyền tại trường học", "", "THCS Lê Lợi", "Học sinh", 2, 300],
    ["16/03/2024", "Hoạt động khác", "Thăm hỏi gia đình khó khăn", "", "", "", "", 4],
]
KINDS = "; ".join(str(label) for _code, label in Activity.Kind.choices)
BAD_DATE = "«Ngày»: Ngày «%s» không đúng. Ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2024."


def activities(unit):
    return list(
        Activity.objects.filter(unit=unit)
        .order_by("occurred_on")
        .values_list(
            "occurred_on",
            "kind",
            "title",
            "place",
            "audience",
            "sessions",
            "participants",
            "items",
            "minutes",
            "note",
        )
    )


def test_the_template_has_the_headers_an_example_and_the_allowed_values(world, personas):
    book = template_book(personas["leader"], "activities")
    assert template_headers(book) == [
        "Ngày *",
        "Loại hoạt động *",
        "Nội dung, chủ đề",
        "Địa điểm, trường học",
        "Đối tượng tham dự",
        "Số cuộc, buổi, lần",
        "Số người tham dự",
        "Số lượng",
        "Thời lượng mỗi lần (phút)",
        "Ghi chú",
        "Xã, phường",
    ]
    assert [c.value for c in book["Danh sách"][2]][:7] == [
        "05/03/2024",
        MEETING,
        "Tác hại của ma túy tổng hợp",
        "Nhà văn hóa tổ dân phố 3",
        "Hội viên phụ nữ",
        "1",
        "45",
    ]
    assert allowed_values(book) == {"Loại hoạt động": KINDS.split("; ")}
    assert len(KINDS.split("; ")) == 17


def test_a_volunteer_cannot_import_the_notebook(world, personas):
    client = personas["volunteer"]
    assert client.get(reverse("imports:template", args=["activities"])).status_code == 404
    assert upload(client, "activities", xlsx([HEADERS, *GOOD])).status_code == 404
    assert ImportBatch.objects.count() == 0


def test_a_good_file_is_committed_with_each_kinds_figures_and_audited(world, personas):
    client = personas["leader"]
    batch = batch_of(upload(client, "activities", xlsx([HEADERS, *GOOD])))
    assert outcome(batch) == [(n, "new", [], "") for n in range(2, 7)]
    assert Activity.objects.count() == 0  # the preview saves nothing
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "THCS Lê Lợi" in page and "Thời lượng mỗi lần (phút)" in page

    response = commit(client, batch)
    assert response["Location"] == reverse("outreach:activity_list")
    assert activities(world.ward_a) == [
        (
            datetime.date(2024, 3, 5),
            "community_meeting",
            "Tác hại của ma túy",
            "Nhà văn hóa tổ 3",
            "Hội viên phụ nữ",
            1,
            45,
            None,
            None,
            "",
        ),
        # 35 broadcasts of 15 minutes each.
        (
            datetime.date(2024, 3, 10),
            "radio",
            "Phòng chống ma túy",
            "",
            "",
            35,
            None,
            None,
            525,
            "Mỗi sáng thứ hai",
        ),
        (datetime.date(2024, 3, 12), "leaflets", "", "Chợ phường", "", 1, None, 1500, None, ""),
        (
            datetime.date(2024, 3, 15),
            "school_talk",
            "",
            "THCS Lê Lợi",
            "Học sinh",
            2,
            300,
            None,
            None,
            "",
        ),
        (
            datetime.date(2024, 3, 16),
            "other",
            "Thăm hỏi gia đình khó khăn",
            "",
            "",
            1,
            None,
            4,
            None,
            "",
        ),
    ]
    assert set(Activity.objects.values_list("created_by", flat=True)) == {world.leader.pk}
    assert AuditEvent.objects.filter(action="create", object_type="outreach.activity").count() == 5
    event = AuditEvent.objects.get(action="import")
    assert event.object_type == "imports.activities" and event.unit == world.ward_a
    assert event.changes["rows"] == 5 and event.changes["created"] == 5


def test_every_kind_of_error_is_shown_next_to_its_row(world, personas):
    rows = [
        ["32/01/2024", MEETING, "", "", "", 1, 10],
        ["2024-13-01", MEETING, "", "", "", 1, 10],
        ["5/3/24", MEETING, "", "", "", 1, 10],
        ["01/01/2099", MEETING, "", "", "", 1, 10],
        ["05/03/2024", "Văn nghệ", "", "", "", 1, 10],
        ["05/03/2024", "", "", "", "", 1, 10],
        ["", MEETING, "", "", "", 1, 10],
        ["05/03/2024", "Phát tờ rơi", "", "", "", 1, "", 200, 15],
        ["05/03/2024", "Tuyên truyền tại trường học", "", "", "", 1],
        ["05/03/2024", MEETING, "", "", "", 1, "nhiều"],
        ["05/03/2024", MEETING, "", "", "", 0, 10],
        ["05/03/2024", "Hoạt động khác", "", "", "", 1],
        ["05/03/2024", "Phát thanh trên đài truyền thanh", "", "", "", 2, "", "", 900],
    ]
    batch = batch_of(upload(personas["leader"], "activities", xlsx([HEADERS, *rows])))
    school = "Tuyên truyền tại trường học"
    assert outcome(batch) == [
        (2, "error", [BAD_DATE % "32/01/2024"], ""),
        (3, "error", [BAD_DATE % "2024-13-01"], ""),
        (4, "error", [BAD_DATE % "5/3/24"], ""),
        (5, "error", ["«Ngày»: Ngày 01/01/2099 chưa đến."], ""),
        (
            6,
            "error",
            [
                "«Loại hoạt động»: Loại hoạt động «Văn nghệ» không có trong danh sách. "
                f"Dùng một trong: {KINDS}."
            ],
            "",
        ),
        (7, "error", ["Thiếu «Loại hoạt động»."], ""),
        (8, "error", ["Thiếu «Ngày»."], ""),
        (
            9,
            "error",
            [
                "«Thời lượng mỗi lần (phút)»: Hoạt động «Phát tờ rơi» không ghi thời lượng: "
                "hãy để trống ô này."
            ],
            "",
        ),
        (
            10,
            "error",
            [
                f"«Số người tham dự»: Hãy nhập số người tham dự cho hoạt động «{school}».",
                f"«Địa điểm, trường học»: Hãy nhập địa điểm, trường học cho hoạt động «{school}».",
            ],
            "",
        ),
        (
            11,
            "error",
            ["«Số người tham dự»: «nhiều» không phải là một số nguyên từ 0 đến 100.000."],
            "",
        ),
        (12, "error", ["«Số cuộc, buổi, lần»: Số cuộc, buổi phải từ 1 trở lên."], ""),
        (
            13,
            "error",
            ["«Nội dung, chủ đề»: Hãy nhập nội dung, chủ đề cho hoạt động «Hoạt động khác»."],
            "",
        ),
        (
            14,
            "error",
            ["«Thời lượng mỗi lần (phút)»: «900» không phải là một số nguyên từ 0 đến 600."],
            "",
        ),
    ]


def test_re_importing_the_same_file_adds_nothing(world, personas):
    client = personas["leader"]
    # One line typed in by hand before, and the same line in another ward's notebook.
    line = {"occurred_on": datetime.date(2024, 3, 5), "kind": "community_meeting"}
    figures = {"title": "Tác hại của ma túy", "place": "Nhà văn hóa tổ 3", "participants": 45}
    activity_record(actor=world.leader, unit=world.ward_a, **line, **figures)
    activity_record(actor=world.outsider, unit=world.ward_b, **line, **figures)

    first = batch_of(upload(client, "activities", xlsx([HEADERS, *GOOD])))
    note = "Đã có trong sổ hoạt động ngày %s. Dòng này không nhập thêm."
    assert outcome(first)[0] == (2, "skip", [], note % "05/03/2024")
    assert [r["status"] for r in first.results[1:]] == ["new"] * 4
    commit(client, first)
    assert Activity.objects.filter(unit=world.ward_a).count() == 5

    again = batch_of(upload(client, "activities", xlsx([HEADERS, *GOOD])))
    days = ["05/03/2024", "10/03/2024", "12/03/2024", "15/03/2024", "16/03/2024"]
    assert outcome(again) == [
        (n, "skip", [], note % day) for n, day in zip(range(2, 7), days, strict=True)
    ]
    commit(client, again)
    assert Activity.objects.filter(unit=world.ward_a).count() == 5
    assert Activity.objects.filter(unit=world.ward_b).count() == 1


def test_duplicates_within_the_file_are_refused_but_other_figures_are_another_line(world, personas):
    rows = [
        ["05/03/2024", "Phát thanh trên đài truyền thanh", "Ma túy", "", "", 1, "", "", 15],
        ["05/03/2024", "Phát thanh trên đài truyền thanh", "Ma túy", "", "", 1, "", "", 15],
        ["05/03/2024", "Phát thanh trên đài truyền thanh", "Ma túy", "", "", 1, "", "", 20],
    ]
    batch = batch_of(upload(personas["leader"], "activities", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [
        (2, "new", [], ""),
        (
            3,
            "error",
            [
                "Trùng với dòng 2 của tệp (cùng ngày, loại hoạt động, nội dung và số liệu). "
                "Nếu đúng là nhiều buổi, hãy gộp thành một dòng và ghi số buổi."
            ],
            "",
        ),
        (4, "new", [], ""),
    ]


def test_a_row_for_another_ward_is_refused(world, personas):
    rows = [[*GOOD[0][:7], "", "", "", "Phường B"], [*GOOD[3][:7], "", "", "", "phuong a"]]
    headers = [*HEADERS, "Xã, phường"]
    batch = batch_of(upload(personas["leader"], "activities", xlsx([headers, *rows])))
    assert outcome(batch) == [
        (
            2,
            "error",
            [
                "Dòng này ghi xã, phường «Phường B»: chỉ nhập được vào danh sách của nơi bạn "
                "đang nhập."
            ],
            "",
        ),
        (3, "new", [], ""),
    ]


def test_an_error_on_the_last_row_leaves_every_table_unchanged(world, personas):
    client = personas["leader"]
    rows = [*GOOD, ["20/03/2024", "Phát tờ rơi", "", "", "", 1, 30, 100]]
    batch = batch_of(upload(client, "activities", xlsx([HEADERS, *rows])))
    assert [r["status"] for r in batch.results] == ["new"] * 5 + ["error"]
    assert batch.results[-1]["problems"] == [
        "«Số người tham dự»: Hoạt động «Phát tờ rơi» không ghi số người tham dự: hãy để trống "
        "ô này."
    ]
    before = (Activity.objects.count(), AuditEvent.objects.count())
    response = commit(client, batch)
    assert response["Location"] == reverse("imports:preview", args=[batch.pk]) + "?loc=loi"
    assert (Activity.objects.count(), AuditEvent.objects.count()) == before
    assert before[0] == 0


def test_headers_and_kinds_without_diacritics_are_matched(world, personas):
    headers = [
        "NGAY",
        "LOAI HOAT DONG",
        "noi dung",
        "dia diem",
        "doi tuong",
        "so buoi",
        "so nguoi",
        "so luong",
        "thoi luong",
        "ghi chu",
    ]
    rows = [["10/03/2024", "Tuyen truyen bang loa di dong", "", "Tổ 5", "", 3, "", "", 30, ""]]
    content = csv_bytes([headers, *rows], encoding="cp1258")
    client = personas["leader"]
    batch = batch_of(upload(client, "activities", content, name="so-hoat-dong.csv"))
    assert batch.mapping["unsure"] == []
    assert len(batch.mapping["fields"]) == 10
    assert outcome(batch) == [(2, "new", [], "")]
    commit(client, batch)
    assert activities(world.ward_a) == [
        (datetime.date(2024, 3, 10), "loudspeaker", "", "Tổ 5", "", 3, None, None, 90, "")
    ]


def test_a_broadcasts_estimated_audience_is_imported_and_may_be_left_empty(world, personas):
    """Offices publish «loa di động … khoảng 1.535 lượt người»: the notebook's figure, written
    the Vietnamese way, is kept; a round without an estimate is still a round."""
    rows = [
        ["10/03/2024", "Loa di động", "", "Tổ 5", "", 12, "1.535", "", 30],
        ["11/03/2024", "Phát thanh trên đài truyền thanh", "", "", "", 20, "", "", 15],
        ["12/03/2024", "Phát thanh trên đài truyền thanh", "", "", "", 4, 800, "", 10],
    ]
    client = personas["leader"]
    batch = batch_of(upload(client, "activities", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [(n, "new", [], "") for n in range(2, 5)]
    commit(client, batch)
    assert [row[1:] for row in activities(world.ward_a)] == [
        ("loudspeaker", "", "Tổ 5", "", 12, 1535, None, 360, ""),
        ("radio", "", "", "", 20, None, None, 300, ""),
        ("radio", "", "", "", 4, 800, None, 40, ""),
    ]


def test_the_template_says_a_broadcasts_audience_is_an_estimate(world, personas):
    book = template_book(personas["leader"], "activities")
    text = " ".join(
        str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row
    )
    assert "số lượt người nghe ước tính" in text
