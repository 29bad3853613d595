from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from reports import home as report_home
from wards import logins, services
from wards.access import access_for
from wards.forms import (
    MemberEditForm,
    MemberForm,
    MemberLeaveForm,
    OverviewDateForm,
    TeamDissolveForm,
    TeamForm,
    add_service_errors,
)
from wards.models import AdminUnit, Member, Team
from wards.once import AlreadySubmitted, already_saved, submit_once


def _get_team(request: HttpRequest, pk: int, *, write: bool = False) -> Team:
    team = get_object_or_404(Team.objects.visible_to(request.user).select_related("ward"), pk=pk)
    if write and not access_for(request.user).can("team_edit", team.ward_id):
        raise PermissionDenied
    return team


def _get_member(request: HttpRequest, pk: int, *, write: bool = False) -> Member:
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("team__ward"), pk=pk
    )
    if write and not access_for(request.user).can("team_edit", member.team.ward_id):
        raise PermissionDenied
    return member


def size_warning(size: int) -> str:
    if size < settings.TEAM_SIZE_MIN or size > settings.TEAM_SIZE_MAX:
        return ngettext(
            "Đội có %(size)s thành viên, ngoài khoảng %(min)s–%(max)s theo quy định.",
            "Đội có %(size)s thành viên, ngoài khoảng %(min)s–%(max)s theo quy định.",
            size,
        ) % {
            "size": size,
            "min": settings.TEAM_SIZE_MIN,
            "max": settings.TEAM_SIZE_MAX,
        }
    return ""


def home(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    today = timezone.localdate()
    wards = {g.unit.pk for g in access.grants if g.unit and g.unit.is_commune}
    teams = (
        Team.objects.active()
        .filter(ward_id__in=wards)
        .select_related("ward")
        .with_composition(today)
    )
    ctx = {
        "teams": [(team, size_warning(team.size)) for team in teams],
        "overview_units": [g.unit for g in access.grants if g.role in ("supervisor",)],
        # reports: the supervisor's units this period, the leader's returned and due reports
        "supervised": report_home.supervisor_cards(request.user, today),
    }
    ctx.update(report_home.filing_ctx(request.user, today))
    return render(request, "wards/home.html", ctx)


@require_safe
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = _get_team(request, pk)
    # Each member's login, its last use and a pending temporary password come with the members
    # (one query whatever their number), and whether a former member's login is back in a team.
    members = list(
        team.members.select_related("user__temporary_password").annotate(
            login_active=Exists(
                Member.objects.filter(user_id=OuterRef("user_id"), left_on__isnull=True)
            )
        )
    )
    rank = {Member.Role.LEADER: 0, Member.Role.DEPUTY: 1, Member.Role.MEMBER: 2}
    current = sorted((m for m in members if m.left_on is None), key=lambda m: rank[m.role])
    former = [m for m in members if m.left_on is not None]
    for m in current:
        m.can_manage_login = logins.may_manage_member(request.user, m)
    for m in former:
        m.can_rejoin = (
            team.dissolved_on is None
            and m.user_id is not None
            and not m.login_active
            and logins.may_rejoin(request.user, m)
        )
    ctx = {
        "team": team,
        "current": current,
        "former": former,
        "can_edit": access_for(request.user).can("team_edit", team.ward_id),
        "can_see_logins": access_for(request.user).can("login_members", team.ward_id),
        "can_dissolve": team.dissolved_on is None
        and access_for(request.user).can("team_dissolve", team.ward_id),
        "size_warning": size_warning(len(current)),
        "no_leader": team.dissolved_on is None
        and not any(m.role == Member.Role.LEADER for m in current),
    }
    return render(request, "wards/team_detail.html", ctx)


def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    team = _get_team(request, pk, write=True)
    form = TeamForm(request.POST or None, instance=Team.objects.get(pk=team.pk))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.TEAM_FIELDS}
        try:
            services.team_update(
                actor=request.user,
                team=team,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin Đội."))
            return redirect(team)
    return render(request, "wards/team_form.html", {"team": team, "form": form})


def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _get_team(request, pk, write=True)
    form = MemberForm(request.POST or None, team=team, initial={"joined_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            member = submit_once(
                request,
                lambda: services.member_add(actor=request.user, team=team, **form.cleaned_data),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(team)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã thêm %(name)s vào Đội.") % {"name": member.full_name})
            return redirect(team)
    ctx = {"team": team, "form": form, "title": _("Thêm thành viên")}
    return render(request, "wards/member_form.html", ctx)


def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get_member(request, pk, write=True)
    if member.left_on is not None:
        raise PermissionDenied
    form = MemberEditForm(
        request.POST or None,
        team=member.team,
        instance=Member(pk=member.pk) if request.method == "POST" else member,
        initial={"version": member.version},
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in MemberForm.Meta.fields}
        try:
            services.member_update(
                actor=request.user,
                member=member,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu thông tin thành viên."))
            return redirect(member.team)
    ctx = {"team": member.team, "form": form, "member": member, "title": _("Sửa thành viên")}
    return render(request, "wards/member_form.html", ctx)


def member_leave(request: HttpRequest, pk: int) -> HttpResponse:
    member = _get_member(request, pk, write=True)
    if member.left_on is not None:
        raise PermissionDenied
    form = MemberLeaveForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_leave(
                actor=request.user,
                member=member,
                left_on=form.cleaned_data["left_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Đã ghi nhận %(name)s thôi tham gia Đội.") % {"name": member.full_name}
            )
            return redirect(member.team)
    return render(request, "wards/member_leave.html", {"member": member, "form": form})


def team_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune officer dissolves the ward's team on a day: its open memberships end the
    same day (services.team_dissolve)."""
    team = _get_team(request, pk)
    if not access_for(request.user).can("team_dissolve", team.ward_id):
        raise PermissionDenied
    if team.dissolved_on is not None:
        messages.info(
            request,
            _("Đội này đã giải thể từ ngày %(date)s.") % {"date": f"{team.dissolved_on:%d/%m/%Y}"},
        )
        return redirect(team)
    form = TeamDissolveForm(request.POST or None, team=team)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                request,
                lambda: services.team_dissolve(
                    actor=request.user,
                    team=team,
                    dissolved_on=form.cleaned_data["dissolved_on"],
                    expected_version=form.cleaned_data["version"],
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(team)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã giải thể %(team)s từ ngày %(date)s.")
                % {"team": team.name, "date": f"{form.cleaned_data['dissolved_on']:%d/%m/%Y}"},
            )
            return redirect(team)
    ctx = {"team": team, "form": form, "serving": team.members.active().count()}
    return render(request, "wards/team_dissolve.html", ctx)


def _overview_unit(request: HttpRequest) -> AdminUnit:
    access = access_for(request.user)
    allowed = access.unit_ids("team_overview")
    if not allowed:
        raise Http404
    code = request.GET.get("don_vi", "")
    if "\x00" in code:  # no unit code holds one, and PostgreSQL refuses NUL in a query
        raise Http404
    if code:
        return get_object_or_404(AdminUnit.objects.filter(pk__in=allowed), code=code)
    grant = next(g for g in access.grants if g.role in ("supervisor", "admin"))
    if grant.unit is not None:
        return grant.unit
    # Administrators cover the whole installation: start at the first province.
    return get_object_or_404(AdminUnit.objects.filter(parent__isnull=True).order_by("code")[:1])


@require_safe
def team_overview(request: HttpRequest) -> HttpResponse:
    """Every ward under a unit on a day (GET «ngay», today by default; a former unit's last day
    at the latest): its team, size and composition, with totals. No person data."""
    unit = _overview_unit(request)
    today = timezone.localdate()
    form = OverviewDateForm(request.GET or None)
    chosen = form.cleaned_data["ngay"] if form.is_valid() else None
    on = chosen or today
    if unit.valid_until and on > unit.valid_until:
        on = unit.valid_until
    if not request.GET.get("ngay"):
        form = OverviewDateForm(initial={"ngay": on})
    scope = AdminUnit.objects.scope(unit)
    wards = list(scope.wards().current(on).select_related("parent"))
    # Every team the wards ever had, with its members on `on`; the one holding on `on` is
    # shown, else the last one dissolved before it.
    holding, dissolved = {}, {}
    for team in Team.objects.filter(ward__in=wards).with_composition(on).order_by("pk"):
        if team.established_on is not None and team.established_on > on:
            continue
        if team.dissolved_on is None or team.dissolved_on >= on:
            holding[team.ward_id] = team
        elif team.ward_id not in dissolved or dissolved[team.ward_id] < team.dissolved_on:
            dissolved[team.ward_id] = team.dissolved_on
    columns = [("size", _("Tổng số thành viên"))]
    columns += [(f"n_{role.value}", role.label) for role in Member.Role]
    columns += [(f"org_{org.value}", org.label) for org in Member.Organisation]
    rows = []
    for ward in wards:
        team = holding.get(ward.pk)
        values = [getattr(team, key) for key, _label in columns] if team else []
        rows.append(
            (ward, team, values, size_warning(team.size) if team else "", dissolved.get(ward.pk))
        )
    totals = [sum(getattr(t, key) for t in holding.values()) for key, _label in columns]
    ctx = {
        "unit": unit,
        "on": on,
        "form": form,
        "ngay": chosen.isoformat() if chosen else "",
        "rows": rows,
        "columns": columns,
        "totals": totals,
        "team_count": len(holding),
        "children": scope.filter(parent=unit).exclude(level=AdminUnit.Level.COMMUNE),
        "parent": unit.parent
        if unit.parent_id and unit.parent_id in access_for(request.user).unit_ids("team_overview")
        else None,
    }
    return render(request, "wards/team_overview.html", ctx)
