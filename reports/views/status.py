"""Who has submitted: the status board of the units below a district or a province for a
period. Takes the report query string (reports.choice); a unit outside the user's `aggregate`
scope is 404, a ward (nothing below it) is 404.

Only the periods offices file (`Period.reportable`: a month, quarter, half-year or year) are
followed; a multi-year review or a range of dates is answered with a message (400) and a link
to the latest ended quarter.

A commune is expected to report (it counts in «Phải nộp») when it, or a ward merged into it,
had a team holding on the period's last day (`Team.holding_on`), or when it submitted anyway.
The others have not started using the application: they are listed apart, «chưa sử dụng»,
and counted nowhere else. An expected commune's state comes from its latest version for the
period and that version's review: approved, returned, or received — on time or late by its
first version's date against the due date (period end + `REPORT_DUE_DAYS`: a report corrected
after being returned keeps the day it was first filed); without a submission, pending until
the due date and overdue after it.

A province's children after July 2025 are communes: they are grouped by the district most of
their predecessor wards belonged to (reports.grouping.group_children), groups and rows in
Vietnamese order. Before July 2025 they are districts, each with the counts of its wards.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import Choice, PeriodError, choose, default_period, report_units
from reports.grouping import ChildGroup, group_children, vi_key
from reports.models import Review, Submission
from reports.periods import Period, parse
from reports.rollup import layout
from reports.views.submissions import picker_ctx
from wards.models import AdminUnit, Team

STATUS = "reports/submission_status.html"


def _status_units(user):
    return report_units(user).exclude(level=AdminUnit.Level.COMMUNE)


# Who has submitted --------------------------------------------------------------------------

APPROVED, RETURNED, ON_TIME, LATE = "approved", "returned", "on_time", "late"
PENDING, OVERDUE, UNUSED = "pending", "overdue", "unused"


@dataclass
class Counts:
    """The communes of a board, a group or a district row, by state. `expected` is every
    commune but the unused ones; `on_time` + `late` those that submitted (approved and
    returned among them), `pending` + `overdue` those that did not."""

    expected: int = 0
    on_time: int = 0
    late: int = 0
    approved: int = 0
    returned: int = 0
    pending: int = 0
    overdue: int = 0
    unused: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def missing(self) -> int:
        return self.pending + self.overdue

    def add(self, state: str, submitted_late: bool = False) -> None:
        if state == UNUSED:
            self.unused += 1
            return
        self.expected += 1
        if state in (PENDING, OVERDUE):
            setattr(self, state, getattr(self, state) + 1)
            return
        if submitted_late:
            self.late += 1
        else:
            self.on_time += 1
        if state in (APPROVED, RETURNED):
            setattr(self, state, getattr(self, state) + 1)

    def merge(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class StatusRow:
    unit: AdminUnit
    state: str = ""  # one of the states above; "" for a unit above wards (see `wards`)
    submission: Submission | None = None  # the latest version
    review: Review | None = None  # the latest version's review
    first_at: datetime.datetime | None = None  # when the first version was submitted
    submitted_late: bool = False
    wards: Counts | None = None  # a district among a province's children: its wards
    url: str = ""  # that district's own status page

    @property
    def unused(self) -> bool:
        return self.state == UNUSED or (self.wards is not None and not self.wards.expected)


@dataclass
class Group:
    district: AdminUnit | None  # the former district; None: the board's only group, or none
    rows: list[StatusRow] = field(default_factory=list)  # the expected units
    unused: list[StatusRow] = field(default_factory=list)  # the units not using the app yet
    counts: Counts = field(default_factory=Counts)


@dataclass
class Board:
    groups: list[Group]
    counts: Counts = field(default_factory=Counts)
    due: datetime.date | None = None
    grouped: bool = False  # the groups are former districts (headed on the page)
    # the names of the communes (any level below) per state, in Vietnamese order
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def rows(self) -> list[StatusRow]:
        return [row for g in self.groups for row in (*g.rows, *g.unused)]


def due_date(period: Period) -> datetime.date:
    return period.end + datetime.timedelta(days=settings.REPORT_DUE_DAYS)


def status_board(unit: AdminUnit, period: Period, today: datetime.date) -> Board:
    """Each child unit of `unit` during `period` (reports.rollup.layout) with its state; a
    child above ward level (a district of a province before July 2025) with the counts of its
    wards. A constant number of queries, whatever the number of units."""
    lay = layout(unit, period)
    due = due_date(period)
    rows = {c.pk: StatusRow(c) for c in lay.children}
    units = AdminUnit.objects.filter(pk__in=lay.scope).values_list(
        "pk", "successor_id", "level", "name", "valid_from", "valid_until"
    )
    successors: dict[int, int] = {}
    scope: dict[int, tuple[str, str]] = {}  # the units of the period: level, name
    for pk, successor, level, name, start, end in units:
        if successor is not None:
            successors[pk] = successor
        if (start is None or start <= period.end) and (end is None or end >= period.start):
            scope[pk] = (level, name)
    # The communes that report: the commune children, and the wards of the children above
    # ward level that existed during the period.
    below: dict[int, int] = {}  # a ward under a child above ward level -> that child
    for pk, (level, _name) in scope.items():
        child = lay.child_of.get(pk)
        # (a ward merged into a commune child is not one: its successor reports for it)
        if (
            level == AdminUnit.Level.COMMUNE
            and pk not in rows
            and child in rows
            and not rows[child].unit.is_commune
        ):
            below[pk] = child
    reporting = {pk for pk, row in rows.items() if row.unit.is_commune} | set(below)
    expected: set[int] = set()
    team_wards = Team.objects.holding_on(period.end).filter(ward_id__in=lay.scope)
    for ward_id in team_wards.values_list("ward_id", flat=True):
        seen: set[int] = set()
        while ward_id is not None and ward_id not in reporting and ward_id not in seen:
            seen.add(ward_id)
            ward_id = successors.get(ward_id)
        if ward_id in reporting:
            expected.add(ward_id)
    versions: dict[int, list[Submission]] = {}
    for s in (
        Submission.objects.for_period(period)
        .filter(unit_id__in=reporting)
        .select_related("submitted_by", "review")
        .defer(
            "figures",
            "narrative",
            "evaluation",
            "next_tasks",
            "recommendations",
            "proposals",
            "recipients",
            "checks",
        )
        .order_by("unit_id", "version")
    ):
        versions.setdefault(s.unit_id, []).append(s)
    expected |= set(versions)  # a unit that submitted is using the application

    def state_of(pk: int) -> tuple[str, Submission | None, Review | None, datetime.datetime | None]:
        if pk not in expected:
            return UNUSED, None, None, None
        mine = versions.get(pk)
        if not mine:
            return (OVERDUE if today > due else PENDING), None, None, None
        latest = mine[-1]
        review = getattr(latest, "review", None)
        if review is not None:
            state = APPROVED if review.decision == Review.Decision.APPROVED else RETURNED
        else:
            state = ON_TIME
        return state, latest, review, mine[0].submitted_at

    board = Board([], due=due)
    names: dict[str, list[str]] = {}
    for row in rows.values():
        if row.unit.is_commune:
            row.state, row.submission, row.review, row.first_at = state_of(row.unit.pk)
            row.submitted_late = row.first_at is not None and timezone.localdate(row.first_at) > due
            if row.state == ON_TIME and row.submitted_late:
                row.state = LATE
            names.setdefault(row.state, []).append(row.unit.name)
        else:
            row.wards = Counts()
            row.url = f"{reverse('reports:submission_status')}?{Choice(row.unit, period).query()}"
    for ward_id, child_id in below.items():
        state, _latest, _review, first_at = state_of(ward_id)
        late = first_at is not None and timezone.localdate(first_at) > due
        if state == ON_TIME and late:
            state = LATE
        rows[child_id].wards.add(state, late)
        names.setdefault(state, []).append(scope[ward_id][1])
    board.names = {state: sorted(ns, key=vi_key) for state, ns in names.items()}

    # a province's communes by former district (a district's wards are not regrouped)
    children = [row.unit for row in rows.values()]
    if unit.level == AdminUnit.Level.PROVINCE:
        parts = group_children(children, period)
    else:
        parts = [ChildGroup(None, sorted(children, key=lambda u: (vi_key(u.name), u.code)))]
    board.grouped = any(part.district is not None for part in parts)
    board.groups = []
    for part in parts:
        group = Group(part.district)
        for child in part.children:
            row = rows[child.pk]
            (group.unused if row.unused else group.rows).append(row)
            if row.wards is not None:
                group.counts.merge(row.wards)
            else:
                group.counts.add(row.state, row.submitted_late)
        board.groups.append(group)
    for group in board.groups:
        board.counts.merge(group.counts)
    return board


# The page -----------------------------------------------------------------------------------


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
    units = _status_units(request.user)
    if not period.reportable:
        instead = Choice(unit, parse(default_period(unit=unit), period.cutoff))
        ctx = {
            "choice": choice,
            "error": _("Tình hình nộp chỉ theo dõi cho kỳ tháng, quý, 6 tháng và năm."),
            "instead_url": f"{reverse('reports:submission_status')}?{instead.query()}",
            "instead_label": instead.period.label,
            **picker_ctx(request, units, instead),
        }
        return render(request, STATUS, ctx, status=400)
    today = timezone.localdate()
    ctx = {
        "choice": choice,
        "board": status_board(unit, period, today),
        "running": period.end >= today,
        "report_url": f"{reverse('reports:report')}?{choice.query()}",
        **picker_ctx(request, units, choice),
    }
    return render(request, STATUS, ctx)
