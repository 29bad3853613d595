"""The navigation each role sees. Built here because it spans every app."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wards.access import Role, access_for, department_grants
from wards.models import Team


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    view_names: tuple[str, ...]


def nav_items(user) -> list[NavItem]:
    if not user or not user.is_authenticated:
        return []
    access = access_for(user)
    # The brand, «Đồng Hành», is the link home; a menu item would repeat it.
    items: list[NavItem] = []
    if access.members:
        items.append(
            NavItem(
                _("Việc của tôi"),
                reverse("cases:my_work"),
                ("cases:my_work", "cases:contact_add", "cases:assessment_add"),
            )
        )
    if access.can("person_edit"):
        items += [
            NavItem(
                _("Danh sách quản lý"),
                reverse("cases:register"),
                (
                    "cases:register",
                    "cases:person_add",
                    "cases:person_edit",
                    "cases:person_close",
                    "imports:start",
                    "imports:preview",
                    "imports:mapping",
                    "imports:upload",
                ),
            ),
            NavItem(_("Phân công"), reverse("cases:assignment_board"), ("cases:assignment_board",)),
            NavItem(_("Tổng quan"), reverse("cases:ward_dashboard"), ("cases:ward_dashboard",)),
        ]
    if access.can("casework"):
        items.append(
            NavItem(
                _("Hoạt động"),
                reverse("outreach:activity_list"),
                (
                    "outreach:activity_list",
                    "outreach:activity_add",
                    "outreach:activity_batch",
                    "outreach:activity_edit",
                    "outreach:activity_delete",
                    "outreach:partner_list",
                    "outreach:partner_add",
                    "outreach:partner_edit",
                ),
            )
        )
    if access.can("outreach_manage"):
        items += [
            NavItem(
                _("Giới thiệu"),
                reverse("outreach:referral_list"),
                ("outreach:referral_list", "outreach:referral_detail"),
            ),
            NavItem(
                _("Vay vốn"), reverse("outreach:eligibility_list"), ("outreach:eligibility_list",)
            ),
        ]
    team_ids = [m.team_id for m in access.members]
    officer_wards = [g.unit.pk for g in access.grants if g.role == Role.OFFICER and g.unit]
    if officer_wards:
        team_ids += list(
            Team.objects.active().filter(ward_id__in=officer_wards).values_list("pk", flat=True)
        )
    team_ids = list(dict.fromkeys(team_ids))
    names = (
        dict(Team.objects.filter(pk__in=team_ids).values_list("pk", "ward__name"))
        if len(team_ids) > 1
        else {}
    )
    for team_id in team_ids:
        label = _("Đội %(ward)s") % {"ward": names[team_id]} if names else _("Đội của tôi")
        items.append(
            NavItem(
                label,
                reverse("wards:team_detail", args=[team_id]),
                ("wards:team_detail", "wards:member_add", "wards:member_edit"),
            )
        )
    if access.can("team_overview"):
        items.append(
            NavItem(_("Các Đội"), reverse("wards:team_overview"), ("wards:team_overview",))
        )
    if access.can("login_posts"):
        items.append(
            NavItem(
                _("Tài khoản cán bộ"),
                reverse("posts"),
                (
                    "posts",
                    "post_add",
                    "post_end",
                    "post_reset",
                    "post_second_factor_reset",
                ),
            )
        )
    if department_grants(user):
        items.append(
            NavItem(
                _("Tập huấn, tọa đàm"),
                reverse("outreach:unit_activity_list"),
                (
                    "outreach:unit_activity_list",
                    "outreach:unit_activity_add",
                    "outreach:unit_activity_edit",
                    "outreach:unit_activity_delete",
                ),
            )
        )
    if access.can("aggregate"):
        items.append(
            NavItem(
                _("Báo cáo"),
                reverse("reports:report"),
                (
                    "reports:report",
                    "reports:submission_status",
                    "reports:submission_detail",
                    "reports:submission_add",
                ),
            )
        )
    if access.can("audit_view") or access.can("audit_exports"):
        name = "wards:audit_trail" if access.can("audit_view") else "wards:audit_exports"
        items.append(
            NavItem(
                _("Nhật ký"),
                reverse(name),
                ("wards:audit_trail", "wards:audit_exports"),
            )
        )
    if user.is_staff:
        items.append(NavItem(_("Quản trị"), reverse("admin:index"), ()))
    return items


def navigation(request):
    user = getattr(request, "user", None)
    return {"nav_items": SimpleLazyObject(lambda: nav_items(user))}
