"""The partner directory of a ward: the national partners every team shares (kept by the
administrators), the partners of the units above, and the ward's own, which its leaders and
commune officers keep."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from outreach import services
from outreach.forms.partners import PartnerEditForm, PartnerForm
from outreach.models import Partner
from wards.access import access_for
from wards.forms import add_service_errors
from wards.once import AlreadySubmitted, already_saved, submit_once
from wards.scope import ward_ctx, ward_grant, ward_url

CAP = "casework"
MANAGE = "outreach_manage"


@require_safe
def partner_list(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, CAP)
    partners = Partner.objects.visible_to(request.user).select_related("unit")
    editable = set(Partner.objects.editable_by(request.user).values_list("pk", flat=True))
    ctx = {
        **ward_ctx(request, grant, CAP),
        "partners": partners.order_by("-active", "unit__level", "name"),
        "editable": editable,
        "can_add": access_for(request.user).can(MANAGE, grant.unit.pk),
    }
    return render(request, "outreach/partner_list.html", ctx)


def partner_add(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, MANAGE)
    form = PartnerForm(request.POST or None, unit=grant.unit)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PARTNER_FIELDS}
        try:
            partner = submit_once(
                request,
                lambda: services.partner_create(actor=request.user, unit=grant.unit, **fields),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(ward_url(request, "outreach:partner_list", grant, CAP))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã thêm đối tác %(name)s.") % {"name": partner.name})
            return redirect(ward_url(request, "outreach:partner_list", grant, CAP))
    ctx = {**ward_ctx(request, grant, MANAGE), "form": form, "partner": None}
    return render(request, "outreach/partner_form.html", ctx)


def partner_edit(request: HttpRequest, pk: int) -> HttpResponse:
    partner = get_object_or_404(Partner.objects.visible_to(request.user), pk=pk)
    if not Partner.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    form = PartnerEditForm(request.POST or None, instance=partner, unit=partner.unit)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PARTNER_FIELDS}
        try:
            services.partner_update(
                actor=request.user,
                partner=partner,
                expected_version=form.cleaned_data["version"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã lưu đối tác %(name)s.") % {"name": fields["name"]})
            return redirect("outreach:partner_list")
    ctx = {"ward": partner.unit, "form": form, "partner": partner}
    return render(request, "outreach/partner_form.html", ctx)
