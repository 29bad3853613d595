"""The home page: a supervisor's cards for the period offices file (counts, the units to chase,
headline figures, links), a leader's or officer's returned reports and the report to file; the
team cards as before. Supervisors never see a supervised person's name there."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.choice import Choice, default_period
from reports.document import lower_first
from reports.home import Headline
from reports.indicators import FIXED
from reports.models import Review, Submission
from reports.periods import parse
from tests import factories as f
from tests.conftest import login

TODAY = timezone.localdate()
PERIOD = parse(default_period(TODAY))  # the latest ended quarter
HOME = reverse("home")


def stored(unit, by, day: datetime.date, period=PERIOD, version: int = 1) -> Submission:
    at = timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 9))
    return f.submission(unit=unit, period=period, by=by, version=version, submitted_at=at)


def returned(submission, by, reason="Thiếu số liệu tư vấn") -> Review:
    return Review.objects.create(
        submission=submission, decision="returned", reason=reason, reviewed_by=by
    )


def days_after_end(n: int) -> datetime.date:
    return PERIOD.end + datetime.timedelta(days=n)


@pytest.fixture
def district(world, settings):
    """District A for the latest ended quarter, due 5 days after it: ward A (a team) returned,
    Phường Muộn submitted late, Phường Chậm nothing, Phường Trống no team (not using the app)."""
    settings.REPORT_DUE_DAYS = 5
    late = f.unit(parent=world.district_a, name="Phường Muộn")
    f.team(ward=late)
    slow = f.unit(parent=world.district_a, name="Phường Chậm")
    f.team(ward=slow)
    f.unit(parent=world.district_a, name="Phường Trống")
    returned(stored(world.ward_a, world.leader, days_after_end(1)), world.supervisor)
    stored(late, world.officer, days_after_end(9))
    return world


def test_a_supervisors_home_shows_the_period_counts_and_the_units_to_chase(district):
    page = login(district.supervisor).get(HOME)
    assert page.status_code == 200
    text = page.content.decode()
    (card,) = page.context["supervised"]
    assert card.period == PERIOD and not card.filing
    assert f"Nộp báo cáo {lower_first(PERIOD.label_vi)}" in text
    assert "đã hết hạn nộp" in text
    assert "Phải nộp 3 · Đã nộp 2 (đúng hạn 1, muộn 1) · Đã duyệt 0 · Trả lại 1" in text
    assert "Chưa sử dụng 1" in text
    assert (card.overdue, card.late, card.returned) == (
        ["Phường Chậm"],
        ["Phường Muộn"],
        ["Phường A"],
    )
    query = Choice(district.district_a, PERIOD).query().replace("&", "&amp;")
    assert f'href="{reverse("reports:submission_status")}?{query}"' in text
    assert f'href="{reverse("reports:report")}?{query}"' in text
    assert "Xem tổng hợp các Đội" in text  # the team overview card stays


def test_a_supervisors_home_while_offices_are_filing(district, settings):
    settings.REPORT_DUE_DAYS = (TODAY - PERIOD.end).days + 1  # due tomorrow
    page = login(district.supervisor).get(HOME)
    (card,) = page.context["supervised"]
    assert card.filing and card.overdue == []
    assert "đang trong thời hạn nộp" in page.content.decode()


def test_the_headline_figures_compare_with_the_same_period_a_year_before(world):
    before = parse(PERIOD.previous().spec)
    people = [f.person(ward=world.ward_a, full_name=f"Ngô Văn Riêng Tư {i}") for i in range(3)]
    for p in people:  # three persons met this period, one a year before
        f.contact(person=p, member=world.volunteer_member, occurred_on=PERIOD.end)
    f.contact(person=people[0], member=world.volunteer_member, occurred_on=before.end)
    page = login(world.supervisor).get(HOME)
    (card,) = page.context["supervised"]
    figures = {h.indicator.code: h for h in card.headlines}
    reached = figures["casework.persons_reached"]
    assert (reached.value, reached.previous, reached.change, reached.arrow) == (3, 1, 2, "▲")
    assert reached.verdict == "good"  # more people reached is better
    assert figures["outreach.sessions"].arrow == ""
    assert len(card.headlines) == 5
    text = page.content.decode()
    assert "Số người được tiếp cận, giúp đỡ" in text and "▲" in text
    assert "▲&nbsp;+2" in text and "(tốt hơn)" in text
    assert "không đổi" in text
    # counts and unit names only: never a supervised person's name
    for p in people:
        assert p.full_name not in text
        assert "Ngô Văn" not in text


def test_a_fall_shows_a_down_arrow(world):
    before = parse(PERIOD.previous().spec)
    person = f.person(ward=world.ward_a, registered_on=before.start)
    f.contact(person=person, member=world.volunteer_member, occurred_on=before.end)
    (card,) = login(world.supervisor).get(HOME).context["supervised"]
    reached = {h.indicator.code: h for h in card.headlines}["casework.persons_reached"]
    assert (reached.change, reached.arrow, reached.verdict) == (-1, "▼", "bad")


def test_a_rise_of_a_figure_that_should_fall_is_bad():
    relapsed = FIXED.by_code["post_rehab.relapsed"]
    assert (Headline(relapsed, 4, 2).verdict, Headline(relapsed, 1, 2).verdict) == ("bad", "good")
    on_list = FIXED.by_code["casework.on_list"]  # neither: the list is what it is
    assert Headline(on_list, 9, 2).verdict == "neutral"
    assert Headline(relapsed, 2, 2).verdict == "neutral"


def test_a_leader_sees_the_returned_report_and_no_supervisor_cards(district):
    page = login(district.leader).get(HOME)
    text = page.content.decode()
    assert page.context["supervised"] == []
    assert f"Báo cáo {lower_first(PERIOD.label_vi)} bị trả lại" in text
    assert "Lý do: Thiếu số liệu tư vấn" in text
    add = f"{reverse('reports:submission_add')}?{Choice(district.ward_a, PERIOD).query()}"
    assert f'href="{add.replace("&", "&amp;")}"' in text
    assert (
        f"Nộp báo cáo {lower_first(PERIOD.label_vi)}" not in text
    )  # it was submitted (and returned)
    assert "Phải nộp" not in text


def test_a_corrected_report_is_no_longer_returned(district):
    stored(district.ward_a, district.leader, days_after_end(12), version=2)
    text = login(district.leader).get(HOME).content.decode()
    assert "bị trả lại" not in text


def test_an_officer_is_asked_to_file_the_latest_ended_period(world):
    page = login(world.officer).get(HOME)
    text = page.content.decode()
    assert f"Nộp báo cáo {lower_first(PERIOD.label_vi)}" in text
    add = f"{reverse('reports:submission_add')}?{Choice(world.ward_a, PERIOD).query()}"
    assert f'href="{add.replace("&", "&amp;")}"' in text
    stored(world.ward_a, world.officer, days_after_end(1))
    assert (
        f"Nộp báo cáo {lower_first(PERIOD.label_vi)}"
        not in login(world.officer).get(HOME).content.decode()
    )


def test_a_volunteer_is_not_asked_to_file(world):
    page = login(world.volunteer).get(HOME)
    assert f"Nộp báo cáo {lower_first(PERIOD.label_vi)}" not in page.content.decode()
    assert "to_file" not in page.context and not page.context.get("supervised")


def _queries(client) -> int:
    client.get(HOME)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(HOME).status_code == 200
    return len(ctx.captured_queries)


def test_the_supervisors_home_takes_the_same_queries_for_few_and_many_units(district):
    client = login(district.supervisor)
    few = _queries(client)
    for i in range(20):
        ward = f.unit(parent=district.district_a, name=f"Phường Số {i}")
        if i % 2:
            f.team(ward=ward)
        if i % 3 == 1:
            s = stored(ward, district.officer, days_after_end(i))
            if i % 6 == 1:
                returned(s, district.supervisor)
        person = f.person(ward=ward, registered_on=PERIOD.start)
        f.contact(person=person, occurred_on=PERIOD.end)
    assert len(client.get(HOME).context["supervised"][0].board.rows) == 24
    assert _queries(client) == few


def test_the_leaders_home_takes_the_same_queries_for_one_and_many_returned(district):
    client = login(district.leader)
    few = _queries(client)
    for spec in ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"):
        returned(
            stored(district.ward_a, district.leader, TODAY, period=parse(spec)), district.supervisor
        )
    assert len(client.get(HOME).context["returned"]) == 5
    assert _queries(client) == few


def test_a_leader_who_follows_people_sees_the_returned_report_on_the_work_list(district):
    """A leader with people assigned lands on «Việc của tôi», not the team home: the returned
    report and its reason are there too."""
    person = f.person(ward=district.ward_a)
    f.assignment(person=person, member=district.leader_member)
    page = login(district.leader).get(HOME)
    text = page.content.decode()
    assert "cases/work_list.html" in [t.name for t in page.templates]
    assert f"Báo cáo {lower_first(PERIOD.label_vi)} bị trả lại" in text
    assert "Lý do: Thiếu số liệu tư vấn" in text
    assert person.full_name in text
