"""The volunteer's pages: the work list, the contact and assessment forms, the person page."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Assessment, Contact, Milestone, Person
from cases.views import work
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent

TODAY = timezone.localdate()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def ahead(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


def assigned(world, name: str, *, registered: int = 30, member=None, **fields) -> Person:
    """A person of ward A assigned to the volunteer, registered `registered` days ago."""
    person = f.person(ward=world.ward_a, full_name=name, registered_on=ago(registered), **fields)
    f.assignment(person=person, member=member or world.volunteer_member)
    return person


def seen(world, person, *, days_ago: int, due_in: int | None, **fields):
    next_due_on = ahead(due_in) if due_in is not None else None
    return f.contact(
        person=person,
        member=world.volunteer_member,
        occurred_on=ago(days_ago),
        next_due_on=next_due_on,
        **fields,
    )


@pytest.fixture
def person(world):
    """Someone assigned to the volunteer, registered a month ago."""
    return assigned(world, "Nguyễn Văn Được Giúp")


@pytest.fixture
def stranger(world):
    """Someone of ward A assigned to another member: not the volunteer's."""
    other = world.team_a.members.filter(user__isnull=True).first()
    return assigned(world, "Hoàng Văn Người Khác", member=other)


@pytest.fixture
def elsewhere(world):
    """Someone on ward B's register."""
    person = f.person(ward=world.ward_b, full_name="Đinh Văn Phường B", registered_on=ago(30))
    f.assignment(person=person, member=world.outsider_member)
    return person


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _contact_data(**fields) -> dict:
    data = {
        "occurred_on": TODAY.isoformat(),
        "kind": "home_visit",
        "summary": "Gia đình hợp tác, đã có việc làm thời vụ",
        "drug_test_result": "",
        "milestone_kind": "",
        "next_due_on": "",
    }
    return {**data, **fields}


# The work list ------------------------------------------------------------------------------


def test_the_work_list_puts_the_most_urgent_first_and_says_why(world, personas, stranger):
    on_track = assigned(world, "A Đúng Hẹn")
    seen(world, on_track, days_ago=5, due_in=20)
    due_sooner = assigned(world, "B Sắp Đến Hẹn")
    seen(world, due_sooner, days_ago=5, due_in=4)
    overdue_3 = assigned(world, "C Quá Hạn Ba Ngày")
    seen(world, overdue_3, days_ago=20, due_in=-3)
    overdue_12 = assigned(world, "D Quá Hạn Mười Hai Ngày")
    seen(world, overdue_12, days_ago=25, due_in=-12, kind=Contact.Kind.PHONE)
    never = f.person(ward=world.ward_a, full_name="E Chưa Gặp", registered_on=ago(30))
    f.assignment(person=never, member=world.volunteer_member, started_on=ago(1))
    period = assigned(world, "F Sắp Hết Thời Hạn")
    seen(world, period, days_ago=5, due_in=10)
    f.enrollment(person=period, started_on=ago(300), due_on=ahead(9))
    assess = assigned(world, "G Cần Đánh Giá", registered=200)
    seen(world, assess, days_ago=5, due_in=10)

    response = personas["volunteer"].get(reverse("cases:my_work"))

    assert response.status_code == 200
    assert [row.person for row in response.context["rows"]] == [
        overdue_12,
        overdue_3,
        never,
        period,
        assess,
        due_sooner,
        on_track,
    ]
    html = response.content.decode()
    assert "Quá hạn tiếp cận 12 ngày" in html
    assert "Chưa tiếp cận lần nào" in html
    assert "Hết thời hạn quản lý sau 9 ngày" in html
    assert "Cần đánh giá" in html
    assert f"Lần gần nhất: {ago(25):%d/%m/%Y}, Gọi điện" in html
    assert "Người nghiện ma túy" in html  # the group
    assert reverse("cases:contact_add", args=[overdue_12.pk]) in html
    assert stranger.full_name not in html


def test_a_recent_assessment_or_a_distant_period_end_is_not_urgent(world, personas):
    person = assigned(world, "Nguyễn Văn Ổn Định", registered=400)
    seen(world, person, days_ago=5, due_in=10)
    f.enrollment(person=person, started_on=ago(300), due_on=ahead(31))
    Assessment.objects.create(
        person=person, ward=world.ward_a, assessed_on=ago(89), result="progressing"
    )
    [row] = personas["volunteer"].get(reverse("cases:my_work")).context["rows"]
    assert row.urgency == work.Urgency.ON_TRACK
    assert [reason.text for reason in row.reasons] == ["Hẹn tiếp cận sau 10 ngày"]


def test_someone_with_nobody_to_follow_sees_the_empty_work_list(world, personas):
    html = personas["leader"].get(reverse("cases:my_work")).content.decode()
    assert "Bạn chưa được phân công giúp đỡ ai. Đội trưởng sẽ phân công cho bạn." in html
    # A team member can still log the team's activities; one tap away.
    assert f'href="{reverse("outreach:activity_add")}"' in html
    # Someone in no team (a supervisor) is not offered a form they may not use.
    html = personas["supervisor"].get(reverse("cases:my_work")).content.decode()
    assert "Bạn chưa được phân công giúp đỡ ai." in html
    assert reverse("outreach:activity_add") not in html


def test_home_is_the_work_list_for_a_helper_and_the_team_home_for_others(
    world, personas, person, settings
):
    html = personas["volunteer"].get("/").content.decode()
    assert person.full_name in html and "Việc của tôi" in html
    html = personas["leader"].get("/").content.decode()
    assert person.full_name not in html and "Xem danh sách Đội" in html


def test_a_volunteer_nobody_is_assigned_to_yet_lands_on_the_work_list_that_says_so(world):
    """A new member's first page after setting their password is their (empty) work list."""
    newcomer = f.user("moi.tnv")
    f.member(team=world.team_a, full_name="Người Mới", user=newcomer)
    html = login(newcomer).get("/").content.decode()
    assert "Bạn chưa được phân công giúp đỡ ai." in html and "Việc của tôi" in html


def test_a_leader_with_people_assigned_sees_them_on_the_work_list(world, personas):
    person = assigned(world, "Lý Văn Của Đội Trưởng", member=world.leader_member)
    html = personas["leader"].get(reverse("cases:my_work")).content.decode()
    assert person.full_name in html


def test_the_work_list_query_count_is_the_same_at_1_and_at_50_persons(
    world, django_assert_num_queries
):
    client = login(world.volunteer)
    url = reverse("cases:my_work")
    first = assigned(world, "Người Thứ Nhất")
    seen(world, first, days_ago=3, due_in=-1)
    baseline = _count(client, url)
    for i in range(49):
        p = assigned(world, f"Người Thứ {i + 2}", registered=100 + i)
        seen(world, p, days_ago=10 + i % 20, due_in=i % 7 - 3)
        f.enrollment(person=p, started_on=ago(200), due_on=ahead(i))
        Assessment.objects.create(
            person=p, ward=world.ward_a, assessed_on=ago(i), result="progressing"
        )
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["rows"]) == 50


# Access -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["cases:person_detail", "cases:contact_add", "cases:assessment_add"]
)
def test_a_volunteer_gets_404_for_a_person_not_assigned_to_them(
    world, personas, stranger, elsewhere, name
):
    for target in (stranger, elsewhere):
        assert personas["volunteer"].get(reverse(name, args=[target.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "admin"])
def test_supervisors_and_other_wards_get_404_for_the_person_page(world, personas, person, persona):
    for name in ("cases:person_detail", "cases:contact_add", "cases:assessment_add"):
        assert personas[persona].get(reverse(name, args=[person.pk])).status_code == 404


@pytest.mark.parametrize("persona", ["leader", "officer"])
def test_leaders_and_officers_open_any_person_of_their_ward(world, personas, stranger, persona):
    for name in ("cases:person_detail", "cases:contact_add", "cases:assessment_add"):
        assert personas[persona].get(reverse(name, args=[stranger.pk])).status_code == 200


@pytest.mark.parametrize("persona", ["volunteer", "leader"])
def test_a_crafted_post_for_another_wards_person_is_refused_and_writes_nothing(
    world, personas, elsewhere, persona
):
    events = AuditEvent.objects.exclude(action="denied").count()
    for name, data in (
        ("cases:contact_add", _contact_data()),
        ("cases:assessment_add", {"assessed_on": TODAY.isoformat(), "result": "relapsed"}),
    ):
        response = personas[persona].post(reverse(name, args=[elsewhere.pk]), data)
        assert response.status_code == 404
    assert not Contact.objects.exists()
    assert not Assessment.objects.exists()
    # Nothing but the two refusals themselves (wards.middleware.DeniedAccessAuditMiddleware).
    assert AuditEvent.objects.exclude(action="denied").count() == events
    assert AuditEvent.objects.filter(action="denied").count() == 2


# Recording a contact ------------------------------------------------------------------------


def test_the_contact_form_starts_on_today_with_big_kind_buttons(world, personas, person):
    response = personas["volunteer"].get(reverse("cases:contact_add", args=[person.pk]))
    html = response.content.decode()
    assert response.context["form"]["occurred_on"].value() == TODAY
    assert 'class="btn-check"' in html and 'class="btn btn-outline-primary' in html
    assert "Thăm tại nhà" in html and "Phối hợp xét nghiệm" in html
    assert "js/contact_form.js" in html
    assert "<script>" not in html  # no inline script
    assert "Để trống: tự hẹn sau 30 ngày." in html


def test_a_contact_saved_through_the_form_lands_on_the_timeline(world, personas, person):
    client = personas["volunteer"]
    response = client.post(
        reverse("cases:contact_add", args=[person.pk]),
        _contact_data(milestone_kind="job"),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("cases:my_work")
    assert f"Đã lưu lượt tiếp cận với {person.full_name}." in response.content.decode()
    contact = Contact.objects.get(person=person)
    assert contact.member == world.volunteer_member
    assert contact.created_by == world.volunteer
    assert contact.next_due_on == ahead(30)  # the service default
    assert Milestone.objects.get(person=person).kind == "job"
    page = client.get(reverse("cases:person_detail", args=[person.pk]))
    [first, second, *_rest] = page.context["timeline"]
    assert {first.kind, second.kind} == {"contact", "milestone"}
    html = page.content.decode()
    assert "Gia đình hợp tác, đã có việc làm thời vụ" in html
    assert "Chuyển biến: Có việc làm" in html


def test_a_drug_test_result_is_refused_for_a_home_visit(world, personas, person):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _contact_data(kind="home_visit", drug_test_result="negative"),
    )
    assert response.status_code == 200
    assert "Chỉ ghi kết quả xét nghiệm khi hình thức là" in response.content.decode()
    assert response.context["form"].errors.keys() == {"drug_test_result"}
    assert not Contact.objects.exists()


def test_a_drug_test_keeps_its_result(world, personas, person):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _contact_data(kind="drug_test", drug_test_result="negative", next_due_on=""),
    )
    assert response.status_code == 302
    assert Contact.objects.get().drug_test_result == "negative"


def test_a_date_the_service_refuses_is_shown_next_to_the_field_and_nothing_is_saved(
    world, personas, person
):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _contact_data(occurred_on=ago(40).isoformat(), milestone_kind="job"),
    )
    assert response.status_code == 200
    assert "occurred_on" in response.context["form"].errors
    assert "được đưa vào danh sách" in response.content.decode()
    assert not Contact.objects.exists() and not Milestone.objects.exists()


def test_a_missing_kind_and_a_future_date_get_vietnamese_messages(world, personas, person):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _contact_data(kind="", occurred_on=ahead(1).isoformat()),
    )
    html = response.content.decode()
    assert "Hãy chọn hình thức tiếp cận." in html
    assert "Không được chọn một ngày trong tương lai." in html
    assert not Contact.objects.exists()


def test_an_officer_records_without_a_membership_and_returns_to_the_persons_page(
    world, personas, stranger
):
    response = personas["officer"].post(
        reverse("cases:contact_add", args=[stranger.pk]), _contact_data(kind="phone")
    )
    assert response.status_code == 302
    assert response["Location"] == stranger.get_absolute_url()
    contact = Contact.objects.get()
    assert contact.member is None and contact.created_by == world.officer


def test_a_leader_records_as_their_own_membership(world, personas, stranger):
    personas["leader"].post(reverse("cases:contact_add", args=[stranger.pk]), _contact_data())
    assert Contact.objects.get().member == world.leader_member


def test_login_to_a_saved_visit_takes_three_screens(world, person, client, settings):
    # Screen 1: the login page.
    assert client.get(reverse("login")).status_code == 200
    # Screen 2: logging in lands on the work list.
    response = client.post(
        reverse("login"), {"username": "tnv_a", "password": f.PASSWORD}, follow=True
    )
    assert response.resolver_match.func is work.home
    form_url = reverse("cases:contact_add", args=[person.pk])
    assert form_url in response.content.decode()
    # Screen 3: the contact form; saving it returns to the work list with a message.
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, _contact_data(), follow=True)
    assert response.resolver_match.url_name == "my_work"
    assert f"Đã lưu lượt tiếp cận với {person.full_name}." in response.content.decode()
    assert Contact.objects.filter(person=person).count() == 1


# The person page and the assessment -----------------------------------------------------------


def test_the_person_page_shows_the_profile_helper_and_periods(world, personas, person):
    Person.objects.filter(pk=person.pk).update(phone="0912345678", address="Số 5 ngõ 10")
    f.enrollment(person=person, started_on=ago(300), due_on=ahead(23))
    f.enrollment(
        person=person,
        programme=f.programme("methadone_x", category="methadone", default_months=None),
        started_on=ago(400),
        due_on=ago(5),
    )
    html = personas["volunteer"].get(reverse("cases:person_detail", args=[person.pk])).content
    html = html.decode()
    assert "0912345678" in html and "Số 5 ngõ 10" in html
    assert world.volunteer_member.full_name in html
    assert "còn 23 ngày" in html and "quá hạn 5 ngày" in html
    assert "Ghi nhận tiếp cận" in html and "Đánh giá tiến bộ" in html
    assert "đối tượng" not in html.lower()


def test_a_volunteer_sees_no_edit_links_on_the_person_page(world, personas, person):
    response = personas["volunteer"].get(reverse("cases:person_detail", args=[person.pk]))
    assert response.context["edit_url"] is None and response.context["close_url"] is None


def test_every_view_of_the_person_page_is_audited(world, personas, person):
    url = reverse("cases:person_detail", args=[person.pk])
    personas["volunteer"].get(url)
    personas["volunteer"].get(url)
    events = AuditEvent.objects.filter(
        action="view", object_type="cases.person", object_id=str(person.pk)
    )
    assert events.count() == 2
    assert {(e.actor, e.unit) for e in events} == {(world.volunteer, world.ward_a)}


def test_a_refused_person_page_is_not_audited_as_a_view(world, personas, elsewhere):
    personas["volunteer"].get(reverse("cases:person_detail", args=[elsewhere.pk]))
    assert not AuditEvent.objects.filter(action="view").exists()


@pytest.mark.parametrize("name", ["cases:person_detail", "cases:contact_add", "cases:my_work"])
def test_pages_with_personal_data_are_not_stored_by_the_browser(world, personas, person, name):
    args = [] if name == "cases:my_work" else [person.pk]
    response = personas["volunteer"].get(reverse(name, args=args))
    assert "no-store" in response["Cache-Control"]


def test_an_assessment_saved_through_the_form_lands_on_the_timeline(world, personas, person):
    client = personas["volunteer"]
    response = client.post(
        reverse("cases:assessment_add", args=[person.pk]),
        {"assessed_on": TODAY.isoformat(), "result": "progressing", "note": "Đi làm đều"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == person.get_absolute_url()
    html = response.content.decode()
    assert f"Đã lưu đánh giá tiến bộ của {person.full_name}." in html
    assert "Đánh giá tiến bộ: Tiến bộ" in html and "Đi làm đều" in html
    assert Assessment.objects.get().member == world.volunteer_member


def test_the_timeline_merges_every_kind_of_record_newest_first(world, personas, person):
    seen(world, person, days_ago=10, due_in=5)
    f.milestone(person=person, occurred_on=ago(3), kind="job")
    Assessment.objects.create(
        person=person, ward=world.ward_a, assessed_on=ago(1), result="progressing"
    )
    page = personas["leader"].get(reverse("cases:person_detail", args=[person.pk]))
    assert [(i.on, i.kind) for i in page.context["timeline"]] == [
        (ago(1), "assessment"),
        (ago(3), "milestone"),
        (ago(10), "contact"),
        (ago(30), "assignment"),
    ]


def test_the_person_page_query_count_is_the_same_at_1_and_at_50_timeline_items(
    world, django_assert_num_queries
):
    person = f.person(ward=world.ward_a, registered_on=ago(400))
    f.assignment(person=person, member=world.volunteer_member)  # timeline item 1
    client = login(world.volunteer)
    url = reverse("cases:person_detail", args=[person.pk])
    baseline = _count(client, url)
    for i in range(16):
        seen(world, person, days_ago=i, due_in=3)
        f.milestone(person=person, occurred_on=ago(i))
        Assessment.objects.create(
            person=person,
            member=world.volunteer_member,
            ward=world.ward_a,
            assessed_on=ago(i),
            result="progressing",
        )
    f.enrollment(person=person, started_on=ago(300), due_on=ahead(10))
    f.contact(person=person, member=world.volunteer_member, occurred_on=ago(99))
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.context["timeline_total"] == 50
    assert len(response.context["timeline"]) == 10  # the latest ten; «Xem thêm» shows more
    with django_assert_num_queries(baseline):
        response = client.get(url + "?trang=5")
    assert len(response.context["timeline"]) == 50


def test_the_person_page_offers_leaders_the_enrolment_and_reopen_actions(world, personas, person):
    enrollment = f.enrollment(person=person)
    url = reverse("cases:person_detail", args=[person.pk])
    html = personas["leader"].get(url).content.decode()
    assert reverse("cases:enrollment_add", args=[person.pk]) in html
    assert reverse("cases:enrollment_end", args=[enrollment.pk]) in html
    assert reverse("cases:person_reopen", args=[person.pk]) not in html
    html = personas["volunteer"].get(url).content.decode()
    assert reverse("cases:enrollment_add", args=[person.pk]) not in html
    assert reverse("cases:enrollment_end", args=[enrollment.pk]) not in html
    Person.objects.filter(pk=person.pk).update(
        status=Person.Status.CLOSED, closed_on=ago(1), closed_reason=Person.ClosedReason.MOVED_AWAY
    )
    html = personas["leader"].get(url).content.decode()
    assert reverse("cases:person_reopen", args=[person.pk]) in html
    assert reverse("cases:enrollment_add", args=[person.pk]) not in html
