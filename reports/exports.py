"""A report as a file: JSON, CSV, XLSX or PDF, every figure from one `reports.report.Report`.

`ReportTable` says what the report's table is (pretix's `ListExporter`): its headings and a
generator of lines, a bold line per section and one per indicator of the catalogue, in the
catalogue's order. One writer per format turns a table into a file; `export(report, fmt)` picks
the writer and names the file. The page's view and the `report` command both call `export`, so
the figures are the same whatever asks for them.

A filed report is Vietnamese whatever the interface language (as the narrative is): `export`
renders under `translation.override("vi")`, and the document's own words are plain strings.
Counts are whole numbers; money is written in đồng, as stored, in every format (the narrative
alone says triệu đồng). Text cells of CSV and XLSX go through `outreach.exports.neutralise`, so a
unit named "=cmd|..." is shown, never run. No format holds a person's name: a report is counts.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outreach.exports import XLSX_CONTENT_TYPE, neutralise
from reports.indicators import (
    measure,
)
from reports.narrative import number, write
from reports.periods import OFFICIAL
from reports.report import Report, as_json
from wards.models import AdminUnit

FORMATS = ("xlsx", "csv", "pdf", "json")
CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json; charset=utf-8",
}
# PDF (A4, 170 mm of text width portrait, 271 mm landscape). Child units are columns of the
# main table while every figure still fits on one line beside a readable label; otherwise they
# go to a landscape appendix, as many per table as fit (at most APPENDIX_COLUMNS). A province's
# hundred-odd communes would make forty pages of mostly zeros: beyond APPENDIX_CHILDREN they
# are left to the XLSX and CSV, and the PDF says so. Widths are estimated from the longest
# figure of a column: DejaVu Sans digits are 0.64 em, 1.7 mm at 7.5 pt; the condensed face of
# the appendix at 7 pt, 1.45 mm.
PORTRAIT_MM, LANDSCAPE_MM = 170, 271
INLINE_LABEL_MM, INLINE_FIXED_MM = 55, 7 + 15  # the label's least width; STT and ĐVT
APPENDIX_LABEL_MM, APPENDIX_STT_MM = 62, 8
APPENDIX_COLUMNS = 12
APPENDIX_CHILDREN = 36
NO_FIGURES = "Trong kỳ không có số liệu hoạt động."
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class Line:
    """A line of the table: a section (`section=True`, no figures) or an indicator."""

    number: str  # I, II… for a section; 1, 2… for an indicator; "" for an "of which" row
    label: str
    section: bool = False
    code: str = ""
    measure: str = ""
    sub: bool = False
    value: int = 0
    previous: int = 0
    children: tuple[int, ...] = ()

    @property
    def change(self) -> int:
        return self.value - self.previous


class ReportTable:
    """The words and lines every format shares, read from one report."""

    def __init__(self, report: Report, today: datetime.date | None = None) -> None:
        self.report = report
        self.unit = report.unit
        self.period = report.period
        self.previous_period = report.previous_period
        self.children = list(report.children)
        self.today = today or timezone.localdate()

    # The words ----------------------------------------------------------------------------

    @property
    def label(self) -> str:
        return str(self.period.label)

    @property
    def label_lower(self) -> str:
        """«6 tháng đầu năm 2024», «quý III năm 2026», «giai đoạn 2012 - 2022»."""
        return _lower_first(self.label)

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
            f"{self.previous_heading}: {_lower_first(str(p.label))}, "
            f"từ ngày {_d(p.start)} đến ngày {_d(p.end)}"
        )

    @property
    def issuer(self) -> tuple[str, str, str]:
        """The issuing body's two lines and its number line, as a filed report heads them."""
        if self.unit.level == AdminUnit.Level.COMMUNE:
            return (
                f"UBND {self.unit.name.upper()}",
                "ĐỘI CÔNG TÁC XÃ HỘI TÌNH NGUYỆN",
                "Số:        /BC-ĐCTXHTN",
            )
        return ("ỦY BAN NHÂN DÂN", self.unit.name.upper(), "Số:        /BC-UBND")

    @property
    def place_date(self) -> str:
        """«Hà Nội, ngày 05 tháng 02 năm 2026»: day under 10 and months 1, 2 with a leading
        zero (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
        d = self.today
        month = f"{d.month:02d}" if d.month < 3 else str(d.month)
        return f"{place(self.unit)}, ngày {d.day:02d} tháng {month} năm {d.year}"

    @property
    def narrative(self) -> str:
        return write(self.report.values, self.period, self.report.catalogue)

    # The lines ----------------------------------------------------------------------------

    def lines(self) -> Iterator[Line]:
        for s_index, block in enumerate(self.report.sections):
            yield Line(ROMAN[s_index], str(block.section.label).upper(), section=True)
            n = 0
            for row in block.rows:
                ind = row.indicator
                if not ind.sub:
                    n += 1
                yield Line(
                    number="" if ind.sub else str(n),
                    label=str(ind.label),
                    code=ind.code,
                    measure=measure(ind),
                    sub=ind.sub,
                    value=row.value,
                    previous=row.previous,
                    children=row.children,
                )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def place(unit: AdminUnit) -> str:
    """The province's name without «Thành phố» / «Tỉnh»: «Hà Nội»."""
    code = unit.path.strip("/").split("/")[0] if unit.path else unit.code
    province = unit if code == unit.code else AdminUnit.objects.filter(code=code).first()
    name = (province or unit).name
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def filename(report: Report, fmt: str) -> str:
    """`bao-cao-<unit code>-<period spec>[-official].<ext>`: no personal data."""
    spec = report.period.spec.lower().replace("..", "_")
    official = "-official" if report.period.cutoff == OFFICIAL else ""
    return f"bao-cao-{report.unit.code}-{spec}{official}.{fmt}"


def export(report: Report, fmt: str, today: datetime.date | None = None) -> Export:
    """The report as a file in `fmt` (one of FORMATS)."""
    writer = WRITERS[fmt]
    with translation.override("vi"):
        content = writer(ReportTable(report, today))
    return Export(content, CONTENT_TYPES[fmt], filename(report, fmt))


# JSON -----------------------------------------------------------------------------------------


def write_json(table: ReportTable) -> bytes:
    """DESIGN.md's exchange shape (reports.report.as_json), indented, Vietnamese as is."""
    text = json.dumps(as_json(table.report), ensure_ascii=False, indent=2)
    return (text + "\n").encode()


# CSV ------------------------------------------------------------------------------------------


def write_csv(table: ReportTable) -> bytes:
    """One row per indicator: code, label, the unit's figure, the comparison period's, one
    column per child unit. UTF-8 with a BOM so that Excel reads the Vietnamese right."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(
        [
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            neutralise(f"{table.unit.name} - {table.label}"),
            neutralise(f"{table.unit.name} - {_lower_first(table.previous_title)}"),
            *(neutralise(c.name) for c in table.children),
        ]
    )
    for line in table.lines():
        if line.section:
            continue
        w.writerow([line.code, neutralise(line.label), line.value, line.previous, *line.children])
    return ("\ufeff" + out.getvalue()).encode()


# XLSX -----------------------------------------------------------------------------------------

# Column widths (characters): STT, Chỉ tiêu, Đơn vị tính, the unit, previous, change, children.
XLSX_WIDTHS = (5, 52, 10, 14, 14, 12)
XLSX_CHILD_WIDTH = 10
COUNT_FORMAT = "#,##0"
CHANGE_FORMAT = "+#,##0;-#,##0;0"
XLSX_A4_CHILDREN, XLSX_FIT_CHILDREN = 8, 24


def write_xlsx(table: ReportTable) -> bytes:
    """A filed report's sheet: the national header, the title and dates, a two-row heading, a
    bold row per section and a row per indicator (numbers as numbers, #,##0, money in đồng),
    the narrative below and the two signature blocks. Frozen panes, A4 landscape, fit to one
    page wide, the heading rows repeated on every printed page."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    book.set_properties({"title": neutralise(table.title), "subject": table.unit.name})
    base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}

    def fmt(**kw):
        return book.add_format({**base, **kw})

    f_centre = fmt(align="center")
    f_centre_bold = fmt(align="center", bold=True)
    f_motto = fmt(align="center", bold=True, underline=1)
    f_italic = fmt(align="center", italic=True)
    f_title = fmt(align="center", bold=True, font_size=14)
    f_note = fmt(italic=True, font_size=11)
    f_head = fmt(align="center", bold=True, text_wrap=True, border=1, bg_color="#F2F2F2")
    f_section_text = fmt(bold=True, border=1, bg_color="#F2F2F2")
    f_section_num = fmt(bold=True, border=1, bg_color="#F2F2F2", align="center")
    f_num_cell = fmt(border=1, align="center")
    f_label = fmt(border=1, text_wrap=True)
    f_sub_label = fmt(border=1, text_wrap=True, italic=True, indent=1)
    f_measure = fmt(border=1, align="center")
    f_count = fmt(border=1, num_format=COUNT_FORMAT)
    f_count_bold = fmt(border=1, num_format=COUNT_FORMAT, bold=True)
    f_change = fmt(border=1, num_format=CHANGE_FORMAT)
    f_text = fmt(text_wrap=True, valign="top", align="justify")
    f_heading = fmt(bold=True)

    sheet = book.add_worksheet("Báo cáo")
    n_children = len(table.children)
    last = len(XLSX_WIDTHS) + n_children - 1
    for col, width in enumerate(XLSX_WIDTHS):
        sheet.set_column(col, col, width)
    if n_children:
        sheet.set_column(len(XLSX_WIDTHS), last, XLSX_CHILD_WIDTH)

    # The heading of a filed document: issuer on the left, national header on the right.
    right = max(2, last - 5)
    body1, body2, number_line = table.issuer
    _merge(sheet, 0, 0, 0, 1, body1, f_centre)
    _merge(sheet, 0, right, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f_centre_bold)
    _merge(sheet, 1, 0, 1, 1, body2, f_centre_bold)
    _merge(sheet, 1, right, 1, last, "Độc lập - Tự do - Hạnh phúc", f_motto)
    _merge(sheet, 2, 0, 2, 1, number_line, f_centre)
    _merge(sheet, 2, right, 2, last, table.place_date, f_italic)

    _merge(sheet, 4, 0, 4, last, table.title, f_title)
    _merge(sheet, 5, 0, 5, last, table.subject, f_centre_bold)
    _merge(sheet, 6, 0, 6, last, f"({table.dates})", f_italic)
    note = f"So sánh với {_lower_first(table.comparison)}. Số tiền tính bằng đồng."
    sheet.write_string(7, 0, neutralise(note), f_note)

    # The two heading rows; the child units under one merged heading.
    top = 9
    headings = (
        "STT",
        "Chỉ tiêu",
        "Đơn vị tính",
        f"Thực hiện {table.label_lower}",
        table.previous_title,
        "Tăng (+), giảm (-)",
    )
    for col, text in enumerate(headings):
        _merge(sheet, top, col, top + 1, col, text, f_head)
    if n_children:
        _merge(sheet, top, len(headings), top, last, "Chia theo đơn vị trực thuộc", f_head)
        for i, child in enumerate(table.children):
            sheet.write_string(top + 1, len(headings) + i, neutralise(child.name), f_head)
    sheet.set_row(top, 30)
    sheet.set_row(top + 1, 48 if n_children else 20)

    row = top + 2
    for line in table.lines():
        if line.section:
            sheet.write_string(row, 0, line.number, f_section_num)
            _merge(sheet, row, 1, row, last, f"{line.label}", f_section_text)
        else:
            sheet.write_string(row, 0, line.number, f_num_cell)
            sheet.write_string(row, 1, neutralise(line.label), f_sub_label if line.sub else f_label)
            sheet.write_string(row, 2, line.measure, f_measure)
            sheet.write_number(row, 3, line.value, f_count_bold)
            sheet.write_number(row, 4, line.previous, f_count)
            sheet.write_number(row, 5, line.change, f_change)
            for i, value in enumerate(line.children):
                sheet.write_number(row, len(headings) + i, value, f_count)
            if len(line.label) > XLSX_WIDTHS[1] + 10:
                sheet.set_row(row, 32)
        row += 1

    # The narrative under the table, then the signature blocks.
    row += 1
    sheet.write_string(row, 0, "Tình hình, kết quả chung:", f_heading)
    row += 1
    text = table.narrative or NO_FIGURES
    width = sum(XLSX_WIDTHS) + n_children * XLSX_CHILD_WIDTH
    sheet.set_row(row, 16 * math.ceil(len(text) / width) + 6)
    _merge(sheet, row, 0, row, last, text, f_text)
    row += 2
    _merge(sheet, row, 0, row, 1, "NGƯỜI LẬP BIỂU", f_centre_bold)
    _merge(sheet, row, right, row, last, "THỦ TRƯỞNG ĐƠN VỊ", f_centre_bold)
    row += 1
    _merge(sheet, row, 0, row, 1, "(Ký, ghi rõ họ tên)", f_italic)
    _merge(sheet, row, right, row, last, "(Ký, ghi rõ họ tên, đóng dấu)", f_italic)

    sheet.freeze_panes(top + 2, 2)
    _print_setup(sheet, n_children)
    sheet.repeat_rows(top, top + 1)
    sheet.print_area(0, 0, row, last)
    sheet.set_footer("&CTrang &P/&N")
    book.close()
    return output.getvalue()


def _print_setup(sheet, n_children: int) -> None:
    """The paper a clerk would print it on: A4 portrait for a ward's six columns, A4
    landscape with up to eight child units, A3 landscape up to 24, each fitted to one page
    wide. Beyond that no paper is wide enough: A3 landscape at 85 %, the pages printed across
    with STT and Chỉ tiêu repeated on each."""
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    if n_children == 0:
        sheet.set_paper(9)
        sheet.set_portrait()
    else:
        sheet.set_paper(9 if n_children <= XLSX_A4_CHILDREN else 8)
        sheet.set_landscape()
    if n_children <= XLSX_FIT_CHILDREN:
        sheet.fit_to_pages(1, 0)
    else:
        sheet.set_print_scale(85)
        sheet.repeat_columns(0, 1)
        sheet.print_across()


def _merge(sheet, r1: int, c1: int, r2: int, c2: int, text: str, cell_format) -> None:
    """A merged cell of neutralised text; a single cell when the range is one cell."""
    text = neutralise(str(text))
    if r1 == r2 and c1 == c2:
        sheet.write_string(r1, c1, text, cell_format)
    else:
        sheet.merge_range(r1, c1, r2, c2, text, cell_format)


# PDF ------------------------------------------------------------------------------------------


def _signed(n: int) -> str:
    return f"+{number(n)}" if n > 0 else (f"-{number(-n)}" if n < 0 else "0")


def _width(texts, per_digit: float, least: float) -> float:
    """The estimated width in mm of a column of figures that must not wrap: a digit is
    `per_digit` wide, a dot or a sign about half that, plus the cell's padding."""
    return max(
        [least, *(sum(per_digit if c.isdigit() else per_digit / 2 for c in t) + 3 for t in texts)]
    )


def _appendix(table: ReportTable, lines: list[dict]) -> list[dict]:
    """The child units' columns cut into landscape tables of equal share, as many per table as
    fit, every child column as wide as the widest figure needs."""
    children = table.children
    figures = [x for x in lines if not x["line"].section]
    total = _width([x["value"] for x in figures], 1.55, 15)
    width = _width([v for x in figures for v in x["children"]], 1.45, 12)
    room = LANDSCAPE_MM - APPENDIX_STT_MM - APPENDIX_LABEL_MM - total
    fit = max(1, min(APPENDIX_COLUMNS, int(room // width)))
    count = math.ceil(len(children) / fit)
    size = math.ceil(len(children) / count)
    parts = []
    for index, first in enumerate(range(0, len(children), size), start=1):
        chunk = slice(first, first + size)
        parts.append(
            {
                "children": children[chunk],
                "width": f"{width:.1f}mm",
                "total_width": f"{total:.1f}mm",
                "section_span": len(children[chunk]) + 2,
                "caption": f"Phụ lục (tiếp theo), phần {index}/{count}",
                "lines": [
                    {"line": x["line"], "value": x["value"], "children": x["children"][chunk]}
                    for x in lines
                ],
            }
        )
    return parts


def pdf_context(table: ReportTable) -> dict:
    """Everything the PDF template shows, formatted: the template computes nothing."""
    children = table.children
    lines = [
        {
            "line": line,
            "value": "" if line.section else number(line.value),
            "previous": "" if line.section else number(line.previous),
            "change": "" if line.section else _signed(line.change),
            "children": [number(v) for v in line.children],
        }
        for line in table.lines()
    ]
    figures = [x for x in lines if not x["line"].section]
    columns = [[x[k] for x in figures] for k in ("value", "previous", "change")]
    columns += [[x["children"][i] for x in figures] for i in range(len(children))]
    need = INLINE_FIXED_MM + INLINE_LABEL_MM + sum(_width(c, 1.7, 13) for c in columns)
    inline = not children or need <= PORTRAIT_MM
    appendix = []
    if not inline and len(children) <= APPENDIX_CHILDREN:
        appendix = _appendix(table, lines)
    note = f"So sánh với {_lower_first(table.comparison)}. Số tiền tính bằng đồng."
    if appendix:
        note += f" Số liệu chia theo {len(children)} đơn vị trực thuộc tại Phụ lục kèm theo."
    elif not inline:
        note += (
            f" Số liệu chia theo {len(children)} đơn vị trực thuộc không in kèm báo cáo này; "
            "xem bản Excel (XLSX) hoặc CSV."
        )
    issuer = table.issuer
    return {
        "t": table,
        "issuer": issuer[:2],
        "number_line": issuer[2],
        "narrative": table.narrative or NO_FIGURES,
        "note": note,
        "lines": lines,
        "inline_children": children if inline else [],
        "head_rows": 2 if inline and children else 1,
        "section_span": 5 + (len(children) if inline else 0),
        "appendix": appendix,
        "heading_value": f"Thực hiện {table.label_lower}",
        "heading_previous": table.previous_title,
    }


def write_pdf(table: ReportTable) -> bytes:
    """The report laid out as a filed document (templates/reports/pdf.html) by WeasyPrint.
    Nothing is fetched: the template carries its own style and the fonts are the system's."""
    import weasyprint  # slow to import; only the PDF needs it

    html = render_to_string("reports/pdf.html", pdf_context(table))
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report PDF fetches nothing ({url})")


WRITERS = {"json": write_json, "csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
