import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.duplicates import CHECK
from cases.models import Assignment, Enrollment, Person
from tests import factories as f
from wards.models import AuditEvent

DAY = datetime.date(2025, 9, 1)


def register(world, **fields):
    fields.setdefault("full_name", "Nguyễn Văn Đức")
    fields.setdefault("sex", Person.Sex.MALE)
    fields.setdefault("birth_year", 1990)
    fields.setdefault("group", Person.Group.POST_REHAB)
    fields.setdefault("registered_on", DAY)
    fields.setdefault("consent_on", DAY)
    return services.person_register(
        actor=world.leader, ward=fields.pop("ward", world.ward_a), **fields
    )


def test_registering_a_person_records_consent_search_key_and_an_audit_event(world):
    person = register(
        world,
        full_name="Nguyễn  Văn Đức",
        alias="Đức Béo",
        birth_date=datetime.date(1988, 5, 2),
        birth_year=None,
        history_notes="Đã cai nghiện bắt buộc 2023",
    )
    assert person.search_key == "nguyen van duc duc beo"
    assert person.birth_year == 1988
    assert person.consent_on == DAY
    assert person.consent_by == world.leader
    assert person.created_by == world.leader
    assert person.status == Person.Status.ACTIVE
    assert person.version == 1
    event = AuditEvent.objects.get(action="create", object_id=str(person.pk))
    assert event.object_type == "cases.person"
    assert event.unit == world.ward_a
    assert event.changes["registered_on"] == "2025-09-01"


def test_the_audit_trail_of_a_registration_holds_no_name_note_or_group(world):
    person = register(
        world,
        full_name="Hoàng Văn Bí Mật",
        alias="Mật",
        history_notes="ghi chú riêng",
        phone="0912345678",
    )
    text = json.dumps(AuditEvent.objects.get(object_id=str(person.pk)).changes, ensure_ascii=False)
    for secret in ("Bí Mật", "bi mat", "ghi chú", "0912345678", "post_rehab"):
        assert secret not in text


def test_registration_without_consent_is_refused_and_writes_nothing(world):
    with pytest.raises(ValidationError) as error:
        register(world, consent_on=None)
    assert "consent_on" in error.value.message_dict
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_registration_defaults_to_today(world):
    person = register(world, registered_on=timezone.localdate(), consent_on=timezone.localdate())
    assert person.registered_on == timezone.localdate()


def test_a_registration_in_the_future_is_refused(world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError):
        register(world, registered_on=tomorrow)
    assert not Person.objects.exists()


def test_a_person_needs_a_birth_date_or_a_birth_year(world):
    with pytest.raises(ValidationError):
        register(world, birth_year=None)
    assert not Person.objects.exists()


def test_the_database_refuses_a_person_without_birth_date_or_year(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.person(ward=world.ward_a, birth_year=None)


def test_the_database_refuses_a_closed_person_without_a_closing_date(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.person(ward=world.ward_a, status=Person.Status.CLOSED, closed_reason="died")


def test_the_database_refuses_a_closing_date_on_an_open_file(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.person(ward=world.ward_a, closed_on=datetime.date(2025, 1, 1))


def test_registering_in_a_ward_that_no_longer_existed_that_day_is_refused(world):
    with pytest.raises(ValidationError) as error:
        register(world, ward=world.ward_a_old)
    assert "ward" in error.value.message_dict


def test_an_area_of_another_ward_is_refused(world):
    with pytest.raises(ValidationError) as error:
        register(world, area=f.area(ward=world.ward_b))
    assert "area" in error.value.message_dict


# duplicates


def test_a_duplicate_in_the_same_ward_is_refused_until_confirmed(world):
    existing = f.person(ward=world.ward_a, full_name="Nguyễn Văn Đức", birth_year=1990)
    with pytest.raises(ValidationError) as error:
        register(world, full_name="nguyen van duc")
    assert error.value.code == "duplicate"
    assert list(Person.objects.all()) == [existing]
    assert not AuditEvent.objects.exists()
    person = register(world, full_name="nguyen van duc", confirm_duplicate=True)
    event = AuditEvent.objects.get(object_id=str(person.pk))
    assert event.changes["duplicate_confirmed"] is True


def check(world, actor=None, **fields):
    """services.person_check with the fields `register` uses."""
    fields.setdefault("full_name", "Nguyễn Văn Đức")
    fields.setdefault("sex", Person.Sex.MALE)
    fields.setdefault("birth_year", 1990)
    fields.setdefault("group", Person.Group.POST_REHAB)
    fields.setdefault("registered_on", DAY)
    fields.setdefault("consent_on", DAY)
    return services.person_check(
        actor=actor or world.leader, ward=fields.pop("ward", world.ward_a), **fields
    )


def checks():
    return AuditEvent.objects.filter(object_type=CHECK)


def test_find_duplicates_returns_the_matches_of_the_ward_and_its_predecessors(world):
    here = f.person(ward=world.ward_a, full_name="Trần Văn Hai", birth_year=1980)
    before_merger = f.person(ward=world.ward_a_old, full_name="Trần  Văn Hai", birth_year=1980)
    f.person(ward=world.ward_a, full_name="Trần Văn Hai", birth_year=1981)
    found = services.find_duplicates(
        actor=world.leader, ward=world.ward_a, full_name="tran van hai", birth_year=1980
    )
    assert set(found.matches) == {here, before_merger}
    assert found.elsewhere is False
    assert set(
        services.local_duplicates(ward=world.ward_a, full_name="tran van hai", birth_year=1980)
    ) == {here, before_merger}


def test_a_person_with_an_alias_is_still_found_as_a_duplicate(world):
    ty = f.person(ward=world.ward_a, full_name="Phạm Văn Tý", alias="Tý Còi", birth_year=1979)
    found = services.find_duplicates(
        actor=world.leader, ward=world.ward_a, full_name="Phạm Văn Tý", birth_year=1979
    )
    assert found.matches == [ty]


def test_a_longer_name_is_not_a_duplicate(world):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn Minh Tuấn", birth_year=1985)
    f.person(ward=world.ward_b, full_name="Nguyễn Văn Minh Tuấn", birth_year=1985)
    found = services.find_duplicates(
        actor=world.leader, ward=world.ward_a, full_name="Nguyễn Văn Minh", birth_year=1985
    )
    assert (found.matches, found.elsewhere, bool(found)) == ([], False, False)


def test_the_duplicate_check_says_only_that_another_ward_has_a_match(world):
    f.person(
        ward=world.ward_b,
        full_name="Lý Thị Cúc",
        birth_year=1992,
        address="Số 5, ngõ 7, Phường B",
        phone="0987654321",
    )
    found = check(world, full_name="Lý Thị Cúc", birth_year=1992, sex=Person.Sex.FEMALE)
    assert (found.matches, found.elsewhere, found.limited) == ([], True, False)
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    "invalid",
    [
        {"consent_on": timezone.localdate() + datetime.timedelta(days=1)},  # in the future
        {"ward": "ward_a_old"},  # no longer existed on the registration day
        {"area": "area_b"},  # another ward's
        {"consent_on": None},
    ],
    ids=["future consent", "dissolved ward", "other ward's area", "no consent"],
)
def test_no_other_register_is_looked_at_while_another_field_is_invalid(world, invalid):
    """An invalid file reveals nothing and records nothing, not even a look (issue 19)."""
    f.person(ward=world.ward_b, full_name="Lý Thị Cúc", birth_year=1992)
    fields = dict(invalid)
    if fields.get("ward") == "ward_a_old":
        fields["ward"] = world.ward_a_old
    if fields.get("area") == "area_b":
        fields["area"] = f.area(ward=world.ward_b)
    with pytest.raises(ValidationError) as error:
        check(world, full_name="Lý Thị Cúc", birth_year=1992, **fields)
    assert error.value.message_dict  # the field's own error, not a duplicate
    assert not checks().exists()
    assert not AuditEvent.objects.exists()


def test_each_look_beyond_the_ward_is_audited_without_the_name_or_year(world):
    f.person(ward=world.ward_b, full_name="Lý Thị Cúc", birth_year=1992)
    check(world, full_name="Lý Thị Cúc", birth_year=1992)
    check(world, actor=world.officer, full_name="Đào Văn Khác", birth_year=1993)
    found, missed = checks().order_by("pk")
    assert (found.actor, found.action, found.unit) == (world.leader, "view", world.ward_a)
    assert found.changes == {"match_elsewhere": True}
    assert (missed.actor, missed.changes) == (world.officer, {"match_elsewhere": False})
    for event in (found, missed):
        assert event.object_id == ""
        text = json.dumps(event.changes, ensure_ascii=False)
        for secret in ("Cúc", "cuc", "Khác", "khac", "1992", "1993"):
            assert secret not in text


def test_a_name_that_folds_to_nothing_is_not_looked_for(world):
    found = services.find_duplicates(
        actor=world.leader, ward=world.ward_a, full_name="  ", birth_year=1990
    )
    assert not found and not checks().exists()


def test_the_looks_beyond_the_ward_are_limited_per_user_per_day(world, settings):
    settings.DUPLICATE_CHECKS_PER_DAY = 2
    f.person(ward=world.ward_b, full_name="Lý Thị Cúc", birth_year=1992)
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for _ in range(3):  # yesterday's looks do not count today
        AuditEvent.objects.create(
            actor=world.leader, action="view", object_type=CHECK, created_at=yesterday
        )
    assert [check(world, full_name="Lý Thị Cúc", birth_year=1992).elsewhere for _ in "12"] == [
        True,
        True,
    ]

    third = check(world, full_name="Lý Thị Cúc", birth_year=1992)

    assert (third.elsewhere, third.limited, bool(third)) == (False, True, False)
    refusal = checks().get(action="denied")
    assert (refusal.actor, refusal.unit, refusal.changes) == (
        world.leader,
        world.ward_a,
        {"limit": 2},
    )
    assert checks().filter(action="view", actor=world.leader).count() == 3 + 2
    # the ward's own namesakes are still shown, and another user still has her looks
    f.person(ward=world.ward_a, full_name="Lý Thị Cúc", birth_year=1992)
    assert len(check(world, full_name="Lý Thị Cúc", birth_year=1992).matches) == 1
    assert check(world, actor=world.officer, full_name="Lý Thị Cúc", birth_year=1992).elsewhere


def test_registering_looks_at_no_other_register(world):
    """The service checks the ward's own register only: the look elsewhere is person_check's,
    and an import (confirm_duplicate=True) never looks nor records what is elsewhere."""
    f.person(ward=world.ward_b, full_name="Lý Thị Cúc", birth_year=1992)
    first = register(world, full_name="Lý Thị Cúc", birth_year=1992, sex=Person.Sex.FEMALE)
    second = register(
        world,
        full_name="Lý Thị Cúc",
        birth_year=1993,
        sex=Person.Sex.FEMALE,
        confirm_duplicate=True,
    )
    assert not checks().exists()
    for person in (first, second):
        event = AuditEvent.objects.get(action="create", object_id=str(person.pk))
        assert event.changes["duplicate_confirmed"] is False


# update, close, reopen


def test_updating_a_name_refreshes_the_search_key_and_the_version(world):
    person = register(world)
    person = services.person_update(
        actor=world.officer, person=person, full_name="Nguyễn Văn Đạt", phone="0900000000"
    )
    assert person.search_key == "nguyen van dat"
    assert person.version == 2
    assert Person.objects.search("dat").get() == person
    event = AuditEvent.objects.get(action="update", object_id=str(person.pk))
    assert event.actor == world.officer
    assert event.changes["full_name"] == "changed"
    assert event.changes["phone"] == "changed"
    assert "Đạt" not in json.dumps(event.changes, ensure_ascii=False)


def test_a_birth_date_sets_the_birth_year_on_update(world):
    person = register(world, birth_year=1990)
    person = services.person_update(
        actor=world.leader, person=person, birth_date=datetime.date(1991, 12, 31)
    )
    assert person.birth_year == 1991


def test_saving_over_someone_elses_change_is_refused_and_changes_nothing(world):
    person = register(world)
    form_version = person.version
    services.person_update(actor=world.officer, person=person, phone="0911111111")
    with pytest.raises(ValidationError) as error:
        services.person_update(
            actor=world.leader, person=person, expected_version=form_version, phone="0922222222"
        )
    assert error.value.code == "stale"
    person.refresh_from_db()
    assert person.phone == "0911111111"
    assert person.version == 2
    assert AuditEvent.objects.filter(action="update").count() == 1


def test_saving_with_the_current_version_succeeds(world):
    person = register(world)
    person = services.person_update(
        actor=world.leader, person=person, expected_version=person.version, address="Tổ 3"
    )
    assert person.address == "Tổ 3"


def test_an_update_that_changes_nothing_writes_nothing(world):
    person = register(world)
    services.person_update(actor=world.leader, person=person, full_name=person.full_name)
    person.refresh_from_db()
    assert person.version == 1
    assert not AuditEvent.objects.filter(action="update").exists()


def test_an_invalid_update_is_refused_and_changes_nothing(world):
    person = register(world)
    with pytest.raises(ValidationError):
        services.person_update(
            actor=world.leader, person=person, birth_year=None, phone="0933333333"
        )
    person.refresh_from_db()
    assert (person.birth_year, person.phone, person.version) == (1990, "", 1)
    assert not AuditEvent.objects.filter(action="update").exists()


def test_closing_ends_the_open_assignment_on_the_closing_day(world):
    person = register(world)
    assignment = f.assignment(person=person, member=world.volunteer_member, started_on=DAY)
    closed_on = datetime.date(2025, 10, 1)
    person = services.person_close(
        actor=world.leader, person=person, closed_on=closed_on, reason=Person.ClosedReason.COMPLETED
    )
    assignment.refresh_from_db()
    assert (person.status, person.closed_on, person.closed_reason) == (
        "closed",
        closed_on,
        "completed",
    )
    assert person.version == 2
    assert (assignment.ended_on, assignment.ended_by) == (closed_on, world.leader)
    assert AuditEvent.objects.filter(action="update", object_type="cases.person").exists()
    assert AuditEvent.objects.filter(action="update", object_type="cases.assignment").exists()


def test_closing_as_completed_is_refused_while_an_enrolment_is_open(world):
    person = register(world)
    f.assignment(person=person, member=world.volunteer_member, started_on=DAY)
    f.enrollment(person=person, started_on=DAY)
    with pytest.raises(ValidationError) as error:
        services.person_close(
            actor=world.leader,
            person=person,
            closed_on=datetime.date(2025, 10, 1),
            reason=Person.ClosedReason.COMPLETED,
        )
    assert "Quản lý sau cai nghiện 12 tháng" in error.value.messages[0]
    person.refresh_from_db()
    assert person.status == "active"
    assert Assignment.objects.open().filter(person=person).exists()
    assert not AuditEvent.objects.filter(action="update").exists()


def test_closing_after_a_death_ends_open_enrolments_for_the_same_reason(world):
    person = register(world)
    enrollment = f.enrollment(person=person, started_on=DAY)
    services.person_close(
        actor=world.leader,
        person=person,
        closed_on=datetime.date(2025, 10, 1),
        reason=Person.ClosedReason.DIED,
    )
    enrollment.refresh_from_db()
    assert (enrollment.ended_on, enrollment.end_reason) == (datetime.date(2025, 10, 1), "died")


def test_a_file_cannot_be_closed_before_it_was_opened_or_twice(world):
    person = register(world)
    with pytest.raises(ValidationError):
        services.person_close(
            actor=world.leader,
            person=person,
            closed_on=datetime.date(2025, 8, 31),
            reason="completed",
        )
    services.person_close(actor=world.leader, person=person, closed_on=DAY, reason="completed")
    with pytest.raises(ValidationError):
        services.person_close(actor=world.leader, person=person, closed_on=DAY, reason="other")


def test_reopening_puts_the_person_back_on_the_register(world):
    person = register(world)
    services.person_close(actor=world.leader, person=person, closed_on=DAY, reason="moved_away")
    person = services.person_reopen(actor=world.leader, person=person)
    assert (person.status, person.closed_on, person.closed_reason) == ("active", None, "")
    assert person.version == 3
    assert Person.objects.active().get() == person
    with pytest.raises(ValidationError):
        services.person_reopen(actor=world.leader, person=person)
    assert AuditEvent.objects.filter(action="update", object_id=str(person.pk)).count() == 2


def test_the_register_on_a_day_holds_persons_registered_and_not_yet_closed(world):
    early = f.person(ward=world.ward_a, registered_on=datetime.date(2024, 1, 1))
    late = f.person(ward=world.ward_a, registered_on=datetime.date(2024, 7, 1))
    gone = f.person(
        ward=world.ward_a,
        registered_on=datetime.date(2024, 1, 1),
        status="closed",
        closed_on=datetime.date(2024, 6, 30),
        closed_reason="died",
    )
    # `closed_on` is the file's last day on the register
    on_list = Person.objects.on_register(datetime.date(2024, 6, 30))
    assert set(on_list) == {early, gone}
    assert set(Person.objects.on_register(datetime.date(2024, 7, 1))) == {early, late}
    assert late not in Person.objects.on_register(datetime.date(2024, 6, 30))
    assert set(Person.objects.closed()) == {gone}


def test_closing_refuses_an_enrolment_it_cannot_end(world):
    person = register(world)
    f.enrollment(person=person, started_on=datetime.date(2025, 11, 1))
    with pytest.raises(ValidationError):
        services.person_close(
            actor=world.leader, person=person, closed_on=datetime.date(2025, 10, 1), reason="died"
        )
    assert not Enrollment.objects.filter(ended_on__isnull=False).exists()
    person.refresh_from_db()
    assert person.status == "active"


def test_the_ward_of_registration_is_kept_when_the_ward_is_merged_away(world):
    person = register(
        world,
        ward=world.ward_a_old,
        registered_on=datetime.date(2024, 3, 1),
        consent_on=datetime.date(2024, 3, 1),
    )
    assert person.registered_ward == world.ward_a_old
    # the merger moves the person to the new ward; where they were registered stays
    Person.objects.filter(pk=person.pk).update(ward=world.ward_a)
    person.refresh_from_db()
    assert (person.ward, person.registered_ward) == (world.ward_a, world.ward_a_old)
    # a person written without it (a factory, an import) takes their ward
    assert f.person(ward=world.ward_b).registered_ward == world.ward_b


@pytest.mark.django_db(transaction=True)
def test_correcting_a_file_outside_any_transaction_locks_and_saves(world):
    """Issue 19: `person_update` ran outside a transaction (the decorator sat on a helper), so
    its row lock raised TransactionManagementError on PostgreSQL, where no test transaction
    surrounds a request. Here nothing surrounds the call either."""
    person = f.person(ward=world.ward_a)
    assert not transaction.get_connection().in_atomic_block
    services.person_update(
        actor=world.leader, person=person, expected_version=person.version, phone="0912345678"
    )
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0912345678", 2)
    assert AuditEvent.objects.filter(object_id=str(person.pk), action="update").count() == 1
