"""A ward's clubs: the list, founding, correcting and closing one, and the club page.

Clubs are the leaders' and commune officers' (`person_edit` over the ward): the club page
names its members with their last assessment, so volunteers, supervisors and other wards get
404. A user with several wards picks one with `?xa=<unit code>` (wards.scope). Each page runs
the same number of queries however many members and sessions a club has.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, IntegerField, Max, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases import services
from cases.forms.clubs import ClubCloseForm, ClubEditForm, ClubForm
from cases.models import Assessment, Club, Enrollment
from outreach.models import Activity
from wards.access import access_for
from wards.audit import audit
from wards.forms import add_service_errors
from wards.models import AuditEvent
from wards.once import AlreadySubmitted, already_saved, submit_once
from wards.scope import ward_ctx, ward_grant, ward_grants, ward_url

SESSIONS_SHOWN = 50  # the club page lists the latest sessions; the totals count them all


def _get_club(request: HttpRequest, pk: int, *, write: bool = False) -> Club:
    club = get_object_or_404(
        Club.objects.visible_to(request.user).select_related("ward", "programme"), pk=pk
    )
    if write and not access_for(request.user).can("person_edit", club.ward_id):
        raise PermissionDenied
    return club


def _list_url(request: HttpRequest, club: Club) -> str:
    """The club list of the club's ward, with `?xa=` for a user with several wards."""
    grant = next(
        (g for g in ward_grants(request.user) if club.ward_id in g.unit_ids),
        None,
    )
    return ward_url(request, "cases:club_list", grant) if grant else reverse("cases:club_list")


def _club_url(club: Club) -> str:
    return reverse("cases:club_detail", args=[club.pk])


# The list -----------------------------------------------------------------------------------


def _count(queryset, field: str = "pk", how=Count) -> Subquery:
    """One figure per club, as a subquery: no join multiplies the clubs' rows."""
    figure = queryset.filter(club=OuterRef("pk")).order_by().values("club")
    return Coalesce(
        Subquery(figure.annotate(n=how(field)).values("n")[:1], output_field=IntegerField()), 0
    )


@require_safe
@never_cache
def club_list(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request)
    today = timezone.localdate()
    members = Enrollment.objects.holding_on(today)
    sessions = Activity.objects.all()
    last_session = (
        sessions.filter(club=OuterRef("pk")).order_by("-occurred_on").values("occurred_on")[:1]
    )
    clubs = (
        Club.objects.visible_to(request.user)
        .filter(ward__in=grant.unit_ids)
        .select_related("programme", "ward")
        .annotate(
            member_count=_count(members, "person"),
            session_count=_count(sessions, "sessions", Sum),
            last_session_on=Subquery(last_session),
        )
        .order_by(F("closed_on").desc(nulls_first=True), "name", "pk")
    )
    ctx = {
        **ward_ctx(request, grant),
        "clubs": clubs,
        "add_url": ward_url(request, "cases:club_add", grant),
    }
    return render(request, "cases/club_list.html", ctx)


# Founding, correcting, closing ---------------------------------------------------------------


@never_cache
def club_add(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request)
    form = ClubForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            club = submit_once(
                request,
                lambda: services.club_create(
                    actor=request.user, ward=grant.unit, **form.cleaned_data
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(ward_url(request, "cases:club_list", grant))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã thành lập %(name)s.") % {"name": club.name})
            return redirect(_club_url(club))
    ctx = {
        **ward_ctx(request, grant),
        "form": form,
        "club": None,
        "cancel_url": ward_url(request, "cases:club_list", grant),
    }
    return render(request, "cases/club_form.html", ctx)


@never_cache
def club_edit(request: HttpRequest, pk: int) -> HttpResponse:
    club = _get_club(request, pk, write=True)
    form = ClubEditForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        try:
            services.club_update(
                actor=request.user,
                club=club,
                expected_version=form.cleaned_data["version"],
                name=form.cleaned_data["name"],
                founded_on=form.cleaned_data["founded_on"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Đã lưu câu lạc bộ %(name)s.") % {"name": form.cleaned_data["name"]}
            )
            return redirect(_club_url(club))
    ctx = {"ward": club.ward, "form": form, "club": club, "cancel_url": _club_url(club)}
    return render(request, "cases/club_form.html", ctx)


@never_cache
def club_close(request: HttpRequest, pk: int) -> HttpResponse:
    club = _get_club(request, pk, write=True)
    if club.closed_on is not None:
        messages.info(request, _("Câu lạc bộ này đã ngừng hoạt động từ trước."))
        return redirect(_club_url(club))
    form = ClubCloseForm(request.POST or None, club=club)
    if request.method == "POST" and form.is_valid():
        try:
            services.club_close(
                actor=request.user,
                club=club,
                closed_on=form.cleaned_data["closed_on"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã ghi %(name)s ngừng hoạt động.") % {"name": club.name})
            return redirect(_club_url(club))
    ctx = {
        "ward": club.ward,
        "form": form,
        "club": club,
        "closing": True,
        "cancel_url": _club_url(club),
    }
    return render(request, "cases/club_form.html", ctx)


# The club page ------------------------------------------------------------------------------


def _memberships(request: HttpRequest, club: Club):
    """The club's enrolments the user may see, each with its person and the result and day
    of the person's last assessment (one query, whatever the number of members)."""
    last = Assessment.objects.filter(person=OuterRef("person")).order_by("-assessed_on", "-pk")
    return (
        Enrollment.objects.visible_to(request.user)
        .filter(club=club)
        .select_related("person")
        .annotate(
            last_result=Subquery(last.values("result")[:1]),
            last_assessed_on=Subquery(last.values("assessed_on")[:1]),
        )
        .order_by("person__full_name", "person_id", "-started_on", "-pk")
    )


@require_safe
@never_cache
def club_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The club's members (now and before) with their last assessment, and its sessions."""
    club = _get_club(request, pk)
    today = timezone.localdate()
    results = dict(Assessment.Result.choices)
    current, former = [], []
    for enrollment in _memberships(request, club):
        enrollment.last_result_label = results.get(enrollment.last_result, "")
        holding = enrollment.ended_on is None or enrollment.ended_on >= today
        (current if holding else former).append(enrollment)
    sessions = Activity.objects.visible_to(request.user).filter(club=club)
    totals = sessions.aggregate(
        lines=Count("pk"),
        sessions=Coalesce(Sum("sessions"), 0),
        participants=Coalesce(Sum("participants"), 0),
        last_on=Max("occurred_on"),
    )
    progressing = sum(e.last_result == Assessment.Result.PROGRESSING for e in current)
    can_edit = access_for(request.user).can("person_edit", club.ward_id)
    ctx = {
        "club": club,
        "ward": club.ward,
        "current": current,
        "former": former,
        "progressing": progressing,
        "sessions": sessions.order_by("-occurred_on", "-pk")[:SESSIONS_SHOWN],
        "sessions_shown": SESSIONS_SHOWN,
        "totals": totals,
        "can_edit": can_edit,
        "list_url": _list_url(request, club),
    }
    persons = sorted({e.person_id for e in current + former})
    audit(
        actor=request.user,
        action=AuditEvent.Action.VIEW,
        obj=club,
        unit=club.ward_id,
        changes={"persons": persons, "count": len(persons)},
    )
    return render(request, "cases/club_detail.html", ctx)
