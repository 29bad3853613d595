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

from cases.models import Milestone
from outreach.models import Activity, Referral
from reports.exports import ROMAN
from reports.indicators import BAD, FIXED, GOOD, NEUTRAL
from reports.templatetags.report_tags import change, figure
from tests import factories as f
from tests.conftest import login
from wards.models import Post

D = datetime.date
NO_COMPARISON = "—không có số liệu so sánh"  # a dash, and words for screen readers
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


def _row(html: str, label: str) -> str:
    m = re.search(
        r'<th scope="row"[^>]*>\s*' + re.escape(label) + r"(<span|</th>)(.*?)</tr>",
        html,
        flags=re.S,
    )
    assert m, label
    return m.group(2)


def row(html: str, label: str) -> list[str]:
    """The figures of the table row whose heading is `label` (first match), as text: this
    period, the comparison, the change, then each child unit's (the measure left out)."""
    cells = re.findall(
        r'<td class="(?!measure-col)[^"]*">(.*?)</td>', _row(html, label), flags=re.S
    )
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def measure(html: str, label: str) -> str:
    """The «Đơn vị tính» cell of the row whose heading is `label`."""
    m = re.search(r'<td class="measure-col[^"]*">(.*?)</td>', _row(html, label), flags=re.S)
    assert m, label
    return m.group(1).strip()


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
    assert row(html, "Số cuộc tuyên truyền") == ["6", "2", "▲ +tăng (tốt) 4"]
    assert row(html, "Số lượt người tham dự") == ["80", "15", "▲ +tăng (tốt) 65"]
    # money: triệu đồng, said once, by the measure column
    assert row(html, "Tổng số tiền vay") == ["112,5", "0", "▲ +tăng (tốt) 112,5"]
    assert measure(html, "Tổng số tiền vay") == "triệu đồng"
    assert measure(html, "Số cuộc tuyên truyền") == "cuộc"
    assert "(đồng)" not in html and "số liệu: triệu đồng" not in html
    # a label that says its measure is not followed by it again (on a phone)
    assert "(phút)<span" not in html and "(phút) (phút)" not in html
    assert "phát thanh, loa lưu động (phút)</th>" in html
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
    sections = [(s.number, str(s.block.section.label)) for s in response.context["sections"]]
    assert ("IV", "Chương trình, câu lạc bộ") in sections
    assert sections[-1] == ("VII", "Hoạt động của Đội")
    assert "Chương trình, câu lạc bộ" in html
    assert row(html, "Số người đã tham gia trong kỳ: CLB B93")[:2] == ["1", "0"]
    assert row(html, "— đang tham gia (cuối kỳ): CLB B93") == [
        "1",
        "0",
        "▲ +tăng (tốt) 1",
        "1",
        "0",
    ]
    assert row(html, "Số câu lạc bộ đang hoạt động (cuối kỳ)")[:2] == ["1", "0"]
    assert row(html, "Số thành viên câu lạc bộ (cuối kỳ)")[:2] == ["1", "0"]
    # money in triệu đồng, the persons' and the households' parts on their own rows
    assert row(html, "— cho người sau cai nghiện")[:2] == ["112,5", "0"]
    assert row(html, "— cho hộ gia đình")[:2] == ["0", "0"]


def test_the_supervisor_sees_the_district_with_a_column_per_ward(records):
    response, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    report = response.context["report"]
    assert [c.code for c in report.children] == ["99001", "99003-2025"]
    assert report.values["outreach.sessions"] == 6
    assert '<th scope="col" class="num child-col"><span>Phường A</span></th>' in html
    assert '<th scope="col" class="num child-col"><span>Phường A Cũ</span></th>' in html
    # district, last year, change, then Phường A, Phường A Cũ
    assert row(html, "Số cuộc tuyên truyền") == ["6", "2", "▲ +tăng (tốt) 4", "3", "3"]
    assert row(html, "Số người được tiếp cận, giúp đỡ") == ["2", "0", "▲ +tăng (tốt) 2", "1", "1"]
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
    for fmt in ("xlsx", "docx", "pdf", "csv", "json"):  # a district's few wards: all shown
        assert (
            f'href="{reverse("reports:report_export", args=[fmt])}?{query}&amp;an-trong=0"' in html
        )
    assert "Tải Word (DOCX)" in html
    assert f'href="{reverse("reports:submission_status")}?{query}"' in html
    assert reverse("reports:submission_add") not in html  # supervisors do not submit

    _r, html = page(login(records.leader), ky="2024-Q1")
    assert f'href="{reverse("reports:submission_add")}?don-vi=99001&amp;ky=2024-Q1' in html
    assert reverse("reports:submission_status") not in html  # a ward has no child units
    _r, html = page(login(records.volunteer), ky="2024-Q1")
    assert reverse("reports:submission_add") not in html


def test_the_status_board_is_offered_only_for_the_periods_offices_file(records):
    client = login(records.supervisor)
    status = reverse("reports:submission_status")
    for spec in ("2024-03", "2024-Q1", "2024-H1", "2024"):
        assert status in page(client, **{"don-vi": "991", "ky": spec})[1], spec
    for spec in ("2012..2022", "2024-01-15..2024-06-14"):
        assert status not in page(client, **{"don-vi": "991", "ky": spec})[1], spec


# Section numbers, colours, the comparison ------------------------------------------------------


def test_every_section_is_numbered_in_roman_numerals(records):
    _r, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    numbers = re.findall(r'<h2 class="h5" id="section-[a-z_]+">([^.<]+)\. ', html)
    assert numbers == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert len(ROMAN) >= len(FIXED.sections)
    assert not re.search(r'id="section-[a-z_]+">\d', html)


def test_a_fall_in_relapses_is_good_news_and_a_fall_in_sessions_bad(records):
    """Q1 2024 against Q1 2023: a relapse a year ago, none now (green, ▼); fewer sessions
    would be red; a change of the teams' standing counts is grey."""
    person = f.person(ward=records.ward_a, registered_on=D(2022, 6, 1))
    f.enrollment(person=person, started_on=D(2022, 12, 1))
    Milestone.objects.create(
        person=person, ward=records.ward_a, kind=Milestone.Kind.RELAPSED, occurred_on=D(2023, 2, 10)
    )
    response, html = page(login(records.leader), ky="2024-Q1")
    assert response.context["report"].previous["post_rehab.relapsed"] == 1
    cells = _row(html, "Số người tái nghiện")
    assert "change-good" in cells and "▼ −" in cells and "change-bad" not in cells
    assert row(html, "Số người tái nghiện") == ["0", "1", "▼ −giảm (tốt) 1"]
    assert "change-good" in _row(html, "Số cuộc tuyên truyền")  # 6 against 2: more is good
    with translation.override("vi"):
        assert "change-bad" in change(-3, "E", GOOD) and "▼ −" in change(-3, "E", GOOD)
        assert "change-bad" in change(2, "P", BAD) and "▲ +" in change(2, "P", BAD)
        assert "change-good" in change(-1, "P", BAD)
        assert "change-neutral" in change(5, "S", NEUTRAL)
    assert FIXED.by_code["post_rehab.relapsed"].rise == BAD
    assert FIXED.by_code["casework.persons_reached"].rise == GOOD
    assert FIXED.by_code["team.teams"].rise == NEUTRAL
    css = Path(finders.find("css/report.css")).read_text(encoding="utf-8")
    assert ".change-good {" in css and ".change-bad {" in css and ".change-neutral {" in css


def test_a_comparison_period_without_figures_shows_a_dash_not_a_rise(records):
    _r, html = page(login(records.leader), ky="2012..2022")
    assert "Kỳ so sánh (Giai đoạn 2001 - 2011) chưa có số liệu." in html
    # the teams and members count in 2012-2022 but are not figures of the period
    assert row(html, "Số Đội (cuối kỳ)")[1:] == [NO_COMPARISON, NO_COMPARISON]
    assert row(html, "Số lượt người tham dự")[1:] == [NO_COMPARISON, NO_COMPARISON]
    assert "▲" not in _row(html, "Số lượt người tham dự")
    # with figures in the comparison period, no note
    _r, html = page(login(records.leader), ky="2024-Q1")
    assert "chưa có số liệu." not in html
    assert row(html, "Số lượt người tham dự")[1] == "15"


# A province's communes ----------------------------------------------------------------------


@pytest.fixture
def province(world):
    """Tỉnh Thử Nghiệm in 2026: its two districts (never dissolved in the test world) and ten
    communes formed on 1 July 2025, «Phường 10» from two wards of Quận B; figures in two of
    them; a supervisor of the province."""
    new = D(2025, 7, 1)
    names = ["Phường 10", "Phường 2", "Xã Ứng Hòa", "Phường Ô Chợ Dừa", "Phường Đống Đa"]
    names += [f"Xã Mới {i}" for i in range(5)]
    communes = {
        name: f.unit(code=f"98{n:03d}", parent=world.province, name=name, valid_from=new)
        for n, name in enumerate(names)
    }
    for n in range(2):
        f.unit(
            code=f"97{n:03d}-2025",
            parent=world.district_b,
            name=f"Phường Cũ {n}",
            valid_until=D(2025, 6, 30),
            successor=communes["Phường 10"],
        )
    activity(communes["Phường 10"], D(2026, 2, 1), sessions=4, participants=50)
    activity(communes["Xã Ứng Hòa"], D(2026, 3, 1), sessions=1, participants=20)
    officer = f.user("giamsat_tinh")
    f.post(user=officer, unit=world.province, role=Post.Role.SUPERVISOR)
    world.communes = communes
    world.province_officer = officer
    return world


def test_a_province_shows_its_units_down_the_side_and_hides_the_empty_ones(province):
    client = login(province.province_officer)
    response, html = page(client, **{"don-vi": "99", "ky": "2026-Q1"})
    report = response.context["report"]
    assert len(report.children) == 12  # two districts, ten communes
    children = response.context["children"]
    assert children.as_rows and children.hide_empty
    assert [c.name for c in children.shown] == ["Phường 10", "Xã Ứng Hòa"]
    assert "Ẩn 10 đơn vị không có số liệu" in html
    assert 'class="num child-col"' not in html  # no column per unit
    outreach = response.context["sections"][0]
    assert outreach.number == "I"
    table = outreach.units
    assert [str(c.label) for c in table.columns][:2] == [
        "Số cuộc tuyên truyền",
        "Số lượt người tham dự",
    ]
    assert all(not c.indicator.sub for c in table.columns)
    assert [(g.district, [r.unit.name for r in g.rows]) for g in table.groups] == [
        (province.district_b, ["Phường 10"]),
        (None, ["Xã Ứng Hòa"]),
    ]
    assert table.groups[0].rows[0].values[:2] == [(4, "E"), (50, "A")]
    assert "Quận B (cũ)" in html and "Không thuộc quận, huyện cũ" in html
    assert (
        html.count('class="sticky-col unit-col fw-normal">Phường 10</th>') == 7
    )  # a table per section
    # the unit's own table is unchanged: this period, the comparison, the change
    # (Q1 2025 had no figures: no comparison)
    assert row(html, "Số cuộc tuyên truyền") == ["5", NO_COMPARISON, NO_COMPARISON]
    assert "an-trong=0" in html
    # the downloads hold the units the page shows
    assert all(url.endswith("&an-trong=1") for _label, url in response.context["downloads"])

    response, html = page(client, **{"don-vi": "99", "ky": "2026-Q1", "an-trong": "0"})
    assert all(url.endswith("&an-trong=0") for _label, url in response.context["downloads"])
    children = response.context["children"]
    assert not children.hide_empty and len(children.shown) == 12 and children.empty == 10
    assert "Ẩn 10 đơn vị" not in html
    assert "Có 10 đơn vị trực thuộc không có số liệu trong kỳ." in html
    groups = response.context["sections"][0].units.groups
    assert [r.unit.name for r in groups[-1].rows] == [
        "Phường 2",
        "Phường Đống Đa",
        "Phường Ô Chợ Dừa",
        "Quận A",
        "Quận B",
        "Xã Mới 0",
        "Xã Mới 1",
        "Xã Mới 2",
        "Xã Mới 3",
        "Xã Mới 4",
        "Xã Ứng Hòa",
    ]
    assert "an-trong=1" in html


def test_a_few_child_units_keep_a_column_each(records):
    response, html = page(login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1"})
    children = response.context["children"]
    assert not children.as_rows and not children.hide_empty
    assert all(s.units is None for s in response.context["sections"])
    assert "Ẩn " not in html
    # asked for, the empty ones go (none here: both wards have figures)
    response, _html = page(
        login(records.supervisor), **{"don-vi": "991", "ky": "2024-Q1", "an-trong": "1"}
    )
    assert len(response.context["children"].shown) == 2


def test_the_province_page_costs_the_same_queries_for_12_and_40_units(province):
    client = login(province.province_officer)
    params = {"don-vi": "99", "ky": "2026-Q1"}
    client.get(URL, params)
    few = _queries(client, **params)
    for i in range(28):
        commune = f.unit(code=f"96{i:03d}", parent=province.province, valid_from=D(2025, 7, 1))
        f.unit(
            code=f"95{i:03d}-2025",
            parent=province.district_a,
            valid_until=D(2025, 6, 30),
            successor=commune,
        )
        activity(commune, D(2026, 1, 5), sessions=1, participants=3)
    response = client.get(URL, params)
    assert len(response.context["report"].children) == 40
    assert len(response.context["sections"][0].units.groups) == 3  # Quận A, Quận B, none
    assert _queries(client, **params) == few


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
