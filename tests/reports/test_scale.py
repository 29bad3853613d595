"""The bulk data sets of `seed_demo --scale district|province` (reports.scale), built small.

The district size is added on top of the demo (seeded once for the module); the province size
is built on Hà Nội's communes alone, over three of them, at a thousandth of its volume.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Max, Q
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Assignment, Contact, Enrollment, GroupChange, Milestone, Person
from outreach.models import Activity, Referral, ReferralStatusChange
from reports import scale
from reports.management.commands.seed_demo import Command
from reports.periods import parse
from reports.report import as_json, build
from tests.conftest import login
from wards.models import AdminUnit, Area, Member, Post, Team

pytestmark = pytest.mark.django_db

MODELS = (
    AdminUnit, Area, Team, Member, Person, GroupChange, Enrollment, Assignment, Contact,
    Milestone, Activity, Referral, ReferralStatusChange,
)  # fmt: skip
DATES = {
    Person: ("registered_on", "consent_on", "closed_on"),
    Enrollment: ("started_on", "ended_on", "decision_on"),
    Assignment: ("started_on", "ended_on"),
    Contact: ("occurred_on",),
    Milestone: ("occurred_on",),
    Activity: ("occurred_on",),
    Referral: ("referred_on", "status_on"),
    ReferralStatusChange: ("changed_on",),
    Member: ("joined_on", "left_on"),
    Team: ("established_on", "dissolved_on"),
}
# The day the demo's history (and the bulk rows on it) ends: the day the tests run.
TODAY = timezone.localdate()
DISTRICT_FACTOR = 0.01
PROVINCE_FACTOR = 0.001


def checksum() -> str:
    """A digest of every row of the seeded tables but their timestamps (the demo's are the
    time of the run)."""
    digest = hashlib.sha256()
    for model in MODELS:
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in ("created_at", "updated_at")
        ]
        for row in model.objects.order_by("pk").values_list(*names).iterator():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def twice(build_run):
    """Build, take the checksum, roll back, build again: (totals, first, second checksum)."""
    with transaction.atomic():
        build_run()
        first = checksum()
        transaction.set_rollback(True)
    totals = build_run()
    return totals, first, checksum()


@pytest.fixture(scope="class")
def district(django_db_setup, django_db_blocker):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("seed_demo", f"--today={TODAY:%Y-%m-%d}", stdout=StringIO())
        units = scale.district_units()
        before = scale.existing(units)
        first_ids = {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) for m in MODELS}
        totals, first, second = twice(
            lambda: scale.seed("district", until=TODAY, factor=DISTRICT_FACTOR)
        )
        yield {
            "units": units,
            "before": before,
            "totals": totals,
            "checksums": (first, second),
            "first_ids": first_ids,
        }
        transaction.set_rollback(True)


@pytest.fixture
def province(db):
    call_command("load_units", province=["01"], stdout=StringIO())
    first_ids = {m: (m.objects.aggregate(top=Max("pk"))["top"] or 0) for m in MODELS}
    run = lambda: scale.seed("province", until=TODAY, factor=PROVINCE_FACTOR, communes=3)  # noqa: E731
    totals, first, second = twice(run)
    return {"totals": totals, "checksums": (first, second), "first_ids": first_ids}


def bulk_rows(model, first_ids):
    return model.objects.filter(pk__gt=first_ids[model])


# The command ---------------------------------------------------------------------------------


def test_the_demo_alone_stays_the_default_scale():
    parser = Command().create_parser("manage.py", "seed_demo")
    assert parser.parse_args([]).scale == "demo"
    assert parser.parse_args(["--scale", "province"]).scale == "province"
    with pytest.raises(CommandError, match="invalid choice"):
        parser.parse_args(["--scale", "country"])


def test_the_volumes_are_those_of_a_district_and_fifty_districts():
    assert scale.Volume(200, 5_000, 100_000, 20_000, 5_000) == scale.DISTRICT
    assert scale.PROVINCE.persons == 250_000 and scale.PROVINCE.contacts == 5_000_000
    assert scale.PROVINCE.members == 10_000 and scale.PROVINCE.activities == 1_000_000


# District ------------------------------------------------------------------------------------


class TestDistrict:
    """On top of the demo, seeded once for the class (the province tests need it gone)."""

    def test_the_district_gets_the_missing_part_of_its_volume_scaled(self, district):
        before, totals = district["before"], district["totals"].rows
        missing = (scale.DISTRICT - before) * DISTRICT_FACTOR
        assert totals["person"] == missing.persons > 0
        assert totals["contact"] == missing.contacts > 0
        assert totals.get("referral", 0) == missing.referrals
        assert totals.get("activity", 0) == missing.activities
        assert "member" not in totals  # the demo's teams already have 200 member rows
        after = scale.existing(district["units"])
        assert after.persons == before.persons + missing.persons
        assert after.contacts == before.contacts + missing.contacts

    def test_the_district_rows_are_the_same_on_every_run(self, district):
        first, second = district["checksums"]
        assert first == second

    def test_the_district_rows_follow_the_demos_merger(self, district):
        ids = district["first_ids"]
        contacts = bulk_rows(Contact, ids)
        merged_on = datetime.date(2025, 7, 1)
        assert (
            contacts.filter(occurred_on__lt=merged_on, ward__valid_until__isnull=True).count() == 0
        )
        assert (
            contacts.filter(occurred_on__gte=merged_on, ward__valid_until__isnull=False).count()
            == 0
        )
        moved = bulk_rows(Person, ids).filter(closed_on__isnull=True, registered_on__lt=merged_on)
        assert moved.exists()
        assert not moved.filter(ward__valid_until__isnull=False).exists()
        assert not moved.exclude(registered_ward__valid_until=datetime.date(2025, 6, 30)).exists()

    def test_the_district_report_counts_the_bulk_rows(self, district):
        out = StringIO()
        call_command(
            "report", "--unit", "006", "--period", "2012..2022", "--format", "json", stdout=out
        )
        figures = json.loads(out.getvalue())["indicators"]
        scope = AdminUnit.objects.filter(parent__code="006")
        in_period = Q(occurred_on__range=(datetime.date(2012, 1, 1), datetime.date(2022, 12, 31)))
        direct = Contact.objects.filter(
            in_period, ward__in=scope, kind__in=["home_visit", "meeting"]
        )
        assert figures["casework.counselling_direct"] == direct.count() > 0
        referred = Referral.objects.filter(
            ward__in=scope,
            referred_on__range=(datetime.date(2012, 1, 1), datetime.date(2022, 12, 31)),
        )
        assert figures["support.referrals"] == referred.count() > 0


# Province ------------------------------------------------------------------------------------


def test_the_province_size_has_its_volume_times_the_factor(province):
    totals = province["totals"].rows
    volume = scale.PROVINCE * PROVINCE_FACTOR
    assert totals["person"] == Person.objects.count() == volume.persons
    assert totals["contact"] == Contact.objects.count() == volume.contacts
    assert totals["activity"] == Activity.objects.count() == volume.activities
    assert totals["referral"] == Referral.objects.count() == volume.referrals
    assert totals["member"] >= volume.members
    # Three communes, each with 3–6 former wards, a team per ward, residential groups.
    assert Team.objects.filter(dissolved_on__isnull=True).count() == 3
    former = AdminUnit.objects.filter(valid_until=datetime.date(2025, 6, 30), level="commune")
    assert 9 <= former.count() <= 18
    assert all(u.successor_id for u in former)
    assert Team.objects.count() == 3 + former.count()
    assert Area.objects.filter(ward__in=former).exists()


def test_the_province_rows_are_the_same_on_every_run(province):
    first, second = province["checksums"]
    assert first == second


def test_the_teams_keep_one_leader_and_their_members_follow_their_persons(province):
    for team in Team.objects.all():
        on = team.established_on + datetime.timedelta(days=1)
        leaders = team.members.active(on).filter(role=Member.Role.LEADER)
        assert leaders.count() == 1, team
    for c in Contact.objects.order_by("pk")[::97]:
        held = Assignment.objects.filter(person=c.person_id, member=c.member_id)
        held = held.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=c.occurred_on))
        assert held.filter(started_on__lte=c.occurred_on).exists(), c.pk
        member = Member.objects.active(c.occurred_on).filter(pk=c.member_id)
        assert member.exists(), c.pk
    open_per_person = Assignment.objects.open().values("person").distinct().count()
    assert open_per_person == Assignment.objects.open().count()


def test_a_sample_of_the_rows_passes_full_clean(province):
    for model in MODELS:
        rows = list(bulk_rows(model, province["first_ids"]).order_by("pk"))
        assert rows, model
        for obj in rows[:: max(1, len(rows) // 25)]:
            obj.full_clean()


@pytest.mark.parametrize("model", list(DATES))
def test_nothing_is_dated_after_the_demos_last_day(province, model):
    for name in DATES[model]:
        latest = model.objects.aggregate(top=Max(name))["top"]
        assert latest is None or latest <= TODAY, (model, name)


def test_every_bulk_person_has_the_group_history_of_their_contacts(province):
    persons = bulk_rows(Person, province["first_ids"])
    first = {
        g.person_id: g
        for g in GroupChange.objects.filter(person__in=persons).order_by("since", "pk")
    }
    assert set(first) == set(persons.values_list("pk", flat=True))
    for person in persons:
        entry = first[person.pk]
        assert (entry.group, entry.since) == (person.group, person.registered_on)
    mismatched = Contact.objects.filter(person__in=persons).exclude(person_group=F("person__group"))
    assert not mismatched.exists()


def test_the_bulk_rows_are_stamped_on_their_own_day(province):
    contact = Contact.objects.order_by("pk").first()
    assert contact.created_at.astimezone(datetime.timezone(datetime.timedelta(hours=7))).date() == (
        contact.occurred_on
    )


def test_the_province_report_page_shows_the_bulk_figures(province, django_user_model):
    hanoi = AdminUnit.objects.get(code="01")
    figures = as_json(build(hanoi, parse("2024")))["indicators"]
    contacts_2024 = Contact.objects.filter(occurred_on__year=2024)
    assert figures["casework.persons_reached"] == (
        contacts_2024.values("person").distinct().count()
    )
    assert figures["outreach.sessions"] > 0 and figures["team.teams"] > 0

    user = django_user_model.objects.create_user("giamsat.test", password="x")
    Post.objects.create(user=user, unit=hanoi, role=Post.Role.SUPERVISOR)
    response = login(user).get(reverse("reports:report"), {"don-vi": "01", "ky": "2024"})
    assert response.status_code == 200
    assert f"{figures['casework.persons_reached']:,}".replace(",", ".") in response.text
