"""Sign-in journeys in a real Chromium: a supervisor enrols an authenticator app on a phone by
typing the key shown under the QR code, and a user locked out by five wrong passwords sees why.

The harness (conftest.py) fails a test on any HTTP error, JavaScript error or console error, so
a Content-Security-Policy violation by the QR code or the pages fails it too. Screenshots go to
tests/browser/screenshots/accounts-<step>-<viewport>.png.
"""

from __future__ import annotations

import base64

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.browser.test_accessibility import check_page
from tests.browser.test_casework import assert_no_sideways_scroll, shot, submit
from wards.models import AuditEvent

pytestmark = pytest.mark.browser


def fill_login(page, username: str, password: str) -> None:
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)


def test_supervisor_enrols_an_authenticator_app_on_a_phone(phone, live_world):
    page, world = phone.page, live_world
    TOTPDevice.objects.filter(user=world.supervisor).delete()  # never enrolled
    page.goto(phone.url(reverse("login")))
    fill_login(page, "giamsat_a", f.PASSWORD)
    submit(phone, page.locator("main").get_by_role("button", name="Đăng nhập"))

    assert page.url.startswith(phone.url(reverse("otp_enrol")))
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký xác thực 2 lớp"
    qr = page.locator("svg.otp-qr")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] <= 360
    assert_no_sideways_scroll(phone, "enrolment")
    shot(phone, "accounts", "enrol")
    problems = check_page(phone, "otp-enrol")  # axe, text and tap targets, as on every page
    assert not problems, "\n".join(problems)

    # What someone without a camera does: type the key into the app, which then shows codes.
    secret = page.locator(".otp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.get_by_label("Mã xác thực (6 chữ số)").fill(f"{totp(key):06d}")
    submit(phone, page.get_by_role("button", name="Xác nhận và tiếp tục"))

    assert page.url == phone.url(reverse("home"))
    assert page.locator(".alert-success").inner_text().startswith("Đã bật xác thực 2 lớp.")
    assert TOTPDevice.objects.get(user=world.supervisor).confirmed
    page.goto(phone.url(reverse("wards:team_overview")))
    assert "Tổng hợp các Đội" in page.get_by_role("heading", level=1).inner_text()
    assert AuditEvent.objects.filter(
        actor=world.supervisor, action="login", changes={"second_factor": True}
    ).exists()


def test_a_wrong_code_is_explained_and_the_right_one_lets_the_admin_in(phone, live_world):
    page = phone.page
    page.goto(phone.url(reverse("login")))
    fill_login(page, "quantri", f.PASSWORD)
    submit(phone, page.locator("main").get_by_role("button", name="Đăng nhập"))
    assert page.url.startswith(phone.url(reverse("otp_verify")))

    device = TOTPDevice.objects.get(user=live_world.admin)
    right = f"{totp(device.bin_key):06d}"
    page.get_by_label("Mã xác thực (6 chữ số)").fill("000000" if right != "000000" else "111111")
    submit(phone, page.get_by_role("button", name="Xác nhận"))
    assert "Mã không đúng." in page.locator(".invalid-feedback").inner_text()
    shot(phone, "accounts", "wrong-code")
    problems = check_page(phone, "otp-wrong-code")
    assert not problems, "\n".join(problems)

    # django-otp makes the next try wait a second after one failure.
    page.wait_for_timeout(1100)
    page.get_by_label("Mã xác thực (6 chữ số)").fill(f"{totp(device.bin_key):06d}")
    submit(phone, page.get_by_role("button", name="Xác nhận"))
    assert page.url == phone.url(reverse("home"))


def test_five_wrong_passwords_show_the_cool_off_on_the_login_page(phone, live_world):
    page = phone.page
    page.goto(phone.url(reverse("login")))
    # The fifth failure answers 429 with the login page: expected here, not a problem.
    for _ in range(5):
        fill_login(page, "doitruong_a", "sai-mat-khau")
        submit(phone, page.locator("main").get_by_role("button", name="Đăng nhập"))
    phone.problems[:] = [p for p in phone.problems if not p.startswith("HTTP 429 ")]

    alert = page.locator(".alert-danger")
    assert "Vui lòng thử lại sau " in alert.inner_text() and "(15 phút nữa)" in alert.inner_text()
    assert page.get_by_label("Tên đăng nhập").is_visible()
    assert_no_sideways_scroll(phone, "lockout")
    shot(phone, "accounts", "locked-out")
