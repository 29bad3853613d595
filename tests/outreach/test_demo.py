"""The demo outreach (outreach.demo), seeded once for the module through `seed_demo`.

Seeding the whole demo takes several seconds, so one module-scoped fixture writes it inside a
transaction that is rolled back when the module ends; the tests only read.
"""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from cases.models import Club, Contact, Enrollment, Person
from outreach import demo
from outreach.models import Activity, Partner, Referral, ReferralStatusChange, figure_errors
from wards.models import AdminUnit, Member, Team

pytestmark = pytest.mark.django_db

# The day the seed's history ends: the day the tests run, given to seed_demo as --today so
# that the seed and the tests agree even across midnight.
UNTIL = timezone.localdate()
MERGED = datetime.date(2025, 7, 1)
CLUBS = ("club_b93", "club_early")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("seed_demo", f"--today={UNTIL:%Y-%m-%d}", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def links(field):
    """activity id -> ids linked through the many-to-many `field`."""
    through = getattr(Activity, field).through
    column = {"members": "member_id", "persons": "person_id", "partners": "partner_id"}[field]
    out = defaultdict(list)
    for activity_id, other in through.objects.values_list("activity_id", column):
        out[activity_id].append(other)
    return out


def serving(member, day):
    return member.joined_on <= day and (member.left_on is None or day <= member.left_on)


def reachable(partner, unit):
    """The rule of outreach.services: a national partner, one of the unit's scope, or one of
    a unit above it."""
    return (
        partner.unit_id is None
        or partner.unit_id in AdminUnit.objects.scope_ids([unit])
        or partner.unit.code in unit.path.strip("/").split("/")
    )


def test_every_activity_has_the_figures_its_kind_asks_for(seeded):
    persons = links("persons")
    rows = Activity.objects.values_list(
        "pk", "kind", "sessions", "participants", "items", "minutes", "place", "title"
    )
    for pk, kind, sessions, participants, items, minutes, place, title in rows:
        values = {
            "sessions": sessions,
            "participants": participants,
            "items": items,
            "minutes": minutes,
            "place": place,
            "title": title,
            "persons": persons.get(pk, []),
        }
        assert figure_errors(kind, values) == {}, (pk, kind, values)
        assert title
    assert rows.count() > 15_000


def test_every_kind_of_activity_is_in_the_notebooks(seeded):
    kinds = Counter(Activity.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Activity.Kind.values)
    # one team meeting a month for every team; the clubs of a few wards meet most weekends
    assert kinds["team_meeting"] >= 3000
    assert kinds["club_session"] >= 800
    assert kinds["training"] >= 2 * 13 * 21 * 0.7
    schools = Activity.objects.filter(kind="school_talk")
    assert not schools.filter(place="").exists()
    assert schools.filter(place="Trường THCS Láng Thượng").exists()


def test_activities_happen_when_the_unit_and_its_team_exist_and_never_after_the_demo_stops(
    seeded,
):
    units = {u.pk: u for u in AdminUnit.objects.filter(activities__isnull=False).distinct()}
    teams = defaultdict(list)
    for t in Team.objects.filter(ward__in=units):
        teams[t.ward_id].append((t.established_on, t.dissolved_on or datetime.date.max))
    wards = Activity.objects.filter(unit__level=AdminUnit.Level.COMMUNE)
    for unit_id, day in wards.values_list("unit_id", "occurred_on"):
        unit = units[unit_id]
        assert unit.is_current(day), (unit, day)
        assert any(start <= day <= end for start, end in teams[unit_id]), (unit, day)
        assert day <= UNTIL
    partners = {p.pk: p for p in Partner.objects.select_related("unit")}
    unit_of = dict(Activity.objects.values_list("pk", "unit_id"))
    linked = links("partners")
    for activity_id, partner_ids in linked.items():
        for partner_id in partner_ids:
            assert reachable(partners[partner_id], units[unit_of[activity_id]])
    assert len(linked) >= 500
    last = Activity.objects.order_by("-occurred_on").values_list("occurred_on", flat=True)[0]
    assert UNTIL - datetime.timedelta(days=31) < last <= UNTIL
    assert Activity.objects.filter(unit__parent__code="006", occurred_on__year=2013).exists()


def test_a_half_year_of_the_district_has_hundreds_of_sessions_and_thousands_of_attendances(
    seeded,
):
    half = Activity.objects.filter(
        unit__parent__code="006", occurred_on__range=("2024-01-01", "2024-06-30")
    )
    talks = half.filter(kind__in=Activity.COMMUNICATION).aggregate(
        sessions=Sum("sessions"), participants=Sum("participants")
    )
    assert 150 <= talks["sessions"] <= 1000
    assert 3000 <= talks["participants"] <= 20_000
    leaflets = half.filter(kind="leaflets").aggregate(n=Sum("items"))["n"]
    assert 300 <= leaflets <= 5000
    kinds = set(half.values_list("kind", flat=True))
    assert set(Activity.COMMUNICATION) <= kinds
    assert half.filter(kind="team_meeting").count() >= 21 * 6 * 0.9
    assert half.filter(kind="radio").aggregate(m=Sum("minutes"))["m"] > 0


def test_members_who_took_part_served_in_the_units_team_that_day(seeded):
    members = {m.pk: m for m in Member.objects.select_related("team")}
    taken = links("members")
    wards = Activity.objects.filter(unit__level=AdminUnit.Level.COMMUNE)
    rows = wards.values_list("pk", "unit_id", "occurred_on", "kind")
    for pk, unit_id, day, kind in rows:
        chosen = taken.get(pk, [])
        assert chosen, (pk, kind)
        for member_id in chosen:
            m = members[member_id]
            assert m.team.ward_id == unit_id and serving(m, day), (pk, kind)
        if kind == "team_meeting":
            team = members[chosen[0]].team_id
            on_team = [m for m in members.values() if m.team_id == team and serving(m, day)]
            assert len(chosen) >= len(on_team) / 2
        else:
            assert 1 <= len(chosen) <= 3


def test_team_meetings_are_monthly(seeded):
    months = Counter(
        (unit, day.year, day.month)
        for unit, day in Activity.objects.filter(kind="team_meeting").values_list(
            "unit_id", "occurred_on"
        )
    )
    assert max(months.values()) == 1
    per_unit = Counter(unit for unit, _, _ in months)
    old = AdminUnit.objects.filter(parent__code="006").values_list("pk", flat=True)
    assert all(140 <= per_unit[pk] <= 155 for pk in old)


def test_radio_and_loudspeaker_lines_carry_total_minutes(seeded):
    broadcasts = Activity.objects.filter(kind__in=["radio", "loudspeaker"])
    for sessions, minutes in broadcasts.values_list("sessions", "minutes"):
        assert minutes % sessions == 0 and 10 <= minutes // sessions <= 90
    # the ward radio's broadcasts of a month, quarter or half-year are one line
    radio = broadcasts.filter(kind="radio")
    assert radio.aggregate(n=Sum("sessions"))["n"] >= 2 * radio.count()
    assert radio.filter(sessions__gte=8).exists()
    assert not Activity.objects.exclude(kind__in=["radio", "loudspeaker"]).filter(
        minutes__isnull=False
    )


def test_club_sessions_are_of_their_clubs_members_on_the_register_that_day(seeded):
    persons = {p.pk: p for p in Person.objects.all()}
    clubs = {c.pk: c for c in Club.objects.all()}
    joined = defaultdict(list)
    for e in Enrollment.objects.filter(programme__code__in=CLUBS):
        joined[e.person_id].append(e)
    attended = links("persons")
    sessions = Activity.objects.filter(kind="club_session").values_list(
        "pk", "unit_id", "occurred_on", "participants", "club_id", "title"
    )
    per_club = Counter()
    for pk, unit_id, day, participants, club_id, title in sessions:
        club = clubs[club_id]  # every session is of a club of its ward, meeting that day
        assert club.ward_id == unit_id and club.founded_on <= day
        assert club.closed_on is None or day <= club.closed_on
        assert title == f"Sinh hoạt {club.name}"
        per_club[club.name] += 1
        chosen = attended.get(pk, [])
        assert 1 <= len(chosen) <= participants
        for person_id in chosen:
            person = persons[person_id]
            assert person.registered_on <= day
            assert person.closed_on is None or day <= person.closed_on
            # a member through an enrolment in this very club, holding that day
            assert any(
                e.club_id == club_id and e.started_on <= day <= (e.ended_on or UNTIL)
                for e in joined[person_id]
            )
    assert len(sessions) >= 800
    assert per_club["Câu lạc bộ B93 phường Thổ Quan"] >= 100
    assert per_club["Câu lạc bộ B93 phường Trung Phụng"] >= 100
    assert sum(n for name, n in per_club.items() if "can thiệp sớm" in name) >= 100
    assert not Activity.objects.exclude(kind="club_session").filter(club__isnull=False)


def test_departments_record_their_trainings_at_their_own_unit_never_at_a_ward(seeded):
    above = Activity.objects.exclude(unit__level=AdminUnit.Level.COMMUNE).select_related("unit")
    supervisors = {"district": "giamsat.dongda", "province": "giamsat.hanoi"}
    years = defaultdict(set)
    for a in above:
        assert a.kind == "training" and a.participants and a.title
        assert a.unit.level in (AdminUnit.Level.DISTRICT, AdminUnit.Level.PROVINCE)
        assert a.unit.code in ("006", "01") and a.unit.is_current(a.occurred_on)
        assert a.occurred_on.weekday() < 5 and a.occurred_on <= UNTIL
        if a.created_by_id is not None:
            level = "district" if a.unit.code == "006" else "province"
            assert a.created_by.username == supervisors[level]
        years[a.unit.code].add(a.occurred_on.year)
    # no team members, persons or club: the department ran it
    ids = set(above.values_list("pk", flat=True))
    assert not ids & (set(links("members")) | set(links("persons")))
    assert not above.filter(club__isnull=False).exists()
    assert years["006"] >= set(range(2014, 2026)) - {2020, 2021}
    assert max(years["006"]) == 2025 and UNTIL.year - 1 <= max(years["01"]) <= UNTIL.year
    assert not above.filter(unit__code="006", occurred_on__gte=MERGED).exists()
    assert above.filter(unit__code="006", created_by__username="giamsat.dongda").exists()
    assert above.filter(unit__code="01", created_by__username="giamsat.hanoi").exists()
    # the trainings of a ward's own team stay at the ward
    assert Activity.objects.filter(kind="training", unit__level=AdminUnit.Level.COMMUNE).exists()


def test_some_broadcasts_record_an_estimated_audience(seeded):
    for kind, low, high in (("loudspeaker", 0.2, 0.4), ("radio", 0.03, 0.15)):
        lines = Activity.objects.filter(kind=kind)
        heard = lines.filter(participants__isnull=False)
        assert low <= heard.count() / lines.count() <= high, kind
        for sessions, participants in heard.values_list("sessions", "participants"):
            assert 30 * sessions <= participants <= 150 * sessions
    radio = Activity.objects.filter(kind="radio", participants__isnull=False)
    for note, participants in radio.values_list("note", "participants"):
        assert note.endswith(f"khoảng {participants:,} lượt người nghe".replace(",", "."))


def test_a_club_meeting_is_recorded_once_either_as_contacts_or_as_a_club_session(seeded):
    # casework.group_sessions and group_participants add both: one meeting must not be in both
    contacts = set(
        Contact.objects.filter(kind="group_session").values_list("ward_id", "occurred_on")
    )
    clubs = set(Activity.objects.filter(kind="club_session").values_list("unit_id", "occurred_on"))
    assert contacts and clubs and not contacts & clubs
    # the clubs still meet about weekly: more club sessions than months with a group session
    months = {(ward, day.year, day.month) for ward, day in contacts}
    assert len(clubs) > len(months)


def test_referral_histories_follow_the_transitions_and_end_in_the_referrals_status(seeded):
    history = defaultdict(list)
    for c in ReferralStatusChange.objects.order_by("changed_on", "pk"):
        history[c.referral_id].append(c)
    referrals = Referral.objects.all()
    assert referrals.count() >= 1500
    for r in referrals:
        steps = history[r.pk]
        assert steps[0].status == "referred" and steps[0].changed_on == r.referred_on
        for before, after in zip(steps, steps[1:], strict=False):
            assert after.status in Referral.TRANSITIONS[before.status], r.pk
            assert before.changed_on <= after.changed_on <= UNTIL
        assert (steps[-1].status, steps[-1].changed_on) == (r.status, r.status_on)


def test_referrals_are_made_while_the_person_is_on_the_register_of_that_ward(seeded):
    successor = dict(AdminUnit.objects.filter(parent__code="006").values_list("pk", "successor"))
    units = {u.pk: u for u in AdminUnit.objects.filter(referrals__isnull=False).distinct()}
    partners = {p.pk: p for p in Partner.objects.select_related("unit")}
    members = {m.pk: m for m in Member.objects.select_related("team")}
    last_change = dict(
        ReferralStatusChange.objects.order_by("changed_on").values_list("referral", "changed_on")
    )
    for r in Referral.objects.select_related("person"):
        person = r.person
        assert person.registered_on <= r.referred_on
        if person.closed_on:
            assert r.referred_on < person.closed_on and last_change[r.pk] <= person.closed_on
        if r.referred_on < MERGED:
            assert r.ward_id in successor
            assert person.ward_id in (r.ward_id, successor[r.ward_id])
        else:
            assert r.ward_id == person.ward_id
        if r.partner_id:
            assert reachable(partners[r.partner_id], units[r.ward_id]), r.pk
        if r.member_id:
            member = members[r.member_id]
            assert member.team.ward_id == r.ward_id and serving(member, r.referred_on)


def test_money_is_recorded_only_where_it_belongs(seeded):
    money = Referral.objects.filter(kind__in=Referral.MONEY_KINDS)
    assert not Referral.objects.exclude(kind__in=Referral.MONEY_KINDS).filter(amount__isnull=False)
    assert not Referral.objects.exclude(kind__in=Referral.MONEY_KINDS).filter(for_household=True)
    loans = money.filter(kind="loan")
    assert not loans.filter(status="completed", amount__isnull=True)
    for day, amount in loans.values_list("referred_on", "amount"):
        assert 30_000_000 <= amount <= (200_000_000 if day >= demo.QD_08_2026_ON else 100_000_000)
    # QĐ 08/2026/QĐ-TTg: up to 200 million đồng to a person after rehabilitation, from May 2026
    big = loans.filter(amount__gt=100_000_000)
    assert big.exists() and not big.filter(for_household=True)
    assert not big.filter(referred_on__lt=demo.QD_08_2026_ON)
    assert loans.filter(for_household=True).exists() and loans.filter(for_household=False)
    gifts = set(money.filter(kind="gift").values_list("amount", flat=True))
    assert gifts and min(gifts) >= 300_000 and max(gifts) <= 500_000
    for amount in money.filter(kind="hardship_support").values_list("amount", flat=True):
        assert 1_000_000 <= amount <= 5_000_000


def test_referrals_of_every_kind_and_outcome_with_some_still_open(seeded):
    kinds = Counter(Referral.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Referral.Kind.values)
    assert kinds.most_common(1)[0][0] == "gift"
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    assert set(statuses) == set(Referral.Status.values)
    assert statuses["completed"] > 0.7 * sum(statuses.values())
    still = Referral.objects.open()
    assert still.count() >= 10
    assert not still.filter(referred_on__lt=UNTIL - datetime.timedelta(days=365))
    assert still.filter(referred_on__lt=UNTIL - datetime.timedelta(days=60)).exists()
    # loans go to people after treatment and drug users first
    borrowers = Counter(
        Referral.objects.filter(kind="loan").values_list("person__group", flat=True)
    )
    using = sum(borrowers[g] for g in ("post_rehab", "drug_user", "addicted"))
    assert using > sum(borrowers.values()) / 2


def test_partners_serve_todays_wards_and_a_few_old_ones(seeded):
    national = Partner.objects.filter(unit__isnull=True)
    assert set(national.values_list("name", flat=True)) == {demo.BANK, demo.FUND}
    for ward in AdminUnit.objects.filter(name__in=demo.wards_demo.SUCCESSORS, parent__code="01"):
        kinds = set(ward.partners.values_list("kind", flat=True))
        assert {"employer", "training", "methadone", "health", "legal"} <= kinds
    old = Partner.objects.filter(unit__parent__code="006").values("unit").distinct().count()
    assert 3 <= old <= 10
    used = Referral.objects.filter(partner__isnull=False).values("partner").distinct().count()
    assert used >= 20


def test_records_are_written_by_the_leader_of_the_day(seeded):
    User = get_user_model()
    leader = User.objects.get(username="doitruong.lang")
    lang = AdminUnit.objects.get(name="Phường Láng", parent__code="01")
    founded = Team.objects.get(ward=lang, dissolved_on__isnull=True).established_on
    recent = Referral.objects.filter(ward=lang, referred_on__gte=founded)
    assert recent.exists() and not recent.exclude(created_by=leader)
    volunteer = User.objects.get(username="tnv.lang")
    mine = Activity.objects.filter(created_by=volunteer)
    assert mine.exists() and not mine.exclude(members__user=volunteer)
    assert Referral.objects.filter(created_by__isnull=True).exists()  # no login in old teams


def test_the_outreach_is_the_same_on_every_run(seeded):
    first, second = demo.plan(UNTIL), demo.plan(UNTIL)
    assert first.digest() == second.digest()
    assert Activity.objects.count() == len(first.activities)
    assert Referral.objects.count() == len(first.referrals)
    assert ReferralStatusChange.objects.count() == sum(len(r.steps) for r in first.referrals)
    planned = Counter((a.kind, a.occurred_on, a.sessions) for a in first.activities)
    written = Counter(Activity.objects.values_list("kind", "occurred_on", "sessions"))
    assert written == planned
    assert f"outreach: {len(first.activities)} activities" in seeded
