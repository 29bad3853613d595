"""«Tài khoản cán bộ»: a supervisor creates, ends and resets the officer and supervisor posts at
and under their unit (wards/post_views.py, wards/logins.py, the post services).

The world's district A holds ward A (current) and ward A-old (merged in 2025); ward B lies in
district B, outside the district supervisor's unit.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent, Post, TemporaryPassword

User = get_user_model()
NEW_PASSWORD = "Mật-khẩu-riêng-2026!"
PASSWORD_ON_PAGE = re.compile(r"data-login-password>([a-z0-9-]+)<")


def add(client: Client, unit, role: str = "officer", **fields):
    data = {
        "role": role,
        "unit": unit.pk,
        "full_name": "Nguyễn Thị Lan",
        "username": "",
        "title": "Công chức Văn hóa - Xã hội",
        "started_on": timezone.localdate().isoformat(),
        **fields,
    }
    return client.post(reverse("post_add"), data)


def password_on(response) -> str:
    match = PASSWORD_ON_PAGE.search(response.content.decode())
    assert match, response.content.decode()[:3000]
    return match.group(1)


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def supervisor(world) -> Client:
    return login(world.supervisor)


def test_a_district_supervisor_creates_an_officer_login_for_a_commune_under_the_district(
    world, supervisor
):
    response = add(supervisor, world.ward_a)
    assert response.status_code == 200
    html = response.content.decode()
    assert "lan.nt" in html  # suggested from the name, the field left empty
    assert "http://testserver/<" in html  # the app's address on the slip
    password = password_on(response)
    post = Post.objects.get(user__username="lan.nt")
    assert (post.unit, post.role, post.user.first_name) == (
        world.ward_a,
        "officer",
        "Nguyễn Thị Lan",
    )
    assert post.started_on == timezone.localdate()
    assert TemporaryPassword.objects.get(user=post.user).issued_by == world.supervisor
    # The new officer logs in with it and must set their own first.
    holder = Client()
    answer = log_in(holder, "lan.nt", password)
    assert answer["Location"] == reverse("password_set")
    assert holder.get(reverse("cases:register"))["Location"] == reverse("password_set")
    answer = holder.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert answer["Location"] == reverse("home")
    assert holder.get(reverse("cases:register")).status_code == 200
    assert not TemporaryPassword.objects.filter(user=post.user).exists()


def test_a_district_supervisor_creates_a_supervisor_login_at_the_district(world, supervisor):
    response = add(
        supervisor, world.district_a, role="supervisor", username="hung.lv", full_name="Lê Văn Hùng"
    )
    assert response.status_code == 200
    post = Post.objects.get(user__username="hung.lv")
    assert (post.unit, post.role) == (world.district_a, "supervisor")
    assert "đăng ký ứng dụng xác thực" in response.content.decode()


def test_the_suggestion_button_fills_the_login_name_and_creates_nothing(world, supervisor):
    f.user("lan.nt")
    response = supervisor.post(
        reverse("post_add"), {"full_name": "Nguyễn Thị Lan", "username": "", "goi_y": "1"}
    )
    assert response.status_code == 200
    assert 'value="lan.nt2"' in response.content.decode()
    assert "is-invalid" not in response.content.decode()
    assert not Post.objects.filter(user__username="lan.nt2").exists()


def test_the_form_offers_only_current_units_under_the_supervisors_own(world, supervisor):
    html = supervisor.get(reverse("post_add")).content.decode()
    assert f'<option value="{world.ward_a.pk}"' in html
    assert f'<option value="{world.district_a.pk}"' in html
    for unit in (world.ward_b, world.district_b, world.province, world.ward_a_old):
        assert f'<option value="{unit.pk}"' not in html, unit


@pytest.mark.parametrize(
    "where, role",
    [
        ("ward_b", "officer"),  # outside the district
        ("district_b", "supervisor"),
        ("province", "supervisor"),  # above their own unit
        ("ward_a_old", "officer"),  # merged away in 2025
    ],
)
def test_a_unit_not_offered_is_a_form_error_and_creates_nothing(world, supervisor, where, role):
    response = add(supervisor, getattr(world, where), role=role, username="ngoai.pv")
    assert response.status_code == 200
    assert "Đơn vị này không thuộc đơn vị của bạn" in response.content.decode()
    assert not User.objects.filter(username="ngoai.pv").exists()


def test_no_supervisor_at_a_commune_and_no_officer_at_a_district(world, supervisor):
    response = add(supervisor, world.ward_a, role="supervisor", username="sai.a")
    assert "Cán bộ giám sát làm việc tại quận, huyện hoặc tỉnh" in response.content.decode()
    response = add(supervisor, world.district_a, role="officer", username="sai.b")
    assert "hãy chọn một xã, phường" in response.content.decode()
    assert not User.objects.filter(username__startswith="sai.").exists()


def test_no_role_but_officer_or_supervisor_can_be_given(world, supervisor):
    for role in ("admin", "leader", "superuser"):
        response = add(supervisor, world.district_a, role=role, username="quyen.cao")
        assert response.status_code == 200
        assert "Chỉ cấp được tài khoản cán bộ UBND" in response.content.decode()
    assert not User.objects.filter(username="quyen.cao").exists()
    assert not User.objects.filter(is_staff=True).exclude(pk=world.admin.pk).exists()


def test_the_administrators_login_cannot_be_reset_through_a_post(world, supervisor):
    post = f.post(user=world.admin, unit=world.ward_a, role="officer")
    before = User.objects.get(pk=world.admin.pk).password
    assert supervisor.post(reverse("post_reset", args=[post.pk])).status_code == 403
    assert supervisor.post(reverse("post_second_factor_reset", args=[post.pk])).status_code == 403
    assert User.objects.get(pk=world.admin.pk).password == before


def test_a_login_holding_a_post_above_the_actor_cannot_be_taken_over(world, supervisor):
    """A province supervisor who also holds an officer post in ward A: the district supervisor
    may end that officer post, but not give the login a password that opens the province."""
    holder = f.user("giamsat_tinh")
    f.post(user=holder, unit=world.province, role="supervisor")
    officer_post = f.post(user=holder, unit=world.ward_a, role="officer")
    assert supervisor.post(reverse("post_reset", args=[officer_post.pk])).status_code == 403
    assert not TemporaryPassword.objects.filter(user=holder).exists()
    answer = supervisor.post(
        reverse("post_end", args=[officer_post.pk]),
        {"ended_on": timezone.localdate().isoformat()},
    )
    assert answer.status_code == 302


@pytest.mark.parametrize("name", ["post_end", "post_reset", "post_second_factor_reset"])
def test_a_post_outside_the_unit_is_404_and_the_supervisors_own_post_403(world, supervisor, name):
    outside = f.post(user=f.user(), unit=world.ward_b, role="officer")
    own = Post.objects.get(user=world.supervisor)
    for method in ("get", "post"):
        assert getattr(supervisor, method)(reverse(name, args=[outside.pk])).status_code == 404
        assert getattr(supervisor, method)(reverse(name, args=[own.pk])).status_code == 403
    assert Post.objects.get(pk=own.pk).ended_on is None


def test_only_supervisors_reach_the_posts_pages(world, personas):
    for persona in ("volunteer", "leader", "officer", "outsider", "admin"):
        assert personas[persona].get(reverse("posts")).status_code == 404, persona
        assert personas[persona].get(reverse("post_add")).status_code == 404, persona


def test_the_list_shows_each_login_with_its_state_active_first(world, supervisor):
    today = timezone.localdate()
    officer_post = Post.objects.get(user=world.officer)
    ended_user = f.user("cu.nv", first_name="Nguyễn Văn Cũ")
    f.post(
        user=ended_user,
        unit=world.ward_a,
        role="officer",
        started_on=datetime.date(2020, 1, 1),
        ended_on=today - datetime.timedelta(days=3),
    )
    User.objects.filter(pk=world.officer.pk).update(last_login=timezone.now())
    f.post(user=f.user("ngoai_b"), unit=world.ward_b, role="officer")
    html = supervisor.get(reverse("posts")).content.decode()
    active, ended = html.split('id="posts-ended"')
    assert "canbo_a" in active and "giamsat_a" in active
    assert "cu.nv" in ended and "Nguyễn Văn Cũ" in ended
    assert "ngoai_b" not in html
    assert "Đăng nhập lần cuối" in active
    assert "Đã có ứng dụng xác thực" in active  # the supervisor's own, from login()
    assert reverse("post_end", args=[officer_post.pk]) in active
    own = Post.objects.get(user=world.supervisor)
    assert reverse("post_end", args=[own.pk]) not in html


def test_the_list_filters_by_unit_and_name(world, supervisor):
    f.post(user=f.user("loc.a", first_name="Trần Văn Lọc"), unit=world.ward_a, role="officer")
    html = supervisor.get(reverse("posts"), {"don_vi": world.district_a.code}).content.decode()
    assert "loc.a" in html and "canbo_a" in html
    html = supervisor.get(reverse("posts"), {"q": "Lọc"}).content.decode()
    assert "loc.a" in html and "canbo_a" not in html
    # a unit outside, or no unit at all, is not a choice: the list stays whole and answers
    response = supervisor.get(reverse("posts"), {"don_vi": world.ward_b.code, "q": "\x00"})
    assert response.status_code == 200


def test_the_list_costs_the_same_with_many_more_posts(world, supervisor):
    url = reverse("posts")
    supervisor.get(url)
    with CaptureQueriesContext(connection) as few:
        assert supervisor.get(url).status_code == 200
    for i in range(20):
        ward = f.unit(parent=world.district_a, name=f"Phường Thêm {i}")
        user = f.user(f"them{i}", first_name=f"Cán Bộ {i}")
        f.post(user=user, unit=ward, role="officer")
        TOTPDevice.objects.create(user=user, name="x", confirmed=True)
        f.post(
            user=f.user(f"cu{i}"),
            unit=ward,
            role="officer",
            started_on=datetime.date(2020, 1, 1),
            ended_on=datetime.date(2021, 1, 1),
        )
    with CaptureQueriesContext(connection) as many:
        assert supervisor.get(url).status_code == 200
    assert len(few) == len(many), [q["sql"] for q in many.captured_queries]
    assert len(few) <= 15


def test_ending_a_post_ends_the_holders_login_the_same_day(world, supervisor):
    officer = Client()
    assert log_in(officer, "canbo_a", f.PASSWORD)["Location"] == reverse("home")
    assert officer.get(reverse("cases:register")).status_code == 200
    post = Post.objects.get(user=world.officer)
    html = supervisor.get(reverse("post_end", args=[post.pk])).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html  # today by default
    answer = supervisor.post(
        reverse("post_end", args=[post.pk]), {"ended_on": timezone.localdate().isoformat()}
    )
    assert answer["Location"] == reverse("posts")
    assert Post.objects.get(pk=post.pk).ended_on == timezone.localdate()
    # the next request of the open session logs out, and the login is refused with why
    answer = officer.get(reverse("cases:register"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
    refused = log_in(Client(), "canbo_a", f.PASSWORD)
    assert refused.status_code == 200
    assert "chức vụ của bạn đã kết thúc" in refused.content.decode()


def test_an_end_before_the_start_or_in_the_future_is_refused(world, supervisor):
    post = Post.objects.get(user=world.officer)
    Post.objects.filter(pk=post.pk).update(started_on=datetime.date(2024, 5, 1))
    for day in (datetime.date(2024, 4, 30), timezone.localdate() + datetime.timedelta(days=1)):
        response = supervisor.post(reverse("post_end", args=[post.pk]), {"ended_on": day})
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode()
    assert Post.objects.get(pk=post.pk).ended_on is None


def test_a_reset_gives_a_temporary_password_replaced_at_the_first_login(world, supervisor):
    post = Post.objects.get(user=world.officer)
    officer = Client()
    log_in(officer, "canbo_a", f.PASSWORD)
    assert (
        "sẽ phải tự đặt"
        not in supervisor.get(reverse("post_reset", args=[post.pk])).content.decode()
    )
    response = supervisor.post(reverse("post_reset", args=[post.pk]))
    assert response.status_code == 200
    password = password_on(response)
    # the old password and the open session end
    assert officer.get(reverse("cases:register")).status_code == 302
    assert log_in(Client(), "canbo_a", f.PASSWORD).status_code == 200
    fresh = Client()
    assert log_in(fresh, "canbo_a", password)["Location"] == reverse("password_set")
    answer = fresh.post(
        reverse("password_set"), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert answer["Location"] == reverse("home")
    assert log_in(Client(), "canbo_a", NEW_PASSWORD)["Location"] == reverse("home")


def test_a_second_factor_reset_makes_the_holder_enrol_again(world, supervisor):
    peer = f.user("giamsat_a2", first_name="Phạm Thị Giám Sát")
    post = f.post(user=peer, unit=world.district_a, role="supervisor")
    TOTPDevice.objects.create(user=peer, name="Điện thoại cũ", confirmed=True)
    html = supervisor.get(reverse("post_second_factor_reset", args=[post.pk])).content.decode()
    assert "đăng ký ứng dụng xác thực trên điện thoại mới" in html
    answer = supervisor.post(reverse("post_second_factor_reset", args=[post.pk]))
    assert answer["Location"] == reverse("posts")
    assert not TOTPDevice.objects.filter(user=peer).exists()
    client = Client()
    answer = log_in(client, "giamsat_a2", f.PASSWORD)
    answer = client.get(answer["Location"])
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("otp_enrol"))


def test_every_action_is_audited_as_a_login_action_without_names(world, supervisor):
    add(supervisor, world.ward_a)
    post = Post.objects.get(user__username="lan.nt")
    TOTPDevice.objects.create(user=post.user, name="x", confirmed=True)
    supervisor.post(reverse("post_reset", args=[post.pk]))
    supervisor.post(reverse("post_second_factor_reset", args=[post.pk]))
    supervisor.post(reverse("post_end", args=[post.pk]), {"ended_on": timezone.localdate()})
    events = AuditEvent.objects.filter(actor=world.supervisor, changes__has_key="login")
    marks = sorted(e.changes["login"] for e in events)
    assert marks == ["created", "password_reset", "post_ended", "second_factor_reset"]
    for event in events:
        text = str(event.changes) + event.object_id + event.object_type
        assert "Lan" not in text and "lan.nt" not in text and "Văn hóa" not in text
        assert event.unit_id == world.ward_a.pk


def test_the_hourly_limit_is_shown_and_creates_nothing(world, supervisor, settings):
    settings.ACCOUNT_ACTIONS_PER_HOUR = 2
    add(supervisor, world.ward_a, username="mot.a")
    add(supervisor, world.ward_a, username="hai.a")
    response = add(supervisor, world.ward_a, username="ba.a")
    assert response.status_code == 200
    assert "trong một giờ qua, mức tối đa" in response.content.decode()
    assert not User.objects.filter(username="ba.a").exists()
    post = Post.objects.get(user__username="mot.a")
    response = supervisor.post(reverse("post_reset", args=[post.pk]))
    assert response.status_code == 200
    assert "trong một giờ qua, mức tối đa" in response.content.decode()
    assert not PASSWORD_ON_PAGE.search(response.content.decode())


def test_a_create_form_sent_twice_creates_one_login(world, supervisor):
    data = {
        "role": "officer",
        "unit": world.ward_a.pk,
        "full_name": "Đỗ Văn Hai Lần",
        "username": "hailan.dv",
        "title": "",
        "started_on": timezone.localdate().isoformat(),
        "_once": "6d3f8f3a-2f4e-4d0c-9f2a-0a1b2c3d4e5f",
    }
    assert supervisor.post(reverse("post_add"), data).status_code == 200
    again = supervisor.post(reverse("post_add"), data)
    assert again.status_code == 302 and again["Location"] == reverse("posts")
    assert Post.objects.filter(user__username="hailan.dv").count() == 1


def test_a_taken_or_malformed_login_name_is_a_form_error(world, supervisor):
    for username in ("canbo_a", "Có Dấu", "ab", "-bad"):
        response = add(supervisor, world.ward_a, username=username)
        assert response.status_code == 200
        assert "invalid-feedback" in response.content.decode(), username
    assert Post.objects.filter(unit=world.ward_a).count() == 1  # the officer's alone


def test_a_long_list_is_paged_with_the_open_posts_first(world, supervisor, monkeypatch):
    from wards import post_views

    monkeypatch.setattr(post_views, "PER_PAGE", 2)
    f.post(
        user=f.user("cu.a"),
        unit=world.ward_a,
        role="officer",
        started_on=datetime.date(2020, 1, 1),
        ended_on=datetime.date(2021, 1, 1),
    )
    f.post(user=f.user("moi.b"), unit=world.ward_a, role="officer")
    first = supervisor.get(reverse("posts")).content.decode()
    second = supervisor.get(reverse("posts"), {"page": 2}).content.decode()
    assert "Đang giữ chức vụ: 3 người" in first and "Đã kết thúc chức vụ: 1 người" in second
    assert "cu.a" not in first and 'id="posts-ended"' not in first
    assert "cu.a" in second.split('id="posts-ended"')[1]
    assert "page=2" in first
