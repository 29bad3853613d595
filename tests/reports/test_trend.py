"""The monthly trend of the report page: the same figures as a tally of each month, in a fixed
number of queries whatever the length of the period."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Activity
from reports.periods import CALENDAR, OFFICIAL, parse
from reports.rollup import tally
from reports.trend import (
    COUNSELLING,
    MONTH,
    YEAR,
    Series,
    buckets,
    chart,
    charts,
    nice_ceiling,
    trend,
)
from tests import factories as f

D = datetime.date
TALLIED = ("outreach.sessions", "outreach.participants", "casework.persons_reached")


def activity(unit, on, *, kind="community_meeting", sessions=1, participants=10):
    return Activity.objects.create(
        unit=unit, occurred_on=on, kind=kind, sessions=sessions, participants=participants
    )


@pytest.fixture
def data(world):
    """A few months of records in ward A, its merged predecessor and, outside, ward B; dates
    on both sides of the 14th/15th so the two cut-offs disagree."""
    a, old, b = world.ward_a, world.ward_a_old, world.ward_b
    activity(a, D(2024, 1, 10), sessions=3, participants=40)
    activity(old, D(2024, 1, 14), sessions=2, participants=25)
    activity(a, D(2024, 1, 15), kind="school_talk", sessions=1, participants=300)
    activity(a, D(2024, 2, 20), kind="radio", sessions=5, participants=None)
    activity(a, D(2024, 3, 1), kind="patrol", sessions=4, participants=None)  # not outreach
    activity(a, D(2024, 3, 31), kind="film", sessions=1, participants=60)
    activity(b, D(2024, 1, 10), sessions=9, participants=99)  # outside the scope
    hoa = f.person(ward=a, full_name="Nguyễn Văn Hòa", registered_on=D(2023, 5, 1))
    lan = f.person(ward=old, full_name="Trần Thị Lan", registered_on=D(2023, 5, 1))
    minh = f.person(ward=b, full_name="Lê Văn Minh", registered_on=D(2023, 5, 1))
    for person, on, kind in (
        (hoa, D(2024, 1, 5), "home_visit"),
        (hoa, D(2024, 1, 20), "phone"),  # same calendar month, next official month
        (hoa, D(2024, 2, 14), "drug_test"),  # reached, not counselling
        (lan, D(2024, 1, 14), "meeting"),
        (lan, D(2024, 1, 15), "via_family"),
        (lan, D(2024, 3, 15), "home_visit"),
        (minh, D(2024, 1, 5), "home_visit"),  # outside the scope
    ):
        f.contact(person=person, occurred_on=on, kind=kind)
    return world


def test_the_months_of_a_quarter_match_a_tally_of_each_month_in_both_cut_offs(data):
    for cutoff in (CALENDAR, OFFICIAL):
        quarter = parse("2024-Q1", cutoff)
        t = trend(data.ward_a, quarter)
        assert t.by == MONTH
        assert [b.label for b in t.buckets] == ["01/2024", "02/2024", "03/2024"]
        series = {s.code: s.values for s in t.series}
        for i, month in enumerate(("2024-01", "2024-02", "2024-03")):
            values = tally(data.ward_a, parse(month, cutoff), children=False).values
            for code in TALLIED:
                assert series[code][i] == values[code], (cutoff, month, code)
            talks = values["casework.counselling_direct"] + values["casework.counselling_indirect"]
            assert series[COUNSELLING][i] == talks, (cutoff, month)


def test_the_figures_by_hand_calendar_and_official(data):
    calendar = {s.code: s.values for s in trend(data.ward_a, parse("2024-Q1")).series}
    assert calendar["outreach.sessions"] == (6, 5, 1)
    assert calendar["outreach.participants"] == (365, 0, 60)
    # Hoà twice in January counts once; Lan in January and in March counts in both months.
    assert calendar["casework.persons_reached"] == (2, 1, 1)
    assert calendar[COUNSELLING] == (4, 0, 1)

    # Official months: 15/12–14/01, 15/01–14/02, 15/02–14/03; 15 March is April's.
    official = {s.code: s.values for s in trend(data.ward_a, parse("2024-Q1", OFFICIAL)).series}
    assert official["outreach.sessions"] == (5, 1, 5)
    assert official["outreach.participants"] == (65, 300, 0)
    assert official["casework.persons_reached"] == (2, 2, 0)
    assert official[COUNSELLING] == (2, 2, 0)


def test_a_long_period_is_shown_by_year_and_each_year_matches_its_tally(data):
    activity(data.ward_a_old, D(2013, 6, 1), sessions=7, participants=70)
    activity(data.ward_a, D(2022, 12, 20), sessions=2, participants=20)
    for cutoff in (CALENDAR, OFFICIAL):
        review = parse("2012..2022", cutoff)
        t = trend(data.ward_a, review)
        assert t.by == YEAR
        assert [b.label for b in t.buckets] == [str(y) for y in range(2012, 2023)]
        assert t.buckets[0].start == review.start and t.buckets[-1].end == review.end
        sessions = dict(zip([b.label for b in t.buckets], t.series[0].values, strict=True))
        for year in (2013, 2022):
            expected = tally(data.ward_a, parse(str(year), cutoff), children=False).values
            assert sessions[str(year)] == expected["outreach.sessions"]
    # 20/12/2022 belongs to the calendar year 2022, and to the official year 2023 (outside).
    assert trend(data.ward_a, parse("2012..2022")).series[0].values[-1] == 2
    assert trend(data.ward_a, parse("2012..2022", OFFICIAL)).series[0].values[-1] == 0


def test_months_up_to_36_then_years():
    assert buckets(parse("2022..2024"))[0] == MONTH  # 36 months
    by, years = buckets(parse("2021..2024"))
    assert by == YEAR and len(years) == 4
    by, parts = buckets(parse("2024-01-20..2024-03-05"))
    assert by == MONTH
    assert [(p.start, p.end) for p in parts] == [
        (D(2024, 1, 20), D(2024, 1, 31)),
        (D(2024, 2, 1), D(2024, 2, 29)),
        (D(2024, 3, 1), D(2024, 3, 5)),
    ]


def test_the_trend_costs_the_same_queries_for_a_month_a_year_and_eleven_years(data):
    counts = []
    for spec in ("2024-03", "2024", "2012..2022"):
        with CaptureQueriesContext(connection) as ctx:
            trend(data.ward_a, parse(spec))
        counts.append(len(ctx))
    assert counts[0] == counts[1] == counts[2]
    with CaptureQueriesContext(connection) as ctx:
        trend(data.ward_a, parse("2012..2022"), scope=[data.ward_a.pk, data.ward_a_old.pk])
    assert len(ctx) == 2  # one per source when the scope is known


def test_the_charts_scale_to_a_round_top_and_describe_their_extremes(data):
    t = trend(data.ward_a, parse("2024-Q1"))
    sessions = charts(t)[0]
    assert [b.value for b in sessions.bars] == [6, 5, 1]
    assert sessions.y_ticks[-1].text == 10  # the axis top: 6 rounded up to 10
    tallest = max(sessions.bars, key=lambda b: b.height)
    assert tallest.label == "01/2024" and sessions.highest == tallest
    assert sessions.lowest.label == "03/2024"
    assert all(b.y + b.height == pytest.approx(sessions.baseline) for b in sessions.bars)
    assert [t.text for t in sessions.x_ticks] == ["1/2024", "2/2024", "3/2024"]

    empty = chart(Series("x", "x", (0, 0, 0)), t.buckets)
    assert empty.highest is None and all(b.height == 0 for b in empty.bars)


def test_nice_ceiling():
    assert [nice_ceiling(v) for v in (0, 1, 3, 6, 10, 11, 24, 26, 180, 2300, 7601)] == [
        1,
        1,
        5,
        10,
        10,
        20,
        25,
        50,
        200,
        2500,
        10000,
    ]
