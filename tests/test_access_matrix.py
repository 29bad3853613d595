"""Every named URL × every persona: the answer each one gets (pretix test_permissions).

A GET by each persona, with real objects of ward A (and of ward B for the outsider's view).
Adding a URL without a row here fails `test_every_named_url_is_in_the_matrix`.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach import services as outreach
from reports.periods import parse
from reports.services import submission_submit
from tests import factories as f
from tests.test_pages import _named_urls

PERSONAS = ["anonymous", "volunteer", "leader", "officer", "supervisor", "outsider", "admin"]

# Expected answers in the order of PERSONAS. "login" = redirect to the login page.
ALL_200 = ["login", 200, 200, 200, 200, 200, 200]
TEAM_VIEW = ["login", 200, 200, 200, 200, 404, 200]
TEAM_EDIT = ["login", 403, 200, 200, 403, 404, 403]
PERSON_VIEW = ["login", 200, 200, 200, 404, 404, 404]
PERSON_EDIT = ["login", 403, 200, 200, 404, 404, 404]
# the outsider leads ward B: these pages show their own ward
WARD_PAGES = ["login", 404, 200, 200, 404, 200, 404]
POST_ONLY = ["login", 405, 405, 405, 405, 405, 405]
OVERVIEW = ["login", 404, 404, 404, 200, 404, 200]
# the team's own pages (activities, partners): anyone doing casework in their ward
TEAM_WORK = ["login", 200, 200, 200, 404, 200, 404]
ACTIVITY_EDIT = ["login", 403, 200, 200, 404, 404, 404]
PARTNER_EDIT = ["login", 403, 200, 200, 403, 404, 403]
# reports: counts for anyone at their own unit; submitting is the ward's; the status is above it
REPORT_SUBMIT = ["login", 403, 200, 200, 403, 200, 403]
REPORT_STATUS = ["login", 404, 404, 404, 200, 404, 200]
REPORT_SUBMISSION = ["login", 200, 200, 200, 200, 404, 200]

# name -> (argument builder, expected answers)
MATRIX = {
    "home": (None, ALL_200),
    "password_change": (None, ALL_200),
    "password_change_done": (None, ALL_200),
    "login": (None, [200, "home", "home", "home", "home", "home", "home"]),
    "logout": (None, POST_ONLY),
    "set_language": (None, ["any", "any", "any", "any", "any", "any", "any"]),
    "wards:team_overview": (None, OVERVIEW),
    "wards:team_detail": (lambda o: [o["team"].pk], TEAM_VIEW),
    "wards:team_edit": (lambda o: [o["team"].pk], TEAM_EDIT),
    "wards:member_add": (lambda o: [o["team"].pk], TEAM_EDIT),
    "wards:member_edit": (lambda o: [o["member"].pk], TEAM_EDIT),
    "wards:member_leave": (lambda o: [o["member"].pk], TEAM_EDIT),
    "cases:my_work": (None, ALL_200),
    "cases:person_detail": (lambda o: [o["person"].pk], PERSON_VIEW),
    "cases:contact_add": (lambda o: [o["person"].pk], PERSON_VIEW),
    "cases:assessment_add": (lambda o: [o["person"].pk], PERSON_VIEW),
    "cases:register": (None, WARD_PAGES),
    "cases:person_add": (None, WARD_PAGES),
    "cases:person_edit": (lambda o: [o["person"].pk], PERSON_EDIT),
    "cases:person_close": (lambda o: [o["person"].pk], PERSON_EDIT),
    "cases:person_reopen": (lambda o: [o["person"].pk], POST_ONLY),
    "cases:enrollment_add": (lambda o: [o["person"].pk], PERSON_EDIT),
    "cases:enrollment_end": (lambda o: [o["enrollment"].pk], PERSON_EDIT),
    "cases:assignment_board": (None, WARD_PAGES),
    "cases:assignment_reassign": (None, POST_ONLY),
    "cases:assignment_handover": (None, POST_ONLY),
    "cases:ward_dashboard": (None, WARD_PAGES),
    "outreach:activity_list": (None, TEAM_WORK),
    "outreach:activity_add": (None, TEAM_WORK),
    "outreach:activity_batch": (None, WARD_PAGES),
    "outreach:activity_edit": (lambda o: [o["activity"].pk], ACTIVITY_EDIT),
    "outreach:activity_delete": (lambda o: [o["activity"].pk], ACTIVITY_EDIT),
    "outreach:partner_list": (None, TEAM_WORK),
    "outreach:partner_add": (None, WARD_PAGES),
    "outreach:partner_edit": (lambda o: [o["partner"].pk], PARTNER_EDIT),
    "outreach:referral_list": (None, WARD_PAGES),
    "outreach:referral_add": (lambda o: [o["person"].pk], PERSON_VIEW),
    "outreach:referral_detail": (lambda o: [o["referral"].pk], PERSON_VIEW),
    "outreach:eligibility_list": (None, WARD_PAGES),
    "outreach:eligibility_export": (None, WARD_PAGES),
    "reports:report": (None, ALL_200),
    "reports:report_export": (lambda o: ["json"], ALL_200),
    "reports:submission_add": (None, REPORT_SUBMIT),
    "reports:submission_status": (None, REPORT_STATUS),
    "reports:submission_detail": (lambda o: [o["submission"].pk], REPORT_SUBMISSION),
}


@pytest.fixture
def objects(world):
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Ma Trận")
    f.assignment(person=person, member=world.volunteer_member)
    today = timezone.localdate()
    partner = outreach.partner_create(
        actor=world.leader, unit=world.ward_a, name="Công ty May A", kind="employer"
    )
    return {
        "team": world.team_a,
        "member": world.volunteer_member,
        "person": person,
        "enrollment": f.enrollment(person=person),
        "activity": outreach.activity_record(
            actor=world.leader, unit=world.ward_a, occurred_on=today, kind="patrol"
        ),
        "partner": partner,
        "referral": outreach.referral_create(
            actor=world.leader, person=person, kind="job", referred_on=today, partner=partner
        ),
        "submission": submission_submit(
            actor=world.leader, unit=world.ward_a, period=parse("2024-H1"), narrative="Báo cáo"
        ),
    }


def test_every_named_url_is_in_the_matrix():
    names = {name for name, _pattern in _named_urls()}
    assert names - set(MATRIX) == set(), "add the new URL to MATRIX"
    assert set(MATRIX) - names == set(), "remove the URL that no longer exists"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(name, objects, personas):
    build, expected = MATRIX[name]
    url = reverse(name, args=build(objects) if build else [])
    got = {}
    for persona, want in zip(PERSONAS, expected, strict=True):
        response = personas[persona].get(url)
        if want == "any":
            assert response.status_code < 500, (name, persona)
            continue
        if want in ("login", "home"):
            target = reverse(want)
            ok = response.status_code == 302 and response["Location"].startswith(target)
            got[persona] = want if ok else response.status_code
        else:
            got[persona] = response.status_code
    assert got == {p: w for p, w in zip(PERSONAS, expected, strict=True) if w != "any"}


def test_another_wards_person_is_404_for_everyone_in_ward_a(world, personas):
    other = f.person(ward=world.ward_b)
    for persona in ["volunteer", "leader", "officer"]:
        for name in ["cases:person_detail", "cases:contact_add", "cases:person_edit"]:
            assert personas[persona].get(reverse(name, args=[other.pk])).status_code == 404


def test_ward_pages_of_another_ward_never_show_ward_a_people(objects, personas):
    for name in ["cases:register", "cases:assignment_board", "cases:ward_dashboard", "home"]:
        html = personas["outsider"].get(reverse(name)).content.decode()
        assert "Nguyễn Văn Ma Trận" not in html, name
