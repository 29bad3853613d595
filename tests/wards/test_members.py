import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests import factories as f
from wards import services
from wards.models import AuditEvent, Member


def test_the_database_refuses_a_second_active_leader(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(
            team=world.team_a,
            full_name="Ngô Văn Hai",
            sex="male",
            role="leader",
            joined_on=datetime.date(2020, 1, 1),
        )


def test_a_leader_who_left_does_not_block_a_new_leader(world):
    services.member_leave(
        actor=world.leader, member=world.leader_member, left_on=datetime.date(2025, 1, 1)
    )
    f.member(team=world.team_a, role="leader")
    assert Member.objects.filter(team=world.team_a, role="leader").count() == 2
    assert Member.objects.active().filter(team=world.team_a, role="leader").count() == 1


def test_adding_a_leader_makes_the_previous_leader_a_deputy(world):
    new = services.member_add(
        actor=world.leader,
        team=world.team_a,
        full_name="Bùi Thị Mới",
        sex="female",
        birth_year=1980,
        phone="",
        role="leader",
        organisation="women",
        joined_on=datetime.date(2024, 5, 1),
    )
    world.leader_member.refresh_from_db()
    assert new.role == "leader"
    assert world.leader_member.role == "deputy"
    assert AuditEvent.objects.filter(action="create", object_id=str(new.pk)).exists()
    assert AuditEvent.objects.filter(
        action="update", object_id=str(world.leader_member.pk)
    ).exists()


def test_promoting_a_member_to_leader_keeps_exactly_one_leader(world):
    services.member_update(actor=world.leader, member=world.volunteer_member, role="leader")
    leaders = Member.objects.active().filter(team=world.team_a, role="leader")
    assert list(leaders) == [world.volunteer_member]


def test_leaving_keeps_the_member_in_the_history(world):
    services.member_leave(
        actor=world.leader,
        member=world.volunteer_member,
        left_on=datetime.date(2025, 3, 1),
        reason="Chuyển nơi ở",
    )
    member = Member.objects.get(pk=world.volunteer_member.pk)
    assert member.left_on == datetime.date(2025, 3, 1)
    assert member.left_reason == "Chuyển nơi ở"


def test_leaving_before_joining_is_refused_and_changes_nothing(world):
    with pytest.raises(ValidationError):
        services.member_leave(
            actor=world.leader, member=world.volunteer_member, left_on=datetime.date(2000, 1, 1)
        )
    world.volunteer_member.refresh_from_db()
    assert world.volunteer_member.left_on is None
    assert not AuditEvent.objects.filter(object_id=str(world.volunteer_member.pk)).exists()


def test_a_login_can_be_an_active_member_of_only_one_team(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.member(team=world.team_b, user=world.volunteer)


def test_audit_events_cannot_be_changed_or_deleted(world):
    event = AuditEvent.objects.create(action="view", object_type="x")
    event.action = "delete"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(action="login")
    # a new object carrying the id of an existing one does not overwrite it
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent(pk=event.pk, action="login", object_type="x").save()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


# team_dissolve: the team's last day ends every open membership -------------------------------


def test_dissolving_a_team_ends_its_open_memberships_on_the_same_day(world):
    day = datetime.date(2025, 9, 30)
    left_before = f.member(team=world.team_a, left_on=datetime.date(2024, 5, 1))
    team = services.team_dissolve(actor=world.officer, team=world.team_a, dissolved_on=day)
    assert team.dissolved_on == day and team.version == 2
    rows = Member.objects.filter(team=world.team_a).exclude(pk=left_before.pk)
    assert [(m.left_on, m.left_reason) for m in rows] == [(day, "Đội giải thể")] * 5
    left_before.refresh_from_db()
    assert left_before.left_on == datetime.date(2024, 5, 1)  # an earlier leaving is kept
    assert not Member.objects.active().filter(team=world.team_a).exists()
    assert Member.objects.holding_on(day).filter(team=world.team_a).count() == 5
    after = Member.objects.holding_on(day + datetime.timedelta(days=1))
    assert not after.filter(team=world.team_a).exists()
    events = AuditEvent.objects.filter(action="update", object_type="wards.member")
    assert events.count() == 5
    assert all(e.changes == {"left_on": "2025-09-30", "reason": "team_dissolved"} for e in events)
    # the ward may have a new team
    f.team(ward=world.ward_a, name="Đội mới")


@pytest.mark.parametrize(
    "day, message",
    [
        (datetime.date(2012, 12, 31), "trước ngày thành lập"),
        ("future", "tương lai"),
        (datetime.date(2014, 2, 28), "tham gia Đội sau ngày này (01/03/2014)"),
    ],
)
def test_a_dissolution_before_the_team_or_its_members_or_in_the_future_is_refused(
    world, day, message
):
    if day == "future":
        day = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.team_dissolve(actor=world.officer, team=world.team_a, dissolved_on=day)
    assert message in " ".join(error.value.messages)
    world.team_a.refresh_from_db()
    assert world.team_a.dissolved_on is None
    assert Member.objects.active().filter(team=world.team_a).count() == 5
    assert not AuditEvent.objects.filter(action="update").exists()


def test_a_dissolved_team_cannot_be_dissolved_again(world):
    with pytest.raises(ValidationError, match="đã giải thể từ ngày 30/06/2025"):
        services.team_dissolve(
            actor=world.officer, team=world.team_a_old, dissolved_on=datetime.date(2025, 7, 1)
        )
    world.team_a_old.refresh_from_db()
    assert world.team_a_old.dissolved_on == datetime.date(2025, 6, 30)


def test_a_stale_dissolution_form_is_refused(world):
    services.team_update(actor=world.officer, team=world.team_a, name="Đội tên mới")
    with pytest.raises(ValidationError):
        services.team_dissolve(
            actor=world.officer,
            team=world.team_a,
            dissolved_on=datetime.date(2025, 9, 30),
            expected_version=1,
        )
    world.team_a.refresh_from_db()
    assert world.team_a.dissolved_on is None


def test_the_admin_cannot_edit_a_teams_dissolution():
    from wards.admin import TeamAdmin

    assert "dissolved_on" in TeamAdmin.readonly_fields


def test_a_member_cannot_join_a_dissolved_team(world):
    # A member left open in a dissolved team is what team_dissolve and wards/0007 end.
    with pytest.raises(ValidationError, match="đã giải thể"):
        services.member_add(
            actor=world.officer,
            team=world.team_a_old,
            full_name="Bùi Thị Mới",
            sex="female",
            birth_year=1980,
            phone="",
            role="member",
            organisation="women",
            joined_on=datetime.date(2025, 5, 1),
        )
    assert not Member.objects.filter(team=world.team_a_old, left_on__isnull=True).exists()


def test_a_member_added_from_a_page_read_before_the_dissolution_is_refused(world):
    # The add-member page read the team before another user dissolved it: the service reads
    # the team again under its lock, so the new membership never lands in a dissolved team.
    shown = type(world.team_a).objects.get(pk=world.team_a.pk)
    services.team_dissolve(
        actor=world.officer, team=world.team_a, dissolved_on=datetime.date(2025, 9, 30)
    )
    with pytest.raises(ValidationError, match="đã giải thể"):
        services.member_add(
            actor=world.leader,
            team=shown,
            full_name="Bùi Thị Mới",
            sex="female",
            birth_year=1980,
            phone="",
            role="leader",
            organisation="women",
            joined_on=datetime.date(2025, 9, 1),
        )
    assert not Member.objects.filter(team=world.team_a, left_on__isnull=True).exists()
