"""A form sent twice saves once; a form saved over somebody else's change is refused (issue 19,
«Double submit saves twice»).

Create forms carry the one-time token (wards.once): the same form posted twice — a second tap,
a reload — saves nothing the second time and says «đã được lưu». Edit forms carry the version
they were built on (wards.versions): two tabs open the same record, the first saves, the
second is refused with a message and what it typed kept on the form, and the first's change
stays.

Every form is read as a browser reads it: its hidden fields come from the page itself.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import services as cases
from cases.models import Assignment, Enrollment, Person
from imports.models import ImportBatch
from outreach import services as outreach
from outreach.models import Activity, Partner, Referral, ReferralStatusChange
from reports import checks
from reports.choice import Choice
from reports.models import Submission
from reports.periods import parse
from tests import factories as f
from tests.imports.helpers import xlsx
from wards.models import Member, Team

SAVED = "đã được lưu ở lần gửi trước"
STALE = "Hãy tải lại trang để xem thay đổi"


class _Hidden(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.values.setdefault(a["name"], a.get("value") or "")


def hidden(client: Client, url: str) -> dict[str, str]:
    """The hidden fields of the page's forms, as a browser would send them (no CSRF in tests)."""
    response = client.get(url)
    assert response.status_code == 200
    parser = _Hidden()
    parser.feed(response.content.decode())
    parser.values.pop("csrfmiddlewaretoken", None)
    return parser.values


def posted_twice(client: Client, url: str, data: dict) -> tuple:
    """Post one form (one page's hidden fields) twice, following the second answer."""
    form = {**hidden(client, url), **data}
    first = client.post(url, form)
    second = client.post(url, form, follow=True)
    return first, second


def two_tabs(client: Client, url: str, first: dict, second: dict):
    """Open the form in two tabs, save the first, then the second: the second's answer."""
    tab1, tab2 = hidden(client, url), hidden(client, url)
    assert client.post(url, {**tab1, **first}).status_code == 302
    return client.post(url, {**tab2, **second})


def refused_and_kept(response, typed: str) -> None:
    """The stale form is shown again (200), with the message and what the user typed."""
    assert response.status_code == 200
    page = response.content.decode()
    assert STALE in page
    assert typed in page


# Wards: the team and its members -------------------------------------------------------------

MEMBER = {
    "full_name": "Hoàng Thị Mai",
    "sex": "female",
    "birth_year": "1975",
    "phone": "0912345678",
    "role": "member",
    "organisation": "women",
    "joined_on": "2025-09-01",
}


def test_the_add_member_form_sent_twice_adds_one_member(world, personas):
    url = reverse("wards:member_add", args=[world.team_a.pk])
    first, second = posted_twice(personas["leader"], url, MEMBER)
    assert first.status_code == 302
    assert Member.objects.filter(team=world.team_a, full_name="Hoàng Thị Mai").count() == 1
    assert SAVED in second.content.decode()


def _member_data(member: Member, **changes) -> dict:
    return {
        "full_name": member.full_name,
        "sex": member.sex,
        "birth_year": str(member.birth_year),
        "phone": member.phone,
        "role": member.role,
        "organisation": member.organisation,
        "joined_on": member.joined_on.isoformat(),
        **changes,
    }


def test_a_member_edited_in_two_tabs_keeps_the_first_save(world, personas):
    member = world.volunteer_member
    url = reverse("wards:member_edit", args=[member.pk])
    response = two_tabs(
        personas["leader"],
        url,
        _member_data(member, phone="0911111111"),
        _member_data(member, phone="0922222222"),
    )
    refused_and_kept(response, "0922222222")
    member.refresh_from_db()
    assert member.phone == "0911111111"
    assert member.version == 2


def test_a_member_cannot_be_marked_as_left_from_a_page_that_went_stale(world, personas):
    member = world.volunteer_member
    client = personas["leader"]
    leave_url = reverse("wards:member_leave", args=[member.pk])
    stale = hidden(client, leave_url)
    edit_url = reverse("wards:member_edit", args=[member.pk])
    edited = {**hidden(client, edit_url), **_member_data(member, role="deputy")}
    assert client.post(edit_url, edited).status_code == 302
    response = client.post(leave_url, {**stale, "left_on": "2025-10-01", "reason": "Nghỉ ốm"})
    refused_and_kept(response, "Nghỉ ốm")
    member.refresh_from_db()
    assert member.left_on is None
    assert member.role == "deputy"


def test_a_team_edited_in_two_tabs_keeps_the_first_save(world, personas):
    url = reverse("wards:team_edit", args=[world.team_a.pk])
    data = {"name": "Đội CTXHTN phường A", "established_on": "2013-01-15", "decision_no": "12"}
    response = two_tabs(
        personas["leader"],
        url,
        {**data, "contact_due_days": "14"},
        {**data, "decision_no": "99/QĐ-UBND", "contact_due_days": ""},
    )
    refused_and_kept(response, "99/QĐ-UBND")
    team = Team.objects.get(pk=world.team_a.pk)
    assert (team.contact_due_days, team.decision_no, team.version) == (14, "12", 2)


def test_a_form_without_its_version_saves_nothing_and_says_why(world, personas):
    member = world.volunteer_member
    url = reverse("wards:member_edit", args=[member.pk])
    response = personas["leader"].post(url, _member_data(member, phone="0933333333"))
    assert response.status_code == 200
    assert "Biểu mẫu này đã cũ" in response.content.decode()
    member.refresh_from_db()
    assert member.phone != "0933333333"


# Outreach: activities, partners, referrals ---------------------------------------------------

TODAY = timezone.localdate()
DAY = (TODAY - datetime.timedelta(days=3)).isoformat()


def test_the_notebook_grid_sent_twice_saves_each_line_once(world, personas):
    url = reverse("outreach:activity_batch")
    rows = {
        "unit": world.ward_a.pk,
        "dong-0-occurred_on": DAY,
        "dong-0-kind": "radio",
        "dong-0-sessions": "35",
        "dong-0-minutes_each": "15",
        "dong-1-occurred_on": DAY,
        "dong-1-kind": "leaflets",
        "dong-1-items": "700",
    }
    first, second = posted_twice(personas["leader"], url, rows)
    assert first.status_code == 302
    assert Activity.objects.count() == 2  # not 4: the report's figures are not doubled
    assert sum(a.sessions for a in Activity.objects.all()) == 36
    assert SAVED in second.content.decode()


def _activity(world) -> Activity:
    return outreach.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=TODAY - datetime.timedelta(days=3),
        kind="community_meeting",
        participants=40,
    )


def _activity_data(world, **changes) -> dict:
    return {
        "unit": world.ward_a.pk,
        "kind": "community_meeting",
        "occurred_on": DAY,
        "sessions": "1",
        "participants": "40",
        **changes,
    }


def test_an_activity_edited_in_two_tabs_keeps_the_first_save(world, personas):
    activity = _activity(world)
    url = reverse("outreach:activity_edit", args=[activity.pk])
    response = two_tabs(
        personas["leader"],
        url,
        _activity_data(world, participants="80"),
        _activity_data(world, participants="120", note="Ghi chú của tab thứ hai"),
    )
    refused_and_kept(response, "Ghi chú của tab thứ hai")
    activity.refresh_from_db()
    assert (activity.participants, activity.note, activity.version) == (80, "", 2)


def test_an_activity_changed_since_the_delete_page_opened_is_not_deleted(world, personas):
    activity = _activity(world)
    client = personas["leader"]
    delete = reverse("outreach:activity_delete", args=[activity.pk])
    stale = hidden(client, delete)
    edit = reverse("outreach:activity_edit", args=[activity.pk])
    edited = {**hidden(client, edit), **_activity_data(world, participants="80")}
    assert client.post(edit, edited).status_code == 302
    response = client.post(delete, stale)
    assert response.status_code == 200
    assert "nên chưa xóa" in response.content.decode()
    assert Activity.objects.get(pk=activity.pk).participants == 80
    # the page as it is now deletes it
    assert client.post(delete, hidden(client, delete)).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


PARTNER = {"name": "Trung tâm Dạy nghề Quận A", "kind": "training", "active": "on"}


def test_the_add_partner_form_sent_twice_adds_one_partner(world, personas):
    url = reverse("outreach:partner_add")
    first, second = posted_twice(personas["officer"], url, PARTNER)
    assert first.status_code == 302
    assert Partner.objects.filter(name=PARTNER["name"]).count() == 1
    assert SAVED in second.content.decode()


def test_a_partner_edited_in_two_tabs_keeps_the_first_save(world, personas):
    partner = outreach.partner_create(
        actor=world.leader, unit=world.ward_a, name="Công ty Giày Việt", kind="employer"
    )
    url = reverse("outreach:partner_edit", args=[partner.pk])
    data = {"name": "Công ty Giày Việt", "kind": "employer", "active": "on"}
    response = two_tabs(
        personas["leader"],
        url,
        {**data, "phone": "02438123456"},
        {**data, "contact_person": "Chị Hoa phòng nhân sự"},
    )
    refused_and_kept(response, "Chị Hoa phòng nhân sự")
    partner.refresh_from_db()
    assert (partner.phone, partner.contact_person, partner.version) == ("02438123456", "", 2)


def _referral(world) -> Referral:
    person = f.person(ward=world.ward_a, registered_on=TODAY - datetime.timedelta(days=400))
    f.assignment(person=person, member=world.volunteer_member)
    return outreach.referral_create(
        actor=world.leader,
        person=person,
        kind=Referral.Kind.VOCATIONAL_TRAINING,
        referred_on=TODAY - datetime.timedelta(days=30),
    )


def test_a_referral_step_sent_twice_is_recorded_once(world, personas):
    referral = _referral(world)
    url = reverse("outreach:referral_detail", args=[referral.pk])
    step = {"status": "approved", "changed_on": TODAY.isoformat(), "note": "Đã nhận hồ sơ"}
    first, second = posted_twice(personas["volunteer"], url, step)
    assert first.status_code == 302
    assert SAVED in second.content.decode()
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 2  # made + approved
    referral.refresh_from_db()
    assert (referral.status, referral.version) == ("approved", 2)


def test_a_referral_step_from_a_second_tab_is_refused_and_keeps_its_note(world, personas):
    referral = _referral(world)
    url = reverse("outreach:referral_detail", args=[referral.pk])
    day = TODAY.isoformat()
    response = two_tabs(
        personas["volunteer"],
        url,
        {"status": "approved", "changed_on": day, "note": ""},
        {"status": "declined", "changed_on": day, "note": "Không đủ điều kiện học"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Người khác vừa cập nhật giới thiệu này" in page
    assert "Không đủ điều kiện học" in page
    referral.refresh_from_db()
    assert referral.status == "approved"
    assert ReferralStatusChange.objects.filter(referral=referral).count() == 2


# Cases: enrolments, closing a file, the assignment board -------------------------------------

ENROLMENT = {
    "started_on": "2025-03-31",
    "due_on": "",
    "decision_no": "15/QĐ-UBND",
    "decision_on": "2025-03-28",
}


def test_the_enrolment_form_sent_twice_starts_one_enrolment(world, personas):
    person = f.person(ward=world.ward_a)
    data = {**ENROLMENT, "programme": f.programme("post_rehab_12").pk}
    url = reverse("cases:enrollment_add", args=[person.pk])
    first, second = posted_twice(personas["leader"], url, data)
    assert first.status_code == 302
    assert Enrollment.objects.filter(person=person).count() == 1
    assert SAVED in second.content.decode()


def test_an_enrolment_ended_in_two_tabs_keeps_the_first_end(world, personas):
    person = f.person(ward=world.ward_a)
    enrollment = f.enrollment(person=person, started_on=datetime.date(2025, 1, 1))
    url = reverse("cases:enrollment_end", args=[enrollment.pk])
    client = personas["leader"]
    tab1, tab2 = hidden(client, url), hidden(client, url)
    # between the two tabs, someone corrects the enrolment's decision
    cases.enrollment_update(actor=world.leader, enrollment=enrollment, decision_no="20/QĐ-UBND")
    response = client.post(url, {**tab2, "ended_on": "2025-09-30", "reason": "relapsed"})
    assert response.status_code == 200
    assert "Người khác vừa sửa lượt tham gia này" in response.content.decode()
    assert 'value="2025-09-30"' in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.ended_on is None
    fresh = hidden(client, url)
    assert fresh["version"] == "2" and tab1["version"] == "1"
    response = client.post(url, {**fresh, "ended_on": "2025-09-30", "reason": "relapsed"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.ended_on, enrollment.version) == (datetime.date(2025, 9, 30), 3)


def test_a_file_changed_since_the_close_page_opened_is_not_closed(world, personas):
    person = f.person(ward=world.ward_a)
    client = personas["leader"]
    close = reverse("cases:person_close", args=[person.pk])
    stale = hidden(client, close)
    cases.person_update(actor=world.leader, person=person, address="Số 5 ngõ 12")
    day = timezone.localdate().isoformat()
    response = client.post(close, {**stale, "closed_on": day, "reason": "moved_away"})
    refused_and_kept(response, day)
    assert response.context["form"]["reason"].value() == "moved_away"
    person.refresh_from_db()
    assert person.status == Person.Status.ACTIVE and person.address == "Số 5 ngõ 12"


def test_a_file_closed_again_since_the_page_opened_is_not_reopened(world, personas):
    person = f.person(ward=world.ward_a, registered_on=datetime.date(2024, 1, 5))
    day = timezone.localdate()
    cases.person_close(actor=world.leader, person=person, closed_on=day, reason="moved_away")
    client = personas["leader"]
    stale = hidden(client, reverse("cases:person_detail", args=[person.pk]))
    # meanwhile the officer reopens the file and closes it again, for another reason
    cases.person_reopen(actor=world.officer, person=person)
    cases.person_close(actor=world.officer, person=person, closed_on=day, reason="died")
    reopen = reverse("cases:person_reopen", args=[person.pk])
    response = client.post(reopen, stale, follow=True)
    assert "Người khác vừa thay đổi hồ sơ này" in response.content.decode()
    person.refresh_from_db()
    assert (person.status, person.closed_reason) == (Person.Status.CLOSED, "died")


def test_the_assignment_form_sent_twice_assigns_once(world, personas):
    person = f.person(ward=world.ward_a)
    url = reverse("cases:assignment_board")
    data = {"persons": [person.pk], "member": world.volunteer_member.pk, "started_on": DAY}
    client = personas["leader"]
    form = {**hidden(client, url), **data}
    reassign = reverse("cases:assignment_reassign")
    assert client.post(reassign, form).status_code == 302
    second = client.post(reassign, form, follow=True)
    assert Assignment.objects.filter(person=person).count() == 1
    assert SAVED in second.content.decode()


# Reports: submitting a quarter's report -------------------------------------------------------


def test_the_report_submitted_twice_says_the_first_was_saved(world, personas):
    url = f"{reverse('reports:submission_add')}?{Choice(world.ward_a, parse('2024-Q2')).query()}"
    data = {"narrative": "Đội đã hoàn thành kế hoạch quý.", "confirm": "on"}
    data |= {f"giai-trinh-{c.code}": "Đã xem." for c in checks.run(world.ward_a, parse("2024-Q2"))}
    first, second = posted_twice(personas["leader"], url, data)
    submission = Submission.objects.get()
    assert first.status_code == 302
    assert second.redirect_chain[-1][0] == submission.get_absolute_url()
    assert SAVED in second.content.decode()


# Imports: a file uploaded twice --------------------------------------------------------------


def test_a_file_uploaded_twice_makes_one_batch(world, personas):
    client = personas["leader"]
    url = reverse("imports:upload", args=["people"])
    token = hidden(client, reverse("imports:start"))["_once"]
    rows = [["Họ và tên", "Giới tính", "Năm sinh", "Nhóm", "Ngày đồng ý cung cấp thông tin"]]
    rows.append(["Nguyễn Văn Thử", "Nam", 1980, "Người sau cai nghiện", "05/03/2024"])
    content = xlsx(rows)

    def send(**extra):
        file = SimpleUploadedFile("danh-sach.xlsx", content)
        return client.post(url, {"_once": token, "file": file}, **extra)

    assert send().status_code == 302
    assert SAVED in send(follow=True).content.decode()
    assert ImportBatch.objects.count() == 1


def test_a_reassignment_from_a_second_tab_is_refused_and_keeps_the_ticks(world, personas):
    """Two tabs of the board: the first gives a person to one member; the second, still showing
    the old helper, tries to give them to another and is told, instead of silently replacing
    the first tab's choice."""
    import re

    person = f.person(ward=world.ward_a)
    first, second = Member.objects.filter(team=world.team_a, role="member")[:2]
    cases.assignment_assign(
        actor=world.leader,
        person=person,
        member=world.volunteer_member,
        started_on=TODAY - datetime.timedelta(days=20),
    )
    client = personas["leader"]
    board = reverse("cases:assignment_board")
    reassign = reverse("cases:assignment_reassign")

    def tab() -> dict:
        page = client.get(board).content.decode()
        seen = re.findall(r'name="da_thay" value="([0-9-]+)"', page)
        return {"_once": hidden(client, board)["_once"], "da_thay": seen}

    tab_a, tab_b = tab(), tab()
    data = {"persons": [person.pk], "started_on": DAY}
    assert client.post(reassign, {**tab_a, **data, "member": first.pk}).status_code == 302
    answer = client.post(reassign, {**tab_b, **data, "member": second.pk})
    assert answer.status_code == 200
    assert "vừa được phân công cho người khác" in answer.content.decode()
    assert f'value="{person.pk}" checked' in answer.content.decode()
    assert Assignment.objects.open().get(person=person).member == first
