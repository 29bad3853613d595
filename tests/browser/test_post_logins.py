"""«Tài khoản cán bộ» in a real Chromium, on a phone and on a desktop: a district supervisor
(past the second factor) gives an officer of a ward under the district a login, reads the
password shown once, and cannot give one for a ward outside the district, not even by a crafted
POST. The new officer's first login asks for their own password.

Screenshots: tests/browser/screenshots/posts-<step>-<viewport>.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser.conftest import otp_code
from tests.browser.test_accessibility import check_page
from tests.browser.test_casework import assert_no_sideways_scroll, shot, submit
from wards.models import Post

pytestmark = pytest.mark.browser


def log_in(screen, username: str, password: str) -> None:
    page = screen.page
    page.goto(screen.url(reverse("login")))
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    submit(screen, page.locator("main").get_by_role("button", name="Đăng nhập"))
    if page.url.startswith(screen.url(reverse("otp_verify"))):
        page.get_by_label("Mã xác thực (6 chữ số)").fill(otp_code(username))
        submit(screen, page.get_by_role("button", name="Xác nhận"))


def test_a_district_supervisor_gives_an_officer_login_for_a_ward_of_the_district(
    screen, live_world
):
    page, world = screen.page, live_world
    f.post(
        user=f.user("canbo_cu", first_name="Hoàng Văn Cũ"),
        unit=world.ward_a,
        role="officer",
        ended_on=world.ward_a.created_at.date(),
    )
    log_in(screen, "giamsat_a", f.PASSWORD)
    assert page.url == screen.url(reverse("home"))

    # From the home page to the list of the district's posts.
    submit(screen, page.locator("main").get_by_role("link", name="Tài khoản cán bộ"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tài khoản cán bộ"
    active = page.locator("#posts-active")
    assert "canbo_a" in active.inner_text() and "giamsat_a" in active.inner_text()
    assert page.locator("details summary").inner_text().startswith("Đã kết thúc chức vụ: 1")
    assert_no_sideways_scroll(screen, "posts list")
    shot(screen, "posts", "list")
    problems = check_page(screen, "posts-list")

    submit(screen, page.get_by_role("link", name="Cấp tài khoản cán bộ"))
    units = page.get_by_label("Đơn vị")
    offered = units.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert str(world.ward_a.pk) in offered and str(world.district_a.pk) in offered
    assert str(world.ward_b.pk) not in offered  # a ward of district B is not offered
    assert_no_sideways_scroll(screen, "posts form")
    shot(screen, "posts", "form")
    problems += check_page(screen, "posts-form")

    # A crafted POST: ward B's id put into the list by hand is refused, nothing created.
    page.get_by_label("Cán bộ UBND xã, phường").check()
    units.evaluate(
        "(select, id) => { const o = new Option('Phường B', id); select.add(o); "
        "o.selected = true; }",
        str(world.ward_b.pk),
    )
    page.get_by_label("Họ và tên").fill("Đỗ Văn Ngoài")
    page.get_by_label("Tên đăng nhập").fill("ngoai.dv")
    submit(screen, page.get_by_role("button", name="Cấp tài khoản", exact=True))
    assert "Đơn vị này không thuộc đơn vị của bạn" in page.locator(".invalid-feedback").inner_text()
    assert not Post.objects.filter(unit=world.ward_b, user__username="ngoai.dv").exists()

    # The real one: ward A, the login name suggested from the full name.
    page.get_by_label("Cán bộ UBND xã, phường").check()
    page.get_by_label("Đơn vị").select_option(str(world.ward_a.pk))
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Tên đăng nhập").fill("")
    submit(screen, page.get_by_role("button", name="Gợi ý tên đăng nhập"))
    assert page.get_by_label("Tên đăng nhập").input_value() == "lan.nt"
    page.get_by_label("Chức vụ").fill("Công chức Văn hóa - Xã hội")
    submit(screen, page.get_by_role("button", name="Cấp tài khoản", exact=True))

    assert (
        page.get_by_role("heading", level=1).inner_text() == "Đã cấp tài khoản cho Nguyễn Thị Lan"
    )
    assert page.locator("[data-login-username]").inner_text() == "lan.nt"
    password = page.locator("[data-login-password]").inner_text()
    assert len(password) == 14
    assert screen.url(reverse("home")) in page.locator(".login-slip").inner_text()
    assert_no_sideways_scroll(screen, "posts result")
    shot(screen, "posts", "result")
    problems += check_page(screen, "posts-result")
    post = Post.objects.get(user__username="lan.nt")
    assert (post.unit, post.role) == (world.ward_a, "officer")
    assert not problems, "\n".join(problems)

    # The new officer logs in with it and is asked for their own password first.
    page.context.clear_cookies()
    log_in(screen, "lan.nt", password)
    assert page.url == screen.url(reverse("password_set"))
