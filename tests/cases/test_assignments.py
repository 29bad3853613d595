import datetime
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from cases import services
from cases.models import Assignment, Person
from tests import factories as f
from wards import services as ward_services
from wards.models import AuditEvent, Member

DAY = datetime.date(2025, 9, 1)


@pytest.fixture
def person(world):
    return f.person(ward=world.ward_a, registered_on=datetime.date(2025, 8, 1))


@pytest.fixture
def others(world):
    """Two members of team A without a login."""
    return list(Member.objects.filter(team=world.team_a, user__isnull=True).order_by("pk")[:2])


def assign(world, person, member, started_on=DAY):
    return services.assignment_assign(
        actor=world.leader, person=person, member=member, started_on=started_on
    )


def test_assigning_a_person_opens_an_assignment_and_audits_it(world, person):
    assignment = assign(world, person, world.volunteer_member)
    assert (assignment.member, assignment.started_on, assignment.ended_on) == (
        world.volunteer_member,
        DAY,
        None,
    )
    assert assignment.assigned_by == world.leader
    assert person.current_assignment == assignment
    event = AuditEvent.objects.get(action="create", object_type="cases.assignment")
    assert event.changes == {
        "person": person.pk,
        "member": world.volunteer_member.pk,
        "started_on": "2025-09-01",
        "replaces": None,
    }


def test_reassigning_ends_the_old_assignment_the_day_before_the_new_one(world, person, others):
    old = assign(world, person, world.volunteer_member, started_on=datetime.date(2025, 8, 1))
    new = assign(world, person, others[0])
    old.refresh_from_db()
    # `ended_on` is the old one's last day: one helper holds the person each day
    assert (old.ended_on, old.ended_by) == (DAY - datetime.timedelta(days=1), world.leader)
    assert list(Assignment.objects.open().filter(person=person)) == [new]
    assert set(Assignment.objects.held_on(DAY)) == {new}
    assert set(Assignment.objects.held_on(DAY - datetime.timedelta(days=1))) == {old}
    assert AuditEvent.objects.filter(object_type="cases.assignment").count() == 3


def test_reassigning_on_the_day_of_the_assignment_replaces_it(world, person, others):
    old = assign(world, person, world.volunteer_member)
    new = assign(world, person, others[0])
    assert new.pk == old.pk and Assignment.objects.count() == 1
    old.refresh_from_db()
    assert (old.member, old.started_on, old.ended_on) == (others[0], DAY, None)
    assert set(Assignment.objects.held_on(DAY)) == {new}
    event = AuditEvent.objects.filter(object_type="cases.assignment").latest("pk")
    assert event.changes == {"member": [world.volunteer_member.pk, others[0].pk]}


def test_assigning_the_current_helper_again_changes_nothing(world, person):
    first = assign(world, person, world.volunteer_member)
    again = assign(world, person, world.volunteer_member, started_on=datetime.date(2025, 9, 5))
    assert again == first
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.count() == 1


def test_a_member_of_another_team_is_refused_with_a_clear_message(world, person):
    with pytest.raises(ValidationError) as error:
        assign(world, person, world.outsider_member)
    message = error.value.message_dict["member"][0]
    assert world.outsider_member.full_name in message
    assert world.team_b.name in message
    assert not Assignment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_refused_reassignment_keeps_the_current_helper(world, person):
    current = assign(world, person, world.volunteer_member)
    with pytest.raises(ValidationError):
        assign(world, person, world.outsider_member, started_on=datetime.date(2025, 9, 10))
    current.refresh_from_db()
    assert current.ended_on is None
    assert AuditEvent.objects.count() == 1


def test_a_member_who_left_is_refused(world, person, others):
    ward_services.member_leave(
        actor=world.leader, member=others[0], left_on=datetime.date(2025, 5, 1)
    )
    others[0].refresh_from_db()
    with pytest.raises(ValidationError):
        assign(world, person, others[0])
    assert not Assignment.objects.exists()


def test_a_member_who_left_after_the_page_was_read_is_refused(world, person, others):
    # The form read the member before another leader recorded their leaving (or the team's
    # dissolution): the service reads the member again under a lock, not the caller's copy.
    shown = Member.objects.select_related("team").get(pk=others[0].pk)
    ward_services.member_leave(
        actor=world.leader, member=others[0], left_on=datetime.date(2025, 5, 1)
    )
    with pytest.raises(ValidationError):
        assign(world, person, shown)
    assert not Assignment.objects.exists()


def test_an_assignment_before_registration_in_the_future_or_on_a_closed_file_is_refused(
    world, person
):
    with pytest.raises(ValidationError):
        assign(world, person, world.volunteer_member, started_on=datetime.date(2025, 7, 31))
    with pytest.raises(ValidationError):
        assign(world, person, world.volunteer_member, started_on=datetime.date(2099, 1, 1))
    Person.objects.filter(pk=person.pk).update(
        status="closed", closed_on=DAY, closed_reason="other"
    )
    with pytest.raises(ValidationError):
        assign(world, person, world.volunteer_member)
    assert not Assignment.objects.exists()


def test_a_reassignment_cannot_start_before_the_current_one(world, person, others):
    assign(world, person, world.volunteer_member)
    with pytest.raises(ValidationError):
        assign(world, person, others[0], started_on=datetime.date(2025, 8, 15))
    assert Assignment.objects.get().member == world.volunteer_member


def test_a_person_of_a_merged_ward_can_be_assigned_to_the_new_wards_team(world):
    person = f.person(ward=world.ward_a_old, registered_on=datetime.date(2024, 1, 1))
    assert assign(world, person, world.volunteer_member).member == world.volunteer_member


def test_the_database_refuses_a_second_open_assignment(world, person, others):
    f.assignment(person=person, member=world.volunteer_member)
    with pytest.raises(IntegrityError), transaction.atomic():
        f.assignment(person=person, member=others[0])


def test_the_database_allows_any_number_of_ended_assignments(world, person, others):
    f.assignment(
        person=person,
        member=others[0],
        started_on=datetime.date(2025, 8, 1),
        ended_on=datetime.date(2025, 8, 10),
    )
    f.assignment(
        person=person,
        member=others[1],
        started_on=datetime.date(2025, 8, 10),
        ended_on=datetime.date(2025, 8, 20),
    )
    f.assignment(person=person, member=world.volunteer_member)
    assert Assignment.objects.count() == 3


def test_reassigning_many_moves_them_all(world, others):
    persons = [
        f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1)) for _ in range(3)
    ]
    for p in persons:
        f.assignment(person=p, member=others[0])
    assignments = services.assignment_reassign_many(
        actor=world.leader, persons=persons, member=others[1], started_on=DAY
    )
    assert len(assignments) == 3
    assert set(Assignment.objects.open().values_list("member", flat=True)) == {others[1].pk}


def test_reassigning_many_is_all_or_nothing(world, others):
    fine = f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1))
    f.assignment(person=fine, member=others[0])
    elsewhere = f.person(
        ward=world.ward_b, full_name="Mai Văn Khác", registered_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.assignment_reassign_many(
            actor=world.leader, persons=[fine, elsewhere], member=others[1], started_on=DAY
        )
    assert "Mai Văn Khác" in error.value.messages[0]
    assert Assignment.objects.open().get(person=fine).member == others[0]
    assert Assignment.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_handing_over_gives_everything_a_leaving_member_holds(world, others):
    held = [f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1)) for _ in range(2)]
    for p in held:
        f.assignment(person=p, member=others[0])
    kept = f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1))
    f.assignment(person=kept, member=world.volunteer_member)
    moved = services.assignment_handover(
        actor=world.leader, from_member=others[0], to_member=others[1], started_on=DAY
    )
    assert {a.person for a in moved} == set(held)
    assert not Assignment.objects.open().filter(member=others[0]).exists()
    assert Assignment.objects.open().get(person=kept).member == world.volunteer_member


def test_handing_over_to_oneself_is_refused(world, others):
    with pytest.raises(ValidationError):
        services.assignment_handover(
            actor=world.leader, from_member=others[0], to_member=others[0], started_on=DAY
        )


def test_ending_an_assignment_leaves_the_person_unassigned(world, person):
    assignment = assign(world, person, world.volunteer_member)
    with pytest.raises(ValidationError):
        services.assignment_end(
            actor=world.leader, assignment=assignment, ended_on=datetime.date(2025, 8, 31)
        )
    services.assignment_end(
        actor=world.leader, assignment=assignment, ended_on=datetime.date(2025, 10, 1)
    )
    assert person.current_assignment is None
    assert AuditEvent.objects.filter(action="update", object_type="cases.assignment").count() == 1
    with pytest.raises(ValidationError):
        services.assignment_end(
            actor=world.leader, assignment=assignment, ended_on=datetime.date(2025, 10, 2)
        )


# PostgreSQL: concurrent writers


def _in_thread(target):
    """Run `target` in a thread with its own database connection; return its outcome."""
    outcome = {}

    def run():
        try:
            outcome["value"] = target()
        except Exception as error:  # noqa: BLE001 - handed back to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_a_backend_waits_for_a_lock(timeout=10.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction pg_stat_activity is a snapshot unless it is cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.mark.postgres
def test_two_leaders_reassigning_one_person_at_once_leave_one_open_assignment(
    transactional_db, world, others
):
    person = f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1))
    f.assignment(person=person, member=world.volunteer_member)
    first_holds_lock = threading.Event()

    def first():
        with transaction.atomic():
            result = assign(world, person, others[0])
            first_holds_lock.set()
            # Commit only once the second leader is queued behind the person lock.
            assert _wait_until_a_backend_waits_for_a_lock()
        return result

    def second():
        first_holds_lock.wait(10)
        return assign(world, person, others[1])

    threads = [_in_thread(first), _in_thread(second)]
    for thread, _outcome in threads:
        thread.join(30)
    (_, won), (_, lost) = threads
    assert "error" not in won, won.get("error")
    assert isinstance(lost.get("error"), ValidationError)
    assert lost["error"].messages == [
        "Người này vừa được phân công cho người khác, hãy tải lại trang."
    ]
    open_rows = Assignment.objects.open().filter(person=person)
    assert [a.member for a in open_rows] == [others[0]]


@pytest.mark.postgres
def test_a_writer_that_skipped_the_lock_turns_into_the_clear_message(
    transactional_db, world, others
):
    person = f.person(ward=world.ward_a, registered_on=datetime.date(2025, 1, 1))
    inserted = threading.Event()

    def rogue():
        with transaction.atomic():
            f.assignment(person=person, member=others[0])
            inserted.set()
            assert _wait_until_a_backend_waits_for_a_lock()

    def leader():
        inserted.wait(10)
        return assign(world, person, others[1])

    threads = [_in_thread(rogue), _in_thread(leader)]
    for thread, _outcome in threads:
        thread.join(30)
    (_, rogue_outcome), (_, leader_outcome) = threads
    assert "error" not in rogue_outcome, rogue_outcome.get("error")
    assert isinstance(leader_outcome.get("error"), ValidationError)
    assert leader_outcome["error"].messages == [
        "Người này vừa được phân công cho người khác, hãy tải lại trang."
    ]
    assert [a.member for a in Assignment.objects.open().filter(person=person)] == [others[0]]
