"""`plan()`: the whole casework drawn from one seeded generator, and `cached_plan`, the same
plan computed once per process.
"""

from __future__ import annotations

import datetime
import functools
import random
from collections import defaultdict

from cases.demo.casework import _casework, _Roster
from cases.demo.plans import ClubPlan, PersonPlan, Plan
from cases.demo.registrar import _Registrar
from cases.demo.story import _Story
from cases.demo.vocabulary import (
    CLUB_NAMES,
    CLUB_SEATS,
    CLUB_WARDS,
    EARLY_WARDS,
    FAR,
    FIRST_REASON,
    HISTORY,
    MERGED_ON,
    RECENT_GROUPS,
    SEED,
    VOLUNTEER,
    G,
    _between,
    _days,
    _pick,
    history_until,
    until,
)
from cases.services import add_months
from wards import demo as wards_demo
from wards.models import Member


def plan(until: datetime.date) -> Plan:
    """The whole casework up to `until` (the day of the run), drawn from one seeded generator:
    the same on every run for the same day."""
    with history_until(until):
        return _plan()


def _plan() -> Plan:
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    wp = wards_demo.plan()
    teams = {t.ward: t for t in wp.old_teams + wp.new_teams}
    taken = {m.full_name for t in teams.values() for m in t.members}
    clubs = _clubs()
    registrar = _Registrar(rng, taken, clubs)

    persons = []
    for code, _, successor in wards_demo.OLD_WARDS:
        founded = teams[code].established_on
        # The team takes over the commune's list in its first weeks, then registers more.
        for _ in range(
            rng.randint(36, 40)
            if successor == wards_demo.LANG or code in CLUB_WARDS
            else rng.randint(25, 38)
        ):
            if rng.random() < 0.2:
                day = _between(rng, founded, founded + _days(60))
            else:
                day = _between(rng, founded + _days(60), MERGED_ON - _days(10))
            # An early-intervention club brings the team more young people at risk.
            early = EARLY_WARDS.get(code)
            group = G.HIGH_RISK if early and early <= day and rng.random() < 0.12 else None
            persons.append(registrar.person(day, code, successor, wp.areas, group=group))
    for ward in wards_demo.SUCCESSORS:
        founded = teams[ward].established_on
        for _ in range(rng.randint(8, 14)):
            day = _between(rng, founded, until() - _days(30))
            group = _pick(rng, RECENT_GROUPS)
            persons.append(registrar.person(day, None, ward, wp.areas, group=group))

    # The demo volunteer's own cases: a post-rehab term ending within a month of the run's day,
    # and someone registered days ago whom nobody has visited yet.
    lang = wards_demo.LANG
    due_soon = add_months(until(), -12) + _days(rng.randint(5, 25))
    p = registrar.person(due_soon, None, lang, wp.areas, group=G.POST_REHAB)
    persons.append(_script(rng, p, due_soon))
    newest = until() - _days(rng.randint(4, 10))
    p = registrar.person(newest, None, lang, wp.areas, group=G.HIGH_RISK)
    p.enrollments, p.milestones, p.closed_on, p.closed_reason = [], [], None, ""
    p.groups, p.pinned, p.unseen = [(newest, G.HIGH_RISK)], True, True
    p.group_notes = {newest: (FIRST_REASON, newest)}
    persons.append(p)

    volunteer = next(
        (t.ward, i) for t in wp.new_teams for i, m in enumerate(t.members) if m.login == VOLUNTEER
    )
    _Roster(rng, teams, volunteer).run(persons)
    # Two of the volunteer's persons have not been seen for seven weeks or more.
    theirs = [
        p
        for p in persons
        if not p.pinned
        and p.closed_on is None
        and p.assignments
        and p.assignments[-1].member == volunteer
        and p.registered_on < until() - _days(200)
    ]
    for p in rng.sample(theirs, min(2, len(theirs))):
        p.silent_after = until() - _days(rng.randint(50, 85))
    for p in persons:
        _casework(rng, p, teams, volunteer)

    leaders = defaultdict(list)
    for ward, team in teams.items():
        for m in team.members:
            if m.role == Member.Role.LEADER and m.login:
                leaders[ward].append((m.joined_on, m.left_on or FAR, m.login))
    members = {ward: [m.full_name for m in t.members] for ward, t in teams.items()}
    return Plan(persons=persons, clubs=clubs, members=members, leaders=dict(leaders))


cached_plan = functools.cache(plan)  # the plan of a day never changes: compute it once


def _clubs() -> list[ClubPlan]:
    """The clubs of CLUB_SEATS, and the clubs their successor wards founded on 1 July 2025
    for the members of those that met until the merger."""
    names = {code: name for code, name, _ in wards_demo.OLD_WARDS}
    successors = {code: successor for code, _, successor in wards_demo.OLD_WARDS}
    clubs, later = [], {}
    for code, programme, founded_on, closed_on in CLUB_SEATS:
        name = f"{CLUB_NAMES[programme]} {_lower(names[code])}"
        clubs.append(
            ClubPlan(code, programme, name, founded_on, closed_on or wards_demo.DISSOLVED_ON)
        )
        if closed_on is None:
            ward = successors[code]
            later[ward, programme] = ClubPlan(
                ward, programme, f"{CLUB_NAMES[programme]} {_lower(ward)}", MERGED_ON, None
            )
    return clubs + list(later.values())


def _lower(name: str) -> str:
    """A unit's name inside a sentence: «phường Thổ Quan»."""
    return name[0].lower() + name[1:]


def _script(rng: random.Random, p: PersonPlan, started: datetime.date) -> PersonPlan:
    """Back from voluntary treatment, under post-rehab management since `started`, no
    relapse: the volunteer's case whose term ends soon."""
    story = _Story(rng, p.birth_year)
    story.relapses = False
    story.run(started, G.POST_REHAB, "post_rehab_12", reason=FIRST_REASON)
    p.groups, p.enrollments = story.groups, story.enrollments
    p.group_notes = {day: (story.reasons[day], day) for day, _ in story.groups}
    p.milestones = sorted(story.milestones, key=lambda m: m.occurred_on)
    p.closed_on, p.closed_reason, p.away, p.pinned = None, "", [], True
    p.history_notes = HISTORY[G.POST_REHAB][1]
    return p
