"""Referrals (giới thiệu, chuyển gửi): referring a person from their page, following a
referral to its outcome, and the ward's list of referrals still waiting for one.

A volunteer refers the persons assigned to them and moves those referrals on; leaders and
commune officers do the same for their whole ward and have the list. Objects are reached
through `visible_to(user)` (404 outside it); writing needs casework over the ward (403).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.models import Person
from cases.services import ward_on
from cases.views.work import member_for
from outreach.forms.referrals import ReferralAdvanceForm, ReferralFilterForm, ReferralForm
from outreach.models import Referral
from outreach.services import referral_advance, referral_create
from outreach.timeline import money
from wards.access import Grant, access_for
from wards.audit import audit
from wards.forms import add_service_errors
from wards.models import AuditEvent
from wards.once import AlreadySubmitted, already_saved, submit_once
from wards.scope import ward_ctx, ward_grant, ward_url

PER_PAGE = 25
# An open referral older than this is shown as waiting too long: time to ask the partner.
STALE_DAYS = 30


@never_cache
def referral_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("ward"), pk=pk
    )
    if not (person.is_active and access_for(request.user).can("casework", person.ward_id)):
        raise PermissionDenied
    ward = ward_on(person.ward, timezone.localdate())
    form = ReferralForm(request.POST or None, user=request.user, ward=ward)
    if request.method == "POST" and form.is_valid():
        try:
            referral = submit_once(
                request,
                lambda: referral_create(
                    actor=request.user,
                    person=person,
                    member=member_for(request.user, person),
                    **form.cleaned_data,
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(person)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = _("Đã giới thiệu %(name)s: %(kind)s.") % {
                "name": person.full_name,
                "kind": referral.get_kind_display(),
            }
            messages.success(request, message)
            return redirect(person)
    return render(request, "outreach/referral_form.html", {"person": person, "form": form})


@never_cache
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referrals = Referral.objects.visible_to(request.user)
    referral = get_object_or_404(
        referrals.select_related("person", "partner", "ward", "member"), pk=pk
    )
    can_advance = access_for(request.user).can("casework", referral.ward_id)
    form = None
    if request.method == "POST":
        if not can_advance:
            raise PermissionDenied
        form = ReferralAdvanceForm(request.POST, referral=referral)
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version")
            try:
                submit_once(
                    request,
                    lambda: referral_advance(
                        actor=request.user, referral=referral, expected_version=version, **data
                    ),
                )
            except AlreadySubmitted:
                already_saved(request)
                return redirect(referral)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                status = Referral.Status(form.cleaned_data["status"]).label
                messages.success(request, _("Đã cập nhật: %(status)s.") % {"status": status})
                return redirect(referral)
    elif can_advance and referral.is_open:
        form = ReferralAdvanceForm(referral=referral)
    ctx = {
        "referral": referral,
        "person": referral.person,
        "amount": money(referral.amount) if referral.amount else "",
        "history": referral.changes.select_related("changed_by"),
        "form": form,
    }
    audit(actor=request.user, action=AuditEvent.Action.VIEW, obj=referral, unit=referral.ward_id)
    return render(request, "outreach/referral_detail.html", ctx)


@dataclass(frozen=True)
class Row:
    referral: Referral
    age: int  # days since the referral was made
    stale: bool  # still open after STALE_DAYS


@dataclass(frozen=True)
class StatusTab:
    value: str
    label: str
    count: int
    url: str
    current: bool


def _tabs(
    request: HttpRequest, grant: Grant, referrals: QuerySet[Referral], filters: ReferralFilterForm
) -> list[StatusTab]:
    """The status filters with their counts (for the chosen kind), in one query."""
    keys = {value: f"n{i}" for i, value in enumerate(filters.STATUSES)}
    counts = referrals.aggregate(
        **{
            keys[value]: Count("pk", filter=Q(status__in=statuses) if statuses else None)
            for value, statuses in filters.STATUSES.items()
        }
    )
    chosen, kind = filters.value("trang_thai"), filters.value("loai")
    name = "outreach:referral_list"
    return [
        StatusTab(
            value=value,
            label=label,
            count=counts[keys[value]],
            url=ward_url(request, name, grant, "outreach_manage", trang_thai=value, loai=kind),
            current=value == chosen,
        )
        for value, label in filters.fields["trang_thai"].choices
    ]


@require_safe
@never_cache
def referral_list(request: HttpRequest) -> HttpResponse:
    """The ward's referrals: by default those still waiting for an outcome, oldest first."""
    grant = ward_grant(request, "outreach_manage")
    filters = ReferralFilterForm(request.GET)
    referrals = Referral.objects.visible_to(request.user).filter(ward__in=grant.unit_ids)
    if kind := filters.value("loai"):
        referrals = referrals.filter(kind=kind)
    tabs = _tabs(request, grant, referrals, filters)
    statuses = filters.statuses()
    if statuses is not None:
        referrals = referrals.filter(status__in=statuses)
    if statuses == Referral.OPEN:
        referrals = referrals.order_by("referred_on", "pk")
    else:
        referrals = referrals.order_by("-status_on", "-pk")
    rows = referrals.select_related("person", "partner", "member")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        **ward_ctx(request, grant, "outreach_manage"),
        "filters": filters,
        "tabs": tabs,
        "page": page,
        "rows": [_row(r, today) for r in page],
        "page_query": f"?{query.urlencode()}&" if query else "?",
        "stale_days": STALE_DAYS,
    }
    return render(request, "outreach/referral_list.html", ctx)


def _row(referral: Referral, today: datetime.date) -> Row:
    age = (today - referral.referred_on).days
    return Row(referral, age, referral.is_open and age > STALE_DAYS)
