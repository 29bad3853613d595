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

import contextlib
import csv
import functools
import gc
import io
import json
import math
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.template.loader import render_to_string
from django.utils import translation

from outreach.exports import XLSX_CONTENT_TYPE, neutralise
from reports.document import (
    NO_FIGURES,
    NONE,
    ROMAN,
    UNIT_COLUMNS,
    Figure,
    Line,
    ReportTable,
    UnitTable,
    figure_text,
    lower_first,
    place,
    signed_text,
    unit_tables,
)
from reports.indicators import measure
from reports.periods import OFFICIAL
from reports.report import Report, as_json

__all__ = ["NO_FIGURES", "ROMAN", "Line", "ReportTable", "measure", "place"]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("xlsx", "docx", "pdf", "csv", "json")
# The formats a submitted report is downloaded in: the filed document.
SUBMISSION_FORMATS = ("pdf", "docx", "xlsx")
CONTENT_TYPES = {
    "xlsx": XLSX_CONTENT_TYPE,
    "docx": DOCX_CONTENT_TYPE,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json; charset=utf-8",
}
# PDF (A4, 170 mm of text width portrait, 271 mm landscape). Child units are columns of the
# main table while every figure still fits on one line beside a readable label; otherwise they
# go down the side of a landscape appendix, one table per section of at most
# reports.document.UNIT_COLUMNS indicators (reports.document.unit_tables, as the DOCX and the
# XLSX lay them out), as many tables to a page as fit. Widths are estimated from the longest
# figure of a column: DejaVu Sans digits are 0.64 em, 1.7 mm at 7.5 pt.
PORTRAIT_MM, LANDSCAPE_MM = 170, 271
INLINE_LABEL_MM, INLINE_FIXED_MM = 55, 7 + 15  # the label's least width; STT and ĐVT
# The appendix's columns: STT, the unit's name, then each indicator as wide as ten fill the page.
APPENDIX_STT_MM, APPENDIX_NAME_MM = 8, 45
APPENDIX_FIGURE_MM = (LANDSCAPE_MM - APPENDIX_STT_MM - APPENDIX_NAME_MM) / UNIT_COLUMNS


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def filename(report: Report, fmt: str) -> str:
    """`bao-cao-<unit code>-<period spec>[-official].<ext>`: no personal data."""
    return f"{_stem(report.unit.code, report.period)}.{fmt}"


def submission_filename(submission, fmt: str) -> str:
    """`bao-cao-<unit code>-<period spec>[-official]-lan-<version>.<ext>`: no personal data."""
    return f"{_stem(submission.unit.code, submission.period)}-lan-{submission.version}.{fmt}"


def _stem(code: str, period) -> str:
    spec = period.spec.lower().replace("..", "_")
    official = "-official" if period.cutoff == OFFICIAL else ""
    return f"bao-cao-{code}-{spec}{official}"


def export(
    report: Report,
    fmt: str,
    today=None,
    *,
    issuer=None,
    hide_empty: bool = False,
) -> Export:
    """The report as a file in `fmt` (one of FORMATS), issued by `issuer` (the office of the
    user who asks, reports.document.issuer_for; the report's unit as it is today when None),
    dated `today`; `hide_empty` leaves out the child units without figures."""
    writer = WRITERS[fmt]
    with translation.override("vi"):
        content = writer(ReportTable(report, today, issuer=issuer, hide_empty=hide_empty))
    return Export(content, CONTENT_TYPES[fmt], filename(report, fmt))


def export_submission(submission, fmt: str, *, hide_empty: bool = False) -> Export:
    """A submitted report as the filed document in `fmt` (one of SUBMISSION_FORMATS): its frozen
    figures, its words, number and issuing office, dated the day it was submitted."""
    if fmt not in SUBMISSION_FORMATS:
        raise ValueError(f"a submitted report is not written as {fmt!r}")
    writer = WRITERS[fmt]
    with translation.override("vi"):
        content = writer(ReportTable.filed(submission, hide_empty=hide_empty))
    return Export(content, CONTENT_TYPES[fmt], submission_filename(submission, fmt))


# JSON -----------------------------------------------------------------------------------------


def write_json(table: ReportTable) -> bytes:
    """DESIGN.md's exchange shape (reports.report.as_json), indented, Vietnamese as is."""
    text = json.dumps(as_json(table.report), ensure_ascii=False, indent=2)
    return (text + "\n").encode()


# CSV ------------------------------------------------------------------------------------------


def write_csv(table: ReportTable) -> bytes:
    """One row per indicator: code, label, the unit's figure, the comparison period's, one
    column per child unit, as stored (money in đồng). UTF-8 with a BOM so that Excel reads the
    Vietnamese right."""
    out = io.StringIO()
    w = csv.writer(out)
    keep = table.shown_children
    w.writerow(
        [
            "Mã chỉ tiêu",
            "Chỉ tiêu",
            neutralise(f"{table.unit.name} - {table.label}"),
            neutralise(f"{table.unit.name} - {lower_first(table.previous_title)}"),
            *(neutralise(table.children[i].name) for i in keep),
        ]
    )
    for ind in table.catalogue.indicators:
        code = ind.code
        w.writerow(
            [
                code,
                neutralise(str(ind.label)),
                table.values.get(code, ""),
                table.previous.get(code, ""),
                *(table.child_values[i].get(code, "") for i in keep),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


# XLSX -----------------------------------------------------------------------------------------

# Column widths (characters): STT, Chỉ tiêu, Đơn vị tính, the unit, previous, change, children.
XLSX_WIDTHS = (5, 52, 11, 14, 14, 12)
XLSX_CHILD_WIDTH = 10
COUNT_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#"
CHANGE_FORMAT = "+#,##0;-#,##0;0"
DECIMAL_CHANGE_FORMAT = "+#,##0.0#;-#,##0.0#;0"
# At most this many child units as columns of the main table (A4 landscape, one page wide);
# more go down the side of the appendix sheets, one per section (reports.document.unit_tables).
XLSX_INLINE_CHILDREN = 8
# The appendix sheets: STT, the unit's name, then the section's indicators.
XLSX_UNIT_WIDTHS = (5, 30)
XLSX_INDICATOR_WIDTH = 12


class _Book:
    """An xlsxwriter workbook with the report's cell formats."""

    def __init__(self, output) -> None:
        self.book = xlsxwriter.Workbook(
            output,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        self.formats: dict[tuple, object] = {}

    def fmt(self, **kw):
        key = tuple(sorted(kw.items()))
        if key not in self.formats:
            base = {"font_name": "Times New Roman", "font_size": 12, "valign": "vcenter"}
            self.formats[key] = self.book.add_format({**base, **kw})
        return self.formats[key]

    def figure(self, sheet, row: int, col: int, value: Figure, *, change=False, bold=False):
        """A figure as a number (a decimal one for triệu đồng not whole), «—» for none."""
        if value is None:
            sheet.write_string(row, col, NONE, self.fmt(border=1, align="center", bold=bold))
            return
        whole = not isinstance(value, Decimal) or value == value.to_integral_value()
        if change:
            num_format = CHANGE_FORMAT if whole else DECIMAL_CHANGE_FORMAT
        else:
            num_format = COUNT_FORMAT if whole else DECIMAL_FORMAT
        number = int(value) if whole else float(value)
        sheet.write_number(row, col, number, self.fmt(border=1, num_format=num_format, bold=bold))


def write_xlsx(table: ReportTable) -> bytes:
    """A filed report's workbook. Its first sheet: the national header in the first columns
    (on page one whatever the width), the title and dates, a two-row heading, a bold row per
    section and a row per indicator (numbers as numbers, money in triệu đồng), the
    explanations, the narrative and the sections, «Nơi nhận» and the signature. With more than
    XLSX_INLINE_CHILDREN child units, one appendix sheet per section (cut every
    reports.document.UNIT_COLUMNS indicators) with the units down the side. Every sheet prints
    on A4 (portrait for a ward, landscape otherwise) one page wide, its headings repeated."""
    output = io.BytesIO()
    b = _Book(output)
    fmt = b.fmt
    b.book.set_properties({"title": neutralise(table.title), "subject": table.unit.name})
    f_centre = fmt(align="center", text_wrap=True)
    f_centre_bold = fmt(align="center", bold=True, text_wrap=True)
    f_motto = fmt(align="center", bold=True, underline=1)
    f_italic = fmt(align="center", italic=True)
    f_title = fmt(align="center", bold=True, font_size=14, text_wrap=True)
    f_note = fmt(italic=True, font_size=11)
    f_head = fmt(align="center", bold=True, text_wrap=True, border=1, bg_color="#F2F2F2")
    f_section_text = fmt(bold=True, border=1, bg_color="#F2F2F2")
    f_section_num = fmt(bold=True, border=1, bg_color="#F2F2F2", align="center")
    f_num_cell = fmt(border=1, align="center")
    f_label = fmt(border=1, text_wrap=True)
    f_sub_label = fmt(border=1, text_wrap=True, italic=True, indent=1)
    f_text = fmt(text_wrap=True, valign="top", align="justify")
    f_heading = fmt(bold=True)
    f_left = fmt(font_size=11, valign="top")
    f_left_bold = fmt(bold=True, italic=True, font_size=11)

    sheet = b.book.add_worksheet("Báo cáo")
    children = table.table_children
    inline = len(children) <= XLSX_INLINE_CHILDREN
    n_inline = len(children) if inline else 0
    last = len(XLSX_WIDTHS) + n_inline - 1
    for col, width in enumerate(XLSX_WIDTHS):
        sheet.set_column(col, col, width)
    if n_inline:
        sheet.set_column(len(XLSX_WIDTHS), last, XLSX_CHILD_WIDTH)

    # The heading of a filed document, in the first six columns whatever the table's width:
    # issuer on the left (STT, Chỉ tiêu), the national header on the right.
    body1, body2, number_line = table.issuer
    _merge(sheet, 0, 0, 0, 1, body1, f_centre)
    _merge(sheet, 0, 2, 0, 5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f_centre_bold)
    _merge(sheet, 1, 0, 1, 1, body2, f_centre_bold)
    _merge(sheet, 1, 2, 1, 5, "Độc lập - Tự do - Hạnh phúc", f_motto)
    _merge(sheet, 2, 0, 2, 1, number_line, f_centre)
    _merge(sheet, 2, 2, 2, 5, table.place_date, f_italic)

    _merge(sheet, 4, 0, 4, 5, table.title, f_title)
    _merge(sheet, 5, 0, 5, 5, table.subject, f_centre_bold)
    _merge(sheet, 6, 0, 6, 5, f"({table.dates})", f_italic)
    parts = table.parts()
    sheet.write_string(7, 0, f"{parts[0].number}. {parts[0].heading}", f_heading)
    note = table.note
    appendix = [] if inline else unit_tables(table)
    if appendix:
        note += (
            f" Số liệu chia theo {len(children)} đơn vị trực thuộc tại các trang Phụ lục"
            " (PL I, PL II, …) của tệp này."
        )
    sheet.write_string(8, 0, neutralise(note + table.left_out_note), f_note)

    # The two heading rows; the child units under one merged heading.
    top = 9
    headings = table.main_headings
    for col, text in enumerate(headings):
        _merge(sheet, top, col, top + 1, col, text, f_head)
    if n_inline:
        _merge(sheet, top, len(headings), top, last, "Chia theo đơn vị trực thuộc", f_head)
        for i, child in enumerate(children):
            sheet.write_string(top + 1, len(headings) + i, neutralise(child.name), f_head)
    sheet.set_row(top, 30)
    sheet.set_row(top + 1, 48 if n_inline else 20)

    row = top + 2
    for line in table.lines():
        if line.section:
            sheet.write_string(row, 0, line.number, f_section_num)
            _merge(sheet, row, 1, row, last, line.label, f_section_text)
        else:
            sheet.write_string(row, 0, line.number, f_num_cell)
            sheet.write_string(row, 1, neutralise(line.label), f_sub_label if line.sub else f_label)
            sheet.write_string(row, 2, line.measure, f_num_cell)
            b.figure(sheet, row, 3, line.shown_value, bold=True)
            b.figure(sheet, row, 4, line.shown_previous)
            b.figure(sheet, row, 5, line.shown_change, change=True)
            if n_inline:
                for i, value in enumerate(line.shown_children):
                    b.figure(sheet, row, len(headings) + i, value)
            if len(line.label) > XLSX_WIDTHS[1] + 10:
                sheet.set_row(row, 32)
        row += 1

    # The explanations, the narrative and the sections under the table.
    width = sum(XLSX_WIDTHS) + n_inline * XLSX_CHILD_WIDTH

    def paragraph(text: str) -> None:
        nonlocal row
        sheet.set_row(row, 16 * math.ceil(len(text) * 1.1 / width) + 6)
        _merge(sheet, row, 0, row, last, text, f_text)
        row += 1

    if table.explanations:
        row += 1
        sheet.write_string(row, 0, "Giải trình số liệu:", f_heading)
        row += 1
        for text in table.explanations:
            paragraph(f"- {text}")
    for part in parts[1:]:
        row += 1
        sheet.write_string(row, 0, f"{part.number}. {part.heading}", f_heading)
        row += 1
        for text in part.paragraphs:
            paragraph(text)

    # «Nơi nhận» on the left, the signature on the right.
    row += 1
    first = row
    sheet.write_string(row, 0, "Nơi nhận:", f_left_bold)
    for text in table.recipients:
        row += 1
        _merge(sheet, row, 0, row, 1, text, f_left)
    _merge(sheet, first, 2, first, 5, table.signer, f_centre_bold)
    _merge(sheet, first + 1, 2, first + 1, 5, "(Ký, ghi rõ họ tên, đóng dấu)", f_italic)
    row = max(row, first + 1)

    sheet.freeze_panes(top + 2, 2)
    _print_setup(sheet, landscape=bool(table.children))
    sheet.repeat_rows(top, top + 1)
    sheet.repeat_columns(0, 1)
    sheet.print_area(0, 0, row, last)
    sheet.set_footer("&CTrang &P/&N")

    for part in appendix:
        _unit_sheet(b, table, part)
    b.book.close()
    return output.getvalue()


def _unit_sheet(b: _Book, table: ReportTable, part) -> None:
    """An appendix sheet: a section's indicators across, the child units down the side."""
    fmt = b.fmt
    name = f"PL {part.number}"
    if part.caption:
        name += "." + part.caption.split()[1].split("/")[0]
    sheet = b.book.add_worksheet(name)
    last = len(XLSX_UNIT_WIDTHS) + len(part.columns) - 1
    for col, width in enumerate(XLSX_UNIT_WIDTHS):
        sheet.set_column(col, col, width)
    sheet.set_column(len(XLSX_UNIT_WIDTHS), last, XLSX_INDICATOR_WIDTH)
    _merge(sheet, 0, 0, 0, last, "PHỤ LỤC", fmt(align="center", bold=True, font_size=13))
    _merge(
        sheet,
        1,
        0,
        1,
        last,
        f"Số liệu chia theo đơn vị trực thuộc: {part.number}. {part.heading} {part.caption}",
        fmt(align="center", bold=True),
    )
    _merge(
        sheet,
        2,
        0,
        2,
        last,
        f"(Kèm theo Báo cáo kết quả hoạt động {table.label_lower} {table.subject})",
        fmt(align="center", italic=True, text_wrap=True),
    )
    sheet.set_row(2, 32)
    top = 4
    f_head = fmt(align="center", bold=True, text_wrap=True, border=1, bg_color="#F2F2F2")
    sheet.write_string(top, 0, "STT", f_head)
    sheet.write_string(top, 1, "Đơn vị", f_head)
    for i, heading in enumerate(part.headings):
        sheet.write_string(top, 2 + i, neutralise(heading), f_head)
    longest = max((len(label) for label, _u in part.columns), default=10)
    sheet.set_row(top, min(160, 15 * math.ceil((longest + 12) / XLSX_INDICATOR_WIDTH) + 6))
    row = top + 1
    for line in part.rows:
        if line.group:
            _merge(
                sheet,
                row,
                0,
                row,
                last,
                neutralise(line.name),
                fmt(bold=True, italic=True, border=1),
            )
        else:
            bold = line.total
            sheet.write_string(row, 0, line.number, fmt(border=1, align="center", bold=bold))
            sheet.write_string(row, 1, neutralise(line.name), fmt(border=1, bold=bold))
            for i, value in enumerate(line.figures):
                b.figure(sheet, row, 2 + i, value, bold=bold)
        row += 1
    sheet.freeze_panes(top + 1, 2)
    _print_setup(sheet, landscape=True)
    sheet.repeat_rows(top)
    sheet.repeat_columns(0, 1)
    sheet.print_area(0, 0, row - 1, last)
    sheet.set_footer(f"&C{part.number} - Trang &P/&N")


def _print_setup(sheet, landscape: bool) -> None:
    """A4 (paper 9) always: portrait for a ward's six columns, landscape otherwise, fitted to
    one page wide; the sheet's heading rows and first columns repeat on every page."""
    sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)


def _merge(sheet, r1: int, c1: int, r2: int, c2: int, text: str, cell_format) -> None:
    """A merged cell of neutralised text; a single cell when the range is one cell."""
    text = neutralise(str(text))
    if r1 == r2 and c1 == c2:
        sheet.write_string(r1, c1, text, cell_format)
    else:
        sheet.merge_range(r1, c1, r2, c2, text, cell_format)


# PDF ------------------------------------------------------------------------------------------


def _width(texts, per_digit: float, least: float) -> float:
    """The estimated width in mm of a column of figures that must not wrap: a digit is
    `per_digit` wide, a dot or a sign about half that, plus the cell's padding."""
    return max(
        [least, *(sum(per_digit if c.isdigit() else per_digit / 2 for c in t) + 3 for t in texts)]
    )


def _appendix_table(part: UnitTable) -> dict:
    """An appendix table as the template shows it: its heading, its columns' widths and
    headings, and its rows with their figures written out."""
    n = len(part.columns)
    heading = f"{part.number}. {part.heading}"
    return {
        "heading": f"{heading} {part.caption}" if part.caption else heading,
        "width": f"{APPENDIX_STT_MM + APPENDIX_NAME_MM + n * APPENDIX_FIGURE_MM:.1f}mm",
        "stt_width": f"{APPENDIX_STT_MM}mm",
        "name_width": f"{APPENDIX_NAME_MM}mm",
        "figure_width": f"{APPENDIX_FIGURE_MM:.1f}mm",
        "columns": part.headings,
        "span": n + 2,
        "rows": [
            {
                "number": row.number,
                "name": row.name,
                "group": row.group,
                "total": row.total,
                "figures": [figure_text(v) for v in row.figures],
            }
            for row in part.rows
        ],
    }


def _children_note(table: ReportTable, inline: bool) -> str:
    """What the note under part I says of the child units: where their figures are, and how
    many were left out for having none."""
    shown = len(table.table_children)
    note = ""
    if shown and not inline:
        note = (
            f" Số liệu chia theo {shown} đơn vị trực thuộc (các chỉ tiêu chính) tại Phụ lục kèm"
            " theo; số liệu chi tiết của từng đơn vị trong bản Excel."
        )
    return note + table.left_out_note


def pdf_context(table: ReportTable) -> dict:
    """Everything the PDF template shows, formatted: the template computes nothing."""
    children = table.table_children
    lines = [
        {
            "line": line,
            "value": "" if line.section else figure_text(line.shown_value),
            "previous": "" if line.section else figure_text(line.shown_previous),
            "change": "" if line.section else signed_text(line.shown_change),
            "children": [figure_text(v) for v in line.shown_children],
        }
        for line in table.lines()
    ]
    figures = [x for x in lines if not x["line"].section]
    columns = [[x[k] for x in figures] for k in ("value", "previous", "change")]
    columns += [[x["children"][i] for x in figures] for i in range(len(children))]
    need = INLINE_FIXED_MM + INLINE_LABEL_MM + sum(_width(c, 1.7, 13) for c in columns)
    inline = not children or need <= PORTRAIT_MM
    appendix = [] if inline else [_appendix_table(p) for p in unit_tables(table, main_only=True)]
    issuer = table.issuer
    parts = table.parts()
    return {
        "t": table,
        "issuer": issuer[:2],
        "number_line": issuer[2],
        "figures_part": parts[0],
        "parts": parts[1:],
        "explanations": table.explanations,
        "note": table.note + _children_note(table, inline),
        "lines": lines,
        "inline_children": children if inline else [],
        "head_rows": 2 if inline and children else 1,
        "section_span": 5 + (len(children) if inline else 0),
        "appendix": appendix,
        "heading_value": table.main_headings[3],
        "heading_previous": table.previous_title,
    }


# The user-agent style sheet the PDF needs: only the display of the elements the template uses.
# WeasyPrint's own (html5_ua.css, 250 lines of rules for every HTML element) is matched against
# every cell of the tables, a quarter of the time a district's report takes to lay out; the
# template sets every margin, font and alignment it relies on itself.
PDF_UA = """
html, body, div, section, p, h1, h2, ul { display: block }
head, style, title, meta { display: none }
span { display: inline }
li { display: list-item }
table { display: table; box-sizing: border-box; border-spacing: 2px; text-indent: 0 }
thead { display: table-header-group; vertical-align: middle }
tbody { display: table-row-group; vertical-align: middle }
colgroup { display: table-column-group }
col { display: table-column }
tr { display: table-row }
td, th { display: table-cell; vertical-align: inherit }
th { font-weight: bold; text-align: center }
h1, h2 { font-weight: bold }
ul { list-style-type: disc }
"""


def write_pdf(table: ReportTable) -> bytes:
    """The report laid out as a filed document (templates/reports/pdf.html) by WeasyPrint.
    Nothing is fetched: the template carries its own style and the fonts are the system's
    (subset by HarfBuzz where Debian's libharfbuzz-subset0 is installed, by fontTools, slower,
    otherwise)."""
    html = render_to_string("reports/pdf.html", pdf_context(table))
    with _collector_paused():
        return _lean_html()(string=html, url_fetcher=_no_fetch).write_pdf()


@contextlib.contextmanager
def _collector_paused():
    """Python's cyclic garbage collector paused while WeasyPrint lays the document out: it
    allocates hundreds of thousands of boxes, and each full collection would walk the whole of
    a Django process's heap again (a tenth to a fifth of a district report's time). Its cycles
    are collected when the collector runs again after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@functools.cache
def _lean_html():
    """weasyprint.HTML with PDF_UA as its user-agent style sheet (imported on first use: slow
    to import, and only the PDF needs it)."""
    import weasyprint

    ua = weasyprint.CSS(string=PDF_UA)

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [ua]

    return LeanHTML


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the report PDF fetches nothing ({url})")


def write_docx(table: ReportTable) -> bytes:
    from reports.docx import write_docx as write  # python-docx: only the DOCX needs it

    return write(table)


WRITERS = {
    "json": write_json,
    "csv": write_csv,
    "xlsx": write_xlsx,
    "docx": write_docx,
    "pdf": write_pdf,
}
