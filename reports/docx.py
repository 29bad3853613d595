"""A filed report as a Word document (python-docx), for the office to edit before signing.

The layout of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục I): A4 portrait,
margins 20 mm top and bottom, 30 mm left, 15 mm right, Times New Roman 13 pt; the heading as a
two-column borderless table (the issuing office and «Số» on the left, the national header and
the place and date on the right); the title; the figures as a Word table (STT, Chỉ tiêu, Đơn vị
tính, the period, the comparison period, the change), its heading repeated on every page; the
explanations, the narrative and the optional sections; «Nơi nhận» on the left and the signature
on the right. The child units' figures follow in a landscape section, one table per section of
the catalogue with the units down the side (reports.document.unit_tables). Everything is real
paragraphs and tables, never images. Context: a reports.document.ReportTable.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.document import ReportTable, figure_text, signed_text, unit_tables

FONT = "Times New Roman"
BODY_PT, TABLE_PT, APPENDIX_PT = 13, 11, 9
A4 = (Mm(210), Mm(297))
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
# Portrait text width: 210 - 30 - 15 = 165 mm; landscape: 297 - 30 - 15 = 252 mm.
MAIN_WIDTHS_MM = (12, 58, 21, 24, 27, 23)
APPENDIX_STT_MM, APPENDIX_NAME_MM, APPENDIX_TEXT_MM = 10, 45, 252


def write_docx(table: ReportTable) -> bytes:
    doc = Document()
    styles = _styles(doc)
    section = doc.sections[0]
    _page(section, landscape=False)

    _masthead(doc, table)
    _para(doc, "BÁO CÁO", bold=True, align="center", space_before=12, space_after=0)
    _para(doc, f"Kết quả hoạt động {table.label_lower}", bold=True, align="center", space_after=0)
    _para(doc, table.subject, bold=True, align="center", space_after=0)
    _para(doc, f"({table.dates})", italic=True, align="center", space_after=12)

    parts = table.parts()
    first = parts[0]
    _para(doc, f"{first.number}. {first.heading}", bold=True, space_after=4)
    note = table.note
    if table.table_children:
        note += (
            f" Số liệu chia theo {len(table.table_children)} đơn vị trực thuộc (các chỉ tiêu"
            " chính) tại Phụ lục kèm theo; số liệu chi tiết của từng đơn vị trong bản Excel."
        )
    note += table.left_out_note
    _para(doc, note, italic=True, size=TABLE_PT, space_after=4)
    _figures(doc, table, styles)

    if table.explanations:
        _para(doc, "Giải trình số liệu:", bold=True, space_before=8, space_after=2)
        for text in table.explanations:
            _para(doc, f"- {text}", justify=True, indent=True)
    for part in parts[1:]:
        _para(doc, f"{part.number}. {part.heading}", bold=True, space_before=8, space_after=4)
        for text in part.paragraphs:
            _para(doc, text, justify=True, indent=True)

    _signature(doc, table)

    if table.table_children:
        appendix = doc.add_section(WD_SECTION.NEW_PAGE)
        _page(appendix, landscape=True)
        _appendix(doc, table, styles)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# Page and styles ---------------------------------------------------------------------------------


# The paragraph styles of the table cells: (name, size, alignment).
TABLE_STYLES = {
    "text": ("DH Bảng", TABLE_PT, "left"),
    "centre": ("DH Bảng giữa", TABLE_PT, "center"),
    "figure": ("DH Bảng số", TABLE_PT, "right"),
    "a_text": ("DH Phụ lục", APPENDIX_PT, "left"),
    "a_centre": ("DH Phụ lục giữa", APPENDIX_PT, "center"),
    "a_figure": ("DH Phụ lục số", APPENDIX_PT, "right"),
}


def _styles(doc) -> dict:
    """Times New Roman 13 pt for the text; the cells' styles (TABLE_STYLES), by key."""
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.1
    core = doc.core_properties
    core.author = ""
    core.last_modified_by = ""
    styles = {}
    for key, (name, size, align) in TABLE_STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        fmt = style.paragraph_format
        fmt.alignment = ALIGN[align]
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = 1.0
        styles[key] = style
    return styles


def _page(section, *, landscape: bool) -> None:
    width, height = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]


ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _para(
    container,
    text: str,
    *,
    bold=False,
    italic=False,
    underline=False,
    align=None,
    size=None,
    justify=False,
    indent=False,
    space_before=0,
    space_after=3,
    paragraph=None,
):
    p = paragraph if paragraph is not None else container.add_paragraph()
    run = p.add_run(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if underline:
        run.underline = True
    if size:
        run.font.size = Pt(size)
    fmt = p.paragraph_format
    if justify:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    elif align:
        p.alignment = ALIGN[align]
    if indent:
        fmt.first_line_indent = Mm(10)
    fmt.space_before, fmt.space_after = Pt(space_before), Pt(space_after)
    return p


def _cell(cell, text: str, style, *, bold=False, italic=False, width=None) -> None:
    """A cell's text in one of the table styles (TABLE_STYLES): a style set once per cell
    rather than its font, size, alignment and spacing, for a province's thousands of cells."""
    p = cell.paragraphs[0]
    p._p.style = style.style_id  # by id: `p.style = style` looks it up among all styles
    run = p.add_run(text)
    if bold:
        run.bold = True
    if italic:
        run.italic = True
    if width is not None:
        cell.width = width


def _repeat_heading(row) -> None:
    """Word repeats this row at the top of every page the table runs onto."""
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _keep_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _shade(cell, fill: str = "F2F2F2") -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _fixed(table, widths_mm) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)


# The parts -----------------------------------------------------------------------------------


def _masthead(doc, table: ReportTable) -> None:
    """The borderless two-column heading: the office and «Số» left, the nation right."""
    line1, line2, number_line = table.issuer
    grid = doc.add_table(rows=1, cols=2)  # the default table style has no borders
    _fixed(grid, (68, 97))
    left, right = grid.rows[0].cells
    left.width, right.width = Mm(68), Mm(97)
    _para(left, line1, align="center", size=12, space_after=0, paragraph=left.paragraphs[0])
    _para(left, line2, bold=True, align="center", size=12, space_after=0)
    _para(left, "———", align="center", size=8, space_after=2)
    _para(left, number_line, align="center", space_after=0)
    p = right.paragraphs[0]
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center", size=12,
          space_after=0, paragraph=p)  # fmt: skip
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, underline=True, align="center")
    _para(right, table.place_date, italic=True, align="center", space_before=6)


def _figures(doc, table: ReportTable, styles: dict) -> None:
    """The figures: a section row (I, II…) and a row per indicator, money in triệu đồng."""
    lines = list(table.lines())
    grid = doc.add_table(rows=1 + len(lines), cols=6)
    grid.style = "Table Grid"
    _fixed(grid, MAIN_WIDTHS_MM)
    widths = [Mm(w) for w in MAIN_WIDTHS_MM]
    headings = table.main_headings
    head = grid.rows[0]
    _repeat_heading(head)
    for cell, text, width in zip(head.cells, headings, widths, strict=True):
        _cell(cell, text, styles["centre"], bold=True, width=width)
        _shade(cell)
    kinds = (styles["centre"], styles["text"], styles["centre"], *[styles["figure"]] * 3)
    for row, line in zip(grid.rows[1:], lines, strict=True):
        _keep_row(row)
        cells = row.cells
        if line.section:
            _cell(cells[0], line.number, styles["centre"], bold=True)
            merged = cells[1].merge(cells[5])
            _cell(merged, line.label, styles["text"], bold=True)
            _shade(cells[0])
            _shade(merged)
            continue
        texts = (
            line.number,
            line.label,
            line.measure,
            figure_text(line.shown_value),
            figure_text(line.shown_previous),
            signed_text(line.shown_change),
        )
        for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            _cell(cell, text, kinds[i], bold=i == 3, italic=line.sub and i == 1)


def _signature(doc, table: ReportTable) -> None:
    """«Nơi nhận» on the left, the signer on the right, in a borderless table."""
    grid = doc.add_table(rows=1, cols=2)
    _fixed(grid, (75, 90))
    left, right = grid.rows[0].cells
    left.width, right.width = Mm(75), Mm(90)
    _para(left, "Nơi nhận:", bold=True, italic=True, size=12, space_before=12,
          space_after=0, paragraph=left.paragraphs[0])  # fmt: skip
    for text in table.recipients:
        _para(left, text, size=11, space_after=0)
    _para(right, table.signer, bold=True, align="center", space_before=12, space_after=0,
          paragraph=right.paragraphs[0])  # fmt: skip
    _para(right, "(Ký, ghi rõ họ tên, đóng dấu)", italic=True, align="center", size=12)


def _appendix(doc, table: ReportTable, styles: dict) -> None:
    """The landscape appendix: each section's indicators across (at most ten a table), the
    child units down the side grouped by former district, the unit's total first."""
    _para(doc, "PHỤ LỤC", bold=True, align="center", space_after=0)
    _para(doc, "Số liệu chia theo đơn vị trực thuộc", bold=True, align="center", space_after=0)
    _para(
        doc,
        f"(Kèm theo Báo cáo kết quả hoạt động {table.label_lower} {table.subject})",
        italic=True,
        align="center",
        size=12,
        space_after=8,
    )
    text, centre, figure = styles["a_text"], styles["a_centre"], styles["a_figure"]
    for part in unit_tables(table, main_only=True):
        heading = f"{part.number}. {part.heading}"
        if part.caption:
            heading += f" {part.caption}"
        _para(doc, heading, bold=True, size=11, space_before=8, space_after=3)
        n = len(part.columns)
        figure_mm = (APPENDIX_TEXT_MM - APPENDIX_STT_MM - APPENDIX_NAME_MM) / max(n, 1)
        widths_mm = (APPENDIX_STT_MM, APPENDIX_NAME_MM, *([figure_mm] * n))
        widths = [Mm(w) for w in widths_mm]
        grid = doc.add_table(rows=1 + len(part.rows), cols=2 + n)
        grid.style = "Table Grid"
        _fixed(grid, widths_mm)
        head = grid.rows[0]
        _repeat_heading(head)
        texts = ("STT", "Đơn vị", *part.headings)
        for cell, heading_text, width in zip(head.cells, texts, widths, strict=True):
            _cell(cell, heading_text, centre, bold=True, width=width)
            _shade(cell)
        for row, line in zip(grid.rows[1:], part.rows, strict=True):
            _keep_row(row)
            cells = row.cells
            if line.group:
                merged = cells[0].merge(cells[-1])
                _cell(merged, line.name, text, bold=True, italic=True)
                continue
            bold = line.total
            _cell(cells[0], line.number, centre, bold=bold)
            _cell(cells[1], line.name, text, bold=bold)
            for cell, value in zip(cells[2:], line.figures, strict=True):
                _cell(cell, figure_text(value), figure, bold=bold)
