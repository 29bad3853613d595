"""Logins run by the team (DESIGN.md, "People, accounts and moves"): who may give, reset and end
whose login, the passwords they give, and whether a login still opens anything.

- A leader or deputy gives and resets the logins of the members of their ward ranked below them
  (a leader: deputies and members; a deputy: members); a commune officer those of every member
  of the ward, leaders included. Nobody manages their own login here (they change their
  password themselves).
- A supervisor creates, ends and resets the officer posts of the communes under their unit and
  the supervisor posts at and under it (never at a commune), and resets a lost second factor.
- A login opens the app while its holder is an active member of a team that is not dissolved,
  holds an active post, or is the administrator: leaving the team or the post's end closes it
  the same day, rejoining reopens it (`has_access`, checked at login and on every request).
- A given password is temporary: it works TEMPORARY_PASSWORD_DAYS days and must be replaced
  at the first login with it (wards.models.TemporaryPassword).

The writes are in wards.services; this module only reads and decides.
"""

from __future__ import annotations

import datetime
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from wards.access import Role, access_for
from wards.models import AdminUnit, AuditEvent, Member, Post, TemporaryPassword
from wards.text import fold

# The flag in the session of a login made with a temporary password: only the page that sets
# a new one (and logging out) answers until it is set.
MUST_SET_PASSWORD = "donghanh_must_set_password"  # noqa: S105 (a session key)
# Letters and digits that cannot be misread on a slip or over the phone (no 0/o, 1/l/i).
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
# What a login name may be: lower-case letters without marks, digits, dots, hyphens and
# underscores, starting with a letter or digit.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,29}")
# Who outranks whom inside a team.
RANK = {Member.Role.LEADER: 0, Member.Role.DEPUTY: 1, Member.Role.MEMBER: 2}
# The audit mark of every login action, counted by `over_limit`.
MARK = "login"


def new_password() -> str:
    """A temporary password to print or read out: three groups of four, "kx7m-p3q9-7hta"."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(3))


def temporary_until(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(days=settings.TEMPORARY_PASSWORD_DAYS)


def suggest_username(full_name: str) -> str:
    """The given name, a dot and the initials of the rest, without marks: "Nguyễn Thị Lan" →
    "lan.nt"; a number is added when the name is taken ("lan.nt2")."""
    words = [re.sub(r"[^a-z0-9]", "", w) for w in fold(full_name).split()]
    words = [w for w in words if w]
    if not words:
        base = "tnv"
    else:
        base = words[-1] + ("." + "".join(w[0] for w in words[:-1]) if len(words) > 1 else "")
    base = base[:26]
    if len(base) < 3:
        base = f"{base}.tnv"
    return free_name(base)


def free_name(base: str) -> str:
    """`base`, or `base` with the smallest number from 2 that no login has, within 30
    characters. Login names are compared without case, as `clean_username` and the login form
    compare them ("Lan.NT" made in the admin site takes "lan.nt")."""
    taken = {
        name.lower()
        for name in get_user_model()
        .objects.filter(username__istartswith=base[:26])
        .values_list("username", flat=True)
    }
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = str(n)
        name = base[: 30 - len(suffix)] + suffix
        if name not in taken:
            return name
        n += 1


def clean_username(value: str) -> str:
    """The login name as typed, checked: lower case, no marks, free. Raises ValidationError."""
    username = (value or "").strip().lower()
    if not USERNAME.fullmatch(username):
        raise ValidationError(
            _(
                "Tên đăng nhập gồm 3–30 chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc "
                "gạch dưới, bắt đầu bằng chữ cái hoặc chữ số (ví dụ: lan.nt)."
            )
        )
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ValidationError(
            _("Tên đăng nhập «%(name)s» đã có người dùng. Hãy chọn tên khác, ví dụ «%(other)s».")
            % {"name": username, "other": free_name(username)}
        )
    return username


def has_access(user) -> bool:
    """Whether the login opens anything today: an active membership of a team not dissolved, an
    active post, or the administrator's."""
    return bool(access_for(user).grants)


def closed_message(user) -> str:
    """Why a login opens nothing any more, and who can reopen it: the supervisors above for
    someone whose last post ended, the team's leaders or the commune for a former member."""
    if Post.objects.filter(user=user).exists() and not Member.objects.filter(user=user).exists():
        return _(
            "Tài khoản này không còn dùng được vì chức vụ của bạn đã kết thúc. Nếu bạn vẫn "
            "công tác, hãy nhờ cán bộ giám sát cấp trên mở lại."
        )
    return _(
        "Tài khoản này không còn dùng được vì bạn đã thôi tham gia Đội hoặc Đội đã giải thể. "
        "Nếu bạn quay lại, hãy nhờ đội trưởng hoặc cán bộ xã, phường mở lại."
    )


def member_rank_allows(actor, member: Member) -> bool:
    """Whether `actor` outranks `member` in the member's ward: an officer of the ward outranks
    every member, a leader or deputy only those of lower rank."""
    access = access_for(actor)
    ward = member.team.ward_id
    if not access.can("login_members", ward):
        return False
    for grant in access.grants:
        if ward not in grant.unit_ids:
            continue
        if grant.role == Role.OFFICER:
            return True
        if grant.role == Role.LEADER and RANK[grant.member.role] < RANK[member.role]:
            return True
    return False


def may_manage_member(actor, member: Member) -> bool:
    """Whether `actor` may give, reset or reopen `member`'s login (see the module's rules)."""
    if member.user_id is not None and member.user_id == actor.pk:
        return False
    return member_rank_allows(actor, member)


def rejoin_role(member: Member) -> str:
    """The role a former member comes back with: their own, a former leader as a member."""
    return Member.Role.MEMBER if member.role == Member.Role.LEADER else member.role


def may_rejoin(actor, member: Member) -> bool:
    """Whether `actor` may let the former `member` rejoin: judged on the membership they would
    come back to, with their login."""
    again = Member(team=member.team, role=rejoin_role(member), user_id=member.user_id)
    return may_manage_member(actor, again)


def post_unit_ids(actor) -> frozenset[int]:
    return access_for(actor).unit_ids("login_posts")


def _post_fits(actor, unit: AdminUnit, role: str) -> bool:
    """Officer posts at a commune under the actor's unit, supervisor posts at a unit above a
    commune at or under it."""
    if unit.pk not in post_unit_ids(actor):
        return False
    if role == Post.Role.OFFICER:
        return unit.is_commune
    return role == Post.Role.SUPERVISOR and not unit.is_commune


def may_create_post(actor, unit: AdminUnit, role: str) -> bool:
    """Whether `actor` may create a post of `role` at `unit`: a unit of today (not one merged
    away in 2025) that fits the role, at or under the actor's."""
    return unit.is_current() and _post_fits(actor, unit, role)


def may_manage_post(actor, post: Post) -> bool:
    """Whether `actor` may end or reset `post` (never their own; a post at a unit merged away
    may still be ended)."""
    return post.user_id != actor.pk and _post_fits(actor, post.unit, post.role)


def over_limit(actor) -> bool:
    """Whether `actor` has already made ACCOUNT_ACTIONS_PER_HOUR login actions in the last hour
    (counted from the audit trail, so every worker and host agrees)."""
    since = timezone.now() - datetime.timedelta(hours=1)
    done = AuditEvent.objects.filter(
        actor=actor, created_at__gte=since, changes__has_key=MARK
    ).count()
    return done >= settings.ACCOUNT_ACTIONS_PER_HOUR


def refuse_over_limit(actor) -> None:
    if over_limit(actor):
        raise ValidationError(
            _(
                "Bạn đã cấp hoặc đặt lại %(count)d tài khoản trong một giờ qua, mức tối đa. "
                "Vui lòng thử lại sau."
            )
            % {"count": settings.ACCOUNT_ACTIONS_PER_HOUR}
        )


def slip(request, user, password: str, *, holder: str, second_factor: bool = False) -> dict:
    """What the slip of a login just given or reset shows (wards/login_slip.html): the app's
    address, the login name, the password (only ever in this answer), until when it works."""
    return {
        "holder": holder,
        "address": request.build_absolute_uri("/"),
        "username": user.get_username(),
        "password": password,
        "expires_at": TemporaryPassword.objects.get(user=user).expires_at,
        "second_factor": second_factor,
    }


def last_logins(user_ids) -> dict[int, datetime.datetime | None]:
    """The last login of each user, one query."""
    rows = get_user_model().objects.filter(pk__in=list(user_ids)).values_list("pk", "last_login")
    return dict(rows)
