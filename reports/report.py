"""A report: the catalogue's figures for a unit, its child units and the comparison period.

`build(unit, period)` is what the page, the exports, the command and the submissions read;
`as_json(report)` is the exchange format of DESIGN.md (Commands), with the comparison period
added under "previous".
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.indicators import Catalogue, Indicator, Section, catalogue
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


@dataclass
class Report:
    unit: AdminUnit
    period: Period
    previous_period: Period
    current: Tally
    before: Tally

    @property
    def children(self) -> list[AdminUnit]:
        return self.current.children

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
