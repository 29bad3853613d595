"""The report page: pick a unit and a period, read the figures, the narrative and the trend.

Reports are counts, never names, so viewing one is not audited; downloading one is
(reports/views/exports.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from types import SimpleNamespace

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import (
    CUTOFF,
    PERIOD,
    UNIT,
    Choice,
    PeriodError,
    choose,
    default_period,
    report_units,
)
from reports.document import lower_first
from reports.exports import ROMAN as SECTION_NUMBERS
from reports.indicators import Indicator
from reports.narrative import write
from reports.periods import CALENDAR, CUTOFFS, OFFICIAL, Period, parse
from reports.report import ChildGroup, Report, Row, SectionRows, build, shown_label, shown_measure
from reports.routers import on_replica
from reports.trend import charts, trend
from wards.access import access_for
from wards.models import AdminUnit

OTHER = "ky-khac"  # a period typed by hand; it wins over the list when filled
HIDE_EMPTY = "an-trong"  # "1": leave out the child units without figures, "0": show them all
# Up to this many child units, a column each beside the unit's figures; beyond (a province's
# communes), a table per section with the units down the side and the empty ones hidden.
COLUMNS_UP_TO = 8
FORMATS = (
    ("xlsx", "XLSX"),
    ("docx", "Word (DOCX)"),
    ("pdf", "PDF"),
    ("csv", "CSV"),
    ("json", "JSON"),
)
DEPTH = {AdminUnit.Level.PROVINCE: 0, AdminUnit.Level.DISTRICT: 1, AdminUnit.Level.COMMUNE: 2}
PICKER_FIELDS = {"unit": UNIT, "period": PERIOD, "other": OTHER, "cutoff": CUTOFF}
FIRST_REVIEW = "2012..2022"  # the national programme's review period
CUTOFF_CHOICES = (
    (CALENDAR, gettext_lazy("Theo tháng dương lịch")),
    (OFFICIAL, gettext_lazy("Theo kỳ báo cáo chính thức (Nghị định 09/2019)")),
)


# The picker ---------------------------------------------------------------------------------


def unit_choices(units: list[AdminUnit]) -> list[tuple[str, str]]:
    """Each unit indented by its level; a unit that no longer exists says until when."""
    top = min((DEPTH.get(u.level, 2) for u in units), default=0)
    out = []
    for u in units:
        name = u.name
        if u.valid_until is not None:
            name = _("%(name)s (đến %(date)s)") % {
                "name": name,
                "date": u.valid_until.strftime("%d/%m/%Y"),
            }
        out.append((u.code, "\u00a0\u00a0\u00a0" * (DEPTH.get(u.level, 2) - top) + name))
    return out


def period_choices(today: datetime.date, current: Period | None) -> list:
    """The periods people usually ask for, most recent first: the last twelve months, the
    quarters, halves and years of the last five years, and «giai đoạn 2012 - 2022»."""

    def group(specs: list[str]) -> list[tuple[str, str]]:
        periods = [parse(s) for s in specs]
        return [(p.spec, str(p.label)) for p in periods if p.start <= today]

    y, m = today.year, today.month
    months = [f"{y + (m - 1 - i) // 12}-{(m - 1 - i) % 12 + 1:02d}" for i in range(12)]
    years = range(y, y - 5, -1)
    groups = [
        (_("Tháng"), group(months)),
        (_("Quý"), group([f"{yy}-Q{q}" for yy in years for q in (4, 3, 2, 1)])),
        (_("6 tháng"), group([f"{yy}-H{h}" for yy in years for h in (2, 1)])),
        (_("Năm"), group([str(yy) for yy in years])),
        (_("Giai đoạn"), group([FIRST_REVIEW])),
    ]
    known = {spec for _label, options in groups for spec, _text in options}
    if current is not None and current.spec not in known:
        groups.insert(0, (_("Đang xem"), [(current.spec, str(current.label))]))
    return groups


class PickerForm(forms.Form):
    """Only rendered: `reports.choice.choose` reads the query string itself."""

    def __init__(self, *args, units, periods, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[UNIT] = forms.ChoiceField(label=_("Đơn vị"), choices=units, required=False)
        self.fields[PERIOD] = forms.ChoiceField(
            label=_("Kỳ báo cáo"), choices=periods, required=False
        )
        self.fields[OTHER] = forms.CharField(
            label=_("Kỳ khác"),
            required=False,
            help_text=_(
                "Ví dụ: 2024-03 (tháng), 2024-Q2 (quý), 2024-H1 (6 tháng), 2024 (năm), "
                "2012..2022 (giai đoạn), 2024-01-15..2024-06-14 (khoảng ngày)."
            ),
        )
        self.fields[CUTOFF] = forms.ChoiceField(
            label=_("Cách tính kỳ"),
            choices=CUTOFF_CHOICES,
            widget=forms.RadioSelect,
            required=False,
        )


# The page -----------------------------------------------------------------------------------


def _choose(request: HttpRequest) -> tuple[Choice, str]:
    """The unit and period asked for; for a period that cannot be read, the unit with the
    default period and the message saying why. Outside the user's scope: 404."""
    try:
        return choose(request), ""
    except PeriodError as error:
        query = request.GET.copy()
        query[PERIOD] = default_period()
        # choose() reads only .user and .GET
        return choose(SimpleNamespace(user=request.user, GET=query)), str(error)


def _typed_period(request: HttpRequest) -> tuple[str, str]:
    """The period typed in «Kỳ khác» as a canonical spec, or the message saying why not."""
    cutoff = request.GET.get(CUTOFF) or CALENDAR
    try:
        return parse(request.GET.get(OTHER, ""), cutoff if cutoff in CUTOFFS else CALENDAR).spec, ""
    except PeriodError as error:
        return "", str(error)


def _last_half(choice: Choice) -> str:
    """For a unit that was gone before the period: the query of its last half-year."""
    until = choice.unit.valid_until
    if until is None or until >= choice.period.start:
        return ""
    spec = f"{until.year}-H{1 if until.month <= 6 else 2}"
    return Choice(choice.unit, parse(spec, choice.period.cutoff)).query()


# The figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownRow:
    """A row of the unit's table: the indicator as shown (label without «(đồng)», its
    measure), the figures, the change (None without a comparison) and the shown children's."""

    row: Row
    label: str
    measure: str
    previous: int | None
    change: int | None
    children: list[int]

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def label_says_measure(self) -> bool:
        """Whether the label already ends with its measure («… (phút)»): a phone, which
        shows the measure after the label, does not say it twice."""
        return self.label.endswith(f"({self.measure})")


@dataclass(frozen=True)
class UnitRow:
    unit: AdminUnit
    values: list[tuple[int, str]]  # (figure, kind) of the section's main indicators


@dataclass(frozen=True)
class UnitGroup:
    district: AdminUnit | None
    rows: list[UnitRow]


@dataclass(frozen=True)
class UnitTable:
    """A section's main (not «of which») indicators across, the child units down the side,
    grouped by former district."""

    columns: list[ShownRow]
    groups: list[UnitGroup]
    grouped: bool  # a group has a district: show the groups' heading rows


@dataclass(frozen=True)
class ShownSection:
    number: str
    block: SectionRows
    rows: list[ShownRow]
    units: UnitTable | None


@dataclass(frozen=True)
class Children:
    """Which child units the page shows, and how."""

    shown: list[AdminUnit]  # in the report's order
    empty: int  # child units without figures (Report.has_data)
    hidden: int  # of them, left out
    hide_empty: bool
    as_rows: bool  # units down the side (many units) rather than a column each
    groups: list[ChildGroup]

    @property
    def as_columns(self) -> bool:
        return bool(self.shown) and not self.as_rows


def _children(request: HttpRequest, report: Report) -> Children:
    as_rows = len(report.children) > COLUMNS_UP_TO
    asked = request.GET.get(HIDE_EMPTY, "")
    hide_empty = asked == "1" if asked in ("0", "1") else as_rows
    with_data = {c.pk for c in report.children if report.has_data(c)}
    shown = [c for c in report.children if not hide_empty or c.pk in with_data]
    return Children(
        shown=shown,
        empty=len(report.children) - len(with_data),
        hidden=len(report.children) - len(shown),
        hide_empty=hide_empty,
        as_rows=as_rows,
        # Read for every report with child units (one query), so that the page costs the
        # same queries whatever the number of units.
        groups=report.child_groups,
    )


def _sections(report: Report, children: Children) -> list[ShownSection]:
    """Each section numbered (SECTION_NUMBERS, the exports' numbers), its rows as shown, and
    for many child units the table of units."""
    index = {c.pk: n for n, c in enumerate(report.children)}
    columns = [] if children.as_rows else [index[c.pk] for c in children.shown]
    compare = report.previous_has_data
    out = []
    blocks = report.sections
    if len(blocks) > len(SECTION_NUMBERS):
        raise ValueError("More sections than section numbers (reports.exports.ROMAN).")
    for number, block in zip(SECTION_NUMBERS, blocks, strict=False):
        rows = [
            ShownRow(
                row=r,
                label=shown_label(r.indicator),
                measure=shown_measure(r.indicator),
                previous=r.previous if compare else None,
                change=r.change if compare else None,
                children=[r.children[n] for n in columns],
            )
            for r in block.rows
        ]
        units = None
        if children.as_rows:
            main = [row for row in rows if not row.indicator.sub]
            shown = {c.pk for c in children.shown}
            groups = [
                UnitGroup(
                    g.district,
                    [
                        UnitRow(
                            c,
                            [(row.row.children[index[c.pk]], row.indicator.kind) for row in main],
                        )
                        for c in g.children
                        if c.pk in shown
                    ],
                )
                for g in children.groups
            ]
            units = UnitTable(
                columns=main,
                groups=[g for g in groups if g.rows],
                grouped=any(g.district is not None for g in children.groups),
            )
        out.append(ShownSection(number, block, rows, units))
    return out


def _report_ctx(request: HttpRequest, choice: Choice, report: Report) -> dict:
    unit, period = choice.unit, choice.period
    query = choice.query()
    t = trend(unit, period)
    children = _children(request, report)
    return {
        "last_half_query": _last_half(choice),
        "report": report,
        "children": children,
        "sections": _sections(report, children),
        "compare": report.previous_has_data,
        "previous_period_label": str(report.previous_period.label),
        "show_all_query": f"{query}&{HIDE_EMPTY}=0",
        "hide_empty_query": f"{query}&{HIDE_EMPTY}=1",
        "narrative": write(report.values, period, report.catalogue),
        "previous_label": lower_first(str(report.previous_period.label)),
        "same_time_last_year": period.kind in ("month", "quarter", "half", "year"),
        "trend": t,
        "charts": charts(t),
        "downloads": [
            # the file holds the child units the page shows (all, or those with figures)
            (
                label,
                f"{reverse('reports:report_export', args=[fmt])}?{query}"
                f"&{HIDE_EMPTY}={int(children.hide_empty)}",
            )
            for fmt, label in FORMATS
        ],
        "submit_url": (
            reverse("reports:submission_add") + "?" + query
            if access_for(request.user).can("report_submit", unit.pk)
            else ""
        ),
        # The status board follows the submissions of the periods offices file a report for.
        "status_url": (
            reverse("reports:submission_status") + "?" + query
            if report.children and period.reportable
            else ""
        ),
    }


def _picker(request: HttpRequest, choice: Choice, error: str, *, typed: bool) -> dict:
    """The picker's fields, set to the report shown; after a mistake, the text to correct."""
    bad_text = request.GET.get(OTHER if typed else PERIOD, "") if error else ""
    form = PickerForm(
        units=unit_choices(list(report_units(request.user))),
        periods=period_choices(timezone.localdate(), choice.period),
        initial={
            UNIT: choice.unit.code,
            PERIOD: choice.period.spec,
            OTHER: bad_text,
            CUTOFF: choice.period.cutoff,
        },
    )
    if error:
        form.fields[OTHER].widget.attrs.update(
            {"class": "is-invalid", "aria-invalid": "true", "aria-describedby": "period-error"}
        )
    return {name: form[field] for name, field in PICKER_FIELDS.items()}


@require_safe
@never_cache
def report_page(request: HttpRequest) -> HttpResponse:
    typed_error = ""
    if OTHER in request.GET:
        # The picker was submitted: answer with the plain address of the report asked for
        # (what the download links carry), the typed period winning over the list's.
        params = {k: v for k, v in request.GET.items() if k != OTHER}
        if request.GET[OTHER].strip():
            spec, typed_error = _typed_period(request)
            params[PERIOD] = spec
        if not typed_error:
            return redirect(f"{request.path}?{urlencode(params)}")
    choice, error = _choose(request)
    error = typed_error or error
    ctx = {
        "choice": choice,
        "title": _("Báo cáo %(period)s") % {"period": lower_first(str(choice.period.label))},
        "picker": _picker(request, choice, error, typed=bool(typed_error)),
        "error": error,
    }
    if not error:
        ctx.update(
            on_replica(lambda: _report_ctx(request, choice, build(choice.unit, choice.period)))
        )
    return render(request, "reports/report.html", ctx)
