"""The trend of a report's main figures month by month, and the bar charts that show it.

`trend(unit, period)` cuts the period into months (Period.months(): calendar months, or the
official 15th-to-14th months of Decree 09/2019), or into years when that would be more than
MAX_MONTHS months, and reads each source once: every row is given its bucket by a CASE over
the bucket boundaries and the rows are grouped by bucket. So a month, a year and the twelve
years of «giai đoạn 2012 - 2022» cost the same few queries. Scope is the report's: the unit's
subtree plus the units merged into it (reports.rollup).

Distinct persons are distinct within each bucket: someone met in March and in April counts in
both months, so the months do not add up to the period's figure.

`charts(trend)` lays each series out as a small bar chart (coordinates in an SVG viewBox) so
the template only draws what it is given.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cases.models import Contact
from outreach.models import Activity
from reports.indicators import COMMUNICATION, FIXED
from reports.periods import Period
from wards.models import AdminUnit

MAX_MONTHS = 36
MONTH, YEAR = "month", "year"
COUNSELLING = "casework.counselling"
CODES = ("outreach.sessions", "outreach.participants", "casework.persons_reached", COUNSELLING)
LABELS: dict[str, str | Promise] = {
    "outreach.sessions": FIXED.by_code["outreach.sessions"].label,
    "outreach.participants": FIXED.by_code["outreach.participants"].label,
    "casework.persons_reached": FIXED.by_code["casework.persons_reached"].label,
    COUNSELLING: _("Số lượt tư vấn trực tiếp và gián tiếp"),
}


@dataclass(frozen=True)
class Bucket:
    start: datetime.date
    end: datetime.date
    label: str  # "mm/yyyy" or "yyyy"


@dataclass(frozen=True)
class Series:
    code: str
    label: str | Promise
    values: tuple[int, ...]  # one per bucket


@dataclass(frozen=True)
class Trend:
    period: Period
    by: str  # MONTH or YEAR
    buckets: tuple[Bucket, ...]
    series: tuple[Series, ...]

    def rows(self) -> list[tuple[Bucket, tuple[int, ...]]]:
        """One row per bucket with the value of each series: the chart's data table."""
        return [(b, tuple(s.values[i] for s in self.series)) for i, b in enumerate(self.buckets)]


def buckets(period: Period) -> tuple[str, list[Bucket]]:
    """The period's months, or its years when it has more than MAX_MONTHS months. A year is
    made of the months labelled with it, so with the official cut-off it runs from 15
    December to 14 December, as the period does."""
    months = [Bucket(start, end, label) for start, end, label in period.months()]
    if len(months) <= MAX_MONTHS:
        return MONTH, months
    years: dict[str, Bucket] = {}
    for m in months:
        year = m.label[-4:]
        first = years.get(year, m)
        years[year] = Bucket(first.start, m.end, year)
    return YEAR, list(years.values())


def _bucket(field: str, parts: list[Bucket]) -> Case:
    whens = [
        When(**{f"{field}__gte": b.start, f"{field}__lte": b.end}, then=Value(i))
        for i, b in enumerate(parts)
    ]
    return Case(*whens, default=Value(-1), output_field=IntegerField())


def trend(unit: AdminUnit, period: Period, *, scope: list[int] | None = None) -> Trend:
    """The main figures of `unit` in each month (or year) of `period`: two grouped queries,
    after the scope's (pass `scope`, the unit's scope ids, when already known)."""
    by, parts = buckets(period)
    if scope is None:
        scope = sorted(AdminUnit.objects.scope_ids([unit]))
    span = {"occurred_on__gte": period.start, "occurred_on__lte": period.end}
    values = {code: [0] * len(parts) for code in CODES}

    activities = (
        Activity.objects.filter(unit__in=scope, kind__in=COMMUNICATION, **span)
        .annotate(_bucket=_bucket("occurred_on", parts))
        .order_by()
        .values("_bucket")
        .annotate(sessions=Sum("sessions"), participants=Sum("participants"))
    )
    for row in activities:
        if row["_bucket"] >= 0:
            values["outreach.sessions"][row["_bucket"]] = int(row["sessions"] or 0)
            values["outreach.participants"][row["_bucket"]] = int(row["participants"] or 0)

    K = Contact.Kind
    counselling = Q(kind__in=[K.HOME_VISIT, K.MEETING, K.PHONE, K.VIA_FAMILY])
    contacts = (
        Contact.objects.filter(ward__in=scope, **span)
        .annotate(_bucket=_bucket("occurred_on", parts))
        .order_by()
        .values("_bucket")
        # person_id, never NULL, rather than pk: the covering index holds it, so the scan
        # never reads the table (cases_contact_report_idx)
        .annotate(
            persons=Count("person_id", distinct=True),
            talks=Count("person_id", filter=counselling),
        )
    )
    for row in contacts:
        if row["_bucket"] >= 0:
            values["casework.persons_reached"][row["_bucket"]] = int(row["persons"] or 0)
            values[COUNSELLING][row["_bucket"]] = int(row["talks"] or 0)

    series = tuple(Series(code, LABELS[code], tuple(values[code])) for code in CODES)
    return Trend(period, by, tuple(parts), series)


# Charts -------------------------------------------------------------------------------------

WIDTH, HEIGHT = 360, 168
LEFT, RIGHT, TOP, BOTTOM = 46, 8, 10, 26  # the plot area's margins, in viewBox units
MAX_LABELS = 6


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass(frozen=True)
class Tick:
    position: float  # y for the value axis, x (centre) for the time axis
    text: str | int


@dataclass(frozen=True)
class Chart:
    code: str
    label: str | Promise
    bars: tuple[Bar, ...]
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    highest: Bar | None  # the first bucket with the highest value (None when all are zero)
    lowest: Bar | None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    baseline: int = HEIGHT - BOTTOM


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `value` (≥ 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value and float(step * power).is_integer():
            return int(step * power)
    return 10 * power  # pragma: no cover - the loop always returns


def chart(series: Series, parts: tuple[Bucket, ...]) -> Chart:
    n = max(len(parts), 1)
    top = nice_ceiling(max(series.values, default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / n
    gap = min(slot * 0.25, 6)
    bars = []
    for i, (b, v) in enumerate(zip(parts, series.values, strict=True)):
        h = plot_h * v / top
        bars.append(
            Bar(
                x=round(LEFT + i * slot + gap / 2, 2),
                y=round(TOP + plot_h - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                label=b.label,
                value=v,
            )
        )
    y_ticks = tuple(
        Tick(round(TOP + plot_h - plot_h * f, 2), int(top * f) if top * f == int(top * f) else "")
        for f in (0, 0.5, 1)
    )
    every = math.ceil(n / MAX_LABELS)
    x_ticks = tuple(
        Tick(round(LEFT + (i + 0.5) * slot, 2), _short(b.label, n))
        for i, b in enumerate(parts)
        if i % every == 0
    )
    nonzero = [b for b in bars if b.value]
    return Chart(
        code=series.code,
        label=series.label,
        bars=tuple(bars),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        highest=max(nonzero, key=lambda b: b.value) if nonzero else None,
        lowest=min(bars, key=lambda b: b.value) if nonzero else None,
    )


def _short(label: str, n: int) -> str:
    """«03/2024» is «3/2024» under a bar of six or fewer, «3/24» on a more crowded axis."""
    if len(label) != 7:
        return label
    if n > 6:
        return f"{int(label[:2])}/{label[-2:]}"
    return f"{int(label[:2])}/{label[-4:]}"


def charts(t: Trend) -> list[Chart]:
    return [chart(s, t.buckets) for s in t.series]
