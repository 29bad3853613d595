"""The trainings and seminars a province or district department runs at its own unit.

A supervisor (capability `unit_activity`, held at a district or a province) lists, records,
corrects and deletes them; they count in that unit's report and in the reports above it, never
in a ward's, and ward users never see them (a ward's pages read the ward's own units). A
supervisor with posts at several units picks one with `?dv=<unit code>`. Activities of another
unit, and the wards' activities, answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from outreach import services
from outreach.forms.activities import ActivityDeleteForm, kind_spec
from outreach.forms.departments import DepartmentActivityForm
from outreach.models import Activity
from outreach.views.activities import PER_PAGE, _deleted_message, _saved_message, _totals
from wards.access import Grant, department_grants, require
from wards.forms import add_service_errors
from wards.once import AlreadySubmitted, already_saved, submit_once

CAP = "unit_activity"


def _grant(request: HttpRequest) -> Grant:
    """The unit the page works on: `?dv=<code>` among the user's departments, else the first."""
    grants = department_grants(request.user, CAP)
    code = request.GET.get("dv")
    if code:
        grant = next((g for g in grants if g.unit.code == code), None)
    else:
        grant = next(iter(grants), None)
    if grant is None:
        raise Http404
    require(request.user, CAP, grant.unit.pk)
    return grant


def _ctx(request: HttpRequest, grant: Grant) -> dict:
    grants = department_grants(request.user, CAP)
    several = len(grants) > 1
    return {
        "unit": grant.unit,
        "units": [g.unit for g in grants] if several else [],
        "dv": urlencode({"dv": grant.unit.code}) if several else "",
    }


def _list_url(request: HttpRequest, grant: Grant) -> str:
    dv = _ctx(request, grant)["dv"]
    return reverse("outreach:unit_activity_list") + (f"?{dv}" if dv else "")


def _get_activity(request: HttpRequest, pk: int) -> Activity:
    return get_object_or_404(
        Activity.objects.of_departments(request.user).select_related("unit"), pk=pk
    )


def _grant_of(request: HttpRequest, activity: Activity) -> Grant:
    """The user's department whose units hold `activity` (of_departments found one)."""
    return next(
        g
        for g in department_grants(request.user, CAP)
        if activity.unit_id in g.unit_ids and activity.unit.level == g.unit.level
    )


@require_safe
@never_cache
def unit_activity_list(request: HttpRequest) -> HttpResponse:
    grant = _grant(request)
    qs = Activity.objects.of_departments(request.user).filter(
        unit__in=grant.unit_ids, unit__level=grant.unit.level
    )
    page = Paginator(qs.select_related("unit"), PER_PAGE).get_page(request.GET.get("page"))
    rows, overall = _totals(qs)
    ctx = {**_ctx(request, grant), "page": page, "kind_totals": rows, "overall": overall}
    ctx["page_query"] = f"?{ctx['dv']}&" if ctx["dv"] else "?"
    return render(request, "outreach/unit_activity_list.html", ctx)


def _save(request: HttpRequest, form: DepartmentActivityForm, activity: Activity | None):
    fields = form.activity_fields()
    try:
        if activity is None:
            return services.activity_record(
                actor=request.user, unit=form.cleaned_data["unit"], **fields
            )
        return services.activity_update(
            actor=request.user,
            activity=activity,
            unit=form.cleaned_data["unit"],
            expected_version=form.cleaned_data["version"],
            **fields,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def unit_activity_add(request: HttpRequest) -> HttpResponse:
    grant = _grant(request)
    form = DepartmentActivityForm(request.POST or None, grant=grant)
    if request.method == "POST" and form.is_valid():
        try:
            activity = submit_once(request, lambda: _save(request, form, None))
        except AlreadySubmitted:
            already_saved(request)
            return redirect(_list_url(request, grant))
        if activity is not None:
            messages.success(request, _saved_message(activity))
            return redirect(_list_url(request, grant))
    ctx = {**_ctx(request, grant), "form": form, "spec": kind_spec(), "activity": None}
    return render(request, "outreach/unit_activity_form.html", ctx)


@never_cache
@require_http_methods(["GET", "POST"])
def unit_activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    grant = _grant_of(request, activity)
    form = DepartmentActivityForm(request.POST or None, grant=grant, activity=activity)
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, activity)
        if saved is not None:
            messages.success(request, _saved_message(saved))
            return redirect(_list_url(request, grant))
    ctx = {**_ctx(request, grant), "form": form, "spec": kind_spec(), "activity": activity}
    return render(request, "outreach/unit_activity_form.html", ctx)


@never_cache
@require_http_methods(["GET", "POST"])
def unit_activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk)
    grant = _grant_of(request, activity)
    form = ActivityDeleteForm(request.POST or None, initial={"version": activity.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_delete(
                actor=request.user, activity=activity, expected_version=form.cleaned_data["version"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _deleted_message(activity))
            return redirect(_list_url(request, grant))
    back = reverse("outreach:unit_activity_edit", args=[activity.pk])
    return render(
        request,
        "outreach/activity_confirm_delete.html",
        {"activity": activity, "form": form, "back": back},
    )
