"""The person's page on a phone (issue 23): a card with what a volunteer needs at the door
first, then the ten latest events with «Xem thêm» for the rest."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact
from cases.views import work
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent

TODAY = timezone.localdate()


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


def ahead(days: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=days)


@pytest.fixture
def person(world):
    person = f.person(
        ward=world.ward_a,
        full_name="Trần Văn Thăm Nhà",
        registered_on=ago(4000),
        phone="0912345678",
        address="Số 5 ngõ 10 phố Hàng Bông",
    )
    f.assignment(person=person, member=world.volunteer_member, started_on=ago(3900))
    return person


def history(world, person, count: int) -> None:
    """`count` home visits, one a month back from yesterday: the oldest years ago."""
    for i in range(count):
        f.contact(
            person=person,
            member=world.volunteer_member,
            occurred_on=ago(1 + 30 * i),
            summary=f"Lần thăm số {count - i}",
        )


def url(person, query: str = "") -> str:
    return reverse("cases:person_detail", args=[person.pk]) + query


def card(html: str) -> str:
    return html.split('class="person-card', 1)[1].split("</section>", 1)[0]


def test_the_card_comes_before_the_history_and_holds_what_is_needed_at_the_door(
    world, personas, person
):
    history(world, person, 3)
    f.enrollment(person=person, started_on=ago(200), due_on=ahead(23))
    f.enrollment(
        person=person,
        programme=f.programme("drug_treatment"),
        started_on=ago(900),
        due_on=ago(500),
        ended_on=ago(500),
        end_reason="completed",
    )
    html = personas["volunteer"].get(url(person)).content.decode()
    top = card(html)
    assert html.index('class="person-card') < html.index("Diễn biến")
    assert 'href="tel:0912345678"' in top
    assert "Số 5 ngõ 10 phố Hàng Bông" in top
    assert world.volunteer_member.full_name in top
    assert "còn 23 ngày" in top
    assert "đã kết thúc" not in top  # an ended enrolment stays in the file below the history
    assert "đã kết thúc" in html
    assert reverse("cases:contact_add", args=[person.pk]) in top
    assert "Ghi nhận tiếp cận" in top


def test_the_card_gives_the_next_contact_as_the_work_list_does(world, personas, person):
    f.contact(
        person=person,
        member=world.volunteer_member,
        occurred_on=ago(10),
        next_due_on=ago(4),
    )
    response = personas["volunteer"].get(url(person))
    [row] = work.work_rows(world.volunteer, TODAY)
    assert response.context["contact_due_on"] == row.contact_due_on == ago(4)
    top = card(response.content.decode())
    assert "Quá hạn tiếp cận 4 ngày" in top
    assert row.reasons[0].text == "Quá hạn tiếp cận 4 ngày"


def test_a_person_without_phone_or_helper_says_so_instead_of_a_dead_link(world, personas):
    person = f.person(ward=world.ward_a, full_name="Lê Thị Chưa Giao")
    top = card(personas["leader"].get(url(person)).content.decode())
    assert "tel:" not in top
    assert "Chưa có số điện thoại" in top and "Chưa phân công" in top
    assert "Tiếp cận tiếp theo" not in top


def test_the_page_shows_the_ten_latest_events_and_more_on_request(world, personas, person):
    history(world, person, 60)  # and the assignment: 61 events
    client = personas["volunteer"]
    response = client.get(url(person))
    html = response.content.decode()
    assert response.context["timeline_total"] == 61
    assert len(response.context["timeline"]) == 10
    assert "Lần thăm số 60" in html and "Lần thăm số 51" in html
    assert "Lần thăm số 50" not in html
    assert 'href="?trang=2#su-kien-11"' in html and "Xem thêm" in html
    assert 'href="?trang=7#su-kien-11"' in html and "Xem tất cả 61 sự kiện" in html

    html = client.get(url(person, "?trang=2")).content.decode()
    assert "Lần thăm số 41" in html and "Lần thăm số 40" not in html
    assert 'id="su-kien-11"' in html and 'href="?trang=3#su-kien-21"' in html

    response = client.get(url(person, "?trang=7"))
    html = response.content.decode()
    assert len(response.context["timeline"]) == 61
    assert "Lần thăm số 1<" in html and "Phân công" in html
    assert "Xem thêm" not in html


@pytest.mark.parametrize(("asked", "shown"), [("abc", 10), ("0", 10), ("-4", 10), ("99", 61)])
def test_a_page_number_out_of_range_shows_the_nearest_page(world, personas, person, asked, shown):
    history(world, person, 60)
    response = personas["volunteer"].get(url(person, f"?trang={asked}"))
    assert response.status_code == 200
    assert len(response.context["timeline"]) == shown


def test_a_short_history_has_no_more_link(world, personas, person):
    history(world, person, 9)  # and the assignment: 10 events
    html = personas["volunteer"].get(url(person)).content.decode()
    assert "Xem thêm" not in html and "?trang=" not in html
    assert "Đang xem 10 trên 10 sự kiện." in html


def test_the_more_links_carry_nothing_but_a_page_number(world, personas, person):
    history(world, person, 30)
    html = personas["volunteer"].get(url(person)).content.decode()
    links = re.findall(r'href="(\?[^"]*)"', html)
    assert links and all(re.fullmatch(r"\?trang=\d+#su-kien-\d+", link) for link in links)


def test_every_page_of_the_history_is_audited_as_a_view(world, personas, person):
    history(world, person, 30)
    client = personas["volunteer"]
    client.get(url(person))
    client.get(url(person, "?trang=2"))
    events = AuditEvent.objects.filter(
        action="view", object_type="cases.person", object_id=str(person.pk)
    )
    assert events.count() == 2


def test_the_query_count_does_not_grow_with_the_history_or_the_page(
    world, person, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    f.enrollment(person=person, started_on=ago(300), due_on=ahead(10))
    client = login(world.volunteer)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url(person)).status_code == 200
    history(world, person, 60)
    for query in ("", "?trang=2", "?trang=7"):
        with django_assert_num_queries(len(baseline)):
            client.get(url(person, query))


def test_leaders_keep_their_actions_in_the_card(world, personas, person):
    html = personas["leader"].get(url(person)).content.decode()
    top = card(html)
    for name in ("cases:person_edit", "cases:person_close", "cases:subject_copy"):
        assert reverse(name, args=[person.pk]) in top
    assert reverse("cases:assessment_add", args=[person.pk]) in top
    assert reverse("outreach:referral_add", args=[person.pk]) in top
    html = personas["volunteer"].get(url(person)).content.decode()
    assert reverse("cases:person_edit", args=[person.pk]) not in html


def test_a_closed_file_has_no_record_button_and_no_contact_due(world, personas, person):
    f.contact(person=person, member=world.volunteer_member, occurred_on=ago(100))
    type(person).objects.filter(pk=person.pk).update(
        status="closed", closed_on=ago(1), closed_reason="moved_away"
    )
    response = personas["leader"].get(url(person))
    top = card(response.content.decode())
    assert reverse("cases:contact_add", args=[person.pk]) not in top
    assert "Tiếp cận tiếp theo" not in top
    assert reverse("cases:person_reopen", args=[person.pk]) in top
    assert Contact.objects.filter(person=person).count() == 1
