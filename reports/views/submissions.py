"""Report submissions: a ward submits its period report, a supervisor follows which units
have submitted, and anyone with the unit's figures opens a submitted report.

Every page takes the report query string (reports.choice: `don-vi`, `ky`, `cach-tinh`); a
unit outside the user's `aggregate` scope is 404. Submitting needs `report_submit` over the
unit (403 otherwise). Submissions show the submitter's name (a team member or an officer) and
figures, never a supervised person's name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import CUTOFF, PERIOD, UNIT, Choice, PeriodError, choose
from reports.forms import SubmissionForm
from reports.indicators import MONEY, Catalogue, Indicator, Section, catalogue
from reports.models import Submission
from reports.narrative import write
from reports.periods import CALENDAR, Period, parse
from reports.report import build
from reports.rollup import tally
from reports.services import check_submittable, fingerprint, freeze, submission_submit
from wards.access import access_for
from wards.forms import add_service_errors
from wards.models import AdminUnit
from wards.once import AlreadySubmitted, already_saved, submit_once, was_submitted

ADD, DETAIL = (
    "reports/submission_add.html",
    "reports/submission_detail.html",
)
SEEN = "so-lieu"  # the form's hidden field: the fingerprint of the figures shown


# Figures as a compact table ----------------------------------------------------------------


Figure = int | Decimal | None  # None: not in the snapshot (an indicator added since)
MILLION = Decimal(1_000_000)


def shown(indicator: Indicator, value: int | None) -> Figure:
    """A figure as the tables show it: money in triệu đồng (INDICATORS.md), 112,5."""
    if value is None or indicator.kind != MONEY:
        return value
    amount = (Decimal(value) / MILLION).quantize(Decimal("0.01"))
    return (
        amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else amount.normalize()
    )


@dataclass(frozen=True)
class FigureRow:
    indicator: Indicator
    value: Figure
    children: tuple[Figure, ...]
    previous: Figure


@dataclass(frozen=True)
class DifferenceRow:
    indicator: Indicator
    submitted: Figure
    current: Figure
    change: Figure


@dataclass(frozen=True)
class FigureSection:
    section: Section
    rows: tuple[FigureRow, ...]


def figures_ctx(figures: dict, cat: Catalogue) -> dict:
    """A snapshot (reports.report.as_json) laid out by the sections of `cat`: a figure the
    snapshot lacks (an indicator added since) is None, shown as «—»."""
    values = figures.get("indicators", {})
    previous = figures.get("previous", {})
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
                    value=shown(i, values.get(i.code)),
                    children=tuple(shown(i, v.get(i.code)) for v in children.values()),
                    previous=shown(i, previous.get("indicators", {}).get(i.code)),
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


# Submitting ---------------------------------------------------------------------------------


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
    existing = Submission.objects.for_period(period).filter(unit=unit).first()
    if existing is not None and request.method == "POST" and was_submitted(request):
        already_saved(request)  # «Nộp» tapped twice: the first made the submission
        return redirect(existing)
    try:
        check_submittable(unit, period)
    except ValidationError as error:
        ctx["refused"] = error.messages[0]
    if existing is not None or "refused" in ctx:
        return render(request, ADD, {**ctx, "existing": existing})
    form = SubmissionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and (submission := _submit(request, form, unit, period)):
        message = _("Đã nộp báo cáo %(period)s của %(unit)s.")
        messages.success(request, message % {"period": period.label, "unit": unit.name})
        return redirect(submission)
    report = build(unit, period)
    figures = freeze(report)
    if not form.is_bound:
        form = SubmissionForm(initial={"narrative": write(report.values, period, report.catalogue)})
    ctx.update(
        form=form,
        seen=fingerprint(figures),
        seen_name=SEEN,
        **figures_ctx(figures, report.catalogue),
    )
    return render(request, ADD, ctx)


def _submit(
    request: HttpRequest, form: SubmissionForm, unit: AdminUnit, period: Period
) -> Submission | None:
    """The submission, or None with the reasons on the form."""
    if not form.is_valid():
        return None
    try:
        return submit_once(
            request,
            lambda: submission_submit(
                actor=request.user,
                unit=unit,
                period=period,
                narrative=form.cleaned_data["narrative"],
                seen=request.POST.get(SEEN, ""),
            ),
        )
    except AlreadySubmitted:
        # the first submission of this form is not committed yet, or was for another period
        already_saved(request)
        return Submission.objects.for_period(period).filter(unit=unit).first()
    except ValidationError as error:
        add_service_errors(form, error)
        return None


# A submitted report -------------------------------------------------------------------------


@require_safe
@never_cache
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submissions = Submission.objects.visible_to(request.user).select_related(
        "unit__parent", "submitted_by"
    )
    submission = get_object_or_404(submissions, pk=pk)
    unit = submission.unit
    cat = catalogue()
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
    ctx = {
        "submission": submission,
        "differences": differences,
        "compared": period is not None,
        "submitted_late": timezone.localdate(submission.submitted_at) > due,
        **figures_ctx(submission.figures, cat),
    }
    if period is not None:
        ctx["report_query"] = Choice(unit, period).query()
        if unit.parent_id and access_for(request.user).can("aggregate", unit.parent_id):
            ctx["status_query"] = Choice(unit.parent, period).query()
    return render(request, DETAIL, ctx)
