"""One date semantics for every end field (INDICATORS.md, top): `ended_on`, `left_on`,
`dissolved_on`, `closed_on` and `valid_until` are the last day a thing holds. Each case runs the
rollup against the oracle too, on SQLite (two queries per source) and on PostgreSQL (one
`GROUPING SETS` scan), for the unit and each of its child units."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from cases.models import Assignment, Enrollment, Person
from cases.rules import check_member_active_on
from imports.kinds import contacts
from outreach.eligibility import loan_eligible
from reports.periods import parse
from reports.rollup import tally
from tests import factories as f
from tests.reports.test_oracle import assert_agrees
from wards.models import Member, Team

D = datetime.date
DAY = datetime.timedelta(days=1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def former(world):
    """A former district (valid_until 30/06/2025) of two wards, each with a team of three
    dissolved on that day; the first team's memberships were ended with it, the second's were
    left open (dissolved by an edit of the field, before `team_dissolve`)."""
    district = f.unit(
        code="99X", level="district", parent=world.province, valid_until=D(2025, 6, 30)
    )
    wards = [f.unit(code=f"99X0{i}", parent=district, valid_until=D(2025, 6, 30)) for i in (1, 2)]
    teams = [f.team(ward=w, established_on=D(2020, 1, 1)) for w in wards]
    for n, team in enumerate(teams):
        for i in range(3):
            f.member(
                team=team,
                role="leader" if i == 0 else "member",
                joined_on=D(2021, 1, 1),
                left_on=D(2025, 6, 30) if n == 0 else None,
            )
        team.dissolved_on = D(2025, 6, 30)
        team.save()
    return district, wards, teams


def test_a_team_dissolved_on_the_units_last_day_counts_in_a_report_ending_that_day(former):
    district, wards, _ = former
    for spec in ("2025-H1", "2025-06", "2025-06-30..2025-06-30"):
        v = assert_agrees(district, parse(spec))
        assert (v["team.teams"], v["team.members"], v["team.members.leader"]) == (2, 6, 2)
        by_child = tally(district, parse(spec)).by_child
        assert [by_child[w.pk]["team.teams"] for w in wards] == [1, 1]
    assert Team.objects.holding_on(D(2025, 6, 30)).filter(ward__in=wards).count() == 2
    assert not Team.objects.holding_on(D(2025, 7, 1)).filter(ward__in=wards).exists()


def test_a_dissolved_teams_open_memberships_no_longer_count(world, former):
    _, wards, teams = former
    open_ones = Member.objects.filter(team=teams[1], left_on__isnull=True)
    assert open_ones.count() == 3
    assert Member.objects.holding_on(D(2025, 6, 30)).filter(team=teams[1]).count() == 3
    assert not Member.objects.holding_on(D(2025, 7, 1)).filter(team__in=teams).exists()
    assert not Member.objects.active(D(2025, 7, 1)).filter(team__in=teams).exists()
    team = Team.objects.with_composition(D(2025, 7, 1)).get(pk=teams[1].pk)
    assert (team.size, team.n_leader) == (0, 0)
    # the province's report after the dissolution counts none of them
    v = assert_agrees(world.province, parse("2025-H2"))
    assert v["team.members"] == 6  # team A (5) and team B (1): the former district's are gone
    v = assert_agrees(world.province, parse("2025-H1"))
    assert v["team.members"] == 6 + 6 + 1  # on 30/06 team A old's leader still held too


def test_an_enrolments_last_day_is_covered(world):
    person = f.person(ward=world.ward_a, group=Person.Group.POST_REHAB)
    f.enrollment(
        person=person,
        started_on=D(2024, 1, 10),
        ended_on=D(2024, 3, 15),
        end_reason="completed",
    )
    f.contact(person=person, occurred_on=D(2024, 3, 15))
    f.contact(person=person, occurred_on=D(2024, 3, 16))
    f.milestone(person=person, kind="relapsed", occurred_on=D(2024, 3, 15))
    for unit in (world.ward_a, world.district_a, world.province):
        v = assert_agrees(unit, parse("2024-Q1"))
        assert v["post_rehab.contacts"] == 1  # on 15/03, the enrolment's last day
        assert v["post_rehab.relapsed"] == 1
        assert v["post_rehab.completed"] == 1
    assert assert_agrees(world.ward_a, parse("2024-03-15..2024-03-15"))["post_rehab.managed"] == 1
    assert assert_agrees(world.ward_a, parse("2024-03-16..2024-03-16"))["post_rehab.managed"] == 0
    assert list(Enrollment.objects.holding_on(D(2024, 3, 15))) == list(Enrollment.objects.all())


def test_a_relapse_after_the_last_day_does_not_count(world):
    person = f.person(ward=world.ward_a)
    f.enrollment(
        person=person, started_on=D(2024, 1, 10), ended_on=D(2024, 3, 15), end_reason="completed"
    )
    f.milestone(person=person, kind="relapsed", occurred_on=D(2024, 3, 16))
    assert assert_agrees(world.district_a, parse("2024-Q1"))["post_rehab.relapsed"] == 0


def test_a_closed_file_and_an_ended_assignment_hold_on_their_last_day(world):
    person = f.person(
        ward=world.ward_a,
        registered_on=D(2024, 1, 1),
        status="closed",
        closed_on=D(2024, 6, 30),
        closed_reason="died",
    )
    f.assignment(
        person=person,
        member=world.volunteer_member,
        started_on=D(2024, 2, 1),
        ended_on=D(2024, 6, 30),
    )
    v = assert_agrees(world.district_a, parse("2024-H1"))
    assert (v["casework.on_list"], v["team.caseload"]) == (1, 1)
    v = assert_agrees(world.district_a, parse("2024-07"))
    assert (v["casework.on_list"], v["team.caseload"]) == (0, 0)
    assert Assignment.objects.holding_on(D(2024, 6, 30)).count() == 1


def test_a_member_is_on_the_team_on_the_day_they_left_or_it_was_dissolved(world):
    member = f.member(team=world.team_b, joined_on=D(2024, 1, 1), left_on=D(2024, 6, 30))
    check_member_active_on(member, D(2024, 6, 30))  # the last day
    with pytest.raises(ValidationError):
        check_member_active_on(member, D(2024, 7, 1))
    # a membership left open in a team dissolved on 31/03/2025 ends with the team
    Team.objects.filter(pk=world.team_b.pk).update(dissolved_on=D(2025, 3, 31))
    member = Member.objects.select_related("team").get(pk=world.outsider_member.pk)
    check_member_active_on(member, D(2025, 3, 31))
    with pytest.raises(ValidationError):
        check_member_active_on(member, D(2025, 4, 1))


def test_an_enrolment_ending_today_is_still_ongoing_on_the_loan_list(world):
    today = datetime.date.today()
    ending = f.person(ward=world.ward_a, birth_year=1980)
    ended = f.person(ward=world.ward_a, birth_year=1980)
    for person, last in ((ending, today), (ended, today - datetime.timedelta(days=1))):
        f.enrollment(
            person=person,
            started_on=today - datetime.timedelta(days=200),
            ended_on=last,
            end_reason="completed",
        )
    rows = {r.pk: r for r in loan_eligible(Person.objects.all(), today)}
    assert (rows[ending.pk].post_rehab_ongoing, rows[ended.pk].post_rehab_ongoing) == (True, False)


def test_an_imported_contact_names_the_member_on_the_team_that_day(world):
    """Two members share a name: the one who left on the contact's day still held it."""
    day = D(2025, 6, 30)
    leaving = f.member(team=world.team_a_old, full_name="Trùng Tên", left_on=day)
    joining = f.member(team=world.team_a, full_name="Trùng Tên", joined_on=day + DAY)
    context = contacts.prepare(ward=world.ward_a, actor=world.leader)
    assert contacts.find_member("Trùng Tên", day, context) == leaving
    assert contacts.find_member("Trùng Tên", day + DAY, context) == joining


def test_the_migration_ends_the_open_memberships_of_teams_already_dissolved(world, former):
    migration = importlib.import_module("wards.migrations.0007_end_memberships_of_dissolved_teams")
    _, _, teams = former
    late = f.member(team=teams[1], joined_on=D(2025, 8, 1))  # a slip: joined after the end
    migration.end_memberships(apps, None)
    rows = Member.objects.filter(team=teams[1]).exclude(pk=late.pk)
    assert set(rows.values_list("left_on", "left_reason")) == {(D(2025, 6, 30), "Đội giải thể")}
    late.refresh_from_db()
    assert late.left_on == D(2025, 8, 1)
    assert Member.objects.filter(team=world.team_a, left_on__isnull=True).count() == 5
