"""Importing contacts with people on the register: finding the person and the member, the
checks of a contact, the commit."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Contact, Milestone
from imports.models import ImportBatch
from tests import factories as f
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
    "Họ và tên",
    "Năm sinh",
    "Số CCCD",
    "Ngày tiếp cận",
    "Hình thức",
    "Nội dung",
    "Thành viên thực hiện",
    "Kết quả xét nghiệm",
    "Chuyển biến ghi nhận được",
]
GOOD = [
    ["Nguyễn Văn An", 1985, "", "05/03/2024", "Thăm tại nhà", "Hỏi thăm sức khỏe", "Trần Thị Lan"],
    ["Le Thi Binh", "", "", "2024-03-06", "Goi dien"],
    [
        "Trần Văn Cường",
        1992,
        "",
        "07/03/2024",
        "Phối hợp xét nghiệm",
        "",
        "Trần Thị Lan",
        "Âm tính",
    ],
    [
        "Hoàng Văn Dũng",
        1988,
        "001 088 000 002",
        datetime.date(2024, 3, 8),
        "Gặp trực tiếp",
        "Giới thiệu học nghề",
        "",
        "",
        "Có việc làm",
    ],
]
CONTACT_KINDS = (
    "Thăm tại nhà; Gặp trực tiếp; Gọi điện; Qua gia đình; Sinh hoạt nhóm; Phối hợp xét nghiệm"
)
MILESTONES = (
    "Đi cai nghiện tự nguyện; Tham gia điều trị methadone; Lập hồ sơ cai nghiện bắt buộc; "
    "Có việc làm; Hoàn thành học nghề; Không tái nghiện sau 1 năm; Tái nghiện; Tự giác khai "
    "báo; Chuyển đi nơi khác; Đã mất"
)
BAD_DATE = "«Ngày tiếp cận»: Ngày «%s» không đúng. Ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2024."


@pytest.fixture
def register(world):
    """The ward's register: namesakes told apart by year, and by ID number only."""
    ward = world.ward_a
    return {
        "an": f.person(ward=ward, full_name="Nguyễn Văn An", birth_year=1985),
        "binh": f.person(
            ward=ward, full_name="Lê Thị Bình", birth_year=1990, id_number="001090000123"
        ),
        "cuong_80": f.person(ward=ward, full_name="Trần Văn Cường", birth_year=1980),
        "cuong_92": f.person(ward=ward, full_name="Trần Văn Cường", birth_year=1992),
        "dung_1": f.person(
            ward=ward, full_name="Hoàng Văn Dũng", birth_year=1988, id_number="001088000001"
        ),
        "dung_2": f.person(
            ward=ward, full_name="Hoàng Văn Dũng", birth_year=1988, id_number="001088000002"
        ),
        "elsewhere": f.person(ward=world.ward_b, full_name="Phan Văn Xa", birth_year=1980),
    }


def contacts():
    return list(
        Contact.objects.order_by("occurred_on").values_list(
            "person__full_name",
            "person__id_number",
            "member__full_name",
            "ward__code",
            "person_group",
            "occurred_on",
            "kind",
            "summary",
            "drug_test_result",
            "next_due_on",
            "created_by__username",
        )
    )


def test_the_template_has_the_headers_an_example_and_the_allowed_values(world, personas):
    book = template_book(personas["leader"], "contacts")
    assert template_headers(book) == [
        "Họ và tên *",
        "Năm sinh",
        "Số CCCD",
        "Ngày tiếp cận *",
        "Hình thức *",
        "Nội dung",
        "Nội dung tư vấn",
        "Thành viên thực hiện",
        "Kết quả xét nghiệm",
        "Chuyển biến ghi nhận được",
        "Xã, phường",
    ]
    assert [c.value for c in book["Danh sách"][2]][:7] == [
        "Nguyễn Văn Mẫu",
        "1990",
        None,
        "05/03/2024",
        "Thăm tại nhà",
        "Trao đổi về việc học nghề",
        "Hướng nghiệp, Pháp luật",
    ]
    assert allowed_values(book) == {
        "Hình thức": CONTACT_KINDS.split("; "),
        "Kết quả xét nghiệm": ["Âm tính", "Dương tính", "Không đồng ý xét nghiệm"],
        "Chuyển biến ghi nhận được": MILESTONES.split("; "),
    }


def test_a_volunteer_cannot_import_contacts(world, personas, register):
    client = personas["volunteer"]
    assert client.get(reverse("imports:template", args=["contacts"])).status_code == 404
    assert upload(client, "contacts", xlsx([HEADERS, *GOOD])).status_code == 404
    assert ImportBatch.objects.count() == 0


def test_a_good_file_is_committed_for_the_right_people_and_audited(world, personas, register):
    client = personas["leader"]
    batch = batch_of(upload(client, "contacts", xlsx([HEADERS, *GOOD])))
    assert outcome(batch) == [(n, "new", [], "") for n in range(2, 6)]
    assert Contact.objects.count() == 0  # the preview saves nothing
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "Hoàng Văn Dũng" in page and "Thành viên thực hiện" in page

    response = commit(client, batch)
    assert response["Location"] == reverse("cases:register")
    due = datetime.timedelta(days=30)
    day = datetime.date(2024, 3, 5)
    one = datetime.timedelta(days=1)
    assert contacts() == [
        (
            "Nguyễn Văn An",
            "",
            "Trần Thị Lan",
            "99001",
            "addicted",
            day,
            "home_visit",
            "Hỏi thăm sức khỏe",
            "",
            day + due,
            "doitruong_a",
        ),
        (
            "Lê Thị Bình",
            "001090000123",
            None,
            "99001",
            "addicted",
            day + one,
            "phone",
            "",
            "",
            day + one + due,
            "doitruong_a",
        ),
        (
            "Trần Văn Cường",
            "",
            "Trần Thị Lan",
            "99001",
            "addicted",
            day + 2 * one,
            "drug_test",
            "",
            "negative",
            day + 2 * one + due,
            "doitruong_a",
        ),
        (
            "Hoàng Văn Dũng",
            "001088000002",
            None,
            "99001",
            "addicted",
            day + 3 * one,
            "meeting",
            "Giới thiệu học nghề",
            "",
            day + 3 * one + due,
            "doitruong_a",
        ),
    ]
    assert Contact.objects.get(kind="drug_test").person == register["cuong_92"]
    assert list(Milestone.objects.values_list("person", "occurred_on", "kind", "ward")) == [
        (register["dung_2"].pk, day + 3 * one, "job", world.ward_a.pk)
    ]
    assert AuditEvent.objects.filter(action="create", object_type="cases.contact").count() == 4
    assert AuditEvent.objects.filter(action="create", object_type="cases.milestone").count() == 1
    event = AuditEvent.objects.get(action="import")
    assert event.object_type == "imports.contacts" and event.unit == world.ward_a
    assert event.changes["rows"] == 4 and event.changes["created"] == 4


def test_every_kind_of_error_is_shown_next_to_its_row(world, personas, register):
    f.member(team=world.team_a, full_name="Bùi Văn Nghỉ", left_on=datetime.date(2020, 1, 1))
    an = ["Nguyễn Văn An", 1985, ""]
    rows = [
        [*an, "30/02/2024", "Thăm tại nhà"],
        [*an, "2024/02/30", "Thăm tại nhà"],
        [*an, "03/15/2024", "Thăm tại nhà"],
        [*an, "", "Thăm tại nhà"],
        [*an, "01/01/2099", "Thăm tại nhà"],
        [*an, "05/01/2024", "Thăm tại nhà"],  # before the person was on the register
        [*an, "05/03/2024", "Nhắn tin"],
        [*an, "05/03/2024", ""],
        [*an, "05/03/2024", "Thăm tại nhà", "", "", "Âm tính"],
        [*an, "05/03/2024", "Thăm tại nhà", "", "", "", "Lấy vợ"],
        ["Nguyễn Văn Không", 1970, "", "05/03/2024", "Thăm tại nhà"],
        ["Phan Văn Xa", 1980, "", "05/03/2024", "Thăm tại nhà"],  # on ward B's register
        ["Nguyễn Văn An", 1986, "", "05/03/2024", "Thăm tại nhà"],
        ["Hoàng Văn Dũng", 1988, "", "05/03/2024", "Thăm tại nhà"],
        ["Trần Văn Cường", "", "", "05/03/2024", "Thăm tại nhà"],
        ["Nguyễn Văn An", "", "001090000123", "05/03/2024", "Thăm tại nhà"],
        [*an, "05/03/2024", "Thăm tại nhà", "", "Ngô Văn Lạ"],
        [*an, "05/03/2024", "Thăm tại nhà", "", "Đỗ Văn B"],  # ward B's leader
        [*an, "05/03/2024", "Thăm tại nhà", "", "Bùi Văn Nghỉ"],  # left in 2020
        ["", "", "", "", "", "Chỉ có nội dung"],
    ]
    batch = batch_of(upload(personas["leader"], "contacts", xlsx([HEADERS, *rows])))
    unknown_member = (
        "«Thành viên thực hiện»: «%s» không có trong danh sách thành viên Đội của xã, phường. "
        "Hãy ghi đúng họ tên như trong danh sách thành viên, hoặc để trống."
    )
    not_found = (
        "Không tìm thấy «%s» (sinh %s) trong danh sách của xã, phường; hãy nhập danh sách "
        "người trước."
    )
    assert outcome(batch) == [
        (2, "error", [BAD_DATE % "30/02/2024"], ""),
        (3, "error", [BAD_DATE % "2024/02/30"], ""),
        (4, "error", [BAD_DATE % "03/15/2024"], ""),
        (5, "error", ["Thiếu «Ngày tiếp cận»."], ""),
        (6, "error", ["«Ngày tiếp cận»: Ngày 01/01/2099 chưa đến."], ""),
        (
            7,
            "error",
            [
                "«Ngày tiếp cận»: Không được trước ngày người này được đưa vào danh sách "
                "(10/01/2024)."
            ],
            "",
        ),
        (
            8,
            "error",
            [
                "«Hình thức»: Hình thức «Nhắn tin» không có trong danh sách. Dùng một trong: "
                f"{CONTACT_KINDS}."
            ],
            "",
        ),
        (9, "error", ["Thiếu «Hình thức»."], ""),
        (
            10,
            "error",
            [
                "«Kết quả xét nghiệm»: Chỉ ghi kết quả xét nghiệm khi hình thức là «Phối hợp "
                "xét nghiệm». Hãy đổi hình thức hoặc bỏ trống kết quả."
            ],
            "",
        ),
        (
            11,
            "error",
            [
                "«Chuyển biến ghi nhận được»: Chuyển biến «Lấy vợ» không có trong danh sách. "
                f"Dùng một trong: {MILESTONES}."
            ],
            "",
        ),
        (12, "error", [not_found % ("Nguyễn Văn Không", 1970)], ""),
        (13, "error", [not_found % ("Phan Văn Xa", 1980)], ""),
        (14, "error", [not_found % ("Nguyễn Văn An", 1986)], ""),
        (
            15,
            "error",
            [
                "Có 2 người «Hoàng Văn Dũng» (sinh 1988) trong danh sách của xã, phường; hãy ghi "
                "Số CCCD để biết là người nào."
            ],
            "",
        ),
        (
            16,
            "error",
            [
                "Có 2 người «Trần Văn Cường» trong danh sách của xã, phường; hãy ghi Số CCCD để "
                "biết là người nào."
            ],
            "",
        ),
        (
            17,
            "error",
            [
                "Số CCCD «001090000123» trong danh sách là của «Lê Thị Bình», không phải "
                "«Nguyễn Văn An». Hãy kiểm tra lại."
            ],
            "",
        ),
        (18, "error", [unknown_member % "Ngô Văn Lạ"], ""),
        (19, "error", [unknown_member % "Đỗ Văn B"], ""),
        (
            20,
            "error",
            ["«Thành viên thực hiện»: Bùi Văn Nghỉ không tham gia Đội vào ngày 05/03/2024."],
            "",
        ),
        (21, "error", ["Thiếu «Họ và tên».", "Thiếu «Ngày tiếp cận».", "Thiếu «Hình thức»."], ""),
    ]


def test_an_id_number_missing_from_the_register_falls_back_to_the_name(world, personas, register):
    rows = [
        ["Nguyễn Văn An", "", "001085999999", "05/03/2024", "Thăm tại nhà"],  # An has none
        ["Hoàng Văn Dũng", 1988, "001088999999", "05/03/2024", "Thăm tại nhà"],  # both have one
    ]
    batch = batch_of(upload(personas["leader"], "contacts", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [
        (2, "new", [], ""),
        (
            3,
            "error",
            [
                "Không tìm thấy «Hoàng Văn Dũng» (sinh 1988) trong danh sách của xã, phường; hãy "
                "nhập danh sách người trước."
            ],
            "",
        ),
    ]


def test_re_importing_the_same_file_adds_nothing(world, personas, register):
    client = personas["leader"]
    commit(client, batch_of(upload(client, "contacts", xlsx([HEADERS, *GOOD]))))
    counts = (Contact.objects.count(), Milestone.objects.count())
    assert counts == (4, 1)

    again = batch_of(upload(client, "contacts", xlsx([HEADERS, *GOOD])))
    note = "Đã ghi lượt tiếp cận này với %s ngày %s. Dòng này không nhập thêm."
    assert outcome(again) == [
        (2, "skip", [], note % ("Nguyễn Văn An", "05/03/2024")),
        (3, "skip", [], note % ("Lê Thị Bình", "06/03/2024")),
        (4, "skip", [], note % ("Trần Văn Cường", "07/03/2024")),
        (5, "skip", [], note % ("Hoàng Văn Dũng", "08/03/2024")),
    ]
    commit(client, again)
    assert ImportBatch.objects.get(pk=again.pk).committed_at is not None
    assert (Contact.objects.count(), Milestone.objects.count()) == counts


def test_duplicates_within_the_file_are_refused(world, personas, register):
    rows = [
        ["Nguyễn Văn An", 1985, "", "05/03/2024", "Thăm tại nhà", "Hỏi thăm"],
        ["NGUYEN VAN AN", "", "", "2024-03-05", "Tham tai nha", "Hỏi thăm"],
        ["Nguyễn Văn An", 1985, "", "05/03/2024", "Thăm tại nhà", "Lần thứ hai trong ngày"],
    ]
    batch = batch_of(upload(personas["leader"], "contacts", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [
        (2, "new", [], ""),
        (
            3,
            "error",
            ["Trùng với dòng 2 của tệp (cùng người, ngày, hình thức và nội dung)."],
            "",
        ),
        (4, "new", [], ""),
    ]


def test_a_row_for_another_ward_is_refused(world, personas, register):
    headers = [*HEADERS, "Xã, phường"]
    rows = [
        [*GOOD[0], "", "", "Phường B"],
        [*GOOD[1], "", "", "", "", "Phường A Cũ"],  # merged into ward A: the same register
    ]
    batch = batch_of(upload(personas["leader"], "contacts", xlsx([headers, *rows])))
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


def test_another_wards_leader_finds_nobody_of_ward_a(world, personas, register):
    client = personas["outsider"]
    batch = batch_of(upload(client, "contacts", xlsx([HEADERS, GOOD[0], GOOD[1]])))
    assert [r["status"] for r in batch.results] == ["error", "error"]
    assert batch.results[0]["problems"] == [
        "Không tìm thấy «Nguyễn Văn An» (sinh 1985) trong danh sách của xã, phường; hãy nhập "
        "danh sách người trước."
    ]


def test_an_error_on_the_last_row_leaves_every_table_unchanged(world, personas, register):
    client = personas["leader"]
    rows = [*GOOD, ["Nguyễn Văn An", 1985, "", "09/03/2024", "Thăm tại nhà", "", "Ngô Văn Lạ"]]
    batch = batch_of(upload(client, "contacts", xlsx([HEADERS, *rows])))
    assert [r["status"] for r in batch.results] == ["new"] * 4 + ["error"]
    tables = (Contact, Milestone, AuditEvent)
    before = [model.objects.count() for model in tables]
    response = commit(client, batch)
    assert response["Location"] == reverse("imports:preview", args=[batch.pk]) + "?loc=loi"
    assert [model.objects.count() for model in tables] == before
    assert before[:2] == [0, 0]


def test_headers_without_diacritics_are_matched(world, personas, register):
    headers = [
        "HO VA TEN",
        "NAM SINH",
        "SO CCCD",
        "NGAY TIEP CAN",
        "HINH THUC",
        "NOI DUNG",
        "THANH VIEN THUC HIEN",
        "KET QUA XET NGHIEM",
        "CHUYEN BIEN",
    ]
    rows = [
        [
            "Tran Van Cuong",
            1980,
            "",
            "05/03/2024",
            "Phoi hop xet nghiem",
            "",
            "tran thi lan",
            "Duong tinh",
            "Tai nghien",
        ]
    ]
    content = csv_bytes([headers, *rows], delimiter=";")
    client = personas["leader"]
    batch = batch_of(upload(client, "contacts", content, name="tiep-can.csv"))
    assert batch.mapping["unsure"] == [] and len(batch.mapping["fields"]) == 9
    assert outcome(batch) == [(2, "new", [], "")]
    commit(client, batch)
    contact = Contact.objects.get()
    assert (contact.person, contact.member, contact.drug_test_result) == (
        register["cuong_80"],
        world.volunteer_member,
        "positive",
    )
    assert list(Milestone.objects.values_list("person", "kind")) == [
        (register["cuong_80"].pk, "relapsed")
    ]


def test_an_administrator_imports_contacts_with_the_command(world, register, tmp_path):
    path = tmp_path / "tiep-can.xlsx"
    path.write_bytes(xlsx([HEADERS, *GOOD]))
    call_command(
        "import_xlsx", str(path), kind="contacts", ward="99001", user="quantri", stdout=StringIO()
    )
    assert Contact.objects.filter(created_by=world.admin, ward=world.ward_a).count() == 4
    assert AuditEvent.objects.get(action="import").changes["source"] == "command"
