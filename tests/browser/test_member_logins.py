"""The team runs its own logins, in a real Chromium on a 360-px phone (issue 22): a leader adds a
member and gives them a login, reads the one-time password from the page; the member logs in
with it, must choose their own password and lands on their work; the leader resets it; the
member leaves the team and can no longer log in.

Every step goes through the page; only the login page is opened by URL. Screenshots go to
tests/browser/screenshots/logins-<step>-phone.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.test_accessibility import check_page
from tests.browser.test_accounts import fill_login
from tests.browser.test_casework import assert_no_sideways_scroll, shot, submit
from tests.browser.test_foundation import log_in, open_nav
from wards.models import Member

pytestmark = pytest.mark.browser

OWN_PASSWORD = "Lan-tu-dat-mat-khau-2026"
NEWER_PASSWORD = "Lan-mat-khau-thu-hai-2026"
NAME = "Nguyễn Thị Lan"


def log_out(screen) -> None:
    page = screen.page
    toggler = page.get_by_role("button", name="Mở menu")
    if toggler.is_visible():
        toggler.click()
        page.locator("#main-nav.collapse.show").wait_for(state="visible")
    page.get_by_role("button", name="Tài khoản").click()
    submit(screen, page.get_by_role("button", name="Đăng xuất"))


def log_in_as(screen, username: str, password: str) -> None:
    page = screen.page
    page.goto(screen.url(reverse("login")))
    fill_login(page, username, password)
    submit(screen, page.locator("main").get_by_role("button", name="Đăng nhập"))


def row_of(page, name: str):
    return page.locator("li.roster-item", has_text=name)


def read_password(screen, step: str) -> str:
    page = screen.page
    password = page.locator("[data-login-password]").inner_text().strip()
    assert len(password) == 14 and password.count("-") == 2, password
    box = page.locator("[data-login-password]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, "the password fits the phone"
    assert_no_sideways_scroll(screen, step)
    shot(screen, "logins", step)
    return password


def test_a_leader_gives_resets_and_ends_a_members_login_on_a_phone(phone, live_world):
    page, world = phone.page, live_world
    log_in(phone, "doitruong_a")
    page.goto(phone.url(world.team_a.get_absolute_url()))

    # The leader adds the member, then gives them a login from the team page.
    submit(phone, page.get_by_role("link", name="Thêm thành viên"))
    page.get_by_label("Họ và tên").fill(NAME)
    page.get_by_label("Nữ").check()
    page.get_by_label("Năm sinh").fill("1992")
    submit(phone, page.get_by_role("button", name="Lưu"))
    row = row_of(page, NAME)
    assert "Chưa có tài khoản" in row.inner_text()
    submit(phone, row.get_by_role("link", name=f"Cấp tài khoản {NAME}"))
    username = page.get_by_label("Tên đăng nhập")
    assert username.input_value() == "lan.nt"  # suggested from the name, editable
    shot(phone, "logins", "create-form")
    submit(phone, page.get_by_role("button", name="Cấp tài khoản"))
    assert page.locator("[data-login-username]").inner_text().strip() == "lan.nt"
    password = read_password(phone, "created")
    assert phone.url("/") in page.locator(".login-slip").inner_text()
    assert page.get_by_role("button", name="In phiếu").is_visible()
    # «In phiếu» prints the slip alone: no menu, no warning, no buttons
    page.emulate_media(media="print")
    assert page.locator(".login-slip").is_visible()
    for hidden in ("nav", ".alert-warning", "footer", "h1"):
        assert not page.locator(hidden).first.is_visible(), hidden
    shot(phone, "logins", "slip-printed")
    page.emulate_media(media="screen")
    problems = check_page(phone, "login-result")
    assert not problems, "\n".join(problems)
    submit(phone, page.get_by_role("link", name="Về trang Đội"))
    status = row_of(page, NAME).inner_text()
    assert "Tài khoản: lan.nt" in status and "chưa đăng nhập lần nào" in status
    assert "mật khẩu tạm chưa đổi" in status
    shot(phone, "logins", "team-page")
    problems = check_page(phone, "team-logins")
    assert not problems, "\n".join(problems)
    log_out(phone)

    # The member logs in with it and must choose their own password first.
    log_in_as(phone, "lan.nt", password)
    assert page.url == phone.url(reverse("password_set"))
    page.locator("input[name=new_password1]").fill("12345678")
    page.locator("input[name=new_password2]").fill("12345678")
    submit(phone, page.get_by_role("button", name="Lưu mật khẩu"))
    assert "toàn chữ số" in page.locator("main").inner_text()
    shot(phone, "logins", "password-set-refused")
    page.locator("input[name=new_password1]").fill(OWN_PASSWORD)
    page.locator("input[name=new_password2]").fill(OWN_PASSWORD)
    submit(phone, page.get_by_role("button", name="Lưu mật khẩu"))
    assert page.url == phone.url(reverse("home"))
    assert "Đã lưu mật khẩu của bạn" in page.locator(".alert-success").inner_text()
    # home is their work list, which says who will assign them people
    assert page.get_by_role("heading", level=1).inner_text() == "Việc của tôi"
    assert "Bạn chưa được phân công giúp đỡ ai." in page.locator("main").inner_text()
    shot(phone, "logins", "member-home")
    open_nav(phone, "Việc của tôi")  # the same list from the menu
    assert page.url == phone.url(reverse("cases:my_work"))
    shot(phone, "logins", "member-work")
    log_out(phone)

    # The leader resets it; the member logs in with the new one.
    log_in(phone, "doitruong_a")
    page.goto(phone.url(world.team_a.get_absolute_url()))
    assert "đăng nhập lần cuối" in row_of(page, NAME).inner_text()
    submit(phone, row_of(page, NAME).get_by_role("link", name=f"Đặt lại mật khẩu {NAME}"))
    submit(phone, page.get_by_role("button", name="Đặt lại mật khẩu"))
    new_password = read_password(phone, "reset")
    assert new_password != password
    log_out(phone)
    log_in_as(phone, "lan.nt", OWN_PASSWORD)
    assert page.url.startswith(phone.url(reverse("login")))  # the old one no longer works
    log_in_as(phone, "lan.nt", new_password)
    assert page.url == phone.url(reverse("password_set"))
    page.locator("input[name=new_password1]").fill(NEWER_PASSWORD)
    page.locator("input[name=new_password2]").fill(NEWER_PASSWORD)
    submit(phone, page.get_by_role("button", name="Lưu mật khẩu"))
    assert page.url == phone.url(reverse("home"))
    log_out(phone)

    # The leader records the member leaving; the member can no longer log in.
    log_in(phone, "doitruong_a")
    page.goto(phone.url(world.team_a.get_absolute_url()))
    submit(phone, row_of(page, NAME).get_by_role("link", name=f"Thôi tham gia {NAME}"))
    submit(phone, page.get_by_role("button", name="Ghi nhận thôi tham gia"))
    assert Member.objects.get(full_name=NAME).left_on is not None
    log_out(phone)
    log_in_as(phone, "lan.nt", NEWER_PASSWORD)
    assert page.url.startswith(phone.url(reverse("login")))
    assert "Tài khoản này không còn dùng được" in page.locator("main").inner_text()
    shot(phone, "logins", "refused-after-leaving")
