"""The rules of logins the team runs (issue 22, wards/logins.py, wards/account_views.py,
wards.middleware.AccountMiddleware): a login opens the app only while its holder is in a team or
holds a post; a given password is temporary and must be replaced at the first login; the login
page says who can help and when a lock-out ends; login names are suggested and checked; one
person's login actions are limited per hour."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone

from tests import factories as f
from tests.conftest import login
from wards import logins, services
from wards.account_views import HELP_COOKIE
from wards.models import AuditEvent, Member, Post, TemporaryPassword

NO_ACCESS = "Tài khoản này không còn dùng được vì bạn đã thôi tham gia Đội hoặc Đội đã giải thể."
# an officer or supervisor whose last post ended is sent to the supervisors above
POST_ENDED = "Tài khoản này không còn dùng được vì chức vụ của bạn đã kết thúc."
INVALID_LOGIN = "Vui lòng điền vào tên đăng nhập và mật khẩu chính xác."
NEW_PASSWORD = "Mùa-thu-Hà-Nội-2026"
GENERIC_HELP = "Quên mật khẩu? Tình nguyện viên hãy nhờ đội trưởng, đội phó hoặc cán bộ UBND xã"


def log_in(client: Client, username: str, password: str = f.PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return client.get(reverse("cases:my_work")).status_code == 200


def fresh(user):
    """A new copy of `user`: access_for() caches on the object."""
    return get_user_model().objects.get(pk=user.pk)


def today() -> datetime.date:
    return timezone.localdate()


# has_access ------------------------------------------------------------------------------------


def test_an_active_member_of_a_team_has_access(world):
    assert logins.has_access(fresh(world.volunteer))
    assert logins.has_access(fresh(world.leader))


def test_a_member_who_left_has_none(world):
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=today())
    assert not logins.has_access(fresh(world.volunteer))


def test_a_member_of_a_dissolved_team_has_none(world):
    services.team_dissolve(actor=world.officer, team=world.team_a, dissolved_on=today())
    assert not logins.has_access(fresh(world.volunteer))
    assert not logins.has_access(fresh(world.leader))
    # the officer's post is not the team's
    assert logins.has_access(fresh(world.officer))


@pytest.mark.parametrize(
    ("started", "ended", "opens"),
    [
        (None, None, True),
        (-30, None, True),
        (-30, +1, True),  # an end recorded for tomorrow: still open today
        (-30, 0, False),  # ends today: closed today, as leaving a team is
        (-30, -1, False),
        (+1, None, False),  # starts tomorrow
    ],
)
def test_a_post_gives_access_until_the_day_its_end_is_recorded_for(world, started, ended, opens):
    user = f.user("canbo_moi")
    day = today()
    f.post(
        user=user,
        unit=world.ward_b,
        role=Post.Role.OFFICER,
        started_on=None if started is None else day + datetime.timedelta(days=started),
        ended_on=None if ended is None else day + datetime.timedelta(days=ended),
    )
    assert logins.has_access(fresh(user)) is opens


def test_the_administrator_has_access_without_a_team_or_a_post(world):
    assert logins.has_access(fresh(world.admin))


def test_a_login_with_nothing_has_none(world):
    assert not logins.has_access(f.user("khong_gi"))
    # staff status alone opens nothing: the administrator is the superuser
    assert not logins.has_access(f.user("nhan_vien", is_staff=True))


def test_a_deactivated_login_has_none_even_in_a_team(world):
    user = fresh(world.volunteer)
    user.is_active = False
    user.save()
    assert not logins.has_access(fresh(user))


# Leaving ends the login the same day; rejoining reopens it --------------------------------------


def test_a_member_who_leaves_is_logged_out_at_the_next_request_with_the_message(world):
    client = Client()
    assert log_in(client, "tnv_a").status_code == 302
    assert logged_in(client)
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=today())

    response = client.get(reverse("cases:my_work"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('cases:my_work')}"
    page = client.get(response["Location"])
    assert NO_ACCESS in page.content.decode()
    [event] = AuditEvent.objects.filter(actor=world.volunteer, changes__ended="no_access")
    assert event.action == AuditEvent.Action.LOGOUT
    # the session is over: the next page is the login page, not a second logout
    assert client.get(reverse("home")).status_code == 302
    assert not logged_in(client)
    assert AuditEvent.objects.filter(actor=world.volunteer, changes__ended="no_access").count() == 1


def test_a_post_after_leaving_goes_to_the_login_page_without_next(world):
    client = login(world.volunteer)
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=today())
    response = client.post(reverse("logout"))
    # a `next` to the logout (a POST) would answer 405 after the next login
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert NO_ACCESS in client.get(reverse("login")).content.decode()


def test_a_member_who_left_is_refused_at_the_login_form_only_with_the_right_password(world):
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=today())
    client = Client()
    wrong = log_in(client, "tnv_a", "sai-mat-khau")
    assert wrong.status_code == 200
    assert NO_ACCESS not in wrong.content.decode()
    assert INVALID_LOGIN in wrong.content.decode()

    right = log_in(client, "tnv_a")
    assert right.status_code == 200
    assert NO_ACCESS in right.content.decode()
    assert "Nếu bạn quay lại, hãy nhờ đội trưởng hoặc cán bộ xã, phường mở lại." in (
        right.content.decode()
    )
    assert not logged_in(client)
    # the right password is not a failure django-axes counts toward a lock-out
    attempts = AccessAttempt.objects.filter(username="tnv_a")
    assert sum(a.failures_since_start for a in attempts) == 1


def test_a_dissolved_teams_members_are_logged_out_and_refused(world):
    volunteer, leader = login(world.volunteer), login(world.leader)
    services.team_dissolve(actor=world.officer, team=world.team_a, dissolved_on=today())
    for client in (volunteer, leader):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert NO_ACCESS in client.get(response["Location"]).content.decode()
    assert NO_ACCESS in log_in(Client(), "doitruong_a").content.decode()


def test_an_officer_whose_post_ends_is_logged_out(world):
    client = login(world.officer)
    assert client.get(reverse("home")).status_code == 200
    post = Post.objects.get(user=world.officer)
    services.post_end(actor=world.supervisor, post=post, ended_on=today())
    response = client.get(reverse("home"))
    assert response["Location"].startswith(reverse("login"))
    refused = log_in(Client(), "canbo_a").content.decode()
    assert POST_ENDED in refused and "cán bộ giám sát cấp trên" in refused


def test_rejoining_lets_the_member_in_again(world):
    left = today() - datetime.timedelta(days=3)
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=left)
    assert NO_ACCESS in log_in(Client(), "tnv_a").content.decode()

    again = services.member_rejoin(
        actor=world.leader, member=world.volunteer_member, joined_on=today()
    )
    assert again.pk != world.volunteer_member.pk and again.user_id == world.volunteer.pk
    client = Client()
    assert log_in(client, "tnv_a").status_code == 302
    assert logged_in(client)


def test_joining_another_team_with_the_same_login_opens_it_again(world):
    services.member_leave(actor=world.leader, member=world.volunteer_member, left_on=today())
    f.member(team=world.team_b, full_name="Trần Thị Lan", user=world.volunteer)
    client = Client()
    assert log_in(client, "tnv_a").status_code == 302
    assert logged_in(client)


def test_a_reset_password_ends_the_members_open_sessions(world):
    client = Client()
    log_in(client, "tnv_a")
    assert logged_in(client)
    services.login_reset(actor=world.leader, member=world.volunteer_member)
    assert not logged_in(client)


# A temporary password --------------------------------------------------------------------------


@pytest.fixture
def newcomer(world):
    """A member given a login by the leader: (member, username, temporary password)."""
    member = Member.objects.filter(team=world.team_a, user=None).order_by("pk").first()
    member, password = services.login_create(actor=world.leader, member=member, username="vien.pv")
    return member, "vien.pv", password


def logged_in_with_temporary(newcomer) -> Client:
    _member, username, password = newcomer
    client = Client()
    response = log_in(client, username, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("password_set")
    return client


def test_a_given_password_is_temporary_and_recorded(world, newcomer):
    member, username, password = newcomer
    temporary = TemporaryPassword.objects.get(user=member.user)
    assert temporary.issued_by == world.leader
    valid_for = temporary.expires_at - temporary.issued_at
    assert abs(valid_for - datetime.timedelta(days=7)) < datetime.timedelta(seconds=5)
    assert len(password) == 14 and password.count("-") == 2
    assert not set(password.replace("-", "")) - set(logins.ALPHABET)
    # only the hash is kept
    assert password not in member.user.password


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", []),
        ("cases:my_work", []),
        ("password_change", []),
        ("wards:team_overview", []),
        ("admin:index", []),
        ("login", []),
    ],
)
def test_every_page_sends_a_temporary_login_to_set_its_password(world, newcomer, name, args):
    client = logged_in_with_temporary(newcomer)
    response = client.get(reverse(name, args=args), follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_set")
    assert "Đặt mật khẩu của bạn" in response.content.decode()


def test_a_temporary_login_cannot_write_anything_else(world, newcomer):
    client = logged_in_with_temporary(newcomer)
    team = reverse("wards:team_detail", args=[world.team_a.pk])
    assert client.get(team)["Location"] == reverse("password_set")
    url = reverse("wards:member_leave", args=[world.volunteer_member.pk])
    response = client.post(url, {"left_on": today().isoformat(), "reason": "Thử"})
    assert response["Location"] == reverse("password_set")
    world.volunteer_member.refresh_from_db()
    assert world.volunteer_member.left_on is None


def test_a_temporary_login_may_log_out_and_switch_language(world, newcomer):
    client = logged_in_with_temporary(newcomer)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("password_set"))["Location"].startswith(reverse("login"))


def test_a_temporary_login_still_loads_the_static_files(world, newcomer, settings):
    settings.WHITENOISE_USE_FINDERS = True
    client = logged_in_with_temporary(newcomer)
    static = "/" + settings.STATIC_URL.strip("/")
    for path in (f"{static}/css/app.css", f"{static}/vendor/bootstrap/bootstrap.min.css"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert client.get("/favicon.ico").status_code == 200
    page = client.get(reverse("password_set"))
    assert page.status_code == 200
    assert f"{static}/css/app.css" in page.content.decode()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ab1-xy", "Mật khẩu quá ngắn: cần ít nhất 8 ký tự."),
        ("password", "Mật khẩu này quá phổ biến."),
        ("83920174650", "Mật khẩu này hoàn toàn là số."),
        ("vien.pv.2026", "Mật khẩu quá giống với tên đăng nhập."),
    ],
)
def test_the_new_password_meets_djangos_validators_in_vietnamese(
    world, newcomer, password, message
):
    client = logged_in_with_temporary(newcomer)
    response = client.post(
        reverse("password_set"), {"new_password1": password, "new_password2": password}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    for english in ("This password", "too short", "too common", "entirely numeric", "too similar"):
        assert english not in body
    assert TemporaryPassword.objects.filter(user__username="vien.pv").exists()


def test_the_two_new_passwords_must_match(world, newcomer):
    client = logged_in_with_temporary(newcomer)
    response = client.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": "khac-han-2026"}
    )
    assert "Hai trường mật khẩu không giống nhau." in response.content.decode()
    assert client.get(reverse("home"))["Location"] == reverse("password_set")


def test_setting_the_password_lands_on_home_and_ends_the_temporary_one(world, newcomer):
    member, username, temporary = newcomer
    client = logged_in_with_temporary(newcomer)
    response = client.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert "Đã lưu mật khẩu của bạn." in client.get(reverse("home"), follow=True).content.decode()
    assert logged_in(client)  # this session goes on
    assert not TemporaryPassword.objects.filter(user=member.user).exists()
    # the audit says the temporary password was replaced (not a User field, so kept as said)
    [event] = AuditEvent.objects.filter(actor=member.user, action=AuditEvent.Action.UPDATE)
    assert (event.object_type, event.object_id) == ("auth.user", str(member.user.pk))
    assert event.changes == {"temporary_password": "replaced"}
    # the page has nothing more to do
    assert client.get(reverse("password_set"))["Location"] == reverse("home")
    # the temporary password is gone, the new one opens straight onto the app
    assert INVALID_LOGIN in log_in(Client(), username, temporary).content.decode()
    other = Client()
    response = log_in(other, username, NEW_PASSWORD)
    assert response["Location"] == reverse("home")
    assert logged_in(other)


def test_an_expired_temporary_password_is_refused_with_its_date(world, newcomer, clock):
    member, username, password = newcomer
    expires = TemporaryPassword.objects.get(user=member.user).expires_at
    clock.advance(days=7, minutes=-1)
    assert log_in(Client(), username, password)["Location"] == reverse("password_set")
    clock.advance(minutes=2)
    response = log_in(Client(), username, password)
    body = response.content.decode()
    date = formats.date_format(timezone.localtime(expires), "SHORT_DATE_FORMAT")
    assert response.status_code == 200
    assert f"Mật khẩu tạm này đã hết hạn từ {date}." in body
    assert "Hãy nhờ người đã cấp tài khoản cấp mật khẩu mới." in body


def test_a_supervisor_sets_the_password_before_the_second_factor(world):
    post, password = services.post_create(
        actor=world.supervisor,
        unit=world.district_a,
        role=Post.Role.SUPERVISOR,
        full_name="Hoàng Văn Giám",
        username="giam.hv",
    )
    client = Client()
    assert log_in(client, "giam.hv", password)["Location"] == reverse("password_set")
    assert client.get(reverse("otp_enrol"))["Location"] == reverse("password_set")
    response = client.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"].startswith(reverse("otp_enrol"))


# Who helps, on the login page ------------------------------------------------------------------


def help_cookie_of(username: str) -> str | None:
    client = Client()
    assert log_in(client, username).status_code == 302
    morsel = client.cookies.get(HELP_COOKIE)
    return None if morsel is None or not morsel.value else morsel.value


def login_page_with(cookie: str | None) -> str:
    client = Client()
    if cookie is not None:
        client.cookies[HELP_COOKIE] = cookie
    return client.get(reverse("login")).content.decode()


@pytest.fixture
def deputy(world):
    user = f.user("doipho_a")
    f.member(team=world.team_a, full_name="Ngô Thị Phó", role=Member.Role.DEPUTY, user=user)
    return user


@pytest.fixture
def province_supervisor(world):
    user = f.user("giamsat_tinh")
    f.post(user=user, unit=world.province, role=Post.Role.SUPERVISOR)
    return user


@pytest.mark.parametrize(
    ("username", "kind", "unit", "text"),
    [
        (
            "tnv_a",
            "member",
            "ward_a",
            "Quên mật khẩu? Hãy nhờ đội trưởng, đội phó của Đội hoặc cán bộ UBND Phường A đặt lại.",
        ),
        (
            "doipho_a",
            "deputy",
            "ward_a",
            "Quên mật khẩu? Hãy nhờ đội trưởng của Đội hoặc cán bộ UBND Phường A đặt lại.",
        ),
        ("doitruong_a", "leader", "ward_a", "Quên mật khẩu? Hãy nhờ cán bộ UBND Phường A đặt lại."),
        (
            "canbo_a",
            "officer",
            "ward_a",
            "Quên mật khẩu? Hãy nhờ cán bộ giám sát của Quận A đặt lại.",
        ),
        (
            "giamsat_a",
            "supervisor",
            "district_a",
            "Quên mật khẩu? Hãy nhờ một cán bộ giám sát khác của Quận A hoặc của Tỉnh Thử "
            "Nghiệm đặt lại.",
        ),
        (
            "giamsat_tinh",
            "supervisor",
            "province",
            "Quên mật khẩu? Hãy nhờ một cán bộ giám sát khác của Tỉnh Thử Nghiệm đặt lại.",
        ),
    ],
)
def test_the_login_page_says_who_helps_the_last_login_on_this_device(
    world, deputy, province_supervisor, username, kind, unit, text
):
    cookie = help_cookie_of(username)
    assert cookie is not None
    # "kind:unit id", then the signer's timestamp and signature: no name, no username
    value, _timestamp, _signature = cookie.rsplit(":", 2)
    assert value == f"{kind}:{getattr(world, unit).pk}"
    body = login_page_with(cookie)
    assert text in body
    assert GENERIC_HELP not in body


def test_the_help_cookie_is_httponly_signed_and_long_lived(world, settings):
    settings.SESSION_COOKIE_SECURE = True
    client = Client()
    log_in(client, "tnv_a")
    morsel = client.cookies[HELP_COOKIE]
    assert morsel["httponly"] is True
    assert morsel["secure"] is True
    assert morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) >= 365 * 24 * 3600


def test_without_the_cookie_the_login_page_says_who_helps_whom(world):
    body = login_page_with(None)
    assert GENERIC_HELP in body
    assert "cán bộ xã, phường và cán bộ giám sát hãy nhờ cán bộ giám sát cấp trên" in body


@pytest.mark.parametrize(
    "cookie",
    [
        "member:1",  # unsigned
        "member:999999:AAAAAA:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",  # a forged signature
        "",
        "\x00",
    ],
)
def test_a_tampered_cookie_gives_the_general_text(world, cookie):
    assert GENERIC_HELP in login_page_with(cookie)


def test_a_signed_cookie_for_a_unit_that_is_gone_or_malformed_gives_the_general_text(world):
    from django.core import signing

    from wards.account_views import HELP_COOKIE_SALT

    for value in ("member:987654", "member", "member:abc", "a:b:c"):
        signed = signing.get_cookie_signer(salt=HELP_COOKIE + HELP_COOKIE_SALT).sign(value)
        assert GENERIC_HELP in login_page_with(signed), value


def test_the_administrator_leaves_no_help_cookie(world):
    assert help_cookie_of("quantri") is None


def test_a_tampered_cookie_does_not_swap_the_unit(world):
    """Changing the unit id in a signed cookie breaks its signature."""
    cookie = help_cookie_of("tnv_a")
    kind, unit, rest = cookie.split(":", 2)
    forged = f"{kind}:{world.ward_b.pk}:{rest}"
    body = login_page_with(forged)
    assert "Phường B" not in body
    assert GENERIC_HELP in body


# The lock-out says when to try again -----------------------------------------------------------


def test_the_lock_out_says_the_clock_time_and_the_minutes_left(world, clock):
    client = Client()
    for _ in range(4):
        assert log_in(client, "tnv_a", "sai").status_code == 200
    fifth = log_in(client, "tnv_a", "sai")
    assert fifth.status_code == 429
    attempt = AccessAttempt.objects.get(username="tnv_a")
    until = timezone.localtime(attempt.attempt_time + datetime.timedelta(minutes=15))
    at = f"{until:%H:%M}"
    assert f"thử lại sau {at} (15 phút nữa)" in fifth.content.decode()

    # ten minutes on (axes keeps the real clock, so the lock holds): the same time, 5 left
    clock.advance(minutes=10)
    sixth = log_in(client, "tnv_a", f.PASSWORD)
    assert sixth.status_code == 429
    assert f"thử lại sau {at} (5 phút nữa)" in sixth.content.decode()
    # a failure during the lock-out does not push the time back
    assert AccessAttempt.objects.get(username="tnv_a").attempt_time == attempt.attempt_time


def test_the_lock_out_page_is_the_login_page_with_who_helps(world):
    cookie = help_cookie_of("tnv_a")
    client = Client()
    client.cookies[HELP_COOKIE] = cookie
    for _ in range(5):
        response = log_in(client, "tnv_a", "sai")
    body = response.content.decode()
    assert response.status_code == 429
    assert 'name="username"' in body
    assert "cán bộ UBND Phường A đặt lại" in body


# Login names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("full_name", "suggested"),
    [
        ("Nguyễn Thị Lan", "lan.nt"),
        ("  nguyễn   thị   lan ", "lan.nt"),
        ("ĐẶNG VĂN ĐỨC", "duc.dv"),
        ("Đ", "d.tnv"),
        ("Lan", "lan"),
        ("An", "an.tnv"),
        ("", "tnv"),
        ("   ", "tnv"),
        ("\u0300\u0301\u0303", "tnv"),  # only combining marks
        ("!!! — ???", "tnv"),
        ("Hoàng-Anh Tú", "tu.h"),
        ("Nguyễn Thị Lan (Út)", "ut.ntl"),
    ],
)
def test_suggest_username(db, full_name, suggested):
    name = logins.suggest_username(full_name)
    assert name == suggested
    assert logins.clean_username(name) == name


def test_a_very_long_name_gives_a_name_that_is_still_valid(db):
    name = logins.suggest_username("Tôn Nữ " * 30 + "Bạchhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")
    assert len(name) <= 30
    assert logins.clean_username(name) == name
    f.user(name)
    second = logins.suggest_username("Tôn Nữ " * 30 + "Bạchhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh")
    assert second != name and len(second) <= 30
    assert logins.clean_username(second) == second


def test_a_taken_name_gets_the_next_free_number(db):
    f.user("lan.nt")
    assert logins.suggest_username("Nguyễn Thị Lan") == "lan.nt2"
    f.user("lan.nt2")
    f.user("lan.nt4")
    assert logins.suggest_username("Nguyễn Thị Lan") == "lan.nt3"


def test_a_taken_name_in_other_letters_case_is_taken(db):
    # The admin site may have made "Lan.NT"; the login form does not tell them apart.
    f.user("Lan.NT")
    name = logins.suggest_username("Nguyễn Thị Lan")
    assert name == "lan.nt2"
    assert logins.clean_username(name) == name


@pytest.mark.parametrize(
    ("typed", "clean"),
    [
        ("lan.nt", "lan.nt"),
        ("Lan.NT", "lan.nt"),
        ("  lan.nt  ", "lan.nt"),
        ("abc", "abc"),
        ("a" * 30, "a" * 30),
        ("2lan_nt-x", "2lan_nt-x"),
    ],
)
def test_clean_username_accepts(db, typed, clean):
    assert logins.clean_username(typed) == clean


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "  ",
        "ab",
        "a" * 31,
        "lân.nt",
        "Đức",
        "lan nt",
        ".lan",
        "_lan",
        "-lan",
        "lan@nt",
        "la\nn",
    ],
)
def test_clean_username_refuses(db, typed):
    with pytest.raises(ValidationError) as refused:
        logins.clean_username(typed)
    assert "Tên đăng nhập gồm 3–30 chữ cái không dấu" in refused.value.messages[0]


def test_clean_username_refuses_a_taken_name_whatever_its_case_and_offers_a_free_one(db):
    f.user("lan.nt")
    f.user("lan.nt2")
    with pytest.raises(ValidationError) as refused:
        logins.clean_username("LAN.NT")
    assert refused.value.messages == [
        "Tên đăng nhập «lan.nt» đã có người dùng. Hãy chọn tên khác, ví dụ «lan.nt3»."
    ]
    assert logins.clean_username("lan.nt3") == "lan.nt3"


def test_the_name_offered_for_a_taken_30_character_name_is_valid(db):
    f.user("a" * 30)
    with pytest.raises(ValidationError) as refused:
        logins.clean_username("a" * 30)
    offered = refused.value.messages[0].split("«")[-1].split("»")[0]
    assert logins.clean_username(offered) == offered


# The hourly limit of login actions -------------------------------------------------------------


def marked(actor, n: int, mark: str = logins.MARK) -> None:
    for _ in range(n):
        AuditEvent.objects.create(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            object_type="auth.user",
            changes={mark: "password_reset"},
        )


def test_over_limit_counts_the_actors_login_actions_of_the_last_hour(world, settings, clock):
    settings.ACCOUNT_ACTIONS_PER_HOUR = 3
    marked(world.leader, 2)
    marked(world.officer, 5)  # someone else's
    marked(world.leader, 5, mark="password")  # not a login action
    assert not logins.over_limit(world.leader)
    logins.refuse_over_limit(world.leader)
    marked(world.leader, 1)
    assert logins.over_limit(world.leader)
    with pytest.raises(ValidationError) as refused:
        logins.refuse_over_limit(world.leader)
    assert "3 tài khoản trong một giờ qua" in refused.value.messages[0]
    # an hour on, those no longer count
    clock.advance(minutes=61)
    assert not logins.over_limit(world.leader)


def test_the_services_stop_at_the_limit(world, settings):
    settings.ACCOUNT_ACTIONS_PER_HOUR = 2
    services.login_reset(actor=world.leader, member=world.volunteer_member)
    services.login_reset(actor=world.leader, member=world.volunteer_member)
    with pytest.raises(ValidationError):
        services.login_reset(actor=world.leader, member=world.volunteer_member)
    assert AuditEvent.objects.filter(actor=world.leader, changes__has_key=logins.MARK).count() == 2
