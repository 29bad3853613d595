import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.models import Assessment, Contact, Milestone, Person
from tests import factories as f
from wards.models import AuditEvent

DAY = datetime.date(2025, 9, 1)


@pytest.fixture
def person(world):
    return f.person(
        ward=world.ward_a, group=Person.Group.POST_REHAB, registered_on=datetime.date(2025, 8, 1)
    )


def record(world, person, **fields):
    fields.setdefault("member", world.volunteer_member)
    fields.setdefault("occurred_on", DAY)
    fields.setdefault("kind", Contact.Kind.HOME_VISIT)
    return services.contact_record(actor=world.volunteer, person=person, **fields)


def test_a_contact_keeps_the_ward_and_group_of_the_day_it_happened(world, person):
    contact = record(world, person, summary="Đã thăm, gia đình hợp tác")
    Person.objects.filter(pk=person.pk).update(group=Person.Group.ADDICTED)
    contact.refresh_from_db()
    assert (contact.ward, contact.person_group) == (world.ward_a, "post_rehab")
    assert contact.created_by == world.volunteer
    event = AuditEvent.objects.get(action="create", object_type="cases.contact")
    assert event.changes == {"person": person.pk, "kind": "home_visit", "occurred_on": "2025-09-01"}
    assert event.unit == world.ward_a


def test_the_next_contact_is_due_after_the_configured_number_of_days(world, person, settings):
    settings.CONTACT_DUE_DAYS = 14
    assert record(world, person).next_due_on == datetime.date(2025, 9, 15)
    chosen = record(world, person, next_due_on=datetime.date(2025, 9, 3))
    assert chosen.next_due_on == datetime.date(2025, 9, 3)


def test_the_teams_own_contact_rhythm_overrides_the_default(world, person, settings):
    settings.CONTACT_DUE_DAYS = 14
    world.team_a.contact_due_days = 7
    world.team_a.save(update_fields=["contact_due_days"])
    assert record(world, person).next_due_on == datetime.date(2025, 9, 8)


def test_a_contact_in_the_future_or_before_registration_is_refused(world, person):
    with pytest.raises(ValidationError) as error:
        record(world, person, occurred_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "occurred_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(world, person, occurred_on=datetime.date(2025, 7, 31))
    assert "01/08/2025" in error.value.message_dict["occurred_on"][0]
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_contact_after_the_file_was_closed_is_refused(world, person):
    services.person_close(actor=world.leader, person=person, closed_on=DAY, reason="moved_away")
    assert record(world, person, occurred_on=DAY).occurred_on == DAY
    with pytest.raises(ValidationError):
        record(world, person, occurred_on=DAY + datetime.timedelta(days=1))


def test_a_test_result_is_kept_only_for_a_drug_test(world, person):
    test = record(
        world, person, kind=Contact.Kind.DRUG_TEST, drug_test_result=Contact.DrugTestResult.NEGATIVE
    )
    assert test.drug_test_result == "negative"
    assert "negative" not in str(AuditEvent.objects.get(object_id=str(test.pk)).changes)
    with pytest.raises(ValidationError):
        record(world, person, kind=Contact.Kind.PHONE, drug_test_result="positive")
    assert Contact.objects.count() == 1


def test_the_database_refuses_a_test_result_on_another_kind_of_contact(world, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.contact(person=person, kind=Contact.Kind.MEETING, drug_test_result="positive")


def test_an_officer_without_a_membership_can_record_a_contact(world, person):
    contact = services.contact_record(
        actor=world.officer,
        person=person,
        member=None,
        occurred_on=DAY,
        kind=Contact.Kind.VIA_FAMILY,
    )
    assert contact.member is None


def test_a_member_of_another_team_cannot_be_named_on_a_contact(world, person):
    with pytest.raises(ValidationError) as error:
        record(world, person, member=world.outsider_member)
    assert "member" in error.value.message_dict
    assert not Contact.objects.exists()


def test_a_contact_before_the_member_joined_is_refused(world):
    early = f.person(ward=world.ward_a, registered_on=datetime.date(2010, 1, 1))
    with pytest.raises(ValidationError):
        record(world, early, occurred_on=datetime.date(2013, 1, 1))


def test_a_contact_after_a_merger_counts_in_the_new_ward(world):
    before = f.person(ward=world.ward_a_old, registered_on=datetime.date(2024, 1, 1))
    old = record(world, before, member=None, occurred_on=datetime.date(2025, 6, 30))
    new = record(world, before, occurred_on=datetime.date(2025, 7, 1))
    assert (old.ward, new.ward) == (world.ward_a_old, world.ward_a)


def test_a_contact_can_record_a_milestone_in_the_same_transaction(world, person):
    contact = record(world, person, kind=Contact.Kind.MEETING, milestone_kind=Milestone.Kind.JOB)
    milestone = Milestone.objects.get()
    assert (milestone.person, milestone.occurred_on, milestone.ward) == (person, DAY, world.ward_a)
    assert contact.pk
    assert AuditEvent.objects.filter(object_type="cases.milestone").count() == 1


def test_an_invalid_milestone_undoes_the_contact(world, person):
    with pytest.raises(ValidationError):
        record(world, person, milestone_kind="won_the_lottery")
    assert not Contact.objects.exists()
    assert not Milestone.objects.exists()
    assert not AuditEvent.objects.exists()


def test_recording_a_milestone_audits_it(world, person):
    milestone = services.milestone_record(
        actor=world.leader,
        person=person,
        occurred_on=DAY,
        kind=Milestone.Kind.RELAPSED,
        note="Tái sử dụng",
    )
    assert milestone.created_by == world.leader
    event = AuditEvent.objects.get(object_id=str(milestone.pk), object_type="cases.milestone")
    assert "Tái sử dụng" not in str(event.changes)


def test_a_milestone_in_the_future_is_refused(world, person):
    with pytest.raises(ValidationError):
        services.milestone_record(
            actor=world.leader,
            person=person,
            occurred_on=timezone.localdate() + datetime.timedelta(days=1),
            kind=Milestone.Kind.JOB,
        )
    assert not Milestone.objects.exists()


def test_positive_change_is_the_five_kinds_of_the_indicator(world, person):
    positive = Milestone.POSITIVE
    assert positive == {"voluntary_rehab", "methadone", "job", "training_done", "no_relapse_1y"}
    for kind in Milestone.Kind:
        f.milestone(person=person, kind=kind)
    assert {m.kind for m in Milestone.objects.positive()} == positive
    assert not Milestone(kind=Milestone.Kind.RELAPSED).is_positive


def test_recording_an_assessment_audits_it_without_the_result(world, person):
    assessment = services.assessment_record(
        actor=world.volunteer,
        person=person,
        member=world.volunteer_member,
        assessed_on=DAY,
        result=Assessment.Result.NOT_PROGRESSING,
        note="Còn tụ tập",
    )
    assert (assessment.ward, assessment.member) == (world.ward_a, world.volunteer_member)
    event = AuditEvent.objects.get(object_id=str(assessment.pk), object_type="cases.assessment")
    assert event.changes == {"person": person.pk, "assessed_on": "2025-09-01"}


def test_an_invalid_assessment_writes_nothing(world, person):
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=world.volunteer, person=person, assessed_on=DAY, result="excellent"
        )
    with pytest.raises(ValidationError):
        services.assessment_record(
            actor=world.volunteer,
            person=person,
            assessed_on=DAY,
            result="progressing",
            member=world.outsider_member,
        )
    assert not Assessment.objects.exists()
    assert not AuditEvent.objects.exists()
