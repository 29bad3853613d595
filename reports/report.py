"""A report: the catalogue's figures for a unit, its child units and the comparison period.

`build(unit, period)` is what the page, the exports, the command and the submissions read;
`as_json(report)` is the exchange format of DESIGN.md (Commands), with the comparison period
added under "previous".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from reports.grouping import ChildGroup, group_children, vi_key
from reports.indicators import MONEY, Catalogue, Indicator, Section, catalogue, measure
from reports.periods import Period
from reports.rollup import Tally, tally
from wards.models import AdminUnit


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    value: int
    children: tuple[int, ...]  # in the order of Report.children
    previous: int

    @property
    def change(self) -> int:
        return self.value - self.previous


@dataclass(frozen=True)
class SectionRows:
    section: Section
    rows: tuple[Row, ...]


# Standing counts of the team that a unit has whether or not it did anything in the period:
# `has_data` leaves them out, so that a commune whose team exists but recorded nothing is a
# unit without figures. (Persons on the list, managed persons and clubs are figures: they come
# from the unit's own records.)
STRUCTURAL = ("team.teams", "team.members")


def structural(code: str) -> bool:
    return any(code == s or code.startswith(s + ".") for s in STRUCTURAL)


def in_millions(value: int) -> Decimal:
    """Đồng to triệu đồng, the one unit money is shown in: to two decimals, without trailing
    zeros (112.500.000 → 112.5, 2.000.000 → 2)."""
    millions = (Decimal(value) / Decimal(1_000_000)).quantize(Decimal("0.01"))
    if millions == millions.to_integral_value():
        return millions.quantize(Decimal(1))
    return millions.normalize()  # not whole: no exponent form


# Money is shown in one unit everywhere: triệu đồng (in_millions), said by the measure column.
MONEY_MEASURE = "triệu đồng"


def shown_measure(indicator: Indicator) -> str:
    """The unit of measure a page or a document shows: «triệu đồng» for money."""
    return MONEY_MEASURE if indicator.kind == MONEY else measure(indicator)


def shown_label(indicator: Indicator) -> str:
    """The indicator's label without the «(đồng)» its catalogue label ends with: the measure
    column says the unit once (shown_measure)."""
    label = str(indicator.label)
    return label.removesuffix(" (đồng)") if indicator.kind == MONEY else label


@dataclass
class Report:
    unit: AdminUnit
    period: Period
    previous_period: Period
    current: Tally
    before: Tally

    @cached_property
    def children(self) -> list[AdminUnit]:
        """The child units in Vietnamese dictionary order (reports.grouping.vi_key)."""
        return sorted(self.current.children, key=lambda c: (vi_key(c.name), c.code))

    @cached_property
    def child_groups(self) -> list[ChildGroup]:
        """The children grouped by former district (reports.grouping.former_districts), the
        groups in Vietnamese order of the district's name, the children without one last; a
        single group with district None when no child has a former district."""
        return group_children(self.children, self.period)

    def has_data(self, child: AdminUnit) -> bool:
        """Whether any figure of the child is not zero, the team's standing counts (STRUCTURAL)
        left out."""
        return any(v for code, v in self.child_values(child).items() if not structural(code))

    @property
    def previous_has_data(self) -> bool:
        """Whether any figure of the comparison period is not zero, the team's standing counts
        left out as in `has_data` (teams founded before any record was kept would otherwise
        make an empty period look like one to compare with)."""
        return any(v for code, v in self.previous.items() if not structural(code))

    @property
    def values(self) -> dict[str, int]:
        return self.current.values

    @property
    def previous(self) -> dict[str, int]:
        return self.before.values

    @property
    def catalogue(self) -> Catalogue:
        """The catalogue the report was computed for (read once per report)."""
        return self.current.catalogue

    def child_values(self, child: AdminUnit) -> dict[str, int]:
        return self.current.by_child[child.pk]

    @property
    def sections(self) -> list[SectionRows]:
        out = []
        for section in self.catalogue.sections:
            rows = tuple(
                Row(
                    indicator=i,
                    value=self.values[i.code],
                    children=tuple(self.current.by_child[c.pk][i.code] for c in self.children),
                    previous=self.previous[i.code],
                )
                for i in section.indicators
            )
            out.append(SectionRows(section, rows))
        return out


def build(unit: AdminUnit, period: Period, cat: Catalogue | None = None) -> Report:
    """The report of `unit` for `period`: its figures, each child unit's, and the unit's
    figures for the comparison period (Period.previous), for every code of `cat` (the
    catalogue of the reference data, read once, when None)."""
    cat = cat if cat is not None else catalogue()
    previous = period.previous()
    return Report(
        unit=unit,
        period=period,
        previous_period=previous,
        current=tally(unit, period, cat=cat),
        before=tally(unit, previous, children=False, cat=cat),
    )


def as_json(report: Report) -> dict:
    def period(p: Period) -> dict:
        return {
            "label": str(p.label),
            "start": p.start.isoformat(),
            "end": p.end.isoformat(),
            "cutoff": p.cutoff,
        }

    return {
        "unit": {"code": report.unit.code, "name": report.unit.name},
        "period": period(report.period),
        "indicators": dict(report.values),
        "children": {c.code: dict(report.child_values(c)) for c in report.children},
        "previous": {"period": period(report.previous_period), "indicators": report.previous},
    }
