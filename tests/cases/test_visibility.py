"""Who sees which persons and which casework: one condition, one query, for every persona."""

import datetime
from dataclasses import dataclass

import pytest

from cases import services
from cases.models import Assessment, Assignment, Contact, Enrollment, Milestone, Person
from tests import factories as f
from wards.access import access_for
from wards.models import Member

DAY = datetime.date(2025, 9, 1)


@dataclass
class Caseload:
    assigned: Person  # ward A, followed by the volunteer
    unassigned: Person  # ward A, followed by another member
    before_merger: Person  # ward A-old, merged into ward A
    elsewhere: Person  # ward B


@pytest.fixture
def caseload(world) -> Caseload:
    other = Member.objects.filter(team=world.team_a, user__isnull=True).first()
    persons = Caseload(
        assigned=f.person(ward=world.ward_a),
        unassigned=f.person(ward=world.ward_a),
        before_merger=f.person(ward=world.ward_a_old),
        elsewhere=f.person(ward=world.ward_b),
    )
    f.assignment(person=persons.assigned, member=world.volunteer_member)
    f.assignment(person=persons.unassigned, member=other)
    f.assignment(person=persons.elsewhere, member=world.outsider_member)
    # followed by the dissolved old team until the merger
    f.assignment(
        person=persons.before_merger,
        member=world.team_a_old.members.get(),
        ended_on=datetime.date(2025, 6, 30),
    )
    for person in vars(persons).values():
        f.contact(person=person)
        f.milestone(person=person)
        f.enrollment(person=person)
        Assessment.objects.create(
            person=person, ward=person.ward, assessed_on=DAY, result="progressing"
        )
    return persons


def test_a_volunteer_sees_only_the_persons_assigned_to_them(world, caseload):
    assert list(Person.objects.visible_to(world.volunteer)) == [caseload.assigned]
    assert not Person.objects.editable_by(world.volunteer).exists()


@pytest.mark.parametrize("persona", ["leader", "officer"])
def test_leaders_and_officers_see_their_ward_and_the_wards_merged_into_it(world, caseload, persona):
    user = getattr(world, persona)
    expected = {caseload.assigned, caseload.unassigned, caseload.before_merger}
    assert set(Person.objects.visible_to(user)) == expected
    assert set(Person.objects.editable_by(user)) == expected


@pytest.mark.parametrize("persona", ["supervisor", "admin"])
def test_supervisors_and_administrators_see_no_person(world, caseload, persona):
    user = getattr(world, persona)
    assert not Person.objects.visible_to(user).exists()
    assert not Person.objects.editable_by(user).exists()
    for model in (Contact, Enrollment, Milestone, Assessment, Assignment):
        assert not model.objects.visible_to(user).exists()


def test_the_leader_of_another_ward_sees_none_of_ward_a(world, caseload):
    assert list(Person.objects.visible_to(world.outsider)) == [caseload.elsewhere]
    assert (
        not Contact.objects.visible_to(world.outsider).exclude(person=caseload.elsewhere).exists()
    )


def test_anonymous_users_see_nothing(world, caseload):
    from django.contrib.auth.models import AnonymousUser

    assert not Person.objects.visible_to(AnonymousUser()).exists()
    assert not Contact.objects.visible_to(AnonymousUser()).exists()


def test_a_volunteer_sees_the_casework_of_their_persons_only(world, caseload):
    for model in (Contact, Enrollment, Milestone, Assessment):
        assert {r.person for r in model.objects.visible_to(world.volunteer)} == {
            caseload.assigned
        }, model


def test_a_volunteer_keeps_their_own_past_contacts_after_a_reassignment(world, caseload):
    own = f.contact(person=caseload.assigned, member=world.volunteer_member)
    other = Member.objects.filter(team=world.team_a, user__isnull=True).first()
    services.assignment_assign(
        actor=world.leader, person=caseload.assigned, member=other, started_on=DAY
    )
    assert not Person.objects.visible_to(world.volunteer).exists()
    assert list(Contact.objects.visible_to(world.volunteer)) == [own]
    assert not Milestone.objects.visible_to(world.volunteer).exists()
    assert [a.member for a in Assignment.objects.visible_to(world.volunteer)] == [
        world.volunteer_member
    ]


def test_a_leader_sees_the_casework_of_the_whole_ward(world, caseload):
    expected = {caseload.assigned, caseload.unassigned, caseload.before_merger}
    for model in (Contact, Enrollment, Milestone, Assessment, Assignment):
        assert {r.person for r in model.objects.visible_to(world.leader)} == expected, model


@pytest.mark.parametrize("model", [Person, Contact, Enrollment, Milestone, Assessment, Assignment])
def test_visible_to_is_one_query(world, caseload, model, django_assert_num_queries):
    access_for(world.volunteer)  # computed once per request, cached on the user
    with django_assert_num_queries(1):
        assert len(list(model.objects.visible_to(world.volunteer))) >= 1
