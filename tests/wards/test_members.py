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
