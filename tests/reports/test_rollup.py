"""The rollup's query budget: the number of queries of `tally()` does not grow with the number
of child units or of records (issue 5: "a query-count test showing the same number of queries
for 1 child unit and 30")."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import (
    Assessment,
    Assignment,
    Club,
    Contact,
    ContactTopic,
    Enrollment,
    Milestone,
    Person,
    Programme,
)
from outreach.models import Activity, Referral
from reports.periods import parse
from reports.rollup import tally
from tests import factories as f
from wards.models import AdminUnit, Member, Team

D = datetime.date
PERIOD = parse("2024-H1")
# Every query, whatever the size of the district: the catalogue's programmes, the scope (a
# few), each source's total and its per-child grouping (15 sources).
BUDGET = 35

pytestmark = pytest.mark.django_db


def district(wards: int, *, tag: str = "8") -> tuple[AdminUnit, list[AdminUnit]]:
    """A district of `wards` wards, and a ward merged into the first one before the period
    (so the scope follows a successor)."""
    province = f.unit(code=f"P{tag}", level="province")
    unit = f.unit(code=f"D{tag}", level="district", parent=province)
    children = [f.unit(code=f"W{tag}{i:03d}", parent=unit) for i in range(wards)]
    f.unit(
        code=f"W{tag}OLD",
        parent=unit,
        valid_until=D(2023, 6, 30),
        successor=children[0],
    )
    return unit, children


def records(wards: list[AdminUnit], n: int) -> None:
    """`n` rows of every kind the report reads, spread over the wards, all in the period."""
    post_rehab = Programme.objects.filter(category=Programme.Category.POST_REHAB).first()
    teams = [
        Team.objects.filter(ward=w).first()
        or Team.objects.create(ward=w, name="Đội", established_on=D(2020, 1, 1))
        for w in wards
    ]
    members = Member.objects.bulk_create(
        Member(
            team=teams[i % len(teams)],
            full_name="TV",
            sex="male",
            role="member",
            joined_on=D(2021, 1, 1),
        )
        for i in range(n)
    )
    persons = Person.objects.bulk_create(
        Person(
            ward=wards[i % len(wards)],
            registered_ward=wards[i % len(wards)],
            full_name="Người",
            sex="male",
            birth_year=1990,
            group=list(Person.Group)[i % len(Person.Group)],
            registered_on=D(2024, 1, 1 + i % 28),
            consent_on=D(2024, 1, 1),
        )
        for i in range(n)
    )
    day = [D(2024, 1 + i % 6, 1 + i % 28) for i in range(n)]
    Enrollment.objects.bulk_create(
        Enrollment(person=p, programme=post_rehab, ward=p.ward, started_on=day[i])
        for i, p in enumerate(persons)
    )
    club_programme, _ = Programme.objects.get_or_create(
        code="b93", defaults={"name": "CLB B93", "category": Programme.Category.CLUB}
    )
    clubs = [
        Club.objects.get_or_create(
            ward=w, name="CLB", defaults={"programme": club_programme, "founded_on": D(2023, 1, 1)}
        )[0]
        for w in wards
    ]
    Enrollment.objects.bulk_create(
        Enrollment(
            person=p,
            programme=club_programme,
            ward=p.ward,
            club=clubs[i % len(wards)],
            started_on=day[i],
        )
        for i, p in enumerate(persons)
    )
    # Two assessments a person, the second in the next ward (the last-result rule per level).
    Assessment.objects.bulk_create(
        Assessment(
            person=p,
            ward=wards[(i + k) % len(wards)],
            assessed_on=day[i],
            result=list(Assessment.Result)[(i + k) % len(Assessment.Result)],
        )
        for i, p in enumerate(persons)
        for k in range(2)
    )
    Assignment.objects.bulk_create(
        Assignment(person=p, member=members[i], started_on=day[i]) for i, p in enumerate(persons)
    )
    Contact.objects.bulk_create(
        Contact(
            person=p,
            ward=p.ward,
            person_group=p.group,
            occurred_on=day[i],
            kind=list(Contact.Kind)[i % len(Contact.Kind)],
        )
        for i, p in enumerate(persons)
    )
    ContactTopic.objects.bulk_create(
        ContactTopic(contact=c, topic=list(Contact.Topic)[i % len(Contact.Topic)])
        for i, c in enumerate(Contact.objects.filter(person__in=persons).order_by("pk"))
    )
    Milestone.objects.bulk_create(
        Milestone(
            person=p,
            ward=p.ward,
            occurred_on=day[i],
            kind=list(Milestone.Kind)[i % len(Milestone.Kind)],
        )
        for i, p in enumerate(persons)
    )
    Referral.objects.bulk_create(
        Referral(
            person=p,
            ward=p.ward,
            kind="loan",
            referred_on=day[i],
            status="completed",
            status_on=day[i],
            amount=1_000_000,
            for_household=bool(i % 2),
        )
        for i, p in enumerate(persons)
    )
    Activity.objects.bulk_create(
        Activity(
            unit=wards[i % len(wards)],
            occurred_on=day[i],
            kind="community_meeting",
            participants=10,
        )
        for i in range(n)
    )


def queries(unit: AdminUnit, **kwargs) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = tally(unit, PERIOD, **kwargs)
    return len(ctx.captured_queries), result


def test_same_queries_for_one_child_unit_and_thirty():
    one, (ward,) = district(1)
    records([ward], 5)
    n_one, t_one = queries(one)
    assert [c.pk for c in t_one.children] == [ward.pk]
    thirty, wards = district(30, tag="9")
    records(wards, 60)
    n_thirty, t_thirty = queries(thirty)
    assert len(t_thirty.children) == 30
    assert t_thirty.values["casework.persons_reached"] == 60
    assert n_one == n_thirty <= BUDGET


def test_same_queries_for_one_record_and_two_hundred():
    unit, wards = district(3)
    records(wards, 1)
    n_small, small = queries(unit)
    assert small.values["casework.new_persons"] == 1
    records(wards, 199)
    n_large, large = queries(unit)
    assert large.values["casework.new_persons"] == 200
    assert large.values["outreach.sessions"] == 200
    assert large.values["team.caseload"] == 200
    assert large.values["programmes.took_part.b93"] == 200
    assert large.values["casework.assessed"] == 200
    assert n_small == n_large <= BUDGET


def test_same_queries_with_and_without_records():
    unit, wards = district(3)
    n_empty, empty = queries(unit)
    assert not any(empty.values.values())
    records(wards, 20)
    n_full, _full = queries(unit)
    assert n_empty == n_full


def test_a_ward_alone_and_without_children_costs_no_more():
    unit, wards = district(30)
    records(wards, 30)
    n_district, _ = queries(unit)
    # wards[1]: no merged predecessor, whose lookup would add a step to the scope's queries
    n_ward, ward = queries(wards[1])
    assert ward.children == [] and ward.by_child == {}
    n_total_only, only = queries(unit, children=False)
    assert only.by_child == {}
    assert n_ward <= n_district and n_total_only <= n_district


def test_a_province_costs_the_same_however_many_districts():
    province = f.unit(code="P7", level="province")
    districts = [f.unit(code=f"D7{i}", level="district", parent=province) for i in range(2)]
    wards = [f.unit(code=f"W7{i}", parent=districts[i % 2]) for i in range(4)]
    records(wards, 10)
    n_two, _ = queries(province)
    more = [f.unit(code=f"D7{i}", level="district", parent=province) for i in range(2, 20)]
    records([f.unit(code=f"W7X{i}", parent=d) for i, d in enumerate(more)], 40)
    n_twenty, t = queries(province)
    assert len(t.children) == 20
    assert n_two == n_twenty <= BUDGET


postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="GROUPING SETS and array subscripts: PostgreSQL"
)


@postgresql
def test_postgresql_reads_each_source_once_for_the_unit_and_its_children():
    unit, wards = district(5)
    records(wards, 20)
    n_children, _ = queries(unit)
    n_total_only, _ = queries(unit, children=False)
    assert n_children == n_total_only


@postgresql
def test_one_grouped_scan_gives_the_figures_of_two_queries(monkeypatch):
    """The PostgreSQL path (one `GROUPING SETS` query per source, the child unit looked up in
    an array) against the portable one (an aggregate and a CASE grouping) on the same rows,
    for a district with a merged ward and a province above districts."""
    unit, wards = district(4)
    records(wards, 40)
    province = f.unit(code="P6", level="province")
    districts = [f.unit(code=f"D6{i}", level="district", parent=province) for i in range(3)]
    records([f.unit(code=f"W6{i}", parent=districts[i % 3]) for i in range(6)], 30)
    for top in (unit, province, wards[0]):
        grouped = tally(top, PERIOD)
        with monkeypatch.context() as m:
            m.setattr(connection, "vendor", "portable")
            portable = tally(top, PERIOD)
        assert grouped.values == portable.values
        assert grouped.by_child == portable.by_child
        assert any(grouped.values.values())
