"""Writes for persons and their casework. Each is atomic, validated and audited.

Audit rows carry ids, dates and codes (kind, reason, status) only. Names, aliases, phone
numbers, notes, the person's group, substances and test results are sensitive personal data:
they never enter the audit trail, where a change to them shows as "changed".

Services check the rules of the domain (who may be assigned, which dates make sense); whether
the actor may touch the person at all is the caller's business, through
`Person.objects.editable_by(user)` and `visible_to(user)`.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    Assessment,
    Assignment,
    Contact,
    Enrollment,
    Milestone,
    Person,
    Programme,
)
from cases.text import fold
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent, Member, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

PERSON_FIELDS = (
    "area",
    "full_name",
    "alias",
    "sex",
    "birth_date",
    "birth_year",
    "id_number",
    "phone",
    "address",
    "family_contact",
    "group",
    "substances",
    "history_notes",
    "registered_on",
    "consent_on",
)
ENROLLMENT_FIELDS = ("due_on", "decision_no", "decision_on")
# Person fields whose values may enter the audit trail; any other change shows as "changed".
AUDITED_VALUES = frozenset(
    {"ward", "area", "registered_on", "consent_on", "status", "closed_on", "closed_reason"}
)
# Closing a file for these reasons ends the open enrolments for the same reason (person_close).
CLOSING_ENDS_ENROLMENTS = {
    Person.ClosedReason.DIED: Enrollment.EndReason.DIED,
    Person.ClosedReason.MOVED_AWAY: Enrollment.EndReason.MOVED_AWAY,
    Person.ClosedReason.TRANSFERRED: Enrollment.EndReason.TRANSFERRED,
}


# Helpers ------------------------------------------------------------------------------------


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def _refuse_unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def refuse_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("Không được chọn một ngày trong tương lai.")})


def refuse_outside_file(person: Person, day: datetime.date, field: str) -> None:
    """Casework happens while the person is on the register: not before, not after closing."""
    if day < person.registered_on:
        raise ValidationError(
            {
                field: _("Không được trước ngày người này được đưa vào danh sách (%(date)s).")
                % {"date": _d(person.registered_on)}
            }
        )
    if person.closed_on is not None and day > person.closed_on:
        raise ValidationError(
            {field: _("Hồ sơ đã đóng từ ngày %(date)s.") % {"date": _d(person.closed_on)}}
        )


def _safe(changes: dict[str, Any]) -> dict[str, Any]:
    return {k: v if k in AUDITED_VALUES else "changed" for k, v in changes.items()}


def _derive(person: Person) -> None:
    """The values the service computes: birth year from the birth date, the search key."""
    if person.birth_date is not None:
        person.birth_year = person.birth_date.year
    person.search_key = fold(f"{person.full_name} {person.alias}")


def _lock(person: Person) -> Person:
    """The person row, locked until the transaction ends: writers of one person queue here.

    FOR NO KEY UPDATE, not FOR UPDATE: PostgreSQL checks the foreign key of a new contact or
    assignment with FOR KEY SHARE at commit, which this lock lets through. With FOR UPDATE, a
    writer that skipped this lock and a service waiting on that writer's row would deadlock.
    """
    return Person.objects.select_for_update(no_key=True).get(pk=person.pk)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def ward_on(ward: AdminUnit, on: datetime.date) -> AdminUnit:
    """The ward that held `ward`'s place on `on`: after a merger, the unit it was merged into.

    A person registered in a ward that was later merged keeps that ward; casework recorded
    after the merger is counted in the ward that exists on the day it happened.
    """
    seen: set[int] = set()
    while (
        ward.successor_id
        and ward.valid_until is not None
        and ward.valid_until < on
        and ward.pk not in seen
    ):
        seen.add(ward.pk)
        ward = ward.successor
    return ward


def contact_due_days(ward: AdminUnit) -> int:
    """Days until the next contact is due when none is chosen: the ward's active team's
    setting, or settings.CONTACT_DUE_DAYS when the team has none."""
    days = (
        Team.objects.active()
        .filter(ward=ward, contact_due_days__isnull=False)
        .values_list("contact_due_days", flat=True)
        .first()
    )
    return days or settings.CONTACT_DUE_DAYS


def _check_member_serves(member: Member, person: Person, *, field: str = "member") -> None:
    """`member` belongs to the team of the person's ward (or of the ward it was merged into)."""
    team = member.team
    if not AdminUnit.objects.scope(team.ward).filter(pk=person.ward_id).exists():
        raise ValidationError(
            {
                field: _(
                    "%(member)s là thành viên của %(team)s, không phải Đội của xã, phường nơi "
                    "người này cư trú. Chỉ chọn được thành viên Đội của địa phương."
                )
                % {"member": member.full_name, "team": team.name}
            }
        )


def check_member_active_on(member: Member, day: datetime.date, *, field: str = "member") -> None:
    if member.joined_on > day or (member.left_on is not None and member.left_on <= day):
        raise ValidationError(
            {
                field: _("%(member)s không tham gia Đội vào ngày %(date)s.")
                % {"member": member.full_name, "date": _d(day)}
            }
        )


# Persons ------------------------------------------------------------------------------------


def find_duplicates(
    *, ward: AdminUnit, full_name: str, birth_year: int | None
) -> tuple[list[Person], bool]:
    """Persons with the same folded name and birth year.

    Returns the matches on the register of `ward` and of the wards merged into it, which the
    ward's leader may see, and only whether one exists anywhere else: never who or where.
    """
    key = fold(full_name)
    if not key or birth_year is None:
        return [], False
    # search_key is name + alias: narrow by prefix in SQL, compare the name exactly here.
    candidates = Person.objects.filter(birth_year=birth_year, search_key__startswith=key)
    local = AdminUnit.objects.scope(ward).values("pk")
    matches = [p for p in candidates.filter(ward__in=local) if fold(p.full_name) == key]
    names_elsewhere = candidates.exclude(ward__in=local).values_list("full_name", flat=True)
    return matches, any(fold(name) == key for name in names_elsewhere)


@transaction.atomic
def person_register(
    *, actor: User, ward: AdminUnit, confirm_duplicate: bool = False, **fields: Any
) -> Person:
    """Put a person on a ward's register.

    Consent is explicit: `consent_on`, the day the person agreed, is required, and the actor
    is recorded as the one who took it. `registered_on` defaults to today.

    A person with the same name and birth year already on this ward's register, or anywhere
    else, stops the registration with a ValidationError coded "duplicate" until the caller
    passes `confirm_duplicate=True`. About other wards the message says only that such a
    person exists.
    """
    _refuse_unknown(fields, PERSON_FIELDS)
    if not fields.get("consent_on"):
        raise ValidationError(
            {
                "consent_on": _(
                    "Cần ghi nhận ngày người này đồng ý cho Đội lưu và sử dụng thông tin "
                    "trước khi đưa vào danh sách."
                )
            }
        )
    fields.setdefault("registered_on", timezone.localdate())
    person = Person(ward=ward, registered_ward=ward, created_by=actor, consent_by=actor, **fields)
    _derive(person)
    refuse_future(person.registered_on, "registered_on")
    refuse_future(person.consent_on, "consent_on")
    refuse_future(person.birth_date, "birth_date")
    if not ward.is_commune or not ward.is_current(person.registered_on):
        raise ValidationError(
            {"ward": _("Chỉ đưa vào danh sách của một xã, phường còn tồn tại vào ngày đó.")}
        )
    person.full_clean()
    matches, elsewhere = find_duplicates(
        ward=ward, full_name=person.full_name, birth_year=person.birth_year
    )
    if (matches or elsewhere) and not confirm_duplicate:
        if matches:
            message = _(
                "Danh sách của xã, phường này đã có người cùng họ tên và năm sinh. Hãy kiểm "
                "tra lại; nếu đúng là một người khác, hãy xác nhận để đăng ký."
            )
        else:
            message = _(
                "Một địa phương khác đã có người cùng họ tên và năm sinh trong danh sách. Nếu "
                "đúng là một người khác, hãy xác nhận để đăng ký."
            )
        raise ValidationError(message, code="duplicate")
    person.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        unit=ward,
        changes={
            "ward": ward,
            "registered_on": person.registered_on,
            "consent_on": person.consent_on,
            "duplicate_confirmed": bool(matches or elsewhere),
        },
    )
    return person


@transaction.atomic
def _refuse_anonymised(person: Person) -> None:
    """An anonymised file is counts only: writing a name back would undo the de-identification."""
    if person.anonymised_on is not None:
        raise ValidationError(
            _("Hồ sơ này đã được ẩn danh: không sửa, không mở lại được."), code="anonymised"
        )


def person_update(
    *, actor: User, person: Person, expected_version: int | None = None, **fields: Any
) -> Person:
    """Correct or complete a person's details (also for a closed file: the right to correction).

    With `expected_version` (the version the form was built on), a save over someone else's
    change is refused instead of silently overwriting it. Moving a person to another ward is
    not an update: close the file as moved away or transferred, and the other ward registers
    them.
    """
    _refuse_unknown(fields, PERSON_FIELDS)
    person = _lock(person)
    _refuse_anonymised(person)
    if expected_version is not None and expected_version != person.version:
        raise ValidationError(
            _("Người khác vừa sửa hồ sơ này. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
            code="stale",
        )
    changes = diff(person, fields)
    if not changes:
        return person
    for name, value in fields.items():
        setattr(person, name, value)
    _derive(person)
    refuse_future(person.registered_on, "registered_on")
    refuse_future(person.consent_on, "consent_on")
    refuse_future(person.birth_date, "birth_date")
    person.version += 1
    person.full_clean()
    person.save(update_fields=[*changes, "search_key", "birth_year", "version", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        unit=person.ward_id,
        changes={**_safe(changes), "version": person.version},
    )
    return person


@transaction.atomic
def person_close(*, actor: User, person: Person, closed_on: datetime.date, reason: str) -> Person:
    """Close a person's file (đóng hồ sơ) on `closed_on`.

    What a team leader expects:
    - the open assignment ends on `closed_on`: nobody keeps following a closed file;
    - when the person died, moved away or was transferred, every open enrolment ends on
      `closed_on` with that same reason, so closing is one step;
    - closing as "completed" or "other" while an enrolment is still open is refused. Ending
      a post-rehab management or another measure follows a decision, and its reason is what
      post_rehab.completed counts: the leader ends each enrolment first, with the reason the
      decision gives, rather than the app guessing it.
    """
    person = _lock(person)
    if not person.is_active:
        raise ValidationError(_("Hồ sơ này đã đóng từ trước."))
    refuse_future(closed_on, "closed_on")
    if closed_on < person.registered_on:
        raise ValidationError(
            {"closed_on": _("Ngày đóng hồ sơ không được trước ngày đưa vào danh sách.")}
        )
    enrollments = list(person.enrollments.open().select_for_update())
    end_reason = CLOSING_ENDS_ENROLMENTS.get(reason)
    if enrollments and end_reason is None:
        raise ValidationError(
            _(
                "Người này vẫn đang trong: %(programmes)s. Hãy kết thúc từng chương trình, biện "
                "pháp (ghi lý do theo quyết định) trước khi đóng hồ sơ."
            )
            % {"programmes": ", ".join(str(e.programme) for e in enrollments)}
        )
    for enrollment in enrollments:
        _end_enrollment(actor=actor, enrollment=enrollment, ended_on=closed_on, reason=end_reason)
    current = person.assignments.open().select_for_update().first()
    if current is not None:
        _end_assignment(actor=actor, assignment=current, ended_on=closed_on, unit=person.ward_id)
    person.status = Person.Status.CLOSED
    person.closed_on = closed_on
    person.closed_reason = reason
    person.version += 1
    person.full_clean()
    person.save(update_fields=["status", "closed_on", "closed_reason", "version", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        unit=person.ward_id,
        changes={"status": Person.Status.CLOSED, "closed_on": closed_on, "closed_reason": reason},
    )
    return person


@transaction.atomic
def person_reopen(*, actor: User, person: Person) -> Person:
    """Put a closed file back on the register. Assignments and enrolments are not restored:
    the leader assigns a helper and records any new measure again."""
    person = _lock(person)
    _refuse_anonymised(person)
    if person.is_active:
        raise ValidationError(_("Hồ sơ này đang được theo dõi, không cần mở lại."))
    old_closed_on = person.closed_on
    person.status = Person.Status.ACTIVE
    person.closed_on = None
    person.closed_reason = ""
    person.version += 1
    person.full_clean()
    person.save(update_fields=["status", "closed_on", "closed_reason", "version", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        unit=person.ward_id,
        changes={"status": Person.Status.ACTIVE, "closed_on": [old_closed_on, None]},
    )
    return person


# Enrolments ---------------------------------------------------------------------------------


def _overlap_message(enrollment: Enrollment) -> str:
    return _(
        "Người này đã tham gia «%(programme)s» từ %(start)s đến %(end)s; hai lượt tham gia cùng "
        "một chương trình không được trùng thời gian."
    ) % {
        "programme": enrollment.programme,
        "start": _d(enrollment.started_on),
        "end": _d(enrollment.ended_on) if enrollment.ended_on else _("nay"),
    }


@transaction.atomic
def enrollment_start(
    *,
    actor: User,
    person: Person,
    programme: Programme,
    started_on: datetime.date,
    due_on: datetime.date | None = None,
    decision_no: str = "",
    decision_on: datetime.date | None = None,
) -> Enrollment:
    """Record that a person entered a programme or came under a measure.

    `due_on` defaults to `started_on` plus the programme's default length (none for
    open-ended programmes). An enrolment overlapping another of the same person in the same
    programme is refused here on every backend, and by an exclusion constraint on PostgreSQL.
    """
    person = _lock(person)
    if not person.is_active:
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại hồ sơ trước."))
    if not programme.active:
        raise ValidationError({"programme": _("Chương trình, biện pháp này không còn áp dụng.")})
    refuse_future(decision_on, "decision_on")
    # The new enrolment is open, so it overlaps anything not ended before it starts.
    overlapping = (
        Enrollment.objects.filter(person=person, programme=programme)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=started_on))
        .select_related("programme")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {"started_on": ValidationError(_overlap_message(overlapping), code="overlap")}
        )
    if due_on is None and programme.default_months:
        due_on = add_months(started_on, programme.default_months)
    enrollment = Enrollment(
        person=person,
        programme=programme,
        ward=ward_on(person.ward, started_on),
        started_on=started_on,
        due_on=due_on,
        decision_no=decision_no,
        decision_on=decision_on,
        created_by=actor,
    )
    enrollment.full_clean()
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # Only a writer that skipped the person lock gets here (cases_enrollment_no_overlap).
        message = _("Lượt tham gia này trùng thời gian với một lượt khác.")
        raise ValidationError({"started_on": ValidationError(message, code="overlap")}) from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=enrollment,
        unit=enrollment.ward_id,
        changes={
            "person": person.pk,
            "programme": programme.pk,
            "started_on": started_on,
            "due_on": due_on,
        },
    )
    return enrollment


@transaction.atomic
def enrollment_update(*, actor: User, enrollment: Enrollment, **fields: Any) -> Enrollment:
    """Change the due date or the decision reference of an enrolment."""
    _refuse_unknown(fields, ENROLLMENT_FIELDS)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    changes = diff(enrollment, fields)
    if not changes:
        return enrollment
    for name, value in fields.items():
        setattr(enrollment, name, value)
    refuse_future(enrollment.decision_on, "decision_on")
    enrollment.full_clean()
    enrollment.save(update_fields=[*changes, "updated_at"])
    safe = {k: v if k == "due_on" else "changed" for k, v in changes.items()}
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=enrollment,
        unit=enrollment.ward_id,
        changes=safe,
    )
    return enrollment


def _end_enrollment(
    *, actor: User, enrollment: Enrollment, ended_on: datetime.date, reason: str
) -> Enrollment:
    if enrollment.ended_on is not None:
        raise ValidationError(
            _("Lượt tham gia này đã kết thúc ngày %(date)s.") % {"date": _d(enrollment.ended_on)}
        )
    if ended_on < enrollment.started_on:
        raise ValidationError(
            {
                "ended_on": _("Không thể kết thúc trước ngày bắt đầu (%(date)s).")
                % {"date": _d(enrollment.started_on)}
            }
        )
    refuse_future(ended_on, "ended_on")
    enrollment.ended_on = ended_on
    enrollment.end_reason = reason
    enrollment.full_clean()
    enrollment.save(update_fields=["ended_on", "end_reason", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=enrollment,
        unit=enrollment.ward_id,
        changes={"ended_on": ended_on, "end_reason": reason},
    )
    return enrollment


@transaction.atomic
def enrollment_end(
    *, actor: User, enrollment: Enrollment, ended_on: datetime.date, reason: str
) -> Enrollment:
    """End an enrolment on `ended_on` (its last day) for `reason` (Enrollment.EndReason)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    return _end_enrollment(actor=actor, enrollment=enrollment, ended_on=ended_on, reason=reason)


# Assignments --------------------------------------------------------------------------------


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
                % {"date": _d(assignment.started_on)}
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


@transaction.atomic
def assignment_assign(
    *, actor: User, person: Person, member: Member, started_on: datetime.date
) -> Assignment:
    """Appoint `member` to follow `person` from `started_on`, ending the current assignment.

    The member must be an active member of the active team of the person's ward (or of the
    ward it was merged into). The current assignment ends on `started_on`, the day the new one
    starts, so one helper holds the person each day. Assigning the current helper again
    changes nothing.

    Two leaders reassigning one person at the same moment: the person row is locked, so the
    second waits; when it gets the lock and the open assignment is no longer the one that was
    open when it began, it refuses rather than silently overriding the first. The partial
    unique constraint is the last guard, against a writer that skipped the lock.
    """
    seen = Assignment.objects.open().filter(person=person).values_list("pk", flat=True).first()
    person = _lock(person)
    current = Assignment.objects.open().select_for_update().filter(person=person).first()
    if (current.pk if current else None) != seen:
        raise _reassigned_error()
    if not person.is_active:
        raise ValidationError(_("Hồ sơ đã đóng; hãy mở lại hồ sơ trước khi phân công."))
    refuse_future(started_on, "started_on")
    refuse_outside_file(person, started_on, "started_on")
    _check_member_serves(member, person)
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
                    % {"date": _d(current.started_on)}
                }
            )
        _end_assignment(actor=actor, assignment=current, ended_on=started_on, unit=person.ward_id)
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


@transaction.atomic
def assignment_reassign_many(
    *, actor: User, persons: Iterable[Person], member: Member, started_on: datetime.date
) -> list[Assignment]:
    """Assign several persons to one member: all or nothing, the first refusal undoes the rest."""
    assignments = []
    # In id order, so two batches lock their persons in the same order and cannot deadlock.
    for person in sorted(persons, key=lambda p: p.pk):
        try:
            assignments.append(
                assignment_assign(actor=actor, person=person, member=member, started_on=started_on)
            )
        except ValidationError as error:
            raise ValidationError(
                _("Không phân công được %(name)s: %(reason)s")
                % {"name": person.full_name, "reason": " ".join(error.messages)},
                code=getattr(error, "code", None) or "invalid",
            ) from error
    return assignments


@transaction.atomic
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


@transaction.atomic
def assignment_end(*, actor: User, assignment: Assignment, ended_on: datetime.date) -> Assignment:
    """Stop an assignment without naming a successor; the person is then nobody's."""
    assignment = (
        Assignment.objects.select_for_update().select_related("person").get(pk=assignment.pk)
    )
    return _end_assignment(
        actor=actor, assignment=assignment, ended_on=ended_on, unit=assignment.person.ward_id
    )


# Casework -----------------------------------------------------------------------------------


@transaction.atomic
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

    The ward and the person's group are copied from the person now, so reports count the
    contact where and as what it happened. `member` may be None for an officer without a
    team membership. `next_due_on` defaults to `contact_due_days` after the contact.
    """
    person = Person.objects.select_related("ward").get(pk=person.pk)
    refuse_future(occurred_on, "occurred_on")
    refuse_outside_file(person, occurred_on, "occurred_on")
    if member is not None:
        _check_member_serves(member, person)
        check_member_active_on(member, occurred_on)
    ward = ward_on(person.ward, occurred_on)
    if next_due_on is None:
        next_due_on = occurred_on + datetime.timedelta(days=contact_due_days(ward))
    contact = Contact(
        person=person,
        member=member,
        ward=ward,
        person_group=person.group,
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


@transaction.atomic
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


@transaction.atomic
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
        _check_member_serves(member, person)
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
