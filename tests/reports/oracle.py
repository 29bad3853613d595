"""A plain-Python recomputation of every report figure, from the raw rows.

Written from INDICATORS.md and DESIGN.md alone, without `reports.rollup`: the rows are read
with `.values()` and every rule is applied in Python, one record at a time, so that a mistake
in the grouped SQL of the rollup cannot hide in the test as well.

    rows = load()
    values, by_child = recompute(rows, unit_id, start, end)

`values` holds every code of the catalogue for the unit; `by_child` the same for each child
unit that existed during the period, keyed by the child's id. `misgrouped(rows)` lists the
contacts whose stored group is not the group in force on their day by the group history.

Where INDICATORS.md leaves the unit of a record open, each counts where its own row says: an
activity in `Activity.unit` (a district's or province's training counts there and above, in
no ward), an enrolment (club members included) in `Enrollment.ward`, a club in `Club.ward`, an
assessment in `Assessment.ward`. A contact counts under the group of its day by the history
(`GroupChange`), not by its stored column, which `misgrouped` checks apart. A person's last
assessment is taken among the assessments of the scope being counted (a child unit's own, for
its column): the latest `assessed_on`, then the highest id.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

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
from outreach.models import Activity, Referral
from wards.models import AdminUnit, Member, Team

# Spelled out from INDICATORS.md rather than imported, so a wrong constant shows.
COMMUNICATION = ("community_meeting", "school_talk", "radio", "loudspeaker", "seminar", "film")
GROUPS = ("high_risk", "drug_user", "addicted", "post_rehab", "sex_work", "trafficking", "other")
ROLES = ("leader", "deputy", "member")
POSITIVE = ("voluntary_rehab", "methadone", "job", "training_done", "no_relapse_1y")
TOPICS = ("psychological", "career", "legal", "health", "family")
RESULTS = ("progressing", "not_progressing", "relapsed")
# The sub-rows of casework.persons_reached, by the group of the contact's day.
REACHED = {
    "high_risk": "high_risk",
    "drug_user": "using",
    "addicted": "using",
    "post_rehab": "using",
    "sex_work": "sex_work",
    "trafficking": "trafficking",
}


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
    programmes: list[str] = field(default_factory=list)
    clubs: dict[int, dict] = field(default_factory=dict)
    topics: list[dict] = field(default_factory=list)
    assessments: list[dict] = field(default_factory=list)
    group_changes: list[dict] = field(default_factory=list)
    enrollments_of: dict[int, list[dict]] = field(default_factory=dict)
    topics_of: dict[int, set[str]] = field(default_factory=dict)
    history_of: dict[int, list[dict]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for e in self.enrollments:
            self.enrollments_of.setdefault(e["person_id"], []).append(e)
        for t in self.topics:
            self.topics_of.setdefault(t["contact_id"], set()).add(t["topic"])
        for g in sorted(self.group_changes, key=lambda g: (g["since"], g["id"])):
            self.history_of.setdefault(g["person_id"], []).append(g)


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
                "programme__code",
                "club_id",
            )
        ),
        assignments=list(Assignment.objects.values("person_id", "started_on", "ended_on")),
        contacts=list(
            Contact.objects.values(
                "id", "person_id", "ward_id", "person_group", "occurred_on", "kind"
            )
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
        programmes=list(Programme.objects.values_list("code", flat=True)),
        clubs={c["id"]: c for c in Club.objects.values("id", "ward_id", "founded_on", "closed_on")},
        topics=list(ContactTopic.objects.values("contact_id", "topic")),
        assessments=list(
            Assessment.objects.values("id", "person_id", "ward_id", "assessed_on", "result")
        ),
        group_changes=list(GroupChange.objects.values("id", "person_id", "group", "since")),
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


def _overlap(*spans) -> bool:
    """Whether the (first, last) spans share a day; None is an open end."""
    firsts = [a for a, _ in spans if a is not None]
    lasts = [b for _, b in spans if b is not None]
    return not firsts or not lasts or max(firsts) <= min(lasts)


def group_on(rows: Rows, person_id: int, day: datetime.date) -> str:
    """The person's group on `day` by their group history: the entry with the latest `since`
    on or before it; before the first entry, or with no history, the person's group."""
    entries = [g for g in rows.history_of.get(person_id, ()) if g["since"] <= day]
    return entries[-1]["group"] if entries else rows.persons[person_id]["group"]


def misgrouped(rows: Rows) -> list[tuple[int, str, str]]:
    """The contacts whose stored group differs from the group of their day in the history:
    (contact id, stored, by the history)."""
    out = []
    for c in rows.contacts:
        by_history = group_on(rows, c["person_id"], c["occurred_on"])
        if c["person_group"] != by_history:
            out.append((c["id"], c["person_group"], by_history))
    return out


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
            v[f"outreach.minutes.{kind}"] += a["minutes"] or 0
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
        # the group of the contact's day by the history, not the stored column (checked
        # against it apart, by misgrouped)
        sub = REACHED.get(group_on(rows, c["person_id"], c["occurred_on"]))
        if sub:
            reached[sub].add(c["person_id"])
        for topic in rows.topics_of.get(c["id"], ()):
            reached[f"topic.{topic}"].add(c["person_id"])
        kind = c["kind"]
        if kind in ("home_visit", "meeting"):
            v["casework.counselling_direct"] += 1
            reached["direct"].add(c["person_id"])
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
    v["casework.persons_met_direct"] = len(reached["direct"])
    for topic in TOPICS:
        v[f"casework.counselled.{topic}"] = len(reached[f"topic.{topic}"])

    # Assessments: each person's last one in the period among these units' (latest day, then
    # the latest written)
    last: dict[int, dict] = {}
    for a in rows.assessments:
        if a["ward_id"] not in units or not _within(a["assessed_on"], start, end):
            continue
        before = last.get(a["person_id"])
        if before is None or (a["assessed_on"], a["id"]) > (before["assessed_on"], before["id"]):
            last[a["person_id"]] = a
    v["casework.assessed"] = len(last)
    for result in RESULTS:
        v[f"casework.assessed.{result}"] = sum(1 for a in last.values() if a["result"] == result)

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

    # Programmes and clubs (an enrolment counts in its own ward, a club in its ward)
    by_programme: dict[str, set[int]] = defaultdict(set)
    for e in rows.enrollments:
        if e["ward_id"] not in units:
            continue
        code, person = e["programme__code"], e["person_id"]
        if _holds(e["started_on"], e["ended_on"], end):
            by_programme[f"programmes.enrolled.{code}"].add(person)
        if _within(e["started_on"], start, end):
            by_programme[f"programmes.new.{code}"].add(person)
        if _overlap((start, end), (e["started_on"], e["ended_on"])):
            by_programme[f"programmes.took_part.{code}"].add(person)
        club = rows.clubs.get(e["club_id"])
        if club is None:
            continue
        if _holds(e["started_on"], e["ended_on"], end) and _holds(
            club["founded_on"], club["closed_on"], end
        ):
            by_programme["programmes.club_members"].add(person)
        # a member on a day of the period on which both the enrolment and the club held
        if _overlap(
            (start, end), (e["started_on"], e["ended_on"]), (club["founded_on"], club["closed_on"])
        ):
            by_programme["programmes.club_members_in_period"].add(person)
    for code, persons in by_programme.items():
        v[code] = len(persons)
    v["programmes.clubs"] = sum(
        1
        for c in rows.clubs.values()
        if c["ward_id"] in units and _holds(c["founded_on"], c["closed_on"], end)
    )

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
                v["support.loan_amount.households"] += amount
            else:
                persons_by["loan"].add(r["person_id"])
                v["support.loan_amount.persons"] += amount
        elif kind == "gift":
            v["support.gifts"] += 1
            v["support.gift_amount"] += amount
        else:
            persons_by[kind].add(r["person_id"])
            if kind in ("vocational_training", "job"):
                persons_by["training_or_job"].add(r["person_id"])
    for code, kind in (
        ("support.loan_persons", "loan"),
        ("support.vocational_training", "vocational_training"),
        ("support.jobs", "job"),
        ("support.training_or_job", "training_or_job"),
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
            "minutes.radio",
            "minutes.loudspeaker",
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
    "casework.persons_met_direct",
    *(f"casework.counselled.{t}" for t in TOPICS),
    "casework.group_sessions",
    "casework.group_participants",
    "casework.drug_tests",
    "casework.positive_change",
    "casework.to_voluntary_rehab",
    "casework.to_methadone",
    "casework.to_compulsory_rehab",
    "casework.self_declared",
    "casework.assessed",
    *(f"casework.assessed.{r}" for r in RESULTS),
    "programmes.clubs",
    "programmes.club_members",
    "programmes.club_members_in_period",
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
    "support.loan_amount.persons",
    "support.loan_amount.households",
    "support.vocational_training",
    "support.jobs",
    "support.training_or_job",
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


def codes(rows: Rows) -> tuple[str, ...]:
    """Every code: the fixed ones and the three of each programme in the database."""
    per_programme = (
        f"programmes.{figure}.{code}"
        for code in rows.programmes
        for figure in ("enrolled", "new", "took_part")
    )
    return (*ALL_CODES, *per_programme)


def _complete(values: dict, all_codes: tuple[str, ...]) -> dict[str, int]:
    unknown = set(values) - set(all_codes)
    assert not unknown, f"the oracle computed codes it does not declare: {unknown}"
    return {code: values.get(code, 0) for code in all_codes}


def recompute(
    rows: Rows, unit_id: int, start: datetime.date, end: datetime.date
) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """The unit's figures and each child unit's, for [start, end]."""
    all_codes = codes(rows)
    in_scope = scope(rows, unit_id)
    kids = children(rows, unit_id, start, end)
    homes = {uid: home(rows, uid, kids) for uid in in_scope}
    by_child = {
        kid: _complete(
            figures(rows, {u for u, h in homes.items() if h == kid}, start, end), all_codes
        )
        for kid in kids
    }
    return _complete(figures(rows, in_scope, start, end), all_codes), by_child
