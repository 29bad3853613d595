"""Writes of programme enrolments: starting, correcting and ending one."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from cases.models import (
    Club,
    Enrollment,
    Person,
    Programme,
)
from cases.rules import (
    add_months,
    dmy,
    refuse_future,
    ward_on,
)
from cases.services._common import (
    ENROLLMENT_FIELDS,
    _lock,
    _refuse_unknown,
)
from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent
from wards.versions import bump, refuse_stale

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def _stale() -> str:
    return _("Người khác vừa sửa lượt tham gia này. Hãy tải lại trang rồi sửa lại.")


def _overlap_message(enrollment: Enrollment) -> str:
    return _(
        "Người này đã tham gia «%(programme)s» từ %(start)s đến %(end)s; hai lượt tham gia cùng "
        "một chương trình không được trùng thời gian."
    ) % {
        "programme": enrollment.programme,
        "start": dmy(enrollment.started_on),
        "end": dmy(enrollment.ended_on) if enrollment.ended_on else _("nay"),
    }


def _check_club(club: Club, person: Person, programme: Programme, started_on) -> Club:
    """The club a person joins through an enrolment: one of the enrolment's programme, of
    the ward the person's file belongs to on the day the enrolment starts (after a merger,
    the new ward, which a file registered before it still names by its old ward) or of a ward
    merged into it, meeting on that day.
    Returns it locked (cases.services.clubs._lock), so it cannot close meanwhile."""
    club = Club.objects.select_for_update(no_key=True).select_related("programme").get(pk=club.pk)
    if club.programme_id != programme.pk:
        raise ValidationError(
            {
                "club": _(
                    "Câu lạc bộ «%(club)s» sinh hoạt theo chương trình «%(programme)s»; hãy "
                    "chọn chương trình đó, hoặc để trống câu lạc bộ."
                )
                % {"club": club.name, "programme": club.programme}
            }
        )
    if club.ward_id not in AdminUnit.objects.scope_ids([ward_on(person.ward, started_on)]):
        raise ValidationError(
            {
                "club": _("Câu lạc bộ «%(club)s» không thuộc xã, phường của người này.")
                % {"club": club.name}
            }
        )
    if started_on < club.founded_on:
        raise ValidationError(
            {
                "club": _(
                    "Câu lạc bộ «%(club)s» thành lập ngày %(date)s, sau ngày bắt đầu tham gia."
                )
                % {"club": club.name, "date": dmy(club.founded_on)}
            }
        )
    if club.closed_on is not None and started_on > club.closed_on:
        raise ValidationError(
            {
                "club": _("Câu lạc bộ «%(club)s» đã ngừng hoạt động từ sau ngày %(date)s.")
                % {"club": club.name, "date": dmy(club.closed_on)}
            }
        )
    return club


@service
def enrollment_start(
    *,
    actor: User,
    person: Person,
    programme: Programme,
    started_on: datetime.date,
    due_on: datetime.date | None = None,
    decision_no: str = "",
    decision_on: datetime.date | None = None,
    club: Club | None = None,
) -> Enrollment:
    """Record that a person entered a programme or came under a measure, through `club`
    when given (a club of that programme and of the person's ward, meeting that day).

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
    if club is not None:
        club = _check_club(club, person, programme, started_on)
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
        club=club,
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
            **({"club": club.pk} if club is not None else {}),
        },
    )
    return enrollment


@service
def enrollment_update(
    *, actor: User, enrollment: Enrollment, expected_version: int | None = None, **fields: Any
) -> Enrollment:
    """Change the due date or the decision reference of an enrolment; with
    `expected_version`, not over someone else's change (wards.versions)."""
    _refuse_unknown(fields, ENROLLMENT_FIELDS)
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    refuse_stale(enrollment, expected_version, _stale())
    changes = diff(enrollment, fields, keep={"due_on"})
    if not changes:
        return enrollment
    for name, value in fields.items():
        setattr(enrollment, name, value)
    refuse_future(enrollment.decision_on, "decision_on")
    enrollment.full_clean()
    enrollment.save(update_fields=[*changes, bump(enrollment), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=enrollment,
        unit=enrollment.ward_id,
        changes=changes,
    )
    return enrollment


def _end_enrollment(
    *, actor: User, enrollment: Enrollment, ended_on: datetime.date, reason: str
) -> Enrollment:
    if enrollment.ended_on is not None:
        raise ValidationError(
            _("Lượt tham gia này đã kết thúc ngày %(date)s.") % {"date": dmy(enrollment.ended_on)}
        )
    if ended_on < enrollment.started_on:
        raise ValidationError(
            {
                "ended_on": _("Không thể kết thúc trước ngày bắt đầu (%(date)s).")
                % {"date": dmy(enrollment.started_on)}
            }
        )
    refuse_future(ended_on, "ended_on")
    enrollment.ended_on = ended_on
    enrollment.end_reason = reason
    enrollment.full_clean()
    enrollment.save(update_fields=["ended_on", "end_reason", bump(enrollment), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=enrollment,
        unit=enrollment.ward_id,
        changes={"ended_on": ended_on, "end_reason": reason},
    )
    return enrollment


@service
def enrollment_end(
    *,
    actor: User,
    enrollment: Enrollment,
    ended_on: datetime.date,
    reason: str,
    expected_version: int | None = None,
) -> Enrollment:
    """End an enrolment on `ended_on` (its last day) for `reason` (Enrollment.EndReason);
    with `expected_version`, not one changed since the user saw it (wards.versions)."""
    enrollment = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if enrollment.ended_on is None:
        refuse_stale(enrollment, expected_version, _stale())
    return _end_enrollment(actor=actor, enrollment=enrollment, ended_on=ended_on, reason=reason)
