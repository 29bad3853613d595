"""Every named URL × every persona: the answer each one gets (pretix test_permissions).

A GET by each persona, with real objects of ward A (and of ward B for the outsider's view).
Adding a URL without a row here fails `test_every_named_url_is_in_the_matrix`.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import Club, Programme
from outreach import services as outreach
from reports import checks
from reports.periods import parse
from reports.services import submission_submit
from tests import factories as f
from tests.test_pages import _named_urls

PERSONAS = ["anonymous", "volunteer", "leader", "officer", "supervisor", "outsider", "admin"]

# Expected answers in the order of PERSONAS. "login" = redirect to the login page.
ALL_200 = ["login", 200, 200, 200, 200, 200, 200]
TEAM_VIEW = ["login", 200, 200, 200, 200, 404, 200]
TEAM_EDIT = ["login", 403, 200, 200, 403, 404, 403]
# dissolving the team is the commune's decision: its officer's alone
TEAM_DISSOLVE = ["login", 403, 403, 200, 403, 404, 403]
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
# reviewing a ward's report: a supervisor above it (posted empty, the form comes back)
REPORT_REVIEW = ["login", 403, 403, 403, 200, 404, 403]
# a district's or province's own trainings: its supervisor's alone (outreach/views/departments.py)
DEPARTMENT = ["login", 404, 404, 404, 200, 404, 404]

# POST answers. A page that only shows things refuses POST (405) for everyone logged in; a form
# posted empty comes back with its errors (200) to those who may use it; 302 = a redirect that is
# not to the login page (an action done, or the search box kept in the session).
LOGIN = [200, "home", "home", "home", "home", "home", "home"]
READ_ONLY = ["login", 405, 405, 405, 405, 405, 405]
LOGOUT = ["login"] * 7
SECOND_FACTOR = ["login", "home", "home", "home", "home", "home", "home"]
REGISTER_SEARCH = ["login", 404, 302, 302, 404, 302, 404]
REOPEN = ["login", 403, 302, 302, 404, 404, 404]
# deleting an activity: posted empty, without the version the page showed, it is shown again
DELETE = ["login", 403, 200, 200, 404, 404, 404]
# an uploaded file waiting for its preview to be confirmed is its uploader's alone (the leader's
# here): the officer of the same ward, and everyone else, get 404
UPLOADER_ONLY = ["login", 404, 200, 404, 404, 404, 404]
UPLOADER_ACTION = ["login", 404, 302, 404, 404, 404, 404]
# a club of ward A: its page names its members, so only the ward's leaders and officers
CLUB = ["login", 404, 200, 200, 404, 404, 404]

# name -> (argument builder, expected answers to GET, expected answers to POST)
MATRIX = {
    "home": (None, ALL_200, READ_ONLY),
    "password_change": (None, ALL_200, ALL_200),
    "password_change_done": (None, ALL_200, READ_ONLY),
    "login": (None, LOGIN, LOGIN),
    "logout": (None, POST_ONLY, LOGOUT),
    # the second factor: everyone here has passed it already, or is never asked for it
    "otp_verify": (None, SECOND_FACTOR, SECOND_FACTOR),
    "otp_enrol": (None, SECOND_FACTOR, SECOND_FACTOR),
    # choosing one's own password after a temporary one: nobody here logged in with one
    "password_set": (None, SECOND_FACTOR, SECOND_FACTOR),
    "set_language": (None, ["any"] * 7, ["any"] * 7),
    "wards:team_overview": (None, OVERVIEW, READ_ONLY),
    "wards:audit_trail": (None, WARD_PAGES, READ_ONLY),
    "wards:audit_exports": (None, OVERVIEW, READ_ONLY),
    "wards:team_detail": (lambda o: [o["team"].pk], TEAM_VIEW, READ_ONLY),
    "wards:team_edit": (lambda o: [o["team"].pk], TEAM_EDIT, TEAM_EDIT),
    "wards:team_dissolve": (lambda o: [o["team"].pk], TEAM_DISSOLVE, TEAM_DISSOLVE),
    "wards:member_add": (lambda o: [o["team"].pk], TEAM_EDIT, TEAM_EDIT),
    "wards:member_edit": (lambda o: [o["member"].pk], TEAM_EDIT, TEAM_EDIT),
    "wards:member_leave": (lambda o: [o["member"].pk], TEAM_EDIT, TEAM_EDIT),
    # the logins of the ward's members (wards/login_views.py): a member without a login, the
    # volunteer's login (posted: a new password shown once), a former member with a login
    "wards:login_create": (lambda o: [_without_login(o)], TEAM_EDIT, TEAM_EDIT),
    "wards:login_reset": (lambda o: [o["member"].pk], TEAM_EDIT, TEAM_EDIT),
    "wards:member_rejoin": (lambda o: [_former_with_login(o)], TEAM_EDIT, TEAM_EDIT),
    # «Tài khoản cán bộ» (wards/post_views.py): a supervisor's, over the officer's post in ward A;
    # a reset posted shows the new password (200), a second-factor reset redirects to the list
    "posts": (None, DEPARTMENT, READ_ONLY),
    "post_add": (None, DEPARTMENT, DEPARTMENT),
    "post_end": (lambda o: [_officer_post(o)], DEPARTMENT, DEPARTMENT),
    "post_reset": (lambda o: [_officer_post(o)], DEPARTMENT, DEPARTMENT),
    "post_second_factor_reset": (
        lambda o: [_officer_post(o)],
        DEPARTMENT,
        ["login", 404, 404, 404, 302, 404, 404],
    ),
    "cases:my_work": (None, ALL_200, READ_ONLY),
    "cases:person_detail": (lambda o: [o["person"].pk], PERSON_VIEW, READ_ONLY),
    "cases:contact_add": (lambda o: [o["person"].pk], PERSON_VIEW, PERSON_VIEW),
    "cases:assessment_add": (lambda o: [o["person"].pk], PERSON_VIEW, PERSON_VIEW),
    "cases:register": (None, WARD_PAGES, REGISTER_SEARCH),
    "cases:person_add": (None, WARD_PAGES, WARD_PAGES),
    "cases:person_edit": (lambda o: [o["person"].pk], PERSON_EDIT, PERSON_EDIT),
    "cases:person_close": (lambda o: [o["person"].pk], PERSON_EDIT, PERSON_EDIT),
    "cases:subject_copy": (lambda o: [o["person"].pk], PERSON_EDIT, PERSON_EDIT),
    "cases:person_reopen": (lambda o: [o["person"].pk], POST_ONLY, REOPEN),
    "cases:enrollment_add": (lambda o: [o["person"].pk], PERSON_EDIT, PERSON_EDIT),
    "cases:enrollment_end": (lambda o: [o["enrollment"].pk], PERSON_EDIT, PERSON_EDIT),
    "cases:assignment_board": (None, WARD_PAGES, READ_ONLY),
    "cases:assignment_reassign": (None, POST_ONLY, WARD_PAGES),
    "cases:assignment_handover": (None, POST_ONLY, WARD_PAGES),
    "cases:ward_dashboard": (None, WARD_PAGES, READ_ONLY),
    "cases:contact_log_export": (None, WARD_PAGES, READ_ONLY),
    "cases:club_list": (None, WARD_PAGES, READ_ONLY),
    "cases:club_add": (None, WARD_PAGES, WARD_PAGES),
    "cases:club_detail": (lambda o: [o["club"].pk], CLUB, READ_ONLY),
    "cases:club_edit": (lambda o: [o["club"].pk], CLUB, CLUB),
    "cases:club_close": (lambda o: [o["club"].pk], CLUB, CLUB),
    "outreach:activity_list": (None, TEAM_WORK, READ_ONLY),
    "outreach:activity_add": (None, TEAM_WORK, TEAM_WORK),
    "outreach:activity_batch": (None, WARD_PAGES, WARD_PAGES),
    "outreach:activity_edit": (lambda o: [o["activity"].pk], ACTIVITY_EDIT, ACTIVITY_EDIT),
    "outreach:activity_delete": (lambda o: [o["activity"].pk], ACTIVITY_EDIT, DELETE),
    "outreach:unit_activity_list": (None, DEPARTMENT, READ_ONLY),
    "outreach:unit_activity_add": (None, DEPARTMENT, DEPARTMENT),
    "outreach:unit_activity_edit": (lambda o: [o["unit_activity"].pk], DEPARTMENT, DEPARTMENT),
    "outreach:unit_activity_delete": (lambda o: [o["unit_activity"].pk], DEPARTMENT, DEPARTMENT),
    "outreach:partner_list": (None, TEAM_WORK, READ_ONLY),
    "outreach:partner_add": (None, WARD_PAGES, WARD_PAGES),
    "outreach:partner_edit": (lambda o: [o["partner"].pk], PARTNER_EDIT, PARTNER_EDIT),
    "outreach:referral_list": (None, WARD_PAGES, READ_ONLY),
    "outreach:referral_add": (lambda o: [o["person"].pk], PERSON_VIEW, PERSON_VIEW),
    "outreach:referral_detail": (lambda o: [o["referral"].pk], PERSON_VIEW, PERSON_VIEW),
    "outreach:eligibility_list": (None, WARD_PAGES, READ_ONLY),
    "outreach:eligibility_export": (None, WARD_PAGES, READ_ONLY),
    "reports:report": (None, ALL_200, READ_ONLY),
    "reports:report_export": (lambda o: ["json"], ALL_200, READ_ONLY),
    "reports:submission_add": (None, REPORT_SUBMIT, REPORT_SUBMIT),
    "reports:submission_status": (None, REPORT_STATUS, READ_ONLY),
    "reports:submission_detail": (lambda o: [o["submission"].pk], REPORT_SUBMISSION, READ_ONLY),
    "reports:submission_export": (
        lambda o: [o["submission"].pk, "xlsx"],
        REPORT_SUBMISSION,
        READ_ONLY,
    ),
    "reports:submission_review": (lambda o: [o["submission"].pk], POST_ONLY, REPORT_REVIEW),
    # imports: the start page and the templates are for those who may import into their own
    # ward (the outsider into ward B); an upload posted without a file comes back with its error
    "imports:start": (None, WARD_PAGES, READ_ONLY),
    "imports:template": (lambda o: ["people"], WARD_PAGES, READ_ONLY),
    "imports:upload": (lambda o: ["people"], POST_ONLY, WARD_PAGES),
    "imports:preview": (lambda o: [o["batch"]().pk], UPLOADER_ONLY, READ_ONLY),
    # mapping saves the columns posted (none here) and shows the preview again; commit imports
    # the two rows; cancel deletes the batch: each a redirect, for the uploader only
    "imports:mapping": (lambda o: [o["batch"]().pk], POST_ONLY, UPLOADER_ACTION),
    "imports:commit": (lambda o: [o["batch"]().pk], POST_ONLY, UPLOADER_ACTION),
    "imports:cancel": (lambda o: [o["batch"]().pk], POST_ONLY, UPLOADER_ACTION),
}

IMPORT_CSV = (
    "Họ và tên,Giới tính,Năm sinh,Nhóm,Ngày đồng ý cung cấp thông tin\n"
    "Nguyễn Văn Nhập,Nam,1988,Người sau cai nghiện,05/03/2024\n"
    "Trần Thị Nhập,Nữ,1991,Khác,2024-03-06\n"
).encode()


def _leader_batch(world, client):
    """The leader's upload of a two-row people list, through the upload page, made when a row of
    the matrix asks for it."""
    from imports.models import ImportBatch

    made: list = []

    def batch():
        if not made:
            file = SimpleUploadedFile("danh-sach.csv", IMPORT_CSV)
            response = client.post(reverse("imports:upload", args=["people"]), {"file": file})
            assert response.status_code == 302, response.content.decode()[:1000]
            made.append(ImportBatch.objects.get(created_by=world.leader))
            assert [r["status"] for r in made[0].results] == ["new", "new"]
        return made[0]

    return batch


def _without_login(o) -> int:
    """A current member of ward A's team without a login (the world has three)."""
    return o["team"].members.filter(user=None, left_on=None).order_by("pk").first().pk


def _former_with_login(o) -> int:
    """A former member of ward A's team whose login opens nothing now."""
    former = f.former_member(team=o["team"], full_name="Ngô Thị Đã Thôi", username="dathoi.nt")
    return former.pk


def _officer_post(o) -> int:
    """The post of ward A's officer (canbo_a), which the district supervisor manages."""
    from wards.models import Post

    return Post.objects.get(user__username="canbo_a").pk


@pytest.fixture
def objects(world, personas):
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
        "unit_activity": outreach.activity_record(
            actor=world.supervisor,
            unit=world.district_a,
            occurred_on=today,
            kind="training",
            participants=20,
        ),
        "partner": partner,
        "referral": outreach.referral_create(
            actor=world.leader, person=person, kind="job", referred_on=today, partner=partner
        ),
        "submission": submission_submit(
            actor=world.leader,
            unit=world.ward_a,
            period=parse("2024-H1"),
            narrative="Báo cáo",
            explanations={c.code: "Đã xem." for c in checks.run(world.ward_a, parse("2024-H1"))},
        ),
        "batch": _leader_batch(world, personas["leader"]),
        "club": Club.objects.create(
            ward=world.ward_a,
            programme=Programme.objects.get(code="club_b93"),
            name="CLB B93 ma trận",
            founded_on=datetime.date(2024, 3, 1),
        ),
    }


def test_every_named_url_is_in_the_matrix():
    names = {name for name, _pattern in _named_urls()}
    assert names - set(MATRIX) == set(), "add the new URL to MATRIX"
    assert set(MATRIX) - names == set(), "remove the URL that no longer exists"


def _answer(response, want):
    """The answer in the matrix's terms: a status code, or where a redirect goes."""
    if response.status_code == 302:
        location = response["Location"]
        for target in ("login", "home"):
            if want == target and location.startswith(reverse(target)):
                return target
        return "login" if location.startswith(reverse("login")) else 302
    return response.status_code


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_expected_answer(name, method, objects, personas):
    build, on_get, on_post = MATRIX[name]
    expected = on_get if method == "get" else on_post
    url = reverse(name, args=build(objects) if build else [])
    got, want = {}, {}
    for persona, answer in zip(PERSONAS, expected, strict=True):
        # Each POST is undone afterwards, so one persona's action (a deletion) leaves the next
        # persona the same objects to try.
        with transaction.atomic():
            response = getattr(personas[persona], method)(url)
            transaction.set_rollback(True)
        if answer == "any":
            assert response.status_code < 500, (name, persona)
            continue
        got[persona], want[persona] = _answer(response, answer), answer
    assert got == want


def test_the_matrix_size():
    """Quoted in the closing note: every named URL × 7 personas × GET and POST."""
    cells = sum(len(get) + len(post) for _build, get, post in MATRIX.values())
    assert cells == len(MATRIX) * len(PERSONAS) * 2


def test_another_wards_person_is_404_for_everyone_in_ward_a(world, personas):
    other = f.person(ward=world.ward_b)
    for persona in ["volunteer", "leader", "officer"]:
        for name in ["cases:person_detail", "cases:contact_add", "cases:person_edit"]:
            assert personas[persona].get(reverse(name, args=[other.pk])).status_code == 404


def test_ward_pages_of_another_ward_never_show_ward_a_people(objects, personas):
    for name in ["cases:register", "cases:assignment_board", "cases:ward_dashboard", "home"]:
        html = personas["outsider"].get(reverse(name)).content.decode()
        assert "Nguyễn Văn Ma Trận" not in html, name
