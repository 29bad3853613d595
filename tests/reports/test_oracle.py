"""The rollup against the oracle (tests/reports/oracle.py) on random small worlds, and a few
hand-written cases with exact numbers for the rules that are easiest to get wrong.

Each hypothesis example writes its world inside a savepoint and rolls it back at the end, so
examples never see each other's rows (pytest-django's transaction wraps the whole test, not
each example).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Assignment, Contact, Enrollment, Milestone, Person, Programme
from outreach.models import Activity, Referral
from reports.indicators import CODES
from reports.periods import Period, parse
from reports.rollup import tally
from tests import factories as f
from tests.reports import oracle
from wards.models import AdminUnit, Member, Team

D = datetime.date
# 50 worlds take about 20 s; ORACLE_EXAMPLES=1000 for a longer hunt.
EXAMPLES = int(os.environ.get("ORACLE_EXAMPLES", "50"))
DAY = datetime.timedelta(days=1)
FIRST, LAST = D(2023, 6, 1), D(2026, 6, 30)


class Rollback(Exception):
    """Raised at the end of an example to undo its rows."""


# -- comparing -------------------------------------------------------------------------------


def _diff(expected: dict, actual: dict) -> dict:
    return {
        code: (expected.get(code), actual.get(code))
        for code in sorted(set(expected) | set(actual))
        if expected.get(code) != actual.get(code)
    }


def assert_agrees(unit: AdminUnit, period: Period, rows: oracle.Rows | None = None) -> dict:
    """tally(unit, period) equals the oracle, for the unit and each child; the oracle's
    figures are returned."""
    rows = rows or oracle.load()
    expected, expected_children = oracle.recompute(rows, unit.pk, period.start, period.end)
    got = tally(unit, period)
    assert set(got.values) == set(CODES) == set(expected), "the catalogue and the oracle differ"
    assert _diff(expected, got.values) == {}, f"{unit.code} {period.spec} (oracle, rollup)"
    assert {c.pk for c in got.children} == set(expected_children), f"children of {unit.code}"
    for pk, values in expected_children.items():
        child = rows.units[pk]["code"]
        assert _diff(values, got.by_child[pk]) == {}, f"{unit.code} › {child} (oracle, rollup)"
    return expected


# -- random worlds ---------------------------------------------------------------------------

PROGRAMMES = ("post_rehab_12", "post_rehab_24", "illegal_use_12", "methadone")
MONEY = ("loan", "hardship_support", "gift")


@dataclass
class World:
    period: Period
    wards: list[int]  # the district (0 or 1) of each ward
    merged: int  # the ward merged away
    into: int  # the ward it was merged into
    merged_on: datetime.date
    new_from: bool  # whether `into` was formed by the merger (valid_from the next day)
    teams: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)


def _spec(draw) -> Period:
    cutoff = draw(st.sampled_from(["calendar", "official"]))
    year = draw(st.sampled_from([2024, 2025]))
    form = draw(st.sampled_from(["month", "quarter", "half", "year", "years", "range"]))
    if form == "month":
        spec = f"{year}-{draw(st.integers(1, 12)):02d}"
    elif form == "quarter":
        spec = f"{year}-Q{draw(st.integers(1, 4))}"
    elif form == "half":
        spec = f"{year}-H{draw(st.integers(1, 2))}"
    elif form == "year":
        spec = str(year)
    elif form == "years":
        spec = draw(st.sampled_from(["2023..2024", "2024..2025", "2024..2026", "2025..2025"]))
    else:
        start = draw(st.dates(D(2023, 9, 1), D(2026, 3, 1)))
        end = start + datetime.timedelta(days=draw(st.integers(0, 400)))
        spec = f"{start.isoformat()}..{end.isoformat()}"
    return parse(spec, cutoff)


@st.composite
def worlds(draw) -> World:
    period = _spec(draw)
    edges = [period.start + d * DAY for d in (-1, 0, 1)] + [
        period.end + d * DAY for d in (-1, 0, 1)
    ]
    # any day, a day of the period, or a day at one of its edges
    day = st.one_of(
        st.dates(FIRST, LAST), st.dates(period.start, period.end), st.sampled_from(edges)
    )

    def later(start: datetime.date, *, none: bool = True) -> datetime.date | None:
        """A day on or after `start` (or None, still running)."""
        options = [
            st.integers(0, 600).map(lambda n: start + n * DAY),
            st.dates(max(start, period.start), max(start, period.end)),
            st.sampled_from([d for d in edges if d >= start] or [start]),
        ]
        if none:
            options.append(st.none())
        return draw(st.one_of(*options))

    n_wards = draw(st.integers(3, 5))
    wards = [0, 1] + [draw(st.integers(0, 1)) for _ in range(n_wards - 2)]
    merged = draw(st.integers(0, n_wards - 1))
    into = (merged + draw(st.integers(1, n_wards - 1))) % n_wards
    world = World(
        period=period,
        wards=wards,
        merged=merged,
        into=into,
        # near the period's edges more often than not: the interesting cases
        merged_on=draw(st.one_of(st.sampled_from(edges), day)),
        new_from=draw(st.booleans()),
    )
    ward = st.integers(0, n_wards - 1)

    for w in range(n_wards):
        for n in range(draw(st.integers(0, 2))):
            established = draw(st.one_of(st.none(), day))
            last = n == 1 or draw(st.booleans())
            dissolved = later(established or FIRST, none=last)
            members = []
            for _ in range(draw(st.integers(0, 4))):
                joined = draw(day)
                members.append(
                    {
                        "role": draw(st.sampled_from(["leader", "deputy", "member"])),
                        "joined_on": joined,
                        "left_on": later(joined),
                    }
                )
            world.teams.append(
                {
                    "ward": w,
                    "established_on": established,
                    "dissolved_on": dissolved,
                    "members": members,
                }
            )
            if dissolved is None:
                break

    groups = st.sampled_from([g.value for g in Person.Group])
    # completed referrals feed most support figures: draw them more often
    statuses = st.sampled_from(["completed", "completed", *(s.value for s in Referral.Status)])
    for _ in range(draw(st.integers(0, 12))):
        registered_ward = draw(st.one_of(st.just(merged), ward))
        moved = draw(st.sampled_from(["no", "to_successor", "to_successor", "elsewhere"]))
        current = {
            "no": registered_ward,
            "to_successor": into if registered_ward == merged else registered_ward,
            "elsewhere": draw(ward),
        }[moved]
        registered = draw(day)
        p = {
            "ward": current,
            "registered_ward": registered_ward,
            "group": draw(groups),
            "registered_on": registered,
            "closed_on": later(registered),
        }
        wards_of_p = st.sampled_from([current, registered_ward, draw(ward)])
        p["enrollments"] = []
        for code in draw(st.lists(st.sampled_from(PROGRAMMES), max_size=3, unique=True)):
            started = draw(day)
            ended = later(started)
            reasons = ["completed", "relapsed", "moved_away", "other"]
            p["enrollments"].append(
                {
                    "programme": code,
                    "ward": draw(wards_of_p),
                    "started_on": started,
                    "ended_on": ended,
                    "end_reason": draw(st.sampled_from(reasons)) if ended else "",
                }
            )
        p["assignments"] = []
        start = draw(day)
        for n in range(draw(st.integers(0, 2))):
            ended = later(start, none=n == 1)
            p["assignments"].append({"started_on": start, "ended_on": ended})
            if ended is None:
                break
            start = later(ended, none=False)
        p["contacts"] = [
            {
                "ward": draw(wards_of_p),
                "person_group": draw(st.one_of(st.just(p["group"]), groups)),
                "occurred_on": draw(day),
                "kind": draw(st.sampled_from([k.value for k in Contact.Kind])),
            }
            for _ in range(draw(st.integers(0, 5)))
        ]
        p["milestones"] = [
            {
                "ward": draw(wards_of_p),
                "occurred_on": draw(day),
                "kind": draw(st.sampled_from([k.value for k in Milestone.Kind])),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
        p["referrals"] = []
        for _ in range(draw(st.integers(0, 4))):
            kind = draw(st.sampled_from([*MONEY, *(k.value for k in Referral.Kind)]))
            referred = draw(day)
            money = kind in MONEY
            p["referrals"].append(
                {
                    "ward": draw(wards_of_p),
                    "kind": kind,
                    "referred_on": referred,
                    "status": draw(statuses),
                    "status_on": later(referred, none=False),
                    "amount": draw(
                        st.one_of(st.none(), st.integers(0, 50).map(lambda n: n * 500_000))
                    )
                    if money
                    else None,
                    "for_household": draw(st.booleans()) if money else False,
                }
            )
        world.persons.append(p)

    units = st.one_of(ward, st.sampled_from(["district0", "district1", "province"]))
    kinds = [k.value for k in Activity.Kind for _ in range(draw(st.integers(0, 2)))]
    for kind in kinds:
        figures = Activity.FIELDS[kind]
        a = {"unit": draw(units), "occurred_on": draw(day), "kind": kind}
        a["sessions"] = draw(st.integers(1, 5))
        for name in ("participants", "items", "minutes"):
            if name in figures.required or (name in figures.optional and draw(st.booleans())):
                a[name] = draw(st.integers(0, 300))
        world.activities.append(a)
    return world


@dataclass
class Built:
    province: AdminUnit
    districts: list[AdminUnit]
    wards: list[AdminUnit]


def build(world: World) -> Built:
    """Write the world's rows directly (no services), in a handful of queries."""
    province = f.unit(code="P9", level="province", name="Tỉnh")
    districts = [
        f.unit(code=f"D{i}", level="district", parent=province, name=f"Quận {i}") for i in (0, 1)
    ]
    wards = []
    for i, d in enumerate(world.wards):
        valid_from = None
        if i == world.into and world.new_from:
            valid_from = world.merged_on + DAY
        wards.append(
            f.unit(code=f"W{i}", parent=districts[d], name=f"Phường {i}", valid_from=valid_from)
        )
    merged = wards[world.merged]
    merged.valid_until = world.merged_on
    merged.successor = wards[world.into]
    merged.save()

    members = []
    for t in world.teams:
        team = Team.objects.create(
            ward=wards[t["ward"]],
            name="Đội",
            established_on=t["established_on"],
            dissolved_on=t["dissolved_on"],
        )
        active_leader = False
        for m in t["members"]:
            role = m["role"]
            if role == "leader" and m["left_on"] is None:
                # one active leader per team (a database constraint)
                role, active_leader = ("member" if active_leader else role), True
            members.append(Member(team=team, full_name="TV", sex="male", **dict(m, role=role)))
    members = Member.objects.bulk_create(members)

    programmes = dict(Programme.objects.filter(code__in=PROGRAMMES).values_list("code", "pk"))
    persons = Person.objects.bulk_create(
        Person(
            ward=wards[p["ward"]],
            registered_ward=wards[p["registered_ward"]],
            full_name="Người",
            search_key="nguoi",
            sex="male",
            birth_year=1990,
            group=p["group"],
            registered_on=p["registered_on"],
            consent_on=p["registered_on"],
            status="closed" if p["closed_on"] else "active",
            closed_on=p["closed_on"],
            closed_reason="other" if p["closed_on"] else "",
        )
        for p in world.persons
    )
    enrollments, assignments, contacts, milestones, referrals = [], [], [], [], []
    for n, (person, p) in enumerate(zip(persons, world.persons, strict=True)):
        for e in p["enrollments"]:
            enrollments.append(
                Enrollment(
                    person=person,
                    programme_id=programmes[e["programme"]],
                    ward=wards[e["ward"]],
                    started_on=e["started_on"],
                    ended_on=e["ended_on"],
                    end_reason=e["end_reason"],
                )
            )
        for i, a in enumerate(p["assignments"]):
            if members:
                member = members[(n + i) % len(members)]
                assignments.append(Assignment(person=person, member=member, **a))
        contacts += [
            Contact(person=person, **dict(c, ward=wards[c["ward"]])) for c in p["contacts"]
        ]
        milestones += [
            Milestone(person=person, **dict(m, ward=wards[m["ward"]])) for m in p["milestones"]
        ]
        referrals += [
            Referral(person=person, **dict(r, ward=wards[r["ward"]])) for r in p["referrals"]
        ]
    Enrollment.objects.bulk_create(enrollments)
    Assignment.objects.bulk_create(assignments)
    Contact.objects.bulk_create(contacts)
    Milestone.objects.bulk_create(milestones)
    Referral.objects.bulk_create(referrals)
    named = {"district0": districts[0], "district1": districts[1], "province": province}
    Activity.objects.bulk_create(
        Activity(
            **dict(a, unit=named[a["unit"]] if isinstance(a["unit"], str) else wards[a["unit"]])
        )
        for a in world.activities
    )
    return Built(province, districts, wards)


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(world=worlds())
def test_rollup_agrees_with_the_oracle(world: World):
    try:
        with transaction.atomic():
            built = build(world)
            rows = oracle.load()
            for unit in (built.province, *built.districts, *built.wards):
                assert_agrees(unit, world.period, rows)
            raise Rollback
    except Rollback:
        pass


# -- hand-written cases ----------------------------------------------------------------------


def figures(unit: AdminUnit, spec: str, cutoff: str = "calendar") -> dict[str, int]:
    """The rollup's figures, once the oracle has agreed with them."""
    return assert_agrees(unit, parse(spec, cutoff))


def column(unit: AdminUnit, spec: str, child: AdminUnit) -> dict[str, int]:
    return tally(unit, parse(spec)).by_child[child.pk]


@pytest.mark.django_db
def test_a_person_who_changed_group_counts_once_in_the_total_and_in_both_sub_rows(world):
    person = f.person(ward=world.ward_a, group="addicted")
    f.contact(person=person, person_group="high_risk", occurred_on=D(2024, 2, 10))
    f.contact(person=person, person_group="addicted", occurred_on=D(2024, 5, 10))
    f.contact(person=person, ward=world.ward_b, occurred_on=D(2024, 6, 1), kind="phone")
    for unit in (world.ward_a, world.district_a):
        v = figures(unit, "2024-H1")
        assert v["casework.persons_reached"] == 1
        assert v["casework.persons_reached.high_risk"] == 1
        assert v["casework.persons_reached.using"] == 1
        assert v["casework.counselling_direct"] == 2
    v = figures(world.province, "2024-H1")
    assert (v["casework.persons_reached"], v["casework.counselling_indirect"]) == (1, 1)
    assert column(world.province, "2024-H1", world.district_a)["casework.persons_reached"] == 1
    assert column(world.province, "2024-H1", world.district_b)["casework.persons_reached"] == 1
    # on the list by the group they have now
    assert v["casework.on_list.addicted"] == 1 and v["casework.on_list.high_risk"] == 0


@pytest.mark.django_db
def test_post_rehab_at_the_period_edges(world):
    ended_at_end = f.person(ward=world.ward_a)
    f.enrollment(
        person=ended_at_end,
        started_on=D(2024, 1, 10),
        ended_on=D(2024, 6, 30),
        end_reason="completed",
    )
    f.contact(person=ended_at_end, occurred_on=D(2024, 6, 29))
    f.contact(person=ended_at_end, occurred_on=D(2024, 6, 30))
    f.milestone(person=ended_at_end, kind="relapsed", occurred_on=D(2024, 6, 30))
    ends_after = f.person(ward=world.ward_a)
    f.enrollment(
        person=ends_after,
        started_on=D(2023, 3, 1),
        ended_on=D(2024, 7, 1),
        end_reason="completed",
    )
    f.milestone(person=ends_after, kind="relapsed", occurred_on=D(2024, 6, 30))
    starts_at_end = f.person(ward=world.ward_a)
    f.enrollment(person=starts_at_end, started_on=D(2024, 6, 30))
    other_programme = f.person(ward=world.ward_a)
    f.enrollment(person=other_programme, programme=f.programme("methadone"))
    f.contact(person=other_programme, occurred_on=D(2024, 3, 1))
    v = figures(world.district_a, "2024-H1")
    # `ended_on` is the enrolment's last day: it holds on the period's last day
    assert v["post_rehab.managed"] == 3
    assert v["post_rehab.new"] == 2
    assert v["post_rehab.completed"] == 1
    assert v["post_rehab.contacts"] == 2  # the contact on the day the enrolment ended counts
    assert v["post_rehab.relapsed"] == 2  # so does a relapse on that day
    assert figures(world.district_a, "2024-06")["post_rehab.managed"] == 3
    assert figures(world.district_a, "2024-07")["post_rehab.managed"] == 1
    assert figures(world.district_a, "2024-07-01..2024-07-01")["post_rehab.managed"] == 2


@pytest.mark.django_db
def test_the_official_month_starts_on_the_15th_of_the_previous_month(world):
    for day, sessions in ((14, 1), (15, 10)):
        for month in (2, 3):
            Activity.objects.create(
                unit=world.ward_a,
                occurred_on=D(2024, month, day),
                kind="patrol",
                sessions=sessions * (1 if month == 2 else 100),
            )
    # 14/02: 1, 15/02: 10, 14/03: 100, 15/03: 1000
    assert figures(world.ward_a, "2024-03", "official")["enforcement.patrols"] == 110
    assert figures(world.ward_a, "2024-03", "calendar")["enforcement.patrols"] == 1100
    assert figures(world.ward_a, "2024-Q1", "official")["enforcement.patrols"] == 111


@pytest.mark.django_db
def test_a_merged_wards_records_count_for_its_successors_column(world):
    person = f.person(ward=world.ward_a, registered_on=D(2024, 1, 10))
    person.registered_ward = world.ward_a_old
    person.save()
    f.enrollment(person=person, ward=world.ward_a_old, started_on=D(2025, 3, 1))
    f.contact(person=person, ward=world.ward_a_old, occurred_on=D(2024, 4, 1))
    f.referral(
        person=person,
        ward=world.ward_a_old,
        referred_on=D(2025, 6, 20),
        status="completed",
        status_on=D(2025, 8, 1),
        amount=20_000_000,
    )
    # while the old ward existed, it has its own column
    before = tally(world.district_a, parse("2025-H1"))
    assert {c.pk for c in before.children} == {world.ward_a.pk, world.ward_a_old.pk}
    assert before.by_child[world.ward_a_old.pk]["post_rehab.managed"] == 1
    assert before.by_child[world.ward_a.pk]["post_rehab.managed"] == 0
    figures(world.district_a, "2025-H1")
    # after the merger, its records count for the ward it was merged into
    after = tally(world.district_a, parse("2025-H2"))
    assert [c.pk for c in after.children] == [world.ward_a.pk]
    assert after.by_child[world.ward_a.pk]["post_rehab.managed"] == 1
    assert after.by_child[world.ward_a.pk]["support.loan_amount"] == 20_000_000
    assert after.by_child[world.ward_a.pk]["support.loan_persons"] == 1
    figures(world.district_a, "2025-H2")
    # a ward that lasted until the period's first day is one of its columns
    last_day = tally(world.district_a, parse("2025-06-30..2025-12-31"))
    assert {c.pk for c in last_day.children} == {world.ward_a.pk, world.ward_a_old.pk}
    # a report for the successor ward includes its predecessor's history
    v = figures(world.ward_a, "2024")
    assert v["casework.persons_reached"] == 1 and v["casework.new_persons"] == 1
    assert figures(world.ward_b, "2024")["casework.persons_reached"] == 0


@pytest.mark.django_db
def test_a_person_of_a_ward_formed_later_counts_where_they_were_registered(world):
    new = f.unit(code="99010", parent=world.district_a, valid_from=D(2025, 7, 1))
    old = f.unit(
        code="99011-2025",
        parent=world.district_b,
        valid_until=D(2025, 6, 30),
        successor=new,
    )
    person = f.person(ward=old, registered_on=D(2024, 1, 10))
    person.ward = new  # moved with the merger; registered_ward stays
    person.save()
    f.assignment(person=person, member=world.outsider_member, started_on=D(2024, 2, 1))
    v2024 = figures(world.district_b, "2024")
    assert (v2024["casework.on_list"], v2024["team.caseload"]) == (1, 1)
    assert column(world.district_b, "2024", old)["casework.on_list"] == 1
    # district A holds the old ward's history (merged into one of its wards), though no
    # column does in 2024: the ward it was merged into did not exist yet
    assert figures(world.district_a, "2024")["casework.on_list"] == 1
    assert all(
        not c["casework.on_list"] for c in tally(world.district_a, parse("2024")).by_child.values()
    )
    v2026 = figures(world.district_a, "2026-Q1")
    assert (v2026["casework.on_list"], v2026["team.caseload"]) == (1, 1)
    assert column(world.district_a, "2026-Q1", new)["team.caseload"] == 1
    # the new ward counts from its first day
    assert figures(world.district_a, "2025-01-01..2025-07-01")["casework.on_list"] == 1
    assert figures(world.district_b, "2025-01-01..2025-07-01")["casework.on_list"] == 0
    assert figures(world.district_b, "2025-01-01..2025-06-30")["casework.on_list"] == 1
    # in 2026 the person lives in district A only
    assert figures(world.district_b, "2026-Q1")["casework.on_list"] == 0
    assert figures(world.province, "2024")["casework.on_list"] == 1


@pytest.mark.django_db
def test_teams_and_members_at_the_period_end(world):
    # team A old is dissolved, and its leader left, on 30/06/2025: its last day
    v = figures(world.district_a, "2025-H1")
    assert (v["team.teams"], v["team.members"], v["team.members.leader"]) == (2, 6, 2)
    v = figures(world.district_a, "2025-07-01..2025-07-01")
    assert (v["team.teams"], v["team.members"], v["team.members.leader"]) == (1, 5, 1)
    v = figures(world.district_a, "2025-Q1")
    assert (v["team.teams"], v["team.members"], v["team.members.leader"]) == (2, 6, 2)
    v = figures(world.province, "2025-Q1")
    assert (v["team.teams"], v["team.members"], v["team.members.leader"]) == (3, 7, 3)
    assert figures(world.district_a, "2012")["team.teams"] == 0  # established in 2013


@pytest.mark.django_db
def test_referrals_count_when_made_and_when_completed(world):
    person = f.person(ward=world.ward_a)
    loan = dict(kind="loan", status="completed", amount=10_000_000)
    f.referral(person=person, referred_on=D(2023, 12, 20), status_on=D(2024, 1, 5), **loan)
    f.referral(person=person, referred_on=D(2024, 6, 20), status_on=D(2024, 7, 2), **loan)
    f.referral(
        person=person,
        referred_on=D(2024, 2, 1),
        status_on=D(2024, 3, 1),
        for_household=True,
        **loan,
    )
    f.referral(person=person, kind="job", referred_on=D(2024, 2, 1), status="approved")
    f.referral(
        person=person,
        kind="gift",
        referred_on=D(2024, 2, 1),
        status="completed",
        status_on=D(2024, 2, 1),
        amount=500_000,
    )
    v = figures(world.district_a, "2024-H1")
    assert v["support.referrals"] == 4
    assert (v["support.loan_persons"], v["support.loan_households"]) == (1, 1)
    assert v["support.loan_amount"] == 20_000_000
    assert (v["support.jobs"], v["support.gifts"], v["support.gift_amount"]) == (0, 1, 500_000)
    assert figures(world.district_a, "2024-H2")["support.loan_amount"] == 10_000_000


@pytest.mark.django_db
def test_group_sessions_once_per_day_and_ward_plus_club_sessions(world):
    people = [f.person(ward=world.ward_a) for _ in range(3)]
    for p in people:
        f.contact(person=p, kind="group_session", occurred_on=D(2024, 3, 5))
    f.contact(person=people[0], kind="group_session", occurred_on=D(2024, 3, 6))
    f.contact(
        person=people[1], ward=world.ward_a_old, kind="group_session", occurred_on=D(2024, 3, 5)
    )
    Activity.objects.create(
        unit=world.ward_a,
        occurred_on=D(2024, 3, 7),
        kind="club_session",
        sessions=2,
        participants=25,
    )
    v = figures(world.district_a, "2024-03")
    assert v["casework.group_sessions"] == 3 + 2  # (5/3, A), (6/3, A), (5/3, A old); the club
    assert v["casework.group_participants"] == 5 + 25
    assert figures(world.ward_a_old, "2024-03")["casework.group_sessions"] == 1
