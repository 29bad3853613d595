"""Report submissions: a ward submits its period report (again, after it was returned), the
unit above reviews it, and anyone with the unit's figures opens a submitted report.

The submit page takes the report query string (reports.choice: `don-vi`, `ky`, `cach-tinh`);
a unit outside the user's `aggregate` scope is 404. Submitting needs `report_submit` over the
unit (403 otherwise), reviewing `report_review` at a post above it (403 otherwise). The pages
show the submitter's and the reviewer's names (team members, officers, supervisors) and
figures, never a supervised person's name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases.models import Contact, Enrollment, Milestone, Person
from outreach.models import Activity, Referral
from reports import snapshot
from reports.choice import CUTOFF, PERIOD, UNIT, Choice, PeriodError, choose
from reports.document import Figure, lower_first, numbered, shown
from reports.forms import ReviewForm, SubmissionForm
from reports.indicators import MONEY, Catalogue, Indicator, Section, catalogue
from reports.models import Review, Submission
from reports.narrative import write
from reports.periods import CALENDAR, Period, parse
from reports.report import build, shown_label, shown_measure, structural
from reports.rollup import tally
from reports.services import (
    SECTIONS,
    check_submittable,
    fingerprint,
    freeze,
    submission_approve,
    submission_return,
    submission_submit,
)
from reports.snapshot import EXPLAIN, figures_changed, may_review, review_of, submitter_office
from wards.access import access_for
from wards.forms import add_service_errors
from wards.models import AdminUnit, AuditEvent
from wards.once import AlreadySubmitted, already_saved, submit_once, was_submitted

ADD, DETAIL = (
    "reports/submission_add.html",
    "reports/submission_detail.html",
)
SEEN = "so-lieu"  # the form's hidden field: the fingerprint of the figures shown
AFTER = "lan-nop"  # the form's hidden field: the latest version when the page was read (0: none)
# The document's sections as the pages title them, in the filed report's order.
SECTION_LABELS = {
    "narrative": _lazy("Tình hình, kết quả chung"),
    "evaluation": _lazy("Đánh giá"),
    "next_tasks": _lazy("Phương hướng, nhiệm vụ kỳ tới"),
    "recommendations": _lazy("Kiến nghị"),
    "proposals": _lazy("Đề xuất"),
}
# What else a version may change: the recipients and the number of the document.
OTHER_LABELS = {"recipients": _lazy("Nơi nhận"), "number": _lazy("Số văn bản")}
# The records whose changes after an approval the detail page counts (never which ones).
# The records that feed reports, with the day that puts each in a period (an enrolment: the
# day it started, a person: the day they were put on the list): an audited change of one of
# them dated in an approved period is a change "after approval" of that period.
FEEDS_REPORTS = {
    "cases.contact": (Contact, ("occurred_on",)),
    "cases.enrollment": (Enrollment, ("started_on", "ended_on")),
    "cases.milestone": (Milestone, ("occurred_on",)),
    "cases.person": (Person, ("registered_on", "closed_on")),
    "outreach.activity": (Activity, ("occurred_on",)),
    "outreach.referral": (Referral, ("referred_on",)),
}


# Figures as a compact table ----------------------------------------------------------------


@dataclass(frozen=True)
class FigureRow:
    indicator: Indicator
    label: str  # money labelled once, in triệu đồng (reports.report.shown_label)
    value: Figure
    children: tuple[Figure, ...]
    previous: Figure


def figure_label(indicator: Indicator) -> str:
    """An indicator's label where its figures are shown: money labelled once, in triệu đồng."""
    label = shown_label(indicator)
    return f"{label} ({shown_measure(indicator)})" if indicator.kind == MONEY else label


@dataclass(frozen=True)
class DifferenceRow:
    indicator: Indicator
    submitted: Figure
    current: Figure
    change: Figure

    @property
    def label(self) -> str:
        return figure_label(self.indicator)


@dataclass(frozen=True)
class FigureSection:
    section: Section
    rows: tuple[FigureRow, ...]


def figures_ctx(figures: dict, cat: Catalogue) -> dict:
    """A snapshot (reports.report.as_json) laid out by the sections of `cat`: a figure the
    snapshot lacks (an indicator added since) is None, shown as «—», and so is every figure of
    a comparison period without data."""
    values = figures.get("indicators", {})
    previous = figures.get("previous", {})
    before = previous.get("indicators", {})
    # a comparison period without any figure (the team's standing counts aside) shows «—»
    compared = any(v for code, v in before.items() if not structural(code))
    children = figures.get("children", {})
    names = (
        dict(AdminUnit.objects.filter(code__in=children).values_list("code", "name"))
        if children
        else {}
    )
    sections = [
        FigureSection(
            s,
            tuple(
                FigureRow(
                    indicator=i,
                    label=figure_label(i),
                    value=shown(i, values.get(i.code)),
                    children=tuple(shown(i, v.get(i.code)) for v in children.values()),
                    previous=shown(i, before.get(i.code)) if compared else None,
                )
                for i in s.indicators
            ),
        )
        for s in cat.sections
    ]
    return {
        "sections": sections,
        "child_names": [names.get(code, code) for code in children] if children else [],
        "previous_label": previous.get("period", {}).get("label", ""),
        "previous_empty": not compared,
        "columns": 3 + len(children),
    }


# The unit and period picker ----------------------------------------------------------------


def recent_periods(today: datetime.date) -> list[Period]:
    """Quarters, half-years and years that have ended, the latest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    specs = []
    for _step in range(8):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        specs.append(f"{year}-Q{quarter}")
    for y in (today.year, today.year - 1, today.year - 2):
        specs += [f"{y}-H2", f"{y}-H1"]
    specs += [str(today.year - n) for n in (1, 2, 3)]
    periods = [parse(spec) for spec in specs]
    return [p for p in periods if p.end < today]


def picker_ctx(request: HttpRequest, units, choice: Choice | None) -> dict:
    today = timezone.localdate()
    if choice is not None:
        unit, spec, cutoff = choice.unit.code, choice.period.spec, choice.period.cutoff
    else:
        unit, spec = request.GET.get(UNIT, ""), request.GET.get(PERIOD, "")
        cutoff = request.GET.get(CUTOFF) or CALENDAR
    periods = [(p.spec, p.label) for p in recent_periods(today)]
    if choice is not None and spec not in dict(periods):
        periods.insert(0, (spec, choice.period.label))
    return {
        "picker": {
            "units": units,
            "periods": periods,
            "cutoffs": Submission.Cutoff.choices,
            "unit": unit,
            "spec": spec,
            "cutoff": cutoff,
            "names": (UNIT, PERIOD, CUTOFF),
        }
    }


def _submit_units(user):
    return AdminUnit.objects.filter(pk__in=access_for(user).unit_ids("report_submit"))


# States --------------------------------------------------------------------------------------

RECEIVED, RETURNED, APPROVED = "received", Review.Decision.RETURNED, Review.Decision.APPROVED


def state_of(review: Review | None) -> str:
    """«Đã nhận» (no review yet), «Trả lại» or «Đã duyệt»."""
    return RECEIVED if review is None else review.decision


# Submitting ---------------------------------------------------------------------------------


def default_recipients(unit: AdminUnit, issuer: AdminUnit | None) -> str:
    """«Nơi nhận» of a first version: the unit above the office that files it, and the file."""
    above = (issuer or unit).parent
    lines = [f"- UBND {lower_first(above.name)};"] if above is not None else []
    return "\n".join([*lines, "- Lưu: VT."])


def _initial(request: HttpRequest, latest: Submission | None, report, unit: AdminUnit) -> dict:
    """A first version: the narrative written from the figures and the default recipients. A
    new version: everything the latest said, its explanations kept for the same findings."""
    if latest is None:
        return {
            "narrative": write(report.values, report.period, report.catalogue),
            "recipients": default_recipients(unit, submitter_office(request.user, unit)),
        }
    initial = {name: getattr(latest, name) for name in (*SECTIONS, "recipients", "number")}
    for check in latest.checks:
        initial[EXPLAIN % check.get("code", "")] = check.get("explanation", "")
    return initial


@never_cache
def submission_add(request: HttpRequest) -> HttpResponse:
    try:
        choice = choose(request)
    except PeriodError as error:
        ctx = {"error": str(error), **picker_ctx(request, _submit_units(request.user), None)}
        return render(request, ADD, ctx, status=400)
    unit, period = choice.unit, choice.period
    if not access_for(request.user).can("report_submit", unit.pk):
        raise PermissionDenied
    ctx = {"choice": choice, **picker_ctx(request, _submit_units(request.user), choice)}
    latest = (
        Submission.objects.for_period(period)
        .filter(unit=unit)
        .select_related("review__reviewed_by", "submitted_by")
        .order_by("-version")
        .first()
    )
    review = review_of(latest) if latest is not None else None
    if latest is not None and request.method == "POST" and was_submitted(request):
        already_saved(request)  # «Nộp» tapped twice: the first made the submission
        return redirect(latest)
    ctx.update(latest=latest, review=review, state=state_of(review) if latest else "")
    try:
        check_submittable(unit, period)
    except ValidationError as error:
        ctx["refused"] = error.messages[0]
    if "refused" in ctx or ctx["state"] == APPROVED:
        return render(request, ADD, ctx)
    report = build(unit, period)
    figures = freeze(report)
    found = snapshot.findings(unit, period, figures)
    if request.method == "POST":
        form = SubmissionForm(request.POST, findings=found)
        seen = request.POST.get(SEEN, "")
        if seen and seen != fingerprint(figures):
            # the figures (and so the checks) moved: show them again before anything else
            form.is_valid()
            form.add_error(None, figures_changed())
        elif submission := _submit(request, form, unit, period, latest):
            message = _("Đã nộp báo cáo %(period)s của %(unit)s (lần %(version)s).")
            args = {
                "period": lower_first(str(period.label)),
                "unit": unit.name,
                "version": submission.version,
            }
            messages.success(request, message % args)
            return redirect(submission)
    else:
        form = SubmissionForm(findings=found, initial=_initial(request, latest, report, unit))
    ctx.update(
        form=form,
        seen=fingerprint(figures),
        seen_name=SEEN,
        after=latest.version if latest else 0,
        after_name=AFTER,
        folded=ctx["state"] == RECEIVED and not form.is_bound,
        **figures_ctx(figures, report.catalogue),
    )
    return render(request, ADD, ctx)


def _submit(
    request: HttpRequest,
    form: SubmissionForm,
    unit: AdminUnit,
    period: Period,
    latest: Submission | None,
) -> Submission | None:
    """The submission, or None with the reasons on the form."""
    if not form.is_valid():
        return None
    after = request.POST.get(AFTER, "")
    data = form.cleaned_data
    try:
        return submit_once(
            request,
            lambda: submission_submit(
                actor=request.user,
                unit=unit,
                period=period,
                seen=request.POST.get(SEEN, ""),
                after=int(after) if after.isdigit() and len(after) < 6 else None,
                explanations=form.explanations(),
                **{name: data[name] for name in (*SECTIONS, "recipients", "number")},
            ),
        )
    except AlreadySubmitted:
        # the first submission of this form is not committed yet, or was for another period
        already_saved(request)
        return latest or Submission.objects.for_period(period).filter(unit=unit).first()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


# A submitted report -------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionRow:
    """One version of the unit's report for the period, and what it changed from the one
    before it: figures (as DifferenceRow, `submitted` the earlier value) and section names."""

    submission: Submission
    review: Review | None
    state: str
    figures: tuple[DifferenceRow, ...]
    sections: tuple[str, ...]


def _changed(before: Submission, after: Submission, cat: Catalogue) -> tuple:
    old, new = before.values, after.values
    rows = []
    for i in cat.indicators:
        a, b = old.get(i.code), new.get(i.code)
        if a != b and b is not None:
            change = b - (a or 0)
            rows.append(DifferenceRow(i, shown(i, a), shown(i, b), shown(i, change)))
    labels = {**SECTION_LABELS, **OTHER_LABELS}
    sections = tuple(
        str(label)
        for name, label in labels.items()
        if getattr(before, name) != getattr(after, name)
    )
    return tuple(rows), sections


def version_rows(versions: list[Submission], cat: Catalogue) -> list[VersionRow]:
    """`versions` (one unit, period and cut-off, the first version first) as rows."""
    rows = []
    for n, version in enumerate(versions):
        review = review_of(version)
        figures, sections = _changed(versions[n - 1], version, cat) if n else ((), ())
        rows.append(VersionRow(version, review, state_of(review), figures, sections))
    return rows


def document_ctx(submission: Submission) -> list[tuple[str, str, str]]:
    """The document's parts that have text, numbered after the figures (I) as the filed
    document numbers them (reports.document.numbered)."""
    texts = {name: getattr(submission, name) for name in SECTION_LABELS}
    return [(n, str(SECTION_LABELS[name]), text) for n, name, text in numbered(texts)]


def changes_after(submission: Submission, review: Review) -> int:
    """How many audited creations and changes, after the approval, of records of the unit's
    scope dated in the approved period (never which records; one query). A record deleted
    since cannot be dated: its effect shows in the figures' differences."""
    in_period = Q()
    for object_type, (model, fields) in FEEDS_REPORTS.items():
        dated = Q()
        for name in fields:
            dated |= Q(**{f"{name}__gte": submission.start, f"{name}__lte": submission.end})
        # compared as text: an audit row's object id is text, and not every one is a number
        records = model.objects.annotate(key=Cast("pk", CharField())).filter(
            dated, key=OuterRef("object_id")
        )
        in_period |= Q(object_type=object_type) & Exists(records)
    return AuditEvent.objects.filter(
        in_period,
        unit_id__in=AdminUnit.objects.scope_ids([submission.unit]),
        created_at__gt=review.reviewed_at,
        action__in=[AuditEvent.Action.CREATE, AuditEvent.Action.UPDATE],
    ).count()


def downloads(submission: Submission) -> list[tuple[str, str]]:
    """The links to the filed document (reports:submission_export), when it is routed."""
    labels = (
        ("pdf", _("Tải PDF")),
        ("docx", _("Tải Word (DOCX)")),
        ("xlsx", _("Tải Excel (XLSX)")),
    )
    try:
        return [
            (label, reverse("reports:submission_export", args=[submission.pk, fmt]))
            for fmt, label in labels
        ]
    except NoReverseMatch:
        return []


def _visible(user):
    return Submission.objects.visible_to(user).select_related(
        "unit__parent", "submitted_by", "issuer"
    )


def detail_ctx(
    request: HttpRequest, submission: Submission, form: ReviewForm | None = None
) -> dict:
    unit = submission.unit
    cat = catalogue()
    versions = list(
        Submission.objects.filter(
            unit=unit, period_spec=submission.period_spec, cutoff=submission.cutoff
        )
        .select_related("submitted_by", "review__reviewed_by")
        .order_by("version")
    )
    rows = version_rows(versions, cat)
    this = next(row for row in rows if row.submission.pk == submission.pk)
    latest = rows[-1]
    try:
        period = submission.period
    except PeriodError:  # a spec today's parser no longer reads: nothing to compare with
        period, differences = None, []
    else:
        current = tally(unit, period, children=False, cat=cat).values
        differences = [
            DifferenceRow(
                d.indicator, *(shown(d.indicator, v) for v in (d.submitted, d.current, d.change))
            )
            for d in submission.differences(current, cat)
        ]
    due = submission.end + datetime.timedelta(days=settings.REPORT_DUE_DAYS)
    reviewing = (
        this is latest
        and this.review is None
        and submission.submitted_by_id != request.user.pk
        and may_review(request.user, unit)
    )
    approved = this.state == APPROVED
    ctx = {
        "submission": submission,
        "review": this.review,
        "state": this.state,
        "latest": latest.submission,
        "is_latest": this is latest,
        "versions": rows,
        "document": document_ctx(submission),
        "recipients": submission.recipients.splitlines(),
        "differences": differences,
        "compared": period is not None,
        "submitted_late": timezone.localdate(rows[0].submission.submitted_at) > due,
        "changes_after": changes_after(submission, this.review) if approved else None,
        "downloads": downloads(submission),
        "review_form": (form or ReviewForm()) if reviewing else None,
        "decisions": {"approve": ReviewForm.APPROVE, "return": ReviewForm.RETURN},
        **figures_ctx(submission.figures, cat),
    }
    if period is not None:
        ctx["report_query"] = Choice(unit, period).query()
        if access_for(request.user).can("report_submit", unit.pk):
            ctx["submit_query"] = ctx["report_query"]
        if unit.parent_id and access_for(request.user).can("aggregate", unit.parent_id):
            ctx["status_query"] = Choice(unit.parent, period).query()
    return ctx


@require_safe
@never_cache
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_object_or_404(_visible(request.user), pk=pk)
    return render(request, DETAIL, detail_ctx(request, submission))


@require_POST
@never_cache
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    """«Duyệt» or «Trả lại» on the latest version, from its detail page."""
    submission = get_object_or_404(_visible(request.user), pk=pk)
    if not may_review(request.user, submission.unit):
        raise PermissionDenied
    if was_submitted(request):
        already_saved(request)  # tapped twice: the first one decided
        return redirect(submission)
    form = ReviewForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == ReviewForm.APPROVE
        reason = form.cleaned_data["reason"]
        try:
            review = submit_once(
                request,
                lambda: (
                    submission_approve(actor=request.user, submission=submission, remark=reason)
                    if approve
                    else submission_return(actor=request.user, submission=submission, reason=reason)
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect(submission)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                # reviewed meanwhile, or submitted again: the page says how it stands now
                for text in error.messages:
                    messages.error(request, text)
                return redirect(submission)
            add_service_errors(form, error)
        else:
            message = (
                _("Đã duyệt báo cáo %(period)s của %(unit)s.")
                if review.decision == APPROVED
                else _("Đã trả lại báo cáo %(period)s của %(unit)s để đơn vị sửa và nộp lại.")
            )
            args = {"period": lower_first(submission.period_label), "unit": submission.unit.name}
            messages.success(request, message % args)
            return redirect(submission)
    return render(request, DETAIL, detail_ctx(request, submission, form))
