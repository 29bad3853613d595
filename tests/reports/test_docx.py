"""The Word document (reports.docx): opened with python-docx and read back as an office would
edit it — real paragraphs and tables, on A4 with the margins of Nghị định 30/2020."""

from __future__ import annotations

import datetime
import io
import zipfile
from io import StringIO

import docx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from reports.exports import export, export_submission
from reports.periods import parse
from reports.report import build
from tests.reports import test_document, test_exports
from tests.reports.test_exports import NARRATIVE_START, get, url

figures = test_exports.figures  # the fixture
H1 = parse("2024-H1")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def read(content: bytes):
    return docx.Document(io.BytesIO(content))


def cells(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_docx_is_an_a4_document_with_the_decree_30_margins_and_font(figures, personas):
    response = get(personas["leader"], url("docx", figures.ward_a))
    assert response["Content-Type"] == DOCX
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-99001-2024-h1.docx"'
    document = read(response.content)
    page = document.sections[0]
    assert page.orientation == WD_ORIENT.PORTRAIT
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)
    assert 20 <= round(page.top_margin.mm) <= 25 and 20 <= round(page.bottom_margin.mm) <= 25
    assert 30 <= round(page.left_margin.mm) <= 35 and 15 <= round(page.right_margin.mm) <= 20
    normal = document.styles["Normal"].font
    assert normal.name == "Times New Roman" and Pt(13) <= normal.size <= Pt(14)
    assert len(document.sections) == 1  # a ward has no appendix


def test_the_docx_holds_the_header_figures_narrative_recipients_and_signature(figures, personas):
    document = read(get(personas["leader"], url("docx", figures.ward_a)).content)
    masthead = cells(document.tables[0])
    left, right = masthead[0]
    assert "UBND PHƯỜNG A" in left and "ĐỘI CÔNG TÁC XÃ HỘI TÌNH NGUYỆN" in left
    assert "Số:" in left and "/BC-ĐCTXHTN" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert "Thử Nghiệm, ngày" in right

    texts = paragraphs(document)
    assert texts.index("I. SỐ LIỆU KẾT QUẢ HOẠT ĐỘNG") < texts.index("II. TÌNH HÌNH, KẾT QUẢ CHUNG")
    narrative = texts[texts.index("II. TÌNH HÌNH, KẾT QUẢ CHUNG") + 1]
    assert narrative.startswith(NARRATIVE_START)

    rows = cells(document.tables[1])
    assert rows[0][:3] == ["STT", "Chỉ tiêu", "Đơn vị tính"]
    assert rows[1][:2] == ["I", "TUYÊN TRUYỀN, PHÒNG NGỪA"]
    assert ["1", "Số cuộc tuyên truyền", "cuộc", "5", "1", "+4"] in rows
    assert ["", "Tổng số tiền vay", "triệu đồng", "225", "0", "+225"] in [
        ["", *r[1:]] for r in rows
    ]
    sections = [r[0] for r in rows if r[0] in ("I", "II", "III", "IV", "V", "VI", "VII")]
    assert sections == ["I", "II", "III", "IV", "V", "VI", "VII"]
    heading = document.tables[1].rows[0]._tr
    assert heading.xpath("./w:trPr/w:tblHeader")  # repeated on every page

    sign = cells(document.tables[-1])[0]
    assert sign[0].startswith("Nơi nhận:") and "- Lưu: VT." in sign[0]
    assert "ĐỘI TRƯỞNG" in sign[1] and "(Ký, ghi rõ họ tên, đóng dấu)" in sign[1]

    xml = zipfile.ZipFile(io.BytesIO(get(personas["leader"], url("docx", figures.ward_a)).content))
    body = xml.read("word/document.xml").decode()
    assert "Bí Mật" not in body
    assert not [n for n in xml.namelist() if n.startswith("word/media/")]  # no images


def test_the_docx_of_a_district_puts_the_child_units_down_a_landscape_appendix(figures):
    test_document.many_wards(figures)
    document = read(export(build(figures.district_a, H1), "docx").content)
    assert [s.orientation for s in document.sections] == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE]
    appendix = document.sections[1]
    assert (round(appendix.page_width.mm), round(appendix.page_height.mm)) == (297, 210)
    assert "PHỤ LỤC" in paragraphs(document)
    first = cells(document.tables[3])  # masthead, figures, signature, then the appendix
    assert first[0][:2] == ["STT", "Đơn vị"]
    assert len(first[0]) <= 2 + 10
    assert first[1][1] == "Tổng cộng"
    names = [r[1] for r in first]
    assert "Phường A Cũ" in names and "Phường Số 11" in names
    assert len(document.tables[1].columns) == 6  # the units are not columns of the main table


def test_a_submissions_docx_has_its_sections_numbered_on_and_its_recipients(figures):
    sub = test_document.submission(
        figures,
        evaluation="Đội hoạt động đều.",
        next_tasks="Tiếp tục tuyên truyền tại trường học.",
        proposals="Đề xuất tập huấn thêm.",
        recipients="- Phòng Văn hóa - Xã hội;\n- Lưu: VT.",
        number="07/BC-ĐCTXHTN",
    )
    export_file = export_submission(sub, "docx")
    assert export_file.filename == "bao-cao-99001-2024-h1-lan-1.docx"
    document = read(export_file.content)
    texts = paragraphs(document)
    for heading in (
        "III. ĐÁNH GIÁ",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI",
        "V. ĐỀ XUẤT",
    ):
        assert heading in texts, heading
    assert "Tiếp tục tuyên truyền tại trường học." in texts
    assert not any("KIẾN NGHỊ" in t for t in texts)  # no text: no section
    assert "Trong 6 tháng đầu năm 2024, Đội đã tổ chức 5 cuộc tuyên truyền." in texts
    masthead = cells(document.tables[0])[0]
    assert "Số: 07/BC-ĐCTXHTN" in masthead[0]
    assert "ngày 03 tháng 7 năm 2024" in masthead[1]
    assert "- Phòng Văn hóa - Xã hội;" in cells(document.tables[-1])[0][0]


def test_the_command_writes_a_docx_issued_by_the_unit_given(figures, tmp_path):
    target = tmp_path / "r.docx"
    out = StringIO()
    call_command(
        "report", "--unit", "991", "--period", "2024-H1", "--format", "docx",
        "--output", str(target), "--issuer", "99", stdout=out,
    )  # fmt: skip
    assert str(target) in out.getvalue()
    document = read(target.read_bytes())
    left = cells(document.tables[0])[0][0]
    assert "TỈNH THỬ NGHIỆM" in left and "QUẬN A" not in left
    assert ["1", "Số cuộc tuyên truyền", "cuộc", "5", "1", "+4"] in cells(document.tables[1])


def test_the_command_issues_a_dissolved_units_report_under_the_unit_above(figures, tmp_path):
    test_document.dissolve(figures.district_a)
    target = tmp_path / "r.docx"
    call_command("report", "--unit", "991", "--period", "2024-H1", "--format", "docx",
                 "--output", str(target), stdout=StringIO())  # fmt: skip
    left = cells(read(target.read_bytes()).tables[0])[0][0]
    assert "TỈNH THỬ NGHIỆM" in left and "QUẬN A" not in left
    with pytest.raises(CommandError, match="'777'"):
        call_command("report", "--unit", "991", "--period", "2024-H1", "--format", "docx",
                     "--output", str(target), "--issuer", "777", stdout=StringIO())  # fmt: skip
    with pytest.raises(CommandError, match="--output"):
        call_command("report", "--unit", "991", "--period", "2024-H1", "--format", "docx")


def test_the_place_and_date_are_the_issuers_province_and_today(figures):
    today = datetime.date(2026, 2, 5)
    document = read(export(build(figures.ward_a, H1), "docx", today=today).content)
    assert "Thử Nghiệm, ngày 05 tháng 02 năm 2026" in cells(document.tables[0])[0][1]
