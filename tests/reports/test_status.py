"""The status board: who is expected to report (a commune with a team on the period's last
day, or one merged into it), each expected commune's state from its latest version and
review, the counts, a province's communes grouped by former district, and only the periods
offices file."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.choice import Choice
from reports.models import Review, Submission
from reports.periods import parse
from reports.views.status import (
    APPROVED,
    LATE,
    ON_TIME,
    OVERDUE,
    PENDING,
    RETURNED,
    UNUSED,
    status_board,
)
from tests import factories as f
from tests.conftest import login
from wards.models import Post

D = datetime.date
TODAY = timezone.localdate()
Q2 = parse("2024-Q2")
Q3_2025 = parse("2025-Q3")
STATUS = reverse("reports:submission_status")
MERGER = D(2025, 7, 1)


def url(unit, period=Q2) -> str:
    return f"{STATUS}?{Choice(unit, period).query()}"


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 10))


def stored(unit, period, by, day: datetime.date, version: int = 1) -> Submission:
    return f.submission(unit=unit, period=period, by=by, version=version, submitted_at=at(day))


def review(submission, by, decision, reason="") -> Review:
    return Review.objects.create(
        submission=submission, decision=decision, reason=reason, reviewed_by=by
    )


def states(board) -> dict[str, str]:
    return {row.unit.name: row.state for row in board.rows}


# Who is expected ----------------------------------------------------------------------------


def test_only_communes_with_a_team_on_the_last_day_are_expected(world):
    no_team = f.unit(parent=world.district_a, name="Phường Không Đội")
    dissolved = f.unit(parent=world.district_a, name="Phường Giải Thể")
    f.team(ward=dissolved, dissolved_on=D(2024, 6, 29))  # the day before the period's end
    late_team = f.unit(parent=world.district_a, name="Phường Lập Muộn")
    f.team(ward=late_team, established_on=D(2024, 7, 1))  # the day after
    last_day = f.unit(parent=world.district_a, name="Phường Giải Thể Cuối Kỳ")
    f.team(ward=last_day, dissolved_on=D(2024, 6, 30))  # its last day is the period's
    board = status_board(world.district_a, Q2, TODAY)
    assert states(board) == {
        "Phường A": OVERDUE,
        "Phường A Cũ": OVERDUE,
        "Phường Giải Thể Cuối Kỳ": OVERDUE,
        "Phường Không Đội": UNUSED,
        "Phường Giải Thể": UNUSED,
        "Phường Lập Muộn": UNUSED,
    }
    assert (board.counts.expected, board.counts.overdue, board.counts.unused) == (3, 3, 3)
    assert [r.unit for r in board.groups[0].unused] == [dissolved, no_team, late_team]  # G, K, L
    assert no_team not in [r.unit for r in board.groups[0].rows]


def test_a_commune_without_a_team_that_submitted_is_expected(world):
    quiet = f.unit(parent=world.district_a, name="Phường Tự Nộp")
    stored(quiet, Q2, world.officer, D(2024, 7, 2))
    board = status_board(world.district_a, Q2, TODAY)
    assert states(board)["Phường Tự Nộp"] == ON_TIME
    assert board.counts.expected == 3


@pytest.fixture
def merged(world):
    """A province after July 2025: communes formed by the merger from wards of two former
    districts. Xã Bắc (from two wards of Huyện Đông and one of Quận Tây) has no team of its
    own, but the team of one of its former wards still holds; Phường Nam has a team; Xã Cầu's
    former ward's team was dissolved at the merger; Xã Mới has no former ward."""
    p = f.unit(code="88", level="province", name="Tỉnh Sáp Nhập")
    east = f.unit(level="district", parent=p, name="Huyện Đông", valid_until=D(2025, 6, 30))
    west = f.unit(level="district", parent=p, name="Quận Tây", valid_until=D(2025, 6, 30))
    north = f.unit(parent=p, name="Xã Bắc", valid_from=MERGER)
    south = f.unit(parent=p, name="Phường Nam", valid_from=MERGER)
    bridge = f.unit(parent=p, name="Xã Cầu", valid_from=MERGER)
    f.unit(parent=p, name="Xã Mới", valid_from=MERGER)
    old = {}
    for name, district, successor in [
        ("Xã Đông 1", east, north),
        ("Xã Đông 2", east, north),
        ("Phường Tây 1", west, north),
        ("Phường Tây 2", west, south),
        ("Phường Tây 3", west, bridge),
    ]:
        old[name] = f.unit(
            parent=district, name=name, valid_until=D(2025, 6, 30), successor=successor
        )
    f.team(ward=old["Xã Đông 1"])  # never dissolved: it carries on for Xã Bắc
    f.team(ward=old["Phường Tây 3"], dissolved_on=D(2025, 6, 30))
    f.team(ward=south, established_on=MERGER)
    watcher = f.user("giamsat_tinh88")
    f.post(user=watcher, unit=p, role=Post.Role.SUPERVISOR)
    return p, watcher, {"east": east, "west": west, "north": north, "south": south}


def test_a_former_wards_team_makes_its_commune_expected(merged):
    province, _watcher, _units = merged
    board = status_board(province, Q3_2025, TODAY)
    assert states(board) == {
        "Xã Bắc": OVERDUE,
        "Phường Nam": OVERDUE,
        "Xã Cầu": UNUSED,
        "Xã Mới": UNUSED,
    }
    assert (board.counts.expected, board.counts.unused) == (2, 2)


def test_a_provinces_communes_are_grouped_by_former_district(merged):
    province, watcher, units = merged
    page = login(watcher).get(url(province, Q3_2025))
    assert page.status_code == 200
    board = page.context["board"]
    assert board.grouped
    groups = [
        (g.district, [r.unit.name for r in g.rows], [r.unit.name for r in g.unused])
        for g in board.groups
    ]
    # Xã Bắc: two wards of Huyện Đông, one of Quận Tây; Vietnamese order: Đông before Quận
    assert groups == [
        (units["east"], ["Xã Bắc"], []),
        (units["west"], ["Phường Nam"], ["Xã Cầu"]),
        (None, [], ["Xã Mới"]),
    ]
    assert [(g.counts.expected, g.counts.unused) for g in board.groups] == [
        (1, 0),
        (1, 1),
        (0, 1),
    ]
    text = page.content.decode()
    assert "Huyện Đông (cũ)" in text
    assert text.index("Huyện Đông (cũ)") < text.index("Quận Tây (cũ)")
    assert "Phải nộp 2 · Đã nộp 0 (đúng hạn 0, muộn 0)" in text
    assert "Chưa sử dụng 2" in text
    assert "<details" in text  # the communes not using the app are folded away


@pytest.mark.parametrize("period", [Q2, Q3_2025])
def test_a_districts_wards_are_not_grouped(world, period):
    # after the merger ward A's predecessor lay in district A: still no «Quận A (cũ)» group
    board = status_board(world.district_a, period, TODAY)
    assert not board.grouped
    assert [g.district for g in board.groups] == [None]


# Each state ---------------------------------------------------------------------------------


def test_each_state_from_the_latest_version_and_its_review(world, settings):
    settings.REPORT_DUE_DAYS = 5  # due 5 July 2024
    units = {n: f.unit(parent=world.district_a, name=f"Phường {n}") for n in "CDEFG"}
    for ward in units.values():
        f.team(ward=ward)
    by = world.officer
    stored(world.ward_a, Q2, by, D(2024, 7, 2))  # on time, not reviewed
    stored(units["C"], Q2, by, D(2024, 7, 20))  # late
    review(stored(units["D"], Q2, by, D(2024, 7, 3)), world.supervisor, "approved")
    review(stored(units["E"], Q2, by, D(2024, 7, 3)), world.supervisor, "returned", "Thiếu số")
    # returned, then corrected after the due date: it keeps its first filing day
    review(stored(units["F"], Q2, by, D(2024, 7, 4)), world.supervisor, "returned", "Sai")
    stored(units["F"], Q2, by, D(2024, 8, 1), version=2)
    # G: nothing; A Cũ: nothing
    board = status_board(world.district_a, Q2, TODAY)
    assert states(board) == {
        "Phường A": ON_TIME,
        "Phường A Cũ": OVERDUE,
        "Phường C": LATE,
        "Phường D": APPROVED,
        "Phường E": RETURNED,
        "Phường F": ON_TIME,
        "Phường G": OVERDUE,
    }
    rows = {row.unit.name: row for row in board.rows}
    assert rows["Phường F"].submission.version == 2
    assert rows["Phường E"].review.reason == "Thiếu số"
    c = board.counts
    assert (c.expected, c.submitted, c.on_time, c.late) == (7, 5, 4, 1)
    assert (c.approved, c.returned, c.missing, c.overdue, c.pending) == (1, 1, 2, 2, 0)
    assert board.names[OVERDUE] == ["Phường A Cũ", "Phường G"]
    assert board.names[RETURNED] == ["Phường E"]

    page = login(world.supervisor).get(url(world.district_a))
    text = page.content.decode()
    expected_line = (
        "Phải nộp 7 · Đã nộp 5 (đúng hạn 4, muộn 1) · Đã duyệt 1 · Trả lại 1 · "
        "Chưa nộp 2 (quá hạn 2)</span> · Chưa sử dụng 0"
    )
    assert expected_line in text.replace('<span class="text-danger-emphasis fw-semibold">', "")
    for label in ("Đã duyệt", "Trả lại", "Đã nộp đúng hạn", "Nộp muộn", "Quá hạn"):
        assert label in text
    assert "Lý do trả lại: Thiếu số" in text
    assert "nộp lần 2" in text
    assert "Lê Văn Hùng" not in text  # nobody from ward A's team submitted
    assert f"nộp ngày 20/07/2024 · {by.get_username()}" in text  # the officer who did
    assert Submission.objects.get(unit=units["C"]).get_absolute_url() in text


def test_before_the_due_date_a_missing_report_is_pending(world, settings):
    settings.REPORT_DUE_DAYS = (TODAY - Q2.end).days  # due today
    board = status_board(world.district_a, Q2, TODAY)
    assert set(states(board).values()) == {PENDING}
    assert (board.counts.pending, board.counts.overdue) == (2, 0)
    page = login(world.supervisor).get(url(world.district_a))
    assert "Chưa nộp 2 · Chưa sử dụng 0" in page.content.decode()


def test_a_province_before_the_merger_counts_the_expected_wards_of_each_district(world):
    f.unit(parent=world.district_b, name="Phường Chưa Dùng")
    stored(world.ward_a, Q2, world.leader, D(2024, 7, 1))
    stored(world.ward_b, Q2, world.outsider, D(2024, 7, 1))
    empty = f.unit(level="district", parent=world.province, name="Huyện Trống")
    f.unit(parent=empty, name="Xã Trống")
    page = login(world.admin).get(url(world.province))
    board = page.context["board"]
    rows = {row.unit.name: row for row in board.rows}
    assert set(rows) == {"Quận A", "Quận B", "Huyện Trống"}
    assert (rows["Quận A"].wards.submitted, rows["Quận A"].wards.expected) == (1, 2)
    assert (rows["Quận B"].wards.expected, rows["Quận B"].wards.unused) == (1, 1)
    assert [r.unit.name for r in board.groups[0].unused] == ["Huyện Trống"]
    assert (board.counts.expected, board.counts.submitted, board.counts.unused) == (3, 2, 2)
    assert sorted(board.names[UNUSED]) == ["Phường Chưa Dùng", "Xã Trống"]
    assert f"don-vi={world.district_a.code}" in rows["Quận A"].url
    assert rows["Quận A"].url in page.content.decode().replace("&amp;", "&")


# Only the periods offices file --------------------------------------------------------------


@pytest.mark.parametrize("spec", ["2012..2022", "2024-01-15..2024-06-14"])
def test_a_review_or_a_range_of_dates_is_refused_with_a_link(world, personas, spec):
    page = personas["supervisor"].get(url(world.district_a, parse(spec)))
    assert page.status_code == 400
    text = page.content.decode()
    assert "Tình hình nộp chỉ theo dõi cho kỳ tháng, quý, 6 tháng và năm." in text
    assert "board" not in page.context
    q = (TODAY.month - 1) // 3 + 1
    latest = f"{TODAY.year - 1}-Q4" if q == 1 else f"{TODAY.year}-Q{q - 1}"
    assert f"ky={latest}" in page.context["instead_url"]
    assert page.context["instead_url"] in text.replace("&amp;", "&")


@pytest.mark.parametrize("spec", ["2024-05", "2024-Q2", "2024-H1", "2024"])
def test_months_quarters_halves_and_years_are_followed(world, personas, spec):
    page = personas["supervisor"].get(url(world.district_a, parse(spec)))
    assert page.status_code == 200
    assert page.context["board"].counts.expected == 2


# Queries ------------------------------------------------------------------------------------


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_the_grouped_board_takes_the_same_queries_for_few_and_many_communes(merged, world):
    province, watcher, units = merged
    address = url(province, Q3_2025)
    client = login(watcher)
    _queries(client, address)
    few = _queries(client, address)
    for i in range(30):
        commune = f.unit(parent=province, name=f"Xã Số {i}", valid_from=MERGER)
        district = units["east"] if i % 2 else units["west"]
        ward = f.unit(
            parent=district, name=f"Xã Cũ {i}", valid_until=D(2025, 6, 30), successor=commune
        )
        if i % 3:
            f.team(ward=ward if i % 2 else commune)
        if i % 4 == 1:
            s = stored(commune, Q3_2025, world.officer, D(2025, 10, 2))
            if i % 8 == 1:
                review(s, world.supervisor, "returned", "Thiếu")
    board = client.get(address).context["board"]
    assert len(board.rows) == 34
    assert _queries(client, address) == few
    assert few <= 20
