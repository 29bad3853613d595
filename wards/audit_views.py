"""The audit trail, read back: a ward's whole trail for its leaders and commune officers, and
the exports and logins under a unit for its supervisors.

Leaders and officers (`audit_view`) read every event of their ward and of the wards merged into
it, plus the logins, logouts and refusals of the ward's members (those carry no unit). A row
links to its object only when it still exists and the reader may open it; a person's name shows
only through `Person.objects.visible_to`, so a leader sees the names of their own ward.

Supervisors and administrators (`audit_exports`) read exports and account events only: never a
look at a person, never an object's id, never a name other than the actor's. A login carries no
unit, so it is placed under the units where its actor is a member or holds a post today.

`wards` imports no other app: the person, referral and team models are looked up by label, and
the ward picker (`?xa=<code>`) is `wards.scope`'s, as on every ward page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from wards.access import CAPABILITIES, access_for, require
from wards.forms import DateInput
from wards.models import AuditEvent, AuditEventQuerySet, Member
from wards.scope import ward_ctx, ward_grant, ward_url

PER_PAGE = 50
CAP = "audit_view"

# object_type -> what a reader calls it; a type missing here is shown as written.
OBJECT_TYPES = {
    "cases.person": _("Hồ sơ"),
    "cases.contact": _("Lượt tiếp cận"),
    "cases.milestone": _("Chuyển biến"),
    "cases.assessment": _("Đánh giá tiến bộ"),
    "cases.enrollment": _("Tham gia chương trình"),
    "cases.assignment": _("Phân công giúp đỡ"),
    "cases.contact_log": _("Sổ tiếp xúc"),
    "cases.duplicate_check": _("Kiểm tra trùng với xã, phường khác"),
    "outreach.activity": _("Hoạt động"),
    "outreach.partner": _("Đối tác"),
    "outreach.referral": _("Giới thiệu, chuyển gửi"),
    "outreach.loan_eligibility": _("Danh sách đủ điều kiện vay vốn"),
    "reports.report": _("Báo cáo"),
    "reports.submission": _("Báo cáo đã nộp"),
    "wards.team": _("Đội"),
    "wards.member": _("Thành viên Đội"),
    "auth.user": _("Tài khoản"),
}
PERSON = "cases.person"
# object_type -> the page that shows one object, opened only through the model's visible_to()
LINKS = {
    PERSON: "cases:person_detail",
    "outreach.referral": "outreach:referral_detail",
    "wards.team": "wards:team_detail",
}
SUPERVISED_ACTIONS = [
    AuditEvent.Action.EXPORT,
    AuditEvent.Action.LOGIN,
    AuditEvent.Action.LOGOUT,
    AuditEvent.Action.LOGIN_FAILED,
    AuditEvent.Action.DENIED,
]


# Filters ------------------------------------------------------------------------------------


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Hành động"), required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())

    def __init__(self, *args, actions: list[AuditEvent.Action], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Tất cả")), *((a.value, a.label) for a in actions)]

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            # 01/01/0001 or 31/12/9999 would overflow turning a local day into UTC times
            day = cleaned.get(name)
            if day and not 2000 <= day.year <= 2100:
                self.add_error(name, _("Chọn một ngày từ năm 2000 đến năm 2100."))
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Ngày kết thúc không được trước ngày bắt đầu."))
        return cleaned

    def apply(self, qs: AuditEventQuerySet) -> AuditEventQuerySet:
        """The events the filters keep; all of them while the filters are invalid (the form
        shows why)."""
        if not self.is_valid():
            return qs
        f = self.cleaned_data
        if f["action"]:
            qs = qs.filter(action=f["action"])
        qs = qs.between(f["start"], f["end"])
        if f.get("actor"):
            qs = qs.filter(actor_id=f["actor"].user_id)
        return qs


class WardAuditFilterForm(AuditFilterForm):
    actor = forms.ModelChoiceField(
        label=_("Người thực hiện"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )

    def __init__(self, *args, unit_ids: frozenset[int], **kwargs):
        super().__init__(*args, actions=list(AuditEvent.Action), **kwargs)
        self.fields["actor"].queryset = Member.objects.filter(
            team__ward_id__in=unit_ids, user__isnull=False
        ).order_by("left_on", "full_name")


def _list_ctx(request: HttpRequest, filters: AuditFilterForm, qs: AuditEventQuerySet) -> dict:
    """The page of events and what the filter box and the pager need."""
    page = Paginator(qs.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    params = {k: v for k, v in request.GET.items() if k != "page" and v}
    return {
        "filters": filters,
        "filter_count": sum(1 for k in ("action", "start", "end", "actor") if params.get(k)),
        "page": page,
        "page_query": "?" + urlencode(params) + ("&" if params else ""),
    }


# Rows ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    event: AuditEvent
    kind: str
    link: str = ""
    link_text: str = ""
    fmt: str = ""
    period: str = ""
    count: int | None = None
    note: str = ""


def kind_label(object_type: str) -> str:
    return str(OBJECT_TYPES.get(object_type, object_type))


def _export_details(event: AuditEvent) -> dict:
    """Format, period and row count of an export, read defensively from its `changes`."""
    if event.action != AuditEvent.Action.EXPORT or not isinstance(event.changes, dict):
        return {}
    fmt, period, count = (event.changes.get(k) for k in ("format", "period", "count"))
    return {
        "fmt": fmt.upper() if isinstance(fmt, str) else "",
        "period": period if isinstance(period, str) else "",
        "count": count if isinstance(count, int) and not isinstance(count, bool) else None,
    }


def _account_note(event: AuditEvent) -> str:
    """What an account event's `changes` add: a second factor passed, a session that expired,
    a lock-out after failed logins."""
    if event.object_type != "auth.user" or not isinstance(event.changes, dict):
        return ""
    changes = event.changes
    if changes.get("second_factor") is True:
        return str(_("qua xác thực 2 lớp"))
    if changes.get("second_factor") == "enrolled":
        return str(_("đăng ký xác thực 2 lớp"))
    if changes.get("expired"):
        return str(_("phiên làm việc hết hạn"))
    if changes.get("password"):
        return str(_("đổi mật khẩu"))
    if changes.get("reason") == "too_many_failed_logins":
        return str(_("tạm chặn vì đăng nhập sai nhiều lần"))
    return ""


def _check_note(event: AuditEvent) -> str:
    """What a look at other communes' registers found (cases.duplicates): never whom for."""
    if event.object_type != "cases.duplicate_check" or not isinstance(event.changes, dict):
        return ""
    found = event.changes.get("match_elsewhere")
    if found is True:
        return str(_("có hồ sơ tương tự"))
    if found is False:
        return str(_("không có hồ sơ tương tự"))
    if "limit" in event.changes:
        return str(_("hết lượt trong ngày, không kiểm tra"))
    return ""


def _details(event: AuditEvent) -> dict:
    return {**_export_details(event), "note": _account_note(event) or _check_note(event)}


def _target(event: AuditEvent) -> tuple[str, int] | None:
    """The object a row may link to: the event's own object when it has a page, else the
    person named in its changes (a contact, a milestone, an enrolment...)."""
    if event.object_type in LINKS and event.object_id.isdigit():
        return event.object_type, int(event.object_id)
    person = event.changes.get("person") if isinstance(event.changes, dict) else None
    if "." in event.object_type and isinstance(person, int) and not isinstance(person, bool):
        return PERSON, person
    return None


def _visible_targets(user, wanted: dict[str, set[int]]) -> dict[tuple[str, int], str]:
    """(type, pk) -> link text, for the objects that exist and `user` may open: one query per
    linkable type present on the page, whatever the number of rows."""
    found: dict[tuple[str, int], str] = {}
    for label, ids in wanted.items():
        visible = apps.get_model(label).objects.visible_to(user).filter(pk__in=ids)
        if label == PERSON:
            found.update({(label, pk): name for pk, name in visible.values_list("pk", "full_name")})
        else:
            found.update({(label, pk): str(_("Mở")) for pk in visible.values_list("pk", flat=True)})
    return found


def ward_rows(user, page: Page) -> list[Row]:
    events = list(page)
    targets = {event.pk: _target(event) for event in events}
    wanted: dict[str, set[int]] = {}
    for target in filter(None, targets.values()):
        wanted.setdefault(target[0], set()).add(target[1])
    found = _visible_targets(user, wanted)
    rows = []
    for event in events:
        target = targets[event.pk]
        text = found.get(target, "") if target else ""
        link = reverse(LINKS[target[0]], args=[target[1]]) if text else ""
        kind = kind_label(event.object_type)
        rows.append(Row(event, kind, link, text, **_details(event)))
    return rows


def supervised_rows(page: Page) -> list[Row]:
    """Exports and account events: the kind and the export's format, period and size, never
    the object's id nor a link."""
    return [Row(e, kind_label(e.object_type), **_details(e)) for e in page]


# The ward's trail ---------------------------------------------------------------------------


@never_cache
@require_safe
def audit_trail(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, CAP)
    filters = WardAuditFilterForm(request.GET or None, unit_ids=grant.unit_ids)
    events = AuditEvent.objects.of_ward(grant.unit.pk, grant.unit_ids).select_related("actor")
    ctx = _list_ctx(request, filters, filters.apply(events))
    ward = ward_ctx(request, grant, CAP)
    ctx.update(
        {
            **ward,
            "rows": ward_rows(request.user, ctx["page"]),
            "reset_url": ward_url(request, "wards:audit_trail", grant, CAP),
            "can_supervise": access_for(request.user).can("audit_exports"),
        }
    )
    return render(request, "wards/audit_trail.html", ctx)


# Exports and logins under a unit ------------------------------------------------------------


def _supervised_events(access) -> AuditEventQuerySet:
    """Exports and account events under the user's `audit_exports` units; an administrator's
    grant covers the installation, so it also keeps the logins of accounts with no role."""
    qs = AuditEvent.objects.exports_and_logins()
    everywhere = any(
        g.unit is None and g.role in CAPABILITIES["audit_exports"] for g in access.grants
    )
    return qs if everywhere else qs.under(access.unit_ids("audit_exports"))


def _summary(filters: AuditFilterForm, qs: AuditEventQuerySet) -> dict:
    """Exports, logins and failed logins in the chosen dates, whatever the action filter."""
    dated = filters.is_valid() and bool(
        filters.cleaned_data["start"] or filters.cleaned_data["end"]
    )
    if dated:
        qs = qs.between(filters.cleaned_data["start"], filters.cleaned_data["end"])
    counts = qs.order_by().aggregate(
        exports=Count("pk", filter=Q(action=AuditEvent.Action.EXPORT)),
        logins=Count("pk", filter=Q(action=AuditEvent.Action.LOGIN)),
        failed=Count("pk", filter=Q(action=AuditEvent.Action.LOGIN_FAILED)),
    )
    return {**counts, "dated": dated}


@never_cache
@require_safe
def audit_exports(request: HttpRequest) -> HttpResponse:
    access = require(request.user, "audit_exports")
    events = _supervised_events(access)
    filters = AuditFilterForm(request.GET or None, actions=SUPERVISED_ACTIONS)
    shown = filters.apply(events).with_actor_unit(access.unit_ids("audit_exports"))
    ctx = _list_ctx(request, filters, shown.select_related("actor", "unit"))
    ctx.update(
        {
            "rows": supervised_rows(ctx["page"]),
            "reset_url": reverse("wards:audit_exports"),
            "summary": _summary(filters, events),
            "units": [g.unit for g in access.grants if g.role in CAPABILITIES["audit_exports"]],
            "can_read_ward": access.can("audit_view"),
        }
    )
    return render(request, "wards/audit_exports.html", ctx)
