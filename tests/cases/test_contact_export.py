"""The ward's contact log (sổ tiếp xúc) as CSV and XLSX: content, scope, roles, audit, bad
input, no file left behind, and a query count that does not grow with the rows."""

from __future__ import annotations

import csv
import datetime
import io
import os
import stat
import tempfile

import openpyxl
import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.exports import ContactLogExporter
from cases.models import Contact, ContactTopic, Person
from tests import factories as f
from tests.conftest import login
from wards import exports
from wards.models import AuditEvent, Post

TODAY = timezone.localdate()
EXPORT = reverse("cases:contact_log_export")
DASHBOARD = reverse("cases:ward_dashboard")
START, END = datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)
RANGE = {"tu_ngay": "01/01/2024", "den_ngay": "31/12/2024"}
FORMULA = '=HYPERLINK("http://x","bấm")'
HEADER = [
    "Ngày tiếp cận",
    "Họ và tên",
    "Năm sinh",
    "Mã hồ sơ",
    "Nhóm",
    "Hình thức",
    "Thành viên thực hiện",
    "Kết quả xét nghiệm",
    "Nội dung",
    "Nội dung tư vấn",
    "Hẹn lần tới",
    "Xã, phường",
]


def _body(response) -> bytes:
    assert response.status_code == 200, response.content.decode()[:2000]
    return b"".join(response.streaming_content)


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_body(response).decode("utf-8-sig"))))


def _sheet(response) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(_body(response)))
    return list(book.active.iter_rows(values_only=True))


def _data(rows: list[tuple]) -> list[dict]:
    """The XLSX rows under the header, as dicts."""
    at = next(i for i, row in enumerate(rows) if row[0] == HEADER[0])
    return [dict(zip(rows[at], row, strict=True)) for row in rows[at + 1 :]]


@pytest.fixture
def log(world):
    """Three contacts in ward A's log for 2024 (one in the predecessor A-old), one of 2023,
    one of ward B."""
    lan = f.person(ward=world.ward_a, full_name="Hoàng Văn Tiếp", birth_year=1987)
    old = f.person(ward=world.ward_a, full_name="Đinh Thị Cũ", group=Person.Group.POST_REHAB)
    other = f.person(ward=world.ward_b, full_name="Người Phường B")
    made = {
        "visit": f.contact(
            person=lan,
            member=world.volunteer_member,
            occurred_on=datetime.date(2024, 3, 5),
            summary="Trao đổi về học nghề",
            next_due_on=datetime.date(2024, 4, 5),
        ),
        "test": f.contact(
            person=lan,
            member=world.leader_member,
            occurred_on=datetime.date(2024, 6, 1),
            kind=Contact.Kind.DRUG_TEST,
            drug_test_result=Contact.DrugTestResult.NEGATIVE,
            person_group=Person.Group.DRUG_USER,
        ),
        "merged": f.contact(
            person=old, ward=world.ward_a_old, occurred_on=datetime.date(2024, 2, 1)
        ),
        "last_year": f.contact(person=lan, occurred_on=datetime.date(2023, 12, 31)),
        "ward_b": f.contact(person=other, occurred_on=datetime.date(2024, 3, 5)),
    }
    ContactTopic.objects.create(contact=made["visit"], topic=Contact.Topic.CAREER)
    made.update(lan=lan, old=old)
    return made


# Content --------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_the_header_and_the_wards_contacts_of_the_range_oldest_first(
    world, personas, log
):
    response = personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-tiep-xuc-{world.ward_a.code}-20240101-20241231.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    body = _body(response)
    assert body.startswith(b"\xef\xbb\xbf")
    assert body.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    lan, old = log["lan"], log["old"]
    assert rows[1:] == [
        ["01/02/2024", "Đinh Thị Cũ", "1990", str(old.pk), "Người sau cai nghiện", "Thăm tại nhà"]
        + ["", "", "", "", "", "Phường A Cũ"],
        ["05/03/2024", "Hoàng Văn Tiếp", "1987", str(lan.pk), "Người nghiện ma túy"]
        + ["Thăm tại nhà", "Trần Thị Lan", "", "Trao đổi về học nghề", "Hướng nghiệp"]
        + ["05/04/2024", "Phường A"],
        # the group as it was on the day, not the person's group today
        ["01/06/2024", "Hoàng Văn Tiếp", "1987", str(lan.pk), "Người sử dụng trái phép chất ma túy"]
        + ["Phối hợp xét nghiệm", "Lê Văn Hùng", "Âm tính", "", "", "", "Phường A"],
    ]


def test_the_xlsx_opens_with_the_title_the_range_and_the_same_rows_as_real_dates(
    world, personas, log
):
    response = personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-tiep-xuc-{world.ward_a.code}-20240101-20241231.xlsx"'
    )
    rows = _sheet(response)
    assert rows[0][0] == "SỔ TIẾP XÚC"
    preamble = [row[0] for row in rows[1:5]]
    assert preamble == [
        "Phường A",
        "Các lượt tiếp cận, giúp đỡ từ ngày 01/01/2024 đến ngày 31/12/2024",
        "Gồm cả các xã, phường đã sáp nhập vào Phường A.",
        f"Ngày lập: {TODAY:%d/%m/%Y}",
    ]
    data = _data(rows)
    assert list(data[0]) == HEADER
    assert [(d["Ngày tiếp cận"].date(), d["Họ và tên"]) for d in data] == [
        (datetime.date(2024, 2, 1), "Đinh Thị Cũ"),
        (datetime.date(2024, 3, 5), "Hoàng Văn Tiếp"),
        (datetime.date(2024, 6, 1), "Hoàng Văn Tiếp"),
    ]
    visit, test = data[1], data[2]
    assert (visit["Năm sinh"], visit["Mã hồ sơ"]) == (1987, log["lan"].pk)
    assert visit["Hẹn lần tới"].date() == datetime.date(2024, 4, 5)
    assert (visit["Thành viên thực hiện"], visit["Nội dung"], visit["Nội dung tư vấn"]) == (
        "Trần Thị Lan",
        "Trao đổi về học nghề",
        "Hướng nghiệp",
    )
    assert (test["Hình thức"], test["Kết quả xét nghiệm"]) == ("Phối hợp xét nghiệm", "Âm tính")
    assert test["Nội dung tư vấn"] is None
    assert test["Hẹn lần tới"] is None
    assert data[0]["Xã, phường"] == "Phường A Cũ"


def test_the_range_defaults_to_the_current_year(world, personas):
    person = f.person(ward=world.ward_a, registered_on=datetime.date(TODAY.year - 1, 1, 1))
    f.contact(person=person, occurred_on=TODAY, summary="Năm nay")
    f.contact(person=person, occurred_on=datetime.date(TODAY.year - 1, 12, 31), summary="Năm trước")
    response = personas["leader"].get(EXPORT, {"dinh_dang": "csv"})
    assert f"-{TODAY.year}0101-{TODAY.year}1231.csv" in response["Content-Disposition"]
    assert [row[8] for row in _csv(response)[1:]] == ["Năm nay"]
    # the bare address (no query string at all) is this year's XLSX
    response = personas["leader"].get(EXPORT)
    assert [d["Nội dung"] for d in _data(_sheet(response))] == ["Năm nay"]


def test_text_that_a_spreadsheet_would_run_is_neutralised_in_both_formats(world, personas):
    person = f.person(ward=world.ward_a, full_name=FORMULA)
    member = f.member(team=world.team_a, full_name="@SUM(A1)")
    f.contact(
        person=person,
        member=member,
        occurred_on=datetime.date(2024, 3, 1),
        summary="+1-2 cmd|' /C calc'!A0",
    )
    f.contact(person=person, occurred_on=datetime.date(2024, 3, 2), summary="-5 đồng")
    rows = _csv(personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "csv"}))
    assert rows[1][1] == f"'{FORMULA}"
    assert rows[1][6] == "'@SUM(A1)"
    assert rows[1][8] == "'+1-2 cmd|' /C calc'!A0"
    assert rows[2][8] == "'-5 đồng"
    data = _data(_sheet(personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})))
    assert data[0]["Họ và tên"] == f"'{FORMULA}"
    assert (data[0]["Thành viên thực hiện"], data[1]["Nội dung"]) == ("'@SUM(A1)", "'-5 đồng")


def test_the_csv_is_sent_in_chunks_with_the_bom_only_at_the_start(world):
    person = f.person(ward=world.ward_a)
    for day in range(1, 6):
        f.contact(person=person, occurred_on=datetime.date(2024, 1, day))
    exporter = ContactLogExporter(
        contacts=Contact.objects.visible_to(world.leader),
        ward=world.ward_a,
        unit_ids=frozenset({world.ward_a.pk}),
        start=START,
        end=END,
        today=TODAY,
    )
    chunks = list(exports.csv_chunks(exporter, chunk_rows=2))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbf") and not any(b"\xef\xbb" in c for c in chunks[1:])
    assert sum(chunk.count(b"\r\n") for chunk in chunks) == 6


# Scope and roles ------------------------------------------------------------------------------


def test_another_wards_leader_gets_only_their_own_log_and_404_for_ward_a(world, personas, log):
    client = personas["outsider"]
    rows = _csv(client.get(EXPORT, {**RANGE, "dinh_dang": "csv"}))
    assert [row[1] for row in rows[1:]] == ["Người Phường B"]
    assert client.get(EXPORT, {**RANGE, "xa": world.ward_a.code}).status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORT, object_type="cases.contact_log", unit=world.ward_a
    ).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("volunteer", 404), ("supervisor", 404), ("admin", 404), ("officer", 200), ("leader", 200)],
)
def test_only_the_wards_leaders_and_officers_may_download_it(world, personas, log, persona, status):
    response = personas[persona].get(EXPORT, {**RANGE, "dinh_dang": "csv"})
    assert response.status_code == status
    if status == 200:
        assert len(_csv(response)) == 4


def test_anonymous_visitors_are_sent_to_the_login_page(client, world):
    response = client.get(EXPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_officer_of_two_wards_picks_one_and_the_form_says_which(world, log):
    f.post(user=world.officer, unit=world.ward_b, role=Post.Role.OFFICER)
    client = login(world.officer)
    html = client.get(DASHBOARD, {"xa": world.ward_b.code}).content.decode()
    assert f'<input type="hidden" name="xa" value="{world.ward_b.code}">' in html
    rows = _csv(client.get(EXPORT, {**RANGE, "dinh_dang": "csv", "xa": world.ward_b.code}))
    assert [row[1] for row in rows[1:]] == ["Người Phường B"]


# Audit ----------------------------------------------------------------------------------------


def test_every_download_is_audited_with_counts_and_days_never_a_name(world, personas, log):
    _body(personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "csv"}))
    _body(personas["officer"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"}))
    events = AuditEvent.objects.filter(object_type="cases.contact_log").order_by("pk")
    assert [(e.action, e.actor, e.unit_id) for e in events] == [
        (AuditEvent.Action.EXPORT, world.leader, world.ward_a.pk),
        (AuditEvent.Action.EXPORT, world.officer, world.ward_a.pk),
    ]
    assert [e.changes for e in events] == [
        {"format": "csv", "start": "2024-01-01", "end": "2024-12-31", "count": 3},
        {"format": "xlsx", "start": "2024-01-01", "end": "2024-12-31", "count": 3},
    ]
    assert all(e.object_id == "" for e in events)


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"tu_ngay": "31/02/2024"}, "Nhập một ngày hợp lệ."),
        ({"den_ngay": "hôm qua"}, "Nhập một ngày hợp lệ."),
        (
            {"tu_ngay": "01/06/2024", "den_ngay": "31/05/2024"},
            "Ngày kết thúc không được trước ngày bắt đầu.",
        ),
        (
            {"tu_ngay": "01/01/2010", "den_ngay": "01/01/2025"},
            "Chọn khoảng thời gian không quá 15 năm",
        ),
        ({"tu_ngay": "01/01/1999"}, "Chọn một ngày từ năm 2000 đến năm 2100."),
        ({"den_ngay": "9999-12-31"}, "Chọn một ngày từ năm 2000 đến năm 2100."),
        ({"dinh_dang": "pdf"}, "Hãy chọn định dạng của tệp: Excel (XLSX) hoặc CSV."),
    ],
)
def test_bad_input_shows_the_dashboard_again_with_the_reason_and_what_was_typed(
    world, personas, log, query, message
):
    response = personas["leader"].get(EXPORT, query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Chưa tải được sổ tiếp xúc." in html
    assert 'href="#so-tiep-xuc"' in html
    for name in ("tu_ngay", "den_ngay"):
        if name in query:
            assert f'name="{name}" value="{query[name]}"' in html
    assert "Hoàng Văn Tiếp" not in html
    assert not AuditEvent.objects.filter(object_type="cases.contact_log").exists()


def test_a_15_year_range_is_allowed(world, personas, log):
    response = personas["leader"].get(
        EXPORT, {"tu_ngay": "01/01/2012", "den_ngay": "31/12/2026", "dinh_dang": "csv"}
    )
    assert len(_csv(response)) == 5  # the header, 2023's contact and 2024's three


def test_more_rows_than_an_excel_sheet_holds_asks_for_a_shorter_range_or_the_csv(
    world, personas, log, monkeypatch
):
    # Title, four lines, a blank row and the header take 7 rows: room for one contact.
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 8)
    response = personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})
    assert response.status_code == 400
    assert "có 3 lượt tiếp cận, nhiều hơn 1 dòng" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="cases.contact_log").exists()
    assert len(_csv(personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "csv"}))) == 4
    response = personas["leader"].get(EXPORT, {"tu_ngay": "01/03/2024", "den_ngay": "31/03/2024"})
    assert len(_data(_sheet(response))) == 1


def test_an_xlsx_holds_no_more_rows_than_one_download_may(world, personas, log, monkeypatch):
    """A file written before it is sent must be done inside the worker's timeout: past
    XLSX_DOWNLOAD_ROWS the leader is sent to a shorter range or the CSV, which streams."""
    monkeypatch.setattr(exports, "XLSX_DOWNLOAD_ROWS", 2)
    response = personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})
    assert response.status_code == 400
    assert "có 3 lượt tiếp cận, nhiều hơn 2 dòng một tệp Excel" in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="cases.contact_log").exists()
    assert len(_csv(personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "csv"}))) == 4


# The dashboard --------------------------------------------------------------------------------


def test_the_dashboard_offers_the_download_for_this_year(world, personas):
    html = personas["leader"].get(DASHBOARD).content.decode()
    assert f'action="{EXPORT}"' in html
    assert f'name="tu_ngay" value="{TODAY.year}-01-01"' in html
    assert f'name="den_ngay" value="{TODAY.year}-12-31"' in html
    assert 'name="dinh_dang" value="xlsx"' in html and 'name="dinh_dang" value="csv"' in html
    assert "Chưa tải được" not in html


# Files ----------------------------------------------------------------------------------------


@pytest.fixture
def private_dirs(monkeypatch):
    """The directories the XLSX writer makes, with their mode when made."""
    made: list[tuple[str, int]] = []
    real = tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        path = real(*args, **kwargs)
        made.append((path, stat.S_IMODE(os.stat(path).st_mode)))
        return path

    monkeypatch.setattr(exports.tempfile, "mkdtemp", mkdtemp)
    return made


def test_the_xlsx_is_written_in_a_private_directory_that_is_gone_before_it_is_sent(
    world, personas, log, private_dirs
):
    response = personas["leader"].get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})
    assert len(private_dirs) == 1
    path, mode = private_dirs[0]
    assert mode == 0o700
    assert not os.path.exists(path)
    assert len(_data(_sheet(response))) == 3
    assert not os.path.exists(path)


def test_a_failure_while_writing_the_xlsx_leaves_nothing_on_disk(world, private_dirs):
    class Failing(exports.ListExporter):
        def columns(self):
            return [exports.Column("A")]

        def rows(self):
            yield ["một"]
            raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        exports.xlsx_file(Failing())
    assert [os.path.exists(path) for path, _mode in private_dirs] == [False]


# Query budget ---------------------------------------------------------------------------------


def _queries(client, query) -> int:
    with CaptureQueriesContext(connection) as ctx:
        _body(client.get(EXPORT, query))
    return len(ctx)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_download_costs_the_same_queries_for_1_row_and_50(world, fmt):
    client = login(world.leader)
    query = {**RANGE, "dinh_dang": fmt}
    people = [f.person(ward=world.ward_a, full_name=f"Người {i}") for i in range(10)]
    f.contact(person=people[0], member=world.volunteer_member, occurred_on=START)
    _queries(client, query)  # warm: per-process caches are not rows
    one = _queries(client, query)
    for i in range(1, 50):
        contact = f.contact(
            person=people[i % 10],
            member=world.volunteer_member if i % 2 else None,
            ward=world.ward_a_old if i % 3 else world.ward_a,
            occurred_on=START + datetime.timedelta(days=i),
        )
        ContactTopic.objects.bulk_create(  # the topics come in the rows' own query
            ContactTopic(contact=contact, topic=topic) for topic in Contact.Topic.values[: i % 4]
        )
    assert _queries(client, query) == one
    # the session and user, the access function, the count, the audit insert and the rows
    assert one <= 12
