"""The loan-eligibility list (QĐ 08/2026/QĐ-TTg): the rule at its edges, the page, the export."""

from __future__ import annotations

import datetime
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from cases.services import add_months
from outreach.eligibility import loan_eligible
from outreach.exports import neutralise
from outreach.models import Referral
from tests import factories as f
from tests.conftest import login
from wards.models import AdminUnit, AuditEvent

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
LIST = reverse("outreach:eligibility_list")
EXPORT = reverse("outreach:eligibility_export")
RECENTLY = add_months(TODAY, -30)  # a decision two and a half years ago


def _post_rehab(ward, *, decided_on=RECENTLY, started_on=None, programme="post_rehab_12", **fields):
    """A person of `ward` with one post-rehab enrolment decided on `decided_on`."""
    end = {k: fields.pop(k) for k in ("ended_on", "end_reason") if k in fields}
    decision_no = fields.pop("decision_no", "15/QĐ-UBND")
    fields.setdefault("group", Person.Group.POST_REHAB)
    fields.setdefault("registered_on", datetime.date(2015, 1, 5))
    person = f.person(ward=ward, **fields)
    f.enrollment(
        person=person,
        programme=f.programme(programme),
        started_on=started_on or decided_on or RECENTLY,
        decision_on=decided_on,
        decision_no=decision_no,
        **end,
    )
    return person


def _eligible(world, today=TODAY):
    """The list as the ward A leader's page reads it."""
    persons = Person.objects.editable_by(world.leader).filter(
        ward__in=AdminUnit.objects.scope(world.ward_a)
    )
    return loan_eligible(persons, today)


def _names(world, today=TODAY) -> set[str]:
    return {row.full_name for row in _eligible(world, today)}


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return list(book.active.iter_rows(values_only=True))


# The rule -----------------------------------------------------------------------------------


def test_a_decision_exactly_ten_years_ago_today_is_eligible_and_one_day_more_is_not(world):
    ten_years = add_months(TODAY, -120)
    _post_rehab(world.ward_a, full_name="Mười Năm Tròn", decided_on=ten_years)
    _post_rehab(world.ward_a, full_name="Quá Một Ngày", decided_on=ten_years - DAY)
    rows = _eligible(world)
    assert [r.full_name for r in rows] == ["Mười Năm Tròn"]
    assert rows[0].years_since_decision == 10


def test_without_a_decision_date_the_start_of_management_counts_and_the_facts_say_so(world):
    ten_years = add_months(TODAY, -120)
    _post_rehab(world.ward_a, full_name="Bắt Đầu Đúng Hạn", decided_on=None, started_on=ten_years)
    _post_rehab(
        world.ward_a, full_name="Bắt Đầu Quá Hạn", decided_on=None, started_on=ten_years - DAY
    )
    [row] = _eligible(world)
    assert row.full_name == "Bắt Đầu Đúng Hạn"
    assert (row.decided_on, row.decision_date_missing) == (ten_years, True)
    assert "Chưa ghi ngày quyết định: tính từ ngày bắt đầu quản lý" in row.notes


def test_the_latest_post_rehab_enrolment_decides(world):
    person = _post_rehab(
        world.ward_a,
        full_name="Hai Lần Quản Lý",
        decided_on=add_months(TODAY, -150),
        ended_on=add_months(TODAY, -138),
        end_reason="relapsed",
    )
    f.enrollment(
        person=person,
        programme=f.programme("post_rehab_24"),
        started_on=add_months(TODAY, -24),
        decision_on=add_months(TODAY, -24),
        decision_no="99/QĐ-UBND",
    )
    [row] = _eligible(world)
    assert (row.decision_no, row.decided_on) == ("99/QĐ-UBND", add_months(TODAY, -24))
    assert row.post_rehab_ongoing


def test_a_person_turning_twelve_today_is_eligible_and_one_turning_twelve_tomorrow_is_not(world):
    born = add_months(TODAY, -144)
    _post_rehab(world.ward_a, full_name="Tròn Mười Hai", birth_date=born)
    _post_rehab(world.ward_a, full_name="Mai Mới Đủ", birth_date=born + DAY)
    rows = _eligible(world)
    assert [(r.full_name, r.age, r.age_by_year) for r in rows] == [("Tròn Mười Hai", 12, False)]


def test_with_only_a_birth_year_the_age_counts_by_year_and_the_facts_say_so(world):
    _post_rehab(world.ward_a, full_name="Đủ Theo Năm", birth_date=None, birth_year=TODAY.year - 12)
    _post_rehab(
        world.ward_a, full_name="Thiếu Theo Năm", birth_date=None, birth_year=TODAY.year - 11
    )
    [row] = _eligible(world)
    assert (row.full_name, row.age, row.age_by_year) == ("Đủ Theo Năm", 12, True)
    assert (row.birth_date, row.birth_year) == (None, TODAY.year - 12)
    assert "Tuổi tính theo năm sinh" in row.notes


def test_a_closed_file_is_not_listed(world):
    _post_rehab(world.ward_a, full_name="Đang Theo Dõi")
    _post_rehab(
        world.ward_a,
        full_name="Đã Đóng",
        status=Person.Status.CLOSED,
        closed_on=TODAY,
        closed_reason=Person.ClosedReason.MOVED_AWAY,
    )
    assert _names(world) == {"Đang Theo Dõi"}


def test_a_person_without_post_rehab_management_is_not_listed(world):
    _post_rehab(world.ward_a, full_name="Sau Cai")
    _post_rehab(world.ward_a, full_name="Chỉ Methadone", programme="methadone")
    f.person(ward=world.ward_a, full_name="Không Tham Gia", group=Person.Group.POST_REHAB)
    assert _names(world) == {"Sau Cai"}


def test_ended_management_still_counts_and_says_when_it_ended(world):
    ended = add_months(TODAY, -6)
    _post_rehab(
        world.ward_a, decided_on=add_months(TODAY, -18), ended_on=ended, end_reason="completed"
    )
    [row] = _eligible(world)
    assert (row.post_rehab_ongoing, row.post_rehab_ended_on) == (False, ended)


def test_ward_b_people_are_never_on_ward_a_list_and_merged_ward_people_are(world, personas):
    _post_rehab(world.ward_a, full_name="Người Phường A")
    _post_rehab(world.ward_a_old, full_name="Người Phường Cũ")
    _post_rehab(world.ward_b, full_name="Người Phường B")
    assert _names(world) == {"Người Phường A", "Người Phường Cũ"}
    html = personas["leader"].get(LIST).content.decode()
    assert "Người Phường Cũ" in html and "Người Phường B" not in html
    html = personas["outsider"].get(LIST).content.decode()
    assert "Người Phường B" in html and "Người Phường A" not in html
    assert "Người Phường B" not in json.dumps(_sheet(personas["leader"].get(EXPORT)), default=str)


def test_the_settings_decide_the_age_and_the_years(world, settings, personas):
    _post_rehab(world.ward_a, full_name="Mười Lăm Tuổi", birth_date=add_months(TODAY, -15 * 12))
    _post_rehab(world.ward_a, full_name="Bảy Năm Trước", decided_on=add_months(TODAY, -7 * 12))
    assert _names(world) == {"Mười Lăm Tuổi", "Bảy Năm Trước"}
    settings.LOAN_MIN_AGE = 16
    assert _names(world) == {"Bảy Năm Trước"}
    settings.LOAN_MIN_AGE, settings.LOAN_MAX_YEARS_SINCE_DECISION = 12, 5
    assert _names(world) == {"Mười Lăm Tuổi"}
    settings.LOAN_MIN_AGE, settings.LOAN_MAX_AMOUNT = 18, 150_500_000
    html = personas["leader"].get(LIST).content.decode()
    assert "từ đủ 18 tuổi, không quá 5 năm" in html
    assert "mức vay tối đa 150,5 triệu đồng/người" in html


# The page -----------------------------------------------------------------------------------


def test_the_page_shows_each_persons_facts_and_links_to_their_file(world, personas):
    area = f.area(ward=world.ward_a, name="Tổ dân phố 7")
    person = _post_rehab(
        world.ward_a,
        full_name="Hoàng Văn Vay",
        birth_date=datetime.date(1988, 3, 9),
        id_number="001088012345",
        address="Số 5 ngõ 12",
        area=area,
        decision_no="27/QĐ-UBND",
        group=Person.Group.ADDICTED,
    )
    f.assignment(person=person, member=world.volunteer_member)
    f.referral(person=person, status=Referral.Status.APPROVED, amount=50_000_000)
    _post_rehab(world.ward_a, full_name="Chưa Ai Giúp")
    response = personas["leader"].get(LIST)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    for fact in [
        "Hoàng Văn Vay",
        "sinh 09/03/1988",
        "001088012345",
        "Số 5 ngõ 12",
        "Tổ dân phố 7",
        f"QĐ số 27/QĐ-UBND, ngày {RECENTLY:%d/%m/%Y}",
        "2 năm kể từ quyết định",
        "Đang quản lý sau cai nghiện",
        "Người nghiện ma túy",
        "Trần Thị Lan",
        "Đã được chấp thuận",
        "50.000.000 đồng",
        "Chưa giới thiệu",
        "Chưa phân công",
        "2 người đủ điều kiện",
        "Tải danh sách (Excel)",
        "từ đủ 12 tuổi, không quá 10 năm",
        "200 triệu đồng/người",
    ]:
        assert fact in html, fact
    assert reverse("cases:person_detail", args=[person.pk]) in html
    assert EXPORT in html


def test_the_officer_sees_the_list_and_an_empty_ward_says_so(world, personas):
    response = personas["officer"].get(LIST)
    assert response.status_code == 200
    assert "chưa có người nào đủ điều kiện vay vốn" in response.content.decode()


@pytest.mark.parametrize("url", [LIST, EXPORT])
def test_volunteer_supervisor_admin_and_another_wards_leader_get_404(world, personas, url):
    _post_rehab(world.ward_a, full_name="Người Phường A")
    for persona in ["volunteer", "supervisor", "admin"]:
        assert personas[persona].get(url).status_code == 404, persona
    assert personas["outsider"].get(f"{url}?xa={world.ward_a.code}").status_code == 404
    assert personas["leader"].get(f"{url}?xa={world.ward_b.code}").status_code == 404
    response = personas["anonymous"].get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_the_page_query_count_is_the_same_for_1_and_50_eligible_persons(
    world, django_assert_num_queries
):
    client = login(world.leader)
    area = f.area(ward=world.ward_a)

    def add(i):
        person = _post_rehab(world.ward_a, area=area)
        f.assignment(person=person, member=world.volunteer_member)
        f.referral(person=person)
        if i % 2:
            f.referral(person=person, referred_on=datetime.date(2025, 5, 1), amount=10_000_000)

    add(0)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    baseline = len(ctx)
    for i in range(1, 50):
        add(i)
    with django_assert_num_queries(baseline):
        response = client.get(LIST)
    assert len(response.context["rows"]) == 50


# The export ---------------------------------------------------------------------------------


def test_the_export_is_a_workbook_with_the_title_the_header_and_one_row_per_person(world, personas):
    area = f.area(ward=world.ward_a, name="Tổ dân phố 3")
    person = _post_rehab(
        world.ward_a,
        full_name="Hoàng Văn Vay",
        birth_date=datetime.date(1988, 3, 9),
        sex=Person.Sex.MALE,
        id_number="001088012345",
        address="Số 5 ngõ 12",
        area=area,
        decision_no="27/QĐ-UBND",
    )
    f.assignment(person=person, member=world.volunteer_member)
    f.referral(person=person, referred_on=datetime.date(2026, 5, 4), amount=80_000_000)
    _post_rehab(world.ward_a, full_name="Bùi Thị Năm", birth_date=None, birth_year=1995)
    f.person(ward=world.ward_a, full_name="Không Đủ Điều Kiện")

    response = personas["leader"].get(EXPORT)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == (
        f'attachment; filename="vay-von-{world.ward_a.code}-{TODAY:%Y%m%d}.xlsx"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = _sheet(response)
    assert rows[0][0] == "DANH SÁCH NGƯỜI SAU CAI NGHIỆN ĐỦ ĐIỀU KIỆN VAY VỐN"
    preamble = [row[0] for row in rows[1:5]]
    assert preamble[:2] == ["theo Quyết định 08/2026/QĐ-TTg", "Phường A"]
    assert f"Ngày lập: {TODAY:%d/%m/%Y}" in preamble
    header = rows[6]
    assert header[:5] == ("STT", "Họ và tên", "Ngày sinh", "Năm sinh", "Tuổi")
    data = [dict(zip(header, row, strict=True)) for row in rows[7:]]
    assert [d["Họ và tên"] for d in data] == ["Bùi Thị Năm", "Hoàng Văn Vay"]
    by_year, vay = data
    assert (by_year["Ngày sinh"], by_year["Năm sinh"]) == (None, 1995)
    assert by_year["Tuổi"] == TODAY.year - 1995
    assert "Tuổi tính theo năm sinh" in by_year["Ghi chú"]
    assert by_year["Giới thiệu vay vốn"] is None
    assert vay["Ngày sinh"].date() == datetime.date(1988, 3, 9)
    assert vay["Giới tính"] == "Nam"
    assert vay["Số định danh, CCCD"] == "001088012345"
    assert (vay["Nơi ở"], vay["Địa bàn dân cư"]) == ("Số 5 ngõ 12", "Tổ dân phố 3")
    assert vay["Số quyết định quản lý sau cai nghiện"] == "27/QĐ-UBND"
    assert vay["Ngày quyết định"].date() == RECENTLY
    assert vay["Số năm kể từ quyết định"] == 2
    assert vay["Quản lý sau cai nghiện"] == "Đang quản lý"
    assert vay["Người giúp đỡ"] == "Trần Thị Lan"
    assert vay["Giới thiệu vay vốn"] == "Đã giới thiệu"
    assert vay["Ngày giới thiệu vay"].date() == datetime.date(2026, 5, 4)
    assert vay["Số tiền đề nghị vay (đồng)"] == 80_000_000


def test_the_export_formats_dates_and_bolds_the_header(world, personas):
    _post_rehab(world.ward_a, birth_date=datetime.date(1990, 1, 2))
    book = openpyxl.load_workbook(io.BytesIO(personas["leader"].get(EXPORT).content))
    sheet = book.active
    assert sheet["A1"].font.b and sheet["A7"].font.b
    assert sheet["C8"].number_format == "dd/mm/yyyy"
    assert sheet["C8"].is_date
    assert sheet.freeze_panes == "A8"


def test_a_formula_in_a_name_is_written_as_text(world, personas):
    _post_rehab(world.ward_a, full_name='=HYPERLINK("http://x.invalid","Bấm")', address="+84 1")
    rows = _sheet(personas["leader"].get(EXPORT))
    assert rows[7][1] == '\'=HYPERLINK("http://x.invalid","Bấm")'
    assert rows[7][7] == "'+84 1"


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_anything_that_starts_like_a_formula(text):
    assert neutralise(text) == f"'{text}"


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Nguyễn Văn A - tổ 5") == "Nguyễn Văn A - tổ 5"
    assert neutralise("") == ""


def test_the_export_writes_one_audit_event_with_the_ward_and_the_count_and_no_name(world, personas):
    _post_rehab(world.ward_a, full_name="Tên Không Được Ghi", id_number="001099000111")
    _post_rehab(world.ward_a_old, full_name="Người Phường Cũ")
    personas["leader"].get(LIST)
    before = AuditEvent.objects.count()
    personas["leader"].get(EXPORT)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor, event.unit) == (world.leader, world.ward_a)
    assert event.changes["count"] == 2
    written = json.dumps(event.changes, ensure_ascii=False) + event.object_type + event.object_id
    for secret in ["Tên Không Được Ghi", "Người Phường Cũ", "001099000111"]:
        assert secret not in written


def test_the_page_writes_one_view_event_with_the_ward_and_the_persons_ids_and_no_name(
    world, personas
):
    shown = _post_rehab(world.ward_a, full_name="Tên Không Được Ghi", id_number="001099000111")
    merged = _post_rehab(world.ward_a_old, full_name="Người Phường Cũ")
    _post_rehab(world.ward_b, full_name="Người Phường B")

    assert personas["leader"].get(LIST).status_code == 200

    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.actor, event.unit, event.object_type) == (
        world.leader,
        world.ward_a,
        "outreach.loan_eligibility",
    )
    assert event.changes["count"] == 2
    assert sorted(event.changes["persons"]) == sorted([shown.pk, merged.pk])
    written = json.dumps(event.changes, ensure_ascii=False) + event.object_type + event.object_id
    for secret in ["Tên Không Được Ghi", "Người Phường Cũ", "001099000111"]:
        assert secret not in written
    personas["leader"].get(EXPORT)
    export = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert sorted(export.changes["persons"]) == sorted([shown.pk, merged.pk])
