"""A volunteer's daily work: whom to see next, recording a contact or an assessment, and a
person's page with one timeline.

From login to a saved visit in three screens: login → the work list (the site's home for
anyone with people assigned) → the contact form → back on the work list with a message.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.forms.work import AssessmentForm, ContactForm
from cases.models import Assessment, Assignment, Contact, Enrollment, Milestone, Person
from cases.services import assessment_record, contact_due_days, contact_record, ward_on
from cases.topics import topic_codes, topic_labels
from reports import home as report_home
from wards import views as ward_views
from wards.access import Role, access_for
from wards.audit import audit
from wards.forms import add_service_errors
from wards.models import AuditEvent, Member
from wards.once import AlreadySubmitted, already_saved, submit_once

# A person is due for a progress assessment when the last one is older than this. Early-
# intervention clubs classify their members "regularly"; a quarter is the common rhythm. A
# person never assessed is due once they have been on the register this long, so a newcomer is
# not flagged on day one and nobody escapes by never having been assessed.
ASSESSMENT_INTERVAL_DAYS = 90
# An enrolment (a management period, a treatment) ending within this many days needs the
# leader's decision soon: the volunteer sees it on the work list.
PERIOD_WARNING_DAYS = 30


def _d(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _get_person(request: HttpRequest, pk: int, *, write: bool = False) -> Person:
    person = get_object_or_404(
        Person.objects.visible_to(request.user).select_related("ward", "area"), pk=pk
    )
    if write and not access_for(request.user).can("casework", person.ward_id):
        raise PermissionDenied
    return person


def member_for(user, person: Person) -> Member | None:
    """The user's membership in the team serving the person's ward; None for an officer."""
    grants = access_for(user).grants
    return next((g.member for g in grants if g.member and person.ward_id in g.unit_ids), None)


# The work list ------------------------------------------------------------------------------


class Urgency(enum.IntEnum):
    CONTACT_OVERDUE = 0
    PERIOD_ENDING = 1
    ASSESSMENT_DUE = 2
    ON_TRACK = 3


@dataclass(frozen=True)
class Reason:
    text: str
    level: str  # a Bootstrap colour: danger, warning, info, secondary


@dataclass
class WorkRow:
    assignment: Assignment
    person: Person
    last_contact_on: datetime.date | None
    last_contact_kind: str
    contact_due_on: datetime.date
    urgency: Urgency
    reasons: list[Reason] = field(default_factory=list)
    sort_on: datetime.date | None = None


def _caseload(user) -> QuerySet[Assignment]:
    """The open assignments of the user's memberships, each annotated with its person's latest
    contact, nearest enrolment end and latest assessment: one query for the whole list.

    Filtering on the user's own members is the whole access rule here: these persons are
    visible to the user by definition (Person.objects.visible_to)."""
    member_ids = [member.pk for member in access_for(user).members]
    person = OuterRef("person_id")
    latest = Contact.objects.latest_of(person)
    ending = Enrollment.objects.open().filter(person=person, due_on__isnull=False)
    assessed = Assessment.objects.filter(person=person).order_by("-assessed_on")
    return (
        Assignment.objects.open()
        .filter(member__in=member_ids, person__status=Person.Status.ACTIVE)
        .select_related("person__area", "member__team")
        .annotate(
            last_contact_on=Subquery(latest.values("occurred_on")[:1]),
            last_contact_kind=Subquery(latest.values("kind")[:1]),
            last_next_due_on=Subquery(latest.values("next_due_on")[:1]),
            period_due_on=Subquery(ending.order_by("due_on").values("due_on")[:1]),
            last_assessed_on=Subquery(assessed.values("assessed_on")[:1]),
        )
    )


def _contact_due_on(a: Assignment) -> datetime.date:
    """When the next contact is due: the latest contact's appointment; never contacted, the
    day the person was assigned."""
    if a.last_contact_on is None:
        return a.started_on
    if a.last_next_due_on is not None:
        return a.last_next_due_on
    days = a.member.team.contact_due_days or settings.CONTACT_DUE_DAYS
    return a.last_contact_on + datetime.timedelta(days=days)


def _contact_reason(a: Assignment, due: datetime.date, today: datetime.date) -> Reason:
    days = (due - today).days
    if a.last_contact_on is None and days < 0:
        text = ngettext(
            "Chưa tiếp cận lần nào, đã phân công %(days)s ngày",
            "Chưa tiếp cận lần nào, đã phân công %(days)s ngày",
            -days,
        ) % {"days": -days}
        return Reason(text, "danger")
    if a.last_contact_on is None:
        return Reason(_("Chưa tiếp cận lần nào"), "danger")
    if days < 0:
        text = ngettext(
            "Quá hạn tiếp cận %(days)s ngày", "Quá hạn tiếp cận %(days)s ngày", -days
        ) % {"days": -days}
        return Reason(text, "danger")
    if days == 0:
        return Reason(_("Đến hạn tiếp cận hôm nay"), "info")
    text = ngettext("Hẹn tiếp cận sau %(days)s ngày", "Hẹn tiếp cận sau %(days)s ngày", days) % {
        "days": days
    }
    return Reason(text, "secondary")


def _period_reason(due: datetime.date, today: datetime.date) -> Reason:
    days = (due - today).days
    if days > 0:
        text = ngettext(
            "Hết thời hạn quản lý sau %(days)s ngày",
            "Hết thời hạn quản lý sau %(days)s ngày",
            days,
        ) % {"days": days}
    elif days == 0:
        text = _("Hết thời hạn quản lý hôm nay")
    else:
        text = ngettext(
            "Đã quá thời hạn quản lý %(days)s ngày", "Đã quá thời hạn quản lý %(days)s ngày", -days
        ) % {"days": -days}
    return Reason(text, "warning")


def _work_row(a: Assignment, today: datetime.date) -> WorkRow:
    """Why this person is urgent, most urgent reason first, and where they go in the list."""
    due = _contact_due_on(a)
    contact_reason = _contact_reason(a, due, today)
    urgent: list[tuple[Urgency, datetime.date, Reason]] = []
    if a.last_contact_on is None or due < today:
        urgent.append((Urgency.CONTACT_OVERDUE, due, contact_reason))
    warn_from = today + datetime.timedelta(days=PERIOD_WARNING_DAYS)
    if a.period_due_on is not None and a.period_due_on <= warn_from:
        urgent.append(
            (Urgency.PERIOD_ENDING, a.period_due_on, _period_reason(a.period_due_on, today))
        )
    assessed = a.last_assessed_on or a.person.registered_on
    if (today - assessed).days >= ASSESSMENT_INTERVAL_DAYS:
        urgent.append((Urgency.ASSESSMENT_DUE, assessed, Reason(_("Cần đánh giá"), "warning")))
    if not urgent:
        urgent.append((Urgency.ON_TRACK, due, contact_reason))
    return WorkRow(
        assignment=a,
        person=a.person,
        last_contact_on=a.last_contact_on,
        last_contact_kind=Contact.Kind(a.last_contact_kind).label if a.last_contact_kind else "",
        contact_due_on=due,
        urgency=urgent[0][0],
        reasons=[reason for _urgency, _on, reason in urgent],
        sort_on=urgent[0][1],
    )


def work_rows(user, today: datetime.date) -> list[WorkRow]:
    """The user's caseload, most urgent first: overdue contacts (most overdue first), then
    periods ending soonest, then assessments due longest, then the rest by next due date."""
    rows = [_work_row(a, today) for a in _caseload(user)]
    return sorted(rows, key=lambda r: (r.urgency, r.sort_on, r.person.full_name, r.person.pk))


def _render_work(request: HttpRequest, rows: list[WorkRow]) -> HttpResponse:
    ctx = {"rows": rows, "urgent_count": sum(r.urgency < Urgency.ON_TRACK for r in rows)}
    # A leader who follows people lands here: their returned reports and the period to file.
    ctx.update(report_home.filing_ctx(request.user, timezone.localdate()))
    return render(request, "cases/work_list.html", ctx)


@require_safe
@never_cache
def my_work(request: HttpRequest) -> HttpResponse:
    return _render_work(request, work_rows(request.user, timezone.localdate()))


@require_safe
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    """The site's home: the work list for anyone following people, and for a volunteer even
    before anyone is assigned to them (it says who will); the team home otherwise."""
    access = access_for(request.user)
    rows = work_rows(request.user, timezone.localdate()) if access.members else []
    if not rows and access.roles != {Role.VOLUNTEER}:
        return ward_views.home(request)
    return _render_work(request, rows)


# Recording ----------------------------------------------------------------------------------


def _after_recording(request: HttpRequest, person: Person) -> str:
    """Back to the work list when the person is on it, to the person's page otherwise."""
    member_ids = [member.pk for member in access_for(request.user).members]
    if Assignment.objects.open().filter(person=person, member__in=member_ids).exists():
        return reverse("cases:my_work")
    return person.get_absolute_url()


@never_cache
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    due_days = contact_due_days(ward_on(person.ward, timezone.localdate()))
    form = ContactForm(request.POST or None, due_days=due_days)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                request,
                lambda: contact_record(
                    actor=request.user,
                    person=person,
                    member=member_for(request.user, person),
                    **form.cleaned_data,
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(_after_recording(request, person))
        except ValidationError as error:
            add_service_errors(form, error, aliases={"member": "occurred_on"})
        else:
            message = _("Đã lưu lượt tiếp cận với %(name)s.") % {"name": person.full_name}
            messages.success(request, message)
            return redirect(_after_recording(request, person))
    ctx = {"person": person, "form": form, "drug_test": Contact.Kind.DRUG_TEST.value}
    return render(request, "cases/contact_form.html", ctx)


@never_cache
def assessment_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            submit_once(
                request,
                lambda: assessment_record(
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
            add_service_errors(form, error, aliases={"member": "assessed_on"})
        else:
            message = _("Đã lưu đánh giá tiến bộ của %(name)s.") % {"name": person.full_name}
            messages.success(request, message)
            return redirect(person)
    return render(request, "cases/assessment_form.html", {"person": person, "form": form})


# The person's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineItem:
    on: datetime.date
    kind: str  # what the entry is: "contact", "milestone", "assessment", "assignment"…
    text: str
    details: tuple[str, ...] = ()
    # orders entries of one day: the later-written first
    written: datetime.datetime | None = None
    url: str = ""  # where the entry's own page is, if it has one
    badges: tuple[str, ...] = ()  # short tags under the text: a contact's counselling topics


def _contact_items(user, person: Person) -> Iterable[TimelineItem]:
    contacts = (
        Contact.objects.visible_to(user)
        .filter(person=person)
        .select_related("member")
        .annotate(topic_codes=topic_codes())
    )
    for c in contacts:
        details = [c.summary] if c.summary else []
        if c.drug_test_result:
            details.append(
                _("Kết quả xét nghiệm: %(result)s") % {"result": c.get_drug_test_result_display()}
            )
        if c.member:
            details.append(_("Người thực hiện: %(name)s") % {"name": c.member.full_name})
        if c.next_due_on:
            details.append(_("Hẹn lần tới: %(date)s") % {"date": _d(c.next_due_on)})
        yield TimelineItem(
            c.occurred_on,
            "contact",
            c.get_kind_display(),
            tuple(details),
            c.created_at,
            badges=tuple(topic_labels(c.topic_codes)),
        )


def _milestone_items(user, person: Person) -> Iterable[TimelineItem]:
    for m in Milestone.objects.visible_to(user).filter(person=person):
        text = _("Chuyển biến: %(kind)s") % {"kind": m.get_kind_display()}
        details = (m.note,) if m.note else ()
        yield TimelineItem(m.occurred_on, "milestone", text, details, m.created_at)


def _assessment_items(user, person: Person) -> Iterable[TimelineItem]:
    assessments = Assessment.objects.visible_to(user).filter(person=person).select_related("member")
    for a in assessments:
        text = _("Đánh giá tiến bộ: %(result)s") % {"result": a.get_result_display()}
        details = [a.note] if a.note else []
        if a.member:
            details.append(_("Người đánh giá: %(name)s") % {"name": a.member.full_name})
        yield TimelineItem(a.assessed_on, "assessment", text, tuple(details), a.created_at)


def _assignment_items(user, person: Person) -> Iterable[TimelineItem]:
    assignments = Assignment.objects.visible_to(user).filter(person=person).select_related("member")
    for a in assignments:
        name = {"name": a.member.full_name}
        text = _("Phân công %(name)s giúp đỡ") % name
        yield TimelineItem(a.started_on, "assignment", text, (), a.created_at)
        if a.ended_on is not None:
            text = _("%(name)s thôi giúp đỡ") % name
            yield TimelineItem(a.ended_on, "assignment", text, (), a.updated_at)


# Each source is one query. Apps that build on cases (outreach: referrals, club sessions) add
# theirs with `add_timeline_source` from their AppConfig.ready(), so imports keep pointing one
# way (wards <- cases <- outreach).
TIMELINE_SOURCES: list[Callable[..., Iterable[TimelineItem]]] = [
    _contact_items,
    _milestone_items,
    _assessment_items,
    _assignment_items,
]


def add_timeline_source(source: Callable[..., Iterable[TimelineItem]]) -> None:
    """Show another kind of record on a person's timeline: `source(user, person)` yields
    TimelineItems, in one query, of records visible to `user`."""
    if source not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(source)


def person_timeline(user, person: Person) -> list[TimelineItem]:
    """Everything that happened to the person, newest first, in one query per source."""
    items = [item for source in TIMELINE_SOURCES for item in source(user, person)]
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(items, key=lambda i: (i.on, i.written or epoch), reverse=True)


def _enrollment_rows(user, person: Person, today: datetime.date) -> list[tuple[Enrollment, str]]:
    """Each enrolment with its time left in words («còn 23 ngày», «quá hạn 5 ngày»)."""
    rows = []
    enrollments = Enrollment.objects.visible_to(user).filter(person=person)
    for e in enrollments.select_related("programme", "club"):
        if e.ended_on is not None:
            status = _("đã kết thúc %(date)s") % {"date": _d(e.ended_on)}
        elif e.due_on is None:
            status = _("không có thời hạn")
        elif e.due_on >= today:
            days = (e.due_on - today).days
            status = ngettext("còn %(days)s ngày", "còn %(days)s ngày", days) % {"days": days}
        else:
            days = (today - e.due_on).days
            status = ngettext("quá hạn %(days)s ngày", "quá hạn %(days)s ngày", days) % {
                "days": days
            }
        rows.append((e, status))
    return rows


# The person's page shows this many of the latest events; «Xem thêm» (?trang=2, 3…) adds as
# many again each time, so every event stays one tap away without a 20-screen page on a phone.
TIMELINE_PAGE_SIZE = 10


def _timeline_pages(request: HttpRequest, total: int) -> tuple[int, int]:
    """The page asked for in `?trang=` (1 when absent or not a number), within 1..last; and
    the last page. Page n shows the n × TIMELINE_PAGE_SIZE latest events."""
    last = max(1, -(-total // TIMELINE_PAGE_SIZE))
    try:
        page = int(request.GET.get("trang", "1"))
    except ValueError:
        page = 1
    return min(max(page, 1), last), last


def _open_assignment(person: Person) -> Assignment | None:
    """The person's open assignment with its helper's team, annotated like the work list's
    rows (`_caseload`) so that the next contact is due on the same day on both pages."""
    latest = Contact.objects.latest_of(OuterRef("person_id"))
    return (
        Assignment.objects.open()
        .filter(person=person)
        .select_related("member__team")
        .annotate(
            last_contact_on=Subquery(latest.values("occurred_on")[:1]),
            last_next_due_on=Subquery(latest.values("next_due_on")[:1]),
        )
        .first()
    )


def _card_ctx(
    person: Person, enrollments: list[tuple[Enrollment, str]], today: datetime.date
) -> dict:
    """What a volunteer needs at the door, at the top of the page: the helper, the next
    contact due, and the enrolments still running."""
    assignment = _open_assignment(person)
    due = reason = None
    if assignment is not None and person.is_active:
        due = _contact_due_on(assignment)
        reason = _contact_reason(assignment, due, today)
    return {
        "assignment": assignment,
        "contact_due_on": due,
        "contact_reason": reason,
        "open_enrollments": [(e, status) for e, status in enrollments if e.ended_on is None],
    }


@require_safe
@never_cache
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    access = access_for(request.user)
    can_edit = access.can("person_edit", person.ward_id)
    today = timezone.localdate()
    enrollments = _enrollment_rows(request.user, person, today)
    timeline = person_timeline(request.user, person)
    page, last_page = _timeline_pages(request, len(timeline))
    shown = page * TIMELINE_PAGE_SIZE
    ctx = {
        "person": person,
        "enrollments": enrollments,
        "timeline": timeline[:shown],
        "timeline_total": len(timeline),
        "next_page": page + 1 if page < last_page else None,
        "last_page": last_page,
        "first_new": shown + 1,  # the anchor «Xem thêm» scrolls to: the first event it adds
        "group_history": person.group_changes.select_related("created_by").order_by("-since"),
        "can_record": person.is_active and access.can("casework", person.ward_id),
        "edit_url": reverse("cases:person_edit", args=[person.pk]) if can_edit else None,
        "close_url": reverse("cases:person_close", args=[person.pk])
        if can_edit and person.is_active
        else None,
        "can_edit": can_edit,
        **_card_ctx(person, enrollments, today),
    }
    audit(actor=request.user, action=AuditEvent.Action.VIEW, obj=person, unit=person.ward_id)
    return render(request, "cases/person_detail.html", ctx)
