"""The report page in a real Chromium: the district supervisor opens «Báo cáo» from the menu,
picks a period, reads the table and the chart, and the page never scrolls sideways on a phone
(the wide table scrolls inside its own box, its first column staying in view).

Screenshots go to tests/browser/screenshots/report-<step>-<viewport>.png.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from outreach.models import Activity
from tests import factories as f
from tests.browser.test_casework import _still, assert_no_sideways_scroll, shot, submit  # noqa: F401
from tests.browser.test_foundation import log_in, open_nav

pytestmark = pytest.mark.browser

D = datetime.date


@pytest.fixture
def records(live_world):
    world = live_world
    for unit, month in ((world.ward_a, 2), (world.ward_a_old, 3)):
        Activity.objects.create(
            unit=unit,
            occurred_on=D(2024, month, 12),
            kind="community_meeting",
            sessions=3,
            participants=40,
        )
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Hòa", registered_on=D(2023, 6, 1))
    f.contact(person=person, occurred_on=D(2024, 3, 2))
    return world


def test_supervisor_picks_a_period_and_reads_the_report(screen, records):
    page = screen.page
    log_in(screen, "giamsat_a")
    open_nav(screen, "Báo cáo")
    page.wait_for_url(screen.url(reverse("reports:report")))
    assert_no_sideways_scroll(screen, "the default report")

    page.get_by_label("Đơn vị", exact=True).select_option("991")
    page.get_by_label("Kỳ báo cáo", exact=True).select_option("2024-Q1")
    submit(screen, page.get_by_role("button", name="Xem báo cáo"))
    assert page.url.endswith("?don-vi=991&ky=2024-Q1&cach-tinh=calendar")
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo quý I năm 2024"
    assert page.locator(".report-unit").inner_text() == "Quận A"

    # The first table: the district's figure, then one column per ward.
    table = page.locator(".report-table").first
    first = table.locator("tbody tr").first
    # a phone says the measure after the label; a wider screen has a column for it
    label = "Số cuộc tuyên truyền" + (" (cuộc)" if screen.name == "phone" else "")
    assert first.locator("th").inner_text() == label
    assert first.locator("td.value-col").inner_text() == "6"
    headers = table.locator("th.child-col").all_inner_texts()
    assert headers == ["Phường A", "Phường A Cũ"]

    # The chart: four bar charts with a title, their data one tap away.
    charts = page.locator('svg[role="img"]')
    assert charts.count() == 4
    assert charts.first.locator("title").first.text_content() == (
        "Số cuộc tuyên truyền, theo tháng"
    )
    assert charts.first.locator("rect.bar").count() == 2  # February, March (a zero draws none)
    page.get_by_text("Bảng số liệu của biểu đồ").click()
    assert page.locator(".trend-data table").is_visible()

    assert "Nguyễn Văn Hòa" not in page.content()
    assert_no_sideways_scroll(screen, "the district report")
    shot(screen, "report", "district")

    # The table scrolls inside its box; the indicator column stays where it was.
    box = page.locator(".report-scroll").first
    label = table.locator("tbody th").first
    before = label.bounding_box()["x"]
    box.evaluate("el => { el.scrollLeft = 400; }")
    assert box.evaluate("el => el.scrollLeft") > 0 or screen.name == "desktop"
    assert label.bounding_box()["x"] == pytest.approx(before, abs=1)

    # Printed: the national header, no menu, no form.
    page.emulate_media(media="print")
    assert page.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    assert not page.locator("form.report-picker").is_visible()
    page.emulate_media(media="screen")
    assert not page.get_by_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM").is_visible()

    # Any other period, typed.
    page.get_by_text("Kỳ khác: gõ tháng, quý, năm hoặc khoảng ngày").click()
    page.get_by_label("Kỳ khác", exact=True).fill("2024-H1")
    submit(screen, page.get_by_role("button", name="Xem báo cáo"))
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo 6 tháng đầu năm 2024"
    assert_no_sideways_scroll(screen, "the half-year report")

    # A period that cannot be read says why, in Vietnamese.
    page.get_by_text("Kỳ khác: gõ tháng, quý, năm hoặc khoảng ngày").click()
    page.get_by_label("Kỳ khác", exact=True).fill("2024-13")
    submit(screen, page.get_by_role("button", name="Xem báo cáo"))
    assert page.get_by_role("alert").inner_text() == "Tháng phải từ 01 đến 12."
    shot(screen, "report", "bad-period")


# The half-year report, downloaded and checked against the page --------------------------------


@pytest.fixture
def desktop(browser, live_server, live_world):
    from tests.browser.conftest import _open

    yield from _open(browser, live_server, "desktop")


def page_figures(page) -> dict[str, str]:
    """The unit's figure of every count on the page (money rows are in millions there)."""
    figures = {}
    for row in page.locator(".report-table tbody tr").all():
        label = row.locator("th").inner_text()
        if "triệu đồng" in label:
            continue
        figures[label.strip()] = row.locator("td.value-col").inner_text().strip()
    return figures


def test_supervisor_downloads_the_half_year_report_and_sees_who_has_not_submitted(
    desktop, records, tmp_path
):
    import io
    import re
    import unicodedata

    import openpyxl
    import pypdf

    from reports import checks
    from reports.periods import parse
    from reports.services import submission_submit
    from wards.models import AuditEvent

    world, page = records, desktop.page
    # Phường A has filed its half-year report; Phường A Cũ, merged into it in 2025, has not.
    h1 = parse("2024-H1")
    submission_submit(
        actor=world.leader,
        unit=world.ward_a,
        period=h1,
        narrative="Đã nộp.",
        explanations={c.code: "Đã xem." for c in checks.run(world.ward_a, h1)},
    )
    log_in(desktop, "giamsat_a")
    open_nav(desktop, "Báo cáo")
    page.get_by_label("Đơn vị", exact=True).select_option(label="Quận A")
    page.get_by_text("Kỳ khác: gõ tháng, quý, năm hoặc khoảng ngày").click()
    page.get_by_label("Kỳ khác", exact=True).fill("2024-H1")
    submit(desktop, page.get_by_role("button", name="Xem báo cáo"))
    assert page.get_by_role("heading", level=1).inner_text() == "Báo cáo 6 tháng đầu năm 2024"
    shown = page_figures(page)
    assert shown["Số cuộc tuyên truyền"] == "6"
    assert shown["Số lượt người tham dự"] == "80"
    assert sum(value not in ("0", "—") for value in shown.values()) >= 3
    shot(desktop, "report-h1", "1-page")

    # XLSX: every count on the page is in the spreadsheet, as a number.
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Tải XLSX").click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    path = tmp_path / xlsx.suggested_filename
    xlsx.save_as(path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    in_sheet = {row[1]: row for row in rows if row[1] and row[2] not in (None, "đồng")}
    for label, value in shown.items():
        assert label in in_sheet, f"{label} is on the page but not in the XLSX"
        cell = in_sheet[label][3]
        assert cell == (None if value == "—" else int(value.replace(".", ""))), label

    # PDF: the same figures, each after its label and unit.
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Tải PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.path().read_bytes()))
    text = " ".join(
        unicodedata.normalize("NFC", " ".join(p.extract_text() for p in reader.pages)).split()
    )
    assert "Kết quả hoạt động 6 tháng đầu năm 2024" in text
    for label, value in shown.items():
        unit = in_sheet[label][2]
        assert re.search(rf"{re.escape(label)} {re.escape(unit)} {re.escape(value)}\b", text), (
            f"{label}: {value} not found in the PDF"
        )
    assert "Nguyễn Văn Hòa" not in text
    exports = AuditEvent.objects.filter(actor=world.supervisor, action="export")
    assert exports.count() == 2

    # Which wards have not submitted: one step from the report.
    submit(desktop, page.get_by_role("link", name="Tình hình nộp báo cáo"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tình hình nộp báo cáo"
    # both wards had a team on 30 June 2024; ward A filed long after the due date
    assert "Phải nộp 2 · Đã nộp 1 (đúng hạn 0, muộn 1)" in page.locator("main").inner_text()
    states = {
        row.locator(".fw-semibold").first.inner_text(): row.locator(".badge").first.inner_text()
        for row in page.locator("main li.border-bottom").all()
    }
    assert states == {"Phường A": "Nộp muộn", "Phường A Cũ": "Quá hạn"}
    assert_no_sideways_scroll(desktop, "submission status")
    shot(desktop, "report-h1", "2-status")
