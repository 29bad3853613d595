"""The ward's register and what a team leader or commune officer does with it.

The register (filters, and a name search that never enters a URL), registering, correcting,
closing and reopening a person's file, enrolments, the assignment board and the weekly
dashboard (with the contact log's download form, cases.views.contact_log). Every page needs
`person_edit` over the ward: volunteers, supervisors and other wards get 404. A user with
several wards picks one with `?xa=<unit code>`.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases import services
from cases.forms.contact_log import ContactLogForm
from cases.forms.register import (
    DuplicateConfirmForm,
    EnrollmentEndForm,
    EnrollmentForm,
    HandoverForm,
    PersonCloseForm,
    PersonEditForm,
    PersonForm,
    PersonReopenForm,
    ReassignForm,
    RegisterFilterForm,
    RegisterSearchForm,
    ward_members,
)
from cases.models import Assignment, Contact, Enrollment, Person, overdue_condition
from wards.access import Grant, access_for
from wards.audit import audit
from wards.forms import add_service_errors
from wards.models import AuditEvent, Member
from wards.once import AlreadySubmitted, already_saved, submit_once, was_submitted
from wards.scope import ward_ctx, ward_grant, ward_url

PER_PAGE = 25
HISTORY_LIMIT = 50
SEARCH_KEY = "register_q"
ENDING_SOON_DAYS = 30

Filters = RegisterFilterForm  # the filter values, shared by the register and the dashboard


# Access -------------------------------------------------------------------------------------


def _get_person(request: HttpRequest, pk: int, *, write: bool = False) -> Person:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("ward", "area"), pk=pk
    )
    if write and not access_for(request.user).can("person_edit", person.ward_id):
        raise PermissionDenied
    return person


def _get_enrollment(request: HttpRequest, pk: int) -> Enrollment:
    enrollment = get_object_or_404(
        Enrollment.objects.visible_to(request.user).select_related("person", "programme"), pk=pk
    )
    if not access_for(request.user).can("person_edit", enrollment.person.ward_id):
        raise PermissionDenied
    return enrollment


def _after_save(person: Person) -> str:
    return person.get_absolute_url()


# Reads --------------------------------------------------------------------------------------


def _months(today: datetime.date) -> tuple[datetime.date, datetime.date, datetime.date]:
    """The first and last day of this month and the first day of last month."""
    start = today.replace(day=1)
    end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    return start, end, (start - datetime.timedelta(days=1)).replace(day=1)


def _helped() -> Exists:
    return Exists(Assignment.objects.open().filter(person=OuterRef("pk")))


def _period_ending(start: datetime.date | None, end: datetime.date) -> Exists:
    """An open enrolment due by `end` (and from `start`, when given)."""
    enrollments = Enrollment.objects.open().filter(person=OuterRef("pk"), due_on__lte=end)
    return Exists(enrollments.filter(due_on__gte=start) if start else enrollments)


def _contacted(start: datetime.date, end: datetime.date) -> Exists:
    contacts = Contact.objects.filter(person=OuterRef("pk"), occurred_on__range=(start, end))
    return Exists(contacts)


def _filtered(persons: QuerySet, data: dict, today: datetime.date) -> QuerySet:
    """The register narrowed by the filter form's cleaned values (invalid ones are ignored)."""
    month_start, month_end, last_month = _months(today)
    status = data.get("tinh_trang", Filters.STATUS_ACTIVE)
    if status != Filters.STATUS_ALL:
        persons = persons.closed() if status == Filters.STATUS_CLOSED else persons.active()
    if data.get("nhom"):
        persons = persons.filter(group=data["nhom"])
    if data.get("chuong_trinh"):
        enrolled = Enrollment.objects.open().filter(programme=data["chuong_trinh"])
        persons = persons.filter(Exists(enrolled.filter(person=OuterRef("pk"))))
    helper = data.get("tnv")
    if helper == Filters.UNASSIGNED:
        persons = persons.exclude(_helped())
    elif helper:
        held = Assignment.objects.open().filter(member_id=helper, person=OuterRef("pk"))
        persons = persons.filter(Exists(held))
    if data.get("qua_han"):
        persons = persons.filter(overdue=True)
    if data.get("het_han") == Filters.MONTH_THIS:
        persons = persons.filter(_period_ending(month_start, month_end))
    elif data.get("het_han") == Filters.DAYS_30:
        persons = persons.filter(_period_ending(None, today + datetime.timedelta(ENDING_SOON_DAYS)))
    if data.get("tiep_can") == Filters.MONTH_THIS:
        persons = persons.filter(_contacted(month_start, month_end))
    elif data.get("tiep_can") == Filters.MONTH_LAST:
        persons = persons.filter(_contacted(last_month, month_start - datetime.timedelta(1)))
    if data.get("moi"):
        persons = persons.filter(registered_on__range=(month_start, month_end))
    return persons


# The register -------------------------------------------------------------------------------


@never_cache
def register(request: HttpRequest) -> HttpResponse:
    """The ward's register. The search box posts here; the text stays in the session."""
    grant = ward_grant(request)
    if request.method == "POST":
        return _register_search(request)
    today = timezone.localdate()
    filters = RegisterFilterForm(request.GET, user=request.user, ward=grant.unit)
    filters.is_valid()
    text = request.session.get(SEARCH_KEY, "")
    persons = Person.objects.visible_to(request.user).filter(ward__in=grant.unit_ids)
    persons = persons.search(text).with_last_contact(
        today=today, due_days=services.contact_due_days(grant.unit)
    )
    persons = _filtered(persons, filters.cleaned_data, today)
    page = Paginator(persons.for_list(), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        **ward_ctx(request, grant),
        "page": page,
        "filters": filters,
        "filter_count": filters.active_count(),
        "page_query": f"?{query.urlencode()}&" if query else "?",
        "search_form": RegisterSearchForm(initial={"q": text}),
        "searching": bool(text),
        "add_url": ward_url(request, "cases:person_add", grant),
    }
    return render(request, "cases/register_list.html", ctx)


def _register_search(request: HttpRequest) -> HttpResponse:
    """Keep the search text in the session and go back to the list: Post/Redirect/Get, so
    the name typed is never in a URL, a browser history or a server log."""
    form = RegisterSearchForm(request.POST)
    if "xoa" not in request.POST and form.is_valid() and form.cleaned_data["q"].strip():
        request.session[SEARCH_KEY] = " ".join(form.cleaned_data["q"].split())
    else:
        request.session.pop(SEARCH_KEY, None)
    query = request.GET.copy()
    query.pop("page", None)
    return redirect(reverse("cases:register") + (f"?{query.urlencode()}" if query else ""))


# Person files -------------------------------------------------------------------------------


@never_cache
def person_add(request: HttpRequest) -> HttpResponse:
    """Register a person. Unless the leader has confirmed a namesake, the file is first checked
    (services.person_check): once it is valid in every other respect, the ward's namesakes are
    shown by name and another commune's only as "may have a file elsewhere"."""
    grant = ward_grant(request)
    form = PersonForm(request.POST or None, user=request.user, ward=grant.unit)
    confirm = DuplicateConfirmForm(request.POST or None)
    found = services.Duplicates()
    if request.method == "POST" and was_submitted(request):
        already_saved(request)
        return redirect(ward_url(request, "cases:register", grant))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PERSON_FIELDS}
        confirmed = confirm.is_valid() and confirm.cleaned_data["confirm"]
        try:
            if not confirmed:
                found = services.person_check(actor=request.user, ward=grant.unit, **fields)
            if not found:
                person = submit_once(
                    request,
                    lambda: services.person_register(
                        actor=request.user, ward=grant.unit, confirm_duplicate=confirmed, **fields
                    ),
                )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(ward_url(request, "cases:register", grant))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not found:
                messages.success(request, _("Đã đưa %(name)s vào danh sách.") % {"name": person})
                if found.limited:
                    messages.warning(request, _limited_message())
                return redirect(_after_save(person))
    ctx = {
        **ward_ctx(request, grant),
        "form": form,
        "confirm": confirm,
        "matches": found.matches,
        "elsewhere": found.elsewhere,
        "limited": found.limited,
        "cancel_url": ward_url(request, "cases:register", grant),
    }
    return render(request, "cases/person_form.html", ctx)


def _limited_message() -> str:
    return _(
        "Hôm nay bạn đã dùng hết %(limit)s lượt kiểm tra trùng với danh sách của các xã, "
        "phường khác, nên người này chỉ được so với danh sách của xã, phường mình. Nếu người "
        "này có thể đã được quản lý ở nơi khác, hãy hỏi họ nơi đó và liên hệ xã, phường ấy để "
        "đề nghị chuyển hồ sơ."
    ) % {"limit": settings.DUPLICATE_CHECKS_PER_DAY}


@never_cache
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    instance = Person(pk=person.pk, ward=person.ward) if request.method == "POST" else person
    form = PersonEditForm(
        request.POST or None,
        instance=instance,
        user=request.user,
        ward=person.ward,
        initial={"version": person.version},
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PERSON_FIELDS}
        try:
            services.person_update(
                actor=request.user,
                person=person,
                expected_version=form.cleaned_data["version"],
                group_since=form.cleaned_data["group_since"],
                group_reason=form.cleaned_data["group_reason"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Đã lưu hồ sơ của %(name)s.") % {"name": fields["full_name"]}
            )
            return redirect(_after_save(person))
    if request.method != "POST":
        # The form shows the ID number, phone, address and notes: a look at the file.
        audit(actor=request.user, action=AuditEvent.Action.VIEW, obj=person, unit=person.ward_id)
    ctx = {"person": person, "form": form, "cancel_url": _after_save(person)}
    return render(request, "cases/person_form.html", ctx)


@never_cache
def person_close(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    if not person.is_active:
        messages.info(request, _("Hồ sơ này đã đóng từ trước."))
        return redirect(_after_save(person))
    form = PersonCloseForm(request.POST or None, version=person.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_close(
                actor=request.user,
                person=person,
                closed_on=form.cleaned_data["closed_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Đã đóng hồ sơ của %(name)s.") % {"name": person})
            return redirect(_after_save(person))
    ctx = {
        "person": person,
        "form": form,
        "open_enrollments": person.enrollments.open().select_related("programme"),
        "cancel_url": _after_save(person),
    }
    return render(request, "cases/person_close.html", ctx)


@require_POST
def person_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    form = PersonReopenForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.non_field_errors().as_data())
        services.person_reopen(
            actor=request.user, person=person, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã mở lại hồ sơ của %(name)s. Hãy phân công người giúp đỡ.") % {"name": person},
        )
    return redirect(_after_save(person))


# Enrolments ---------------------------------------------------------------------------------


@never_cache
def enrollment_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    form = EnrollmentForm(request.POST or None, instance=Enrollment(person=person))
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = submit_once(
                request,
                lambda: services.enrollment_start(
                    actor=request.user, person=person, **form.cleaned_data
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(_after_save(person))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã ghi nhận %(name)s tham gia «%(programme)s».")
                % {"name": person, "programme": enrollment.programme},
            )
            return redirect(_after_save(person))
    ctx = {
        "person": person,
        "form": form,
        "enrollments": person.enrollments.select_related("programme"),
        "cancel_url": _after_save(person),
    }
    return render(request, "cases/enrollment_form.html", ctx)


@never_cache
def enrollment_end(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = _get_enrollment(request, pk)
    person = enrollment.person
    if enrollment.ended_on is not None:
        messages.info(request, _("Lượt tham gia này đã kết thúc."))
        return redirect(_after_save(person))
    form = EnrollmentEndForm(request.POST or None, version=enrollment.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_end(
                actor=request.user,
                enrollment=enrollment,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã kết thúc «%(programme)s» của %(name)s.")
                % {"programme": enrollment.programme, "name": person},
            )
            return redirect(_after_save(person))
    ctx = {
        "enrollment": enrollment,
        "person": person,
        "form": form,
        "cancel_url": _after_save(person),
    }
    return render(request, "cases/enrollment_end.html", ctx)


# Assignments --------------------------------------------------------------------------------


def _caseloads(user, grant: Grant) -> list[Member]:
    """The ward's active members, and former members who still hold persons, each with the
    number of persons they follow now; active members first."""
    holding = Assignment.objects.open().filter(person__ward__in=grant.unit_ids)
    members = Member.objects.filter(
        Q(pk__in=ward_members(user, grant.unit).values("pk"))
        | Q(pk__in=holding.values("member_id"))
    )
    # One count per member through the open assignments' partial index, not a join of the
    # members with every assignment ever made (EXPLAIN on the province set: 0.3 ms, not 38).
    held = (
        Assignment.objects.open()
        .filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        members.annotate(caseload=Coalesce(Subquery(held), 0)).order_by(
            F("left_on").asc(nulls_first=True), "full_name", "pk"
        )
    )


def _board_ctx(request: HttpRequest, grant: Grant, reassign=None, handover=None) -> dict:
    """The board: caseload per member, the persons to tick, the forms and the history."""
    user, ward = request.user, grant.unit
    active = Person.objects.visible_to(user).filter(ward__in=grant.unit_ids).active()
    totals = active.aggregate(total=Count("pk"), unassigned=Count("pk", filter=~Q(_helped())))
    members = _caseloads(user, grant)
    helper = request.GET.get("tnv", "")
    persons = active.for_list()
    if helper == Filters.UNASSIGNED:
        persons = persons.exclude(_helped())
    elif helper in {str(m.pk) for m in members}:
        persons = persons.filter(assignments__member=helper, assignments__ended_on__isnull=True)
    else:
        helper = ""
    reassign = reassign or ReassignForm(user=user, ward=ward)
    selected = set(reassign.data.getlist("persons")) if reassign.is_bound else set()
    history = Assignment.objects.visible_to(user).filter(person__ward__in=grant.unit_ids)
    rows = [(p, str(p.pk) in selected) for p in persons]
    return {
        **ward_ctx(request, grant),
        "totals": totals,
        "members": members,
        "helper_choices": [
            ("", _("Tất cả"), not helper),
            (Filters.UNASSIGNED, _("Chưa phân công"), helper == Filters.UNASSIGNED),
            *((str(m.pk), m.full_name, str(m.pk) == helper) for m in members),
        ],
        "can_assign": any(m.left_on is None for m in members),
        "rows": rows,
        "selected_count": sum(checked for _p, checked in rows),
        "reassign": reassign,
        "seen_name": ReassignForm.SEEN,
        "handover": handover or HandoverForm(user=user, ward=ward),
        "history": history.select_related("person", "member", "assigned_by")[:HISTORY_LIMIT],
        "history_limit": HISTORY_LIMIT,
    }


@require_safe
@never_cache
def assignment_board(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request)
    return render(request, "cases/assignment_board.html", _board_ctx(request, grant))


def _board_post(request: HttpRequest, form_class, run, failed: str, slot: str) -> HttpResponse:
    """Validate a board form and `run` its service: back to the board with `run`'s message,
    or the board again with the form's errors and nothing changed."""
    grant = ward_grant(request)
    form = form_class(request.POST, user=request.user, ward=grant.unit)
    if form.is_valid():
        try:
            message = submit_once(request, lambda: run(form.cleaned_data))
        except AlreadySubmitted:
            already_saved(request)
            return redirect(ward_url(request, "cases:assignment_board", grant))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(ward_url(request, "cases:assignment_board", grant))
    messages.error(request, failed)
    ctx = _board_ctx(request, grant, **{slot: form})
    return render(request, "cases/assignment_board.html", ctx)


@require_POST
def assignment_reassign(request: HttpRequest) -> HttpResponse:
    """Give the ticked persons to one member: all of them or, on any refusal, none."""

    def run(data) -> str:
        count = len(services.assignment_reassign_many(actor=request.user, **data))
        return ngettext(
            "Đã phân công %(count)s người cho %(name)s.",
            "Đã phân công %(count)s người cho %(name)s.",
            count,
        ) % {"count": count, "name": data["member"].full_name}

    failed = _("Chưa phân công ai: hãy xem lỗi bên dưới rồi thử lại.")
    return _board_post(request, ReassignForm, run, failed, "reassign")


@require_POST
def assignment_handover(request: HttpRequest) -> HttpResponse:
    """Pass everyone a member follows to another member, e.g. before the member leaves."""

    def run(data) -> str:
        count = len(services.assignment_handover(actor=request.user, **data))
        return ngettext(
            "%(from)s đã bàn giao %(count)s người cho %(to)s.",
            "%(from)s đã bàn giao %(count)s người cho %(to)s.",
            count,
        ) % {
            "from": data["from_member"].full_name,
            "to": data["to_member"].full_name,
            "count": count,
        }

    failed = _("Chưa bàn giao: hãy xem lỗi bên dưới rồi thử lại.")
    return _board_post(request, HandoverForm, run, failed, "handover")


# The dashboard ------------------------------------------------------------------------------


def _dashboard_counts(user, grant: Grant, today: datetime.date) -> dict[str, int]:
    """Every count of the dashboard: one query over persons, one over contacts."""
    month_start, month_end, last_month = _months(today)
    persons = Person.objects.visible_to(user).filter(ward__in=grant.unit_ids)
    due_days = services.contact_due_days(grant.unit)
    active = Q(status=Person.Status.ACTIVE)
    ending = _period_ending(None, today + datetime.timedelta(ENDING_SOON_DAYS))
    counts = persons.aggregate(
        active=Count("pk", filter=active),
        unassigned=Count("pk", filter=active & ~Q(_helped())),
        overdue=Count("pk", filter=overdue_condition(today=today, due_days=due_days)),
        ending=Count("pk", filter=active & Q(ending)),
        new=Count("pk", filter=Q(registered_on__range=(month_start, month_end))),
        **{f"group_{g}": Count("pk", filter=active & Q(group=g)) for g in Person.Group.values},
    )
    this_month = Q(occurred_on__range=(month_start, month_end))
    last = Q(occurred_on__range=(last_month, month_start - datetime.timedelta(1)))
    counts |= Contact.objects.filter(
        ward__in=grant.unit_ids, occurred_on__gte=last_month
    ).aggregate(
        contacts=Count("pk", filter=this_month),
        reached=Count("person", filter=this_month, distinct=True),
        contacts_last=Count("pk", filter=last),
        reached_last=Count("person", filter=last, distinct=True),
    )
    return counts


def _dashboard_links(counts: dict[str, int], link) -> dict:
    """Each count with its label and the register filtered to the same persons."""
    every = {"tinh_trang": Filters.STATUS_ALL}
    month_this, month_last = Filters.MONTH_THIS, Filters.MONTH_LAST
    return {
        "cards": [
            (_("Đang theo dõi"), counts["active"], link()),
            (_("Chưa phân công người giúp đỡ"), counts["unassigned"], link(tnv=Filters.UNASSIGNED)),
            (_("Quá hạn tiếp cận"), counts["overdue"], link(qua_han=1)),
            (
                _("Hết thời hạn quản lý trong 30 ngày tới hoặc đã quá hạn"),
                counts["ending"],
                link(het_han=Filters.DAYS_30),
            ),
            (_("Đưa vào danh sách trong tháng này"), counts["new"], link(moi=1, **every)),
        ],
        "contacts": [
            (
                _("Tháng này"),
                counts["contacts"],
                counts["reached"],
                link(tiep_can=month_this, **every),
            ),
            (
                _("Tháng trước"),
                counts["contacts_last"],
                counts["reached_last"],
                link(tiep_can=month_last, **every),
            ),
        ],
        "groups": [
            (label, counts[f"group_{value}"], link(nhom=value))
            for value, label in Person.Group.choices
        ],
    }


def dashboard_ctx(
    request: HttpRequest, grant: Grant, contact_log: ContactLogForm | None = None
) -> dict:
    """The dashboard's counts and links, and the contact log's download form (shown again
    with its errors by cases.views.contact_log)."""
    today = timezone.localdate()
    counts = _dashboard_counts(request.user, grant, today)

    def link(**filters) -> str:
        return ward_url(request, "cases:register", grant, **filters)

    return {
        **ward_ctx(request, grant),
        "counts": counts,
        **_dashboard_links(counts, link),
        "contact_log": contact_log or ContactLogForm(today=today),
    }


@require_safe
@never_cache
def ward_dashboard(request: HttpRequest) -> HttpResponse:
    """The counts a leader checks weekly, each linking to the register filtered to match."""
    grant = ward_grant(request)
    return render(request, "cases/dashboard.html", dashboard_ctx(request, grant))
