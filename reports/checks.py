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
from reports.indicators import MONEY, catalogue
from reports.periods import Period, month_bounds
from reports.rollup import tally
from wards.models import AdminUnit, Member, Team, holds_on

# A person contacted more often than this in one calendar month (a contact a day and more).
MAX_CONTACTS_A_MONTH = 31
# A figure is far from the same period last year when it is more than YEAR_FACTOR times larger
# or smaller, both being at least YEAR_MIN (3 against 40 says nothing). Ten, not five: a ward's
# quarter moves five to nine times with its campaigns (a pledge drive, a training course, the
# radio season: the demo's teams do all of these), while a digit typed too many or a quarter
# left unentered moves it ten times and more.
YEAR_FACTOR, YEAR_MIN = 10, 10
# A month is far from the unit's usual month (the median of the 12 months before the period)
# when more than MONTH_FACTOR times larger or smaller, the median being at least MONTH_MIN.
# The counts compared (contacts, activities written down) follow the work, not the campaigns,
# so five is enough to show a month left out or entered twice.
MONTH_FACTOR, MONTH_MIN = 5, 5
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
    """Members of the team at the period's end who followed someone throughout the period
    (an assignment holding on its first and its last day) and recorded no contact in it, with
    anyone. A helper assigned during the period has not had the time, and is left out."""
    start, end = ctx.period.start, ctx.period.end
    assigned = Assignment.objects.filter(started_on__lte=start).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=end)
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


def loan_over_cap(ctx: Context) -> tuple[int, dict]:
    """Loans completed in the period above LOAN_CAP (a digit too many, most likely)."""
    cap = f"{LOAN_CAP:,}".replace(",", ".")
    return _completed_loans(ctx).filter(amount__gt=LOAN_CAP).count(), {"cap": cap}


def team_below_size(ctx: Context) -> tuple[int, dict]:
    """Teams of the scope holding on the period's last day with fewer members that day than
    settings.TEAM_SIZE_MIN."""
    end, least = ctx.period.end, settings.TEAM_SIZE_MIN
    small = (
        Team.objects.holding_on(end)
        .filter(ward__in=ctx.scope)
        .with_composition(end)
        .filter(size__lt=least)
        .count()
    )
    return small, {"least": least}


def _far(value: float, usual: float, factor: int) -> bool:
    return value > factor * usual or value * factor < usual


def figure_vs_last_year(ctx: Context) -> tuple[int, dict]:
    """Figures (rows, not «of which» rows) more than YEAR_FACTOR times larger or smaller than
    in the comparison period (`Period.previous`), both at least YEAR_MIN.

    Sums of money are left out: a few loans make them, so they swing with the bank's rounds
    (loan_without_amount and loan_over_cap check the loans themselves). Nothing is compared
    when the unit did not exist yet on the comparison period's first day: a ward formed by a
    merger compares its own team with the several teams of its predecessors, and its leader
    can neither fix nor explain their figures."""
    before = ctx.period.previous()
    if ctx.unit.valid_from is not None and ctx.unit.valid_from > before.start:
        return 0
    labels = []
    for indicator in ctx.catalogue.indicators:
        if indicator.sub or indicator.kind == MONEY:
            continue
        now, then = ctx.values.get(indicator.code, 0), ctx.previous.get(indicator.code, 0)
        if min(now, then) >= YEAR_MIN and _far(now, then, YEAR_FACTOR):
            labels.append(str(indicator.label))
    same = ctx.period.kind in ("month", "quarter", "half", "year")
    return len(labels), {
        "labels": "; ".join(labels),
        "factor": YEAR_FACTOR,
        "before": _("cùng kỳ năm trước") if same else _("kỳ liền trước"),
    }


def _monthly(months, qs, day: str, amount) -> dict[str, int]:
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
    for when, n in rows:
        # a day between two listed months (the part of a month a range starts in) is in none
        label = next((label for start, end, label in months if start <= when <= end), None)
        if label is not None:
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
    # Lines of the notebook, not sessions: one line may record 35 broadcasts.
    (
        _("hoạt động được ghi"),
        lambda ctx: Activity.objects.filter(unit__in=ctx.scope),
        "occurred_on",
        Count("pk"),
    ),
)


def figure_vs_usual_month(ctx: Context) -> tuple[int, dict]:
    """Whole months of the period whose number of contacts or of activities written down is
    more than MONTH_FACTOR times larger or smaller than the median month of the 12 months before,
    the median at least MONTH_MIN. One grouped query per figure."""
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
        figures = _monthly(before + whole, qs(ctx), day, amount)
        usual = statistics.median(figures[label] for _s, _e, label in before)
        if usual < MONTH_MIN:
            continue
        found += [
            _("%(figure)s tháng %(month)s") % {"figure": name, "month": label}
            for _s, _e, label in whole
            if _far(figures[label], usual, MONTH_FACTOR)
        ]
    return len(found), {"items": "; ".join(found), "factor": MONTH_FACTOR}


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
        _(
            "Xem lại ngày tiếp cận hoặc ngày đóng hồ sơ trong hồ sơ của người đó (trang Danh "
            "sách quản lý)."
        ),
    ),
    Rule(
        "contact_before_registered",
        contact_before_registered,
        ngettext_lazy(
            "Có %(n)d lượt tiếp cận ghi ngày trước khi người đó được đưa vào danh sách.",
            "Có %(n)d lượt tiếp cận ghi ngày trước khi người đó được đưa vào danh sách.",
            "n",
        ),
        _(
            "Xem lại ngày tiếp cận hoặc ngày đưa vào danh sách trong hồ sơ của người đó "
            "(trang Danh sách quản lý)."
        ),
    ),
    Rule(
        "figure_vs_last_year",
        figure_vs_last_year,
        ngettext_lazy(
            "%(n)d số liệu chênh lệch hơn %(factor)d lần so với %(before)s: %(labels)s.",
            "%(n)d số liệu chênh lệch hơn %(factor)d lần so với %(before)s: %(labels)s.",
            "n",
        ),
        _(
            "Xem lại các hoạt động và hồ sơ của kỳ này ở trang Hoạt động và trang Danh sách "
            "quản lý; nếu số liệu đúng, hãy giải thích lý do."
        ),
    ),
    Rule(
        "figure_vs_usual_month",
        figure_vs_usual_month,
        ngettext_lazy(
            "%(n)d số liệu tháng chênh lệch hơn %(factor)d lần so với mức thường gặp (trung vị) "
            "của 12 tháng trước: %(items)s.",
            "%(n)d số liệu tháng chênh lệch hơn %(factor)d lần so với mức thường gặp (trung vị) "
            "của 12 tháng trước: %(items)s.",
            "n",
        ),
        _(
            "Xem các lượt tiếp cận, hoạt động của tháng đó: có thể thiếu hoặc nhập trùng; nếu "
            "đúng, hãy giải thích lý do."
        ),
    ),
    Rule(
        "too_many_contacts",
        too_many_contacts,
        ngettext_lazy(
            "%(n)d người được ghi hơn %(most)d lượt tiếp cận trong một tháng.",
            "%(n)d người được ghi hơn %(most)d lượt tiếp cận trong một tháng.",
            "n",
        ),
        _(
            "Có thể một lượt bị nhập nhiều lần: xem các lượt tiếp cận trong hồ sơ của người "
            "đó (trang Danh sách quản lý)."
        ),
    ),
    Rule(
        "activity_duplicates",
        activity_duplicates,
        ngettext_lazy(
            "Có %(n)d hoạt động có thể bị nhập trùng (cùng ngày, cùng loại, cùng nội dung và "
            "số liệu với một dòng khác).",
            "Có %(n)d hoạt động có thể bị nhập trùng (cùng ngày, cùng loại, cùng nội dung và "
            "số liệu với một dòng khác).",
            "n",
        ),
        _("Xóa dòng thừa ở trang Hoạt động; nếu là hai hoạt động thật, ghi rõ nội dung."),
    ),
    Rule(
        "enrollment_overdue",
        enrollment_overdue,
        ngettext_lazy(
            "Có %(n)d lượt tham gia chương trình đã quá ngày dự kiến kết thúc nhưng đến cuối "
            "kỳ vẫn chưa kết thúc.",
            "Có %(n)d lượt tham gia chương trình đã quá ngày dự kiến kết thúc nhưng đến cuối "
            "kỳ vẫn chưa kết thúc.",
            "n",
        ),
        _(
            "Ghi ngày kết thúc trong hồ sơ của người đó (trang Danh sách quản lý); nếu quyết "
            "định kết thúc được ban hành muộn, hãy giải thích."
        ),
    ),
    Rule(
        "helper_without_contact",
        helper_without_contact,
        ngettext_lazy(
            "%(n)d thành viên được phân công giúp đỡ nhưng không có lượt tiếp cận nào trong kỳ.",
            "%(n)d thành viên được phân công giúp đỡ nhưng không có lượt tiếp cận nào trong kỳ.",
            "n",
        ),
        _("Ghi bổ sung lượt tiếp cận đã làm, hoặc phân công lại ở trang Phân công."),
    ),
    Rule(
        "contact_dated_after_entry",
        contact_dated_after_entry,
        ngettext_lazy(
            "Có %(n)d lượt tiếp cận ghi ngày muộn hơn ngày nhập vào hệ thống.",
            "Có %(n)d lượt tiếp cận ghi ngày muộn hơn ngày nhập vào hệ thống.",
            "n",
        ),
        _(
            "Một lượt tiếp cận chỉ được ghi sau khi đã diễn ra: sửa ngày trong hồ sơ của "
            "người đó (trang Danh sách quản lý)."
        ),
    ),
    Rule(
        "caseload_with_departed_helper",
        caseload_with_departed_helper,
        ngettext_lazy(
            "%(n)d người đến cuối kỳ vẫn được phân công cho thành viên đã thôi tham gia Đội.",
            "%(n)d người đến cuối kỳ vẫn được phân công cho thành viên đã thôi tham gia Đội.",
            "n",
        ),
        _("Phân công người giúp đỡ mới ở trang Phân công."),
    ),
    Rule(
        "loan_without_amount",
        loan_without_amount,
        ngettext_lazy(
            "Có %(n)d khoản vay vốn đã hoàn thành trong kỳ nhưng chưa ghi số tiền.",
            "Có %(n)d khoản vay vốn đã hoàn thành trong kỳ nhưng chưa ghi số tiền.",
            "n",
        ),
        _("Ghi số tiền vay ở trang Giới thiệu."),
    ),
    Rule(
        "loan_over_cap",
        loan_over_cap,
        ngettext_lazy(
            "Có %(n)d khoản vay vốn ghi số tiền trên %(cap)s đồng, mức tối đa theo QĐ 08/2026.",
            "Có %(n)d khoản vay vốn ghi số tiền trên %(cap)s đồng, mức tối đa theo QĐ 08/2026.",
            "n",
        ),
        _("Kiểm tra số tiền (có thể thừa một chữ số) ở trang Giới thiệu."),
    ),
    Rule(
        "activity_without_figures",
        activity_without_figures,
        ngettext_lazy(
            "Có %(n)d hoạt động ghi 0 người tham dự hoặc số lượng 0.",
            "Có %(n)d hoạt động ghi 0 người tham dự hoặc số lượng 0.",
            "n",
        ),
        _("Ghi số người tham dự hoặc số lượng ở trang Hoạt động, hoặc xóa dòng không diễn ra."),
    ),
    Rule(
        "team_below_size",
        team_below_size,
        ngettext_lazy(
            "%(n)d Đội có ít hơn %(least)d thành viên vào ngày cuối kỳ.",
            "%(n)d Đội có ít hơn %(least)d thành viên vào ngày cuối kỳ.",
            "n",
        ),
        _("Bổ sung thành viên, hoặc ghi ngày tham gia, ngày thôi cho đúng, ở trang Đội."),
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
