import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases import services
from cases.models import Enrollment, Programme
from tests import factories as f
from wards.models import AuditEvent

START = datetime.date(2025, 1, 31)


@pytest.fixture
def person(world):
    return f.person(ward=world.ward_a, registered_on=datetime.date(2024, 12, 1))


def start(world, person, code="post_rehab_12", **fields):
    fields.setdefault("started_on", START)
    return services.enrollment_start(
        actor=world.leader, person=person, programme=Programme.objects.get(code=code), **fields
    )


def test_the_programmes_in_force_are_loaded_with_their_lengths(db):
    months = {
        p.code: (p.category, p.default_months, p.min_months, p.max_months)
        for p in Programme.objects.all()
    }
    assert months == {
        "post_rehab_12": ("post_rehab", 12, 12, 12),
        "post_rehab_24": ("post_rehab", 24, 24, 24),
        "illegal_use_12": ("illegal_use", 12, 12, 12),
        "voluntary_home": ("voluntary_treatment", 6, 6, 12),
        "methadone": ("methadone", None, None, None),
        "club_b93": ("club", None, None, None),
        "club_early": ("club", None, None, None),
    }
    assert "Điều 40" in Programme.objects.get(code="post_rehab_24").legal_basis


def test_adding_months_keeps_the_day_or_takes_the_last_day_of_the_month():
    assert services.add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert services.add_months(datetime.date(2024, 1, 31), 13) == datetime.date(2025, 2, 28)
    assert services.add_months(datetime.date(2024, 3, 15), 24) == datetime.date(2026, 3, 15)


def test_starting_an_enrolment_sets_its_due_date_from_the_programme(world, person):
    enrollment = start(
        world, person, decision_no="12/QĐ-UBND", decision_on=datetime.date(2025, 1, 30)
    )
    assert enrollment.due_on == datetime.date(2026, 1, 31)
    assert enrollment.ward == world.ward_a
    assert enrollment.created_by == world.leader
    event = AuditEvent.objects.get(action="create", object_id=str(enrollment.pk))
    assert event.object_type == "cases.enrollment"
    assert event.changes["due_on"] == "2026-01-31"


def test_an_open_ended_programme_has_no_due_date(world, person):
    assert start(world, person, code="methadone").due_on is None


def test_a_chosen_due_date_is_kept_and_can_be_changed(world, person):
    enrollment = start(world, person, code="voluntary_home", due_on=datetime.date(2025, 12, 31))
    assert enrollment.due_on == datetime.date(2025, 12, 31)
    enrollment = services.enrollment_update(
        actor=world.leader, enrollment=enrollment, due_on=datetime.date(2025, 10, 31)
    )
    assert enrollment.due_on == datetime.date(2025, 10, 31)
    assert AuditEvent.objects.filter(action="update", object_id=str(enrollment.pk)).exists()


def test_a_due_date_before_the_start_is_refused(world, person):
    with pytest.raises(ValidationError):
        start(world, person, due_on=datetime.date(2024, 12, 31))
    assert not Enrollment.objects.exists()


def test_an_overlapping_enrolment_in_the_same_programme_is_refused(world, person):
    start(world, person)
    with pytest.raises(ValidationError) as error:
        start(world, person, started_on=datetime.date(2025, 6, 1))
    assert error.value.error_dict["started_on"][0].code == "overlap"
    assert "Quản lý sau cai nghiện 12 tháng" in error.value.message_dict["started_on"][0]
    assert Enrollment.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="cases.enrollment").count() == 1


def test_an_enrolment_ending_on_the_day_another_starts_overlaps(world, person):
    first = start(world, person)
    services.enrollment_end(
        actor=world.leader, enrollment=first, ended_on=datetime.date(2025, 6, 30), reason="relapsed"
    )
    with pytest.raises(ValidationError):
        start(world, person, started_on=datetime.date(2025, 6, 30))
    with pytest.raises(ValidationError):
        start(world, person, started_on=datetime.date(2024, 12, 15))
    second = start(world, person, started_on=datetime.date(2025, 7, 1))
    assert second.ended_on is None


def test_enrolments_in_different_programmes_may_overlap(world, person):
    start(world, person, code="post_rehab_12")
    start(world, person, code="club_b93")
    assert Enrollment.objects.count() == 2


def test_an_inactive_programme_or_a_closed_file_takes_no_new_enrolment(world, person):
    Programme.objects.filter(code="club_early").update(active=False)
    with pytest.raises(ValidationError):
        start(world, person, code="club_early")
    closed = f.person(
        ward=world.ward_a,
        status="closed",
        closed_on=datetime.date(2025, 1, 1),
        closed_reason="other",
    )
    with pytest.raises(ValidationError):
        start(world, closed)
    assert not Enrollment.objects.exists()


def test_ending_an_enrolment_records_the_date_and_reason(world, person):
    enrollment = start(world, person)
    enrollment = services.enrollment_end(
        actor=world.officer,
        enrollment=enrollment,
        ended_on=datetime.date(2026, 1, 31),
        reason=Enrollment.EndReason.COMPLETED,
    )
    assert (enrollment.ended_on, enrollment.end_reason) == (datetime.date(2026, 1, 31), "completed")
    event = AuditEvent.objects.get(action="update", object_id=str(enrollment.pk))
    assert event.changes == {"ended_on": "2026-01-31", "end_reason": "completed"}


def test_ending_an_enrolment_before_it_starts_is_refused_and_changes_nothing(world, person):
    enrollment = start(world, person)
    with pytest.raises(ValidationError) as error:
        services.enrollment_end(
            actor=world.leader,
            enrollment=enrollment,
            ended_on=datetime.date(2025, 1, 30),
            reason="completed",
        )
    assert "31/01/2025" in error.value.message_dict["ended_on"][0]
    enrollment.refresh_from_db()
    assert enrollment.ended_on is None
    assert not AuditEvent.objects.filter(action="update").exists()


def test_ending_in_the_future_twice_or_without_a_reason_is_refused(world, person):
    enrollment = start(world, person)
    with pytest.raises(ValidationError):
        services.enrollment_end(
            actor=world.leader,
            enrollment=enrollment,
            ended_on=timezone.localdate() + datetime.timedelta(days=1),
            reason="completed",
        )
    with pytest.raises(ValidationError):
        services.enrollment_end(
            actor=world.leader, enrollment=enrollment, ended_on=datetime.date(2025, 3, 1), reason=""
        )
    services.enrollment_end(
        actor=world.leader,
        enrollment=enrollment,
        ended_on=datetime.date(2025, 3, 1),
        reason="relapsed",
    )
    with pytest.raises(ValidationError):
        services.enrollment_end(
            actor=world.leader,
            enrollment=enrollment,
            ended_on=datetime.date(2025, 4, 1),
            reason="completed",
        )


def test_the_database_refuses_an_end_date_without_a_reason(world, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.enrollment(person=person, ended_on=datetime.date(2025, 3, 1))


def test_the_database_refuses_an_end_before_the_start(world, person):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.enrollment(
            person=person,
            started_on=datetime.date(2025, 3, 1),
            ended_on=datetime.date(2025, 2, 1),
            end_reason="other",
        )


def test_current_enrolments_on_a_day_follow_the_report_rule(world, person):
    ended = f.enrollment(
        person=person,
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2024, 6, 30),
        end_reason="completed",
    )
    running = f.enrollment(
        person=person, programme=f.programme("methadone"), started_on=datetime.date(2024, 3, 1)
    )
    # `ended_on` is the enrolment's last day
    assert set(Enrollment.objects.current_on(datetime.date(2024, 6, 30))) == {ended, running}
    assert set(Enrollment.objects.current_on(datetime.date(2024, 7, 1))) == {running}
    assert set(Enrollment.objects.post_rehab()) == {ended}


@pytest.mark.postgres
def test_postgresql_refuses_an_overlapping_enrolment_written_directly(world, person):
    f.enrollment(
        person=person,
        started_on=datetime.date(2024, 1, 1),
        ended_on=datetime.date(2024, 12, 31),
        end_reason="completed",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        f.enrollment(person=person, started_on=datetime.date(2024, 12, 31))
    with pytest.raises(IntegrityError), transaction.atomic():
        f.enrollment(
            person=person,
            started_on=datetime.date(2023, 6, 1),
            ended_on=datetime.date(2024, 1, 1),
            end_reason="other",
        )
    f.enrollment(person=person, started_on=datetime.date(2025, 1, 1))
    assert Enrollment.objects.count() == 2
