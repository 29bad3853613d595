"""The report page: the right figures for the right people, never a name for a supervisor,
a fixed number of queries whatever the number of child units, a chart and a printout."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from outreach.models import Activity, Referral
from reports.templatetags.report_tags import change, figure
from tests import factories as f
from tests.conftest import login

D = datetime.date
URL = reverse("reports:report")


def activity(unit, on, **fields):
    fields.setdefault("kind", "community_meeting")
    return Activity.objects.create(unit=unit, occurred_on=on, **fields)


@pytest.fixture
def records(world):
    """Q1 2024: the same meeting recorded in ward A and in the ward merged into it, people
    helped in both, a loan; Q1 2023 for the comparison; ward B outside."""
    activity(world.ward_a, D(2024, 2, 5), sessions=3, participants=40)
    activity(world.ward_a_old, D(2024, 3, 10), sessions=3, participants=40)
    activity(world.ward_a, D(2023, 2, 5), sessions=2, participants=15)
    activity(world.ward_b, D(2024, 2, 5), sessions=50, participants=900)
    hoa = f.person(ward=world.ward_a, full_name="Nguyễn Văn Hòa", registered_on=D(2023, 6, 1))
    tam = f.person(ward=world.ward_a_old, full_name="Phạm Thị Tâm", registered_on=D(2023, 6, 1))
    f.contact(person=hoa, occurred_on=D(2024, 1, 20))
    f.contact(person=tam, occurred_on=D(2024, 3, 2), kind="phone")
    f.referral(
        person=hoa,
        kind=Referral.Kind.LOAN,
        referred_on=D(2024, 1, 5),
        status=Referral.Status.COMPLETED,
        status_on=D(2024, 3, 1),
        amount=112_500_000,
    )
    return world


def page(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response, response.content.decode()


def row(html: str, label: str) -> list[str]:
    """The cells of the table row whose heading is `label` (first match), as text."""
    m = re.search(r'<th scope="row"[^>]*>\s*' + re.escape(label) + r"(.*?)</tr>", html, flags=re.S)
    assert m, label
    cells = re.findall(r"<td[^>]*>(.*?)</td>", m.group(1), flags=re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


# Figures ------------------------------------------------------------------------------------


def test_the_leader_sees_the_ward_with_the_ward_merged_into_it(records):
    response, html = page(login(records.leader), ky="2024-Q1")
    report = response.context["report"]
    assert report.unit == records.ward_a
    assert report.values["outreach.sessions"] == 6
    assert report.values["outreach.participants"] == 80
    assert report.values["casework.persons_reached"] == 2
    assert "Báo cáo quý I năm 2024" in html
    assert "Từ ngày 01/01/2024 đến ngày 31/03/2024" in html
    # the figure, the same time last year, the change
    assert row(html, "Số cuộc tuyên truyền") == ["6", "2", "▲ +tăng 4"]
    assert row(html, "Số lượt người tham dự") == ["80", "15", "▲ +tăng 65"]
    assert row(html, "Tổng số tiền vay (đồng)") == ["112,5", "0", "▲ +tăng 112,5"]
    assert "đã tổ chức 6 cuộc tuyên truyền với 80 lượt người tham dự" in html
    assert "với số tiền 112,5 triệu đồng" in html
    assert "Cùng kỳ năm trước" in html


def test_the_page_shows_the_programmes_and_clubs_and_the_loans_split(records):
    from cases.models import Club, Programme

    b93 = f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)
    club = Club.objects.create(
        ward=records.ward_a, programme=b93, name="CLB Hướng Dương", founded_on=D(2023, 6, 1)
    )
    person = f.person(ward=records.ward_a, registered_on=D(2023, 6, 1))
    f.enrollment(person=person, programme=b93, club=club, started_on=D(2024, 2, 1))
    response, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    sections = [(n, str(s.section.label)) for n, s in response.context["sections"]]
    assert ("IV", "Chương trình, câu lạc bộ") in sections
    assert sections[-1] == ("VII", "Hoạt động của Đội")
    assert "Chương trình, câu lạc bộ" in html
    assert row(html, "Số người đã tham gia trong kỳ: CLB B93")[:2] == ["1", "0"]
    assert row(html, "— đang tham gia (cuối kỳ): CLB B93") == [
        "1",
        "0",
        "▲ +tăng 1",
        "1",
        "0",
    ]
    assert row(html, "Số câu lạc bộ đang hoạt động (cuối kỳ)")[:2] == ["1", "0"]
    assert row(html, "Số thành viên câu lạc bộ (cuối kỳ)")[:2] == ["1", "0"]
    # money in triệu đồng, the persons' and the households' parts on their own rows
    assert row(html, "— cho người sau cai nghiện (đồng)")[:2] == ["112,5", "0"]
    assert row(html, "— cho hộ gia đình (đồng)")[:2] == ["0", "0"]


def test_the_supervisor_sees_the_district_with_a_column_per_ward(records):
    response, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    report = response.context["report"]
    assert [c.code for c in report.children] == ["99001", "99003-2025"]
    assert report.values["outreach.sessions"] == 6
    assert '<th scope="col" class="num child-col"><span>Phường A</span></th>' in html
    assert '<th scope="col" class="num child-col"><span>Phường A Cũ</span></th>' in html
    # district, last year, change, then Phường A, Phường A Cũ
    assert row(html, "Số cuộc tuyên truyền") == ["6", "2", "▲ +tăng 4", "3", "3"]
    assert row(html, "Số người được tiếp cận, giúp đỡ") == ["2", "0", "▲ +tăng 2", "1", "1"]
    assert "Quận B" not in html and "Phường B" not in html
    assert report.values["outreach.participants"] == 80  # ward B's 900 are not counted


def test_the_supervisors_page_never_shows_a_persons_name(records):
    for spec in ("2024-Q1", "2024", "2012..2024"):
        _response, html = page(login(records.supervisor), **{"don-vi": "991", "ky": spec})
        for name in ("Nguyễn Văn Hòa", "Phạm Thị Tâm", "Hòa", "Tâm"):
            assert name not in html


def test_the_buttons_follow_the_choice_and_the_role(records):
    query = "don-vi=991&amp;ky=2024-Q1&amp;cach-tinh=official"
    _r, html = page(
        login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1", "cach-tinh": "official"}
    )
    for fmt in ("xlsx", "pdf", "csv", "json"):
        assert f'href="{reverse("reports:report_export", args=[fmt])}?{query}"' in html
    assert f'href="{reverse("reports:submission_status")}?{query}"' in html
    assert reverse("reports:submission_add") not in html  # supervisors do not submit

    _r, html = page(login(records.leader), ky="2024-Q1")
    assert f'href="{reverse("reports:submission_add")}?don-vi=99001&amp;ky=2024-Q1' in html
    assert reverse("reports:submission_status") not in html  # a ward has no child units
    _r, html = page(login(records.volunteer), ky="2024-Q1")
    assert reverse("reports:submission_add") not in html


def test_the_official_cut_off_moves_the_days_after_the_14th(records):
    response, html = page(login(records.leader), ky="2024-Q1", **{"cach-tinh": "official"})
    # 15/12/2023 – 14/03/2024: the meeting of 10 March is in, the call of 2 March too
    assert "Từ ngày 15/12/2023 đến ngày 14/03/2024" in html
    assert "theo kỳ báo cáo chính thức" in html
    assert response.context["report"].values["outreach.sessions"] == 6
    response, _html = page(login(records.leader), ky="2024-02", **{"cach-tinh": "official"})
    assert response.context["report"].values["outreach.sessions"] == 3  # 15/01 – 14/02


# Scope and mistakes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, code", [("outsider", "99001"), ("leader", "991"), ("leader", "99002"), ("leader", "99")]
)
def test_a_unit_outside_ones_scope_is_not_found(world, personas, who, code):
    assert personas[who].get(URL, {"don-vi": code, "ky": "2024-Q1"}).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(world, personas):
    response = personas["anonymous"].get(URL)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"ky": "2024-13"}, "Tháng phải từ 01 đến 12."),
        ({"ky": "quý 2"}, "Không hiểu kỳ báo cáo «quý 2»"),
        ({"ky": "2024-06-30..2024-01-01"}, "Ngày kết thúc không được trước ngày bắt đầu."),
        ({"ky": "2024", "ky-khac": "1800"}, "Năm 1800 nằm ngoài khoảng 1990 – 2100."),
    ],
)
def test_a_period_that_cannot_be_read_says_why_in_vietnamese(world, personas, params, message):
    response, html = page(personas["leader"], **params)
    assert message in html
    assert 'role="alert"' in html and 'aria-invalid="true"' in html
    assert "report" not in response.context  # no figures for a period nobody asked for
    assert '<details class="mb-2" open>' in html  # the typed period is shown to correct


def test_the_submitted_picker_lands_on_the_plain_address_of_the_report(world, personas):
    response = personas["supervisor"].get(
        URL, {"don-vi": "99001", "ky": "2024-H1", "cach-tinh": "calendar", "ky-khac": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?don-vi=99001&ky=2024-H1&cach-tinh=calendar"


def test_a_typed_period_opens_that_report(world, personas):
    response = personas["supervisor"].get(
        URL, {"don-vi": "991", "ky": "2024", "ky-khac": " 2024-q2 ", "cach-tinh": "official"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?don-vi=991&ky=2024-Q2&cach-tinh=official"


def test_the_picker_offers_the_users_units_and_the_usual_periods(world, personas):
    _r, html = page(personas["leader"])
    assert '<option value="99001" selected>Phường A</option>' in html
    assert "Phường A Cũ (đến 30/06/2025)" in html  # merged into ward A
    assert "Phường B" not in html
    assert '<option value="2012..2022">Giai đoạn 2012 - 2022</option>' in html
    assert "6 tháng đầu năm" in html and "Quý IV năm" in html
    _r, html = page(personas["supervisor"], **{"don-vi": "99001", "ky": "2024-01-15..2024-02-14"})
    assert "\u00a0\u00a0\u00a0Phường A</option>" in html  # a ward under the district
    assert '<option value="2024-01-15..2024-02-14" selected>' in html


def test_a_unit_gone_before_the_period_points_to_its_last_half_year(world, personas):
    _r, html = page(personas["leader"], **{"don-vi": "99003-2025", "ky": "2026-Q1"})
    assert "Phường A Cũ chỉ tồn tại đến ngày 30/06/2025" in html
    assert "?don-vi=99003-2025&amp;ky=2025-H1&amp;cach-tinh=calendar" in html


def test_everyone_with_a_grant_finds_reports_in_the_menu(world, personas):
    for who in ("volunteer", "leader", "officer", "supervisor", "outsider"):
        html = personas[who].get(reverse("home")).content.decode()
        assert f'href="{URL}">Báo cáo</a>' in html, who
    html = personas["supervisor"].get(URL).content.decode()
    assert f'aria-current="page" href="{URL}">Báo cáo</a>' in html


# Queries ------------------------------------------------------------------------------------


def _queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, params)
    assert response.status_code == 200
    return len(ctx)


def test_the_district_page_costs_the_same_queries_for_1_and_for_30_wards(world):
    client = login(world.supervisor)
    params = {"don-vi": "991", "ky": "2026-Q1"}  # ward A's predecessor is gone by then
    activity(world.ward_a, D(2026, 2, 1), sessions=2, participants=30)
    client.get(URL, params)  # warm up: content types, sessions
    one = _queries(client, **params)
    assert len(client.get(URL, params).context["report"].children) == 1
    for i in range(29):
        ward = f.unit(code=f"99{100 + i}", parent=world.district_a, name=f"Phường Mới {i}")
        team = f.team(ward=ward)
        f.member(team=team, role="leader")
        activity(ward, D(2026, 1, 10 + i % 15), sessions=1, participants=10)
        person = f.person(ward=ward, registered_on=D(2025, 9, 1))
        f.contact(person=person, occurred_on=D(2026, 3, 1))
    response = client.get(URL, params)
    assert len(response.context["report"].children) == 30
    assert response.context["report"].values["outreach.sessions"] == 31
    assert _queries(client, **params) == one


def test_the_page_costs_the_same_queries_for_a_month_a_year_and_eleven_years(records):
    client = login(records.leader)
    client.get(URL)
    counts = [_queries(client, ky=spec) for spec in ("2024-03", "2024", "2012..2022")]
    assert counts[0] == counts[1] == counts[2]


# The chart and the printout -----------------------------------------------------------------


def test_the_trend_chart_is_drawn_with_a_title_a_description_and_its_data(records):
    response, html = page(login(records.leader), ky="2024-Q1")
    assert html.count('<svg role="img"') == 4
    assert "<title" in html and "<desc" in html
    assert "Diễn biến theo tháng" in html
    assert "Bảng số liệu của biểu đồ" in html
    assert [b.label for b in response.context["trend"].buckets] == [
        "01/2024",
        "02/2024",
        "03/2024",
    ]
    sessions = response.context["charts"][0]
    assert [b.value for b in sessions.bars] == [0, 3, 3]
    # the February bar, drawn with a dot as the decimal separator whatever the language
    assert re.search(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="[\d.]+"', html)

    _r, html = page(login(records.leader), ky="2012..2022")
    assert "Diễn biến theo năm" in html


def test_printing_shows_the_national_header_and_hides_the_controls(records):
    _r, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html
    assert "Độc lập - Tự do - Hạnh phúc" in html
    assert 'class="print-only national-header"' in html
    assert "css/report.css" in html
    assert "report-doc--wide" in html  # a column per ward: printed landscape
    path = finders.find("css/report.css")
    assert path
    css = Path(path).read_text(encoding="utf-8")
    assert "@media print" in css
    assert ".print-only { display: none; }" in css
    printed = css[css.index("@media print") :]
    hidden = re.search(r"([^{}]*)\{ display: none !important; \}", printed)
    selectors = {s.strip() for s in hidden.group(1).split(",")}
    assert {"nav", "footer", "form", ".btn", ".report-actions", ".report-picker"} <= selectors
    assert ".print-only { display: block; }" in printed
    assert "page-break-inside: avoid" in printed
    assert "@page wide" in css and "size: A4 landscape" in css


# Formatting ---------------------------------------------------------------------------------


def test_figures_are_grouped_and_money_is_in_millions():
    with translation.override("vi"):
        assert figure(6421) == "6.421"
        assert figure(110_000_000, "M") == "110"
        assert figure(112_500_000, "M") == "112,5"
        assert figure(1_234_560_000, "M") == "1.234,56"
        assert figure(2_000, "M") == "< 0,01"
        assert figure(0, "M") == "0"
        assert "▲ +" in change(12) and "tăng" in change(12)
        assert "▼ −" in change(-1500) and "1.500" in change(-1500)
        assert "không đổi" in change(0)
    with translation.override("en"):
        assert figure(6421) == "6,421"
        assert figure(112_500_000, "M") == "112.5"
