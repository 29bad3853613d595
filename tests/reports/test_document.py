"""The filed document (reports.document): who issues it, what a submitted report's document
holds, and how PDF and XLSX lay it out on A4 — for a live report and for a snapshot."""

from __future__ import annotations

import datetime
import io

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Activity
from reports.document import ReportTable, current_office, issuer_for, unit_tables
from reports.exports import export, export_submission
from reports.models import Submission
from reports.periods import parse
from reports.report import as_json, build
from tests import factories as f
from tests.reports import test_exports
from tests.reports.test_exports import get, pdf_text, url
from wards.models import AdminUnit, AuditEvent

H1 = parse("2024-H1")
figures = test_exports.figures  # the fixture
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"


def dissolve(unit: AdminUnit) -> AdminUnit:
    AdminUnit.objects.filter(pk=unit.pk).update(valid_until=datetime.date(2025, 6, 30))
    unit.refresh_from_db()
    return unit


def submission(world, unit=None, *, snapshot: dict | None = None, **fields) -> Submission:
    unit = unit or world.ward_a
    snapshot = snapshot if snapshot is not None else as_json(build(unit, H1))
    defaults = {
        "narrative": "Trong 6 tháng đầu năm 2024, Đội đã tổ chức 5 cuộc tuyên truyền.",
        "submitted_by": world.leader,
        "submitted_at": timezone.make_aware(datetime.datetime(2024, 7, 3, 9, 0)),
        "issuer": unit,
    }
    return Submission.objects.create(
        unit=unit,
        period_spec=H1.spec,
        cutoff=H1.cutoff,
        start=H1.start,
        end=H1.end,
        period_label=str(H1.label),
        figures=snapshot,
        **{**defaults, **fields},
    )


# The issuing office -----------------------------------------------------------------------------


def test_a_unit_that_no_longer_exists_never_issues_a_document(world):
    assert current_office(world.ward_a_old) == world.ward_a  # merged: its successor
    district = dissolve(world.district_a)
    assert current_office(district) == world.province  # dissolved, no successor: above it
    assert current_office(district, on=datetime.date(2024, 7, 1)) == district  # it existed then
    assert current_office(world.ward_a) == world.ward_a


def test_the_issuer_is_the_users_own_office(world):
    assert issuer_for(world.leader, world.district_a) == world.ward_a
    assert issuer_for(world.supervisor, world.ward_a) == world.district_a
    assert issuer_for(world.admin, world.ward_a_old) == world.ward_a  # no unit: the report's
    assert issuer_for(None, world.ward_a) == world.ward_a
    # a ward's leader who also supervises the province issues the province's report as such
    f.post(user=world.leader, unit=world.province, role="supervisor")
    leader = type(world.leader).objects.get(pk=world.leader.pk)  # access is cached per object
    assert issuer_for(leader, world.province) == world.province
    assert issuer_for(leader, world.ward_a) == world.ward_a


def test_a_supervisor_of_a_dissolved_district_downloads_under_the_province(figures, personas):
    dissolve(figures.district_a)
    content = get(personas["supervisor"], url("pdf", figures.district_a)).content
    first = pdf_text(content).split("BÁO CÁO")[0]
    assert "TỈNH THỬ NGHIỆM" in first and "QUẬN A" not in first
    sheet = openpyxl.load_workbook(
        io.BytesIO(get(personas["supervisor"], url("xlsx", figures.district_a)).content)
    ).active
    assert (sheet["A1"].value, sheet["A2"].value) == ("ỦY BAN NHÂN DÂN", "TỈNH THỬ NGHIỆM")


def test_a_wards_document_is_the_teams_signed_by_its_leader(figures):
    table = ReportTable(build(figures.ward_a, H1), issuer=figures.ward_a)
    assert table.issuer == (
        "UBND PHƯỜNG A",
        "ĐỘI CÔNG TÁC XÃ HỘI TÌNH NGUYỆN",
        "Số:        /BC-ĐCTXHTN",
    )
    assert table.signer == "ĐỘI TRƯỞNG"
    assert ReportTable(build(figures.ward_a, H1), issuer=figures.province).signer == (
        "THỦ TRƯỞNG ĐƠN VỊ"
    )


# A submitted report's document ------------------------------------------------------------------


def test_a_submissions_document_holds_its_words_number_office_and_day(figures):
    snapshot = as_json(build(figures.ward_a, H1))
    del snapshot["indicators"]["outreach.leaflets"]  # an indicator added since
    sub = submission(
        figures,
        snapshot=snapshot,
        evaluation="Công tác tuyên truyền được duy trì.\nCòn ít buổi tại trường học.",
        next_tasks="",
        recommendations="Đề nghị bổ sung kinh phí.",
        recipients="- UBND phường;\n\n- Lưu: VT.",
        number="12",
        checks=[{"code": "c1", "text": "Số lượt người tăng mạnh.", "explanation": "Có hội thi."}],
    )
    table = ReportTable.filed(sub)
    assert table.today == datetime.date(2024, 7, 3)
    assert table.issuer[2] == "Số: 12/BC-ĐCTXHTN"
    assert table.recipients == ("- UBND phường;", "- Lưu: VT.")
    assert [(p.number, p.heading) for p in table.parts()] == [
        ("I", "SỐ LIỆU KẾT QUẢ HOẠT ĐỘNG"),
        ("II", "TÌNH HÌNH, KẾT QUẢ CHUNG"),
        ("III", "ĐÁNH GIÁ"),
        ("IV", "KIẾN NGHỊ"),  # no next tasks: numbered on without a gap
    ]
    assert table.parts()[2].paragraphs == (
        "Công tác tuyên truyền được duy trì.",
        "Còn ít buổi tại trường học.",
    )
    assert table.explanations == ["Số lượt người tăng mạnh: Có hội thi."]
    lines = {line.code: line for line in table.lines() if not line.section}
    assert lines["outreach.leaflets"].value is None
    assert lines["outreach.sessions"].value == 5

    text = pdf_text(export_submission(sub, "pdf").content)
    for words in (
        "Số: 12/BC-ĐCTXHTN",
        "ngày 03 tháng 7 năm 2024",
        "Số tờ rơi phát tờ —",
        "III. ĐÁNH GIÁ",
        "Còn ít buổi tại trường học.",
        "IV. KIẾN NGHỊ",
        "Giải trình số liệu:",
        "Số lượt người tăng mạnh: Có hội thi.",
        "Nơi nhận: - UBND phường; - Lưu: VT.",
        "ĐỘI TRƯỞNG",
    ):
        assert words in text, words
    assert "PHƯƠNG HƯỚNG" not in text


def test_a_submissions_document_is_issued_by_the_submitters_office_as_it_is_now(figures):
    sub = submission(figures, figures.ward_a_old, issuer=figures.ward_a_old)
    sub.submitted_at = timezone.make_aware(datetime.datetime(2025, 8, 1, 9))
    assert ReportTable.filed(sub).issuer[0] == "UBND PHƯỜNG A"


# Comparison without data ------------------------------------------------------------------------


def test_a_comparison_period_without_figures_is_shown_as_a_dash(world):
    Activity.objects.create(unit=world.ward_a, occurred_on=datetime.date(2024, 3, 5),
                            kind=Activity.Kind.COMMUNITY_MEETING, sessions=3,
                            participants=7601)  # fmt: skip
    report = build(world.ward_a, H1)
    assert not ReportTable(report).previous_has_data
    text = pdf_text(export(report, "pdf").content)
    assert "Số lượt người tham dự lượt người 7.601 — —" in text
    assert "+7.601" not in text
    assert "không có số liệu để so sánh" in text
    rows = list(openpyxl.load_workbook(io.BytesIO(export(report, "xlsx").content)).active.values)
    attendance = next(r for r in rows if r[1] == "Số lượt người tham dự")
    assert attendance[3:6] == (7601, "—", "—")


# XLSX and PDF on A4 -----------------------------------------------------------------------------


def test_the_pdf_is_a4_with_the_national_header_on_page_one(figures):
    content = export(build(figures.district_a, H1), "pdf").content
    reader = pypdf.PdfReader(io.BytesIO(content))
    first = reader.pages[0]
    assert (round(float(first.mediabox.width)), round(float(first.mediabox.height))) == (595, 842)
    text = " ".join(first.extract_text().split())
    assert NATION in text and MOTTO in text


def many_wards(world, n: int = 12) -> list[AdminUnit]:
    wards = [
        f.unit(code=f"995{i:02d}", parent=world.district_a, name=f"Phường Số {i}") for i in range(n)
    ]
    Activity.objects.create(unit=wards[3], occurred_on=datetime.date(2024, 3, 5),
                            kind=Activity.Kind.LEAFLETS, items=40)  # fmt: skip
    return wards


def test_a_wide_xlsx_prints_on_a4_with_the_motto_on_page_one_and_units_down_the_side(figures):
    many_wards(figures)
    book = openpyxl.load_workbook(io.BytesIO(export(build(figures.district_a, H1), "xlsx").content))
    main = book.worksheets[0]
    assert main.max_column == 6  # the units are in the appendix sheets, not 14 columns across
    heading = {
        main.cell(r, c).value: (r, c)
        for r in range(1, 4)
        for c in range(1, 7)
        if main.cell(r, c).value
    }
    assert NATION in heading and MOTTO in heading
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide, as long as needed
        assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_cols == "$A:$B"
    appendix = book.worksheets[1]
    assert appendix.title == "PL I.1"  # the first of the section's tables (≤ 10 columns each)
    assert appendix.print_title_rows == "$5:$5"
    assert appendix.max_column <= 2 + 10
    names = [row[1] for row in appendix.iter_rows(min_row=6, values_only=True)]
    assert names[0] == "Tổng cộng"
    assert names.index("Phường Số 2") < names.index("Phường Số 10")  # numbers as numbers
    sheet, leaflets = next(
        (sheet, c)
        for sheet in book.worksheets[1:]
        for c in range(3, sheet.max_column + 1)
        if sheet.cell(5, c).value == "Số tờ rơi phát (tờ)"
    )
    assert sheet.title.startswith("PL I.")
    row = names.index("Phường Số 3") + 6
    assert sheet.cell(row, 2).value == "Phường Số 3"
    assert sheet.cell(row, leaflets).value == 40


def test_units_without_figures_can_be_left_out(figures):
    many_wards(figures)
    report = build(figures.district_a, H1)
    shown = [r.name for t in unit_tables(ReportTable(report, hide_empty=True)) for r in t.rows]
    assert "Phường Số 3" in shown and "Phường Số 4" not in shown
    everything = [r.name for t in unit_tables(ReportTable(report)) for r in t.rows]
    assert "Phường Số 4" in everything
    book = openpyxl.load_workbook(io.BytesIO(export(report, "xlsx", hide_empty=True).content))
    values = [c for sheet in book.worksheets for row in sheet.values for c in row]
    assert "Phường Số 3" in values and "Phường Số 4" not in values


def test_communes_are_grouped_by_the_district_their_wards_came_from(world):
    province = world.province
    new = f.unit(
        code="99601", parent=province, name="Phường Mới", valid_from=datetime.date(2025, 7, 1)
    )
    f.unit(code="99602-2025", parent=world.district_b, name="Phường Cũ",
           valid_until=datetime.date(2025, 6, 30), successor=new)  # fmt: skip
    report = build(province, parse("2026-Q3"))
    rows = unit_tables(ReportTable(report))[0].rows
    groups = [r.name for r in rows if r.group]
    assert "Quận B (cũ)" in groups
    at = [r.name for r in rows].index("Quận B (cũ)")
    assert rows[at + 1].name == "Phường Mới"


# The submission download ------------------------------------------------------------------------


def submission_url(sub, fmt: str) -> str:
    return reverse("reports:submission_export", args=[sub.pk, fmt])


@pytest.mark.parametrize("fmt", ["pdf", "docx", "xlsx"])
def test_a_submission_is_downloaded_as_its_document_and_audited(figures, personas, fmt):
    sub = submission(figures)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    response = get(personas["supervisor"], submission_url(sub, fmt))
    assert response["Content-Disposition"] == (
        f'attachment; filename="bao-cao-99001-2024-h1-lan-1.{fmt}"'
    )
    assert "no-store" in response["Cache-Control"]
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)
    assert events.count() == before + 1
    event = events.latest("pk")
    assert (event.object_type, event.object_id) == ("reports.submission", str(sub.pk))
    assert event.unit_id == figures.ward_a.pk and event.actor == figures.supervisor
    assert event.changes == {"format": fmt, "period": "2024-H1", "cutoff": "calendar", "version": 1}


def test_a_submission_out_of_scope_or_in_another_format_is_not_found(figures, personas):
    sub = submission(figures)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    assert personas["outsider"].get(submission_url(sub, "pdf")).status_code == 404
    assert personas["supervisor"].get(submission_url(sub, "csv")).status_code == 404
    missing = reverse("reports:submission_export", args=[sub.pk + 1000, "pdf"])
    assert personas["supervisor"].get(missing).status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before
    assert personas["anonymous"].get(submission_url(sub, "pdf")).status_code == 302


def test_the_download_leaves_out_units_without_figures_when_asked(figures, personas):
    many_wards(figures)
    client = personas["supervisor"]
    rows = test_exports.csv_rows(get(client, url("csv", figures.district_a)).content)
    assert "Phường Số 4" in rows[0]
    rows = test_exports.csv_rows(
        get(client, url("csv", figures.district_a, **{"an-trong": "1"})).content
    )
    assert "Phường Số 3" in rows[0] and "Phường Số 4" not in rows[0]
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk")
    assert event.changes["hide_empty"] is True


def test_a_filed_document_holds_the_words_filed_and_numbers_them_as_the_page_does(
    figures, personas
):
    """A leader who cleared the narrative files none: the document does not write one back,
    and its parts are numbered as the submission's page numbers them."""
    sub = submission(figures, narrative="", evaluation="Đội làm tốt công tác phối hợp.")
    parts = ReportTable.filed(sub).parts()
    assert [(p.number, p.heading) for p in parts] == [
        ("I", "SỐ LIỆU KẾT QUẢ HOẠT ĐỘNG"),
        ("II", "ĐÁNH GIÁ"),
    ]
    page = personas["supervisor"].get(reverse("reports:submission_detail", args=[sub.pk]))
    assert [(n, title) for n, title, _text in page.context["document"]] == [("II", "Đánh giá")]
