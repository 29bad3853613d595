"""`plan()`: the whole outreach drawn from one seeded generator, and `cached_plan`, the same
plan computed once per process.
"""

from __future__ import annotations

import datetime
import functools
import random

from cases import demo as cases_demo
from outreach.demo.activities import _Context, _department_trainings, _Notebook
from outreach.demo.partners import _Partners
from outreach.demo.plans import ActivityPlan, Plan
from outreach.demo.referrals import _Referrals
from outreach.demo.vocabulary import SEED, _merged_into
from wards import demo as wards_demo


def plan(until: datetime.date) -> Plan:
    """The whole outreach up to `until` (the day of the run), drawn from one seeded generator:
    the same on every run for the same day."""
    cp = cases_demo.cached_plan(until)  # computed once per process and day by cases.demo
    with cases_demo.history_until(until):
        return _plan(cp)


def _plan(cp: cases_demo.Plan) -> Plan:
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    wp = wards_demo.plan()
    streets = dict(cases_demo.STREETS)
    for ward in wards_demo.SUCCESSORS:
        streets[ward] = tuple(s for c in _merged_into(ward) for s in cases_demo.STREETS[c])
    streets["district"] = tuple(s for c, _, _ in wards_demo.OLD_WARDS for s in streets[c])
    streets["province"] = streets["district"]
    partners = _Partners(rng, streets)
    partners.build()
    ctx = _Context(rng, wp, cp, partners, streets)
    activities = []
    for team in wp.old_teams + wp.new_teams:
        activities += _Notebook(rng, team.ward, team, ctx).run()
    activities += _department_trainings(rng, ctx)
    activities.sort(key=lambda a: (a.occurred_on, a.ward, a.kind))
    activities = _without_copies(activities)
    referrals = _Referrals(rng, wp, cp, partners).run()
    return Plan(partners=partners.plans, activities=activities, referrals=referrals)


def _without_copies(activities: list[ActivityPlan]) -> list[ActivityPlan]:
    """The activities but those repeating an earlier one's unit, day, kind, title, figures and
    place: the draw can give two, and the checks before submitting (reports.checks) would
    take them for a line entered twice."""
    seen, out = set(), []
    for a in activities:
        key = (a.ward, a.occurred_on, a.kind, a.title, a.sessions, a.participants, a.items)
        key += (a.minutes, a.place)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


cached_plan = functools.cache(plan)  # the plan of a day never changes: compute it once
