"""The first journeys in a real Chromium, on a 360-px phone and a desktop.

The leader logs in through the form, opens their team and adds a member; the supervisor logs in
and opens the overview. On the phone, pages must not scroll sideways, text is at least 16 px and
primary buttons at least 44 px tall.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser.conftest import otp_code
from wards.models import AuditEvent, Member

pytestmark = pytest.mark.browser

# app.css darkens Bootstrap's primary blue on the bar, for contrast with white text.
NAVBAR_BLUE = "rgb(10, 88, 202)"


def log_in(screen, username: str) -> None:
    """Log in through the form; a supervisor or administrator then types the app's code."""
    page = screen.page
    page.goto(screen.url(reverse("login")))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(f.PASSWORD)
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    code = otp_code(username)
    if code is not None:
        page.wait_for_url(re.compile(re.escape(screen.url(reverse("otp_verify"))) + r"\?next="))
        page.get_by_label("Mã xác thực (6 chữ số)").fill(code)
        page.locator("main").get_by_role("button", name="Xác nhận").click()
    page.wait_for_url(screen.url(reverse("home")))


def open_nav(screen, label: str) -> None:
    """Follow a main-menu link, opening the collapsed menu first on a phone."""
    page = screen.page
    nav = page.get_by_role("navigation", name="Điều hướng chính")
    toggler = nav.get_by_role("button", name="Mở menu")
    if toggler.is_visible():
        toggler.click()
        # Bootstrap's collapse animates ("collapsing") before it settles on "collapse show".
        page.locator("#main-nav.collapse.show").wait_for(state="visible")
        link = nav.get_by_role("link", name=label)
        if screen.name == "phone" and label == "Đội của tôi":
            screen.shot("menu-open")
        link.click()
    else:
        nav.get_by_role("link", name=label).click()
    page.wait_for_load_state()


def assert_styled(page) -> None:
    """Bootstrap and app.css loaded and applied: both sheets have rules, the navbar is blue."""
    sheets = page.evaluate(
        """() => [...document.styleSheets]
            .filter(s => s.href && s.cssRules.length > 0)
            .map(s => new URL(s.href).pathname.split('/').pop())"""
    )
    assert "bootstrap.min.css" in sheets and "app.css" in sheets, sheets
    navbar = page.locator("nav.navbar")
    assert navbar.evaluate("el => getComputedStyle(el).backgroundColor") == NAVBAR_BLUE


def test_leader_logs_in_opens_the_team_and_adds_a_member(screen, live_world):
    page, world = screen.page, live_world
    page.goto(screen.url(reverse("login")))
    assert page.locator("html").get_attribute("lang") == "vi"
    assert_styled(page)
    screen.shot("login")

    log_in(screen, "doitruong_a")
    screen.shot("home-leader")
    open_nav(screen, "Đội của tôi")
    page.wait_for_url(screen.url(reverse("wards:team_detail", args=[world.team_a.pk])))
    assert_styled(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Đội CTXHTN phường A"
    assert page.locator("li.roster-item", has_text="Trần Thị Lan").is_visible()
    screen.shot("team")

    page.locator("main").get_by_role("link", name="Thêm thành viên").click()
    page.wait_for_url(screen.url(reverse("wards:member_add", args=[world.team_a.pk])))
    page.fill("#id_full_name", "  Hoàng   Thị Mai ")
    page.locator("input[name=sex][value=female]").check()
    page.fill("#id_birth_year", "1975")
    page.fill("#id_phone", "0912 345 678")
    page.select_option("#id_role", "member")
    page.select_option("#id_organisation", "women")
    page.fill("#id_joined_on", "2025-09-01")
    screen.shot("member-add")
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(screen.url(reverse("wards:team_detail", args=[world.team_a.pk])))
    success = page.locator(".alert-success")
    assert success.inner_text().strip() == "Đã thêm Hoàng Thị Mai vào Đội."
    roster = page.locator("li.roster-item", has_text="Hoàng Thị Mai")
    assert roster.is_visible()
    assert "Hội Liên hiệp Phụ nữ" in roster.inner_text()
    assert roster.get_by_role("link", name="0912345678").is_visible()
    screen.shot("member-added")

    member = Member.objects.get(full_name="Hoàng Thị Mai")
    assert member.created_by == world.leader
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk)).exists()


def test_supervisor_logs_in_and_opens_the_overview(screen, live_world):
    page = screen.page
    log_in(screen, "giamsat_a")
    screen.shot("home-supervisor")
    open_nav(screen, "Các Đội")
    assert page.url.startswith(screen.url(reverse("wards:team_overview")))
    assert_styled(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    assert "Tổng hợp các Đội" in heading and "Quận A" in heading
    table = page.locator("main table")
    assert table.get_by_role("link", name="Phường A").is_visible()
    # District A's wards only: ward B is in district B.
    assert "Phường B" not in table.inner_text()
    screen.shot("overview")


def _phone_metrics(page) -> dict:
    return page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            bodyFont: parseFloat(getComputedStyle(document.body).fontSize),
            wide: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                              && !el.closest('.table-responsive, .visually-hidden,'
                                             + ' .visually-hidden-focusable'))
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
                .slice(0, 5),
            buttons: [...document.querySelectorAll('.btn-primary')]
                .filter(el => el.offsetParent !== null)
                .map(el => ({text: el.innerText.trim(),
                             height: el.getBoundingClientRect().height})),
        })"""
    )


def assert_fits_a_phone(page, where: str, *, primary_button: bool = True) -> None:
    m = _phone_metrics(page)
    assert m["scrollWidth"] <= m["innerWidth"], (
        f"{where}: page scrolls sideways ({m['scrollWidth']} > {m['innerWidth']} px): {m['wide']}"
    )
    assert m["bodyFont"] >= 16, f"{where}: body text is {m['bodyFont']} px"
    assert m["buttons"] or not primary_button, f"{where}: no primary button"
    small = [b for b in m["buttons"] if b["height"] < 44]
    assert not small, f"{where}: primary buttons under 44 px tall: {small}"


def test_pages_fit_a_phone(phone, live_world):
    page, world = phone.page, live_world
    page.goto(phone.url(reverse("login")))
    assert_fits_a_phone(page, "login")

    log_in(phone, "doitruong_a")
    for name, url in [
        ("team", reverse("wards:team_detail", args=[world.team_a.pk])),
        ("member form", reverse("wards:member_add", args=[world.team_a.pk])),
    ]:
        page.goto(phone.url(url))
        assert_fits_a_phone(page, name)

    # A name as long as real ones get, on the roster and in the page heading.
    f.member(
        team=world.team_a,
        full_name="Nguyễn Thị Phương Thảo Hoàng Lan Anh",
        phone="0912345678",
        organisation="veterans",
        role="deputy",
    )
    page.goto(phone.url(reverse("wards:team_detail", args=[world.team_a.pk])))
    assert_fits_a_phone(page, "team with a long name")


def test_overview_fits_a_phone(phone, live_world):
    page = phone.page
    log_in(phone, "giamsat_a")
    page.goto(phone.url(reverse("wards:team_overview")))
    # The wide table scrolls inside .table-responsive; the page itself must not.
    assert_fits_a_phone(page, "overview", primary_button=False)


def test_wrong_password_shows_an_error_and_stays_on_the_login_page(phone, live_world):
    page = phone.page
    page.goto(phone.url(reverse("login")))
    page.get_by_label("Tên đăng nhập").fill("doitruong_a")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.locator("main").get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    assert re.search(r"/dang-nhap/", page.url)
    assert page.locator(".alert-danger, .invalid-feedback, .errorlist").first.is_visible()
    phone.shot("login-error")


def test_the_language_switches_to_english_and_back_on_a_phone(phone, live_world):
    page, world = phone.page, live_world
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Hòa")
    f.assignment(person=person, member=world.volunteer_member)
    log_in(phone, "tnv_a")
    assert page.get_by_role("heading", level=1).inner_text() == "Việc của tôi"
    assert page.locator("html").get_attribute("lang") == "vi"

    # The footer's button, on the page the volunteer is on; the choice stays from page to page.
    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="English").tap()
    assert page.url == phone.url(reverse("home"))
    assert page.get_by_role("heading", level=1).inner_text() == "My work"
    assert page.locator("html").get_attribute("lang") == "en"
    phone.shot("language-english")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Record a contact {person.full_name}").tap()
    assert page.get_by_role("heading", level=1).inner_text() == "Record a contact"
    assert page.get_by_role("button", name="Save").is_visible()

    with page.expect_navigation():
        page.locator("footer").get_by_role("button", name="Tiếng Việt").tap()
    assert page.url == phone.url(reverse("cases:contact_add", args=[person.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == "Ghi nhận tiếp cận"
    assert page.locator("html").get_attribute("lang") == "vi"
    page.goto(phone.url(reverse("home")))
    assert page.get_by_role("heading", level=1).inner_text() == "Việc của tôi"
    phone.shot("language-back")
