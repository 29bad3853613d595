"""The checks before a report is submitted (reports.checks): each rule fires on a minimal
situation built for it and stays silent on a clean one; all of them together on a clean world
find nothing, never name a person and read in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from outreach.models import Activity
from reports import checks
from reports.periods import parse
from tests import factories as f
from wards.models import AdminUnit, Member, Team

D = datetime.date
PERIOD = parse("2024-Q1")  # 2024-01-01 .. 2024-03-31

pytestmark = pytest.mark.django_db


@dataclass
class World:
    ward: AdminUnit
    old_ward: AdminUnit  # merged into `ward`
    team: Team
    helper: Member
    members: list[Member]
    person: object


@pytest.fixture
def world() -> World:
    """A clean ward: a team of five (TEAM_SIZE_MIN) whose helper follows one person and met
    them in the period, with a ward merged into it."""
    district = f.unit(level="district")
    ward = f.unit(parent=district)
    old_ward = f.unit(parent=district, successor=ward, valid_until=D(2023, 6, 30))
    team = f.team(ward=ward)
    members = [f.member(team=team) for _ in range(5)]
    helper = members[0]
    person = f.person(ward=ward, registered_on=D(2023, 5, 2))
    f.assignment(person=person, member=helper)
    f.contact(person=person, member=helper, occurred_on=D(2024, 2, 1))
    return World(ward, old_ward, team, helper, members, person)


def codes(unit: AdminUnit, period=PERIOD) -> list[str]:
    return [finding.code for finding in checks.run(unit, period)]


def only(unit: AdminUnit, code: str, period=PERIOD) -> checks.Finding:
    """The one finding of `unit` for `period`, which must be `code`'s."""
    found = checks.run(unit, period)
    assert [x.code for x in found] == [code]
    return found[0]


def activity(unit: AdminUnit, **fields) -> Activity:
    fields.setdefault("occurred_on", D(2024, 2, 10))
    fields.setdefault("kind", Activity.Kind.COMMUNITY_MEETING)
    if fields["kind"] in checks._required_figure("participants"):
        fields.setdefault("participants", 30)
    return Activity.objects.create(unit=unit, **fields)


def test_a_clean_world_raises_nothing(world):
    activity(world.ward)
    assert checks.run(world.ward, PERIOD) == []


# -- attendance_below_persons ----------------------------------------------------------------


def test_attendance_below_persons(world):
    others = [f.person(ward=world.ward) for _ in range(3)]
    session = activity(world.ward, kind=Activity.Kind.CLUB_SESSION, participants=2)
    session.persons.set([world.person, *others])
    finding = only(world.ward, "attendance_below_persons")
    assert finding.count == 1
    assert "1 hoạt động" in finding.text
    assert "Hoạt động" in finding.hint


def test_attendance_at_least_the_persons_is_clean(world):
    others = [f.person(ward=world.ward) for _ in range(3)]
    session = activity(world.ward, kind=Activity.Kind.CLUB_SESSION, participants=4)
    session.persons.set([world.person, *others])
    # Outside the period, or in another ward, a short attendance is not this report's.
    late = activity(world.ward, kind=Activity.Kind.CLUB_SESSION, participants=1)
    late.occurred_on = D(2024, 4, 1)
    late.save()
    late.persons.set(others)
    assert codes(world.ward) == []


def test_attendance_in_a_merged_ward_counts(world):
    others = [f.person(ward=world.old_ward) for _ in range(2)]
    session = activity(world.old_ward, kind=Activity.Kind.CLUB_SESSION, participants=1)
    session.persons.set(others)
    assert only(world.ward, "attendance_below_persons").count == 1


# -- contact_after_closed / contact_before_registered ----------------------------------------


def test_contact_after_closed(world):
    closed = f.person(
        ward=world.ward, status="closed", closed_on=D(2024, 1, 31), closed_reason="completed"
    )
    f.contact(person=closed, occurred_on=D(2024, 1, 31))  # the last day: still open
    f.contact(person=closed, occurred_on=D(2024, 2, 1))
    f.contact(person=closed, occurred_on=D(2024, 3, 5))
    finding = only(world.ward, "contact_after_closed")
    assert finding.count == 2
    assert "2 lượt tiếp cận" in finding.text
    assert closed.full_name not in finding.text + finding.hint


def test_contact_on_the_closing_day_is_clean(world):
    closed = f.person(
        ward=world.ward, status="closed", closed_on=D(2024, 1, 31), closed_reason="completed"
    )
    f.contact(person=closed, occurred_on=D(2024, 1, 31))
    assert codes(world.ward) == []


def test_contact_before_registered(world):
    newcomer = f.person(ward=world.ward, registered_on=D(2024, 3, 1))
    f.contact(person=newcomer, occurred_on=D(2024, 2, 28))
    f.contact(person=newcomer, occurred_on=D(2024, 3, 1))
    assert only(world.ward, "contact_before_registered").count == 1


def test_contact_on_the_registration_day_is_clean(world):
    newcomer = f.person(ward=world.ward, registered_on=D(2024, 3, 1))
    f.contact(person=newcomer, occurred_on=D(2024, 3, 1))
    assert codes(world.ward) == []


# -- contact_dated_after_entry ---------------------------------------------------------------


def test_contact_dated_after_entry(world):
    from cases.models import Contact

    later = f.contact(person=world.person, member=world.helper, occurred_on=D(2024, 3, 20))
    # Written down on 10 March (local time) for a visit dated 20 March.
    Contact.objects.filter(pk=later.pk).update(
        created_at=datetime.datetime(2024, 3, 10, 9, 0, tzinfo=datetime.UTC)
    )
    assert only(world.ward, "contact_dated_after_entry").count == 1


def test_contact_entered_the_same_local_day_is_clean(world):
    from cases.models import Contact

    same = f.contact(person=world.person, member=world.helper, occurred_on=D(2024, 3, 20))
    # 19 March 18:00 UTC is 20 March 01:00 in Hà Nội: the same day.
    Contact.objects.filter(pk=same.pk).update(
        created_at=datetime.datetime(2024, 3, 19, 18, 0, tzinfo=datetime.UTC)
    )
    assert codes(world.ward) == []


# -- too_many_contacts -----------------------------------------------------------------------


def test_too_many_contacts_in_a_month(world):
    busy = f.person(ward=world.ward, registered_on=D(2023, 1, 1))
    for day in range(1, 30):
        f.contact(person=busy, occurred_on=D(2024, 1, day))
    for day in range(1, 4):  # 32 in January (two on the 1st, 2nd and 3rd)
        f.contact(person=busy, occurred_on=D(2024, 1, day), kind="phone")
    finding = only(world.ward, "too_many_contacts")
    assert finding.count == 1
    assert "1 người" in finding.text and "31" in finding.text


def test_thirty_one_contacts_in_a_month_are_clean(world):
    busy = f.person(ward=world.ward, registered_on=D(2023, 1, 1))
    for day in range(1, 32):
        f.contact(person=busy, occurred_on=D(2024, 1, day))
    for day in range(1, 20):  # spread over two months: 31 + 19 + ...
        f.contact(person=busy, occurred_on=D(2024, 2, day))
    assert codes(world.ward) == []


# -- together --------------------------------------------------------------------------------


def test_no_finding_names_a_person_and_every_count_is_positive(world):
    closed = f.person(
        ward=world.ward,
        full_name="Trần Thị Bí Mật",
        status="closed",
        closed_on=D(2024, 1, 31),
        closed_reason="completed",
    )
    f.contact(person=closed, occurred_on=D(2024, 2, 1))
    f.contact(person=closed, occurred_on=D(2023, 1, 1))
    found = checks.run(world.ward, PERIOD)
    assert found
    for finding in found:
        assert finding.count > 0
        assert "Bí Mật" not in finding.text + finding.hint
        assert finding.text.endswith(".")


def grow(world: World, n: int) -> None:
    """`n` of every record the rules read, each tripping its rule."""
    closed = f.person(
        ward=world.ward,
        registered_on=D(2023, 1, 1),
        status="closed",
        closed_on=D(2024, 1, 5),
        closed_reason="completed",
    )
    late = f.person(ward=world.old_ward, registered_on=D(2024, 3, 20))
    for i in range(n):
        day = D(2024, 1, 6 + i % 20)
        f.contact(person=closed, occurred_on=day)
        f.contact(person=late, occurred_on=day)
        session = activity(world.ward, kind=Activity.Kind.CLUB_SESSION, participants=0)
        session.persons.set([closed, late])


def test_the_queries_do_not_grow_with_the_rows(world):
    grow(world, 1)
    with CaptureQueriesContext(connection) as few:
        checks.run(world.ward, PERIOD)
    grow(world, 40)
    with CaptureQueriesContext(connection) as many:
        found = checks.run(world.ward, PERIOD)
    assert len(many) == len(few)
    assert {"attendance_below_persons", "contact_after_closed"} <= {x.code for x in found}
