"""Writes for teams and members. Each is atomic, validated and audited."""

from __future__ import annotations

import datetime

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from wards import logins
from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent, Member, Post, Team, TemporaryPassword
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


# Logins (wards.logins decides who may do what; these write, audit and count toward the hourly
# limit). A password given here is shown once by the view and never stored in clear.


def _give_password(*, actor, user) -> str:
    """Set a new temporary password on `user`, lift a login lock-out, return the password."""
    password = logins.new_password()
    user.set_password(password)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.update_or_create(
        user=user,
        defaults={
            "issued_by": actor,
            "issued_at": timezone.now(),
            "expires_at": logins.temporary_until(),
        },
    )
    # A member locked out by wrong tries can log in with the new password at once.
    axes_reset(username=user.username)
    return password


def _new_login(*, actor, username: str, full_name: str):
    username = logins.clean_username(username)
    try:
        # A savepoint: the name may be taken between the check above and this insert (two
        # people giving the same name at once); the unique index refuses the second, which
        # gets the form's message rather than a server error.
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=username, first_name=full_name[:150]
            )
    except IntegrityError:
        raise ValidationError(
            {
                "username": _(
                    "Tên đăng nhập «%(name)s» vừa được cấp cho người khác. Hãy chọn tên khác, "
                    "ví dụ «%(other)s»."
                )
                % {"name": username, "other": logins.free_name(username)}
            }
        ) from None
    return user, _give_password(actor=actor, user=user)


def _refuse_member(actor, member: Member) -> None:
    if member.left_on is not None:
        raise ValidationError(_("Thành viên này đã thôi tham gia Đội."))
    if not logins.may_manage_member(actor, member):
        raise PermissionDenied
    logins.refuse_over_limit(actor)


@service
def login_create(*, actor, member: Member, username: str) -> tuple[Member, str]:
    """Give an active member of the actor's ward a login; returns the member and the temporary
    password. Refused when the member has one already (a second tap, or someone else first)."""
    member = Member.objects.select_for_update().select_related("team").get(pk=member.pk)
    _refuse_member(actor, member)
    if member.user_id is not None:
        raise ValidationError(
            _("Thành viên này đã có tài khoản. Nếu họ quên mật khẩu, hãy bấm «Đặt lại mật khẩu».")
        )
    user, password = _new_login(actor=actor, username=username, full_name=member.full_name)
    member.user = user
    member.save(update_fields=["user", bump(member), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="auth.user",
        object_id=user.pk,
        unit=member.team.ward_id,
        changes={logins.MARK: "created", "member": member.pk, "role": member.role},
    )
    return member, password


def _reset(*, actor, user, unit_id: int, **changes) -> str:
    password = _give_password(actor=actor, user=user)
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="auth.user",
        object_id=user.pk,
        unit=unit_id,
        changes={logins.MARK: "password_reset", **changes},
    )
    return password


@service
def login_reset(*, actor, member: Member) -> str:
    """Give a member who forgot their password a new temporary one; returns it. Every session
    of theirs ends (the password hash changed)."""
    # Only the member's row is locked: PostgreSQL cannot lock the nullable side of the outer
    # join that brings the login along.
    member = (
        Member.objects.select_for_update(of=("self",))
        .select_related("team", "user")
        .get(pk=member.pk)
    )
    _refuse_member(actor, member)
    if member.user is None:
        raise ValidationError(_("Thành viên này chưa có tài khoản."))
    # A new password opens everything the login holds: one that is also an officer's or a
    # supervisor's, or the administrator's, is reset by whoever manages that post.
    holder = member.user
    posts = Post.objects.filter(user=holder).exclude(ended_on__lte=timezone.localdate())
    if holder.is_staff or holder.is_superuser or posts.exists():
        raise ValidationError(
            _(
                "Tài khoản này còn giữ chức vụ cán bộ; chỉ cán bộ giám sát quản lý chức vụ đó "
                "mới đặt lại được mật khẩu."
            )
        )
    return _reset(actor=actor, user=member.user, unit_id=member.team.ward_id, member=member.pk)


@service
def member_rejoin(*, actor, member: Member, joined_on: datetime.date) -> Member:
    """A former member comes back: a new membership with the same details and login, so the
    login opens again. Refused while they are active in a team."""
    # Two people letting the same person rejoin at once: the second waits here, then sees the
    # first's membership below and is told so (not the one-membership constraint's error).
    former = Member.objects.select_for_update(of=("self",)).select_related("team").get(pk=member.pk)
    if former.user_id:
        # the same login may also come back through another former membership at that moment
        list(get_user_model().objects.select_for_update().filter(pk=former.user_id).values("pk"))
    if former.left_on is None:
        raise ValidationError(_("Người này đang tham gia Đội."))
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("Ngày tham gia không được ở tương lai.")})
    if joined_on <= former.left_on:
        raise ValidationError(
            {
                "joined_on": _("Ngày tham gia lại phải sau ngày thôi tham gia (%(date)s).")
                % {"date": f"{former.left_on:%d/%m/%Y}"}
            }
        )
    active = (
        Member.objects.filter(user_id=former.user_id, left_on__isnull=True)
        .values_list("team_id", flat=True)
        .first()
        if former.user_id
        else None
    )
    if active == former.team_id:
        raise ValidationError(_("Người này vừa được ghi nhận tham gia lại Đội."))
    if active is not None:
        raise ValidationError(_("Tài khoản của người này đang thuộc một Đội khác."))
    if not logins.may_rejoin(actor, former):
        raise PermissionDenied
    fields = {name: getattr(former, name) for name in MEMBER_FIELDS}
    fields.update(role=logins.rejoin_role(former), joined_on=joined_on)
    return member_add(actor=actor, team=former.team, user=former.user, **fields)


@service
def post_create(
    *,
    actor,
    unit: AdminUnit,
    role: str,
    full_name: str,
    username: str,
    title: str = "",
    started_on: datetime.date | None = None,
) -> tuple[Post, str]:
    """Create a login with an officer or supervisor post at `unit`; returns the post and the
    temporary password."""
    if not logins.may_create_post(actor, unit, role):
        raise PermissionDenied
    if not unit.is_current():
        # A unit merged away in 2025 still lies in the actor's scope (its history does), but
        # nobody works there any more.
        raise ValidationError({"unit": _("Đơn vị này không còn tồn tại sau khi sắp xếp.")})
    logins.refuse_over_limit(actor)
    user, password = _new_login(actor=actor, username=username, full_name=full_name)
    post = Post(
        user=user,
        unit=unit,
        role=role,
        title=title,
        started_on=started_on or timezone.localdate(),
    )
    post.full_clean()
    post.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=post,
        unit=unit,
        changes={logins.MARK: "created", "role": role, "user": user.pk},
    )
    return post, password


def _locked_post(actor, post: Post) -> Post:
    post = Post.objects.select_for_update().select_related("unit", "user").get(pk=post.pk)
    if not logins.may_manage_post(actor, post):
        raise PermissionDenied
    return post


def _refuse_holder(actor, post: Post) -> None:
    """A new password or authenticator opens everything the login holds, not only this post:
    refuse it when the post has ended, and when its holder is staff, an administrator, or
    holds a post or a team role the actor may not manage (a district supervisor must not take
    over a province supervisor's login through an officer post they also hold)."""
    if post.ended_on is not None and post.ended_on <= timezone.localdate():
        raise ValidationError(_("Chức vụ này đã kết thúc; tài khoản không còn dùng được."))
    holder = post.user
    if holder.is_staff or holder.is_superuser:
        raise PermissionDenied
    others = (
        Post.objects.filter(user=holder)
        .exclude(pk=post.pk)
        .exclude(ended_on__lte=timezone.localdate())
        .select_related("unit")
    )
    if not all(logins.may_manage_post(actor, other) for other in others):
        raise PermissionDenied
    wards = Member.objects.active().filter(user=holder).values_list("team__ward_id", flat=True)
    if not set(wards) <= logins.post_unit_ids(actor):
        raise PermissionDenied


@service
def post_end(*, actor, post: Post, ended_on: datetime.date) -> Post:
    """End a post on `ended_on`. Access ends on the day an end is recorded (as it does when a
    member leaves): the login closes when it holds nothing else."""
    post = _locked_post(actor, post)
    if post.ended_on is not None and post.ended_on <= timezone.localdate():
        raise ValidationError(_("Chức vụ này đã kết thúc từ trước."))
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": _("Ngày kết thúc không được ở tương lai.")})
    if post.started_on and ended_on < post.started_on:
        raise ValidationError(
            {
                "ended_on": _("Ngày kết thúc không được trước ngày bắt đầu (%(date)s).")
                % {"date": f"{post.started_on:%d/%m/%Y}"}
            }
        )
    post.ended_on = ended_on
    post.full_clean()
    post.save(update_fields=["ended_on", "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=post,
        unit=post.unit_id,
        changes={logins.MARK: "post_ended", "ended_on": post.ended_on},
    )
    return post


@service
def post_reset(*, actor, post: Post) -> str:
    """Give the holder of a post a new temporary password; returns it."""
    post = _locked_post(actor, post)
    _refuse_holder(actor, post)
    logins.refuse_over_limit(actor)
    return _reset(actor=actor, user=post.user, unit_id=post.unit_id, post=post.pk)


@service
def second_factor_reset(*, actor, post: Post) -> int:
    """Remove the authenticator of a post's holder (a lost phone): they enrol a new one at
    their next login. Returns how many devices were removed."""
    post = _locked_post(actor, post)
    _refuse_holder(actor, post)
    logins.refuse_over_limit(actor)
    removed, _detail = TOTPDevice.objects.filter(user=post.user).delete()
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="auth.user",
        object_id=post.user_id,
        unit=post.unit_id,
        changes={logins.MARK: "second_factor_reset", "post": post.pk},
    )
    return removed


@service
def own_password_set(*, user, password: str) -> None:
    """The holder of a temporary password chooses their own (validated by the caller's form)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    TemporaryPassword.objects.filter(user=user).delete()
    audit(
        actor=user,
        action=AuditEvent.Action.UPDATE,
        object_type="auth.user",
        object_id=user.pk,
        # not a field of the user, so audit() keeps the value: the temporary one was replaced
        changes={"temporary_password": "replaced"},
    )
