"""Who may see what: the one place that turns a login into units and roles.

Every `visible_to(user)` / `editable_by(user)` in every app asks `access_for(user)`. A grant is
a role held at a unit; it covers the unit's subtree plus every unit merged into it (so a leader
of a ward formed in 2025 sees the history of the wards it replaced). What each role may do is
the CAPABILITIES table below, and nothing else decides it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards.models import AdminUnit, Member, Post


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Tình nguyện viên")
    LEADER = "leader", _("Đội trưởng, đội phó")
    OFFICER = "officer", _("Cán bộ UBND xã, phường")
    SUPERVISOR = "supervisor", _("Cán bộ giám sát")
    ADMIN = "admin", _("Quản trị hệ thống")


V, L, OF, S, A = Role.VOLUNTEER, Role.LEADER, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN

# capability -> the roles that have it over the units of their grant
CAPABILITIES: dict[str, frozenset[Role]] = {
    # see a team's roster (member names are not supervised persons' data)
    "team_view": frozenset({V, L, OF, S, A}),
    # add members, change roles, record leaving, edit the team's decision
    "team_edit": frozenset({L, OF}),
    # create, reset and reopen the logins of the ward's members; a leader or deputy only those
    # of members ranked below them, an officer every member's (wards.logins)
    "login_members": frozenset({L, OF}),
    # create, end and reset the officer and supervisor posts at and under the unit, and reset
    # their second factor (wards.logins)
    "login_posts": frozenset({S}),
    # dissolve the ward's team (a decision of the commune, not of the team)
    "team_dissolve": frozenset({OF}),
    # the per-ward table of teams, sizes and composition under a unit
    "team_overview": frozenset({S, A}),
    # every supervised person of the ward (volunteers only see their own assigned persons)
    "person_view": frozenset({L, OF}),
    "person_edit": frozenset({L, OF}),
    # log contacts and activities for the ward
    "casework": frozenset({V, L, OF}),
    # change any activity of the ward, keep its partner directory, follow its referrals
    "outreach_manage": frozenset({L, OF}),
    # submit the ward's period report (the figures and narrative, frozen)
    "report_submit": frozenset({L, OF}),
    # see the submissions of the units below the post as received, approve them or return
    # them with a reason (never the post's own unit: nobody reviews their own report)
    "report_review": frozenset({S}),
    # counts and reports, never names
    "aggregate": frozenset({V, L, OF, S, A}),
    # the audit trail of the unit
    "audit_view": frozenset({L, OF}),
    # the exports, logins and logouts of the people working under the unit (never a person)
    "audit_exports": frozenset({S, A}),
    # record, correct and delete the trainings and seminars the department runs at the unit of
    # the post itself (a district or a province), never at a unit below it: department_grants()
    "unit_activity": frozenset({S}),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    unit: AdminUnit | None  # None: the whole installation (administrators)
    unit_ids: frozenset[int]
    member: Member | None = None

    @property
    def label(self) -> str:
        """The role as the person holds it: «Đội phó» rather than the grant's group label."""
        return self.member.get_role_display() if self.member else self.role.label


@dataclass
class Access:
    grants: tuple[Grant, ...] = ()
    _cache: dict[str, frozenset[int]] = field(default_factory=dict)

    def unit_ids(self, capability: str) -> frozenset[int]:
        """The ids of every unit over which the user has `capability`."""
        if capability not in CAPABILITIES:
            raise KeyError(f"unknown capability {capability!r}")
        if capability not in self._cache:
            roles = CAPABILITIES[capability]
            ids: set[int] = set()
            for grant in self.grants:
                if grant.role in roles:
                    ids |= grant.unit_ids
            self._cache[capability] = frozenset(ids)
        return self._cache[capability]

    def can(self, capability: str, unit_id: int | None = None) -> bool:
        ids = self.unit_ids(capability)
        return bool(ids) if unit_id is None else unit_id in ids

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    @property
    def primary(self) -> Grant | None:
        """The grant the interface is built around (the most local one)."""
        order = [L, OF, V, S, A]
        return min(self.grants, key=lambda g: order.index(g.role), default=None)

    @property
    def members(self) -> list[Member]:
        """The user's active memberships (volunteer or leader grants)."""
        return [g.member for g in self.grants if g.member is not None]


def access_for(user, *, refresh: bool = False) -> Access:
    """Which units `user` may see, and with which role. Cached on the user object."""
    if not refresh and hasattr(user, "_donghanh_access"):
        return user._donghanh_access
    access = _compute(user)
    if user is not None and getattr(user, "is_authenticated", False):
        user._donghanh_access = access
    return access


def _compute(user) -> Access:
    if user is None or not user.is_authenticated or not user.is_active:
        return Access()
    raw: list[tuple[Role, AdminUnit, Member | None]] = []
    memberships = (
        Member.objects.filter(user=user, left_on__isnull=True, team__dissolved_on__isnull=True)
        .select_related("team__ward")
        .order_by("pk")
    )
    for member in memberships:
        role = L if member.role in (Member.Role.LEADER, Member.Role.DEPUTY) else V
        raw.append((role, member.team.ward, member))
    # A post gives access until the day its end is recorded for (as leaving a team does).
    posts = Post.objects.active().filter(user=user).exclude(ended_on__lte=timezone.localdate())
    for post in posts.select_related("unit").order_by("pk"):
        raw.append((OF if post.role == Post.Role.OFFICER else S, post.unit, None))
    grants: list[Grant] = []
    for role, unit, member in raw:
        ids = AdminUnit.objects.scope_ids([unit])
        grants.append(Grant(role=role, unit=unit, unit_ids=ids, member=member))
    if user.is_superuser:
        ids = frozenset(AdminUnit.objects.values_list("pk", flat=True))
        grants.append(Grant(role=A, unit=None, unit_ids=ids))
    return Access(grants=tuple(grants))


def department_grants(user, capability: str = "unit_activity") -> list[Grant]:
    """The user's grants carrying `capability` at a unit above a ward, one per unit, in grant
    order: a supervisor's department, which acts at its own unit (and at the units of its level
    merged into it), not over the wards below it."""
    grants: dict[int, Grant] = {}
    for grant in access_for(user).grants:
        if grant.role in CAPABILITIES[capability] and grant.unit and not grant.unit.is_commune:
            grants.setdefault(grant.unit.pk, grant)
    return list(grants.values())


def require(user, capability: str, unit_id: int | None = None) -> Access:
    """404 unless the user holds `capability` (over `unit_id` when given)."""
    access = access_for(user)
    if not access.can(capability, unit_id):
        raise Http404
    return access
