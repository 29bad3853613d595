from wards.access import Role, access_for


def _roles(user):
    return {g.role for g in access_for(user).grants}


def test_volunteer_holds_a_volunteer_grant_at_their_ward(world):
    access = access_for(world.volunteer)
    assert _roles(world.volunteer) == {Role.VOLUNTEER}
    assert access.primary.unit == world.ward_a
    assert access.can("team_view", world.ward_a.pk)
    assert not access.can("team_edit", world.ward_a.pk)
    assert not access.can("person_view")


def test_leader_edits_their_ward_and_its_predecessor_but_not_another_ward(world):
    access = access_for(world.leader)
    assert _roles(world.leader) == {Role.LEADER}
    assert access.can("team_edit", world.ward_a.pk)
    assert access.can("team_view", world.ward_a_old.pk)
    assert not access.can("team_view", world.ward_b.pk)


def test_officer_has_the_leaders_rights_over_the_ward(world):
    access = access_for(world.officer)
    assert _roles(world.officer) == {Role.OFFICER}
    assert access.can("team_edit", world.ward_a.pk)
    assert access.can("person_view", world.ward_a.pk)
    assert not access.can("team_edit", world.ward_b.pk)


def test_supervisor_sees_aggregates_under_their_district_and_never_persons(world):
    access = access_for(world.supervisor)
    assert _roles(world.supervisor) == {Role.SUPERVISOR}
    assert access.unit_ids("aggregate") >= {world.district_a.pk, world.ward_a.pk}
    assert world.ward_b.pk not in access.unit_ids("aggregate")
    assert not access.can("person_view")
    assert not access.can("team_edit")


def test_administrator_sees_every_unit_in_aggregate_only(world):
    access = access_for(world.admin)
    assert access.can("team_overview", world.ward_b.pk)
    assert not access.can("person_view")


def test_a_member_who_left_loses_access(world):
    import datetime

    from wards import services

    services.member_leave(
        actor=world.leader, member=world.volunteer_member, left_on=datetime.date(2025, 1, 1)
    )
    assert access_for(world.volunteer, refresh=True).grants == ()


def test_an_ended_post_gives_no_access(world):
    import datetime

    world.officer.posts.update(ended_on=datetime.date(2020, 1, 1), started_on=None)
    assert access_for(world.officer, refresh=True).grants == ()


def test_anonymous_users_have_no_access():
    from django.contrib.auth.models import AnonymousUser

    assert access_for(AnonymousUser()).grants == ()
