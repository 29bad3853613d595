"""`seed()`: the casework plan written to the database in bulk, and its `Summary`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from cases.demo.planning import cached_plan
from cases.demo.plans import MemberRef, Plan
from cases.demo.vocabulary import CLUBS, DUE_DAYS, _days, history_until, until
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
from cases.text import fold
from wards import demo as wards_demo


@dataclass
class Summary:
    until: datetime.date  # the last day of the history: the day of the run
    persons: int
    active: int
    enrollments: int
    assignments: int
    contacts: int
    milestones: int
    assessments: int
    group_changes: int
    topics: int
    clubs: int

    def __str__(self) -> str:
        return (
            f"{self.persons} persons ({self.active} on the register on "
            f"{self.until:%d/%m/%Y}), {self.group_changes} group history entries, "
            f"{self.enrollments} enrolments, {self.clubs} clubs, {self.assignments} "
            f"assignments, {self.contacts} contacts with {self.topics} counselling topics, "
            f"{self.milestones} milestones, {self.assessments} assessments"
        )


BATCH = 2000


@transaction.atomic
def seed(demo: wards_demo.Demo, until: datetime.date) -> Summary:
    """Write the casework of the demo, up to `until` (the day of the run), on top of what
    `wards.demo.seed()` returned.

    Every person's group history (GroupChange) is written with them, so that each contact's
    `person_group` is the group in force on its day and `Person.group` that of the latest
    entry; the clubs before the enrolments that join them (`Enrollment.club`: the club of the
    enrolment's ward and programme meeting on its first day); each contact's topics after it.

    `created_by` (and `consent_by`, `assigned_by`, `ended_by`) is the login of the leader of
    the ward's team on that day (for a group change, the day it was written down) when the
    leader has one, else None; a contact or assessment by
    a member with a login is that member's own record. Rows are built with ids rather than
    instances, which spares the ORM its related-object bookkeeping; the plan is computed once
    per process and day (it never changes)."""
    with history_until(until):
        return _seed(demo, cached_plan(until))


def _seed(demo: wards_demo.Demo, p: Plan) -> Summary:
    units = {
        code: u.pk for (code, _, _), u in zip(wards_demo.OLD_WARDS, demo.old_wards, strict=True)
    }
    units.update(
        (name, u.pk) for name, u in zip(wards_demo.SUCCESSORS, demo.new_wards, strict=True)
    )
    teams = dict(zip([c for c, _, _ in wards_demo.OLD_WARDS], demo.old_teams, strict=True))
    teams.update(zip(wards_demo.SUCCESSORS, demo.new_teams, strict=True))
    members = {ward: demo.members[team.pk] for ward, team in teams.items()}
    for ward, names in p.members.items():
        if [m.full_name for m in members[ward]] != names:
            raise wards_demo.DemoError(f"The members of {ward} are not those of the demo plan.")
    programmes = dict(Programme.objects.values_list("code", "pk"))
    users = {username: u.pk for username, u in demo.users.items()}

    def author(ward: str, day: datetime.date) -> int | None:
        return users.get(p.author(ward, day))

    def member(ref: MemberRef | None) -> int | None:
        return members[ref[0]][ref[1]].pk if ref else None

    def recorder(ref: MemberRef | None, ward: str, day: datetime.date) -> int | None:
        """A helper with a login wrote their own record; otherwise the leader did."""
        return (ref and members[ref[0]][ref[1]].user_id) or author(ward, day)

    rows = []
    for pp in p.persons:
        first = pp.ward_on(pp.registered_on)
        rows.append(
            Person(
                ward_id=units[pp.ward],
                registered_ward_id=units[first],
                area_id=demo.areas[units[pp.ward]][pp.area].pk,
                full_name=pp.full_name,
                alias=pp.alias,
                search_key=fold(f"{pp.full_name} {pp.alias}"),
                sex=pp.sex,
                birth_date=pp.birth_date,
                birth_year=pp.birth_year,
                id_number=pp.id_number,
                phone=pp.phone,
                address=pp.address,
                family_contact=pp.family_contact,
                group=pp.group,
                substances=pp.substances,
                history_notes=pp.history_notes,
                registered_on=pp.registered_on,
                consent_on=pp.registered_on,
                consent_by_id=author(first, pp.registered_on),
                status=Person.Status.CLOSED if pp.closed_on else Person.Status.ACTIVE,
                closed_on=pp.closed_on,
                closed_reason=pp.closed_reason,
                created_by_id=author(first, pp.registered_on),
            )
        )
    persons = Person.objects.bulk_create(rows, batch_size=BATCH)
    clubs = Club.objects.bulk_create(
        Club(
            ward_id=units[c.ward],
            programme_id=programmes[c.programme],
            name=c.name,
            founded_on=c.founded_on,
            closed_on=c.closed_on,
            created_by_id=author(c.ward, c.founded_on),
        )
        for c in p.clubs
    )

    def club(programme: str, ward: str, day: datetime.date) -> int | None:
        """The club an enrolment in a club programme joins: the ward's, meeting that day."""
        return clubs[p.club_of(ward, programme, day)].pk if programme in CLUBS else None

    enrollments, assignments, contacts, milestones, assessments = [], [], [], [], []
    changes = []
    for pp, person in zip(p.persons, persons, strict=True):
        pk = person.pk
        for since, group in pp.groups:
            reason, written = pp.group_notes[since]
            changes.append(
                GroupChange(
                    person_id=pk,
                    group=group,
                    since=since,
                    reason=reason,
                    created_by_id=author(pp.ward_on(written), written),
                )
            )
        for e in pp.enrollments:
            ward = pp.ward_on(e.started_on)
            enrollments.append(
                Enrollment(
                    person_id=pk,
                    programme_id=programmes[e.programme],
                    club_id=club(e.programme, ward, e.started_on),
                    ward_id=units[ward],
                    started_on=e.started_on,
                    due_on=e.due_on,
                    ended_on=e.ended_on,
                    end_reason=e.end_reason,
                    decision_no=e.decision_no,
                    decision_on=e.decision_on,
                    created_by_id=author(ward, e.started_on),
                )
            )
        for a in pp.assignments:
            ward = a.member[0]
            assignments.append(
                Assignment(
                    person_id=pk,
                    member_id=member(a.member),
                    started_on=a.started_on,
                    ended_on=a.ended_on,
                    assigned_by_id=author(ward, a.started_on),
                    ended_by_id=author(ward, a.ended_on) if a.ended_on else None,
                )
            )
        for c in pp.contacts:
            ward = pp.ward_on(c.occurred_on)
            contacts.append(
                Contact(
                    person_id=pk,
                    member_id=member(c.member),
                    ward_id=units[ward],
                    person_group=c.group,
                    occurred_on=c.occurred_on,
                    kind=c.kind,
                    summary=c.summary,
                    drug_test_result=c.result,
                    next_due_on=c.occurred_on + _days(DUE_DAYS),
                    created_by_id=recorder(c.member, ward, c.occurred_on),
                )
            )
        for m in pp.milestones:
            ward = pp.ward_on(m.occurred_on)
            milestones.append(
                Milestone(
                    person_id=pk,
                    ward_id=units[ward],
                    occurred_on=m.occurred_on,
                    kind=m.kind,
                    created_by_id=author(ward, m.occurred_on),
                )
            )
        for s in pp.assessments:
            ward = pp.ward_on(s.assessed_on)
            assessments.append(
                Assessment(
                    person_id=pk,
                    member_id=member(s.member),
                    ward_id=units[ward],
                    assessed_on=s.assessed_on,
                    result=s.result,
                    created_by_id=recorder(s.member, ward, s.assessed_on),
                )
            )
    for model, objs in (
        (GroupChange, changes),
        (Enrollment, enrollments),
        (Assignment, assignments),
        (Contact, contacts),
        (Milestone, milestones),
        (Assessment, assessments),
    ):
        model.objects.bulk_create(objs, batch_size=BATCH)
    planned = (c for pp in p.persons for c in pp.contacts)
    topics = [
        ContactTopic(contact_id=row.pk, topic=topic)
        for c, row in zip(planned, contacts, strict=True)
        for topic in c.topics
    ]
    ContactTopic.objects.bulk_create(topics, batch_size=BATCH)
    return Summary(
        until=until(),
        persons=len(persons),
        active=sum(1 for pp in p.persons if pp.closed_on is None),
        enrollments=len(enrollments),
        assignments=len(assignments),
        contacts=len(contacts),
        milestones=len(milestones),
        assessments=len(assessments),
        group_changes=len(changes),
        topics=len(topics),
        clubs=len(clubs),
    )
