"""The rollup against the oracle (tests/reports/oracle.py) on random small worlds and on the
demo, and a few hand-written cases with exact numbers for the rules that are easiest to get
wrong (some checking the oracle alone against hand-computed answers).

Each hypothesis example writes its world inside a savepoint and rolls it back at the end, so
examples never see each other's rows (pytest-django's transaction wraps the whole test, not
each example). A world writes most rows directly, and some through the services whose effect
on the figures matters: group corrections dated back (`person_update`, which stamps the
contacts of the corrected span again), contacts written down before or after them
(`contact_record`, which takes the group of the contact's day from the history) and teams
dissolved with their members (`team_dissolve`).
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import (
    Assessment,
    Assignment,
    Club,
    Contact,
    ContactTopic,
    Enrollment,
    GroupChange,
    Milestone,
    Person,
    Programme,
)
from cases.services import contact_record, person_update
from outreach.models import Activity, Referral
from reports.indicators import catalogue
from reports.periods import Period, parse
from reports.rollup import tally
from tests import factories as f
from tests.reports import oracle
from wards import demo as wards_demo
from wards.models import AdminUnit, Member, Team
from wards.services import team_dissolve

D = datetime.date
# 50 worlds take about 40 s of CPU; ORACLE_EXAMPLES=1000 for a longer hunt.
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
    assert oracle.misgrouped(rows) == [], "contacts not under the group of their day"
    expected, expected_children = oracle.recompute(rows, unit.pk, period.start, period.end)
    got = tally(unit, period)
    codes = set(catalogue().codes)
    assert set(got.values) == codes == set(expected), "the catalogue and the oracle differ"
    assert _diff(expected, got.values) == {}, f"{unit.code} {period.spec} (oracle, rollup)"
    assert {c.pk for c in got.children} == set(expected_children), f"children of {unit.code}"
    for pk, values in expected_children.items():
        child = rows.units[pk]["code"]
        assert _diff(values, got.by_child[pk]) == {}, f"{unit.code} › {child} (oracle, rollup)"
    assert _of_which_above_their_row(expected) == [], "«trong đó» more than its row"
    return expected


def _of_which_above_their_row(values: dict) -> list[tuple[str, str]]:
    """Each "of which" row of the catalogue is a part of the row above it: never larger."""
    over, row = [], None
    for indicator in catalogue().indicators:
        if not indicator.sub:
            row = indicator.code
        elif values[indicator.code] > values[row]:
            over.append((indicator.code, row))
    return over


# -- random worlds ---------------------------------------------------------------------------

PROGRAMMES = ("post_rehab_12", "post_rehab_24", "illegal_use_12", "methadone", "club_early")
CLUB_PROGRAMMES = ("club_b93", "club_early")
MONEY = ("loan", "hardship_support", "gift")
TOPICS = [t.value for t in Contact.Topic]
BROADCASTS = ("radio", "loudspeaker")
# Persons whose contacts go through contact_record, at most, per world (a service call costs
# a dozen queries).
SERVICE_PERSONS = 2


@dataclass
class World:
    period: Period
    wards: list[int]  # the district (0 or 1) of each ward
    merged: int  # the ward merged away
    into: int  # the ward it was merged into
    merged_on: datetime.date
    new_from: bool  # whether `into` was formed by the merger (valid_from the next day)
    teams: list[dict] = field(default_factory=list)
    clubs: list[dict] = field(default_factory=list)
    persons: list[dict] = field(default_factory=list)
    activities: list[dict] = field(default_factory=list)


def group_of(p: dict, day: datetime.date) -> str:
    """The group in force on `day` by the person's drawn history: the entry with the latest
    `since` on or before it, else (before the first entry, or with no history) their group, as
    cases.rules.group_on reads it."""
    in_force = [group for since, group in p["history"] if since <= day]
    return in_force[-1] if in_force else p["group"]


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

    def within(first: datetime.date, last: datetime.date | None) -> datetime.date:
        """A day on or after `first` and, if `last` is given, on or before it."""
        chosen = later(first, none=False)
        return chosen if last is None else min(chosen, last)

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
                    # dissolved through team_dissolve, which ends the open memberships
                    "by_service": dissolved is not None and draw(st.booleans()),
                }
            )
            if dissolved is None:
                break

    for w in range(n_wards):
        for n in range(draw(st.integers(0, 2))):
            founded = draw(day)
            world.clubs.append(
                {
                    "ward": w,
                    "name": f"CLB {n}",
                    "programme": draw(st.sampled_from(CLUB_PROGRAMMES)),
                    "founded_on": founded,
                    "closed_on": later(founded),
                }
            )

    groups = st.sampled_from([g.value for g in Person.Group])
    reasons = st.sampled_from(["completed", "relapsed", "moved_away", "other"])
    results = st.sampled_from([r.value for r in Assessment.Result])
    # completed referrals feed most support figures: draw them more often
    statuses = st.sampled_from(["completed", "completed", *(s.value for s in Referral.Status)])
    by_service = 0
    for _ in range(draw(st.integers(0, 12))):
        registered_ward = draw(st.one_of(st.just(merged), ward))
        moved = draw(st.sampled_from(["no", "to_successor", "to_successor", "elsewhere"]))
        current = {
            "no": registered_ward,
            "to_successor": into if registered_ward == merged else registered_ward,
            "elsewhere": draw(ward),
        }[moved]
        registered = draw(day)
        # the group history: from registration, then corrections (none for 1 in 4, as for a
        # person written before the history existed)
        history = []
        if draw(st.integers(0, 3)):
            since = registered
            history.append((since, draw(groups)))
            for _ in range(draw(st.integers(0, 2))):
                since = later(since + DAY, none=False)
                history.append((since, draw(groups)))
        p = {
            "ward": current,
            "registered_ward": registered_ward,
            "group": history[-1][1] if history else draw(groups),
            "history": history,
            "registered_on": registered,
            "closed_on": later(registered),
        }
        p["by_service"] = len(history) > 1 and by_service < SERVICE_PERSONS and draw(st.booleans())
        by_service += p["by_service"]
        wards_of_p = st.sampled_from([current, registered_ward, draw(ward)])
        p["enrollments"] = []
        programmes = draw(st.lists(st.sampled_from(PROGRAMMES), max_size=3, unique=True))
        if world.clubs and draw(st.booleans()):
            # a member of a club, within the club's life (as enrollment_start and club_close
            # keep it)
            club = draw(st.integers(0, len(world.clubs) - 1))
            c = world.clubs[club]
            started = within(c["founded_on"], c["closed_on"])
            ended = later(started, none=c["closed_on"] is None)
            if c["closed_on"] is not None:
                ended = min(ended or c["closed_on"], c["closed_on"])
            p["enrollments"].append(
                {
                    "programme": c["programme"],
                    "club": club,
                    "ward": c["ward"],
                    "started_on": started,
                    "ended_on": ended,
                    "end_reason": draw(reasons) if ended else "",
                }
            )
            # one enrolment per programme at a time (an exclusion constraint)
            programmes = [code for code in programmes if code != c["programme"]]
        for code in programmes:
            started = draw(day)
            ended = later(started)
            p["enrollments"].append(
                {
                    "programme": code,
                    "club": None,
                    "ward": draw(wards_of_p),
                    "started_on": started,
                    "ended_on": ended,
                    "end_reason": draw(reasons) if ended else "",
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
        # the interesting days: an enrolment's last day, a group change's eve and day
        special = [e["ended_on"] for e in p["enrollments"] if e["ended_on"]]
        special += [since + d * DAY for since, _ in history[1:] for d in (-1, 0)]
        contact_day = st.one_of(day, st.sampled_from(special)) if special else day
        p["contacts"] = []
        for _ in range(draw(st.integers(0, 5))):
            kind = draw(st.sampled_from([k.value for k in Contact.Kind]))
            p["contacts"].append(
                {
                    "ward": draw(wards_of_p),
                    "occurred_on": draw(contact_day),
                    "kind": kind,
                    # a drug test records no counselling topic (contact_record)
                    "topics": []
                    if kind == "drug_test"
                    else draw(st.lists(st.sampled_from(TOPICS), max_size=3, unique=True)),
                    # written down before the n-th group change, or after them all
                    "written": draw(st.integers(1, 3)),
                }
            )
        p["milestones"] = [
            {
                "ward": draw(wards_of_p),
                "occurred_on": draw(contact_day),
                "kind": draw(st.sampled_from([k.value for k in Milestone.Kind])),
            }
            for _ in range(draw(st.integers(0, 3)))
        ]
        p["assessments"] = []
        for _ in range(draw(st.integers(0, 3))):
            days = [a["assessed_on"] for a in p["assessments"]]
            # several on one day now and then: the latest written is the last
            on = draw(st.one_of(day, st.sampled_from(days))) if days else draw(day)
            p["assessments"].append(
                {"ward": draw(wards_of_p), "assessed_on": on, "result": draw(results)}
            )
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
            # every communication kind may record participants (an estimated audience)
            optional = name in figures.optional or (name == "participants" and kind in BROADCASTS)
            if name in figures.required or (optional and draw(st.booleans())):
                a[name] = draw(st.integers(0, 300))
        world.activities.append(a)
    # a department's training, recorded at its district or province
    world.activities.append(
        {
            "unit": draw(st.sampled_from(["district0", "district1", "province"])),
            "occurred_on": draw(day),
            "kind": "training",
            "sessions": draw(st.integers(1, 3)),
            "participants": draw(st.integers(0, 300)),
        }
    )
    for n, c in enumerate(world.clubs):
        for _ in range(draw(st.integers(0, 2))):
            world.activities.append(
                {
                    "unit": c["ward"],
                    "club": n,
                    "occurred_on": within(c["founded_on"], c["closed_on"]),
                    "kind": "club_session",
                    "sessions": 1,
                    "participants": draw(st.integers(0, 40)),
                }
            )
    return world


@dataclass
class Built:
    province: AdminUnit
    districts: list[AdminUnit]
    wards: list[AdminUnit]


def _team(t: dict, ward: AdminUnit, actor, today: datetime.date) -> list[Member]:
    """A team and its members; dissolved through team_dissolve when the world says so and
    the service accepts the day, else written directly."""
    dissolved = t["dissolved_on"]
    service = (
        t["by_service"]
        and dissolved <= today
        and (t["established_on"] is None or t["established_on"] <= dissolved)
    )
    team = Team.objects.create(
        ward=ward,
        name="Đội",
        established_on=t["established_on"],
        dissolved_on=None if service else dissolved,
    )
    members = []
    active_leader = False
    for m in t["members"]:
        m = dict(m)
        if m["role"] == "leader" and m["left_on"] is None:
            # one active leader per team (a database constraint)
            m["role"], active_leader = ("member" if active_leader else "leader"), True
        if service and m["left_on"] is None:
            # the service refuses a member who joined after the dissolution
            m["joined_on"] = min(m["joined_on"], dissolved)
        members.append(Member(team=team, full_name="TV", sex="male", **m))
    members = Member.objects.bulk_create(members)
    if service:
        team_dissolve(actor=actor, team=team, dissolved_on=dissolved)
    return members


def _record(actor, person: Person, contacts: list[dict]) -> None:
    """Write down `contacts` through the service, as a volunteer would."""
    for c in contacts:
        contact_record(
            actor=actor,
            person=person,
            member=None,
            occurred_on=c["occurred_on"],
            kind=c["kind"],
            topics=c["topics"],
        )


def _serviceable(p: dict, today: datetime.date) -> bool:
    """Whether the person's group changes are days person_update accepts: not in the future,
    not after the file was closed."""
    last = min(p["closed_on"] or today, today)
    return p["by_service"] and p["registered_on"] <= today and p["history"][-1][0] <= last


def _history_by_service(actor, person: Person, p: dict, today: datetime.date) -> list[dict]:
    """Write the person's group history as the services do: the first entry as registration
    writes it, each change through person_update (dated back to its day), and the contacts
    through contact_record, each before the change numbered `written` or after them all: as
    it happened, or after the fact. Returns the contacts the service refuses (outside the
    file, or in the future), to be written directly."""
    last = min(p["closed_on"] or today, today)
    fits = [c for c in p["contacts"] if p["registered_on"] <= c["occurred_on"] <= last]
    (first, group), *changes = p["history"]
    GroupChange.objects.create(person=person, group=group, since=first)
    for n, (since, group) in enumerate(changes, start=1):
        _record(actor, person, [c for c in fits if c["written"] == n])
        person = person_update(
            actor=actor, person=person, group=group, group_since=since, group_reason="Sửa nhóm"
        )
    _record(actor, person, [c for c in fits if c["written"] > len(changes)])
    return [c for c in p["contacts"] if not any(c is f for f in fits)]


def build(world: World) -> Built:
    """Write the world's rows, directly in a handful of queries, but for the few written
    through services (team_dissolve, contact_record)."""
    today = timezone.localdate()
    actor = f.user()
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
        members += _team(t, wards[t["ward"]], actor, today)

    programmes = dict(
        Programme.objects.filter(code__in=PROGRAMMES + CLUB_PROGRAMMES).values_list("code", "pk")
    )
    clubs = Club.objects.bulk_create(
        Club(
            ward=wards[c["ward"]],
            programme_id=programmes[c["programme"]],
            name=c["name"],
            founded_on=c["founded_on"],
            closed_on=c["closed_on"],
        )
        for c in world.clubs
    )
    persons = Person.objects.bulk_create(
        Person(
            ward=wards[p["ward"]],
            registered_ward=wards[p["registered_ward"]],
            full_name="Người",
            search_key="nguoi",
            sex="male",
            birth_year=1990,
            # a person whose changes go through person_update starts in their first group
            group=p["history"][0][1] if _serviceable(p, today) else p["group"],
            registered_on=p["registered_on"],
            consent_on=p["registered_on"],
            status="closed" if p["closed_on"] else "active",
            closed_on=p["closed_on"],
            closed_reason="other" if p["closed_on"] else "",
        )
        for p in world.persons
    )
    enrollments, assignments, contacts, topics, milestones, referrals = [], [], [], [], [], []
    assessments, history = [], []
    for n, (person, p) in enumerate(zip(persons, world.persons, strict=True)):
        for e in p["enrollments"]:
            enrollments.append(
                Enrollment(
                    person=person,
                    programme_id=programmes[e["programme"]],
                    club=None if e["club"] is None else clubs[e["club"]],
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
        direct = p["contacts"]
        if _serviceable(p, today):
            direct = _history_by_service(actor, person, p, today)
        else:
            history += [GroupChange(person=person, group=g, since=s) for s, g in p["history"]]
        for c in direct:
            contact = Contact(
                person=person,
                ward=wards[c["ward"]],
                person_group=group_of(p, c["occurred_on"]),
                occurred_on=c["occurred_on"],
                kind=c["kind"],
            )
            contacts.append(contact)
            topics += [ContactTopic(contact=contact, topic=t) for t in c["topics"]]
        milestones += [
            Milestone(person=person, **dict(m, ward=wards[m["ward"]])) for m in p["milestones"]
        ]
        assessments += [
            Assessment(person=person, **dict(a, ward=wards[a["ward"]])) for a in p["assessments"]
        ]
        referrals += [
            Referral(person=person, **dict(r, ward=wards[r["ward"]])) for r in p["referrals"]
        ]
    GroupChange.objects.bulk_create(history)
    Enrollment.objects.bulk_create(enrollments)
    Assignment.objects.bulk_create(assignments)
    Contact.objects.bulk_create(contacts)
    ContactTopic.objects.bulk_create(topics)
    Milestone.objects.bulk_create(milestones)
    Assessment.objects.bulk_create(assessments)
    Referral.objects.bulk_create(referrals)
    named = {"district0": districts[0], "district1": districts[1], "province": province}
    Activity.objects.bulk_create(
        Activity(
            **dict(
                a,
                unit=named[a["unit"]] if isinstance(a["unit"], str) else wards[a["unit"]],
                club=clubs[a["club"]] if "club" in a else None,
            )
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


def history(person: Person, *entries: tuple[datetime.date, str]) -> None:
    """The person's group history, written directly: (since, group) entries."""
    GroupChange.objects.bulk_create(
        GroupChange(person=person, since=since, group=group) for since, group in entries
    )


def reached(v: dict) -> tuple[int, int, int]:
    return tuple(v[f"casework.persons_reached{sub}"] for sub in ("", ".high_risk", ".using"))


@pytest.mark.django_db
def test_a_contact_written_after_a_group_correction_counts_under_the_group_of_its_day(world):
    """The case of issue 20: a visit on the 28th while the person was high-risk, the group
    corrected from the 30th, the visit written down on the 3rd: it counts as high-risk."""
    actor = world.leader
    person = f.person(ward=world.ward_a, group="high_risk", registered_on=D(2024, 1, 10))
    history(person, (D(2024, 1, 10), "high_risk"))
    visit = dict(actor=actor, person=person, member=None, kind="home_visit")
    on_time = contact_record(**visit, occurred_on=D(2024, 3, 20))
    person_update(
        actor=actor,
        person=person,
        group="addicted",
        group_since=D(2024, 3, 30),
        group_reason="Kết quả xét nghiệm",
    )
    late = contact_record(**visit, occurred_on=D(2024, 3, 28))
    after = contact_record(**visit, occurred_on=D(2024, 3, 30))
    on_time.refresh_from_db()
    groups = [c.person_group for c in (on_time, late, after)]
    assert groups == ["high_risk", "high_risk", "addicted"]
    assert reached(figures(world.ward_a, "2024-03")) == (1, 1, 1)
    assert reached(figures(world.district_a, "2024-03-01..2024-03-29")) == (1, 1, 0)
    assert reached(figures(world.province, "2024-03-30..2024-04-03")) == (1, 0, 1)


@pytest.mark.django_db
def test_the_oracle_counts_the_group_of_the_day_and_finds_a_contact_stored_otherwise(world):
    person = f.person(ward=world.ward_a, group="addicted")
    history(person, (D(2024, 1, 10), "high_risk"), (D(2024, 4, 1), "addicted"))
    f.contact(person=person, person_group="high_risk", occurred_on=D(2024, 3, 31))
    wrong = f.contact(person=person, person_group="addicted", occurred_on=D(2024, 3, 31))
    legacy = f.person(ward=world.ward_a, group="sex_work")  # no history: their group
    f.contact(person=legacy, occurred_on=D(2024, 3, 1))
    rows = oracle.load()
    assert oracle.misgrouped(rows) == [(wrong.pk, "addicted", "high_risk")]
    v, _ = oracle.recompute(rows, world.ward_a.pk, D(2024, 3, 1), D(2024, 3, 31))
    assert reached(v) == (2, 1, 0) and v["casework.persons_reached.sex_work"] == 1
    v, _ = oracle.recompute(rows, world.ward_a.pk, D(2024, 3, 31), D(2024, 4, 1))
    assert reached(v) == (1, 1, 0)


@pytest.mark.django_db
def test_each_person_counts_by_their_last_assessment_in_the_period_and_the_scope(world):
    def assess(person, ward, day, result):
        Assessment.objects.create(person=person, ward=ward, assessed_on=day, result=result)

    moved = f.person(ward=world.ward_a)
    assess(moved, world.ward_a, D(2024, 2, 1), "progressing")
    assess(moved, world.ward_b, D(2024, 5, 1), "relapsed")
    assess(moved, world.ward_b, D(2024, 5, 1), "not_progressing")  # same day, written later
    stayed = f.person(ward=world.ward_a)
    assess(stayed, world.ward_a, D(2024, 3, 1), "not_progressing")
    assess(stayed, world.ward_a, D(2024, 6, 30), "progressing")
    assess(stayed, world.ward_a, D(2024, 7, 1), "relapsed")

    def results(v):
        return tuple(
            v[f"casework.assessed{r}"]
            for r in ("", ".progressing", ".not_progressing", ".relapsed")
        )

    assert results(figures(world.province, "2024-H1")) == (2, 1, 1, 0)
    # each child by the person's last assessment among the child's own
    assert results(column(world.province, "2024-H1", world.district_a)) == (2, 2, 0, 0)
    assert results(column(world.province, "2024-H1", world.district_b)) == (1, 0, 1, 0)
    assert results(figures(world.district_a, "2024-H1")) == (2, 2, 0, 0)
    assert results(figures(world.province, "2024")) == (2, 0, 1, 1)
    assert results(figures(world.province, "2024-05")) == (1, 0, 1, 0)


@pytest.mark.django_db
def test_programmes_and_clubs_count_to_their_last_day(world):
    b93 = f.programme("club_b93")
    club = Club.objects.create(
        ward=world.ward_a,
        programme=b93,
        name="CLB B93",
        founded_on=D(2024, 1, 15),
        closed_on=D(2024, 6, 30),
    )
    whole = f.person(ward=world.ward_a)
    f.enrollment(
        person=whole,
        programme=b93,
        club=club,
        started_on=D(2024, 1, 15),
        ended_on=D(2024, 6, 30),
        end_reason="completed",
    )
    spring = f.person(ward=world.ward_a)
    f.enrollment(
        person=spring,
        programme=b93,
        club=club,
        started_on=D(2024, 3, 1),
        ended_on=D(2024, 4, 30),
        end_reason="other",
    )
    clubless = f.person(ward=world.ward_a)
    f.enrollment(person=clubless, programme=b93, started_on=D(2024, 5, 1))
    Activity.objects.create(
        unit=world.ward_a,
        club=club,
        kind="club_session",
        occurred_on=D(2024, 3, 5),
        participants=12,
    )

    def clubs(v):
        return tuple(
            v[f"programmes.{name}"]
            for name in (
                "clubs",
                "club_members",
                "club_members_in_period",
                "enrolled.club_b93",
                "new.club_b93",
                "took_part.club_b93",
            )
        )

    v = figures(world.district_a, "2024-H1")
    assert clubs(v) == (1, 1, 2, 2, 3, 3)  # the club and its member hold on their last day
    assert (v["casework.group_sessions"], v["casework.group_participants"]) == (1, 12)
    assert clubs(column(world.district_a, "2024-H1", world.ward_a)) == (1, 1, 2, 2, 3, 3)
    assert clubs(figures(world.ward_a, "2024-06-30..2024-06-30")) == (1, 1, 1, 2, 0, 2)
    assert clubs(figures(world.province, "2024-H2")) == (0, 0, 0, 1, 0, 1)
    assert clubs(figures(world.ward_b, "2024-H1")) == (0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_departments_training_counts_at_its_unit_and_above_never_in_a_ward(world):
    def activity(unit, kind, **figures):
        Activity.objects.create(unit=unit, kind=kind, occurred_on=D(2024, 4, 2), **figures)

    activity(world.district_a, "training", sessions=2, participants=60)
    activity(world.province, "training", participants=30)
    activity(world.ward_a, "radio", sessions=35, minutes=525)
    activity(world.ward_a, "loudspeaker", sessions=4, minutes=120, participants=1535)

    def training(v):
        return v["team.trainings"], v["team.trainees"]

    v = figures(world.ward_a, "2024-Q2")
    assert training(v) == (0, 0)
    assert (v["outreach.minutes.radio"], v["outreach.minutes.loudspeaker"]) == (525, 120)
    assert v["outreach.radio_minutes"] == 645 and v["outreach.sessions"] == 39
    assert v["outreach.participants.loudspeaker"] == v["outreach.participants"] == 1535
    assert training(figures(world.district_a, "2024-Q2")) == (2, 60)
    assert training(column(world.district_a, "2024-Q2", world.ward_a)) == (0, 0)
    assert training(figures(world.province, "2024-Q2")) == (3, 90)
    assert training(column(world.province, "2024-Q2", world.district_a)) == (2, 60)
    assert training(column(world.province, "2024-Q2", world.district_b)) == (0, 0)
    assert training(figures(world.district_b, "2024-Q2")) == (0, 0)


@pytest.mark.django_db
def test_persons_met_and_counselled_by_topic_loans_and_training_or_job(world):
    actor = world.leader
    one, two = f.person(ward=world.ward_a), f.person(ward=world.ward_b)
    day = dict(actor=actor, member=None, occurred_on=D(2024, 2, 5))
    contact_record(person=one, kind="home_visit", topics=["psychological", "legal"], **day)
    contact_record(person=one, kind="phone", topics=["legal", "health"], **day)
    contact_record(person=two, kind="meeting", topics=["career"], **day)
    contact_record(person=two, kind="drug_test", **day)
    done = dict(status="completed", referred_on=D(2024, 2, 1), status_on=D(2024, 3, 1))
    f.referral(person=one, kind="loan", amount=10_000_000, **done)
    f.referral(person=two, kind="loan", amount=6_000_000, for_household=True, **done)
    f.referral(person=one, kind="vocational_training", **done)
    f.referral(person=one, kind="job", **done)
    f.referral(person=two, kind="job", **done)

    v = figures(world.province, "2024-Q1")
    assert v["casework.persons_met_direct"] == 2
    assert [v[f"casework.counselled.{t}"] for t in oracle.TOPICS] == [1, 1, 1, 1, 0]
    assert v["casework.counselling_indirect"] == 1 and v["casework.drug_tests"] == 1
    assert (v["support.loan_amount.persons"], v["support.loan_amount.households"]) == (
        10_000_000,
        6_000_000,
    )
    assert v["support.loan_amount"] == 16_000_000
    assert (v["support.vocational_training"], v["support.jobs"]) == (1, 2)
    assert v["support.training_or_job"] == 2
    a = column(world.province, "2024-Q1", world.district_a)
    assert (a["casework.persons_met_direct"], a["casework.counselled.health"]) == (1, 1)
    assert (a["support.training_or_job"], a["support.loan_amount.households"]) == (1, 0)


@pytest.mark.django_db
def test_a_person_who_changed_group_counts_once_in_the_total_and_in_both_sub_rows(world):
    person = f.person(ward=world.ward_a, group="addicted")
    history(person, (D(2024, 1, 10), "high_risk"), (D(2024, 4, 1), "addicted"))
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


# -- the demo --------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo (seed_demo: Hà Nội, Quận Đống Đa's wards before and after the 2025 merger),
    seeded once for the class and rolled back after it; its rows as the oracle reads them."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield oracle.load()
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestTheDemo:
    """Every figure of the demo's reports equals the oracle's, in the district's wards before
    the merger, in the wards that followed it, and for the city."""

    @pytest.mark.parametrize(
        ("code", "spec", "cutoff"),
        [
            (wards_demo.DISTRICT_CODE, "2024-H1", "calendar"),
            (wards_demo.DISTRICT_CODE, "2025", "official"),
            (wards_demo.PROVINCE_CODE, "2025-H2", "calendar"),
            (wards_demo.PROVINCE_CODE, "2026-Q3", "official"),
        ],
    )
    def test_a_report_equals_the_oracle(self, demo, code, spec, cutoff):
        assert_agrees(AdminUnit.objects.get(code=code), parse(spec, cutoff), demo)

    def test_a_ward_equals_the_oracle_before_and_after_the_merger(self, demo):
        for name in (wards_demo.VMQTG, wards_demo.KIM_LIEN):
            ward = AdminUnit.objects.get(name=name, valid_until__isnull=True)
            for spec in ("2024", "2025-H2", "2026-01-01..2026-11-15"):
                assert_agrees(ward, parse(spec), demo)

    def test_the_demo_exercises_every_new_rule(self, demo):
        """So that the comparisons above mean something for them: the demo has group
        corrections, topics, assessments, clubs, broadcasts with an audience, split loans and
        a department's trainings."""
        persons = demo.persons
        assert any(c["person_group"] != persons[c["person_id"]]["group"] for c in demo.contacts)
        assert not oracle.misgrouped(demo)
        communes = set(
            AdminUnit.objects.filter(level=AdminUnit.Level.COMMUNE).values_list("pk", flat=True)
        )
        assert any(
            a["kind"] == "training" and a["unit_id"] not in communes for a in demo.activities
        )
        city = AdminUnit.objects.get(code=wards_demo.PROVINCE_CODE)
        period = parse("2024..2026")
        v, _ = oracle.recompute(demo, city.pk, period.start, period.end)
        zero = [
            code
            for code in (
                "outreach.minutes.radio",
                "outreach.minutes.loudspeaker",
                "outreach.participants.loudspeaker",
                "casework.persons_met_direct",
                *(f"casework.counselled.{topic}" for topic in oracle.TOPICS),
                *(f"casework.assessed.{result}" for result in oracle.RESULTS),
                "programmes.clubs",
                "programmes.club_members",
                "programmes.club_members_in_period",
                "support.loan_amount.persons",
                "support.loan_amount.households",
                "support.training_or_job",
            )
            if not v[code]
        ]
        assert zero == []
