"""Writes of a person's file: registering, correcting, closing and reopening it."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.duplicates import Duplicates, find_duplicates, local_duplicates
from cases.models import (
    Enrollment,
    Person,
)
from cases.rules import (
    refuse_future,
)
from cases.services._common import (
    AUDITED_VALUES,
    PERSON_FIELDS,
    _derive,
    _lock,
    _refuse_unknown,
)
from cases.services.assignments import _end_assignment
from cases.services.enrollments import _end_enrollment
from cases.services.groups import (
    _change_group,
    _follow_registration,
    _redate_group,
    _start_history,
)
from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent
from wards.versions import refuse_stale

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Closing a file for these reasons ends the open enrolments for the same reason (person_close).
CLOSING_ENDS_ENROLMENTS = {
    Person.ClosedReason.DIED: Enrollment.EndReason.DIED,
    Person.ClosedReason.MOVED_AWAY: Enrollment.EndReason.MOVED_AWAY,
    Person.ClosedReason.TRANSFERRED: Enrollment.EndReason.TRANSFERRED,
}


def _new_person(*, actor: User, ward: AdminUnit, fields: dict[str, Any]) -> Person:
    """The file `person_register` saves, checked in every respect but duplicates: raises
    ValidationError for the first problem found."""
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
    fields = {"registered_on": timezone.localdate(), **fields}
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
    return person


@service
def person_check(*, actor: User, ward: AdminUnit, **fields: Any) -> Duplicates:
    """Whether the person about to be registered may already have a file: the matches on the
    register of `ward` (and of the wards merged into it), and only whether another commune's
    register has a namesake, never who or where.

    The file is first checked exactly as `person_register` checks it, and any other problem
    raises ValidationError before anything is looked up or recorded: a form with an error
    reveals nothing. The look beyond the ward is audited and limited per user per day
    (`cases.duplicates`); `Duplicates.limited` says it was not made today.
    """
    person = _new_person(actor=actor, ward=ward, fields=fields)
    return find_duplicates(
        actor=actor, ward=ward, full_name=person.full_name, birth_year=person.birth_year
    )


@service
def person_register(
    *,
    actor: User,
    ward: AdminUnit,
    confirm_duplicate: bool = False,
    group_reason: str = "",
    **fields: Any,
) -> Person:
    """Put a person on a ward's register.

    Consent is explicit: `consent_on`, the day the person agreed, is required, and the actor
    is recorded as the one who took it. `registered_on` defaults to today. The person's group
    history starts that day with the group they are registered with, for `group_reason`
    (default: «Đưa vào danh sách»; cases.services.groups).

    A person with the same name and birth year already on this ward's register (or a ward
    merged into it) stops the registration with a ValidationError coded "duplicate" until the
    caller passes `confirm_duplicate=True`. Other communes' registers are not looked at here:
    that look is audited and rationed, and the form asks it first through `person_check`.
    """
    person = _new_person(actor=actor, ward=ward, fields=fields)
    matches = local_duplicates(ward=ward, full_name=person.full_name, birth_year=person.birth_year)
    if matches and not confirm_duplicate:
        raise ValidationError(
            _(
                "Danh sách của xã, phường này đã có người cùng họ tên và năm sinh. Hãy kiểm "
                "tra lại; nếu đúng là một người khác, hãy xác nhận để đăng ký."
            ),
            code="duplicate",
        )
    person.save()
    # A record's text stays in the language of the records, whatever the user's language.
    reason = group_reason or gettext_noop("Đưa vào danh sách")
    _start_history(actor=actor, person=person, reason=reason)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=person,
        unit=ward,
        changes={
            "ward": ward,
            "registered_on": person.registered_on,
            "consent_on": person.consent_on,
            # registered beside a namesake of the ward's own register
            "duplicate_confirmed": bool(matches),
        },
    )
    return person


def _refuse_anonymised(person: Person) -> None:
    """An anonymised file is counts only: writing a name back would undo the de-identification."""
    if person.anonymised_on is not None:
        raise ValidationError(
            _("Hồ sơ này đã được ẩn danh: không sửa, không mở lại được."), code="anonymised"
        )


@service
def person_update(
    *,
    actor: User,
    person: Person,
    expected_version: int | None = None,
    group_since: datetime.date | None = None,
    group_reason: str = "",
    **fields: Any,
) -> Person:
    """Correct or complete a person's details (also for a closed file: the right to correction).

        With `expected_version` (the version the form was built on), a save over someone else's
        change is refused instead of silently overwriting it. Moving a person to another ward is
        not an update: close the file as moved away or transferred, and the other ward registers
        them.

        A new `group` is an entry of the person's group history (cases.services.groups): in force
        from `group_since` (default today; it may be dated back to the current group's entry, to
        correct it) for `group_reason`, which is required; the contacts from that day on count
        under the new group. With the group unchanged, `group_since` moves the first day of the
    current group (a change saved with the wrong day), the contacts in between stamped again with
    the group of their day. A corrected
        `registered_on` moves the start of the history with it.
    """
    _refuse_unknown(fields, PERSON_FIELDS)
    person = _lock(person)
    _refuse_anonymised(person)
    if expected_version is not None and expected_version != person.version:
        raise ValidationError(
            _("Người khác vừa sửa hồ sơ này. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
            code="stale",
        )
    changes = diff(person, fields, keep=AUDITED_VALUES)
    if "group" not in changes and group_since is not None:
        # The same group from another day: the current group's first day corrected.
        redated = _redate_group(actor=actor, person=person, since=group_since, reason=group_reason)
        if redated and not changes:
            person.version += 1
            person.save(update_fields=["version", "updated_at"])
            audit(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                obj=person,
                unit=person.ward_id,
                changes={**redated, "version": person.version},
            )
            return person
        changes |= redated
    if not changes:
        return person
    old_registered_on, old_group = person.registered_on, person.group
    for name, value in fields.items():
        setattr(person, name, value)
    _derive(person)
    refuse_future(person.registered_on, "registered_on")
    refuse_future(person.consent_on, "consent_on")
    refuse_future(person.birth_date, "birth_date")
    person.version += 1
    person.full_clean()
    if person.registered_on != old_registered_on:
        _follow_registration(person, old_registered_on)
    if person.group != old_group:
        changes |= _change_group(
            actor=actor, person=person, old_group=old_group, since=group_since, reason=group_reason
        )
    person.save(
        update_fields=[
            *(name for name in changes if name in fields),
            "search_key",
            "birth_year",
            "version",
            "updated_at",
        ]
    )
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        unit=person.ward_id,
        changes={**changes, "version": person.version},
    )
    return person


@service
def person_close(
    *,
    actor: User,
    person: Person,
    closed_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> Person:
    """Close a person's file (đóng hồ sơ) on `closed_on`.

    What a team leader expects:
    - the open assignment ends on `closed_on`: nobody keeps following a closed file;
    - when the person died, moved away or was transferred, every open enrolment ends on
      `closed_on` with that same reason, so closing is one step;
    - closing as "completed" or "other" while an enrolment is still open is refused. Ending
      a post-rehab management or another measure follows a decision, and its reason is what
      post_rehab.completed counts: the leader ends each enrolment first, with the reason the
      decision gives, rather than the app guessing it.

    With `expected_version`, a file changed since the user saw it is not closed.
    """
    person = _lock(person)
    if not person.is_active:
        raise ValidationError(_("Hồ sơ này đã đóng từ trước."))
    refuse_stale(
        person,
        expected_version,
        _("Người khác vừa sửa hồ sơ này. Hãy tải lại trang để xem thay đổi rồi đóng hồ sơ."),
    )
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


@service
def person_reopen(*, actor: User, person: Person, expected_version: int | None = None) -> Person:
    """Put a closed file back on the register. Assignments and enrolments are not restored:
    the leader assigns a helper and records any new measure again. With `expected_version`,
    a file changed since the user saw it (reopened and closed again) is not reopened."""
    person = _lock(person)
    _refuse_anonymised(person)
    if person.is_active:
        raise ValidationError(_("Hồ sơ này đang được theo dõi, không cần mở lại."))
    refuse_stale(
        person,
        expected_version,
        _("Người khác vừa thay đổi hồ sơ này. Hãy xem lại hồ sơ rồi mở lại nếu vẫn cần."),
    )
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
