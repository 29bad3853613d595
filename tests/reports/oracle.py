"""A plain-Python recomputation of every report figure, from the raw rows.

Written from INDICATORS.md and DESIGN.md alone, without `reports.rollup`: the rows are read
with `.values()` and every rule is applied in Python, one record at a time, so that a mistake
in the grouped SQL of the rollup cannot hide in the test as well.

    rows = load()
    values, by_child = recompute(rows, unit_id, start, end)

`values` holds every code of the catalogue for the unit; `by_child` the same for each child
unit that existed during the period, keyed by the child's id.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from cases.models import Assignment, Contact, Enrollment, Milestone, Person
from outreach.models import Activity, Referral
from wards.models import AdminUnit, Member, Team

# Spelled out from INDICATORS.md rather than imported, so a wrong constant shows.
COMMUNICATION = ("community_meeting", "school_talk", "radio", "loudspeaker", "seminar", "film")
GROUPS = ("high_risk", "drug_user", "addicted", "post_rehab", "sex_work", "trafficking", "other")
ROLES = ("leader", "deputy", "member")
POSITIVE = ("voluntary_rehab", "methadone", "job", "training_done", "no_relapse_1y")


@dataclass
class Rows:
    units: dict[int, dict]
    persons: dict[int, dict]
    enrollments: list[dict]
    assignments: list[dict]
    contacts: list[dict]
    milestones: list[dict]
    referrals: list[dict]
    activities: list[dict]
    teams: list[dict]
    members: list[dict]
    enrollments_of: dict[int, list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.enrollments:
            self.enrollments_of.setdefault(e["person_id"], []).append(e)


def load() -> Rows:
    """Every row the figures depend on, as dicts (one query per table)."""
    return Rows(
        units={
            u["id"]: u
            for u in AdminUnit.objects.values(
                "id", "code", "parent_id", "successor_id", "valid_from", "valid_until"
            )
        },
        persons={
            p["id"]: p
            for p in Person.objects.values(
                "id",
                "ward_id",
                "registered_ward_id",
                "group",
                "registered_on",
                "closed_on",
            )
        },
        enrollments=list(
            Enrollment.objects.values(
                "person_id",
                "ward_id",
                "started_on",
                "ended_on",
                "end_reason",
                "programme__category",
            )
        ),
        assignments=list(Assignment.objects.values("person_id", "started_on", "ended_on")),
        contacts=list(
            Contact.objects.values("person_id", "ward_id", "person_group", "occurred_on", "kind")
        ),
        milestones=list(Milestone.objects.values("person_id", "ward_id", "occurred_on", "kind")),
        referrals=list(
            Referral.objects.values(
                "person_id",
                "ward_id",
                "kind",
                "referred_on",
                "status",
                "status_on",
                "amount",
                "for_household",
            )
        ),
        activities=list(
            Activity.objects.values(
                "unit_id", "occurred_on", "kind", "sessions", "participants", "items", "minutes"
            )
        ),
        teams=list(Team.objects.values("ward_id", "established_on", "dissolved_on")),
        members=list(
            Member.objects.values(
                "team__ward_id",
                "team__established_on",
                "team__dissolved_on",
                "role",
                "joined_on",
                "left_on",
            )
        ),
    )


# -- units -----------------------------------------------------------------------------------


def _reaches(rows: Rows, start: int, target: int) -> bool:
    """Whether a chain of parent and successor links leads from `start` to `target`: the unit
    lies below `target`, or was merged into it or into a unit below it (or lies below such a
    unit)."""
    seen: set[int] = set()
    todo = [start]
    while todo:
        uid = todo.pop()
        if uid is None or uid in seen:
            continue
        if uid == target:
            return True
        seen.add(uid)
        unit = rows.units[uid]
        todo += [unit["parent_id"], unit["successor_id"]]
    return False


def scope(rows: Rows, unit_id: int) -> set[int]:
    return {uid for uid in rows.units if _reaches(rows, uid, unit_id)}


def _ancestors(rows: Rows, uid: int) -> list[int]:
    """The unit and the units above it, nearest first."""
    out = []
    while uid is not None and uid not in out:
        out.append(uid)
        uid = rows.units[uid]["parent_id"]
    return out


def children(rows: Rows, unit_id: int, start: datetime.date, end: datetime.date) -> list[int]:
    """The unit's child units that existed at some time during [start, end]."""
    return [
        uid
        for uid, u in rows.units.items()
        if u["parent_id"] == unit_id
        and (u["valid_from"] is None or u["valid_from"] <= end)
        and (u["valid_until"] is None or u["valid_until"] >= start)
    ]


def home(rows: Rows, uid: int, kids: Iterable[int]) -> int | None:
    """The child unit a record of unit `uid` counts for: the child whose subtree holds it,
    else the child holding the unit it was merged into (followed as far as it goes)."""
    kids = set(kids)
    seen: set[int] = set()
    while uid is not None and uid not in seen:
        seen.add(uid)
        for above in _ancestors(rows, uid):
            if above in kids:
                return above
        uid = rows.units[uid]["successor_id"]
    return None


# -- figures ---------------------------------------------------------------------------------


def _within(day, start, end) -> bool:
    return day is not None and start <= day <= end


def _holds(started, ended, day) -> bool:
    """Started on or before `day` and ended on or after it (the end is the last day)."""
    return (started is None or started <= day) and (ended is None or ended >= day)


def _ward_at(rows: Rows, person: dict, end: datetime.date) -> int:
    ward = rows.units[person["ward_id"]]
    if ward["valid_from"] is not None and ward["valid_from"] > end:
        return person["registered_ward_id"]
    return person["ward_id"]


def _post_rehab_on(rows: Rows, person_id: int, day: datetime.date) -> bool:
    """Whether the person was under post-rehab management on `day` (any ward)."""
    return any(
        e["programme__category"] == "post_rehab" and _holds(e["started_on"], e["ended_on"], day)
        for e in rows.enrollments_of.get(person_id, ())
    )


def figures(rows: Rows, units: set[int], start: datetime.date, end: datetime.date) -> dict:
    """Every figure over the records of `units` for [start, end]."""
    v: dict[str, int] = defaultdict(int)

    # Activities
    for a in rows.activities:
        if a["unit_id"] not in units or not _within(a["occurred_on"], start, end):
            continue
        kind, sessions = a["kind"], a["sessions"]
        participants, items = a["participants"] or 0, a["items"] or 0
        if kind in COMMUNICATION:
            v["outreach.sessions"] += sessions
            v["outreach.participants"] += participants
            v[f"outreach.sessions.{kind}"] += sessions
            v[f"outreach.participants.{kind}"] += participants
        if kind in ("radio", "loudspeaker"):
            v["outreach.radio_minutes"] += a["minutes"] or 0
        items_code = {
            "leaflets": "outreach.leaflets",
            "banner": "outreach.banners",
            "article": "outreach.articles",
            "pledge": "outreach.pledges",
        }.get(kind)
        if items_code:
            v[items_code] += items
        sessions_code = {
            "police_tip": "enforcement.police_tips",
            "inspection": "enforcement.inspections",
            "patrol": "enforcement.patrols",
            "team_meeting": "team.meetings",
            "training": "team.trainings",
            "club_session": "casework.group_sessions",
        }.get(kind)
        if sessions_code:
            v[sessions_code] += sessions
        if kind == "training":
            v["team.trainees"] += participants
        if kind == "club_session":
            v["casework.group_participants"] += participants

    # Contacts
    reached: dict[str, set[int]] = defaultdict(set)
    group_days: set[tuple] = set()
    for c in rows.contacts:
        if c["ward_id"] not in units or not _within(c["occurred_on"], start, end):
            continue
        reached["all"].add(c["person_id"])
        group = c["person_group"]
        sub = {
            "high_risk": "high_risk",
            "drug_user": "using",
            "addicted": "using",
            "post_rehab": "using",
            "sex_work": "sex_work",
            "trafficking": "trafficking",
        }.get(group)
        if sub:
            reached[sub].add(c["person_id"])
        kind = c["kind"]
        if kind in ("home_visit", "meeting"):
            v["casework.counselling_direct"] += 1
        if kind in ("phone", "via_family"):
            v["casework.counselling_indirect"] += 1
        if kind == "drug_test":
            v["casework.drug_tests"] += 1
        if kind == "group_session":
            group_days.add((c["occurred_on"], c["ward_id"]))
            v["casework.group_participants"] += 1
        if _post_rehab_on(rows, c["person_id"], c["occurred_on"]):
            v["post_rehab.contacts"] += 1
    v["casework.group_sessions"] += len(group_days)
    v["casework.persons_reached"] = len(reached["all"])
    for sub in ("high_risk", "using", "sex_work", "trafficking"):
        v[f"casework.persons_reached.{sub}"] = len(reached[sub])

    # Milestones
    by_kind: dict[str, set[int]] = defaultdict(set)
    for m in rows.milestones:
        if m["ward_id"] not in units or not _within(m["occurred_on"], start, end):
            continue
        kind, person = m["kind"], m["person_id"]
        if kind == "relapsed":
            if _post_rehab_on(rows, person, m["occurred_on"]):
                by_kind["relapsed"].add(person)
        else:
            by_kind[kind].add(person)
        if kind in POSITIVE:
            by_kind["positive"].add(person)
    for code, kind in (
        ("casework.positive_change", "positive"),
        ("casework.to_voluntary_rehab", "voluntary_rehab"),
        ("casework.to_methadone", "methadone"),
        ("casework.to_compulsory_rehab", "compulsory_rehab"),
        ("casework.self_declared", "self_declared"),
        ("post_rehab.relapsed", "relapsed"),
        ("post_rehab.no_relapse_1y", "no_relapse_1y"),
    ):
        v[code] = len(by_kind[kind])

    # Post-rehab enrolments
    managed, new, completed = set(), set(), set()
    for e in rows.enrollments:
        if e["programme__category"] != "post_rehab" or e["ward_id"] not in units:
            continue
        if _holds(e["started_on"], e["ended_on"], end):
            managed.add(e["person_id"])
        if _within(e["started_on"], start, end):
            new.add(e["person_id"])
        if e["end_reason"] == "completed" and _within(e["ended_on"], start, end):
            completed.add(e["person_id"])
    v["post_rehab.managed"] = len(managed)
    v["post_rehab.new"] = len(new)
    v["post_rehab.completed"] = len(completed)

    # Persons
    for p in rows.persons.values():
        if _holds(p["registered_on"], p["closed_on"], end) and _ward_at(rows, p, end) in units:
            v["casework.on_list"] += 1
            v[f"casework.on_list.{p['group']}"] += 1
        if p["registered_ward_id"] in units and _within(p["registered_on"], start, end):
            v["casework.new_persons"] += 1

    # Referrals
    persons_by: dict[str, set[int]] = defaultdict(set)
    for r in rows.referrals:
        if r["ward_id"] not in units:
            continue
        if _within(r["referred_on"], start, end):
            v["support.referrals"] += 1
        if r["status"] != "completed" or not _within(r["status_on"], start, end):
            continue
        kind, amount = r["kind"], r["amount"] or 0
        if kind == "loan":
            v["support.loan_amount"] += amount
            if r["for_household"]:
                v["support.loan_households"] += 1
            else:
                persons_by["loan"].add(r["person_id"])
        elif kind == "gift":
            v["support.gifts"] += 1
            v["support.gift_amount"] += amount
        else:
            persons_by[kind].add(r["person_id"])
    for code, kind in (
        ("support.loan_persons", "loan"),
        ("support.vocational_training", "vocational_training"),
        ("support.jobs", "job"),
        ("support.education", "education"),
        ("support.hardship", "hardship_support"),
    ):
        v[code] = len(persons_by[kind])

    # Teams, members, caseload
    for t in rows.teams:
        if t["ward_id"] in units and _holds(t["established_on"], t["dissolved_on"], end):
            v["team.teams"] += 1
    for m in rows.members:
        if (
            m["team__ward_id"] in units
            and _holds(m["joined_on"], m["left_on"], end)
            and _holds(m["team__established_on"], m["team__dissolved_on"], end)
        ):
            v["team.members"] += 1
            v[f"team.members.{m['role']}"] += 1
    v["team.caseload"] = len(
        {
            a["person_id"]
            for a in rows.assignments
            if _holds(a["started_on"], a["ended_on"], end)
            and _ward_at(rows, rows.persons[a["person_id"]], end) in units
        }
    )
    return dict(v)


ALL_CODES = (
    *(
        f"outreach.{name}"
        for name in (
            "sessions",
            *(f"sessions.{k}" for k in COMMUNICATION),
            "participants",
            *(f"participants.{k}" for k in COMMUNICATION),
            "radio_minutes",
            "leaflets",
            "banners",
            "articles",
            "pledges",
        )
    ),
    "enforcement.police_tips",
    "enforcement.inspections",
    "enforcement.patrols",
    "casework.on_list",
    *(f"casework.on_list.{g}" for g in GROUPS),
    "casework.new_persons",
    "casework.persons_reached",
    "casework.persons_reached.high_risk",
    "casework.persons_reached.using",
    "casework.persons_reached.sex_work",
    "casework.persons_reached.trafficking",
    "casework.counselling_direct",
    "casework.counselling_indirect",
    "casework.group_sessions",
    "casework.group_participants",
    "casework.drug_tests",
    "casework.positive_change",
    "casework.to_voluntary_rehab",
    "casework.to_methadone",
    "casework.to_compulsory_rehab",
    "casework.self_declared",
    "post_rehab.managed",
    "post_rehab.new",
    "post_rehab.completed",
    "post_rehab.contacts",
    "post_rehab.relapsed",
    "post_rehab.no_relapse_1y",
    "support.referrals",
    "support.loan_persons",
    "support.loan_households",
    "support.loan_amount",
    "support.vocational_training",
    "support.jobs",
    "support.education",
    "support.hardship",
    "support.gifts",
    "support.gift_amount",
    "team.teams",
    "team.members",
    *(f"team.members.{r}" for r in ROLES),
    "team.meetings",
    "team.trainings",
    "team.trainees",
    "team.caseload",
)


def _complete(values: dict) -> dict[str, int]:
    unknown = set(values) - set(ALL_CODES)
    assert not unknown, f"the oracle computed codes it does not declare: {unknown}"
    return {code: values.get(code, 0) for code in ALL_CODES}


def recompute(
    rows: Rows, unit_id: int, start: datetime.date, end: datetime.date
) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The unit's figures and each child unit's, for [start, end]."""
    in_scope = scope(rows, unit_id)
    kids = children(rows, unit_id, start, end)
    homes = {uid: home(rows, uid, kids) for uid in in_scope}
    by_child = {
        kid: _complete(figures(rows, {u for u, h in homes.items() if h == kid}, start, end))
        for kid in kids
    }
    return _complete(figures(rows, in_scope, start, end)), by_child
