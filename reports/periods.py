"""Report periods: parsing, Vietnamese labels, the official cut-off and the comparison period.

Specs (DESIGN.md, Commands): `2024-03`, `2024-Q2`, `2024-H1`, `2024-H2`, `2024`, `2012..2022`,
`2024-01-15..2024-06-14`. Both ends are inclusive.

With the official cut-off (Decree 09/2019/NĐ-CP) a month runs from the 15th of the previous
month to the 14th; a quarter from the 15th of the month before the quarter to the 14th of its
last month; the first half-year from 15 December of the previous year to 14 June, the second
from 15 June to 14 December; a year from 15 December of the previous year to 14 December.
A custom range is what it says, whatever the cut-off.

The comparison period is the same period one year earlier («cùng kỳ năm trước») for months,
quarters, half-years and years, and the range of the same length just before for multi-year
and custom ranges.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

CALENDAR, OFFICIAL = "calendar", "official"
CUTOFFS = (CALENDAR, OFFICIAL)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
REPORTABLE = ("month", "quarter", "half", "year")  # the kinds offices submit


class PeriodError(ValueError):
    """A period spec that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, half, year, years, range
    spec: str
    start: datetime.date
    end: datetime.date
    cutoff: str = CALENDAR
    year: int = 0
    number: int = 0  # the month, quarter or half
    last_year: int = 0  # for `years`

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng %(month)s năm %(year)s") % {"month": self.number, "year": self.year}
        if self.kind == "quarter":
            return _("Quý %(q)s năm %(year)s") % {"q": ROMAN[self.number], "year": self.year}
        if self.kind == "half":
            if self.number == 1:
                return _("6 tháng đầu năm %(year)s") % {"year": self.year}
            return _("6 tháng cuối năm %(year)s") % {"year": self.year}
        if self.kind == "year":
            return _("Năm %(year)s") % {"year": self.year}
        if self.kind == "years":
            return _("Giai đoạn %(first)s - %(last)s") % {
                "first": self.year,
                "last": self.last_year,
            }
        return _("Từ ngày %(start)s đến ngày %(end)s") % {
            "start": self.start.strftime("%d/%m/%Y"),
            "end": self.end.strftime("%d/%m/%Y"),
        }

    @property
    def label_vi(self) -> str:
        """The label as filed, in Vietnamese whatever the interface language."""
        with translation.override("vi"):
            return str(self.label)

    @property
    def reportable(self) -> bool:
        """A period offices file a report for (a month, quarter, half-year or year), and so
        one whose submissions are followed; not a multi-year review or a range of dates."""
        return self.kind in REPORTABLE

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The comparison period (see the module's docstring)."""
        if self.kind in ("month", "quarter", "half", "year"):
            spec = re.sub(r"^\d{4}", str(self.year - 1), self.spec)
            return parse(spec, self.cutoff, earliest=1)
        if self.kind == "years":
            span = self.last_year - self.year + 1
            return parse(f"{self.year - span}..{self.year - 1}", self.cutoff, earliest=1)
        end = self.start - datetime.timedelta(days=1)
        start = end - datetime.timedelta(days=self.days - 1)
        return parse(f"{start.isoformat()}..{end.isoformat()}", self.cutoff, earliest=1)

    def months(self) -> list[tuple[datetime.date, datetime.date, str]]:
        """The period cut into calendar months (or official-cut-off months), for a trend:
        (start, end, "mm/yyyy"), clipped to the period."""
        out = []
        year, month = self.start.year, self.start.month
        if self.cutoff == OFFICIAL and self.kind != "range" and self.start.day == 15:
            year, month = _next_month(year, month)
        while True:
            first, last = month_bounds(year, month, self.cutoff if self.kind != "range" else "")
            if first > self.end:
                break
            out.append((max(first, self.start), min(last, self.end), f"{month:02d}/{year}"))
            year, month = _next_month(year, month)
        return out


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _prev_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_bounds(year: int, month: int, cutoff: str) -> tuple[datetime.date, datetime.date]:
    if cutoff == OFFICIAL:
        py, pm = _prev_month(year, month)
        return datetime.date(py, pm, 15), datetime.date(year, month, 14)
    last = calendar.monthrange(year, month)[1]
    return datetime.date(year, month, 1), datetime.date(year, month, last)


def _span(year: int, first_month: int, last_month: int, cutoff: str):
    start, _end = month_bounds(year, first_month, cutoff)
    _start, end = month_bounds(year, last_month, cutoff)
    return start, end


def _year(text: str, earliest: int = 1990) -> int:
    year = int(text)
    if not earliest <= year <= 2100:
        raise PeriodError(_("Năm %(year)s nằm ngoài khoảng 1990 – 2100.") % {"year": year})
    return year


def _date(text: str, earliest: int = 1990) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise PeriodError(
            _("Ngày «%(text)s» không hợp lệ; hãy viết theo dạng năm-tháng-ngày, ví dụ 2024-01-15.")
            % {"text": text}
        ) from None
    _year(str(day.year), earliest)  # as for years: 0001-01-01..9999-12-31 overflowed
    return day


def parse(spec: str, cutoff: str = CALENDAR, *, earliest: int = 1990) -> Period:
    """A Period from its spec; PeriodError (with a Vietnamese message) when unreadable.

    Years run from 1990 to 2100; `earliest` lowers the floor for the comparison period
    (Period.previous), so that a report for 1990 compares with 1989 instead of failing."""
    text = (spec or "").strip().upper()
    if cutoff not in CUTOFFS:
        raise PeriodError(_("Cách tính kỳ phải là «calendar» hoặc «official»."))
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        year, month = _year(m[1], earliest), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(_("Tháng phải từ 01 đến 12."))
        start, end = month_bounds(year, month, cutoff)
        return Period("month", text, start, end, cutoff, year, month)
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = _year(m[1], earliest), int(m[2])
        start, end = _span(year, 3 * q - 2, 3 * q, cutoff)
        return Period("quarter", text, start, end, cutoff, year, q)
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        year, h = _year(m[1], earliest), int(m[2])
        start, end = _span(year, 6 * h - 5, 6 * h, cutoff)
        return Period("half", text, start, end, cutoff, year, h)
    if m := re.fullmatch(r"(\d{4})", text):
        year = _year(m[1], earliest)
        start, end = _span(year, 1, 12, cutoff)
        return Period("year", text, start, end, cutoff, year)
    if m := re.fullmatch(r"(\d{4})\.\.(\d{4})", text):
        first, last = _year(m[1], earliest), _year(m[2], earliest)
        if last < first:
            raise PeriodError(_("Năm cuối của giai đoạn không được trước năm đầu."))
        start, _e = _span(first, 1, 12, cutoff)
        _s, end = _span(last, 1, 12, cutoff)
        return Period("years", text, start, end, cutoff, first, 0, last)
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        start, end = _date(m[1], earliest), _date(m[2], earliest)
        if end < start:
            raise PeriodError(_("Ngày kết thúc không được trước ngày bắt đầu."))
        return Period("range", text, start, end, cutoff, start.year)
    raise PeriodError(
        _(
            "Không hiểu kỳ báo cáo «%(spec)s». Viết ví dụ: 2024-03 (tháng), 2024-Q2 (quý), "
            "2024-H1 (6 tháng), 2024 (năm), 2012..2022 (giai đoạn), "
            "2024-01-15..2024-06-14 (khoảng ngày)."
        )
        % {"spec": spec}
    )
