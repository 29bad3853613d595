"""Print the number of queries each page runs, per persona, on the test world.

Run: DEBUG= .venv/bin/python -m pytest -q -s bench/query_counts.py -p no:cacheprovider \
        --override-ini addopts=

Not part of the suite (the budgets themselves are asserted in tests/); this prints the figures
quoted in closing notes so that each one comes from a command.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach import services as outreach
from tests import factories as f
from tests.conftest import _test_settings, login, world  # noqa: F401, F811  (fixtures)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200, url
    return len(ctx)


def test_print_query_counts(world):  # noqa: F811
    person = f.person(ward=world.ward_a)
    f.assignment(person=person, member=world.volunteer_member)
    f.contact(person=person, member=world.volunteer_member)
    activity = outreach.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=person.registered_on,
        kind="club_session",
        participants=5,
        persons=[person],
        members=[world.volunteer_member],
    )
    referral = outreach.referral_create(
        actor=world.leader, person=person, kind="loan", referred_on=person.registered_on
    )
    pages = [
        ("volunteer", "home", []),
        ("volunteer", "cases:my_work", []),
        ("volunteer", "cases:person_detail", [person.pk]),
        ("volunteer", "cases:contact_add", [person.pk]),
        ("leader", "home", []),
        ("leader", "wards:team_detail", [world.team_a.pk]),
        ("leader", "cases:register", []),
        ("leader", "cases:assignment_board", []),
        ("leader", "cases:ward_dashboard", []),
        ("volunteer", "outreach:activity_list", []),
        ("volunteer", "outreach:activity_add", []),
        ("volunteer", "outreach:referral_add", [person.pk]),
        ("leader", "outreach:activity_edit", [activity.pk]),
        ("leader", "outreach:activity_batch", []),
        ("leader", "outreach:partner_list", []),
        ("leader", "outreach:referral_list", []),
        ("leader", "outreach:referral_detail", [referral.pk]),
        ("leader", "outreach:eligibility_list", []),
        ("leader", "outreach:eligibility_export", []),
        ("supervisor", "home", []),
        ("supervisor", "wards:team_overview", []),
    ]
    users = {"volunteer": world.volunteer, "leader": world.leader, "supervisor": world.supervisor}
    print()
    for persona, name, args in pages:
        client = login(users[persona])
        url = reverse(name, args=args)
        client.get(url)  # warm the session
        print(f"{persona:<11} {name:<30} {_count(client, url):>3} queries")
