"""The report's downloads: each format opened and read back, the same figures in all four, the
download audited once without names, and the answers for a unit, a period or a format that
cannot be had."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import unicodedata

import openpyxl
import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from outreach.models import Activity, Referral
from reports.choice import Choice
from reports.document import shown
from reports.exports import ReportTable, export, measure
from reports.indicators import FIXED, MONEY, catalogue
from reports.indicators import build as build_catalogue
from reports.periods import parse
from reports.report import build
from tests import factories as f
from wards.models import AuditEvent

H1 = parse("2024-H1")
NARRATIVE_START = "Trong 6 tháng đầu năm 2024, đã tổ chức 5 cuộc tuyên truyền với 1.540 lượt"


def url(fmt: str, unit, spec: str = "2024-H1", **extra) -> str:
    query = Choice(unit, parse(spec)).query(**extra)
    return f"{reverse('reports:report_export', args=[fmt])}?{query}"


@pytest.fixture
def figures(world):
    """Ward A and its merged predecessor in 2024-H1 and the year before, in district A."""
    activity = Activity.objects.create
    k = Activity.Kind
    activity(unit=world.ward_a, occurred_on=datetime.date(2024, 3, 5), kind=k.COMMUNITY_MEETING,
             sessions=3, participants=1500)  # fmt: skip
    activity(unit=world.ward_a_old, occurred_on=datetime.date(2024, 2, 10),
             kind=k.SCHOOL_TALK, sessions=2, participants=40)  # fmt: skip
    activity(unit=world.ward_a, occurred_on=datetime.date(2023, 4, 1), kind=k.COMMUNITY_MEETING,
             sessions=1, participants=30)  # fmt: skip
    activity(unit=world.ward_a, occurred_on=datetime.date(2024, 5, 2), kind=k.LEAFLETS, items=800)
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Bí Mật",
                      group=Person.Group.POST_REHAB)  # fmt: skip
    f.contact(person=person, member=world.volunteer_member, occurred_on=datetime.date(2024, 4, 9))
    f.referral(person=person, kind=Referral.Kind.LOAN, status=Referral.Status.COMPLETED,
               referred_on=datetime.date(2024, 2, 1), status_on=datetime.date(2024, 4, 20),
               amount=225_000_000)  # fmt: skip
    return world


def get(client, address):
    response = client.get(address)
    assert response.status_code == 200, response.content[:500]
    return response


def xlsx_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


def pdf_text(content: bytes) -> str:
    """The PDF's text, NFC, every run of white space one space (table cells wrap)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(p.extract_text() for p in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


# XLSX -----------------------------------------------------------------------------------------


def test_the_xlsx_is_headed_like_a_filed_report_and_holds_numbers(figures, personas):
    response = get(personas["supervisor"], url("xlsx", figures.district_a))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    texts = [cell for row in rows[:8] for cell in row if cell]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Độc lập - Tự do - Hạnh phúc" in texts
    assert "QUẬN A" in texts
    assert rows[4][0] == "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG 6 THÁNG ĐẦU NĂM 2024"
    assert "(Số liệu từ ngày 01/01/2024 đến ngày 30/06/2024)" in texts

    header, names = rows[9], rows[10]
    assert header[:6] == (
        "STT",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Thực hiện 6 tháng đầu năm 2024",
        "Cùng kỳ năm trước (6 tháng đầu năm 2023)",
        "Tăng (+), giảm (-)",
    )
    assert header[6] == "Chia theo đơn vị trực thuộc"
    assert set(names[6:]) == {"Phường A", "Phường A Cũ"}
    assert rows[11][:2] == ("I", "TUYÊN TRUYỀN, PHÒNG NGỪA")

    by_label = {row[1]: (i, row) for i, row in enumerate(rows) if row[1]}
    index, sessions = by_label["Số cuộc tuyên truyền"]
    assert sessions[:6] == ("1", "Số cuộc tuyên truyền", "cuộc", 5, 1, 4)
    assert isinstance(sessions[3], int)
    old = names.index("Phường A Cũ")
    assert sessions[old] == 2 and sessions[names.index("Phường A")] == 3
    assert sheet.cell(index + 1, 4).number_format == "#,##0"
    _i, loan = by_label["Tổng số tiền vay"]
    assert loan[2:5] == ("triệu đồng", 225, 0)  # money in triệu đồng, the unit said once
    assert not any("(đồng)" in str(c) for r in rows for c in r if c)  # not «(đồng)» as well

    assert sheet.freeze_panes == "C12"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.print_title_rows == "$10:$11"
    assert sheet.print_title_cols == "$A:$B"
    narrative = next(r[0] for r in rows if r[0] and str(r[0]).startswith("Trong "))
    assert narrative.startswith(NARRATIVE_START)
    assert "THỦ TRƯỞNG ĐƠN VỊ" in [c for r in rows[-3:] for c in r]
    assert "Nơi nhận:" in [c for r in rows[-3:] for c in r]


def test_a_ward_without_child_units_prints_portrait_with_six_columns(figures, personas):
    response = get(personas["leader"], url("xlsx", figures.ward_a))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_column == 6
    assert sheet.page_setup.orientation == "portrait"
    assert sheet["A1"].value == "UBND PHƯỜNG A"
    assert sheet["A2"].value == "ĐỘI CÔNG TÁC XÃ HỘI TÌNH NGUYỆN"


def test_a_unit_named_like_a_formula_is_text_in_the_xlsx_and_the_csv(figures, personas):
    f.unit(code="99009", parent=figures.district_a, name="=cmd|' /C calc'!A0")
    rows = xlsx_rows(get(personas["supervisor"], url("xlsx", figures.district_a)).content)
    assert "'=cmd|' /C calc'!A0" in rows[10]
    header = csv_rows(get(personas["supervisor"], url("csv", figures.district_a)).content)[0]
    assert "'=cmd|' /C calc'!A0" in header
    assert "=cmd|' /C calc'!A0" not in header


# PDF ------------------------------------------------------------------------------------------


def test_the_pdf_reads_as_a_filed_report(figures, personas):
    response = get(personas["supervisor"], url("pdf", figures.district_a))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    today = timezone.localdate()
    for words in (
        "ỦY BAN NHÂN DÂN",
        "QUẬN A",
        "/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Thử Nghiệm, ngày {today.day:02d} tháng ",
        "BÁO CÁO",
        "Kết quả hoạt động 6 tháng đầu năm 2024",
        "(Số liệu từ ngày 01/01/2024 đến ngày 30/06/2024)",
        "Nơi nhận:",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "Số cuộc tuyên truyền cuộc 5 1 +4",
        "Tổng số tiền vay triệu đồng 225 0 +225",
        "II. TÌNH HÌNH, KẾT QUẢ CHUNG",
        "Trang 1/",
    ):
        assert words in text, words
    assert text.count(NARRATIVE_START) == 1
    assert "Nguyễn Văn Bí Mật" not in text
    assert "(đồng)" not in text  # money is in triệu đồng, labelled once


def test_the_pdf_puts_child_units_in_the_table_when_their_figures_fit(figures, personas):
    text = pdf_text(get(personas["supervisor"], url("pdf", figures.district_a)).content)
    assert "Chia theo đơn vị trực thuộc" in text
    assert "Phường A Cũ" in text
    assert "PHỤ LỤC" not in text


def landscape(content: bytes) -> list[bool]:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [page.mediabox.width > page.mediabox.height for page in pages]


A4 = (595, 842)  # points, portrait


def page_shapes(content: bytes) -> list[tuple[int, int]]:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [(round(page.mediabox.width), round(page.mediabox.height)) for page in pages]


def page_texts(content: bytes) -> list[str]:
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    return [" ".join(unicodedata.normalize("NFC", p.extract_text()).split()) for p in pages]


def wards_with_figures(district, count: int, *, empty: int = 0) -> None:
    """`count` more wards in `district`, each with a meeting in 2024-H1 (sessions 2 + n), and
    `empty` wards without any figure."""
    for n in range(count):
        ward = f.unit(code=f"9910{n}", parent=district, name=f"Phường Mới {n}")
        Activity.objects.create(unit=ward, occurred_on=datetime.date(2024, 3, 5),
                                kind=Activity.Kind.COMMUNITY_MEETING, sessions=2 + n,
                                participants=10)  # fmt: skip
    for n in range(empty):
        f.unit(code=f"9920{n}", parent=district, name=f"Phường Trống {n}")


def test_the_pdf_puts_more_child_units_down_the_side_of_landscape_appendix_pages(figures, personas):
    wards_with_figures(figures.district_a, 9)
    content = get(
        personas["supervisor"], url("pdf", figures.district_a, **{"an-trong": "0"})
    ).content
    shapes, texts = page_shapes(content), page_texts(content)
    first = next(i for i, text in enumerate(texts) if "PHỤ LỤC" in text)
    # The report itself: A4 portrait, the national header on page one; the appendix landscape.
    assert first > 0 and all(shape == A4 for shape in shapes[:first])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in texts[0]
    assert all(shape == A4[::-1] for shape in shapes[first:])
    assert (
        "Số liệu chia theo 11 đơn vị trực thuộc (các chỉ tiêu chính) tại Phụ lục kèm theo; số"
        " liệu chi tiết của từng đơn vị trong bản Excel." in " ".join(texts)
    )
    appendix = " ".join(texts[first:])
    # A table per section, the units down the side: STT, name, then the section's main
    # figures (their «of which» rows are in the XLSX), the unit's total first; «Phường Mới 3»
    # held 5 meetings, 10 people.
    assert "I. TUYÊN TRUYỀN, PHÒNG NGỪA" in appendix
    assert "STT Đơn vị Số cuộc tuyên truyền (cuộc) Số lượt người tham dự" in appendix
    assert "tại trường học" not in appendix
    assert re.search(r"Tổng cộng 5\d [\d.]+ ", appendix)
    assert "(phút) (phút)" not in appendix  # a measure the label already says is not repeated
    assert re.search(r"\b\d+ Phường Mới 3 5 10 0 0 0 0 0\b", appendix), appendix[:3000]
    assert "Chia theo đơn vị trực thuộc" not in appendix  # no unit is a column any more


def test_the_pdf_appendix_groups_communes_by_their_former_district(world):
    for n in range(9):
        new = f.unit(code=f"9960{n}", parent=world.province, name=f"Phường Mới {n}",
                     valid_from=datetime.date(2025, 7, 1))  # fmt: skip
        f.unit(code=f"9970{n}-2025", parent=world.district_b, name=f"Phường Cũ {n}",
               valid_until=datetime.date(2025, 6, 30), successor=new)  # fmt: skip
    content = export(build(world.province, parse("2026-Q3")), "pdf", hide_empty=False).content
    texts = page_texts(content)
    appendix = " ".join(t for t in texts if "Đơn vị" in t)
    assert re.search(r"Quận B \(cũ\) 1 Phường Mới 0 0 0 ", appendix), appendix[:2000]
    assert re.search(r"Không thuộc quận, huyện cũ 10 Quận A 0 0 ", appendix), appendix[:2000]


def test_a_province_of_many_communes_prints_them_all_and_can_leave_the_empty_ones_out(
    figures, personas
):
    wards_with_figures(figures.district_a, 3, empty=35)
    address = url("pdf", figures.district_a, **{"an-trong": "0"})
    content = get(personas["supervisor"], address).content
    text = pdf_text(content)
    assert "Số liệu chia theo 40 đơn vị trực thuộc (các chỉ tiêu chính) tại Phụ lục" in text
    assert re.search(r"\b\d+ Phường Trống 34 0 0 0 ", text)
    assert "Không in " not in text
    assert page_shapes(content)[-1] == A4[::-1]

    content = get(
        personas["supervisor"], url("pdf", figures.district_a, **{"an-trong": "1"})
    ).content
    text = pdf_text(content)
    assert "Phường Trống" not in text
    assert "Phường Mới 2" in text
    assert (
        "Số liệu chia theo 5 đơn vị trực thuộc (các chỉ tiêu chính) tại Phụ lục kèm theo; số"
        " liệu chi tiết của từng đơn vị trong bản Excel. Không in 35/40 đơn vị trực thuộc"
        " không có số liệu trong kỳ." in text
    )


def test_sums_in_billions_are_written_in_millions_and_keep_three_units_in_the_table(
    figures, personas
):
    ward = f.unit(code="99100", parent=figures.district_a, name="Phường C")
    f.referral(person=f.person(ward=ward), kind=Referral.Kind.LOAN,
               status=Referral.Status.COMPLETED, referred_on=datetime.date(2024, 2, 1),
               status_on=datetime.date(2024, 4, 20), amount=1_160_500_000)  # fmt: skip
    content = get(personas["supervisor"], url("pdf", figures.district_a)).content
    assert not any(landscape(content))
    text = pdf_text(content)
    assert "Tổng số tiền vay triệu đồng 1.385,5 0 +1.385,5" in text  # 225 + 1.160,5
    assert "1.160.500.000" not in text


def test_the_place_and_date_follow_decree_30(figures):
    report = build(figures.ward_a, H1)
    table = ReportTable(report, today=datetime.date(2026, 2, 5))
    assert table.place_date == "Thử Nghiệm, ngày 05 tháng 02 năm 2026"
    table = ReportTable(report, today=datetime.date(2026, 11, 22))
    assert table.place_date == "Thử Nghiệm, ngày 22 tháng 11 năm 2026"


# CSV and JSON ---------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_indicator_with_its_figures(figures, personas):
    response = get(personas["supervisor"], url("csv", figures.district_a))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(response.content)
    header, body = rows[0], rows[1:]
    assert header[:4] == [
        "Mã chỉ tiêu",
        "Chỉ tiêu",
        "Quận A - 6 tháng đầu năm 2024",
        "Quận A - cùng kỳ năm trước (6 tháng đầu năm 2023)",
    ]
    assert set(header[4:]) == {"Phường A", "Phường A Cũ"}
    assert [r[0] for r in body] == list(catalogue().codes)
    rows_by_code = {r[0]: r for r in body}
    old = header.index("Phường A Cũ")
    assert rows_by_code["outreach.sessions"][1:4] == ["Số cuộc tuyên truyền", "5", "1"]
    assert rows_by_code["outreach.sessions"][old] == "2"
    assert rows_by_code["support.loan_amount"][2] == "225000000"
    assert rows_by_code["outreach.sessions.school_talk"][1] == "— tại trường học"


def test_the_json_has_the_exchange_shape_with_the_previous_period(figures, personas):
    response = get(personas["supervisor"], url("json", figures.district_a))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "Quận A".encode() in response.content  # not \u-escaped
    data = json.loads(response.content)
    assert set(data) == {"unit", "period", "indicators", "children", "previous"}
    assert data["unit"] == {"code": "991", "name": "Quận A"}
    assert data["period"]["label"] == "6 tháng đầu năm 2024"
    assert (data["period"]["start"], data["period"]["end"]) == ("2024-01-01", "2024-06-30")
    assert list(data["indicators"]) == list(catalogue().codes)
    assert data["indicators"]["outreach.sessions"] == 5
    assert data["children"]["99003-2025"]["outreach.sessions"] == 2
    assert data["previous"]["period"]["label"] == "6 tháng đầu năm 2023"
    assert data["previous"]["indicators"]["outreach.sessions"] == 1


def test_the_four_formats_carry_the_same_figures(figures, personas):
    client = personas["supervisor"]
    data = json.loads(get(client, url("json", figures.district_a)).content)
    values = data["indicators"]
    previous = data["previous"]["indicators"]
    children = {figures.ward_a.name: data["children"]["99001"],
                figures.ward_a_old.name: data["children"]["99003-2025"]}  # fmt: skip

    rows = csv_rows(get(client, url("csv", figures.district_a)).content)
    header = rows[0]
    for row in rows[1:]:
        code = row[0]
        assert (int(row[2]), int(row[3])) == (values[code], previous[code])
        for name, figures_of in children.items():
            assert int(row[header.index(name)]) == figures_of[code]

    sheet = xlsx_rows(get(client, url("xlsx", figures.district_a)).content)
    names = sheet[10]
    lines = [r for r in sheet[11:] if isinstance(r[3], int)]
    indicators = catalogue().indicators
    assert len(lines) == len(indicators)
    for indicator, row in zip(indicators, lines, strict=True):
        code = indicator.code
        value, before = values[code], previous[code]
        assert row[3:6] == tuple(shown(indicator, v) for v in (value, before, value - before))
        for name, figures_of in children.items():
            assert row[names.index(name)] == shown(indicator, figures_of[code])

    text = pdf_text(get(client, url("pdf", figures.district_a)).content)
    assert "Số tờ rơi phát tờ 800 0 +800 800 0" in text  # unit, previous, change, ward A, A cũ
    assert "Số lượt người tham dự lượt người 1.540 30 +1.510" in text


def test_every_format_has_the_programmes_section_and_the_loans_split(figures, personas):
    from cases.models import Club, Programme

    b93 = f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)
    club = Club.objects.create(
        ward=figures.ward_a,
        programme=b93,
        name="CLB Hướng Dương",
        founded_on=datetime.date(2023, 1, 1),
    )
    person = f.person(ward=figures.ward_a)
    f.enrollment(person=person, programme=b93, club=club, started_on=datetime.date(2024, 2, 1))
    client = personas["supervisor"]

    data = json.loads(get(client, url("json", figures.district_a)).content)
    assert data["indicators"]["programmes.enrolled.b93"] == 1
    assert data["indicators"]["programmes.clubs"] == 1
    assert data["indicators"]["support.loan_amount.persons"] == 225_000_000
    assert data["children"]["99001"]["programmes.club_members"] == 1

    rows = {r[0]: r for r in csv_rows(get(client, url("csv", figures.district_a)).content)}
    assert rows["programmes.enrolled.b93"][1:3] == [
        "— đang tham gia (cuối kỳ): CLB B93",
        "1",
    ]
    assert rows["support.loan_amount.persons"][2] == "225000000"  # đồng, as stored
    assert rows["support.loan_amount.households"][2] == "0"

    sheet = xlsx_rows(get(client, url("xlsx", figures.district_a)).content)
    assert ("IV", "CHƯƠNG TRÌNH, CÂU LẠC BỘ") in [r[:2] for r in sheet]
    clubs = next(r for r in sheet if r[1] == "Số câu lạc bộ đang hoạt động (cuối kỳ)")
    assert clubs[2:4] == ("câu lạc bộ", 1)

    text = pdf_text(get(client, url("pdf", figures.district_a)).content)
    assert "CHƯƠNG TRÌNH, CÂU LẠC BỘ" in text
    assert "Số câu lạc bộ đang hoạt động (cuối kỳ) câu lạc bộ 1" in text


# The view -------------------------------------------------------------------------------------


def test_a_download_is_audited_once_with_the_unit_format_and_period_and_no_name(figures, personas):
    before = AuditEvent.objects.count()
    response = get(
        personas["supervisor"], url("csv", figures.district_a, **{"cach-tinh": "official"})
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("pk")
    assert event.action == AuditEvent.Action.EXPORT
    assert event.actor == figures.supervisor
    assert event.unit_id == figures.district_a.pk
    assert event.changes == {"format": "csv", "period": "2024-H1", "cutoff": "official"}
    assert "Bí Mật" not in json.dumps(event.changes, ensure_ascii=False)
    assert response["Content-Disposition"] == (
        'attachment; filename="bao-cao-991-2024-h1-official.csv"'
    )
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("spec", "name"),
    [("2024-Q2", "bao-cao-99001-2024-q2.pdf"), ("2012..2022", "bao-cao-99001-2012_2022.pdf")],
)
def test_the_file_name_holds_the_unit_code_and_the_period_only(world, spec, name):
    assert export(build(world.ward_a, parse(spec)), "json").filename == name.replace("pdf", "json")


def test_a_unit_outside_ones_scope_is_not_found_and_not_audited(figures, personas):
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    response = personas["outsider"].get(url("xlsx", figures.ward_a))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before


def test_an_unreadable_period_is_a_400_page_that_says_why(world, personas):
    address = f"{reverse('reports:report_export', args=['pdf'])}?don-vi=99001&ky=2024-H3"
    response = personas["leader"].get(address)
    assert response.status_code == 400
    assert "Không hiểu kỳ báo cáo «2024-H3»" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_unknown_format_is_not_found(world, personas):
    assert personas["leader"].get(url("odt", world.ward_a)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(world, personas):
    response = personas["anonymous"].get(url("csv", world.ward_a))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# The declaration ------------------------------------------------------------------------------


def test_every_indicator_has_a_unit_of_measure_and_money_is_in_dong():
    every = build_catalogue([("b93", "CLB B93")]).indicators
    assert all(measure(i) for i in every)
    assert {measure(i) for i in every if i.kind == MONEY} == {"đồng"}
    assert measure(FIXED.by_code["outreach.sessions.radio"]) == "cuộc"
    assert measure(FIXED.by_code["outreach.minutes.radio"]) == "phút"
    assert measure(FIXED.by_code["programmes.clubs"]) == "câu lạc bộ"


def test_the_xlsx_and_csv_follow_the_catalogue_order_with_a_row_per_section(figures):
    rows = xlsx_rows(export(build(figures.ward_a, H1), "xlsx").content)
    sections = [r[1] for r in rows if r[0] in ("I", "II", "III", "IV", "V", "VI", "VII")]
    assert sections == [str(s.label).upper() for s in catalogue().sections]
    assert "CHƯƠNG TRÌNH, CÂU LẠC BỘ" in sections
