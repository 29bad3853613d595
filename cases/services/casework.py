"""Writes of casework: contacts, milestones and assessments."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import (
    Assessment,
    Contact,
    ContactTopic,
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

# A drug test is a test, not counselling: counselling given on the same occasion is a contact
# of its own (a meeting, a visit), which is what casework.counselled.<topic> counts.
DRUG_TEST_NO_TOPICS = gettext_lazy(
    "Lượt «Phối hợp xét nghiệm» không ghi nội dung tư vấn. Hãy bỏ chọn nội dung tư vấn, hoặc "
    "ghi lần tư vấn thành một lượt tiếp cận riêng (ví dụ «Gặp trực tiếp»)."
)


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
    topics: Iterable[str] = (),
) -> Contact:
    """Record a contact with a person, and optionally a milestone on the same day.

    The ward is copied from the person now and the group is the one in force on
    `occurred_on` (cases.rules.group_on), so reports count the contact where and as what it
    happened, however late it is written down. `member` may be None for an officer without a
    team membership. `next_due_on` defaults to `contact_due_days` after the contact.
    `topics` are what the counselling covered (Contact.Topic codes, any number, repeats
    ignored), for any kind but a drug test.
    """
    # Locked like person_update's: a group change dated back waits for this contact (or this
    # contact for it), so the group read below is the one in force when it commits.
    person = (
        Person.objects.select_for_update(no_key=True, of=("self",))
        .select_related("ward")
        .get(pk=person.pk)
    )
    topics = _checked_topics(kind, topics)
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
    ContactTopic.objects.bulk_create(ContactTopic(contact=contact, topic=t) for t in topics)
    changes = {"person": person.pk, "kind": kind, "occurred_on": occurred_on}
    if topics:
        changes["topics"] = topics
    audit(actor=actor, action=AuditEvent.Action.CREATE, obj=contact, unit=ward, changes=changes)
    if milestone_kind:
        milestone_record(actor=actor, person=person, occurred_on=occurred_on, kind=milestone_kind)
    return contact


def _checked_topics(kind: str, topics: Iterable[str]) -> list[str]:
    """`topics` once each, in the order of Contact.Topic; ValidationError on `topics` for a
    code that is not a topic or for a drug test."""
    given = set(topics)
    unknown = [t for t in given if t not in Contact.Topic.values]
    if unknown:
        allowed = ", ".join(str(label) for label in Contact.Topic.labels)
        raise ValidationError(
            {
                "topics": _(
                    "«%(value)s» không phải là một nội dung tư vấn. Chọn trong: %(allowed)s."
                )
                % {"value": min(map(str, unknown)), "allowed": allowed}
            }
        )
    if given and kind == Contact.Kind.DRUG_TEST:
        raise ValidationError({"topics": DRUG_TEST_NO_TOPICS})
    return [code for code in Contact.Topic.values if code in given]


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
