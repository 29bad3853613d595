"""The Django admin site, with no path to personal data that the audit trail does not see.

- Persons and their casework (contacts, assessments, milestones, enrolments, assignments),
  referrals and activities (their attendees) are never registered: `register` refuses them.
- Every model that is registered, by this project or by a library (accounts, second-factor
  devices, login throttling), gets `AuditedAdmin`: each list, form, history and delete page
  writes a view event, and each addition, change and deletion (inlines included) an audit row
  with the changed field names, never their values.
- Logging in goes through the application's login page (one form, one throttle, one audit, the
  second factor); logging out and changing one's password through its audited pages.
"""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, quote, unquote
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models, router
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

# Models holding persons' data (S and P of docs/security.md): never on the admin site.
KEPT_OUT_APPS = frozenset({"imports"})
KEPT_OUT = frozenset(
    {
        "cases.person",
        "cases.contact",
        "cases.assessment",
        "cases.milestone",
        "cases.enrollment",
        "cases.assignment",
        "outreach.activity",
        "outreach.referral",
        "outreach.referralstatuschange",
    }
)


def kept_out(model: type[models.Model]) -> bool:
    """Whether `model` holds persons' data the admin site must not show. Every model of the
    cases app but its reference data (programmes) and the wards' clubs (a name and dates; their
    members are enrolments, kept out) does."""
    label = model._meta.label_lower
    if model._meta.app_label == "cases":
        return label not in {"cases.programme", "cases.club"}
    return label in KEPT_OUT or model._meta.app_label in KEPT_OUT_APPS


def _unit_of(obj: models.Model | None) -> int | None:
    """The ward or unit an object belongs to, so its event shows in that unit's trail."""
    if obj is None:
        return None
    for attname in ("ward_id", "unit_id"):
        if hasattr(obj, attname):
            return getattr(obj, attname)
    team = getattr(obj, "team", None)
    return getattr(team, "ward_id", None)


class AuditedAdmin(admin.ModelAdmin):
    """Mixed into every ModelAdmin of the site (AdminSite.register)."""

    def _audit(self, request, action: str, obj=None, **changes: Any) -> None:
        from wards.audit import audit

        audit(
            actor=request.user,
            action=action,
            obj=obj,
            object_type=self.model._meta.label_lower,
            unit=_unit_of(obj),
            changes={"admin": True, **changes},
        )

    # Looks ----------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200 and request.method == "GET":
            # The rows' ids, never the search text (it may be a name).
            rows = getattr(response, "context_data", {}).get("cl")
            ids = [obj.pk for obj in rows.result_list] if rows is not None else []
            self._audit(request, "view", page="list", ids=ids)
        return response

    def _looked_at(self, request, object_id, page: str) -> None:
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is not None:
            self._audit(request, "view", obj, page=page)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._looked_at(request, object_id, "change")
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            self._looked_at(request, object_id, "history")
        return response

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "GET":
            # The confirmation page lists the related objects by name.
            self._looked_at(request, object_id, "delete")
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """Django's list of what a deletion takes with it, with the objects the site keeps out
        (a member's assignments, a person's contacts) counted by kind and id, never named."""
        try:
            first = objs[0]
        except IndexError:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(first._meta.model), origin=objs)
        collector.collect(objs)
        perms_needed: set[str] = set()

        def describe(obj):
            opts = obj._meta
            if kept_out(type(obj)):
                return f"{capfirst(opts.verbose_name)} #{obj.pk}"
            if not self.admin_site.is_registered(type(obj)):
                return f"{capfirst(opts.verbose_name)}: {obj}"
            if not self.admin_site.get_model_admin(type(obj)).has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            url = reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(obj.pk)],
            )
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(describe)
        protected = [describe(obj) for obj in collector.protected]
        counts = {
            model._meta.verbose_name_plural: len(found)
            for model, found in collector.model_objs.items()
        }
        return to_delete, counts, perms_needed, protected

    # Writes ---------------------------------------------------------------------------------

    def construct_change_message(self, request, form, formsets, add=False):
        # Called after the object and its inlines are saved, before log_addition/log_change:
        # the changed field names (not Django's message, which quotes inline objects by name).
        request._admin_audit_fields = sorted(form.changed_data)
        request._admin_audit_formsets = formsets or []
        return super().construct_change_message(request, form, formsets, add)

    def _audit_inlines(self, request) -> None:
        for formset in getattr(request, "_admin_audit_formsets", []):
            for obj in formset.new_objects:
                self._audit_write(request, "create", obj)
            for obj, fields in formset.changed_objects:
                self._audit_write(request, "update", obj, fields=sorted(fields))
            for obj in formset.deleted_objects:
                self._audit_write(request, "delete", obj)

    def _audit_write(self, request, action: str, obj, **changes) -> None:
        from wards.audit import audit

        audit(
            actor=request.user,
            action=action,
            obj=obj,
            unit=_unit_of(obj),
            changes={"admin": True, **changes},
        )

    def response_action(self, request, queryset):
        """A list action (other than delete_selected, which log_deletions audits), with the ids
        it was run on."""
        action = request.POST.get("action", "")
        ids = request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME)
        response = super().response_action(request, queryset)
        if response is not None and action and action != "delete_selected":
            self._audit(request, "update", admin_action=action[:60], ids=ids[:1000])
        return response

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._audit_write(
            request, "create", obj, fields=getattr(request, "_admin_audit_fields", [])
        )
        self._audit_inlines(request)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._audit_write(
            request, "update", obj, fields=getattr(request, "_admin_audit_fields", [])
        )
        self._audit_inlines(request)
        return entry

    def log_deletions(self, request, queryset):
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit_write(request, "delete", obj)
        return entries


class Site(admin.AdminSite):
    site_header = _("Quản trị Đồng Hành")
    site_title = _("Quản trị Đồng Hành")

    def register(self, model_or_iterable, admin_class=None, **options):
        models_ = (
            [model_or_iterable]
            if isinstance(model_or_iterable, models.base.ModelBase)
            else list(model_or_iterable)
        )
        for model in models_:
            if kept_out(model):
                raise ImproperlyConfigured(
                    f"{model._meta.label} holds persons' data and is kept out of the admin "
                    "site (wards/admin_site.py): it is read and changed in the app, audited."
                )
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdmin):
            admin_class = type(
                f"Audited{admin_class.__name__}",
                (AuditedAdmin, admin_class),
                {"__module__": admin_class.__module__},
            )
        return super().register(model_or_iterable, admin_class, **options)

    def autocomplete_view(self, request):
        """Django's autocomplete of a foreign key, audited as a list page is: the rows' ids,
        never the search text (it may be a name)."""
        from wards.audit import audit

        response = super().autocomplete_view(request)
        if response.status_code == 200:
            # Django answered, so the source model and field are registered and exist.
            source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
            remote = source._meta.get_field(request.GET["field_name"]).remote_field.model
            rows = json.loads(response.content).get("results", [])
            audit(
                actor=request.user,
                action="view",
                object_type=remote._meta.label_lower,
                changes={"admin": True, "page": "autocomplete", "ids": [r["id"] for r in rows]},
            )
        return response

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request, extra_context=None):
        """The application's login page: its throttle, audit and second factor."""
        if request.user.is_authenticated:
            if not self.has_permission(request):
                raise PermissionDenied
            return redirect(self._next(request) or reverse("admin:index", current_app=self.name))
        query = urlencode({"next": self._next(request) or reverse("admin:index")})
        return redirect(f"{reverse('login')}?{query}")

    def logout(self, request, extra_context=None):
        """The application's logout: POST only, audited."""
        from wards.account_views import LogoutView

        return LogoutView.as_view()(request)

    def password_change(self, request, extra_context=None):
        """The application's page: the same validators, and audited."""
        return redirect("password_change")

    @staticmethod
    def _next(request) -> str:
        target = request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return ""
