"""Period tallies for a unit and each of its child units, in a bounded number of queries.

`tally(unit, period)` returns the unit's figure and each child unit's figure for every code of
the catalogue passed in (`catalogue()`, read once per report). Each source (activities,
contacts and their topics, milestones, assessments, enrolments, clubs, persons, referrals,
teams, members, assignments) is read with every indicator of that source as a conditional
aggregate, for the whole unit and grouped by child unit: on PostgreSQL in one query
(`GROUPING SETS`), elsewhere in two. The number of queries never grows with the number of
units, persons or records.

Scope (DESIGN.md): the unit's subtree plus every unit merged into it or into a unit below it.
A record counts for the child unit whose subtree holds its ward, or, for a ward merged away,
for the child holding the ward it was merged into. Distinct persons are counted per level, so
a person met in two wards counts once for their parent.

A person's ward at the end of a period is `Person.ward`, unless that ward did not exist yet
(a ward formed by a merger after the period): then it is the ward they were registered in.

Activities belong to `Activity.unit`, which may be a district or a province (a department's
training): such an activity counts in that unit's report and every report above it, for the
child holding that unit; in the unit's own report it counts only in the total (no child holds
the unit itself), and never in a ward's report.

Rules this module settles where INDICATORS.md leaves a choice:

- `casework.assessed.<result>`: per level, each person's last assessment *within that level's
  scope* and the period: the one with the latest `assessed_on`, ties broken by the highest pk,
  among the person's assessments whose `Assessment.ward` is in the scope (for the unit's
  figure) or held by the same child unit (for a child's figure). A child's column is thus
  what that child's own report shows; a person assessed in two children counts in each child
  by their last assessment there, and in the parent once, by their last assessment anywhere
  in the parent's scope. `casework.assessed` is the distinct persons with any assessment in
  the period and scope.
- `casework.counselled.<topic>`: distinct persons with a contact in the period and scope
  (`Contact.ward`) recording that topic (`ContactTopic`).
- `programmes.*.<programme>`: scope by `Enrollment.ward`. `enrolled`: an enrolment in the
  programme holding on `end`; `new`: one started in the period; `took_part`: one holding on at
  least one day of the period (`started_on` ≤ end and `ended_on` empty or ≥ start).
- `programmes.clubs`: clubs holding on `end` (`founded_on` ≤ end, `closed_on` empty or
  ≥ end), scope by `Club.ward`. `programmes.club_members`: distinct persons with an enrolment
  with a club (`Enrollment.club`) holding on `end`, the club holding on `end` too;
  `programmes.club_members_in_period`: distinct persons with an enrolment with a club such that
  on at least one day of the period both the enrolment and its club hold (the period, the
  enrolment and the club overlap pairwise). Both scope by `Enrollment.ward`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Concat

from cases.models import (
    Assessment,
    Assignment,
    Club,
    Contact,
    ContactTopic,
    Enrollment,
    Milestone,
    Person,
    Programme,
)
from outreach.models import Activity, Referral
from reports.indicators import (
    COMMUNICATION,
    GROUP_LABELS,
    RESULTS,
    ROLE_LABELS,
    TOPICS,
    Catalogue,
    catalogue,
)
from reports.periods import Period
from wards.models import AdminUnit, Member, Team, holds_on

A, K, MK, R = Activity.Kind, Contact.Kind, Milestone.Kind, Referral.Kind
USING = (Person.Group.DRUG_USER, Person.Group.ADDICTED, Person.Group.POST_REHAB)


@dataclass
class Layout:
    """Where each unit of the scope is counted: the unit itself and its child units."""

    unit: AdminUnit
    scope: list[int]
    children: list[AdminUnit]
    child_of: dict[int, int] = field(default_factory=dict)  # scope unit -> child unit

    def when(self, column: str) -> Case | None:
        """A SQL expression naming the child unit of `column` (a unit id), or None."""
        leaves: dict[int, list[int]] = {}
        for leaf, child in self.child_of.items():
            leaves.setdefault(child, []).append(leaf)
        if not leaves:
            return None
        whens = [When(**{f"{column}__in": ids}, then=Value(c)) for c, ids in leaves.items()]
        return Case(*whens, default=Value(0), output_field=IntegerField())

    def lookup(self, column: str) -> ChildOf | None:
        """The same as `when`, as one array subscript per row (PostgreSQL only): a CASE over a
        province's hundred communes costs more than the scan it groups."""
        if not self.child_of:
            return None
        first = self.scope[0]
        table = [0] * (self.scope[-1] - first + 1)
        for leaf, child in self.child_of.items():
            table[leaf - first] = child
        return ChildOf(column, table, first)

    def child(self, column: str, vendor: str) -> Func | Case | None:
        """`lookup` on PostgreSQL, `when` elsewhere."""
        return self.lookup(column) if vendor == "postgresql" else self.when(column)


class ChildOf(Func):
    """`table[column - first]`: the child unit of a unit id, 0 for a unit of the scope that
    no child holds (PostgreSQL arrays count from 1)."""

    output_field = IntegerField()

    def __init__(self, column: str, table: list[int], first: int):
        super().__init__(F(column))
        self.table, self.first = table, first

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(%s::integer[])[{sql} - %s + 1]", [self.table, *params, self.first]


def layout(unit: AdminUnit, period: Period) -> Layout:
    """The unit's scope and its child units that existed during the period (a district's
    wards before July 2025, a province's districts before and its communes after)."""
    scope_ids = AdminUnit.objects.scope_ids([unit])
    units = {
        u.pk: u
        for u in AdminUnit.objects.filter(pk__in=scope_ids).only(
            "pk",
            "code",
            "name",
            "path",
            "parent_id",
            "successor_id",
            "level",
            "valid_from",
            "valid_until",
        )
    }
    children = sorted(
        (
            u
            for u in units.values()
            if u.parent_id == unit.pk
            and (u.valid_from is None or u.valid_from <= period.end)
            and (u.valid_until is None or u.valid_until >= period.start)
        ),
        key=lambda u: (u.name, u.code),
    )
    by_path = {c.path: c.pk for c in children}

    def holder(path: str) -> int | None:
        """The child whose subtree holds `path` ("/01/S03/S03001751-2025/"): the child's path
        is one of its prefixes ending in "/", so a lookup per level, not a scan of children."""
        end = path.find("/", 1)
        while end != -1:
            if (found := by_path.get(path[: end + 1])) is not None:
                return found
            end = path.find("/", end + 1)
        return None

    child_of: dict[int, int] = {}
    for u in units.values():
        seen, current = set(), u
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            child = holder(current.path)
            if child is not None:
                child_of[u.pk] = child
                break
            current = units.get(current.successor_id) if current.successor_id else None
    return Layout(unit, sorted(scope_ids), children, child_of)


# Sources: each returns (queryset filtered to the scope and the period, unit column,
# aggregates). Values of None become 0.

Source = Callable[[Period, list[int]], tuple[QuerySet, str, dict]]


def _in(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lte": period.end})


def _activities(period: Period, scope: list[int]):
    qs = Activity.objects.filter(_in(period, "occurred_on"), unit__in=scope)
    comm = Q(kind__in=COMMUNICATION)
    agg = {
        "outreach.sessions": Sum("sessions", filter=comm),
        "outreach.participants": Sum("participants", filter=comm),
        "outreach.radio_minutes": Sum("minutes", filter=Q(kind__in=[A.RADIO, A.LOUDSPEAKER])),
        "outreach.minutes.radio": Sum("minutes", filter=Q(kind=A.RADIO)),
        "outreach.minutes.loudspeaker": Sum("minutes", filter=Q(kind=A.LOUDSPEAKER)),
        "outreach.leaflets": Sum("items", filter=Q(kind=A.LEAFLETS)),
        "outreach.banners": Sum("items", filter=Q(kind=A.BANNER)),
        "outreach.articles": Sum("items", filter=Q(kind=A.ARTICLE)),
        "outreach.pledges": Sum("items", filter=Q(kind=A.PLEDGE)),
        "enforcement.police_tips": Sum("sessions", filter=Q(kind=A.POLICE_TIP)),
        "enforcement.inspections": Sum("sessions", filter=Q(kind=A.INSPECTION)),
        "enforcement.patrols": Sum("sessions", filter=Q(kind=A.PATROL)),
        "team.meetings": Sum("sessions", filter=Q(kind=A.TEAM_MEETING)),
        "team.trainings": Sum("sessions", filter=Q(kind=A.TRAINING)),
        "team.trainees": Sum("participants", filter=Q(kind=A.TRAINING)),
        "_club_sessions": Sum("sessions", filter=Q(kind=A.CLUB_SESSION)),
        "_club_participants": Sum("participants", filter=Q(kind=A.CLUB_SESSION)),
    }
    for kind in COMMUNICATION:
        agg[f"outreach.sessions.{kind}"] = Sum("sessions", filter=Q(kind=kind))
        agg[f"outreach.participants.{kind}"] = Sum("participants", filter=Q(kind=kind))
    return qs, "unit_id", agg


def _in_post_rehab(person_ref: str, day_ref: str) -> Exists:
    """The person was under post-rehab management on the record's day: an enrolment holding
    on it (its `ended_on`, the last day, included)."""
    covering = Enrollment.objects.holding_on(OuterRef(day_ref)).filter(
        person=OuterRef(person_ref),
        programme__category=Programme.Category.POST_REHAB,
    )
    return Exists(covering)


def _contacts(period: Period, scope: list[int]):
    qs = Contact.objects.filter(_in(period, "occurred_on"), ward__in=scope).annotate(
        _session=Concat(Cast("occurred_on", CharField()), Value("/"), Cast("ward_id", CharField())),
    )
    person = "person_id"

    def contacts(kinds) -> Count:
        # Counts a column the covering index holds (never NULL), so the scan is index-only.
        return Count(person, filter=Q(kind__in=kinds))

    agg = {
        "casework.persons_reached": Count(person, distinct=True),
        "casework.persons_reached.high_risk": Count(
            person, distinct=True, filter=Q(person_group=Person.Group.HIGH_RISK)
        ),
        "casework.persons_reached.using": Count(
            person, distinct=True, filter=Q(person_group__in=USING)
        ),
        "casework.persons_reached.sex_work": Count(
            person, distinct=True, filter=Q(person_group=Person.Group.SEX_WORK)
        ),
        "casework.persons_reached.trafficking": Count(
            person, distinct=True, filter=Q(person_group=Person.Group.TRAFFICKING)
        ),
        "casework.counselling_direct": contacts([K.HOME_VISIT, K.MEETING]),
        "casework.counselling_indirect": contacts([K.PHONE, K.VIA_FAMILY]),
        "casework.persons_met_direct": Count(
            person, distinct=True, filter=Q(kind__in=[K.HOME_VISIT, K.MEETING])
        ),
        "casework.drug_tests": contacts([K.DRUG_TEST]),
        "_group_sessions": Count("_session", distinct=True, filter=Q(kind=K.GROUP_SESSION)),
        "_group_contacts": contacts([K.GROUP_SESSION]),
    }
    return qs, "ward_id", agg


def _topics(period: Period, scope: list[int]):
    """Distinct persons counselled on each topic: the topics of the period's contacts."""
    qs = ContactTopic.objects.filter(_in(period, "contact__occurred_on"), contact__ward__in=scope)
    agg = {
        f"casework.counselled.{topic}": Count(
            "contact__person_id", distinct=True, filter=Q(topic=topic)
        )
        for topic in TOPICS
    }
    return qs, "contact__ward_id", agg


def _post_rehab_contacts(period: Period, scope: list[int]):
    """Contacts with a person under post-rehab management that day. A query of its own: as a
    WHERE clause the check becomes one hash semi-join with the enrolments, where as a filter
    of an aggregate it would be a subquery run once per contact (ten times slower)."""
    qs = Contact.objects.filter(
        _in_post_rehab("person_id", "occurred_on"), _in(period, "occurred_on"), ward__in=scope
    )
    return qs, "ward_id", {"post_rehab.contacts": Count("person_id")}


def _milestones(period: Period, scope: list[int]):
    qs = Milestone.objects.filter(_in(period, "occurred_on"), ward__in=scope).annotate(
        _post_rehab=_in_post_rehab("person_id", "occurred_on")
    )

    def persons(kinds, extra: Q | None = None) -> Count:
        return Count("person_id", distinct=True, filter=Q(kind__in=kinds) & (extra or Q()))

    agg = {
        "casework.positive_change": persons(Milestone.POSITIVE),
        "casework.to_voluntary_rehab": persons([MK.VOLUNTARY_REHAB]),
        "casework.to_methadone": persons([MK.METHADONE]),
        "casework.to_compulsory_rehab": persons([MK.COMPULSORY_REHAB]),
        "casework.self_declared": persons([MK.SELF_DECLARED]),
        "post_rehab.relapsed": persons([MK.RELAPSED], Q(_post_rehab=True)),
        "post_rehab.no_relapse_1y": persons([MK.NO_RELAPSE_1Y]),
    }
    return qs, "ward_id", agg


def _enrollments(period: Period, scope: list[int]):
    end = period.end
    managed = holds_on(end)
    new = _in(period, "started_on")
    completed = _in(period, "ended_on") & Q(end_reason=Enrollment.EndReason.COMPLETED)
    qs = Enrollment.objects.post_rehab().filter(managed | new | completed, ward__in=scope)
    agg = {
        "post_rehab.managed": Count("person_id", distinct=True, filter=managed),
        "post_rehab.new": Count("person_id", distinct=True, filter=new),
        "post_rehab.completed": Count("person_id", distinct=True, filter=completed),
    }
    return qs, "ward_id", agg


def _programmes(period: Period, scope: list[int], codes: tuple[str, ...]):
    """The enrolments holding on at least one day of the period, by programme (`codes`, the
    catalogue's), and the clubs' members among them (the module's docstring)."""
    start, end = period.start, period.end
    took_part = Q(started_on__lte=end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    at_end = holds_on(end)
    new = _in(period, "started_on")
    club_open = Q(club__closed_on__isnull=True)
    with_club = Q(club__isnull=False)
    club_at_end = (
        with_club & at_end & holds_on(end, start="founded_on", end="closed_on", prefix="club__")
    )
    # The period, the enrolment and the club overlap pairwise, so they share a day.
    club_in_period = (
        with_club
        & Q(club__founded_on__lte=end)
        & (club_open | Q(club__closed_on__gte=start))
        & (club_open | Q(club__closed_on__gte=F("started_on")))
        & (Q(ended_on__isnull=True) | Q(ended_on__gte=F("club__founded_on")))
    )
    qs = Enrollment.objects.filter(took_part, ward__in=scope)

    def persons(q: Q) -> Count:
        return Count("person_id", distinct=True, filter=q)

    agg = {
        "programmes.club_members": persons(club_at_end),
        "programmes.club_members_in_period": persons(club_in_period),
    }
    for code in codes:
        of = Q(programme__code=code)
        agg[f"programmes.enrolled.{code}"] = persons(of & at_end)
        agg[f"programmes.new.{code}"] = persons(of & new)
        agg[f"programmes.took_part.{code}"] = persons(of)
    return qs, "ward_id", agg


def _clubs(period: Period, scope: list[int]):
    qs = Club.objects.holding_on(period.end).filter(ward__in=scope)
    return qs, "ward_id", {"programmes.clubs": Count("pk")}


# The prefix of an aggregate that replaces, in a child unit's row, the figure it names (a
# figure whose rule depends on the level: see `_assessments`).
CHILD = "child:"


def _assessments(period: Period, scope: list[int], lay: Layout | None):
    """Distinct persons assessed, and by the result of each person's last assessment within
    the level's scope (the module's docstring): for the whole scope, the assessments with no
    later one of the same person in the scope; for a child unit (given `lay`), with no later
    one in the same child unit, as aggregates named `CHILD` + code."""
    base = Assessment.objects.filter(_in(period, "assessed_on"), ward__in=scope)
    later = Q(assessed_on__gt=OuterRef("assessed_on")) | Q(
        assessed_on=OuterRef("assessed_on"), pk__gt=OuterRef("pk")
    )
    mine = base.filter(later, person=OuterRef("person_id"))
    qs = base.annotate(_last=~Exists(mine))
    agg = {"casework.assessed": Count("person_id", distinct=True)}
    for result in RESULTS:
        agg[f"casework.assessed.{result}"] = Count("pk", filter=Q(_last=True, result=result))
    if lay is not None and lay.child_of:
        vendor = connections[qs.db].vendor
        there = mine.annotate(_there=lay.child("ward_id", vendor))
        qs = qs.annotate(_here=lay.child("ward_id", vendor)).annotate(
            _last_here=~Exists(there.filter(_there=OuterRef("_here")))
        )
        for result in RESULTS:
            agg[f"{CHILD}casework.assessed.{result}"] = Count(
                "pk", filter=Q(_last_here=True, result=result)
            )
    return qs, "ward_id", agg


def _ward_at(end: datetime.date, prefix: str = "") -> Case:
    """The person's ward at the end of the period (see the module's docstring). The wards
    formed after `end` are a hashed subquery, not a join of every person with their ward."""
    formed_later = AdminUnit.objects.filter(valid_from__gt=end).values("pk")
    return Case(
        When(**{f"{prefix}ward__in": formed_later}, then=F(f"{prefix}registered_ward_id")),
        default=F(f"{prefix}ward_id"),
        output_field=IntegerField(),
    )


def _in_scope_at(qs: QuerySet, end: datetime.date, scope: list[int]) -> QuerySet:
    """Persons whose ward at `end` is in the scope. The first filter adds nothing (that ward
    is one of the two) but lets a ward's or a district's report read the persons through the
    ward indexes, not the whole table (bench/explain_pages.py)."""
    return (
        qs.filter(Q(ward__in=scope) | Q(registered_ward__in=scope))
        .annotate(_ward=_ward_at(end))
        .filter(_ward__in=scope)
    )


def _persons_on_list(period: Period, scope: list[int]):
    qs = _in_scope_at(Person.objects.holding_on(period.end), period.end, scope)
    agg = {"casework.on_list": Count("pk")}
    for group in GROUP_LABELS:
        agg[f"casework.on_list.{group}"] = Count("pk", filter=Q(group=group))
    return qs, "_ward", agg


def _persons_new(period: Period, scope: list[int]):
    qs = Person.objects.filter(_in(period, "registered_on"), registered_ward__in=scope)
    return qs, "registered_ward_id", {"casework.new_persons": Count("pk")}


def _referrals(period: Period, scope: list[int]):
    made = _in(period, "referred_on")
    done = Q(status=Referral.Status.COMPLETED) & _in(period, "status_on")
    qs = Referral.objects.filter(made | done, ward__in=scope)

    def persons(kind, extra: Q | None = None) -> Count:
        return Count("person_id", distinct=True, filter=done & Q(kind=kind) & (extra or Q()))

    loan = done & Q(kind=R.LOAN)
    gift = done & Q(kind=R.GIFT)
    agg = {
        "support.referrals": Count("pk", filter=made),
        "support.loan_persons": persons(R.LOAN, Q(for_household=False)),
        "support.loan_households": Count("pk", filter=loan & Q(for_household=True)),
        "support.loan_amount": Sum("amount", filter=loan),
        "support.loan_amount.persons": Sum("amount", filter=loan & Q(for_household=False)),
        "support.loan_amount.households": Sum("amount", filter=loan & Q(for_household=True)),
        "support.vocational_training": persons(R.VOCATIONAL_TRAINING),
        "support.jobs": persons(R.JOB),
        "support.training_or_job": Count(
            "person_id", distinct=True, filter=done & Q(kind__in=[R.VOCATIONAL_TRAINING, R.JOB])
        ),
        "support.education": persons(R.EDUCATION),
        "support.hardship": persons(R.HARDSHIP_SUPPORT),
        "support.gifts": Count("pk", filter=gift),
        "support.gift_amount": Sum("amount", filter=gift),
    }
    return qs, "ward_id", agg


def _teams(period: Period, scope: list[int]):
    qs = Team.objects.holding_on(period.end).filter(ward__in=scope)
    return qs, "ward_id", {"team.teams": Count("pk")}


def _members(period: Period, scope: list[int]):
    qs = Member.objects.holding_on(period.end).filter(team__ward__in=scope)
    agg = {"team.members": Count("pk")}
    for role in ROLE_LABELS:
        agg[f"team.members.{role}"] = Count("pk", filter=Q(role=role))
    return qs, "team__ward_id", agg


def _caseload(period: Period, scope: list[int]):
    """Persons with an assignment held at the end of the period: counted from the persons'
    side, so that each is one row (a semi-join with the assignments, no distinct count)."""
    held = Assignment.objects.holding_on(period.end).filter(person=OuterRef("pk"))
    qs = _in_scope_at(Person.objects.filter(Exists(held)), period.end, scope)
    return qs, "_ward", {"team.caseload": Count("pk")}


SOURCES: tuple[Source, ...] = (
    _activities,
    _contacts,
    _topics,
    _post_rehab_contacts,
    _milestones,
    _enrollments,
    _persons_on_list,
    _persons_new,
    _referrals,
    _teams,
    _members,
    _caseload,
    _clubs,
)


def _finish(raw: dict, cat: Catalogue) -> dict[str, int]:
    """Every code of `cat`, with the figures made of two sources added up."""
    values = {code: int(raw.get(code) or 0) for code in cat.codes}
    values["casework.group_sessions"] = int(raw.get("_group_sessions") or 0) + int(
        raw.get("_club_sessions") or 0
    )
    values["casework.group_participants"] = int(raw.get("_club_participants") or 0) + int(
        raw.get("_group_contacts") or 0
    )
    return values


@dataclass
class Tally:
    unit: AdminUnit
    period: Period
    children: list[AdminUnit]
    values: dict[str, int]
    by_child: dict[int, dict[str, int]]
    catalogue: Catalogue


def _read(qs: QuerySet, lay: Layout | None, column: str, agg: dict) -> tuple[dict, list[dict]]:
    """One source's figures: the whole scope's, and one row per child unit unless `lay` is
    None. On PostgreSQL both come from one scan (`GROUPING SETS`); elsewhere from two."""
    if lay is None or not lay.child_of:
        return qs.order_by().aggregate(**agg), []
    connection = connections[qs.db]
    if connection.vendor == "postgresql":
        grouped = qs.order_by().annotate(_child=lay.lookup(column)).values("_child")
        sql, params = grouped.annotate(**agg).query.sql_with_params()
        # Django groups by the select list's position; a later Django that did otherwise
        # would fall through to the two queries below.
        if sql.endswith(" GROUP BY 1"):
            sql = sql[: -len("1")] + "GROUPING SETS ((), (1))"
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                names = [c.name for c in cursor.description]
                rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
            # Every row of the scope has a child (0 for none), so only the total has NULL.
            total = next((r for r in rows if r["_child"] is None), {"_child": None})
            return {k: v for k, v in total.items() if k != "_child"}, [
                r for r in rows if r["_child"] is not None
            ]
    grouped = qs.order_by().annotate(_child=lay.when(column)).values("_child")
    return qs.order_by().aggregate(**agg), list(grouped.annotate(**agg))


def tally(
    unit: AdminUnit, period: Period, *, children: bool = True, cat: Catalogue | None = None
) -> Tally:
    """The figures of `unit` for `period`, and of each child unit (unless `children=False`),
    for every code of `cat` (the catalogue of the reference data's programmes when None)."""
    cat = cat if cat is not None else catalogue()
    lay = layout(unit, period)
    sources = [source(period, lay.scope) for source in SOURCES]
    sources.append(_programmes(period, lay.scope, cat.programmes))
    sources.append(_assessments(period, lay.scope, lay if children else None))
    total: dict = {}
    per_child: dict[int, dict] = {c.pk: {} for c in lay.children}
    for qs, column, agg in sources:
        whole, rows = _read(qs, lay if children else None, column, agg)
        total.update((k, v) for k, v in whole.items() if not k.startswith(CHILD))
        for row in rows:
            child = row.pop("_child")
            if child in per_child:
                per_child[child].update(
                    (k.removeprefix(CHILD), v)
                    for k, v in row.items()
                    if k.startswith(CHILD) or CHILD + k not in row
                )
    return Tally(
        unit=unit,
        period=period,
        children=lay.children if children else [],
        values=_finish(total, cat),
        by_child={pk: _finish(raw, cat) for pk, raw in per_child.items()} if children else {},
        catalogue=cat,
    )
