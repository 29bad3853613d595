"""The checks before a report is submitted (reports.checks): each rule fires on a minimal
situation built for it and stays silent on a clean one; all of them together on a clean world
find nothing, never name a person and read in a constant number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outreach.models import Activity
from reports import checks
from reports.choice import default_period
from reports.management.commands.seed_demo import late_quarter
from reports.periods import parse
from reports.report import build
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


# -- figure_vs_last_year --------------------------------------------------------------------


def test_figure_vs_last_year_from_the_given_figures(world):
    values = {"outreach.sessions": 120, "outreach.leaflets": 10, "team.trainees": 100}
    previous = {"outreach.sessions": 11, "outreach.leaflets": 101, "team.trainees": 11}
    found = checks.run(world.ward, PERIOD, values=values, previous=previous)
    assert [(x.code, x.count) for x in found] == [("figure_vs_last_year", 2)]
    # 120 against 11 and 10 against 101 are more than ten times apart; 100 against 11 is not.
    assert "Số cuộc tuyên truyền" in found[0].text and "Số tờ rơi phát" in found[0].text
    assert "cùng kỳ năm trước" in found[0].text and "10 lần" in found[0].text


def test_figure_vs_last_year_leaves_out_small_figures_sub_rows_and_money(world):
    values = {
        "outreach.sessions": 200,  # 9 last year: too small to compare
        "outreach.sessions.radio": 500,  # an «of which» row
        "support.loan_amount": 900_000_000,  # money
    }
    previous = {
        "outreach.sessions": 9,
        "outreach.sessions.radio": 20,
        "support.loan_amount": 30_000_000,
    }
    assert checks.run(world.ward, PERIOD, values=values, previous=previous) == []


def test_figure_vs_last_year_from_the_records(world):
    activity(world.ward, sessions=150)
    activity(world.ward, occurred_on=D(2023, 2, 10), sessions=12)
    finding = only(world.ward, "figure_vs_last_year")
    assert finding.count == 1 and "Số cuộc tuyên truyền" in finding.text


def test_figure_vs_last_year_is_not_compared_before_the_unit_existed(world):
    world.ward.valid_from = D(2023, 7, 1)
    world.ward.save()
    values, previous = {"outreach.sessions": 150}, {"outreach.sessions": 12}
    assert checks.run(world.ward, PERIOD, values=values, previous=previous) == []
    world.ward.valid_from = D(2023, 1, 1)
    world.ward.save()
    found = checks.run(world.ward, PERIOD, values=values, previous=previous)
    assert [x.code for x in found] == ["figure_vs_last_year"]


# -- figure_vs_usual_month ------------------------------------------------------------------


def contacts_by_month(world: World, counts: dict[tuple[int, int], int], day: int = 10) -> None:
    """`counts[(year, month)]` contacts on the `day` of that month, spread over persons so
    that nobody has too many."""
    from cases.models import Contact

    persons = [f.person(ward=world.ward, registered_on=D(2022, 1, 1)) for _ in range(10)]
    rows = [
        Contact(
            person=persons[i % len(persons)],
            ward=world.ward,
            person_group=persons[0].group,
            occurred_on=D(year, month, day),
            kind=Contact.Kind.HOME_VISIT,
        )
        for (year, month), n in counts.items()
        for i in range(n)
    ]
    Contact.objects.bulk_create(rows)


YEAR_BEFORE = {(2023, m): 6 for m in range(1, 13)}


def test_figure_vs_usual_month_finds_a_month_far_above_and_one_far_below(world):
    contacts_by_month(world, {**YEAR_BEFORE, (2024, 1): 31, (2024, 2): 5})
    # January: 31 > 5 × 6. February: 5 and the world's contact. March: none, 0 < 6 / 5.
    finding = only(world.ward, "figure_vs_usual_month")
    assert finding.count == 2
    assert "lượt tiếp cận, giúp đỡ tháng 01/2024" in finding.text
    assert "tháng 03/2024" in finding.text and "02/2024" not in finding.text


def test_figure_vs_usual_month_follows_the_official_months(world):
    contacts_by_month(world, {(2023, m): 6 for m in range(1, 13)}, day=20)
    contacts_by_month(world, {(2024, 1): 6, (2024, 2): 6})
    contacts_by_month(world, {(2024, 2): 40}, day=16)
    # Official months run from the 15th to the 14th: 16/02 lies in the official 03/2024, whose
    # 12 months before (15/12/2022 .. 14/12/2023) hold 6 each but the first.
    official = parse("2024-Q1", "official")
    finding = only(world.ward, "figure_vs_usual_month", official)
    assert finding.count == 1 and "tháng 03/2024" in finding.text


def test_figure_vs_usual_month_is_silent_within_five_times_or_on_few_records(world):
    contacts_by_month(world, {**YEAR_BEFORE, (2024, 1): 30, (2024, 2): 2, (2024, 3): 12})
    assert codes(world.ward) == []
    # A month of a range cut short is not compared; nor is anything with a small median.
    assert "figure_vs_usual_month" not in codes(world.ward, parse("2024-01-05..2024-01-20"))


def test_figure_vs_usual_month_leaves_out_the_part_of_a_month_a_range_starts_in(world):
    """A range from 10/01 compares its whole months (February, March) with the 12 months
    before January: January's records belong to none of them, not to February."""
    contacts_by_month(world, {**YEAR_BEFORE, (2024, 1): 40, (2024, 2): 6, (2024, 3): 6}, day=12)
    assert "figure_vs_usual_month" not in codes(world.ward, parse("2024-01-10..2024-03-31"))


def test_figure_vs_usual_month_counts_activities_written_down(world):
    for month in range(1, 13):
        for day in range(1, 7):
            activity(world.ward, occurred_on=D(2023, month, day))
    for day in range(1, 7):
        activity(world.ward, occurred_on=D(2024, 1, day))
        activity(world.ward, occurred_on=D(2024, 2, day))
    # March: nothing written down (0 < 6 / 5).
    finding = only(world.ward, "figure_vs_usual_month")
    assert finding.count == 1 and "hoạt động được ghi tháng 03/2024" in finding.text


# -- activity_duplicates --------------------------------------------------------------------


def test_activity_duplicates(world):
    for _ in range(3):
        activity(world.ward, title="Họp tổ dân phố số 4", place="Nhà văn hóa")
    finding = only(world.ward, "activity_duplicates")
    assert finding.count == 2  # two lines too many


def test_activities_differing_in_a_figure_or_day_are_not_duplicates(world):
    activity(world.ward, title="Họp tổ dân phố số 4", participants=30)
    activity(world.ward, title="Họp tổ dân phố số 4", participants=31)
    activity(world.ward, title="Họp tổ dân phố số 4", occurred_on=D(2024, 2, 11))
    activity(world.ward, title="Họp tổ dân phố số 5")
    assert codes(world.ward) == []


# -- enrollment_overdue ---------------------------------------------------------------------


def test_enrollment_overdue(world):
    late = f.person(ward=world.ward, registered_on=D(2022, 12, 1))
    f.enrollment(person=late, started_on=D(2023, 1, 1), due_on=D(2024, 1, 1))
    other = f.person(ward=world.ward, registered_on=D(2022, 12, 1))
    # Ended on the period's last day: still running that day.
    f.enrollment(
        person=other,
        started_on=D(2023, 1, 1),
        due_on=D(2024, 3, 30),
        ended_on=D(2024, 3, 31),
        end_reason="completed",
    )
    finding = only(world.ward, "enrollment_overdue")
    assert finding.count == 2
    assert "giải thích" in finding.hint


def test_enrollment_due_on_the_last_day_or_ended_in_time_is_clean(world):
    one = f.person(ward=world.ward, registered_on=D(2022, 12, 1))
    f.enrollment(person=one, started_on=D(2023, 1, 1), due_on=D(2024, 3, 31))
    two = f.person(ward=world.ward, registered_on=D(2022, 12, 1))
    f.enrollment(
        person=two,
        started_on=D(2023, 1, 1),
        due_on=D(2024, 1, 1),
        ended_on=D(2024, 3, 30),
        end_reason="completed",
    )
    assert codes(world.ward) == []


# -- helper_without_contact -----------------------------------------------------------------


def test_helper_without_contact(world):
    quiet = world.members[1]
    f.assignment(person=f.person(ward=world.ward, registered_on=D(2023, 6, 1)), member=quiet)
    # A contact before the period does not count.
    f.contact(person=world.person, member=quiet, occurred_on=D(2023, 12, 31))
    assert only(world.ward, "helper_without_contact").count == 1


def test_helper_assigned_during_the_period_or_with_a_contact_is_clean(world):
    newcomer = f.person(ward=world.ward, registered_on=D(2024, 2, 1))
    f.assignment(person=newcomer, member=world.members[1])
    met = f.person(ward=world.ward, registered_on=D(2023, 6, 1))
    f.assignment(person=met, member=world.members[2])
    f.contact(person=met, member=world.members[2], occurred_on=D(2024, 3, 31))
    assert codes(world.ward) == []


# -- caseload_with_departed_helper ----------------------------------------------------------


def test_caseload_with_departed_helper(world):
    gone = f.member(team=world.team, left_on=D(2024, 3, 1), left_reason="Chuyển công tác")
    for _ in range(2):
        f.assignment(person=f.person(ward=world.ward, registered_on=D(2024, 1, 2)), member=gone)
    finding = only(world.ward, "caseload_with_departed_helper")
    assert finding.count == 2 and "2 người" in finding.text


def test_helper_leaving_on_the_last_day_or_handed_over_is_clean(world):
    last_day = f.member(team=world.team, left_on=D(2024, 3, 31), left_reason="Nghỉ hưu")
    f.assignment(person=f.person(ward=world.ward, registered_on=D(2024, 1, 2)), member=last_day)
    gone = f.member(team=world.team, left_on=D(2024, 3, 1), left_reason="Chuyển công tác")
    handed = f.person(ward=world.ward, registered_on=D(2024, 1, 2))
    f.assignment(person=handed, member=gone, ended_on=D(2024, 2, 29))
    f.assignment(person=handed, member=world.helper, started_on=D(2024, 3, 1))
    assert codes(world.ward) == []


# -- loan_without_amount / loan_over_cap ----------------------------------------------------


FEBRUARY = D(2024, 2, 10)


def loan(world: World, amount, status: str = "completed", day=FEBRUARY):
    return f.referral(
        person=world.person, amount=amount, status=status, referred_on=D(2024, 1, 5), status_on=day
    )


def test_loan_without_amount(world):
    loan(world, None)
    loan(world, 0)
    finding = only(world.ward, "loan_without_amount")
    assert finding.count == 2


def test_loans_with_an_amount_or_not_completed_in_the_period_are_clean(world):
    loan(world, 50_000_000)
    loan(world, None, status="approved")
    loan(world, None, day=D(2024, 4, 2))
    assert codes(world.ward) == []


def test_loan_over_cap(world):
    loan(world, 250_000_000)
    loan(world, 200_000_000)  # the cap itself is allowed
    finding = only(world.ward, "loan_over_cap")
    assert finding.count == 1 and "200.000.000 đồng" in finding.text


# -- activity_without_figures ---------------------------------------------------------------


def test_activity_without_figures(world):
    activity(world.ward, participants=0)
    activity(world.ward, kind=Activity.Kind.LEAFLETS, items=0, title="Tờ rơi")
    assert only(world.ward, "activity_without_figures").count == 2


def test_activities_whose_kind_has_no_figure_are_clean(world):
    activity(world.ward, kind=Activity.Kind.PATROL)
    activity(world.ward, kind=Activity.Kind.TEAM_MEETING)
    activity(world.ward, kind=Activity.Kind.LEAFLETS, items=200)
    assert codes(world.ward) == []


# -- team_below_size ------------------------------------------------------------------------


def test_team_below_size(world, settings):
    settings.TEAM_SIZE_MIN = 5
    last = world.members[-1]
    last.left_on, last.left_reason = D(2024, 3, 30), "Chuyển nơi ở"
    last.save()
    finding = only(world.ward, "team_below_size")
    assert finding.count == 1 and "ít hơn 5 thành viên" in finding.text


def test_team_at_the_minimum_on_the_last_day_is_clean(world, settings):
    settings.TEAM_SIZE_MIN = 5
    last = world.members[-1]
    last.left_on, last.left_reason = D(2024, 3, 31), "Chuyển nơi ở"
    last.save()
    assert codes(world.ward) == []


def test_rule_codes_are_unique_and_at_least_twelve():
    rule_codes = [rule.code for rule in checks.RULES]
    assert len(rule_codes) == len(set(rule_codes)) >= 12


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


def test_given_figures_are_used_instead_of_computed(world):
    with CaptureQueriesContext(connection) as computed:
        checks.run(world.ward, PERIOD)
    with CaptureQueriesContext(connection) as given:
        checks.run(world.ward, PERIOD, values={}, previous={})
    assert len(given) < len(computed)


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


# -- the demo --------------------------------------------------------------------------------


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo (seed_demo), seeded once for the class and rolled back after it."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("seed_demo", f"--today={TODAY:%Y-%m-%d}", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def leaders_ward(username: str) -> AdminUnit:
    """The ward whose report the demo leader submits: their current team's."""
    member = Member.objects.select_related("team__ward").get(
        user__username=username, left_on__isnull=True
    )
    return member.team.ward


# The demo's history ends on the day the tests run (seed_demo --today); its planted finding is
# in the last quarter ended that day (seed_demo.late_quarter). The periods looked at: that
# quarter, the one before and the last half-year ended before it.
TODAY = timezone.localdate()
_START = late_quarter(TODAY).start
PLANTED = late_quarter(TODAY).spec
ENDED = (
    default_period(_START),
    PLANTED,
    f"{_START.year}-H1" if _START.month > 6 else f"{_START.year - 1}-H2",
)


@pytest.mark.django_db
class TestTheDemo:
    @pytest.mark.parametrize("cutoff", ["calendar", "official"])
    @pytest.mark.parametrize("spec", ENDED)
    @pytest.mark.parametrize("leader", ["doitruong.lang", "doitruong.kimlien"])
    def test_the_leaders_periods_are_clean_but_for_the_late_decision(
        self, demo, leader, spec, cutoff
    ):
        """The one finding the demo plants (seed_demo.LATE_DECISION): in Phường Láng, an
        illegal-use management due in the middle month of the last ended quarter was ended by
        a decision signed weeks later, so at the quarter's end it is past its due date and
        still running."""
        ward = leaders_ward(leader)
        found = [(x.code, x.count) for x in checks.run(ward, parse(spec, cutoff))]
        planted = leader == "doitruong.lang" and spec == PLANTED
        assert found == ([("enrollment_overdue", 1)] if planted else [])

    def test_the_findings_are_the_same_with_the_reports_figures(self, demo):
        ward = leaders_ward("doitruong.lang")
        period = parse(PLANTED, "official")
        report = build(ward, period)
        given = checks.run(ward, period, values=report.values, previous=report.previous)
        assert given == checks.run(ward, period)
        assert given[0].text == (
            "Có 1 lượt tham gia chương trình đã quá ngày dự kiến kết thúc nhưng đến cuối kỳ vẫn "
            "chưa kết thúc."
        )

    def test_the_month_without_a_team_after_the_merger_shows(self, demo):
        """Phường Kim Liên's team was founded on 11/08/2025: July 2025 has no contact and no
        activity, against about 35 and 30 a month the year before in its former wards."""
        found = checks.run(leaders_ward("doitruong.kimlien"), parse("2025-H2"))
        assert [(x.code, x.count) for x in found] == [("figure_vs_usual_month", 2)]
        assert "lượt tiếp cận, giúp đỡ tháng 07/2025" in found[0].text
        assert "hoạt động được ghi tháng 07/2025" in found[0].text
