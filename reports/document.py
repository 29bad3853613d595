"""A filed report: the words and figures of the document an office signs, whatever the format.

`ReportTable` is one document: its heading (the issuing office, «Số», place and date), title,
the figures table (a line per section and per indicator of the current catalogue), the
narrative, the optional sections (evaluation, next tasks, recommendations, proposals), the
explanations of the checks, «Nơi nhận» and the signature. It is read either from a live
`reports.report.Report` (`ReportTable(report, issuer=…)`: the narrative written from the
figures, no optional sections, the default recipients, dated today) or from a submitted
`reports.models.Submission` (`ReportTable.filed(submission)`: the snapshot's figures laid out
by the current catalogue, an indicator the snapshot lacks shown «—», the submitter's words,
number and office, dated the day it was submitted). The writers (reports.exports for XLSX and
PDF, reports.docx for DOCX) lay it out; none of them holds a person's name.

The issuing office is the one that exists when the document is issued: a dissolved district or a
merged ward never issues one (`current_office`). Money is shown in triệu đồng (`shown`), the
measure column saying so once.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from reports.grouping import group_children
from reports.indicators import MONEY, Catalogue, Indicator, catalogue
from reports.narrative import number, write
from reports.periods import OFFICIAL, Period
from reports.report import in_millions, shown_label, shown_measure, structural
from wards.models import AdminUnit

ROMAN = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X",
    "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX",
)  # fmt: skip
NONE = "—"  # a figure that is not there: not in the snapshot, or no comparison data
NO_FIGURES = "Trong kỳ không có số liệu hoạt động."
DEFAULT_RECIPIENTS = ("- Lưu: VT.",)
# The optional sections after the narrative, in the order a filed report has them.
SECTIONS = (
    ("evaluation", "ĐÁNH GIÁ"),
    ("next_tasks", "PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI"),
    ("recommendations", "KIẾN NGHỊ"),
    ("proposals", "ĐỀ XUẤT"),
)

HEADINGS = {"narrative": "TÌNH HÌNH, KẾT QUẢ CHUNG", **dict(SECTIONS)}

Figure = int | Decimal | None  # None: not in the snapshot (an indicator added since)


def numbered(texts: dict[str, str]) -> list[tuple[str, str, str]]:
    """The parts of a report after its figures (I) that have text, numbered on (II, III…):
    the narrative, then the optional SECTIONS; (number, field name, text). The documents and
    the submission's page number them alike."""
    out: list[tuple[str, str, str]] = []
    for name in HEADINGS:
        text = (texts.get(name) or "").strip()
        if text:
            out.append((ROMAN[len(out) + 1], name, text))
    return out


def shown(indicator: Indicator, value: int | None) -> Figure:
    """A figure as the tables show it: money in triệu đồng (INDICATORS.md), 112,5."""
    if value is None or indicator.kind != MONEY:
        return value
    return in_millions(value)


def figure_text(value: Figure) -> str:
    """6421 → «6.421», 112.5 → «112,5», None → «—»."""
    if value is None:
        return NONE
    if isinstance(value, Decimal) and value != value.to_integral_value():
        whole, _dot, frac = f"{value:f}".partition(".")
        sign = "-" if value < 0 else ""
        return f"{sign}{number(abs(int(whole)))},{frac}"
    return number(int(value))


def signed_text(value: Figure) -> str:
    """+4, -1.160, 0, «—»."""
    if value is None:
        return NONE
    if value > 0:
        return "+" + figure_text(value)
    if value < 0:
        return "-" + figure_text(-value)
    return "0"


# The issuing office ----------------------------------------------------------------------------


def current_office(unit: AdminUnit, on: datetime.date | None = None) -> AdminUnit:
    """The office that answers for `unit` on `on`: the unit while it exists, else the unit it
    was merged into (its `successor`, followed to the end), else the nearest existing unit
    above it (a district dissolved in 2025 without a successor: its province)."""
    on = on or timezone.localdate()
    seen: set[int] = set()
    while not unit.is_current(on) and unit.pk not in seen:
        seen.add(unit.pk)
        if unit.successor_id:
            unit = unit.successor
        elif unit.parent_id:
            unit = unit.parent
        else:
            break
    return unit


def issuer_for(user, unit: AdminUnit, on: datetime.date | None = None) -> AdminUnit:
    """Who issues `unit`'s report when `user` downloads it: the user's own office, as it is
    today — of the offices they hold, the most local one whose scope holds the unit (a ward
    leader who is also a province supervisor issues the province's report as the province),
    else their primary one (a leader reading the district's report); without a user or a unit
    (an administrator), the report's unit as it is today."""
    from wards.access import access_for

    access = access_for(user) if user is not None else None
    grants = [g for g in (access.grants if access else ()) if g.unit is not None]
    covering = [g for g in grants if unit.pk in g.unit_ids]
    grant = min(covering, key=lambda g: len(g.unit_ids), default=None) or (
        access.primary if access else None
    )
    own = grant.unit if grant is not None and grant.unit is not None else unit
    return current_office(own, on)


def province_of(unit: AdminUnit) -> AdminUnit:
    code = unit.path.strip("/").split("/")[0] if unit.path else unit.code
    if code == unit.code:
        return unit
    return AdminUnit.objects.filter(code=code).first() or unit


def place(unit: AdminUnit) -> str:
    """The province's name without «Thành phố» / «Tỉnh»: «Hà Nội»."""
    name = province_of(unit).name
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# The document ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A line of the table: a section (`section=True`, no figures) or an indicator. Figures
    are as stored (money in đồng), None where there is none; `shown_*` as the table shows
    them (money in triệu đồng)."""

    number: str  # I, II… for a section; 1, 2… for an indicator; "" for an "of which" row
    label: str
    section: bool = False
    code: str = ""
    measure: str = ""
    sub: bool = False
    value: int | None = 0
    previous: int | None = 0
    children: tuple[int | None, ...] = ()
    indicator: Indicator | None = None

    @property
    def change(self) -> int | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    def shown(self, value: int | None) -> Figure:
        return shown(self.indicator, value) if self.indicator is not None else value

    @property
    def shown_value(self) -> Figure:
        return self.shown(self.value)

    @property
    def shown_previous(self) -> Figure:
        return self.shown(self.previous)

    @property
    def shown_change(self) -> Figure:
        return self.shown(self.change)

    @property
    def shown_children(self) -> tuple[Figure, ...]:
        return tuple(self.shown(v) for v in self.children)


@dataclass(frozen=True)
class Part:
    """A numbered part of the text after the table: «III. ĐÁNH GIÁ» and its paragraphs."""

    number: str
    heading: str
    paragraphs: tuple[str, ...]


class ReportTable:
    """One filed document, live (`ReportTable(report, …)`) or submitted (`filed(submission)`)."""

    unit: AdminUnit
    period: Period
    previous_period: Period
    catalogue: Catalogue
    values: dict[str, int]
    previous: dict[str, int]
    children: list[AdminUnit]
    child_values: list[dict[str, int]]
    issuer_unit: AdminUnit
    today: datetime.date
    narrative: str
    texts: dict[str, str]
    recipients: tuple[str, ...] = DEFAULT_RECIPIENTS
    document_number: str = ""
    checks: tuple[dict, ...] = ()
    version: int | None = None
    report: object = None  # the live Report (JSON and CSV), None for a submission
    hide_empty: bool = False

    def __init__(
        self,
        report=None,
        today: datetime.date | None = None,
        *,
        issuer: AdminUnit | None = None,
        hide_empty: bool = False,
    ) -> None:
        if report is None:  # filled in by filed()
            return
        self.report = report
        self.unit = report.unit
        self.period = report.period
        self.previous_period = report.previous_period
        self.catalogue = report.catalogue
        self.values = report.values
        self.previous = report.previous
        self.children = list(report.children)
        self.child_values = [report.child_values(c) for c in self.children]
        self.today = today or timezone.localdate()
        self.issuer_unit = issuer or current_office(report.unit, self.today)
        self.narrative = write(report.values, report.period, report.catalogue)
        self.texts = {}
        self.recipients = DEFAULT_RECIPIENTS
        self.document_number = ""
        self.checks = ()
        self.version = None
        self.hide_empty = hide_empty

    @classmethod
    def filed(
        cls,
        submission,
        cat: Catalogue | None = None,
        *,
        hide_empty: bool = False,
    ) -> ReportTable:
        """The document of a submission: its frozen figures laid out by the current catalogue
        (`cat`, read when None), its words, number and issuing office, dated the day it was
        submitted."""
        figures = submission.figures or {}
        snapshot_children = figures.get("children", {}) or {}
        units = AdminUnit.objects.in_bulk(list(snapshot_children), field_name="code")
        day = timezone.localdate(submission.submitted_at)
        period = submission.period
        self = cls()
        self.report = None
        self.unit = submission.unit
        self.period = period
        self.previous_period = period.previous()
        self.catalogue = cat if cat is not None else catalogue()
        self.values = figures.get("indicators", {}) or {}
        self.previous = (figures.get("previous", {}) or {}).get("indicators", {}) or {}
        self.children = [
            units.get(code) or AdminUnit(code=code, name=code, level=AdminUnit.Level.COMMUNE)
            for code in snapshot_children
        ]
        self.child_values = list(snapshot_children.values())
        self.today = day
        self.issuer_unit = (
            current_office(submission.issuer, day)
            if submission.issuer_id
            else current_office(submission.unit, day)
        )
        # what the leader filed, even when they cleared the words written from the figures
        self.narrative = submission.narrative
        self.texts = {name: getattr(submission, name) or "" for name, _h in SECTIONS}
        lines = [x.strip() for x in (submission.recipients or "").splitlines() if x.strip()]
        self.recipients = tuple(lines) or DEFAULT_RECIPIENTS
        self.document_number = submission.number or ""
        self.checks = tuple(c for c in submission.checks or () if isinstance(c, dict))
        self.version = submission.version
        self.hide_empty = hide_empty
        return self

    # The words ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return str(self.period.label)

    @property
    def label_lower(self) -> str:
        """«6 tháng đầu năm 2024», «quý III năm 2026», «giai đoạn 2012 - 2022»."""
        return lower_first(self.label)

    @property
    def title(self) -> str:
        return f"BÁO CÁO KẾT QUẢ HOẠT ĐỘNG {self.label.upper()}"

    @property
    def subject(self) -> str:
        """Whose work the report is: the ward's team, or the work in a district or province."""
        if self.unit.level == AdminUnit.Level.COMMUNE:
            return f"của Đội công tác xã hội tình nguyện {self.unit.name}"
        return f"của các Đội công tác xã hội tình nguyện trên địa bàn {self.unit.name}"

    @property
    def dates(self) -> str:
        text = f"Số liệu từ ngày {_d(self.period.start)} đến ngày {_d(self.period.end)}"
        if self.period.cutoff == OFFICIAL:
            text += " (kỳ báo cáo theo Nghị định 09/2019/NĐ-CP)"
        return text

    @property
    def previous_heading(self) -> str:
        if self.period.kind in ("years", "range"):
            return "Kỳ trước"
        return "Cùng kỳ năm trước"

    @property
    def previous_title(self) -> str:
        """«Cùng kỳ năm trước (6 tháng đầu năm 2023)», «Kỳ trước (Giai đoạn 2001 - 2011)»."""
        return f"{self.previous_heading} ({self.previous_period.label})"

    @property
    def comparison(self) -> str:
        p = self.previous_period
        return (
            f"{self.previous_heading}: {lower_first(str(p.label))}, "
            f"từ ngày {_d(p.start)} đến ngày {_d(p.end)}"
        )

    @property
    def previous_has_data(self) -> bool:
        """Whether the comparison period has any figure: without one, no change is shown."""
        return any(self.previous.get(c) for c in self.catalogue.codes if not structural(c))

    @property
    def note(self) -> str:
        if self.previous_has_data:
            return f"So sánh với {lower_first(self.comparison)}."
        return f"{self.comparison}: không có số liệu để so sánh."

    @property
    def team_issued(self) -> bool:
        """A ward's report is the volunteer team's document, signed by its leader."""
        return self.issuer_unit.level == AdminUnit.Level.COMMUNE

    @property
    def issuer(self) -> tuple[str, str, str]:
        """The issuing body's two lines and its number line, as a filed report heads them."""
        office = self.issuer_unit
        if self.team_issued:
            lines = (f"UBND {office.name.upper()}", "ĐỘI CÔNG TÁC XÃ HỘI TÌNH NGUYỆN")
            suffix = "BC-ĐCTXHTN"
        else:
            lines = ("ỦY BAN NHÂN DÂN", office.name.upper())
            suffix = "BC-UBND"
        given = self.document_number.strip()
        if not given:
            numbered = f"Số:        /{suffix}"
        elif "/" in given:
            numbered = f"Số: {given}"
        else:
            numbered = f"Số: {given}/{suffix}"
        return (*lines, numbered)

    @property
    def signer(self) -> str:
        return "ĐỘI TRƯỞNG" if self.team_issued else "THỦ TRƯỞNG ĐƠN VỊ"

    @property
    def place_date(self) -> str:
        """«Hà Nội, ngày 05 tháng 02 năm 2026»: day under 10 and months 1, 2 with a leading
        zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
        d = self.today
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{place(self.issuer_unit)}, ngày {d.day:02d} tháng {month} năm {d.year}"

    @property
    def narrative_text(self) -> str:
        """The narrative: a filed report's as filed (it may be empty); a live report's written
        from its figures, or the line saying the period has none."""
        return self.narrative if self.version else (self.narrative or NO_FIGURES)

    def parts(self) -> list[Part]:
        """The numbered parts after the title: the figures (I), then the narrative and the
        optional sections that have text, numbered on (`numbered`)."""
        texts = {"narrative": self.narrative_text, **self.texts}
        return [
            Part("I", "SỐ LIỆU KẾT QUẢ HOẠT ĐỘNG", ()),
            *(Part(n, HEADINGS[name], paragraphs(text)) for n, name, text in numbered(texts)),
        ]

    @property
    def explanations(self) -> list[str]:
        """«Giải trình số liệu»: each check of the figures with the submitter's explanation."""
        out = []
        for check in self.checks:
            text, why = str(check.get("text", "")).strip(), str(check.get("explanation", ""))
            if text or why.strip():
                out.append(f"{text.rstrip('.')}: {why.strip()}" if why.strip() else text)
        return out

    # The lines ----------------------------------------------------------------------------

    def has_data(self, index: int) -> bool:
        """Whether the child unit at `index` has any figure that is not zero."""
        values = self.child_values[index]
        return any(values.get(c) for c in self.catalogue.codes if not structural(c))

    @property
    def shown_children(self) -> list[int]:
        """The indexes of the child units the tables show (all, or those with data)."""
        indexes = range(len(self.children))
        return [i for i in indexes if self.has_data(i)] if self.hide_empty else list(indexes)

    def lines(self) -> Iterator[Line]:
        compare = self.previous_has_data
        keep = self.shown_children
        for s_index, section in enumerate(self.catalogue.sections):
            yield Line(ROMAN[s_index], str(section.label).upper(), section=True)
            n = 0
            for ind in section.indicators:
                if not ind.sub:
                    n += 1
                code = ind.code
                yield Line(
                    number="" if ind.sub else str(n),
                    label=shown_label(ind),
                    code=code,
                    measure=shown_measure(ind),
                    sub=ind.sub,
                    value=self.values.get(code),
                    previous=self.previous.get(code) if compare else None,
                    children=tuple(self.child_values[i].get(code) for i in keep),
                    indicator=ind,
                )

    @property
    def main_headings(self) -> tuple[str, ...]:
        """The headings of the figures table, in every format."""
        return (
            "STT",
            "Chỉ tiêu",
            "Đơn vị tính",
            f"Thực hiện {self.label_lower}",
            self.previous_title,
            "Tăng (+), giảm (-)",
        )

    @property
    def left_out_note(self) -> str:
        """What a document says of the child units left out for having no figures ("": none)."""
        left_out = len(self.children) - len(self.table_children)
        if not left_out:
            return ""
        return (
            f" Không in {left_out}/{len(self.children)} đơn vị trực thuộc không có số liệu"
            " trong kỳ."
        )

    @property
    def table_children(self) -> list[AdminUnit]:
        return [self.children[i] for i in self.shown_children]


# Child units as rows ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRow:
    """A row of an appendix table: a child unit and its figures, or (`group=True`) the heading
    of the former district the following units' wards came from."""

    number: str
    name: str
    figures: tuple[Figure, ...] = ()
    group: bool = False
    total: bool = False


@dataclass(frozen=True)
class UnitTable:
    """One table of the appendix: a section's indicators (at most `UNIT_COLUMNS` of them)
    across, the child units down the side, grouped by former district."""

    number: str  # the section's Roman number
    heading: str
    caption: str  # «(phần 1/2)» when the section is cut, else ""
    columns: tuple[tuple[str, str], ...]  # (label, measure) of each indicator
    rows: tuple[UnitRow, ...]

    @property
    def headings(self) -> list[str]:
        """Each column's heading: the label and its measure, said once («Thời lượng phát
        thanh (phút)», not «… (phút) (phút)»)."""
        return [
            label if label.endswith(f"({unit})") else f"{label} ({unit})"
            for label, unit in self.columns
        ]


UNIT_COLUMNS = 10


def unit_tables(
    table: ReportTable, columns: int = UNIT_COLUMNS, *, main_only: bool = False
) -> list[UnitTable]:
    """The child units' figures as tables with the units down the side: one per section (cut
    into tables of at most `columns` indicators), a total row for the unit first. With
    `main_only`, the main indicators only, without their «of which» rows (the printed
    appendix; the spreadsheet has every one)."""
    if table.report is not None:
        groups = [(g.district, g.children) for g in table.report.child_groups]
    else:
        groups = [(g.district, g.children) for g in group_children(table.children, table.period)]
    index = {id(c): i for i, c in enumerate(table.children)}
    keep = set(table.shown_children)
    grouped = [(district, [c for c in units if index[id(c)] in keep]) for district, units in groups]
    grouped = [(d, units) for d, units in grouped if units]
    named = any(d is not None for d, _units in grouped)
    out = []
    for s_index, section in enumerate(table.catalogue.sections):
        indicators = [i for i in section.indicators if not (main_only and i.sub)]
        cuts = range(0, len(indicators), columns)
        for n_cut, first in enumerate(cuts, start=1):
            chosen = indicators[first : first + columns]
            rows = [
                UnitRow(
                    "",
                    "Tổng cộng",
                    tuple(shown(i, table.values.get(i.code)) for i in chosen),
                    total=True,
                )
            ]
            n = 0
            for district, units in grouped:
                if named:
                    name = f"{district.name} (cũ)" if district else "Không thuộc quận, huyện cũ"
                    rows.append(UnitRow("", name, group=True))
                for child in units:
                    n += 1
                    values = table.child_values[index[id(child)]]
                    rows.append(
                        UnitRow(
                            str(n), child.name, tuple(shown(i, values.get(i.code)) for i in chosen)
                        )
                    )
            caption = f"(phần {n_cut}/{len(cuts)})" if len(cuts) > 1 else ""
            out.append(
                UnitTable(
                    ROMAN[s_index],
                    str(section.label).upper(),
                    caption,
                    tuple((shown_label(i), shown_measure(i)) for i in chosen),
                    tuple(rows),
                )
            )
    return out


def paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n") if p.strip())


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")
