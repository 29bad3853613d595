"""The demo is always "today" (seed_demo --today, by default the day it runs): on any day its
first look is a believable mix, read from the seed's own records: a few people overdue in
Phường Láng, contacts in the last days, past reports filed and mostly approved, one returned,
and the board of the quarter being filed not red.

Seeded for the day the tests run and for another day: the 1st of this month (the first day
of a month, when «this month» has only just begun), or the 15th of last month when today is
the 1st. Each seed is rolled back after its tests.
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from cases.models import Contact, Person
from reports import demo as reports_demo
from reports.choice import default_period
from reports.models import Review, Submission
from reports.periods import parse
from reports.snapshot import returned_reports
from reports.views.status import LATE, OVERDUE, status_board
from wards import demo as wards_demo
from wards.models import AdminUnit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OTHER = (
    TODAY.replace(day=1) if TODAY.day != 1 else (TODAY - datetime.timedelta(days=1)).replace(day=15)
)


@pytest.fixture(scope="module", params=[TODAY, OTHER], ids=["today", "other-day"])
def seeded(request, django_db_setup, django_db_blocker):
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers, DEBUG=True),
        transaction.atomic(),
    ):
        call_command("seed_demo", f"--today={request.param:%Y-%m-%d}", stdout=StringIO())
        yield request.param
        transaction.set_rollback(True)


def lang() -> AdminUnit:
    return AdminUnit.objects.get(name=wards_demo.LANG, valid_until__isnull=True)


def test_nothing_is_dated_after_the_day_and_the_last_days_have_contacts(seeded):
    day = seeded
    assert not Contact.objects.filter(occurred_on__gt=day).exists()
    assert not Person.objects.filter(registered_on__gt=day).exists()
    # «Tháng này»: contacts this calendar month, or on the 1st the last seven days.
    first = day.replace(day=1) if day.day > 1 else day - datetime.timedelta(days=6)
    assert Contact.objects.filter(person__ward=lang(), occurred_on__range=(first, day)).exists()


def test_a_few_of_langs_open_files_are_overdue_not_most(seeded):
    day = seeded
    rows = list(
        Person.objects.filter(ward=lang(), closed_on__isnull=True).with_last_contact(
            today=day, due_days=settings.CONTACT_DUE_DAYS
        )
    )
    overdue = sum(r.overdue for r in rows)
    assert len(rows) >= 40
    assert 1 <= overdue < len(rows) / 4, (overdue, len(rows))


def test_past_reports_are_filed_mostly_approved_one_returned_to_lang(seeded):
    day = seeded
    wards = AdminUnit.objects.filter(name__in=wards_demo.SUCCESSORS, valid_until__isnull=True)
    periods = reports_demo.periods(day)
    latest = Submission.objects.filter(unit__in=wards).latest_versions()
    # Every ward filed every period ended before the quarter now being filed.
    filing = default_period(day)
    older = {p.spec for p in periods if p.end < parse(filing).start}
    for ward in wards:
        assert older <= set(latest.filter(unit=ward).values_list("period_spec", flat=True))
    reviews = Review.objects.filter(submission__in=latest)
    approved = reviews.filter(decision=Review.Decision.APPROVED).count()
    assert approved >= 0.8 * latest.count()
    # Filed on time, before the day of the run.
    for s in Submission.objects.filter(unit__in=wards, version=1):
        filed = timezone.localdate(s.submitted_at)
        assert s.end < filed <= s.end + datetime.timedelta(days=settings.REPORT_DUE_DAYS), s
        assert filed < day
    # Phường Láng's leader has a report returned with its reason, waiting to be filed again.
    leader = get_user_model().objects.get(username="doitruong.lang")
    returned = list(returned_reports(leader))
    assert [s.unit for s in returned] == [lang()]
    assert returned[0].review.reason == reports_demo.RETURN_REASON
    assert timezone.localdate(returned[0].review.reviewed_at) < day


def test_the_board_of_the_quarter_being_filed_is_not_red(seeded):
    day = seeded
    province = AdminUnit.objects.get(code=wards_demo.PROVINCE_CODE)
    board = status_board(province, parse(default_period(day)), day)
    counts = board.counts
    assert counts.expected == len(wards_demo.SUCCESSORS)
    assert counts.overdue == 0 and counts.late == 0
    states = {row.state for group in board.groups for row in group.rows}
    assert not states & {LATE, OVERDUE}


def test_a_day_before_the_history_can_end_is_refused():
    with (
        override_settings(DEBUG=True),
        pytest.raises(CommandError, match="cannot end before"),
    ):
        call_command("seed_demo", "--today=2026-06-30", stdout=StringIO())
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed_demo", "--today=7/12/2026", stdout=StringIO())
