"""The checks a leader runs before submitting a period report («Kiểm tra trước khi nộp»).

`run(unit, period)` reads the unit's records of the period (its scope: `AdminUnit.objects.
scope_ids([unit])`, merged predecessors included; each record counts where it happened) and
returns a `Finding` for each rule of `RULES` that finds something, in the order of `RULES`:
records that contradict each other (a contact after the file was closed), that look entered
twice or left unfinished, and figures far from the same period last year or from the unit's
usual month. Each finding says how many records or figures it concerns and where to fix
them; none names a supervised person, so a supervisor may read it.

A rule is one query (the figure rules read the report's figures, computed once when the
caller does not pass them), so the number of queries never depends on the number of rows.
The checks only read.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cases.models import Assignment, Contact, Enrollment
from outreach.models import Activity, Referral
from reports.indicators import COMMUNICATION, catalogue
from reports.periods import Period, month_bounds
from reports.rollup import tally
from wards.models import AdminUnit, Member, Team, holds_on

# A person contacted more often than this in one calendar month (a contact a day and more).
MAX_CONTACTS_A_MONTH = 31
# A figure is far from another when it is more than this many times larger or smaller.
FACTOR = 5
# Figures compared with last year or with the usual month only when both are at least this:
# 1 against 6 says nothing.
MIN_FIGURE = 5
# The largest loan a referral may record: 200 million đồng (QĐ 08/2026).
LOAN_CAP = 200_000_000


@dataclass(frozen=True)
class Finding:
    code: str  # stable rule code, e.g. "attendance_below_persons"
    text: str  # one plain-Vietnamese sentence with the counts; never a supervised person's name
    count: int  # how many records or figures it concerns (> 0)
    hint: str = ""  # what to do: where to fix it, plain Vietnamese (may be "")


@dataclass
class Context:
    """What the rules read: the unit's scope, the period and, on demand, the figures."""

    unit: AdminUnit
    period: Period
    scope: list[int]
    given_values: dict[str, int] | None = None
    given_previous: dict[str, int] | None = None

    @cached_property
    def catalogue(self):
        return catalogue()

    @cached_property
    def values(self) -> dict[str, int]:
        if self.given_values is not None:
            return self.given_values
        return tally(self.unit, self.period, children=False, cat=self.catalogue).values

    @cached_property
    def previous(self) -> dict[str, int]:
        if self.given_previous is not None:
            return self.given_previous
        before = self.period.previous()
        return tally(self.unit, before, children=False, cat=self.catalogue).values

    def during(self, name: str) -> Q:
        """`name` (a date field) falls within the period, both ends included."""
        return Q(**{f"{name}__gte": self.period.start, f"{name}__lte": self.period.end})


# What a rule's check returns: how many, and what else its text needs (e.g. the labels).
Outcome = int | tuple[int, dict]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[Context], Outcome]
    text: Promise  # an ngettext_lazy keyed on "n"; the other placeholders come from the check
    hint: Promise | str = ""

    def finding(self, ctx: Context) -> Finding | None:
        outcome = self.check(ctx)
        count, extra = outcome if isinstance(outcome, tuple) else (outcome, {})
        if not count:
            return None
        return Finding(self.code, str(self.text % {"n": count, **extra}), count, str(self.hint))


# -- the rules' checks: one query each -------------------------------------------------------


def _activities(ctx: Context):
    return Activity.objects.filter(ctx.during("occurred_on"), unit__in=ctx.scope)


def _contacts(ctx: Context):
    return Contact.objects.filter(ctx.during("occurred_on"), ward__in=ctx.scope)


def attendance_below_persons(ctx: Context) -> int:
    """Activities whose attendance is smaller than the supervised persons marked present."""
    return (
        _activities(ctx)
        .filter(participants__isnull=False)
        .annotate(_persons=Count("persons"))
        .filter(participants__lt=F("_persons"))
        .count()
    )


def contact_after_closed(ctx: Context) -> int:
    """Contacts dated after the person's file was closed (`closed_on` is its last day)."""
    return _contacts(ctx).filter(occurred_on__gt=F("person__closed_on")).count()


def contact_before_registered(ctx: Context) -> int:
    """Contacts dated before the person was put on the register."""
    return _contacts(ctx).filter(occurred_on__lt=F("person__registered_on")).count()


def contact_dated_after_entry(ctx: Context) -> int:
    """Contacts dated later than the day they were written down (a visit cannot be recorded
    before it happened), in the local time zone."""
    return _contacts(ctx).filter(occurred_on__gt=TruncDate("created_at")).count()


def too_many_contacts(ctx: Context) -> tuple[int, dict]:
    """Persons with more than MAX_CONTACTS_A_MONTH contacts in one calendar month."""
    rows = (
        _contacts(ctx)
        .annotate(_month=TruncMonth("occurred_on"))
        .values("person_id", "_month")
        .annotate(_n=Count("pk"))
        .filter(_n__gt=MAX_CONTACTS_A_MONTH)
        .values_list("person_id", flat=True)
    )
    return len(set(rows)), {"most": MAX_CONTACTS_A_MONTH}


DUPLICATE_FIELDS = (
    "unit_id",
    "occurred_on",
    "kind",
    "title",
    "sessions",
    "participants",
    "items",
    "minutes",
    "place",
)


def activity_duplicates(ctx: Context) -> int:
    """Activities that repeat another one: the same unit, day, kind, title, place and
    figures. Counts the extra copies (two identical lines are one too many)."""
    groups = (
        _activities(ctx)
        .order_by()
        .values(*DUPLICATE_FIELDS)
        .annotate(_n=Count("pk"))
        .filter(_n__gt=1)
        .aggregate(extra=Coalesce(Sum(F("_n") - 1), 0))
    )
    return int(groups["extra"])


def _required_figure(name: str) -> list[str]:
    return [kind for kind, figures in Activity.FIELDS.items() if name in figures.required]


def activity_without_figures(ctx: Context) -> int:
    """Activities whose kind needs an attendance or a number of items and record 0."""
    zero_people = Q(kind__in=_required_figure("participants"), participants=0)
    zero_items = Q(kind__in=_required_figure("items"), items=0)
    return _activities(ctx).filter(zero_people | zero_items).count()


def enrollment_overdue(ctx: Context) -> int:
    """Enrolments still running at the period's end though their due date had passed."""
    end = ctx.period.end
    return (
        Enrollment.objects.filter(ward__in=ctx.scope, due_on__lt=end).filter(holds_on(end)).count()
    )


def helper_without_contact(ctx: Context) -> int:
    """Members who helped someone during the period (an assignment holding on one of its
    days) and were still in the team at its end, with no contact recorded in the period."""
    start, end = ctx.period.start, ctx.period.end
    assigned = Assignment.objects.filter(started_on__lte=end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=start)
    )
    met = Contact.objects.filter(ctx.during("occurred_on"), member__isnull=False)
    return (
        Member.objects.holding_on(end)
        .filter(team__ward__in=ctx.scope, pk__in=assigned.values("member_id"))
        .exclude(pk__in=met.values("member_id"))
        .count()
    )


def caseload_with_departed_helper(ctx: Context) -> int:
    """Persons whose assignment holding on the period's end names a member no longer in the
    team that day (left, or the team dissolved)."""
    end = ctx.period.end
    gone = Q(member__left_on__lt=end) | Q(member__team__dissolved_on__lt=end)
    return (
        Assignment.objects.holding_on(end)
        .filter(gone, member__team__ward__in=ctx.scope)
        .values("person_id")
        .distinct()
        .count()
    )


def _completed_loans(ctx: Context):
    return Referral.objects.filter(
        ctx.during("status_on"),
        ward__in=ctx.scope,
        kind=Referral.Kind.LOAN,
        status=Referral.Status.COMPLETED,
    )


def loan_without_amount(ctx: Context) -> int:
    """Loans completed in the period with no amount (support.loan_amount misses them)."""
    return _completed_loans(ctx).filter(Q(amount__isnull=True) | Q(amount=0)).count()


def loan_over_cap(ctx: Context) -> int:
    """Loans completed in the period above LOAN_CAP (a digit too many, most likely)."""
    return _completed_loans(ctx).filter(amount__gt=LOAN_CAP).count()


def team_below_size(ctx: Context) -> int:
    """Teams of the scope holding on the period's last day with fewer members that day than
    settings.TEAM_SIZE_MIN."""
    end = ctx.period.end
    return (
        Team.objects.holding_on(end)
        .filter(ward__in=ctx.scope)
        .with_composition(end)
        .filter(size__lt=settings.TEAM_SIZE_MIN)
        .count()
    )


def _far(value: int, usual: float) -> bool:
    return value > FACTOR * usual or value * FACTOR < usual


def figure_vs_last_year(ctx: Context) -> tuple[int, dict]:
    """Figures (rows, not «of which» rows) more than FACTOR times larger or smaller than the
    same period last year, both at least MIN_FIGURE."""
    labels = []
    for indicator in ctx.catalogue.indicators:
        if indicator.sub:
            continue
        now, before = ctx.values.get(indicator.code, 0), ctx.previous.get(indicator.code, 0)
        if min(now, before) >= MIN_FIGURE and _far(now, before):
            labels.append(str(indicator.label))
    return len(labels), {"labels": "; ".join(labels)}


def _monthly(ctx: Context, months, qs, day: str, amount) -> dict[str, int]:
    """`amount` of `qs` per month of `months` ((start, end, "mm/yyyy")), read as one grouped
    query by day: at most one row a day, whatever the number of records."""
    first, last = months[0][0], months[-1][1]
    rows = (
        qs.filter(**{f"{day}__gte": first, f"{day}__lte": last})
        .order_by()
        .values(day)
        .annotate(_n=amount)
        .values_list(day, "_n")
    )
    out = {label: 0 for _s, _e, label in months}
    ends = [(end, label) for _s, end, label in months]
    for when, n in rows:
        label = next(label for end, label in ends if when <= end)
        out[label] += n or 0
    return out


def _months_before(period: Period, count: int) -> list[tuple[datetime.date, datetime.date, str]]:
    """The `count` whole months before the period's first month, oldest first."""
    cutoff = period.cutoff if period.kind != "range" else ""
    out = []
    year, month = period.start.year, period.start.month
    if month_bounds(year, month, cutoff)[0] != period.start and cutoff:
        # An official month starting on the 15th is the next calendar month's.
        month, year = (1, year + 1) if month == 12 else (month + 1, year)
    for _i in range(count):
        month, year = (12, year - 1) if month == 1 else (month - 1, year)
        start, end = month_bounds(year, month, cutoff)
        out.append((start, end, f"{month:02d}/{year}"))
    return out[::-1]


MONTHLY_FIGURES = (
    (
        _("lượt tiếp cận, giúp đỡ"),
        lambda ctx: Contact.objects.filter(ward__in=ctx.scope),
        "occurred_on",
        Count("pk"),
    ),
    (
        _("cuộc tuyên truyền"),
        lambda ctx: Activity.objects.filter(unit__in=ctx.scope, kind__in=COMMUNICATION),
        "occurred_on",
        Sum("sessions"),
    ),
)


def figure_vs_usual_month(ctx: Context) -> tuple[int, dict]:
    """Whole months of the period whose number of contacts or of communication sessions is
    more than FACTOR times larger or smaller than the median month of the 12 months before,
    the median at least MIN_FIGURE. One grouped query per figure."""
    cutoff = ctx.period.cutoff if ctx.period.kind != "range" else ""
    whole = [
        (s, e, label)
        for s, e, label in ctx.period.months()
        if (s, e) == month_bounds(int(label[3:]), int(label[:2]), cutoff)
    ]
    if not whole:
        return 0, {}
    before = _months_before(ctx.period, 12)
    found = []
    for name, qs, day, amount in MONTHLY_FIGURES:
        figures = _monthly(ctx, before + whole, qs(ctx), day, amount)
        usual = statistics.median(figures[label] for _s, _e, label in before)
        if usual < MIN_FIGURE:
            continue
        found += [f"{name} {label}" for _s, _e, label in whole if _far(figures[label], usual)]
    return len(found), {"items": "; ".join(found)}


RULES: tuple[Rule, ...] = (
    Rule(
        "attendance_below_persons",
        attendance_below_persons,
        ngettext_lazy(
            "Có %(n)d hoạt động ghi số người tham dự ít hơn số người được hỗ trợ đã chọn là có "
            "mặt.",
            "Có %(n)d hoạt động ghi số người tham dự ít hơn số người được hỗ trợ đã chọn là có "
            "mặt.",
            "n",
        ),
        _("Sửa số người tham dự hoặc danh sách người có mặt ở trang Hoạt động."),
    ),
    Rule(
        "contact_after_closed",
        contact_after_closed,
        ngettext_lazy(
            "Có %(n)d lượt tiếp cận ghi ngày sau khi hồ sơ của người đó đã đóng.",
            "Có %(n)d lượt tiếp cận ghi ngày sau khi hồ sơ của người đó đã đóng.",
            "n",
        ),
        _("Xem lại ngày tiếp cận hoặc ngày đóng hồ sơ ở trang Hồ sơ."),
    ),
    Rule(
        "contact_before_registered",
        contact_before_registered,
        ngettext_lazy(
            "Có %(n)d lượt tiếp cận ghi ngày trước khi người đó được đưa vào danh sách.",
            "Có %(n)d lượt tiếp cận ghi ngày trước khi người đó được đưa vào danh sách.",
            "n",
        ),
        _("Xem lại ngày tiếp cận hoặc ngày đưa vào danh sách ở trang Hồ sơ."),
    ),
    Rule(
        "contact_dated_after_entry",
        contact_dated_after_entry,
        ngettext_lazy(
            "Có %(n)d lượt tiếp cận ghi ngày muộn hơn ngày nhập vào hệ thống.",
            "Có %(n)d lượt tiếp cận ghi ngày muộn hơn ngày nhập vào hệ thống.",
            "n",
        ),
        _("Một lượt tiếp cận chỉ ghi sau khi đã diễn ra: sửa ngày ở trang Hồ sơ."),
    ),
    Rule(
        "too_many_contacts",
        too_many_contacts,
        ngettext_lazy(
            "%(n)d người được ghi hơn %(most)d lượt tiếp cận trong một tháng.",
            "%(n)d người được ghi hơn %(most)d lượt tiếp cận trong một tháng.",
            "n",
        ),
        _("Có thể một lượt bị nhập nhiều lần: xem nhật ký tiếp cận ở trang Hồ sơ."),
    ),
)


def run(
    unit: AdminUnit,
    period: Period,
    *,
    values: dict[str, int] | None = None,
    previous: dict[str, int] | None = None,
) -> list[Finding]:
    """The findings of every rule of `RULES` on `unit`'s records of `period`, in rule order;
    [] when all is clean. `values` and `previous` are the report's figures for the period and
    for `period.previous()` (reports.report.build(...).values and .previous), computed here
    when not given."""
    ctx = Context(unit, period, sorted(AdminUnit.objects.scope_ids([unit])), values, previous)
    return [f for rule in RULES if (f := rule.finding(ctx)) is not None]
