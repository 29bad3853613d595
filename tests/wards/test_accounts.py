"""Accounts: Argon2, password rules, login throttling, session expiry, password change and the
TOTP second factor of supervisors and administrators."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

import config.settings as project_settings
from tests import factories as f
from tests.conftest import login
from wards import sessions, twofactor
from wards.models import AuditEvent, Post

LOCKED_OUT = "(15 phút nữa)"
EXPIRED = "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."


def log_in(client: Client, username: str, password: str = f.PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def is_logged_in(client: Client) -> bool:
    response = client.get(reverse("cases:my_work"))
    return response.status_code == 200


def code_for(device: TOTPDevice, *, other: bool = False) -> str:
    """The device's current code, or (other=True) a well-formed code that is not accepted now."""
    device.refresh_from_db()
    current = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not other:
        return f"{current:06d}"
    accepted = {
        totp(device.bin_key, device.step, device.t0 + device.step * d, device.digits, device.drift)
        for d in (-2, -1, 0, 1, 2)
    }
    return next(f"{n:06d}" for n in range(1_000_000) if n not in accepted)


# Argon2 ----------------------------------------------------------------------------------------


@pytest.fixture
def real_hashers(settings):
    # tests/conftest.py swaps in MD5 for speed; these tests need the production list (MD5 kept
    # last only so that the personas' passwords, hashed with it, still verify).
    settings.PASSWORD_HASHERS = [
        *project_settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_password_changed_through_the_form_is_stored_with_argon2(world, real_hashers):
    client = login(world.leader)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": f.PASSWORD,
            "new_password1": "Song-Hong-chay-qua-2026",
            "new_password2": "Song-Hong-chay-qua-2026",
        },
    )
    assert response.status_code == 302
    world.leader.refresh_from_db()
    assert world.leader.password.startswith("argon2$argon2id$")
    assert world.leader.check_password("Song-Hong-chay-qua-2026")


def test_an_old_pbkdf2_hash_is_rewritten_with_argon2_at_the_next_login(world, real_hashers):
    from django.contrib.auth.hashers import make_password

    user = world.volunteer
    user.password = make_password(f.PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])

    assert log_in(Client(), "tnv_a").status_code == 302

    user.refresh_from_db()
    assert user.password.startswith("argon2$")


# Password rules and password change -----------------------------------------------------------


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("20262026", "Mật khẩu này hoàn toàn là số."),
        ("password123", "Mật khẩu này quá phổ biến."),
        ("doitruong_a1", "Mật khẩu quá giống với tên đăng nhập."),
        # Django 5.2's own catalogue lacks this one: locale/vi fills the gap.
        ("Ab1-x", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
    ],
)
def test_a_weak_password_is_refused_with_a_vietnamese_message(world, new, message):
    client = login(world.leader)
    response = client.post(
        reverse("password_change"),
        {"old_password": f.PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 200
    assert 'id="error_1_id_new_password2"' in response.content.decode()
    assert message in response.content.decode()
    world.leader.refresh_from_db()
    assert world.leader.check_password(f.PASSWORD)
    assert not AuditEvent.objects.filter(action="update", object_type="auth.user").exists()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world):
    phone, office = login(world.leader), login(world.leader)
    assert is_logged_in(phone) and is_logged_in(office)

    response = phone.post(
        reverse("password_change"),
        {
            "old_password": f.PASSWORD,
            "new_password1": "Song-Hong-chay-qua-2026",
            "new_password2": "Song-Hong-chay-qua-2026",
        },
    )

    assert response["Location"] == reverse("password_change_done")
    assert is_logged_in(phone)
    assert not is_logged_in(office)
    event = AuditEvent.objects.get(action="update", object_type="auth.user")
    assert event.actor == world.leader and event.object_id == str(world.leader.pk)
    assert event.changes == {"password": "changed"}
    everything = str(list(AuditEvent.objects.values_list("changes", "object_id")))
    assert "Song-Hong" not in everything and f.PASSWORD not in everything


# Login throttling ------------------------------------------------------------------------------


def fail_five_times(client: Client, username: str = "doitruong_a", **extra):
    responses = [log_in(client, username, "sai-mat-khau", **extra) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    return responses[-1]


def test_five_wrong_passwords_lock_the_username_even_against_the_right_password(world):
    client = Client()
    fifth = fail_five_times(client)
    assert LOCKED_OUT in fifth.content.decode()

    response = log_in(client, "doitruong_a")

    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_OUT in html and 'name="username"' in html  # the login page, not axes' text
    assert not is_logged_in(client)


def test_failures_and_the_lockout_are_audited_without_the_username(world):
    client = Client()
    fail_five_times(client)
    log_in(client, "doitruong_a")

    assert AuditEvent.objects.filter(action="login_failed", actor=None).count() == 6
    denied = AuditEvent.objects.filter(action="denied", object_type="auth.user")
    assert denied.count() == 2  # the fifth failure, then the try during the cool-off
    assert all(e.actor is None and e.object_id == "" for e in denied)
    assert "doitruong_a" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_another_username_from_the_same_address_is_not_locked(world):
    client = Client()
    fail_five_times(client)
    assert log_in(client, "canbo_a").status_code == 302
    assert is_logged_in(client)


def test_the_same_username_from_another_address_is_not_locked(world):
    fail_five_times(Client(), REMOTE_ADDR="203.0.113.5")
    client = Client()
    assert log_in(client, "doitruong_a", REMOTE_ADDR="203.0.113.6").status_code == 302
    assert is_logged_in(client)


def move_attempts_back(minutes: int) -> None:
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - datetime.timedelta(minutes=minutes)
    )


def test_the_right_password_works_again_after_15_minutes_and_clears_the_count(world):
    client = Client()
    fail_five_times(client)
    move_attempts_back(14)
    assert log_in(client, "doitruong_a").status_code == 429

    # Tries during the cool-off do not prolong it: 15 minutes after the fifth failure, it ends.
    move_attempts_back(2)
    assert log_in(client, "doitruong_a").status_code == 302
    assert is_logged_in(client)
    assert not AccessAttempt.objects.exists()


def test_behind_a_proxy_failures_count_by_the_address_the_proxy_saw(world, settings):
    settings.AXES_TRUSTED_PROXY_COUNT = 1
    # What the client put in front of the proxy's entry is ignored.
    fail_five_times(Client(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    spoofed = log_in(Client(), "doitruong_a", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1")
    assert spoofed.status_code == 429
    other = Client()
    assert log_in(other, "doitruong_a", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_authenticating_without_a_request_is_refused_and_with_one_works(world):
    # django-axes counts failures per request; Client.login() must hand it one.
    with pytest.raises(ValueError, match="request"):
        authenticate(username="doitruong_a", password=f.PASSWORD)
    client = Client()
    assert client.login(request=HttpRequest(), username="doitruong_a", password=f.PASSWORD)
    assert not client.login(request=HttpRequest(), username="doitruong_a", password="sai")


# Session expiry --------------------------------------------------------------------------------


def test_a_session_idle_for_more_than_30_minutes_ends_with_a_message(world, clock):
    client = Client()
    log_in(client, "doitruong_a")
    clock.advance(minutes=29)
    assert client.get(reverse("home")).status_code == 200
    clock.advance(minutes=30, seconds=30)

    response = client.get(reverse("cases:register"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('cases:register')}"
    assert EXPIRED in client.get(response["Location"]).content.decode()
    assert not is_logged_in(client)
    event = AuditEvent.objects.get(action="logout", actor=world.leader)
    assert event.changes == {"expired": "idle"}


def test_a_session_ends_12_hours_after_login_however_active(world, clock):
    client = Client()
    log_in(client, "doitruong_a")
    for _ in range(28):  # a request every 25 minutes: 11 h 40 min
        clock.advance(minutes=25)
        assert client.get(reverse("home")).status_code == 200, clock.offset
    clock.advance(minutes=21)  # 12 h 1 min after login, 21 minutes after the last request

    response = client.get(reverse("home"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert EXPIRED in client.get(response["Location"]).content.decode()
    assert AuditEvent.objects.get(action="logout").changes == {"expired": "absolute"}


def test_last_seen_is_written_at_most_once_a_minute(world, clock):
    client = Client()
    log_in(client, "doitruong_a")
    logged_in_at = client.session[sessions.SEEN_AT]
    assert client.session[sessions.LOGIN_AT] == logged_in_at

    clock.advance(seconds=40)
    client.get(reverse("home"))
    assert client.session[sessions.SEEN_AT] == logged_in_at

    clock.advance(seconds=30)
    client.get(reverse("home"))
    assert client.session[sessions.SEEN_AT] == pytest.approx(logged_in_at + 70, abs=5)
    assert client.session[sessions.LOGIN_AT] == logged_in_at


def test_a_session_without_clocks_starts_them_at_its_first_request(world, clock):
    client = unverified(world.volunteer)  # force_login alone, as the admin site's login
    client.get(reverse("home"))
    assert client.session[sessions.LOGIN_AT] == client.session[sessions.SEEN_AT]
    clock.advance(minutes=31)
    assert client.get(reverse("home")).status_code == 302


# The second factor -----------------------------------------------------------------------------


def unverified(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_who_must_pass_the_second_factor(world):
    assert twofactor.required(world.supervisor) and twofactor.required(world.admin)
    for user in (world.volunteer, world.leader, world.officer, world.outsider):
        assert not twofactor.required(user)
    assert twofactor.required(f.user(is_staff=True))
    leader_and_supervisor = world.leader
    f.post(user=leader_and_supervisor, unit=world.district_b, role=Post.Role.SUPERVISOR)
    assert twofactor.required(get_user_model().objects.get(pk=leader_and_supervisor.pk))


@pytest.mark.parametrize(
    ("method", "name", "args"),
    [
        ("get", "home", []),
        ("get", "wards:team_overview", []),
        ("get", "wards:team_detail", ["team"]),
        ("get", "reports:report", []),
        ("get", "password_change", []),
        ("post", "password_change", []),
        ("get", "admin:index", []),
        ("get", "admin:auth_user_changelist", []),
    ],
)
@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_an_unverified_supervisor_or_admin_is_sent_to_the_second_factor(
    world, persona, method, name, args
):
    user = getattr(world, persona)
    url = reverse(name, args=[world.team_a.pk for _ in args])
    client = unverified(user)

    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('otp_enrol')}?next={url.replace('/', '%2F')}"

    TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=True)
    response = getattr(client, method)(url)
    assert response["Location"].startswith(reverse("otp_verify") + "?next=")


def test_login_logout_language_and_static_files_answer_before_the_second_factor(world):
    client = unverified(world.supervisor)
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.get("/static/css/app.css").status_code in (200, 404)  # never the OTP page
    assert client.get(reverse("otp_enrol")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("login")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_without_inline_script_or_style(world):
    client = unverified(world.supervisor)
    html = client.get(reverse("otp_enrol")).content.decode()

    device = TOTPDevice.objects.get(user=world.supervisor)
    assert not device.confirmed
    assert '<svg width="' in html and 'class="otp-qr"' in html
    secret = re.search(r"<code[^>]*>([A-Z2-7 ]+)</code>", html).group(1)
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", secret)
    assert secret == twofactor.grouped_secret(device)
    assert "style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
    # Reloading keeps the key the user may already have scanned.
    client.get(reverse("otp_enrol"))
    assert TOTPDevice.objects.get(user=world.supervisor).key == device.key


def test_enrolment_with_the_right_code_confirms_the_device_and_lets_the_user_in(world):
    client = unverified(world.supervisor)
    overview = reverse("wards:team_overview")
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=world.supervisor)
    key_before = client.cookies["sessionid"].value

    response = client.post(reverse("otp_enrol"), {"code": code_for(device), "next": overview})

    assert response.status_code == 302 and response["Location"] == overview
    device.refresh_from_db()
    assert device.confirmed
    assert client.cookies["sessionid"].value != key_before
    page = client.get(overview)
    assert page.status_code == 200
    assert "Đã bật xác thực 2 lớp." in page.content.decode()  # the confirmation, once
    assert "Đã bật xác thực 2 lớp." not in client.get(overview).content.decode()
    actions = AuditEvent.objects.filter(actor=world.supervisor).values_list("action", "changes")
    assert ("update", {"second_factor": "enrolled"}) in actions
    assert ("login", {"second_factor": True}) in actions


def test_a_wrong_or_malformed_code_is_refused_with_a_message(world):
    client = unverified(world.supervisor)
    client.get(reverse("otp_enrol"))
    device = TOTPDevice.objects.get(user=world.supervisor)

    wrong = client.post(reverse("otp_enrol"), {"code": code_for(device, other=True)})
    assert wrong.status_code == 200
    assert "Mã không đúng." in wrong.content.decode()
    malformed = client.post(reverse("otp_enrol"), {"code": "12ab56"})
    assert "Mã xác thực gồm đúng 6 chữ số." in malformed.content.decode()

    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_enrol"))


def test_verification_with_the_current_code_opens_the_session(world):
    device = TOTPDevice.objects.create(user=world.admin, name="Điện thoại", confirmed=True)
    client = unverified(world.admin)
    admin_index = reverse("admin:index")
    assert client.get(admin_index)["Location"].startswith(reverse("otp_verify"))
    assert client.get(reverse("otp_verify")).status_code == 200

    response = client.post(reverse("otp_verify"), {"code": code_for(device), "next": admin_index})

    assert response["Location"] == admin_index
    assert client.get(admin_index).status_code == 200
    assert AuditEvent.objects.filter(
        actor=world.admin, action="login", changes={"second_factor": True}
    ).exists()


def test_a_code_is_accepted_once_only(world):
    device = TOTPDevice.objects.create(user=world.supervisor, name="Điện thoại", confirmed=True)
    code = code_for(device)
    first, second = unverified(world.supervisor), unverified(world.supervisor)
    assert first.post(reverse("otp_verify"), {"code": code}).status_code == 302
    refused = second.post(reverse("otp_verify"), {"code": code})
    assert refused.status_code == 200 and "Mã không đúng." in refused.content.decode()


def test_an_outside_address_in_next_is_ignored(world):
    device = TOTPDevice.objects.create(user=world.supervisor, name="Điện thoại", confirmed=True)
    client = unverified(world.supervisor)
    response = client.post(
        reverse("otp_verify"), {"code": code_for(device), "next": "https://example.com/"}
    )
    assert response["Location"] == reverse("home")


def test_after_repeated_wrong_codes_even_the_right_code_waits(world):
    device = TOTPDevice.objects.create(
        user=world.supervisor,
        name="Điện thoại",
        confirmed=True,
        throttling_failure_count=10,
        throttling_failure_timestamp=timezone.now(),
    )
    client = unverified(world.supervisor)

    response = client.post(reverse("otp_verify"), {"code": code_for(device)})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã nhập sai mã 10 lần liên tiếp. Vui lòng đợi" in html
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


@pytest.mark.parametrize("persona", ["volunteer", "leader", "officer", "outsider"])
def test_volunteers_leaders_and_officers_are_never_asked(world, persona):
    client = unverified(getattr(world, persona))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("otp_verify"))["Location"] == reverse("home")
    assert client.get(reverse("otp_enrol"))["Location"] == reverse("home")
    assert not TOTPDevice.objects.exists()


def test_verification_lasts_the_session_and_ends_with_logout(world):
    client = login(world.supervisor)
    assert client.get(reverse("wards:team_overview")).status_code == 200
    assert client.get(reverse("otp_verify"))["Location"] == reverse("home")
    client.post(reverse("logout"))
    client.force_login(world.supervisor)
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_verify"))


# The demo --------------------------------------------------------------------------------------


def test_demo_otp_is_refused_unless_debug(world):
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo_otp", "giamsat_a", stdout=StringIO())


def test_demo_otp_prints_the_current_code_of_a_demo_device_only(world, settings):
    from wards import demo

    settings.DEBUG = True
    demo.enrol_second_factor([world.supervisor])
    out = StringIO()
    call_command("demo_otp", "giamsat_a", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert TOTPDevice.objects.get(user=world.supervisor).verify_token(code)

    TOTPDevice.objects.create(user=world.admin, name="Điện thoại", confirmed=True)
    with pytest.raises(CommandError, match="khóa mẫu"):
        call_command("demo_otp", "quantri", stdout=StringIO())
    with pytest.raises(CommandError, match="chưa đăng ký"):
        call_command("demo_otp", "doitruong_a", stdout=StringIO())
    with pytest.raises(CommandError, match="Không có tài khoản"):
        call_command("demo_otp", "khong_co", stdout=StringIO())


def test_the_demo_gives_its_supervisors_and_admin_a_demo_device_and_no_one_else(db):
    from wards import demo

    call_command("load_units", province=["01"], stdout=StringIO())
    seeded = demo.seed()

    for username, user in seeded.users.items():
        fresh = get_user_model().objects.get(pk=user.pk)
        needs = username in demo.SECOND_FACTOR_LOGINS
        assert twofactor.required(fresh) == needs, username
        devices = list(TOTPDevice.objects.filter(user=user).values_list("key", "confirmed"))
        assert devices == ([(demo.DEMO_TOTP_KEY, True)] if needs else []), username


def test_the_printed_demo_logins_tell_how_to_pass_the_second_factor():
    from reports.management.commands.seed_demo import Command
    from wards import demo

    out = StringIO()
    Command(stdout=out).print_logins()
    hint = out.getvalue().splitlines()[-1]
    assert "manage.py demo_otp <username>" in hint
    assert demo.demo_totp_secret() in hint and "giamsat.dongda" in hint
