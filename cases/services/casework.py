"""Writes of casework: contacts, milestones and assessments."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from cases.models import (
    Assessment,
    Contact,
    Milestone,
    Person,
)
from cases.rules import (
    check_member_active_on,
    check_member_serves,
    contact_due_days,
    group_on,
    refuse_future,
    refuse_outside_file,
    ward_on,
)
from wards.atomic import service
from wards.audit import audit
from wards.models import AuditEvent, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@service
def contact_record(
    *,
    actor: User,
    person: Person,
    member: Member | None,
    occurred_on: datetime.date,
    kind: str,
    summary: str = "",
    drug_test_result: str = "",
    next_due_on: datetime.date | None = None,
    milestone_kind: str | None = None,
) -> Contact:
    """Record a contact with a person, and optionally a milestone on the same day.

    The ward is copied from the person now and the group is the one in force on
    `occurred_on` (cases.rules.group_on), so reports count the contact where and as what it
    happened, however late it is written down. `member` may be None for an officer without a
    team membership. `next_due_on` defaults to `contact_due_days` after the contact.
    """
    person = Person.objects.select_related("ward").get(pk=person.pk)
    refuse_future(occurred_on, "occurred_on")
    refuse_outside_file(person, occurred_on, "occurred_on")
    if member is not None:
        check_member_serves(member, person)
        check_member_active_on(member, occurred_on)
    ward = ward_on(person.ward, occurred_on)
    if next_due_on is None:
        next_due_on = occurred_on + datetime.timedelta(days=contact_due_days(ward))
    contact = Contact(
        person=person,
        member=member,
        ward=ward,
        person_group=group_on(person, occurred_on),
        occurred_on=occurred_on,
        kind=kind,
        summary=summary,
        drug_test_result=drug_test_result,
        next_due_on=next_due_on,
        created_by=actor,
    )
    contact.full_clean()
    contact.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=contact,
        unit=ward,
        changes={"person": person.pk, "kind": kind, "occurred_on": occurred_on},
    )
    if milestone_kind:
        milestone_record(actor=actor, person=person, occurred_on=occurred_on, kind=milestone_kind)
    return contact


@service
def milestone_record(
    *, actor: User, person: Person, occurred_on: datetime.date, kind: str, note: str = ""
) -> Milestone:
    """Record a dated change in a person's life (Milestone.Kind). Recording a relapse, a move or
    a death changes no enrolment and closes no file: those are the leader's decisions."""
    person = Person.objects.select_related("ward").get(pk=person.pk)
    refuse_future(occurred_on, "occurred_on")
    refuse_outside_file(person, occurred_on, "occurred_on")
    milestone = Milestone(
        person=person,
        ward=ward_on(person.ward, occurred_on),
        occurred_on=occurred_on,
        kind=kind,
        note=note,
        created_by=actor,
    )
    milestone.full_clean()
    milestone.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=milestone,
        unit=milestone.ward_id,
        changes={"person": person.pk, "kind": kind, "occurred_on": occurred_on},
    )
    return milestone


@service
def assessment_record(
    *,
    actor: User,
    person: Person,
    assessed_on: datetime.date,
    result: str,
    member: Member | None = None,
    note: str = "",
) -> Assessment:
    """Record a progress assessment (Assessment.Result) of a person."""
    person = Person.objects.select_related("ward").get(pk=person.pk)
    refuse_future(assessed_on, "assessed_on")
    refuse_outside_file(person, assessed_on, "assessed_on")
    if member is not None:
        check_member_serves(member, person)
        check_member_active_on(member, assessed_on)
    assessment = Assessment(
        person=person,
        member=member,
        ward=ward_on(person.ward, assessed_on),
        assessed_on=assessed_on,
        result=result,
        note=note,
        created_by=actor,
    )
    assessment.full_clean()
    assessment.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=assessment,
        unit=assessment.ward_id,
        changes={"person": person.pk, "assessed_on": assessed_on},
    )
    return assessment
