"""What the home page says about reports.

A supervisor sees, for each unit they supervise, the period offices are filing or last filed
(the latest ended quarter; a unit gone since: its last half-year): the submission counts of the
units below (reports.views.status), the names of the units late, overdue or returned (units,
never persons), and a few headline figures of the unit for that period against the same period
a year before. A leader or officer sees the reports returned to them with the reason, and the
latest ended period of their ward when it has not been submitted yet.

A constant number of queries whatever the number of units, persons or records: per supervised
unit one status board and two tallies (read on the replica like the report page), per user
one query for the returned reports and one for the periods to file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from reports.choice import Choice, default_period
from reports.indicators import BAD, FIXED, GOOD, NEUTRAL, Indicator
from reports.models import Submission
from reports.periods import Period, parse
from reports.rollup import tally
from reports.routers import on_replica
from reports.snapshot import returned_reports
from reports.views.status import LATE, OVERDUE, RETURNED, Board, due_date, status_board
from wards.access import Role, access_for
from wards.models import AdminUnit

# The headline figures: the list, the people reached and met, the outreach and its audience.
HEADLINE = (
    "casework.on_list",
    "casework.persons_reached",
    "casework.counselling_direct",
    "outreach.sessions",
    "outreach.participants",
)


def filing_period(unit: AdminUnit, today: datetime.date) -> Period:
    """The period offices are filing, or last filed: the latest ended quarter (for a unit gone
    since, its last half-year)."""
    return parse(default_period(today, unit=unit))


@dataclass(frozen=True)
class Headline:
    indicator: Indicator
    value: int
    previous: int

    @property
    def change(self) -> int:
        return self.value - self.previous

    @property
    def arrow(self) -> str:
        return "▲" if self.change > 0 else "▼" if self.change < 0 else ""

    @property
    def verdict(self) -> str:
        """good, bad or neutral: what the change means for this figure (its `rise`)."""
        rise = self.indicator.rise
        if not self.change or rise == NEUTRAL:
            return NEUTRAL
        if self.change > 0:
            return rise
        return BAD if rise == GOOD else GOOD


@dataclass
class SupervisorCard:
    unit: AdminUnit
    period: Period
    due: datetime.date
    filing: bool  # still within the time to file
    board: Board | None  # None for a ward (nothing below it)
    headlines: list[Headline] = field(default_factory=list)
    report_url: str = ""
    status_url: str = ""

    @property
    def late(self) -> list[str]:
        return self.board.names.get(LATE, []) if self.board else []

    @property
    def overdue(self) -> list[str]:
        return self.board.names.get(OVERDUE, []) if self.board else []

    @property
    def returned(self) -> list[str]:
        return self.board.names.get(RETURNED, []) if self.board else []


def headlines(unit: AdminUnit, period: Period) -> list[Headline]:
    """The headline figures of `unit` for `period` and the same period a year before."""

    def read():
        now = tally(unit, period, children=False, cat=FIXED).values
        before = tally(unit, period.previous(), children=False, cat=FIXED).values
        return now, before

    now, before = on_replica(read)
    return [Headline(FIXED.by_code[c], now.get(c, 0), before.get(c, 0)) for c in HEADLINE]


def supervisor_cards(user, today: datetime.date) -> list[SupervisorCard]:
    """One card per unit where the user holds a supervisor post."""
    units: dict[int, AdminUnit] = {}
    for grant in access_for(user).grants:
        if grant.role == Role.SUPERVISOR and grant.unit is not None:
            units.setdefault(grant.unit.pk, grant.unit)
    cards = []
    for unit in units.values():
        period = filing_period(unit, today)
        query = Choice(unit, period).query()
        due = due_date(period)
        board = None if unit.is_commune else status_board(unit, period, today)
        cards.append(
            SupervisorCard(
                unit=unit,
                period=period,
                due=due,
                filing=today <= due,
                board=board,
                headlines=headlines(unit, period),
                report_url=f"{reverse('reports:report')}?{query}",
                status_url=f"{reverse('reports:submission_status')}?{query}" if board else "",
            )
        )
    return cards


@dataclass(frozen=True)
class ToFile:
    unit: AdminUnit
    period: Period
    due: datetime.date
    url: str


def to_file(user, today: datetime.date) -> list[ToFile]:
    """The wards the user submits for (a leader's or officer's own ward) whose latest ended
    period has no submission yet, whatever its cut-off; one query."""
    access = access_for(user)
    wards: dict[int, AdminUnit] = {}
    for grant in access.grants:
        unit = grant.unit
        if (
            grant.role in (Role.LEADER, Role.OFFICER)
            and unit is not None
            and unit.is_commune
            and (unit.valid_until is None or unit.valid_until >= today)
        ):
            wards.setdefault(unit.pk, unit)
    periods = {pk: filing_period(unit, today) for pk, unit in wards.items()}
    periods = {
        pk: p
        for pk, p in periods.items()
        if wards[pk].valid_from is None or wards[pk].valid_from <= p.end
    }
    if not periods:
        return []
    asked = Q()
    for pk, p in periods.items():
        asked |= Q(unit_id=pk, period_spec=p.spec)
    filed = set(Submission.objects.filter(asked).values_list("unit_id", flat=True))
    return [
        ToFile(
            wards[pk],
            p,
            due_date(p),
            f"{reverse('reports:submission_add')}?{Choice(wards[pk], p).query()}",
        )
        for pk, p in periods.items()
        if pk not in filed
    ]


@dataclass(frozen=True)
class Returned:
    submission: Submission
    url: str  # where to submit it again


def returned(user) -> list[Returned]:
    """The user's reports returned for correction (the latest version of each), with the
    address of the page where they are corrected and submitted again."""
    out = []
    for s in returned_reports(user):
        try:
            query = Choice(s.unit, s.period).query()
        except ValueError:  # a spec today's parser no longer reads: the report itself
            out.append(Returned(s, s.get_absolute_url()))
        else:
            out.append(Returned(s, f"{reverse('reports:submission_add')}?{query}"))
    return out


def filing_ctx(user, today: datetime.date) -> dict:
    """The cards of a user who submits reports (templates/reports/home_filing.html): their
    returned reports and the latest ended period still to file; nothing for anyone else."""
    if not access_for(user).can("report_submit"):
        return {}
    return {"returned": returned(user), "to_file": to_file(user, today)}
