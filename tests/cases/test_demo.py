"""The demo casework (cases.demo), seeded once for the module through `seed_demo`.

Seeding takes a few seconds, so one module-scoped fixture writes it inside a transaction that
is rolled back when the module ends; the tests only read. Only Hà Nội is loaded.
"""

import datetime
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cases import demo
from cases.models import (
    Assessment,
    Assignment,
    Club,
    Contact,
    ContactTopic,
    Enrollment,
    GroupChange,
    Milestone,
    Person,
)
from cases.services import add_months
from cases.text import fold
from wards import demo as wards_demo
from wards.models import AdminUnit, Member, Team

pytestmark = pytest.mark.django_db

# The day the seed's history ends: the day the tests run, given to seed_demo as --today so
# that the seed and the tests agree even across midnight.
UNTIL = timezone.localdate()
MERGED = datetime.date(2025, 7, 1)
USING = {"drug_user", "addicted", "post_rehab"}


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


def user(username):
    return get_user_model().objects.get(username=username)


def test_the_register_holds_about_700_persons_of_every_group(seeded):
    plan = demo.plan(UNTIL)
    per_old_ward = Counter(p.old_ward for p in plan.persons if p.old_ward)
    assert len(per_old_ward) == 21
    assert all(25 <= n <= 40 for n in per_old_ward.values())

    persons = Person.objects.all()
    assert 600 <= persons.count() <= 800
    closed = persons.filter(status="closed").count() / persons.count()
    assert 0.25 <= closed <= 0.45
    came_in_as = Counter(p.groups[0][1] for p in plan.persons)
    assert set(came_in_as) == set(Person.Group.values)
    others = [came_in_as[g] for g in ("high_risk", "sex_work", "trafficking", "other")]
    assert min(came_in_as[g] for g in USING) > max(others)
    assert 15_000 <= Contact.objects.count() <= 25_000
    assert f"casework: {persons.count()} persons" in seeded


def test_every_person_is_complete_and_searchable(seeded):
    for p in Person.objects.select_related("area"):
        assert p.search_key == fold(f"{p.full_name} {p.alias}")
        assert p.consent_on == p.registered_on
        assert 1965 <= p.birth_year <= 2005
        assert p.birth_date is None or p.birth_date.year == p.birth_year
        assert p.area.ward_id == p.ward_id
        assert datetime.date(2012, 9, 1) <= p.registered_on <= UNTIL
        assert (p.status == "closed") == (p.closed_on is not None) == bool(p.closed_reason)
    minors = Person.objects.filter(
        group="high_risk", birth_year__gte=2005 - 17, registered_on__lt="2023-01-01"
    )
    assert any(p.registered_on.year - p.birth_year < 18 for p in minors)


def test_the_demo_is_the_same_on_every_run(seeded):
    first, second = demo.plan(UNTIL), demo.plan(UNTIL)
    assert first.digest() == second.digest()
    planned = sorted((p.full_name, p.registered_on, p.closed_on) for p in first.persons)
    written = sorted(Person.objects.values_list("full_name", "registered_on", "closed_on"))
    assert written == planned
    assert Contact.objects.count() == sum(len(p.contacts) for p in first.persons)
    assert GroupChange.objects.count() == sum(len(p.groups) for p in first.persons)
    assert ContactTopic.objects.count() == sum(
        len(c.topics) for p in first.persons for c in p.contacts
    )
    planned_clubs = sorted((c.name, c.founded_on, c.closed_on) for c in first.clubs)
    assert sorted(Club.objects.values_list("name", "founded_on", "closed_on")) == planned_clubs


def test_nothing_happens_after_the_demo_stops(seeded):
    dates = [
        *Person.objects.values_list("registered_on", "closed_on"),
        *Enrollment.objects.values_list("started_on", "ended_on", "decision_on"),
        *Assignment.objects.values_list("started_on", "ended_on"),
        *Contact.objects.values_list("occurred_on"),
        *Milestone.objects.values_list("occurred_on"),
        *Assessment.objects.values_list("assessed_on"),
    ]
    assert max(d for row in dates for d in row if d) == UNTIL


def test_casework_happens_while_the_file_is_open_by_members_serving_that_day(seeded):
    files = {p.pk: (p.registered_on, p.closed_on or UNTIL) for p in Person.objects.all()}
    serving = {
        m.pk: (m.joined_on, m.left_on or datetime.date.max)
        for m in Member.objects.filter(team__in=Team.objects.all())
    }
    for model, day in (
        (Contact, "occurred_on"),
        (Milestone, "occurred_on"),
        (Assessment, "assessed_on"),
        (Enrollment, "started_on"),
        (Assignment, "started_on"),
    ):
        member = "member_id" if model in (Contact, Assessment, Assignment) else "pk"
        for person_id, member_id, on in model.objects.values_list("person_id", member, day):
            first, last = files[person_id]
            assert first <= on <= last, model
            if member_id and member != "pk":
                joined, left = serving[member_id]
                assert joined <= on <= left, model  # `left_on` is the member's last day


def test_nobody_has_two_helpers_at_once(seeded):
    spans = defaultdict(list)
    for row in Assignment.objects.values_list("person_id", "started_on", "ended_on"):
        spans[row[0]].append(row[1:])
    for rows in spans.values():
        rows.sort()
        assert sum(1 for _, end in rows if end is None) <= 1
        # `ended_on` is the last day: the next helper starts the day after at the earliest
        for (_, end), (start, _) in zip(rows, rows[1:], strict=False):
            assert end is not None and end < start


def test_every_active_person_is_followed_by_an_active_member_of_their_wards_team(seeded):
    active = Person.objects.filter(status="active")
    open_ = Assignment.objects.filter(ended_on__isnull=True).select_related("member__team")
    by_person = {a.person_id: a for a in open_}
    assert len(by_person) == open_.count()
    for person in active:
        member = by_person[person.pk].member
        assert member.left_on is None and member.team.dissolved_on is None
        assert member.team.ward_id == person.ward_id
    assert not open_.filter(person__status="closed").exists()


def test_the_merger_moves_active_persons_and_their_helpers_to_todays_ward(seeded):
    old = AdminUnit.objects.filter(parent__code=wards_demo.DISTRICT_CODE)
    successor = dict(old.values_list("pk", "successor_id"))
    founded = dict(
        Team.objects.filter(dissolved_on__isnull=True).values_list("ward", "established_on")
    )
    first_ward = {}
    for person_id, ward_id in Contact.objects.order_by("occurred_on").values_list(
        "person_id", "ward_id"
    ):
        first_ward.setdefault(person_id, ward_id)
    moved = 0
    for person in Person.objects.filter(registered_on__lt=MERGED):
        was = first_ward.get(person.pk)
        if was is None:
            continue
        assert was in successor
        if person.closed_on is None or person.closed_on >= MERGED:
            moved += 1
            assert person.ward_id == successor[was]
            held = list(person.assignments.order_by("started_on"))
            before = [a for a in held if a.started_on < MERGED]
            after = [a for a in held if a.started_on >= MERGED]
            assert before[-1].ended_on == MERGED - datetime.timedelta(days=1)
            if after:
                assert after[0].started_on == founded[person.ward_id]
        else:
            assert person.ward_id == was
    assert moved >= 300


def test_records_carry_the_ward_of_their_day(seeded):
    successor = dict(
        AdminUnit.objects.filter(parent__code=wards_demo.DISTRICT_CODE).values_list(
            "pk", "successor_id"
        )
    )
    ward_of = dict(Person.objects.values_list("pk", "ward_id"))
    for model, day in (
        (Contact, "occurred_on"),
        (Milestone, "occurred_on"),
        (Assessment, "assessed_on"),
        (Enrollment, "started_on"),
    ):
        old_wards = defaultdict(set)
        for person_id, ward_id, on in model.objects.values_list("person_id", "ward_id", day):
            if on < MERGED:
                assert ward_id in successor, model
                assert ward_of[person_id] in (ward_id, successor[ward_id]), model
                old_wards[person_id].add(ward_id)
            else:
                assert ward_id == ward_of[person_id], model
        assert all(len(wards) == 1 for wards in old_wards.values()), model


def test_contacts_are_by_the_helper_of_the_day_and_book_the_next_in_30_days(seeded):
    held = defaultdict(list)
    for row in Assignment.objects.values_list("person_id", "member_id", "started_on", "ended_on"):
        held[row[0]].append(row[1:])
    contacts = Contact.objects.values_list(
        "person_id", "member_id", "occurred_on", "next_due_on", "kind", "drug_test_result"
    )
    for person_id, member_id, on, due, kind, result in contacts:
        assert any(
            m == member_id and start <= on and (end is None or on <= end)
            for m, start, end in held[person_id]
        )
        assert due == on + datetime.timedelta(days=30)
        assert bool(result) == (kind == "drug_test")
    kinds = Counter(Contact.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Contact.Kind.values)
    assert kinds.most_common(1)[0][0] == "home_visit"
    results = Counter(
        Contact.objects.filter(kind="drug_test").values_list("drug_test_result", flat=True)
    )
    assert set(results) == {"negative", "positive", "refused"}


def test_contacts_remember_the_group_a_person_had_that_day(seeded):
    groups = defaultdict(list)
    for person_id, group in Contact.objects.order_by("occurred_on").values_list(
        "person_id", "person_group"
    ):
        groups[person_id].append(group)
    now = dict(Person.objects.values_list("pk", "group"))
    changed = [pk for pk, seen in groups.items() if len(set(seen)) > 1]
    treated = [pk for pk in changed if groups[pk][0] == "addicted" and now[pk] == "post_rehab"]
    assert len(changed) >= 40
    assert len(treated) >= 10


def test_enrolments_follow_the_law_and_never_overlap(seeded):
    spans = defaultdict(list)
    rows = Enrollment.objects.select_related("programme").order_by("started_on")
    for e in rows:
        spans[e.person_id, e.programme_id].append(e)
        assert (e.ended_on is None) == (e.end_reason == "")
        if e.programme.default_months and e.programme.code != "voluntary_home":
            assert e.due_on == add_months(e.started_on, e.programme.default_months)
        if e.programme.category in ("post_rehab", "illegal_use"):
            assert e.decision_no.endswith("/QĐ-UBND") and e.decision_on <= e.started_on
        if e.programme.code == "illegal_use_12":
            assert e.started_on >= datetime.date(2022, 1, 1)
    for enrolments in spans.values():
        for a, b in zip(enrolments, enrolments[1:], strict=False):
            assert a.ended_on is not None and a.ended_on < b.started_on
    codes = Counter(rows.values_list("programme__code", flat=True))
    assert set(codes) == {
        "post_rehab_12", "post_rehab_24", "illegal_use_12", "voluntary_home", "methadone",
        "club_b93", "club_early",
    }  # fmt: skip
    reasons = Counter(rows.values_list("end_reason", flat=True))
    assert {"completed", "relapsed", "moved_away"} <= set(reasons)
    assert rows.post_rehab().current_on(UNTIL).count() >= 20


def test_milestones_and_club_assessments_tell_the_story(seeded):
    kinds = Counter(Milestone.objects.values_list("kind", flat=True))
    assert set(kinds) == set(Milestone.Kind.values)
    closed = Counter(
        Person.objects.filter(closed_reason__in=["moved_away", "died"]).values_list(
            "closed_reason", flat=True
        )
    )
    assert kinds["moved_away"] == closed["moved_away"] and kinds["died"] == closed["died"]
    for m in Milestone.objects.filter(kind__in=["moved_away", "died"]).select_related("person"):
        assert m.occurred_on == m.person.closed_on
    results = Counter(Assessment.objects.values_list("result", flat=True))
    assert set(results) == set(Assessment.Result.values)
    # Before the merger only clubs assessed their members; since, teams assess everyone.
    clubs = Enrollment.objects.filter(programme__category="club")
    for a in Assessment.objects.filter(assessed_on__lt=MERGED)[:300]:
        assert clubs.filter(person=a.person_id, started_on__lte=a.assessed_on).exists()
    recently = Assessment.objects.filter(assessed_on__gt=UNTIL - datetime.timedelta(days=90))
    active = Person.objects.filter(status="active")
    assert recently.filter(person__in=active).values("person").distinct().count() > (
        active.count() * 0.6
    )


def test_the_demo_volunteer_has_a_caseload_with_overdue_work(seeded):
    volunteer = user("tnv.lang")
    caseload = Person.objects.visible_to(volunteer).active()
    assert 6 <= caseload.count() <= 10
    rows = list(caseload.with_last_contact(today=UNTIL, due_days=30))
    seven_weeks_ago = UNTIL - datetime.timedelta(days=45)
    unseen = [p for p in rows if p.last_contact_on and p.last_contact_on < seven_weeks_ago]
    assert len(unseen) == 2 and all(p.overdue for p in unseen)
    # Whether someone registered days ago and not yet visited counts as overdue is the app's
    # rule; the demo has one such person either way.
    assert len([p for p in rows if p.last_contact_on is None]) == 1
    assert 2 <= len([p for p in rows if p.overdue]) <= 3
    due_soon = Enrollment.objects.post_rehab().filter(
        person__in=caseload, ended_on__isnull=True, due_on__gt=UNTIL,
        due_on__lte=UNTIL + datetime.timedelta(days=31),
    )  # fmt: skip
    assert due_soon.count() == 1
    # Their contacts before the merger were made as a member of an old Láng team.
    mine = Contact.objects.filter(member__user=volunteer, created_by=volunteer)
    assert mine.filter(occurred_on__lt=MERGED).exists()
    assert mine.filter(occurred_on__gte=MERGED).exists()


def test_the_demo_leader_sees_the_whole_lang_register_with_its_history(seeded):
    leader = user("doitruong.lang")
    register = Person.objects.visible_to(leader).active()
    assert register.count() >= 40
    wards = set(Contact.objects.filter(person__in=register).values_list("ward__name", flat=True))
    assert wards == {"Phường Láng", "Phường Láng Thượng", "Phường Láng Hạ"}
    assert Person.objects.filter(created_by=leader).exists()


def histories():
    """person id -> [(since, group, reason)], oldest first."""
    out = defaultdict(list)
    for row in GroupChange.objects.order_by("since").values_list(
        "person_id", "since", "group", "reason"
    ):
        out[row[0]].append(row[1:])
    return out


def group_on(history, day):
    """The group in force on `day`: the latest entry that started on or before it."""
    return [group for since, group, _ in history if since <= day][-1]


def test_every_person_has_a_group_history_ending_in_their_group(seeded):
    history = histories()
    persons = Person.objects.values_list("pk", "registered_on", "closed_on", "group")
    assert len(history) == persons.count()
    for pk, registered_on, closed_on, group in persons:
        entries = history[pk]
        assert entries[0][0] == registered_on and entries[0][2] == demo.FIRST_REASON
        assert entries[-1][1] == group  # Person.group is the latest entry's
        assert all(since <= (closed_on or UNTIL) for since, _, _ in entries)
        for (_, before, _), (_, after, reason) in zip(entries, entries[1:], strict=False):
            assert before != after and reason
    # The leaders with a login wrote the recent ones; the old teams had no logins.
    recent = GroupChange.objects.filter(since__gte=MERGED)
    assert recent.filter(created_by__isnull=False).exists()


def test_every_contact_carries_the_group_in_force_on_its_day(seeded):
    history = histories()
    rows = Contact.objects.values_list("person_id", "occurred_on", "person_group")
    for person_id, day, group in rows:
        assert group == group_on(history[person_id], day), (person_id, day)


def test_many_persons_changed_group_with_contacts_on_both_sides(seeded):
    history = histories()
    contacts = defaultdict(list)
    for row in Contact.objects.values_list("person_id", "occurred_on", "person_group"):
        contacts[row[0]].append(row[1:])
    both, late, kept_old = 0, 0, 0
    for pk, entries in history.items():
        for (_, old, _), (since, _, reason) in zip(entries, entries[1:], strict=False):
            seen = contacts[pk]
            before = [g for day, g in seen if day < since]
            after = [g for day, g in seen if day >= since]
            if before and after:
                both += 1
            if "Cập nhật ngày" in reason:  # written days after it took effect
                late += 1
                days_before = [g for day, g in seen if since - datetime.timedelta(7) <= day < since]
                kept_old += bool(days_before) and all(g == old for g in days_before)
    assert both >= 150
    assert late >= 40 and kept_old >= 30
    # Registered as high-risk or «other», found using drugs within weeks.
    corrected = [
        e
        for e in history.values()
        if len(e) > 1
        and e[0][1] in ("high_risk", "other")
        and e[1][1] == "drug_user"
        and (e[1][0] - e[0][0]).days <= 75
    ]
    assert len(corrected) >= 5
    changed = sum(1 for e in history.values() if len(e) > 1) / len(history)
    assert 0.2 <= changed <= 0.45


def test_visits_meetings_and_calls_record_their_topics_and_tests_none(seeded):
    topics = defaultdict(set)
    for contact_id, topic in ContactTopic.objects.values_list("contact_id", "topic"):
        topics[contact_id].add(topic)
    assert set().union(*topics.values()) == set(Contact.Topic.values)
    assert max(len(t) for t in topics.values()) == 2
    kinds = dict(Contact.objects.values_list("pk", "kind"))
    with_topics = Counter(kinds[pk] for pk in topics)
    assert set(with_topics) == {"home_visit", "meeting", "phone"}  # never a drug test
    total = Counter(kinds.values())
    assert 0.35 <= with_topics["home_visit"] / total["home_visit"] <= 0.65
    assert 0.15 <= with_topics["phone"] / total["phone"] <= 0.45
    counselled = ContactTopic.objects.values("contact__person").distinct().count()
    assert counselled >= 500
    # a summary that names a topic records it (the hints are summaries the contacts use)
    assert set(demo.TOPIC_HINTS) <= {s for texts in demo.SUMMARIES.values() for s in texts}
    hinted = Contact.objects.filter(summary__in=demo.TOPIC_HINTS, topics__isnull=False)
    named = defaultdict(set)
    for pk, summary in hinted.values_list("pk", "summary"):
        named[pk].add(summary)
    for pk, summaries in named.items():
        assert {demo.TOPIC_HINTS[s] for s in summaries} <= topics[pk]


def test_the_clubs_of_tho_quan_trung_phung_and_the_early_intervention_clubs(seeded):
    clubs = {c.name: c for c in Club.objects.select_related("ward", "programme")}
    for ward in ("Thổ Quan", "Trung Phụng"):
        club = clubs[f"Câu lạc bộ B93 phường {ward}"]
        assert club.ward.name == f"Phường {ward}" and club.programme.code == "club_b93"
        assert club.closed_on == MERGED - datetime.timedelta(days=1)
        # the members carried on in the club their successor ward founded on 1 July
        after = Club.objects.get(ward=club.ward.successor, programme=club.programme)
        assert after.founded_on == MERGED and after.closed_on is None
    early = [c for c in clubs.values() if c.programme.code == "club_early"]
    assert len({c.ward_id for c in early if c.founded_on < MERGED}) >= 3
    assert all(c.name.startswith("Câu lạc bộ can thiệp sớm ") for c in early)
    stopped = [c for c in early if c.closed_on and c.closed_on < MERGED - datetime.timedelta(1)]
    assert stopped  # one stopped before the merger, with nobody left in it
    assert not Enrollment.objects.filter(club__in=stopped, ended_on__isnull=True)
    old = [c.ward_id for c in clubs.values() if c.founded_on < MERGED]
    assert all(ward.successor_id for ward in AdminUnit.objects.filter(pk__in=old))


def test_club_enrolments_join_the_club_of_their_ward_meeting_on_their_first_day(seeded):
    rows = Enrollment.objects.select_related("programme", "club")
    members = Counter()
    for e in rows:
        if e.programme.category != "club":
            assert e.club_id is None
            continue
        club = e.club
        assert club is not None and club.programme_id == e.programme_id
        assert club.ward_id == e.ward_id
        assert club.founded_on <= e.started_on
        # nobody stays in a club after its last day: they move with it, or leave
        assert club.closed_on is None or (e.ended_on and e.ended_on <= club.closed_on)
        members[club.name] += 1
    assert members["Câu lạc bộ B93 phường Thổ Quan"] >= 8
    assert members["Câu lạc bộ B93 phường Trung Phụng"] >= 8
    moved = rows.filter(programme__category="club", started_on=MERGED)
    assert moved.count() >= 10
    eve = MERGED - datetime.timedelta(days=1)
    ended = rows.filter(programme__category="club", ended_on=eve, end_reason="transferred")
    carried = set(moved.values_list("person", flat=True))
    assert ended.exists() and set(ended.values_list("person", flat=True)) <= carried


def test_club_members_are_assessed_twice_a_year_or_more(seeded):
    spans = defaultdict(list)
    for person_id, start, end, code in Enrollment.objects.filter(
        programme__category="club"
    ).values_list("person_id", "started_on", "ended_on", "programme__code"):
        spans[person_id].append((start, end or UNTIL, code))
    assessed = defaultdict(list)
    for person_id, day in Assessment.objects.values_list("person_id", "assessed_on"):
        assessed[person_id].append(day)
    long_members = 0
    for person_id, rows in spans.items():
        for start, end, _ in rows:
            if (end - start).days >= 400:
                long_members += 1
                inside = [d for d in assessed[person_id] if start <= d <= end]
                assert len(inside) >= (end - start).days // 250, (person_id, start, end)
    assert long_members >= 20
    # B93 members are assessed every quarter: several times in one half-year.
    half = [
        d
        for d in Assessment.objects.filter(
            assessed_on__range=("2024-01-01", "2024-06-30"), person__in=spans
        ).values_list("person_id", flat=True)
    ]
    assert max(Counter(half).values()) >= 2
    results = set(Assessment.objects.filter(person__in=spans).values_list("result", flat=True))
    assert results == set(Assessment.Result.values)
