"""Personas, as healthchecks has alice/bob/charlie.

Ward A (with its predecessor A-old merged into it) lies in district A; ward B in district B;
both districts in one province. The volunteer, leader and officer work in ward A, the
supervisor at district A; `outsider` leads ward B; `admin` runs the installation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from tests import factories as f
from wards.models import AdminUnit, Member, Post, Team


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A fast hasher: the production one is slow by design, and every persona has a password.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests render templates without running collectstatic first.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _vietnamese():
    """Every test starts in Vietnamese: a request with the English cookie activates English in
    the thread (wards.middleware.ChosenLanguageMiddleware), which a later management command's
    output would otherwise inherit."""
    from django.utils import translation

    translation.activate("vi")
    yield
    translation.deactivate()


@dataclass
class World:
    province: AdminUnit
    district_a: AdminUnit
    district_b: AdminUnit
    ward_a: AdminUnit
    ward_a_old: AdminUnit
    ward_b: AdminUnit
    team_a: Team
    team_a_old: Team
    team_b: Team
    volunteer_member: Member
    leader_member: Member
    outsider_member: Member
    volunteer: object
    leader: object
    officer: object
    supervisor: object
    outsider: object
    admin: object


@pytest.fixture
def world(db) -> World:
    province = f.unit(code="99", level="province", name="Tỉnh Thử Nghiệm")
    district_a = f.unit(code="991", level="district", parent=province, name="Quận A")
    district_b = f.unit(code="992", level="district", parent=province, name="Quận B")
    ward_a = f.unit(code="99001", parent=district_a, name="Phường A")
    ward_b = f.unit(code="99002", parent=district_b, name="Phường B")
    ward_a_old = f.unit(
        code="99003-2025",
        parent=district_a,
        name="Phường A Cũ",
        valid_until=datetime.date(2025, 6, 30),
        successor=ward_a,
    )
    team_a = f.team(ward=ward_a, name="Đội CTXHTN phường A")
    team_b = f.team(ward=ward_b, name="Đội CTXHTN phường B")
    team_a_old = f.team(
        ward=ward_a_old, name="Đội CTXHTN phường A cũ", dissolved_on=datetime.date(2025, 6, 30)
    )
    volunteer = f.user("tnv_a", first_name="Trần Thị Lan")
    leader = f.user("doitruong_a", first_name="Lê Văn Hùng")
    officer = f.user("canbo_a")
    supervisor = f.user("giamsat_a")
    outsider = f.user("doitruong_b")
    admin = f.user("quantri", is_staff=True, is_superuser=True)
    leader_member = f.member(team=team_a, full_name="Lê Văn Hùng", role="leader", user=leader)
    volunteer_member = f.member(team=team_a, full_name="Trần Thị Lan", user=volunteer, sex="female")
    for i in range(3):
        f.member(team=team_a, full_name=f"Phạm Văn Thành Viên {i}")
    outsider_member = f.member(team=team_b, full_name="Đỗ Văn B", role="leader", user=outsider)
    f.member(
        team=team_a_old, full_name="Vũ Thị Cũ", role="leader", left_on=datetime.date(2025, 6, 30)
    )
    f.post(user=officer, unit=ward_a, role=Post.Role.OFFICER)
    f.post(user=supervisor, unit=district_a, role=Post.Role.SUPERVISOR)
    return World(**{k: v for k, v in locals().items() if k in World.__dataclass_fields__})


def login(user) -> Client:
    """A client logged in as `user`; supervisors and administrators also past the second factor,
    with a confirmed TOTP device, as django_otp.login leaves the session."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from wards import sessions, twofactor

    client = Client()
    client.force_login(user)
    session = client.session
    # The session clocks the login view starts, so that no test's first request writes them.
    sessions.start(session)
    # A fresh copy: access_for() caches on the user object, and tests change posts later.
    if twofactor.required(type(user).objects.get(pk=user.pk)):
        device = twofactor.confirmed_device(user) or TOTPDevice.objects.create(
            user=user, name="Thử nghiệm", confirmed=True
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def personas(world) -> dict[str, Client]:
    """A logged-in client per persona, plus anonymous."""
    return {
        "anonymous": Client(),
        "volunteer": login(world.volunteer),
        "leader": login(world.leader),
        "officer": login(world.officer),
        "supervisor": login(world.supervisor),
        "outsider": login(world.outsider),
        "admin": login(world.admin),
    }


def pytest_runtest_setup(item):
    # PostgreSQL-only guarantees (exclusion constraints, concurrent writers) are tested there.
    from django.db import connection

    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


@pytest.fixture
def clock():
    """Move Django's clock (timezone.now) forward; time itself stays put (django-axes keeps
    the real one)."""

    class Clock:
        offset = datetime.timedelta()

        def advance(self, **delta):
            self.offset += datetime.timedelta(**delta)

    real_now = timezone.now
    moved = Clock()
    with mock.patch("django.utils.timezone.now", lambda: real_now() + moved.offset):
        yield moved
