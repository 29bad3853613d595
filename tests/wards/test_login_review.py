"""The security review of the team-run logins (issue 22): a login name taken at the same moment by
someone else, a reset sent twice (a double tap, a reload of the page that showed the password),
and a temporary password kept as one's own."""

from __future__ import annotations

import datetime
import re
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import login
from wards import services
from wards.models import AuditEvent, Member, Post, TemporaryPassword

User = get_user_model()
PASSWORD_RE = re.compile(r"data-login-password>([a-z0-9-]+)<")
TOKEN_RE = re.compile(r'name="_once" value="([^"]+)"')


def shown_password(response) -> str:
    found = PASSWORD_RE.findall(response.content.decode())
    assert len(found) == 1, response.content.decode()[:3000]
    return found[0]


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def plain(world) -> Member:
    return Member.objects.get(team=world.team_a, full_name="Phạm Văn Thành Viên 0")


@pytest.fixture
def taken_meanwhile(monkeypatch):
    """The name passed every check, then another person's login with it is saved just before
    ours (two people giving the same name at once, replayed in one process)."""
    manager = type(User.objects)
    create_user = manager.create_user

    def racing(self, username, *args, **kwargs):
        User.objects.create(username=username)
        return create_user(self, username, *args, **kwargs)

    monkeypatch.setattr(manager, "create_user", racing)


# The same login name at once -------------------------------------------------------------------


def test_a_name_taken_meanwhile_is_a_message_on_the_member_form_not_a_server_error(
    world, personas, plain, taken_meanwhile
):
    client = personas["leader"]
    url = reverse("wards:login_create", args=[plain.pk])
    token = TOKEN_RE.search(client.get(url).content.decode()).group(1)
    response = client.post(url, {"username": "trung.ten", "_once": token})
    assert response.status_code == 200
    html = response.content.decode()
    assert "vừa được cấp cho người khác" in html
    assert "data-login-password" not in html
    plain.refresh_from_db()
    assert plain.user_id is None
    assert not TemporaryPassword.objects.exists()
    assert not AuditEvent.objects.filter(changes__login="created").exists()


def test_a_name_taken_meanwhile_is_a_message_on_the_post_form_not_a_server_error(
    world, taken_meanwhile
):
    data = {
        "role": "officer",
        "unit": world.ward_a.pk,
        "full_name": "Nguyễn Thị Lan",
        "username": "lan.trung",
        "title": "",
        "started_on": timezone.localdate().isoformat(),
    }
    response = login(world.supervisor).post(reverse("post_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "vừa được cấp cho người khác" in html
    assert "data-login-password" not in html
    assert not Post.objects.filter(user__username="lan.trung").exists()


# A reset sent twice ----------------------------------------------------------------------------


def test_a_member_reset_sent_twice_resets_once_and_the_first_password_still_works(world, personas):
    client = personas["leader"]
    url = reverse("wards:login_reset", args=[world.volunteer_member.pk])
    token = TOKEN_RE.search(client.get(url).content.decode()).group(1)
    first = client.post(url, {"_once": token})
    password = shown_password(first)
    # the back button or a reload sends the same form again
    again = client.post(url, {"_once": token})
    assert again.status_code == 302
    landed = client.get(again["Location"]).content.decode()
    assert "data-login-password" not in landed
    assert "đã được đặt lại ở lần gửi trước" in landed
    assert AuditEvent.objects.filter(changes__login="password_reset").count() == 1
    # what was written down or printed from the first page still opens the login
    answer = log_in(Client(), "tnv_a", password)
    assert answer.status_code == 302 and answer["Location"] == reverse("password_set")


def test_a_post_reset_sent_twice_resets_once_and_the_first_password_still_works(world):
    supervisor = login(world.supervisor)
    post = Post.objects.get(user=world.officer)
    url = reverse("post_reset", args=[post.pk])
    token = TOKEN_RE.search(supervisor.get(url).content.decode()).group(1)
    password = shown_password(supervisor.post(url, {"_once": token}))
    again = supervisor.post(url, {"_once": token})
    assert again.status_code == 302
    landed = supervisor.get(again["Location"]).content.decode()
    assert "data-login-password" not in landed
    assert "đã được đặt lại ở lần gửi trước" in landed
    assert AuditEvent.objects.filter(changes__login="password_reset").count() == 1
    answer = log_in(Client(), "canbo_a", password)
    assert answer.status_code == 302 and answer["Location"] == reverse("password_set")


def test_a_second_factor_reset_sent_twice_is_told_so(world):
    supervisor = login(world.supervisor)
    post = Post.objects.get(user=world.officer)
    url = reverse("post_second_factor_reset", args=[post.pk])
    token = TOKEN_RE.search(supervisor.get(url).content.decode()).group(1)
    assert supervisor.post(url, {"_once": token}).status_code == 302
    again = supervisor.post(url, {"_once": token})
    assert again.status_code == 302
    assert "lần gửi trước" in supervisor.get(again["Location"]).content.decode()
    assert AuditEvent.objects.filter(changes__login="second_factor_reset").count() == 1


# The temporary password kept as one's own ------------------------------------------------------


def test_the_temporary_password_cannot_be_chosen_as_ones_own(world, personas):
    client = personas["leader"]
    url = reverse("wards:login_reset", args=[world.volunteer_member.pk])
    token = TOKEN_RE.search(client.get(url).content.decode()).group(1)
    password = shown_password(client.post(url, {"_once": token}))
    member = Client()
    assert log_in(member, "tnv_a", password)["Location"] == reverse("password_set")
    kept = member.post(
        reverse("password_set"), {"new_password1": password, "new_password2": password}
    )
    assert kept.status_code == 200
    assert "khác mật khẩu tạm" in kept.content.decode()
    assert TemporaryPassword.objects.filter(user=world.volunteer).exists()
    # still held on the page until a password of their own is set
    held = member.get(reverse("cases:my_work"))
    assert held.status_code == 302 and held["Location"] == reverse("password_set")
    own = "Mật-khẩu-riêng-2026!"
    done = member.post(reverse("password_set"), {"new_password1": own, "new_password2": own})
    assert done.status_code == 302
    assert not TemporaryPassword.objects.filter(user=world.volunteer).exists()


# PostgreSQL: two people at once ----------------------------------------------------------------


def _in_thread(target):
    """Run `target` in a thread with its own database connection; return its outcome."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_a_backend_waits_for_a_lock(timeout=10.0) -> bool:
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


def _first_then_second(first_action, second_action):
    """`first_action` holds its transaction open until `second_action` waits behind it."""
    holding = threading.Event()

    def first():
        with transaction.atomic():
            result = first_action()
            holding.set()
            assert _wait_until_a_backend_waits_for_a_lock()
        return result

    def second():
        holding.wait(10)
        return second_action()

    threads = [_in_thread(first), _in_thread(second)]
    for thread, _outcome in threads:
        thread.join(30)
    return threads[0][1], threads[1][1]


@pytest.mark.postgres
def test_two_leaders_giving_the_same_name_at_once_one_gets_a_message(transactional_db, world):
    # Two wards: nothing else (the team's row) makes the second wait before the name's check.
    one = Member.objects.filter(team=world.team_a, user__isnull=True).order_by("pk")[0]
    two = Member.objects.create(
        team=world.team_b, full_name="Cù Thị Tên", sex="female", joined_on=datetime.date(2024, 1, 1)
    )
    won, lost = _first_then_second(
        lambda: services.login_create(actor=world.leader, member=one, username="cung.ten"),
        lambda: services.login_create(actor=world.outsider, member=two, username="cung.ten"),
    )
    assert "error" not in won, won.get("error")
    assert isinstance(lost.get("error"), ValidationError), lost
    assert "vừa được cấp cho người khác" in lost["error"].message_dict["username"][0]
    two.refresh_from_db()
    assert two.user_id is None
    assert User.objects.filter(username="cung.ten").count() == 1


@pytest.mark.postgres
def test_two_leaders_letting_one_person_rejoin_at_once_one_is_told(transactional_db, world):
    former = Member.objects.create(
        team=world.team_a,
        full_name="Lò Thị Về",
        sex="female",
        joined_on=datetime.date(2020, 1, 1),
        left_on=datetime.date(2024, 1, 1),
        user=User.objects.create_user(username="ve.lt"),
    )
    today = timezone.localdate()
    won, lost = _first_then_second(
        lambda: services.member_rejoin(actor=world.leader, member=former, joined_on=today),
        lambda: services.member_rejoin(actor=world.officer, member=former, joined_on=today),
    )
    assert "error" not in won, won.get("error")
    assert isinstance(lost.get("error"), ValidationError), lost
    assert lost["error"].messages == ["Người này vừa được ghi nhận tham gia lại Đội."]
    assert Member.objects.filter(user__username="ve.lt", left_on__isnull=True).count() == 1


# The posts list ------------------------------------------------------------------------------


def test_a_paged_posts_list_keeps_its_links_out_of_the_page_title(world, monkeypatch):
    from tests import factories as f
    from wards import post_views

    monkeypatch.setattr(post_views, "PER_PAGE", 1)
    f.post(user=f.user("moi.b"), unit=world.ward_a, role="officer")
    html = login(world.supervisor).get(reverse("posts")).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert " ".join(title.split()) == "Tài khoản cán bộ · Đồng Hành"
    # the pages' links are shown once, below the list
    assert html.count('aria-label="Chuyển trang"') == 1
