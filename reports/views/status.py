"""Who has submitted: the status board of the units below a district or a province for a
period. Takes the report query string (reports.choice); a unit outside the user's `aggregate`
scope is 404, a ward (nothing below it) is 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import Choice, PeriodError, choose, report_units
from reports.models import Submission
from reports.periods import Period
from reports.rollup import layout
from reports.views.submissions import picker_ctx
from wards.models import AdminUnit

STATUS = "reports/submission_status.html"


def _status_units(user):
    return report_units(user).exclude(level=AdminUnit.Level.COMMUNE)


# Who has submitted --------------------------------------------------------------------------

SUBMITTED, LATE, PENDING = "submitted", "late", "pending"


@dataclass
class Counts:
    submitted: int = 0
    late: int = 0
    pending: int = 0

    @property
    def total(self) -> int:
        return self.submitted + self.late + self.pending

    def add(self, state: str) -> None:
        setattr(self, state, getattr(self, state) + 1)


@dataclass
class StatusRow:
    unit: AdminUnit
    state: str = ""  # SUBMITTED, LATE or PENDING; "" for a unit above wards (see `wards`)
    submission: Submission | None = None
    submitted_late: bool = False
    wards: Counts | None = None  # a district among a province's children: its wards
    url: str = ""  # that district's own status page


@dataclass
class Board:
    rows: list[StatusRow]
    counts: Counts = field(default_factory=Counts)
    due: datetime.date | None = None


def status_board(unit: AdminUnit, period: Period, today: datetime.date) -> Board:
    """Each child unit of `unit` during `period` (reports.rollup.layout) with its submission;
    a child above ward level (a district of a province before July 2025) with the counts of
    its wards. A constant number of queries, whatever the number of units."""
    lay = layout(unit, period)
    due = period.end + datetime.timedelta(days=settings.REPORT_DUE_DAYS)
    rows = {c.pk: StatusRow(c) for c in lay.children}
    below: dict[int, int] = {}  # a ward under a child above ward level -> that child
    if any(not c.is_commune for c in lay.children):
        wards = AdminUnit.objects.wards().filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
            Q(valid_until__isnull=True) | Q(valid_until__gte=period.start),
            pk__in=lay.scope,
        )
        for ward_id in wards.exclude(pk__in=list(rows)).values_list("pk", flat=True):
            if lay.child_of.get(ward_id) in rows:
                below[ward_id] = lay.child_of[ward_id]
    submissions = {
        s.unit_id: s
        for s in Submission.objects.for_period(period)
        .filter(unit_id__in=[*rows, *below])
        .select_related("submitted_by")
    }
    board = Board(list(rows.values()), due=due)
    for row in board.rows:
        row.submission = submissions.get(row.unit.pk)
        if row.submission is not None:
            row.submitted_late = timezone.localdate(row.submission.submitted_at) > due
        if row.unit.is_commune:
            row.state = _state(row.submission, due, today)
            board.counts.add(row.state)
        else:
            row.wards = Counts()
            query = Choice(row.unit, period).query()
            row.url = f"{reverse('reports:submission_status')}?{query}"
    for ward_id, child_id in below.items():
        state = _state(submissions.get(ward_id), due, today)
        rows[child_id].wards.add(state)
        board.counts.add(state)
    return board


def _state(submission: Submission | None, due: datetime.date, today: datetime.date) -> str:
    if submission is not None:
        return SUBMITTED
    return LATE if today > due else PENDING


@require_safe
@never_cache
def submission_status(request: HttpRequest) -> HttpResponse:
    try:
        choice = choose(request)
    except PeriodError as error:
        ctx = {"error": str(error), **picker_ctx(request, _status_units(request.user), None)}
        return render(request, STATUS, ctx, status=400)
    unit, period = choice.unit, choice.period
    if unit.is_commune:
        raise Http404  # a ward has no units below it to follow
    today = timezone.localdate()
    ctx = {
        "choice": choice,
        "board": status_board(unit, period, today),
        "running": period.end >= today,
        **picker_ctx(request, _status_units(request.user), choice),
    }
    return render(request, STATUS, ctx)
