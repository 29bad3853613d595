import datetime
import os
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.http import HttpRequest
from django.test import override_settings

from wards import demo
from wards.access import Role, access_for
from wards.models import AdminUnit, Area, Member, Post, Team

DISSOLVED = datetime.date(2025, 6, 30)
SNAPSHOT = datetime.date(2024, 12, 31)
OLD_WARD_NAMES = {
    f"Phường {name}"
    for name in (
        "Cát Linh", "Văn Miếu", "Quốc Tử Giám", "Láng Thượng", "Ô Chợ Dừa", "Văn Chương",
        "Hàng Bột", "Láng Hạ", "Khâm Thiên", "Thổ Quan", "Nam Đồng", "Trung Phụng",
        "Quang Trung", "Trung Liệt", "Phương Liên", "Thịnh Quang", "Trung Tự", "Kim Liên",
        "Phương Mai", "Ngã Tư Sở", "Khương Thượng",
    )
}  # fmt: skip


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module inside a transaction rolled back at the end: the tests only
    read, and seeding with the casework history takes several seconds."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def row_counts() -> dict[str, int]:
    """Rows of every model the demo writes, and of the users (it creates a superuser)."""
    models = [
        model
        for label in ("wards", "cases", "outreach", "reports")
        for model in apps.get_app_config(label).get_models()
    ]
    return {m._meta.label: m.objects.count() for m in [*models, get_user_model()]}


@pytest.mark.parametrize("args", [(), ("--once",), ("--scale", "district", "--size", "0.01")])
def test_without_debug_the_demo_is_refused_and_nothing_is_written(args):
    """The demo's superuser and supervisors have a published password and TOTP key."""
    before = row_counts()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_demo", *args, stdout=out, stderr=err)
    assert row_counts() == before
    assert out.getvalue() == ""  # not even the logins of --once
    demo_logins = get_user_model().objects.filter(username__in=[x.username for x in demo.LOGINS])
    assert not demo_logins.exists()


def test_manage_py_seed_demo_without_debug_exits_non_zero_with_a_message():
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    env.update(SECRET_KEY="x" * 50, DATABASE_URL="sqlite:////nonexistent-dir/never.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DEBUG=1" in result.stderr
    assert result.stdout == ""


def old_teams():
    return Team.objects.filter(ward__parent__code="006")


def new_teams():
    return Team.objects.filter(ward__parent__code="01", ward__level=AdminUnit.Level.COMMUNE)


def test_the_demo_loads_hanoi_first_when_its_communes_are_missing(seeded):
    assert "1 provinces and 126 communes: 127 created" in seeded
    assert AdminUnit.objects.filter(level="province").count() == 1
    assert AdminUnit.objects.filter(parent__code="01", valid_from="2025-07-01").count() == 126


def test_the_old_district_and_its_21_wards_exist_merged_into_todays_wards(seeded):
    district = AdminUnit.objects.get(code="006")
    assert district.name == "Quận Đống Đa"
    assert district.level == AdminUnit.Level.DISTRICT
    assert district.division_type == AdminUnit.DivisionType.QUAN
    assert district.parent.code == "01"
    assert district.valid_until == DISSOLVED

    wards = list(district.children.select_related("successor__parent"))
    assert {w.name for w in wards} == OLD_WARD_NAMES
    for ward in wards:
        assert ward.code.endswith("-2025")
        assert ward.level == AdminUnit.Level.COMMUNE
        assert ward.division_type == AdminUnit.DivisionType.PHUONG
        assert ward.valid_until == DISSOLVED
        assert ward.successor.parent.code == "01"
        assert ward.successor.valid_from == datetime.date(2025, 7, 1)
    successors = {w.name: w.successor.name for w in wards}
    assert set(successors.values()) == set(demo.SUCCESSORS)
    assert successors["Phường Láng Thượng"] == "Phường Láng"
    assert successors["Phường Khâm Thiên"] == "Phường Văn Miếu - Quốc Tử Giám"
    assert successors["Phường Kim Liên"] == "Phường Kim Liên"


def test_old_wards_are_in_the_scope_of_the_ward_they_were_merged_into(seeded):
    lang = AdminUnit.objects.get(parent__code="01", name="Phường Láng")
    assert set(AdminUnit.objects.scope(lang).values_list("code", flat=True)) == {
        "00187",
        "00187-2025",
        "00199-2025",
    }
    for ward in AdminUnit.objects.filter(name__in=demo.SUCCESSORS, parent__code="01"):
        merged = set(ward.predecessors.values_list("pk", flat=True))
        assert merged
        assert set(AdminUnit.objects.scope(ward).values_list("pk", flat=True)) == {
            ward.pk,
            *merged,
        }


def test_every_ward_has_between_8_and_15_residential_groups(seeded):
    wards = AdminUnit.objects.filter(name__in=[*OLD_WARD_NAMES, *demo.SUCCESSORS])
    counts = Counter(Area.objects.filter(ward__in=wards).values_list("ward_id", flat=True))
    assert len(counts) == 26
    assert all(8 <= n <= 15 for n in counts.values())
    assert Area.objects.filter(name="Tổ dân phố 1").count() == 26


def test_189_members_were_active_in_the_21_old_teams_on_31_december_2024(seeded):
    teams = old_teams()
    assert teams.count() == 21
    assert Member.objects.filter(team__in=teams).active(SNAPSHOT).count() == 189
    sizes = Counter(
        Member.objects.filter(team__in=teams).active(SNAPSHOT).values_list("team_id", flat=True)
    )
    assert all(5 <= n <= 10 for n in sizes.values())
    for team in teams:
        assert datetime.date(2012, 9, 1) <= team.established_on <= datetime.date(2013, 6, 30)
        assert team.dissolved_on == DISSOLVED
        assert team.decision_no.endswith("/QĐ-UBND")


def test_former_members_left_between_2014_and_2024_and_nobody_outlives_their_team(seeded):
    rows = Member.objects.filter(team__in=old_teams())
    former = rows.filter(left_on__lt=DISSOLVED)
    assert former.count() == 30
    assert all(datetime.date(2014, 1, 1) <= m.left_on <= SNAPSHOT and m.left_reason for m in former)
    assert not rows.filter(left_on__isnull=True).exists()
    assert not rows.filter(left_on__gt=DISSOLVED).exists()
    for member in rows.select_related("team"):
        assert member.team.established_on <= member.joined_on <= member.left_on
        assert member.joined_on.year - member.birth_year >= 18
        assert 1950 <= member.birth_year <= 1995
        assert member.phone.startswith("09") and len(member.phone) == 10


def test_every_team_has_exactly_one_active_leader_one_or_two_deputies(seeded):
    for teams, on in ((old_teams(), SNAPSHOT), (new_teams(), None)):
        for team in teams:
            roles = Counter(team.members.active(on).values_list("role", flat=True))
            assert roles[Member.Role.LEADER] == 1, team
            assert 1 <= roles[Member.Role.DEPUTY] <= 2, team


def test_todays_teams_are_founded_after_the_merger_mostly_from_the_old_members(seeded):
    teams = new_teams()
    assert sorted(t.ward.name for t in teams) == sorted(demo.SUCCESSORS)
    old_names = set(Member.objects.filter(team__in=old_teams()).values_list("full_name", flat=True))
    sizes = []
    for team in teams:
        assert datetime.date(2025, 7, 15) <= team.established_on <= datetime.date(2025, 8, 15)
        assert team.dissolved_on is None
        members = list(team.members.active())
        sizes.append(len(members))
        assert all(m.joined_on == team.established_on for m in members)
        carried = [m for m in members if m.full_name in old_names]
        assert len(carried) > len(members) / 2
    assert all(8 <= n <= 12 for n in sizes)
    assert any(n > 10 for n in sizes)


def test_each_demo_login_exists_and_authenticates(seeded):
    for username in demo.USERNAMES:
        request = HttpRequest()  # django-axes counts login failures per request
        assert authenticate(request, username=username, password="DongHanh@2026"), username
    assert get_user_model().objects.get(username="admin").is_superuser


def test_each_demo_login_holds_its_role_at_its_unit(seeded):
    expected = {
        "tnv.lang": (Role.VOLUNTEER, "Phường Láng"),
        "doitruong.lang": (Role.LEADER, "Phường Láng"),
        "canbo.lang": (Role.OFFICER, "Phường Láng"),
        "giamsat.dongda": (Role.SUPERVISOR, "Quận Đống Đa"),
        "giamsat.hanoi": (Role.SUPERVISOR, "Thành phố Hà Nội"),
        "doitruong.kimlien": (Role.LEADER, "Phường Kim Liên"),
        "admin": (Role.ADMIN, None),
    }
    users = get_user_model().objects.in_bulk(expected, field_name="username")
    for username, (role, unit) in expected.items():
        grants = access_for(users[username]).grants
        assert [(g.role, g.unit.name if g.unit else None) for g in grants] == [(role, unit)]
    leader = Member.objects.get(user=users["doitruong.lang"], left_on__isnull=True)
    assert leader.role == Member.Role.LEADER
    assert users["doitruong.lang"].get_full_name() == leader.full_name
    volunteer = Member.objects.get(user=users["tnv.lang"], left_on__isnull=True)
    assert volunteer.role == Member.Role.MEMBER
    # The volunteer's years in the old Láng Thượng or Láng Hạ team are linked to them too.
    assert Member.objects.filter(user=users["tnv.lang"], team__in=old_teams()).exists()
    district_post = Post.objects.get(user=users["giamsat.dongda"])
    assert (district_post.started_on, district_post.ended_on) == (datetime.date(2015, 1, 1), None)


def test_the_demo_is_the_same_on_every_run(seeded):
    plan = demo.plan()
    assert plan == demo.plan()
    planned = sorted(
        (t.name, m.full_name, m.role, m.joined_on, m.left_on)
        for t in plan.old_teams + plan.new_teams
        for m in t.members
    )
    written = sorted(
        Member.objects.values_list("team__name", "full_name", "role", "joined_on", "left_on")
    )
    assert written == planned


def test_once_on_a_seeded_database_creates_nothing_and_prints_the_logins(seeded):
    models = (AdminUnit, Area, Team, Member, Post, get_user_model())
    before = [m.objects.count() for m in models]
    out = StringIO()

    call_command("seed_demo", "--once", stdout=out)

    assert [m.objects.count() for m in models] == before
    for login in demo.LOGINS:
        line = next(line for line in out.getvalue().splitlines() if f" {login.username} " in line)
        assert login.role_vi in line and login.role_en in line
        assert "DongHanh@2026" in line and login.unit in line


def test_seeding_a_seeded_database_without_once_is_refused(seeded):
    with pytest.raises(CommandError, match="already"):
        call_command("seed_demo", stdout=StringIO())
