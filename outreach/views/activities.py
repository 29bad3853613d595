"""A team's activity notebook: the list with its totals, one activity at a time (a volunteer
on a phone), many at once (a leader typing in a half-year's notebook), corrections.

Every page needs `casework` over the ward (volunteers, leaders, officers); supervisors see
activities only as report figures. A user with several wards picks one with `?xa=<code>`.
"""

from __future__ import annotations

import calendar
import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from outreach import services
from outreach.forms.activities import (
    MAX_ROWS,
    ActivityDeleteForm,
    ActivityFilterForm,
    ActivityForm,
    BatchUnitForm,
    batch_clubs,
    kind_spec,
    row_formset,
)
from outreach.models import Activity
from outreach.unseen import has_unseen
from wards.access import access_for
from wards.forms import add_service_errors
from wards.once import AlreadySubmitted, already_saved, submit_once, was_submitted
from wards.scope import ward_ctx, ward_grant, ward_url

CAP = "casework"
PER_PAGE = 25
BATCH_ROWS = 12  # rows the notebook grid starts with; "more rows" adds as many again


def _get_activity(request: HttpRequest, pk: int, *, write: bool = False) -> Activity:
    activity = get_object_or_404(
        Activity.objects.visible_to(request.user).select_related("unit"), pk=pk
    )
    if write and not Activity.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return activity


# The list -----------------------------------------------------------------------------------


def _filtered(unit_ids: frozenset[int], filters: ActivityFilterForm) -> QuerySet[Activity]:
    """The activities of the ward and the wards merged into it (the grant's units)."""
    qs = Activity.objects.filter(unit__in=unit_ids)
    if not filters.is_valid():
        return qs
    f = filters.cleaned_data
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["start"]:
        qs = qs.filter(occurred_on__gte=f["start"])
    if f["end"]:
        qs = qs.filter(occurred_on__lte=f["end"])
    if f["member"]:
        qs = qs.filter(members=f["member"])
    return qs


def _totals(qs: QuerySet[Activity]) -> tuple[list[dict], dict]:
    """Per kind and overall: entries, sessions, participants, items, minutes (one query)."""
    sums = {
        "entries": Count("pk"),
        "sessions": Sum("sessions"),
        "participants": Sum("participants"),
        "items": Sum("items"),
        "minutes": Sum("minutes"),
    }
    rows = list(qs.order_by().values("kind").annotate(**sums))
    order = {kind: i for i, kind in enumerate(k for _g, kinds in Activity.MENU for k in kinds)}
    rows.sort(key=lambda r: order.get(r["kind"], 99))
    for row in rows:
        row["label"] = Activity.Kind(row["kind"]).label
    overall = {
        name: sum(r[name] or 0 for r in rows)
        for name in ("entries", "sessions", "participants", "items", "minutes")
    }
    return rows, overall


FILTER_KEYS = ("kind", "start", "end", "member")


def _this_month(today: datetime.date) -> dict[str, str]:
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return {"start": today.replace(day=1).isoformat(), "end": end.isoformat()}


def _mine_this_month(request: HttpRequest, grant) -> dict | None:
    """The filter a volunteer's list opens on: the activities they took part in this month,
    not the ward's whole notebook since it began (thousands of lines on a phone). Leaders and
    officers (`outreach_manage`) keep the ward's list: they check the team's notebook and its
    totals. Any filter key in the query, even empty (the form, «Cả đội»), means the user chose."""
    access = access_for(request.user)
    if any(key in request.GET for key in FILTER_KEYS) or access.can(
        "outreach_manage", grant.unit.pk
    ):
        return None
    own = [m for m in access.members if m.team.ward_id in grant.unit_ids]
    if not own:
        return None
    return {"member": str(own[0].pk), **_this_month(timezone.localdate())}


@require_safe
@never_cache
def activity_list(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, CAP)
    mine = _mine_this_month(request, grant)
    data = mine or (request.GET if any(k in request.GET for k in FILTER_KEYS) else None)
    filters = ActivityFilterForm(data, user=request.user, unit_ids=grant.unit_ids)
    qs = _filtered(grant.unit_ids, filters)
    page = Paginator(qs.for_list(), PER_PAGE).get_page(request.GET.get("page"))
    ids = [a.pk for a in page]
    editable = set(
        Activity.objects.editable_by(request.user).filter(pk__in=ids).values_list("pk", flat=True)
    )
    rows, overall = _totals(qs)
    # A filter key kept even when empty: page 2 of «Cả đội» must not fall back to «mine».
    params = {k: v for k, v in request.GET.items() if k != "page" and (v or k in FILTER_KEYS)}
    ctx = {
        **ward_ctx(request, grant, CAP),
        "filters": filters,
        "filter_count": sum(1 for k in ("kind", "start", "end", "member") if params.get(k)),
        "page": page,
        "editable": editable,
        "kind_totals": rows,
        "overall": overall,
        "page_query": "?" + urlencode(params) + ("&" if params else ""),
        "can_batch": access_for(request.user).can("outreach_manage", grant.unit.pk),
        "mine_this_month": mine is not None,
        "today": timezone.localdate(),
        "month_query": urlencode(_this_month(timezone.localdate())),
    }
    return render(request, "outreach/activity_list.html", ctx)


# One activity -------------------------------------------------------------------------------


def _saved_message(activity: Activity) -> str:
    return _("Đã lưu: %(kind)s ngày %(date)s.") % {
        "kind": activity.get_kind_display(),
        "date": activity.occurred_on.strftime("%d/%m/%Y"),
    }


def _deleted_message(activity: Activity) -> str:
    return _("Đã xóa: %(kind)s ngày %(date)s.") % {
        "kind": activity.get_kind_display(),
        "date": activity.occurred_on.strftime("%d/%m/%Y"),
    }


def _save_activity(request: HttpRequest, form: ActivityForm, activity: Activity | None):
    c = form.cleaned_data
    lists = {"members": c["members"], "persons": c["persons"], "partners": c["partners"]}
    try:
        if activity is None:
            return services.activity_record(
                actor=request.user, unit=c["unit"], **form.activity_fields(), **lists
            )
        return services.activity_update(
            actor=request.user,
            activity=activity,
            unit=c["unit"],
            expected_version=c["version"],
            **form.activity_fields(),
            **lists,
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@never_cache
def activity_add(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, CAP)
    initial: dict = {"unit": grant.unit.pk}
    if request.GET.get("loai") in Activity.Kind.values:
        initial["kind"] = request.GET["loai"]
    own = access_for(request.user).members
    own_here = [m.pk for m in own if m.team.ward_id == grant.unit.pk]
    if own_here:
        initial["members"] = own_here
    form = ActivityForm(
        request.POST or None,
        user=request.user,
        unit=grant.unit,
        scope_ids=grant.unit_ids,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity = submit_once(request, lambda: _save_activity(request, form, None))
        except AlreadySubmitted:
            already_saved(request)
            return redirect(ward_url(request, "outreach:activity_list", grant, CAP))
        if activity is not None:
            messages.success(request, _saved_message(activity))
            if "again" in request.POST:
                query = urlencode({"loai": activity.kind, **_xa(request)})
                return redirect(f"{request.path}?{query}")
            return redirect(ward_url(request, "outreach:activity_list", grant, CAP))
    ctx = {**ward_ctx(request, grant, CAP), "form": form, "spec": kind_spec(), "activity": None}
    return render(request, "outreach/activity_form.html", ctx)


def _xa(request: HttpRequest) -> dict:
    return {"xa": request.GET["xa"]} if request.GET.get("xa") else {}


@never_cache
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk, write=True)
    form = ActivityForm(
        request.POST or None, user=request.user, unit=activity.unit, activity=activity
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_activity(request, form, activity)
        if saved is not None:
            messages.success(request, _saved_message(saved))
            return redirect("outreach:activity_list")
    ctx = {
        "ward": activity.unit,
        "form": form,
        "spec": kind_spec(),
        "activity": activity,
        "cannot_delete": _(CANNOT_DELETE),
    }
    return render(request, "outreach/activity_form.html", ctx)


# Deleting would erase records the user cannot see (outreach.unseen, ActivityForm).
CANNOT_DELETE = gettext_noop(
    "Hoạt động này có người tham dự mà bạn không được xem, nên bạn không xóa được. "
    "Nếu cần xóa, hãy nhờ đội trưởng hoặc cán bộ xã, phường."
)


@never_cache
@require_http_methods(["GET", "POST"])
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request, pk, write=True)
    if has_unseen(request.user, activity):
        messages.error(request, _(CANNOT_DELETE))
        return redirect("outreach:activity_edit", activity.pk)
    form = ActivityDeleteForm(request.POST or None, initial={"version": activity.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_delete(
                actor=request.user,
                activity=activity,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _deleted_message(activity))
            return redirect("outreach:activity_list")
    ctx = {"activity": activity, "form": form}
    return render(request, "outreach/activity_confirm_delete.html", ctx)


# The notebook grid --------------------------------------------------------------------------


def _rows(request: HttpRequest) -> int:
    try:
        wanted = int(request.GET.get("dong", BATCH_ROWS))
    except ValueError:
        wanted = BATCH_ROWS
    return max(1, min(wanted, MAX_ROWS))


@never_cache
def activity_batch(request: HttpRequest) -> HttpResponse:
    """Type a notebook in, many lines at once: every line is checked, and either all of them
    are saved or none (the mistakes are shown on their lines, nothing typed is lost)."""
    grant = ward_grant(request, "outreach_manage")
    done = ward_url(request, "outreach:activity_list", grant, CAP)
    if request.method == "POST" and was_submitted(request):
        already_saved(request)  # the grid sent twice: its lines were saved the first time
        return redirect(done)
    unit_form = BatchUnitForm(request.POST or None, user=request.user, unit=grant.unit)
    clubs = batch_clubs(request.user, grant.unit_ids)
    formset = row_formset(_rows(request))(request.POST or None, prefix="dong", form_kwargs=clubs)
    if request.method == "POST" and unit_form.is_valid() and formset.is_valid():
        filled = [form for form in formset.forms if form.has_changed()]
        try:
            saved = submit_once(
                request,
                lambda: services.activity_record_many(
                    actor=request.user,
                    unit=unit_form.cleaned_data["unit"],
                    rows=[form.activity_fields() for form in filled],
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(done)
        except services.RowErrors as error:
            for index, row_error in error.rows.items():
                add_service_errors(filled[index], row_error)
            messages.error(request, error.messages[0])
        else:
            sessions = sum(a.sessions for a in saved)
            messages.success(
                request,
                ngettext(
                    "Đã lưu %(count)s dòng (%(sessions)s cuộc, buổi).",
                    "Đã lưu %(count)s dòng (%(sessions)s cuộc, buổi).",
                    len(saved),
                )
                % {"count": len(saved), "sessions": sessions},
            )
            return redirect(done)
    ctx = {
        **ward_ctx(request, grant, "outreach_manage"),
        "unit_form": unit_form,
        "formset": formset,
        "more_rows": min(len(formset.forms) + BATCH_ROWS, MAX_ROWS),
        "batch_rows": BATCH_ROWS,
        "max_rows": MAX_ROWS,
        "spec": kind_spec(),
        "has_clubs": bool(clubs["offered"]),
    }
    return render(request, "outreach/activity_batch.html", ctx)
