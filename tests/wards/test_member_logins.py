"""The team runs its own logins (issue 22): who may give, reset and reopen whose login from the
team page, the one-time password and the first login, leaving and rejoining, the audit and the
hourly limit."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from tests.conftest import login
from wards import logins
from wards.models import AuditEvent, Member, Post, TemporaryPassword

User = get_user_model()
NEW_PASSWORD = "Mật-khẩu-riêng-2026"
PASSWORD_RE = re.compile(r"data-login-password>([a-z0-9-]+)<")


def shown_password(response) -> str:
    found = PASSWORD_RE.findall(response.content.decode())
    assert len(found) == 1, "the page shows the password exactly once"
    return found[0]


def create(client: Client, member: Member, username: str | None = None, **extra):
    url = reverse("wards:login_create", args=[member.pk])
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="_once" value="([^"]+)"', page.content.decode()).group(1)
    suggested = page.context["form"].initial["username"]
    data = {"username": username or suggested, "_once": token, **extra}
    return client.post(url, data)


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def deputy(world):
    user = f.user("doipho_a")
    member = f.member(team=world.team_a, full_name="Hoàng Văn Phó", role="deputy", user=user)
    return member


@pytest.fixture
def plain(world) -> Member:
    return Member.objects.get(team=world.team_a, full_name="Phạm Văn Thành Viên 0")


# Who may manage whose login ----------------------------------------------------------------


def test_a_leader_manages_deputies_and_members_a_deputy_only_members(world, deputy, plain):
    leader, volunteer = world.leader, world.volunteer
    assert logins.may_manage_member(leader, deputy)
    assert logins.may_manage_member(leader, plain)
    assert logins.may_manage_member(leader, world.volunteer_member)
    deputy_user = User.objects.get(pk=deputy.user_id)
    assert logins.may_manage_member(deputy_user, plain)
    assert not logins.may_manage_member(deputy_user, world.leader_member)
    other_deputy = f.member(team=world.team_a, full_name="Đội Phó Hai", role="deputy")
    assert not logins.may_manage_member(deputy_user, other_deputy)
    assert not logins.may_manage_member(leader, world.leader_member)  # their own
    assert not logins.may_manage_member(volunteer, plain)


def test_an_officer_manages_everyone_of_the_ward_but_nobody_outside_it(world, deputy, plain):
    officer = world.officer
    for member in (world.leader_member, deputy, plain):
        assert logins.may_manage_member(officer, member)
    assert not logins.may_manage_member(officer, world.outsider_member)
    assert not logins.may_manage_member(world.supervisor, plain)
    assert not logins.may_manage_member(world.outsider, plain)


@pytest.mark.parametrize(
    ("persona", "target", "status"),
    [
        ("leader", "plain", 200),
        ("leader", "deputy", 200),
        ("leader", "leader_member", 403),  # their own login
        ("officer", "leader_member", 200),
        ("volunteer", "plain", 403),
        ("supervisor", "plain", 403),
        ("outsider", "plain", 404),  # another ward
        ("deputy", "plain", 200),
        ("deputy", "leader_member", 403),
    ],
)
def test_the_pages_answer_by_rank(world, deputy, plain, persona, target, status):
    members = {"plain": plain, "deputy": deputy, "leader_member": world.leader_member}
    member = members[target]
    user = User.objects.get(pk=deputy.user_id) if persona == "deputy" else getattr(world, persona)
    client = login(user)
    name = "wards:login_reset" if member.user_id else "wards:login_create"
    assert client.get(reverse(name, args=[member.pk])).status_code == status


def test_another_wards_member_is_404_on_every_login_page(world, personas):
    member = world.outsider_member
    for name in ("wards:login_create", "wards:login_reset", "wards:member_rejoin"):
        url = reverse(name, args=[member.pk])
        assert personas["leader"].get(url).status_code == 404
        assert personas["officer"].post(url).status_code == 404


# Login names ---------------------------------------------------------------------------------


def test_a_login_name_is_suggested_from_the_name_without_marks(db):
    assert logins.suggest_username("Nguyễn Thị Lan") == "lan.nt"
    assert logins.suggest_username("Đặng Văn Đức") == "duc.dv"
    f.user("lan.nt")
    assert logins.suggest_username("Nguyễn Thị Lan") == "lan.nt2"


def test_the_form_offers_the_suggestion_and_refuses_a_taken_or_bad_name(world, personas, plain):
    plain.full_name = "Nguyễn Thị Lan"
    plain.save()
    f.user("lan.nt")
    url = reverse("wards:login_create", args=[plain.pk])
    page = personas["leader"].get(url)
    assert 'value="lan.nt2"' in page.content.decode()
    taken = personas["leader"].post(url, {"username": "LAN.NT"})
    assert taken.status_code == 200
    assert "đã có người dùng" in taken.content.decode()
    bad = personas["leader"].post(url, {"username": "lan nt!"})
    assert "Tên đăng nhập gồm 3–30 chữ cái không dấu" in bad.content.decode()
    plain.refresh_from_db()
    assert plain.user_id is None
    assert not TemporaryPassword.objects.exists()


# Creating a login and the first login ----------------------------------------------------------


def test_a_created_login_shows_its_password_once_and_it_works(world, personas, plain):
    response = create(personas["leader"], plain, username="thanhvien.pv")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    password = shown_password(response)
    assert "thanhvien.pv" in html and "http://testserver/" in html
    assert "In phiếu" in html and "js/print.js" in html
    plain.refresh_from_db()
    user = plain.user
    assert user.username == "thanhvien.pv" and user.first_name == plain.full_name
    temporary = TemporaryPassword.objects.get(user=user)
    assert temporary.issued_by == world.leader
    assert temporary.expires_at.date() == (timezone.now() + datetime.timedelta(days=7)).date()
    assert timezone.localtime(temporary.expires_at).strftime("%H:%M ngày %d/%m/%Y") in html
    # The team page shows the login, not the password.
    team = personas["leader"].get(world.team_a.get_absolute_url()).content.decode()
    assert "Tài khoản: thanhvien.pv" in team and "chưa đăng nhập lần nào" in team
    assert password not in team
    assert "mật khẩu tạm chưa đổi, hết hạn" in team
    # A GET of the create page now sends back to the team page: no second password.
    again = personas["leader"].get(reverse("wards:login_create", args=[plain.pk]))
    assert again.status_code == 302

    member_client = Client()
    answer = log_in(member_client, "thanhvien.pv", password)
    assert answer.status_code == 302 and answer["Location"] == reverse("password_set")
    # Nothing else opens until a password of their own is set.
    held = member_client.get(reverse("cases:my_work"))
    assert held.status_code == 302 and held["Location"] == reverse("password_set")
    weak = member_client.post(
        reverse("password_set"), {"new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200
    assert "Mật khẩu này quá phổ biến" in weak.content.decode() or "toàn chữ số" in (
        weak.content.decode()
    )
    done = member_client.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert member_client.get(done["Location"], follow=True).status_code == 200
    assert member_client.get(reverse("cases:my_work")).status_code == 200
    assert not TemporaryPassword.objects.filter(user=user).exists()
    assert log_in(Client(), "thanhvien.pv", NEW_PASSWORD).status_code == 302
    team = personas["leader"].get(world.team_a.get_absolute_url()).content.decode()
    assert "đăng nhập lần cuối " + timezone.localdate().strftime("%d/%m/%Y") in team


def test_an_expired_temporary_password_is_refused_at_login(world, personas, plain):
    password = shown_password(create(personas["leader"], plain))
    plain.refresh_from_db()
    TemporaryPassword.objects.filter(user=plain.user).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    refused = log_in(Client(), plain.user.username, password)
    assert refused.status_code == 200
    assert "Mật khẩu tạm này đã hết hạn" in refused.content.decode()
    team = personas["leader"].get(world.team_a.get_absolute_url()).content.decode()
    assert "mật khẩu tạm đã hết hạn" in team


def test_a_double_post_of_the_create_form_makes_one_login_and_shows_no_second_password(
    world, personas, plain
):
    client = personas["leader"]
    url = reverse("wards:login_create", args=[plain.pk])
    token = re.search(r'name="_once" value="([^"]+)"', client.get(url).content.decode()).group(1)
    first = client.post(url, {"username": "hai.lan", "_once": token})
    assert first.status_code == 200
    shown_password(first)
    second = client.post(url, {"username": "hai.lan", "_once": token})
    assert second.status_code == 302
    landed = client.get(second["Location"]).content.decode()
    assert "data-login-password" not in landed
    assert "đã được cấp ở lần gửi trước; mật khẩu chỉ hiện một lần" in landed
    # Another tab's form (another token): the service refuses a second login.
    token2 = str(uuid.uuid4())
    third = client.post(url, {"username": "hai.lan2", "_once": token2})
    assert third.status_code == 200
    assert "Thành viên này đã có tài khoản" in third.content.decode()
    assert "data-login-password" not in third.content.decode()
    assert User.objects.filter(username__startswith="hai.lan").count() == 1
    created = AuditEvent.objects.filter(changes__login="created")
    assert created.count() == 1


# Resetting ------------------------------------------------------------------------------------


def test_a_reset_ends_the_members_sessions_and_gives_a_new_temporary_password(world, personas):
    volunteer_client = login(world.volunteer)
    assert volunteer_client.get(reverse("cases:my_work")).status_code == 200
    url = reverse("wards:login_reset", args=[world.volunteer_member.pk])
    confirm = personas["leader"].get(url)
    assert confirm.status_code == 200 and "tnv_a" in confirm.content.decode()
    response = personas["leader"].post(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = shown_password(response)
    # the session the volunteer had is over
    assert volunteer_client.get(reverse("cases:my_work")).status_code == 302
    assert log_in(Client(), "tnv_a", f.PASSWORD).status_code == 200
    fresh = Client()
    answer = log_in(fresh, "tnv_a", password)
    assert answer["Location"] == reverse("password_set")
    assert TemporaryPassword.objects.get(user=world.volunteer).issued_by == world.leader


def test_the_reset_page_of_a_member_without_login_leads_to_creating_one(world, personas, plain):
    response = personas["leader"].get(reverse("wards:login_reset", args=[plain.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("wards:login_create", args=[plain.pk])


# Leaving and rejoining ---------------------------------------------------------------------------


def test_leaving_ends_the_login_the_same_day_and_rejoining_restores_it(world, personas):
    volunteer_client = login(world.volunteer)
    member = world.volunteer_member
    today = timezone.localdate()
    left = personas["leader"].post(
        reverse("wards:member_leave", args=[member.pk]),
        {"left_on": today.isoformat(), "reason": "Chuyển nơi ở", "version": member.version},
    )
    assert left.status_code == 302
    ended = volunteer_client.get(reverse("cases:my_work"), follow=True)
    assert "Tài khoản này không còn dùng được" in ended.content.decode()
    assert volunteer_client.get(reverse("cases:my_work")).status_code == 302
    refused = log_in(Client(), "tnv_a", f.PASSWORD)
    assert refused.status_code == 200
    assert "Tài khoản này không còn dùng được" in refused.content.decode()

    team = personas["leader"].get(world.team_a.get_absolute_url()).content.decode()
    rejoin_url = reverse("wards:member_rejoin", args=[member.pk])
    assert rejoin_url in team
    assert "Tài khoản tnv_a không còn dùng được" in team
    # not on the day they left: the day after at the earliest
    same_day = personas["leader"].post(rejoin_url, {"joined_on": today.isoformat()})
    assert same_day.status_code == 200
    assert "phải sau ngày thôi tham gia" in same_day.content.decode()
    Member.objects.filter(pk=member.pk).update(
        left_on=today - datetime.timedelta(days=2), joined_on=datetime.date(2014, 3, 1)
    )
    back = personas["leader"].post(rejoin_url, {"joined_on": today.isoformat()})
    assert back.status_code == 302
    again = Member.objects.get(user=world.volunteer, left_on__isnull=True)
    assert again.pk != member.pk and again.joined_on == today
    assert log_in(Client(), "tnv_a", f.PASSWORD).status_code == 302
    team = personas["leader"].get(world.team_a.get_absolute_url()).content.decode()
    assert rejoin_url not in team  # the old row has nothing left to rejoin


def test_a_former_leader_can_rejoin_through_a_leader_only_as_a_member(world, personas):
    old = f.member(
        team=world.team_a,
        full_name="Lý Văn Cũ",
        role="leader",
        user=f.user("cu.lv"),
        left_on=datetime.date(2024, 1, 1),
    )
    url = reverse("wards:member_rejoin", args=[old.pk])
    assert personas["leader"].get(url).status_code == 200
    assert personas["volunteer"].get(url).status_code == 403
    assert personas["supervisor"].get(url).status_code == 403
    today = timezone.localdate()
    assert personas["leader"].post(url, {"joined_on": today.isoformat()}).status_code == 302
    assert Member.objects.get(full_name="Lý Văn Cũ", left_on__isnull=True).role == "member"


# Audit and limit ---------------------------------------------------------------------------------


def test_every_login_action_is_audited_without_a_name_or_a_password(world, personas, plain):
    password = shown_password(create(personas["officer"], plain, username="plain.pv"))
    reset_password = shown_password(
        personas["officer"].post(reverse("wards:login_reset", args=[plain.pk]))
    )
    events = list(AuditEvent.objects.filter(changes__has_key="login").order_by("pk"))
    assert [e.changes["login"] for e in events] == ["created", "password_reset"]
    for event in events:
        assert event.actor == world.officer and event.unit_id == world.ward_a.pk
        text = repr(event.changes) + repr(event.__dict__)
        for secret in (password, reset_password, "plain.pv", plain.full_name, "Phạm"):
            assert secret not in text


def test_the_rejoin_is_audited(world, personas):
    old = f.member(
        team=world.team_a,
        full_name="Lò Thị Về",
        user=f.user("ve.lt"),
        left_on=datetime.date(2024, 1, 1),
    )
    url = reverse("wards:member_rejoin", args=[old.pk])
    personas["leader"].post(url, {"joined_on": timezone.localdate().isoformat()})
    again = Member.objects.get(user__username="ve.lt", left_on__isnull=True)
    event = AuditEvent.objects.get(object_type="wards.member", object_id=again.pk)
    assert event.actor == world.leader and event.action == AuditEvent.Action.CREATE
    assert "Lò Thị Về" not in repr(event.changes) and "ve.lt" not in repr(event.changes)


def test_over_the_hourly_limit_nothing_is_made_and_the_form_says_why(
    world, personas, plain, settings
):
    settings.ACCOUNT_ACTIONS_PER_HOUR = 1
    shown_password(
        personas["leader"].post(reverse("wards:login_reset", args=[world.volunteer_member.pk]))
    )
    response = create(personas["leader"], plain, username="limit.pv")
    assert response.status_code == 200
    assert "mức tối đa" in response.content.decode()
    assert "data-login-password" not in response.content.decode()
    assert not User.objects.filter(username="limit.pv").exists()
    plain.refresh_from_db()
    assert plain.user_id is None
    refused = personas["leader"].post(
        reverse("wards:login_reset", args=[world.volunteer_member.pk])
    )
    assert refused.status_code == 200 and "mức tối đa" in refused.content.decode()
    assert "data-login-password" not in refused.content.decode()


# The team page -------------------------------------------------------------------------------


def test_the_team_page_shows_logins_and_buttons_by_rank(world, personas, plain):
    url = world.team_a.get_absolute_url()
    leader = personas["leader"].get(url).content.decode()
    assert reverse("wards:login_create", args=[plain.pk]) in leader
    assert reverse("wards:login_reset", args=[world.volunteer_member.pk]) in leader
    assert reverse("wards:login_reset", args=[world.leader_member.pk]) not in leader  # own
    assert "Chưa có tài khoản" in leader and "Tài khoản: tnv_a" in leader
    officer = personas["officer"].get(url).content.decode()
    assert reverse("wards:login_reset", args=[world.leader_member.pk]) in officer
    volunteer = personas["volunteer"].get(url).content.decode()
    assert "Tài khoản: tnv_a" not in volunteer and "Cấp tài khoản" not in volunteer


def test_the_team_page_costs_the_same_with_many_more_logins(world, personas):
    url = world.team_a.get_absolute_url()
    client = personas["officer"]
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for i in range(10):
        user = f.user(f"them.{i}", last_login=timezone.now())
        member = f.member(team=world.team_a, full_name=f"Thêm Tài Khoản {i}", user=user)
        TemporaryPassword.objects.create(user=user, expires_at=timezone.now())
        f.member(
            team=world.team_a,
            full_name=f"Đã Thôi {i}",
            user=f.user(f"thoi.{i}"),
            left_on=datetime.date(2024, 1, 1),
        )
        assert member.pk
    assert count() == few


def test_a_supervisors_post_is_not_a_member_to_manage(world):
    assert Post.objects.filter(user=world.supervisor).exists()
    assert not logins.may_manage_member(world.supervisor, world.volunteer_member)
