"""Which unit and period a report request is for, and whether the user may have it.

Every report URL takes the same query string: `don-vi` (a unit code), `ky` (a period spec,
reports.periods) and `cach-tinh` (`calendar` or `official`). A user may have the report of any
unit where they hold the `aggregate` capability (their unit, the units below it and the units
merged into them); anything else is 404, as for any object outside one's scope.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import urlencode

from reports.periods import CALENDAR, CUTOFFS, Period, PeriodError, parse
from wards.access import access_for
from wards.models import AdminUnit

UNIT, PERIOD, CUTOFF = "don-vi", "ky", "cach-tinh"


def report_units(user) -> QuerySet[AdminUnit]:
    """The units `user` may have reports for, the widest first."""
    ids = access_for(user).unit_ids("aggregate")
    return AdminUnit.objects.filter(pk__in=ids).order_by("path")


def default_unit(user) -> AdminUnit | None:
    """The unit of the user's most local grant (a ward for a leader, the district or province
    for a supervisor), or the first unit they may see."""
    grant = access_for(user).primary
    if grant is not None and grant.unit is not None:
        return grant.unit
    return report_units(user).first()


def default_period(today: datetime.date | None = None, *, unit: AdminUnit | None = None) -> str:
    """The last quarter that has ended: what a ward is asked to report on. For a unit that
    no longer exists (a district dissolved in 2025), its last half-year."""
    today = today or timezone.localdate()
    if unit is not None and unit.valid_until is not None and unit.valid_until < today:
        last = unit.valid_until
        return f"{last.year}-H{1 if last.month <= 6 else 2}"
    q = (today.month - 1) // 3 + 1
    year, q = (today.year - 1, 4) if q == 1 else (today.year, q - 1)
    return f"{year}-Q{q}"


@dataclass(frozen=True)
class Choice:
    unit: AdminUnit
    period: Period

    def query(self, **extra) -> str:
        params = {UNIT: self.unit.code, PERIOD: self.period.spec, CUTOFF: self.period.cutoff}
        return urlencode({**params, **extra})


def choose(request: HttpRequest) -> Choice:
    """The unit and period asked for. 404 for a unit outside the user's scope; PeriodError
    (a message for the user) for a period that cannot be read."""
    code = request.GET.get(UNIT, "").strip()
    if "\x00" in code:  # no unit code holds one, and PostgreSQL refuses NUL in a query
        raise Http404
    if code:
        unit = report_units(request.user).filter(code=code).first()
    else:
        unit = default_unit(request.user)
    if unit is None:
        raise Http404
    cutoff = request.GET.get(CUTOFF) or CALENDAR
    if cutoff not in CUTOFFS:
        cutoff = CALENDAR
    period = parse(request.GET.get(PERIOD) or default_period(unit=unit), cutoff)
    return Choice(unit, period)


__all__ = ["Choice", "PeriodError", "choose", "default_period", "report_units"]
