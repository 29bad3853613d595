"""The figures of the revised INDICATORS.md, one rule at a time, for the unit and each child
unit: minutes by channel, persons met directly, persons counselled by topic, persons assessed
and their last result, programmes and clubs, loans split between persons and households,
training or a job as one figure, and activities of a district or province unit."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Assessment, Club, Contact, ContactTopic, Programme
from outreach.models import Activity, Referral
from reports.indicators import catalogue
from reports.periods import parse
from reports.rollup import tally
from tests import factories as f

D = datetime.date
H1 = parse("2024-H1")  # 01/01/2024 – 30/06/2024
K, T, R = Contact.Kind, Contact.Topic, Assessment.Result

pytestmark = pytest.mark.django_db


@pytest.fixture
def area():
    """A province of two districts: D1 with wards W1 and W2, D2 with W3."""
    province = f.unit(code="P1", level="province", name="Tỉnh")
    d1 = f.unit(code="D1", level="district", parent=province, name="Huyện 1")
    d2 = f.unit(code="D2", level="district", parent=province, name="Huyện 2")
    w1 = f.unit(code="W1", parent=d1, name="Xã 1")
    w2 = f.unit(code="W2", parent=d1, name="Xã 2")
    w3 = f.unit(code="W3", parent=d2, name="Xã 3")
    return type(
        "Area", (), {"province": province, "d1": d1, "d2": d2, "w1": w1, "w2": w2, "w3": w3}
    )


def figures(unit, period=H1):
    """The unit's figures, and each child's by the child's code."""
    t = tally(unit, period)
    return t.values, {c.code: t.by_child[c.pk] for c in t.children}


def test_minutes_are_split_by_channel_and_radio_may_have_listeners(area):
    for kind, minutes, listeners in (
        (Activity.Kind.RADIO, 30, 1535),
        (Activity.Kind.RADIO, 15, None),
        (Activity.Kind.LOUDSPEAKER, 20, 400),
        (Activity.Kind.SCHOOL_TALK, None, 120),
    ):
        Activity.objects.create(
            unit=area.w1,
            occurred_on=D(2024, 3, 1),
            kind=kind,
            minutes=minutes,
            participants=listeners,
        )
    Activity.objects.create(
        unit=area.w2, occurred_on=D(2024, 7, 1), kind=Activity.Kind.RADIO, minutes=60
    )
    total, child = figures(area.d1)
    assert total["outreach.minutes.radio"] == 45
    assert total["outreach.minutes.loudspeaker"] == 20
    assert total["outreach.radio_minutes"] == 65
    assert total["outreach.participants.radio"] == 1535
    assert total["outreach.participants.loudspeaker"] == 400
    assert child["W1"]["outreach.minutes.radio"] == 45
    assert child["W2"]["outreach.minutes.radio"] == 0


def test_persons_met_directly_are_distinct_persons_of_visits_and_meetings(area):
    a, b, c, d = (f.person(ward=area.w1) for _ in range(4))
    f.contact(person=a, kind=K.HOME_VISIT, occurred_on=D(2024, 2, 1))
    f.contact(person=a, kind=K.MEETING, occurred_on=D(2024, 3, 1))
    f.contact(person=b, kind=K.PHONE)
    f.contact(person=c, kind=K.MEETING, ward=area.w2, occurred_on=D(2024, 6, 30))
    f.contact(person=d, kind=K.HOME_VISIT, occurred_on=D(2024, 7, 1))  # after the period
    total, child = figures(area.d1)
    assert total["casework.persons_met_direct"] == 2
    assert total["casework.counselling_direct"] == 3
    assert child["W1"]["casework.persons_met_direct"] == 1
    assert child["W2"]["casework.persons_met_direct"] == 1


def test_persons_counselled_by_topic_count_each_person_once_per_topic(area):
    a, b = f.person(ward=area.w1), f.person(ward=area.w2)

    def contact(person, day, *topics, ward=None):
        c = f.contact(person=person, occurred_on=day, ward=ward or person.ward)
        ContactTopic.objects.bulk_create(ContactTopic(contact=c, topic=t) for t in topics)

    contact(a, D(2024, 2, 1), T.PSYCHOLOGICAL, T.LEGAL)
    contact(a, D(2024, 3, 1), T.PSYCHOLOGICAL)
    contact(a, D(2024, 4, 1), T.LEGAL, ward=area.w2)  # a met in W2 too
    contact(b, D(2024, 6, 30), T.LEGAL, T.HEALTH)
    contact(b, D(2023, 12, 31), T.FAMILY)  # before the period
    total, child = figures(area.d1)
    assert {t: total[f"casework.counselled.{t}"] for t in T} == {
        T.PSYCHOLOGICAL: 1,
        T.CAREER: 0,
        T.LEGAL: 2,
        T.HEALTH: 1,
        T.FAMILY: 0,
    }
    assert child["W1"]["casework.counselled.legal"] == 1
    assert child["W2"]["casework.counselled.legal"] == 2  # a's contact in W2, and b
    assert child["W2"]["casework.counselled.psychological"] == 0


def test_the_last_assessment_of_the_period_gives_the_result_within_each_level(area):
    a, b, c = (f.person(ward=area.w1) for _ in range(3))

    def assess(person, day, result, ward=None):
        return Assessment.objects.create(
            person=person, ward=ward or person.ward, assessed_on=day, result=result
        )

    # a: progressing in W1, then relapsed in W2 — the district's last is W2's.
    assess(a, D(2024, 2, 1), R.PROGRESSING)
    assess(a, D(2024, 3, 1), R.RELAPSED, ward=area.w2)
    assess(a, D(2024, 7, 1), R.PROGRESSING, ward=area.w2)  # after the period
    # b: two on one day, the later written (highest pk) wins.
    assess(b, D(2024, 5, 5), R.RELAPSED)
    assess(b, D(2024, 5, 5), R.PROGRESSING)
    # c: the one before the period does not count.
    assess(c, D(2024, 1, 5), R.NOT_PROGRESSING)
    assess(c, D(2023, 12, 31), R.RELAPSED)

    total, child = figures(area.d1)
    assert total["casework.assessed"] == 3
    assert {r: total[f"casework.assessed.{r}"] for r in R} == {
        R.PROGRESSING: 1,
        R.NOT_PROGRESSING: 1,
        R.RELAPSED: 1,
    }
    # Each child by the person's last assessment there: a is progressing in W1.
    assert child["W1"]["casework.assessed"] == 3
    assert child["W1"]["casework.assessed.progressing"] == 2
    assert child["W1"]["casework.assessed.relapsed"] == 0
    assert child["W2"]["casework.assessed"] == 1
    assert child["W2"]["casework.assessed.relapsed"] == 1
    # A child's column is what the child's own report shows.
    for ward in (area.w1, area.w2):
        assert tally(ward, H1).values == child[ward.code]
    # The province sees D1 whole: a's last is W2's relapse.
    _total, by_district = figures(area.province)
    assert by_district["D1"]["casework.assessed.relapsed"] == 1
    assert by_district["D1"] == total


def test_programmes_count_with_inclusive_end_dates(area):
    b93 = f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)
    codes = catalogue().codes
    assert {"programmes.enrolled.b93", "programmes.new.b93", "programmes.took_part.b93"} <= set(
        codes
    )
    p = [f.person(ward=area.w1) for _ in range(6)]
    for person, started, ended in (
        (p[0], D(2023, 5, 1), D(2024, 6, 30)),  # its last day is the period's
        (p[1], D(2024, 2, 1), D(2024, 6, 29)),
        (p[2], D(2024, 7, 1), None),  # after the period
        (p[3], D(2023, 1, 1), D(2023, 12, 31)),  # before it
        (p[4], D(2023, 1, 1), D(2024, 1, 1)),
    ):
        reason = "completed" if ended else ""
        f.enrollment(
            person=person, programme=b93, started_on=started, ended_on=ended, end_reason=reason
        )
    f.enrollment(person=p[5], programme=b93, started_on=D(2024, 6, 30), ward=area.w2)
    total, child = figures(area.d1)
    assert total["programmes.enrolled.b93"] == 2  # p0 (last day 30/06) and p5
    assert total["programmes.new.b93"] == 2  # p1, p5
    assert total["programmes.took_part.b93"] == 4  # p0, p1, p4, p5
    assert child["W1"]["programmes.took_part.b93"] == 3
    assert child["W2"]["programmes.enrolled.b93"] == 1
    # The post-rehab programmes have their rows as well.
    assert total["programmes.enrolled.post_rehab_12"] == 0


def test_clubs_closed_on_the_last_day_still_count_with_their_members(area):
    b93 = f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)

    def club(name, ward, founded, closed=None):
        return Club.objects.create(
            ward=ward, programme=b93, name=name, founded_on=founded, closed_on=closed
        )

    open_till_end = club("Đến cuối kỳ", area.w1, D(2022, 1, 1), D(2024, 6, 30))
    closed_before = club("Đóng trước", area.w1, D(2022, 1, 1), D(2024, 6, 29))
    later = club("Sau kỳ", area.w2, D(2024, 7, 1))
    gone = club("Đã giải thể", area.w2, D(2020, 1, 1), D(2023, 12, 31))
    p = [f.person(ward=area.w1) for _ in range(5)]
    f.enrollment(person=p[0], programme=b93, club=open_till_end, started_on=D(2023, 1, 1))
    f.enrollment(person=p[1], programme=b93, club=closed_before, started_on=D(2023, 1, 1))
    f.enrollment(person=p[2], programme=b93, club=later, started_on=D(2024, 7, 1), ward=area.w2)
    # The enrolment outlasts its dissolved club: not a member during the period.
    f.enrollment(person=p[3], programme=b93, club=gone, started_on=D(2023, 1, 1), ward=area.w2)
    # Ended in the period: a member during it, not at its end.
    f.enrollment(
        person=p[4],
        programme=b93,
        club=open_till_end,
        started_on=D(2023, 1, 1),
        ended_on=D(2024, 3, 31),
        end_reason="completed",
    )
    total, child = figures(area.d1)
    assert total["programmes.clubs"] == 1
    assert total["programmes.club_members"] == 1  # p0
    assert total["programmes.club_members_in_period"] == 3  # p0, p1, p4
    assert child["W1"]["programmes.clubs"] == 1
    assert child["W2"]["programmes.clubs"] == 0
    assert child["W2"]["programmes.club_members_in_period"] == 0
    earlier = figures(area.d1, parse("2024-06-01..2024-06-29"))[0]
    assert earlier["programmes.clubs"] == 2  # closed_before on its last day
    assert earlier["programmes.club_members"] == 2  # p0, p1


def test_loans_are_split_between_persons_and_households(area):
    a, b, c = (f.person(ward=area.w1) for _ in range(3))
    done = {"status": Referral.Status.COMPLETED, "status_on": D(2024, 5, 1)}
    f.referral(person=a, amount=10_000_000, **done)
    f.referral(person=a, amount=5_000_000, **done)
    f.referral(person=b, amount=20_000_000, for_household=True, **done)
    f.referral(person=c, amount=50_000_000, ward=area.w2, for_household=True, **done)
    f.referral(person=c, amount=7_000_000)  # not disbursed
    total, child = figures(area.d1)
    assert total["support.loan_amount"] == 85_000_000
    assert total["support.loan_amount.persons"] == 15_000_000
    assert total["support.loan_amount.households"] == 70_000_000
    assert total["support.loan_persons"] == 1
    assert total["support.loan_households"] == 2
    assert child["W2"]["support.loan_amount.households"] == 50_000_000
    assert child["W2"]["support.loan_amount.persons"] == 0


def test_training_or_a_job_counts_each_person_once(area):
    a, b, c = (f.person(ward=area.w1) for _ in range(3))
    done = {"status": Referral.Status.COMPLETED, "status_on": D(2024, 5, 1)}
    f.referral(person=a, kind=Referral.Kind.VOCATIONAL_TRAINING, **done)
    f.referral(person=a, kind=Referral.Kind.JOB, **done)
    f.referral(person=b, kind=Referral.Kind.JOB, **done)
    f.referral(person=c, kind=Referral.Kind.JOB)  # referred, no job yet
    total, _child = figures(area.d1)
    assert total["support.vocational_training"] == 1
    assert total["support.jobs"] == 2
    assert total["support.training_or_job"] == 2


def test_an_activity_of_a_district_counts_for_it_and_above_never_in_a_ward(area):
    Activity.objects.create(
        unit=area.d1,
        occurred_on=D(2024, 4, 1),
        kind=Activity.Kind.TRAINING,
        sessions=2,
        participants=40,
    )
    Activity.objects.create(
        unit=area.province,
        occurred_on=D(2024, 4, 2),
        kind=Activity.Kind.TRAINING,
        participants=60,
    )
    Activity.objects.create(
        unit=area.w1, occurred_on=D(2024, 4, 3), kind=Activity.Kind.TRAINING, participants=5
    )
    province, districts = figures(area.province)
    assert province["team.trainings"] == 4 and province["team.trainees"] == 105
    assert districts["D1"]["team.trainings"] == 3 and districts["D1"]["team.trainees"] == 45
    assert districts["D2"]["team.trainings"] == 0
    district, wards = figures(area.d1)
    assert district["team.trainings"] == 3 and district["team.trainees"] == 45
    assert wards["W1"]["team.trainings"] == 1 and wards["W2"]["team.trainings"] == 0
    assert figures(area.w1)[0]["team.trainees"] == 5


def test_every_code_of_the_catalogue_is_computed(area):
    f.programme("b93", name="CLB B93", category=Programme.Category.CLUB)
    t = tally(area.d1, H1)
    assert tuple(t.values) == t.catalogue.codes == catalogue().codes
    assert all(tuple(v) == t.catalogue.codes for v in t.by_child.values())
