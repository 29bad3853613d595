"""Writes of assignments: who follows a person, from when, and hand-overs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import (
    Assignment,
    Person,
)
from cases.rules import (
    check_member_active_on,
    check_member_serves,
    dmy,
    refuse_future,
    refuse_outside_file,
)
from cases.services._common import (
    _lock,
)
from wards.atomic import service
from wards.audit import audit
from wards.models import AuditEvent, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _reassigned_error() -> ValidationError:
    return ValidationError(
        _("Người này vừa được phân công cho người khác, hãy tải lại trang."), code="concurrent"
    )


def _end_assignment(
    *, actor: User, assignment: Assignment, ended_on: datetime.date, unit: int
) -> Assignment:
    if assignment.ended_on is not None:
        raise ValidationError(_("Phân công này đã kết thúc."))
    if ended_on < assignment.started_on:
        raise ValidationError(
            {
                "ended_on": _("Không được trước ngày phân công (%(date)s).")
                % {"date": dmy(assignment.started_on)}
            }
        )
    refuse_future(ended_on, "ended_on")
    assignment.ended_on = ended_on
    assignment.ended_by = actor
    assignment.full_clean()
    assignment.save(update_fields=["ended_on", "ended_by", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assignment,
        unit=unit,
        changes={"ended_on": ended_on},
    )
    return assignment


def _correct_member(*, actor: User, assignment: Assignment, member: Member) -> Assignment:
    old = assignment.member_id
    assignment.member = member
    assignment.assigned_by = actor
    assignment.full_clean()
    assignment.save(update_fields=["member", "assigned_by", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=assignment,
        unit=assignment.person.ward_id,
        changes={"member": [old, member.pk]},
    )
    return assignment


_UNREAD = object()


@service
def assignment_assign(
    *,
    actor: User,
    person: Person,
    member: Member,
    started_on: datetime.date,
    seen: int | None | object = _UNREAD,
) -> Assignment:
    """Appoint `member` to follow `person` from `started_on`, ending the current assignment.

    The member must be an active member of the active team of the person's ward (or of the
    ward it was merged into). The current assignment ends the day before `started_on` (its
    last day), so exactly one helper holds the person each day; one that started on
    `started_on` itself is corrected to the new member instead. Assigning the current helper
    again changes nothing.

    Two leaders reassigning one person at the same moment: the person row is locked, so the
    second waits; when it gets the lock and the open assignment is no longer the one that was
    open when it began, it refuses rather than silently overriding the first. The partial
    unique constraint is the last guard, against a writer that skipped the lock. `seen` is the
    open assignment's id (None: none) as the caller's page showed it, so a second tab's older
    copy is refused the same way; without it, the one open when the call began.
    """
    if seen is _UNREAD:
        seen = Assignment.objects.open().filter(person=person).values_list("pk", flat=True).first()
    person = _lock(person)
    current = Assignment.objects.open().select_for_update().filter(person=person).first()
    if (current.pk if current else None) != seen:
        raise _reassigned_error()
    if not person.is_active:
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại hồ sơ trước khi phân công."))
    refuse_future(started_on, "started_on")
    refuse_outside_file(person, started_on, "started_on")
    # The member as it is now, not as the form read it. Not locked: two batches for one member
    # lock their persons in turn and would deadlock on the member's row between them.
    member = Member.objects.select_related("team").get(pk=member.pk)
    check_member_serves(member, person)
    if member.left_on is not None or member.team.dissolved_on is not None:
        raise ValidationError(
            {"member": _("%(member)s không còn tham gia Đội.") % {"member": member.full_name}}
        )
    check_member_active_on(member, started_on, field="started_on")
    if current is not None and current.member_id == member.pk:
        return current
    if current is not None:
        if started_on < current.started_on:
            raise ValidationError(
                {
                    "started_on": _(
                        "Không được trước ngày bắt đầu của phân công hiện tại (%(date)s)."
                    )
                    % {"date": dmy(current.started_on)}
                }
            )
        if started_on == current.started_on:
            # Replaced on its first day: it never held a day of its own, so the appointment
            # is corrected rather than ended before it began (INDICATORS.md: no day twice).
            return _correct_member(actor=actor, assignment=current, member=member)
        ended_on = started_on - datetime.timedelta(days=1)
        _end_assignment(actor=actor, assignment=current, ended_on=ended_on, unit=person.ward_id)
    assignment = Assignment(person=person, member=member, started_on=started_on, assigned_by=actor)
    assignment.full_clean()
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise _reassigned_error() from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=assignment,
        unit=person.ward_id,
        changes={
            "person": person.pk,
            "member": member.pk,
            "started_on": started_on,
            "replaces": current.pk if current else None,
        },
    )
    return assignment


@service
def assignment_reassign_many(
    *,
    actor: User,
    persons: Iterable[Person],
    member: Member,
    started_on: datetime.date,
    seen: dict[int, int | None] | None = None,
) -> list[Assignment]:
    """Assign several persons to one member: all or nothing, the first refusal undoes the rest.
    `seen`: person id → the open assignment's id (None: none) as the board showed it."""
    assignments = []
    seen = seen or {}
    # In id order, so two batches lock their persons in the same order and cannot deadlock.
    for person in sorted(persons, key=lambda p: p.pk):
        try:
            assignments.append(
                assignment_assign(
                    actor=actor,
                    person=person,
                    member=member,
                    started_on=started_on,
                    seen=seen.get(person.pk, _UNREAD),
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Không phân công được %(name)s: %(reason)s")
                % {"name": person.full_name, "reason": " ".join(error.messages)},
                code=getattr(error, "code", None) or "invalid",
            ) from error
    return assignments


@service
def assignment_handover(
    *, actor: User, from_member: Member, to_member: Member, started_on: datetime.date
) -> list[Assignment]:
    """Pass everyone `from_member` follows to `to_member`, e.g. when a member leaves the team."""
    if from_member.pk == to_member.pk:
        raise ValidationError({"to_member": _("Hãy chọn một thành viên khác để bàn giao.")})
    persons = Person.objects.filter(
        assignments__member=from_member, assignments__ended_on__isnull=True
    )
    return assignment_reassign_many(
        actor=actor, persons=persons, member=to_member, started_on=started_on
    )


@service
def assignment_end(*, actor: User, assignment: Assignment, ended_on: datetime.date) -> Assignment:
    """Stop an assignment without naming a successor; the person is then nobody's."""
    assignment = (
        Assignment.objects.select_for_update().select_related("person").get(pk=assignment.pk)
    )
    return _end_assignment(
        actor=actor, assignment=assignment, ended_on=ended_on, unit=assignment.person.ward_id
    )
