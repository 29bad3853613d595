"""Counselling topics of a contact (issue 20): optional, several per contact, chosen with big
buttons on the contact form, kept by the service, shown on the timeline, in the contact log
download, in the contacts import and in the data-subject copy."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Contact, ContactTopic, Milestone
from cases.services import contact_record
from cases.topics import topic_labels
from cases.views import subject
from tests import factories as f
from tests.conftest import login
from tests.imports.helpers import batch_of, commit, outcome, template_book, upload, xlsx
from wards.models import AuditEvent

TODAY = timezone.localdate()
LABELS = "Tâm lý; Hướng nghiệp; Pháp luật; Sức khỏe; Gia đình"
NO_TOPICS_FOR_TESTS = (
    "Lượt «Phối hợp xét nghiệm» không ghi nội dung tư vấn. Hãy bỏ chọn nội dung tư vấn, hoặc "
    "ghi lần tư vấn thành một lượt tiếp cận riêng (ví dụ «Gặp trực tiếp»)."
)


def ago(days: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=days)


@pytest.fixture
def person(world):
    """Someone of ward A assigned to the volunteer, registered a month ago."""
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Được Tư Vấn", registered_on=ago(30))
    f.assignment(person=person, member=world.volunteer_member)
    return person


def _data(**fields) -> dict:
    data = {
        "occurred_on": TODAY.isoformat(),
        "kind": "meeting",
        "summary": "Trao đổi về việc làm và thủ tục giấy tờ",
        "drug_test_result": "",
        "milestone_kind": "",
        "next_due_on": "",
    }
    return {**data, **fields}


def _record(world, person, days: int, kind: str = "meeting", **fields) -> Contact:
    """A contact recorded `days` ago by the leader, through the service."""
    fields.setdefault("member", None)
    return contact_record(
        actor=world.leader, person=person, occurred_on=ago(days), kind=kind, **fields
    )


def _topics(contact: Contact) -> list[str]:
    return list(contact.topics.order_by("pk").values_list("topic", flat=True))


# The form -------------------------------------------------------------------------------------


def test_the_form_offers_the_topics_as_big_toggle_buttons(world, personas, person):
    html = personas["volunteer"].get(reverse("cases:contact_add", args=[person.pk])).content
    html = html.decode()
    assert "Nội dung tư vấn (không bắt buộc)" in html
    for code, label in Contact.Topic.choices:
        assert (
            f'<input type="checkbox" name="topics" value="{code}" class="btn-check" '
            f'autocomplete="off" id="id_topics_'
        ) in html
        assert f">{label}</label>" in html
    # hidden by static/js/contact_form.js for a drug test; shown without the script
    assert 'id="contact-topics" data-hidden-for="drug_test"' in html


def test_topics_posted_with_the_form_are_stored_once_each_and_audited(world, personas, person):
    client = personas["volunteer"]
    response = client.post(
        reverse("cases:contact_add", args=[person.pk]),
        _data(topics=["legal", "psychological", "legal"]),
    )
    assert response.status_code == 302
    contact = Contact.objects.get(person=person)
    # in the order of Contact.Topic, each once
    assert _topics(contact) == ["psychological", "legal"]
    event = AuditEvent.objects.get(action="create", object_type="cases.contact")
    assert event.changes["topics"] == ["psychological", "legal"]


def test_a_contact_without_topics_stores_none(world, personas, person):
    response = personas["volunteer"].post(reverse("cases:contact_add", args=[person.pk]), _data())
    assert response.status_code == 302
    assert Contact.objects.filter(person=person).exists()
    assert not ContactTopic.objects.exists()
    event = AuditEvent.objects.get(action="create", object_type="cases.contact")
    assert "topics" not in event.changes


def test_an_unknown_topic_is_refused_and_what_was_typed_is_kept(world, personas, person):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _data(topics=["career", "drugs"], _once="6f1c1f1e-0000-4000-8000-000000000001"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "«drugs» không phải là một nội dung tư vấn." in html
    assert response.context["form"].errors.keys() == {"topics"}
    assert not Contact.objects.exists()
    # the summary and the same one-time token come back
    assert "Trao đổi về việc làm và thủ tục giấy tờ" in html
    assert 'value="6f1c1f1e-0000-4000-8000-000000000001"' in html


def test_topics_are_refused_for_a_drug_test_and_the_ticks_stay(world, personas, person):
    response = personas["volunteer"].post(
        reverse("cases:contact_add", args=[person.pk]),
        _data(kind="drug_test", drug_test_result="negative", topics=["health"]),
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"topics": [NO_TOPICS_FOR_TESTS]}
    html = response.content.decode()
    ticked = re.findall(r'<input type="checkbox" name="topics" value="(\w+)"[^>]* checked>', html)
    assert ticked == ["health"]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("kind", [k for k in Contact.Kind.values if k != "drug_test"])
def test_every_other_kind_takes_topics(world, person, kind):
    contact = _record(world, person, 1, kind, topics=["family", "career"])
    assert _topics(contact) == ["career", "family"]


# The service ----------------------------------------------------------------------------------


def test_the_service_refuses_an_unknown_topic_and_a_drug_test_with_topics(world, person):
    common = {"actor": world.leader, "person": person, "member": None, "occurred_on": ago(1)}
    with pytest.raises(ValidationError) as error:
        contact_record(**common, kind="meeting", topics=["legal", "ma túy"])
    assert error.value.message_dict == {
        "topics": [
            "«ma túy» không phải là một nội dung tư vấn. Chọn trong: Tâm lý, Hướng nghiệp, "
            "Pháp luật, Sức khỏe, Gia đình."
        ]
    }
    with pytest.raises(ValidationError) as error:
        contact_record(**common, kind="drug_test", drug_test_result="negative", topics=["legal"])
    assert error.value.message_dict == {"topics": [NO_TOPICS_FOR_TESTS]}
    assert not Contact.objects.exists() and not ContactTopic.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_contact_with_topics_is_written_whole_or_not_at_all_outside_a_transaction(world):
    """On PostgreSQL no test transaction surrounds the call: the service's own does. A
    milestone refused after the topics were written takes the contact and its topics back."""
    person = f.person(ward=world.ward_a, registered_on=ago(30))
    assert not transaction.get_connection().in_atomic_block
    contact = _record(world, person, 2, "home_visit", topics=("health", "psychological", "health"))
    assert _topics(contact) == ["psychological", "health"]
    with pytest.raises(ValidationError):
        _record(world, person, 1, topics=["legal"], milestone_kind="not-a-milestone")
    assert Contact.objects.count() == 1
    assert list(ContactTopic.objects.values_list("contact", "topic").order_by("topic")) == [
        (contact.pk, "health"),
        (contact.pk, "psychological"),
    ]
    assert not Milestone.objects.exists()


# The timeline ---------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_timeline_shows_a_contacts_topics_as_badges(world, personas, person):
    _record(world, person, 1, member=world.leader_member, topics=["family", "psychological"])
    response = personas["volunteer"].get(reverse("cases:person_detail", args=[person.pk]))
    (item,) = [i for i in response.context["timeline"] if i.kind == "contact"]
    assert item.badges == ("Tâm lý", "Gia đình")
    html = response.content.decode()
    assert '<span class="badge rounded-pill text-bg-light border">Tâm lý</span>' in html
    assert '<span class="visually-hidden">Nội dung tư vấn:</span>' in html


def test_the_person_page_costs_the_same_queries_without_contacts_and_with_many_topics(
    world, django_assert_num_queries
):
    person = f.person(ward=world.ward_a, registered_on=ago(400))
    f.assignment(person=person, member=world.volunteer_member)
    client = login(world.volunteer)
    url = reverse("cases:person_detail", args=[person.pk])
    _count(client, url)  # warm
    baseline = _count(client, url)
    topics = Contact.Topic.values
    for i in range(20):
        contact = f.contact(person=person, member=world.volunteer_member, occurred_on=ago(i))
        ContactTopic.objects.bulk_create(
            ContactTopic(contact=contact, topic=t) for t in topics[: 1 + i % 5]
        )
    with django_assert_num_queries(baseline):
        response = client.get(url + "?trang=3")  # all 21 events: the page shows ten at first
    badges = [i.badges for i in response.context["timeline"] if i.kind == "contact"]
    assert len(badges) == 20 and badges[2] == ("Tâm lý", "Hướng nghiệp", "Pháp luật")
    assert badges[0] == ("Tâm lý",) and badges[-1] == tuple(Contact.Topic.labels)[:5]


def test_topic_labels_come_in_the_order_of_the_choices():
    assert topic_labels("legal,career") == ["Hướng nghiệp", "Pháp luật"]
    assert topic_labels(None) == [] and topic_labels("") == []


# The contact log download ---------------------------------------------------------------------

EXPORT = reverse("cases:contact_log_export")
RANGE = {"tu_ngay": "01/01/2024", "den_ngay": "31/12/2024"}


@pytest.fixture
def counselled(world):
    person = f.person(ward=world.ward_a, full_name="Hoàng Văn Tiếp", birth_year=1987)
    plain = f.contact(person=person, occurred_on=datetime.date(2024, 3, 1))
    told = f.contact(person=person, occurred_on=datetime.date(2024, 3, 2), kind="meeting")
    ContactTopic.objects.bulk_create(
        ContactTopic(contact=told, topic=t) for t in ("legal", "career", "psychological")
    )
    return plain, told


def test_the_csv_and_the_xlsx_have_the_topics_column(world, personas, counselled):
    client = personas["leader"]
    response = client.get(EXPORT, {**RANGE, "dinh_dang": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    at = rows[0].index("Nội dung tư vấn")
    assert rows[0][at - 1] == "Nội dung"
    assert [row[at] for row in rows[1:]] == ["", "Tâm lý, Hướng nghiệp, Pháp luật"]
    response = client.get(EXPORT, {**RANGE, "dinh_dang": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = list(book.active.iter_rows(values_only=True))
    head = next(i for i, row in enumerate(sheet) if row[0] == "Ngày tiếp cận")
    at = sheet[head].index("Nội dung tư vấn")
    assert [row[at] for row in sheet[head + 1 :]] == [None, "Tâm lý, Hướng nghiệp, Pháp luật"]


def test_the_download_costs_the_same_queries_with_many_topics(world, counselled):
    client = login(world.leader)
    query = {**RANGE, "dinh_dang": "csv"}

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            b"".join(client.get(EXPORT, query).streaming_content)
        return len(ctx)

    queries()
    one = queries()
    person = f.person(ward=world.ward_a)
    for i in range(30):
        contact = f.contact(person=person, occurred_on=datetime.date(2024, 4, 1 + i % 28))
        ContactTopic.objects.bulk_create(
            ContactTopic(contact=contact, topic=t) for t in Contact.Topic.values[: 1 + i % 5]
        )
    assert queries() == one


# The import -----------------------------------------------------------------------------------

HEADERS = ["Họ và tên", "Năm sinh", "Ngày tiếp cận", "Hình thức", "Nội dung tư vấn"]


@pytest.fixture
def an(world):
    return f.person(ward=world.ward_a, full_name="Nguyễn Văn An", birth_year=1985)


def test_the_template_has_the_topics_column_with_the_allowed_labels(world, personas):
    book = template_book(personas["leader"], "contacts")
    headers = [c.value for c in book["Danh sách"][1]]
    assert headers[headers.index("Nội dung") + 1] == "Nội dung tư vấn"
    example = book["Danh sách"][2][headers.index("Nội dung tư vấn")].value
    assert example == "Hướng nghiệp, Pháp luật"
    guide = {row[0]: row[2] for row in book["Hướng dẫn"].iter_rows(values_only=True)}
    assert LABELS in guide["Nội dung tư vấn"]


def test_topics_are_imported_by_label_or_code_with_or_without_diacritics(world, personas, an):
    rows = [
        ["Nguyễn Văn An", 1985, "05/03/2024", "Gặp trực tiếp", "tâm lý, PHAP LUAT; family"],
        ["Nguyễn Văn An", 1985, "06/03/2024", "Gọi điện", " ; Hướng nghiệp ;"],
        ["Nguyễn Văn An", 1985, "07/03/2024", "Thăm tại nhà", ""],
    ]
    client = personas["leader"]
    batch = batch_of(upload(client, "contacts", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [(n, "new", [], "") for n in (2, 3, 4)]
    commit(client, batch)
    got = {
        c.occurred_on.day: _topics(c)
        for c in Contact.objects.filter(person=an).prefetch_related("topics")
    }
    assert got == {5: ["psychological", "legal", "family"], 6: ["career"], 7: []}


def test_an_unknown_topic_or_topics_on_a_drug_test_are_row_errors(world, personas, an):
    rows = [
        ["Nguyễn Văn An", 1985, "05/03/2024", "Gặp trực tiếp", "Tâm lý, ma túy"],
        ["Nguyễn Văn An", 1985, "06/03/2024", "Phối hợp xét nghiệm", "Sức khỏe"],
    ]
    batch = batch_of(upload(personas["leader"], "contacts", xlsx([HEADERS, *rows])))
    assert outcome(batch) == [
        (
            2,
            "error",
            [
                "«Nội dung tư vấn»: Nội dung tư vấn «ma túy» không có trong danh sách. Dùng "
                f"một trong: {LABELS}."
            ],
            "",
        ),
        (3, "error", [f"«Nội dung tư vấn»: {NO_TOPICS_FOR_TESTS}"], ""),
    ]


# The data-subject copy ------------------------------------------------------------------------


def test_the_copy_holds_each_contacts_topics(world, person):
    _record(world, person, 2, topics=["legal", "health"])
    _record(world, person, 1, "phone")
    data = json.loads(subject.write_json(subject.build_copy(person)))
    contacts = next(p["records"] for p in data["parts"] if p["title"] == "Tiếp cận, giúp đỡ")
    assert [c["Nội dung tư vấn"] for c in contacts] == ["Sức khỏe, Pháp luật", None]
