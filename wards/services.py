"""Writes for teams and members. Each is atomic, validated and audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AuditEvent, Member, Team
from wards.versions import bump, refuse_stale

MEMBER_FIELDS = (
    "full_name",
    "sex",
    "birth_year",
    "phone",
    "role",
    "organisation",
    "joined_on",
)
TEAM_FIELDS = ("name", "established_on", "decision_no", "contact_due_days")


def _member_stale() -> str:
    return _(
        "Người khác vừa sửa thông tin thành viên này. Hãy tải lại trang để xem thay đổi rồi "
        "sửa lại."
    )


def _demote_current_leader(*, actor, team: Team, keep: Member | None) -> Member | None:
    """Make the team's active leader a deputy so another member can lead."""
    current = (
        Member.objects.select_for_update()
        .filter(team=team, role=Member.Role.LEADER, left_on__isnull=True)
        .exclude(pk=keep.pk if keep else None)
        .first()
    )
    if current is None:
        return None
    current.role = Member.Role.DEPUTY
    current.save(update_fields=["role", bump(current), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=current,
        unit=team.ward_id,
        changes={"role": [Member.Role.LEADER, Member.Role.DEPUTY]},
    )
    return current


@service
def member_add(*, actor, team: Team, **fields) -> Member:
    """Add a member to a team. A new leader turns the previous leader into a deputy."""
    unknown = set(fields) - set(MEMBER_FIELDS) - {"user"}
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    # Waits for a dissolution under way (team_dissolve locks the team), then sees it.
    team = Team.objects.select_for_update(no_key=True).get(pk=team.pk)
    if team.dissolved_on is not None:
        raise ValidationError(
            _("Đội này đã giải thể từ ngày %(date)s.") % {"date": f"{team.dissolved_on:%d/%m/%Y}"}
        )
    member = Member(team=team, created_by=actor, **fields)
    if member.role == Member.Role.LEADER:
        # Demote first so the one-leader constraint holds; a failure below rolls it back.
        _demote_current_leader(actor=actor, team=team, keep=None)
    member.full_clean()
    member.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=member,
        unit=team.ward_id,
        changes={"role": member.role, "organisation": member.organisation},
    )
    return member


@service
def member_update(
    *, actor, member: Member, expected_version: int | None = None, **fields
) -> Member:
    """Change a member's details or role. A new leader turns the previous one into a deputy.

    With `expected_version` (the version the form was built on), a save over someone else's
    change is refused (wards.versions)."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise TypeError(f"unknown member fields: {sorted(unknown)}")
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(_("Thành viên này đã thôi tham gia Đội, không sửa được nữa."))
    refuse_stale(member, expected_version, _member_stale())
    changes = diff(member, fields, keep=("role", "organisation", "joined_on"))
    if not changes:
        return member
    for name, value in fields.items():
        setattr(member, name, value)
    if "role" in changes and member.role == Member.Role.LEADER:
        _demote_current_leader(actor=actor, team=member.team, keep=member)
    member.full_clean()
    member.save(update_fields=[*changes, bump(member), "updated_at"])
    # Names and phone numbers stay out of the audit trail; the field names are enough.
    safe = {k: v for k, v in changes.items() if k in ("role", "organisation", "joined_on")}
    safe.update({k: "changed" for k in changes if k not in safe})
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=member,
        unit=member.team.ward_id,
        changes=safe,
    )
    return member


@service
def member_leave(
    *,
    actor,
    member: Member,
    left_on: datetime.date,
    reason: str = "",
    expected_version: int | None = None,
) -> Member:
    """Record that a member left the team. The row stays, so the history is kept."""
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)
    if member.left_on is not None:
        raise ValidationError(_("Thành viên này đã thôi tham gia Đội từ trước."))
    refuse_stale(member, expected_version, _member_stale())
    if left_on > timezone.localdate():
        raise ValidationError({"left_on": _("Ngày thôi tham gia không được ở tương lai.")})
    if left_on < member.joined_on:
        raise ValidationError({"left_on": _("Ngày thôi tham gia không được trước ngày tham gia.")})
    member.left_on = left_on
    member.left_reason = reason
    member.full_clean()
    member.save(update_fields=["left_on", "left_reason", bump(member), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=member,
        unit=member.team.ward_id,
        changes={"left_on": left_on},
    )
    return member


@service
def team_update(*, actor, team: Team, expected_version: int | None = None, **fields) -> Team:
    """Change a team's details; with `expected_version`, not over someone else's change."""
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown team fields: {sorted(unknown)}")
    team = Team.objects.select_for_update().get(pk=team.pk)
    refuse_stale(
        team,
        expected_version,
        _("Người khác vừa sửa thông tin Đội. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
    )
    changes = diff(team, fields, keep=("established_on", "contact_due_days"))
    if not changes:
        return team
    for name, value in fields.items():
        setattr(team, name, value)
    team.full_clean()
    team.save(update_fields=[*changes, bump(team), "updated_at"])
    audit(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=team, unit=team.ward_id, changes=changes
    )
    return team


@service
def team_dissolve(
    *,
    actor,
    team: Team,
    dissolved_on: datetime.date,
    expected_version: int | None = None,
) -> Team:
    """Dissolve a team (giải thể Đội) on `dissolved_on`, its last day (INDICATORS.md).

    Every membership still open ends the same day, so no member of a dissolved team is ever
    counted; each change is audited. Refused for a date before the team was established or in
    the future, and for a team already dissolved."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.dissolved_on is not None:
        raise ValidationError(
            _("Đội này đã giải thể từ ngày %(date)s.") % {"date": f"{team.dissolved_on:%d/%m/%Y}"}
        )
    refuse_stale(
        team,
        expected_version,
        _("Người khác vừa sửa thông tin Đội. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
    )
    if dissolved_on > timezone.localdate():
        raise ValidationError({"dissolved_on": _("Ngày giải thể không được ở tương lai.")})
    if team.established_on is not None and dissolved_on < team.established_on:
        raise ValidationError(
            {
                "dissolved_on": _("Ngày giải thể không được trước ngày thành lập (%(date)s).")
                % {"date": f"{team.established_on:%d/%m/%Y}"}
            }
        )
    members = list(
        Member.objects.select_for_update().filter(team=team, left_on__isnull=True).order_by("pk")
    )
    late = [m for m in members if m.joined_on > dissolved_on]
    if late:
        raise ValidationError(
            {
                "dissolved_on": _(
                    "Có thành viên tham gia Đội sau ngày này (%(date)s). Hãy chọn ngày giải thể "
                    "từ ngày đó trở đi."
                )
                % {"date": f"{max(m.joined_on for m in late):%d/%m/%Y}"}
            }
        )
    reason = _("Đội giải thể")
    for member in members:
        member.left_on = dissolved_on
        member.left_reason = reason
        member.save(update_fields=["left_on", "left_reason", bump(member), "updated_at"])
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=member,
            unit=team.ward_id,
            changes={"left_on": dissolved_on, "reason": "team_dissolved"},
        )
    team.dissolved_on = dissolved_on
    team.full_clean()
    team.save(update_fields=["dissolved_on", bump(team), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=team,
        unit=team.ward_id,
        changes={"dissolved_on": dissolved_on, "members_left": len(members)},
    )
    return team
