"""The data-subject copy of one person's file (cases/views/subject.py): who may make it, what
it holds and leaves out, how it is delivered and audited."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cases import services
from cases.models import Person
from cases.views.subject import PERSON_PARTS, RECORD_SPECS
from outreach import services as outreach
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent

D = datetime.date
NAME = "Hoàng Thị Bản Sao"
OTHER = "Trịnh Văn Người Khác"


@pytest.fixture
def file(world):
    """A person of ward A with a record of every kind, and a club session shared with another
    person of the ward."""
    person = f.person(
        ward=world.ward_a,
        full_name=NAME,
        alias="Cô Ba",
        sex=Person.Sex.FEMALE,
        birth_date=D(1992, 5, 17),
        id_number="001192000123",
        phone="0912345678",
        address="Số 7 ngõ 12 phố Thử",
        family_contact="Mẹ: bà Hoàng Thị Mẹ, 0987000111",
        substances="Heroin",
        history_notes="Tiền sử riêng tư",
        area=f.area(ward=world.ward_a, name="Tổ dân phố 9"),
        consent_on=D(2024, 1, 10),
        consent_by=world.leader,
    )
    other = f.person(ward=world.ward_a, full_name=OTHER, phone="0900999888")
    f.assignment(
        person=person,
        member=world.volunteer_member,
        started_on=D(2024, 1, 10),
        assigned_by=world.leader,
    )
    f.enrollment(person=person, started_on=D(2024, 2, 1), decision_no="QĐ-77/UBND")
    f.contact(
        person=person,
        member=world.volunteer_member,
        occurred_on=D(2024, 3, 1),
        summary="Nội dung thăm riêng",
    )
    f.milestone(person=person, occurred_on=D(2024, 4, 1), note="Ghi chú chuyển biến")
    services.assessment_record(
        actor=world.leader,
        person=person,
        assessed_on=D(2024, 5, 2),
        result="progressing",
        note="Ghi chú đánh giá",
    )
    referral = outreach.referral_create(
        actor=world.leader,
        person=person,
        kind="loan",
        referred_on=D(2024, 6, 3),
        amount=50_000_000,
        for_household=True,
        note="Ghi chú giới thiệu",
    )
    outreach.referral_advance(
        actor=world.leader,
        referral=referral,
        status="approved",
        changed_on=D(2024, 7, 4),
        note="Đã duyệt hồ sơ vay",
    )
    outreach.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=D(2024, 8, 5),
        kind="club_session",
        persons=[person, other],
        title=f"Sinh hoạt cùng {OTHER}",
        note="Ghi chú buổi sinh hoạt",
    )
    return person


def url(person) -> str:
    return reverse("cases:subject_copy", args=[person.pk])


def download(client, person, fmt: str):
    return client.post(url(person), {"format": fmt})


def parts(response) -> dict[str, list[dict]]:
    data = json.loads(response.content)
    return {part["title"]: part["records"] for part in data["parts"]}


# Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("volunteer", 403), ("supervisor", 404), ("outsider", 404), ("admin", 404)],
)
def test_only_the_wards_leaders_and_officers_may_make_a_copy(file, personas, persona, expected):
    assert personas[persona].get(url(file)).status_code == expected
    assert download(personas[persona], file, "json").status_code == expected
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_an_anonymous_visitor_is_sent_to_log_in(file, personas):
    response = download(personas["anonymous"], file, "json")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_volunteer_assigned_to_the_person_does_not_see_the_copy_button(file, world):
    page = login(world.volunteer).get(reverse("cases:person_detail", args=[file.pk]))
    assert page.status_code == 200
    assert url(file) not in page.content.decode()


def test_the_leader_reaches_the_copy_from_the_persons_page(file, world):
    page = login(world.leader).get(reverse("cases:person_detail", args=[file.pk]))
    html = page.content.decode()
    assert url(file) in html
    assert "Bản sao hồ sơ cho người được hỗ trợ" in html


def test_the_persons_page_shows_when_consent_was_given_and_who_recorded_it(file, world):
    html = login(world.officer).get(reverse("cases:person_detail", args=[file.pk])).content
    assert "10/01/2024" in html.decode()
    assert "ghi nhận bởi Lê Văn Hùng" in html.decode()


# The page ----------------------------------------------------------------------------------


def test_the_page_lists_what_the_copy_holds_and_is_audited_as_a_view(file, world):
    response = login(world.officer).get(url(file))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "Tiếp cận, giúp đỡ: 1" in html
    assert "Sinh hoạt câu lạc bộ, hoạt động đã tham dự: 1" in html
    assert 'name="format" value="pdf"' in html and 'name="format" value="json"' in html
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_id=str(file.pk))
    assert event.actor == world.officer and event.unit_id == world.ward_a.pk


@pytest.mark.parametrize("data", [{}, {"format": "xlsx"}])
def test_a_download_without_a_known_format_is_refused_in_words(file, world, data):
    response = login(world.leader).post(url(file), data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Hãy chọn định dạng của bản sao: PDF hoặc JSON." in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


# The JSON copy -----------------------------------------------------------------------------


def test_the_json_copy_is_an_uncached_attachment_named_without_personal_data(file, world):
    response = download(login(world.leader), file, "json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    today = timezone.localdate()
    expected = f'attachment; filename="ho-so-{file.pk}-{today:%Y%m%d}.json"'
    assert response["Content-Disposition"] == expected
    assert "no-store" in response["Cache-Control"]


def test_the_json_copy_holds_the_persons_identity_consent_and_household(file, world):
    got = parts(download(login(world.leader), file, "json"))
    (identity,) = got["Thông tin cá nhân"]
    assert identity["Họ và tên"] == NAME
    assert identity["Tên gọi khác"] == "Cô Ba"
    assert identity["Giới tính"] == "Nữ"
    assert identity["Ngày sinh"] == "1992-05-17"
    assert identity["Số định danh, CCCD"] == "001192000123"
    assert identity["Điện thoại"] == "0912345678"
    assert identity["Nơi ở"] == "Số 7 ngõ 12 phố Thử"
    assert identity["Địa bàn dân cư"] == "Tổ dân phố 9"
    assert identity["Nhóm"] == "Người nghiện ma túy"
    assert identity["Quá trình, tiền sử"] == "Tiền sử riêng tư"
    (household,) = got["Gia đình, người thân"]
    assert household == {"Người thân liên hệ": "Mẹ: bà Hoàng Thị Mẹ, 0987000111"}
    (consent,) = got["Sự đồng ý cung cấp thông tin"]
    assert consent == {
        "Ngày đồng ý cung cấp thông tin": "2024-01-10",
        "Người ghi nhận sự đồng ý": "Lê Văn Hùng",
    }
    (status,) = got["Hồ sơ quản lý"]
    assert status["Tình trạng"] == "Đang theo dõi"
    assert status["Ngày ẩn danh"] is None


def test_the_json_copy_holds_every_record_of_the_person(file, world):
    got = parts(download(login(world.leader), file, "json"))
    (enrolment,) = got["Chương trình, biện pháp quản lý"]
    assert enrolment["Số quyết định"] == "QĐ-77/UBND"
    assert enrolment["Ngày bắt đầu"] == "2024-02-01"
    (assignment,) = got["Phân công giúp đỡ"]
    assert assignment["Thành viên giúp đỡ"] == "Trần Thị Lan"
    assert assignment["Ngày phân công"] == "2024-01-10"
    assert assignment["Người phân công"] == "Lê Văn Hùng"
    (contact,) = got["Tiếp cận, giúp đỡ"]
    assert contact["Nội dung"] == "Nội dung thăm riêng"
    assert contact["Hình thức"] == "Thăm tại nhà"
    assert contact["Thành viên"] == "Trần Thị Lan"
    (assessment,) = got["Đánh giá tiến bộ"]
    assert assessment["Kết quả"] == "Tiến bộ" and assessment["Ghi chú"] == "Ghi chú đánh giá"
    (milestone,) = got["Chuyển biến"]
    assert milestone["Ghi chú"] == "Ghi chú chuyển biến"
    (referral,) = got["Giới thiệu hỗ trợ"]
    assert referral["Loại hỗ trợ"] == "Vay vốn"
    assert referral["Cho hộ gia đình"] is True
    assert referral["Số tiền (đồng)"] == 50_000_000
    assert referral["Trạng thái"] == "Đã được chấp thuận"
    steps = referral["Các bước trạng thái"]
    assert [(s["Ngày"], s["Trạng thái"]) for s in steps] == [
        ("2024-06-03", "Đã giới thiệu"),
        ("2024-07-04", "Đã được chấp thuận"),
    ]
    assert steps[1]["Ghi chú"] == "Đã duyệt hồ sơ vay"
    (attended,) = got["Sinh hoạt câu lạc bộ, hoạt động đã tham dự"]
    assert attended == {
        "Ngày": "2024-08-05",
        "Loại hoạt động": "Sinh hoạt câu lạc bộ, nhóm",
        "Đơn vị": "Phường A",
    }


def test_the_copy_holds_nothing_of_other_persons_nor_the_audit_trail(file, world):
    text = download(login(world.leader), file, "json").content.decode()
    assert OTHER not in text
    assert "0900999888" not in text
    assert "Ghi chú buổi sinh hoạt" not in text
    assert "Nhật ký" not in text and "nhật ký" not in text
    assert "Xuất dữ liệu" not in text


def test_each_download_is_audited_as_an_export_naming_only_the_format(file, world):
    client = login(world.leader)
    download(client, file, "json")
    download(client, file, "pdf")
    events = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("created_at")
    assert [e.changes for e in events] == [{"format": "json"}, {"format": "pdf"}]
    for event in events:
        assert event.actor == world.leader
        assert (event.object_type, event.object_id) == ("cases.person", str(file.pk))
        assert event.unit_id == world.ward_a.pk


# The PDF copy ------------------------------------------------------------------------------


def test_the_pdf_copy_reads_in_vietnamese_and_holds_the_same_records(file, world):
    response = download(login(world.officer), file, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'{timezone.localdate():%Y%m%d}.pdf"')
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    for expected in (
        "BẢN SAO HỒ SƠ NGƯỜI ĐƯỢC HỖ TRỢ",
        NAME,
        "001192000123",
        "17/05/1992",
        "Người ghi nhận sự đồng ý",
        "Nội dung thăm riêng",
        "Đã duyệt hồ sơ vay",
        "50.000.000",
        "Sinh hoạt câu lạc bộ, nhóm",
    ):
        assert expected in text, expected
    assert OTHER not in text


# The copy keeps up with the models -------------------------------------------------------


def test_every_relation_of_a_person_is_in_the_copy():
    """A new kind of record about a person must be added to the copy (or this test changed
    with a reason): the person has the right to see all of it."""
    relations = {r.get_accessor_name() for r in Person._meta.related_objects}
    assert relations == {spec.relation for spec in RECORD_SPECS}


def test_every_field_of_a_person_is_in_the_copy_but_the_internal_ones():
    internal = {"id", "created_at", "updated_at", "created_by", "search_key", "version"}
    internal |= {"registered_ward"}  # the ward as it was: `ward` is what the person knows
    shown = {name for _title, names in PERSON_PARTS for name in names}
    concrete = {f.name for f in Person._meta.concrete_fields}
    assert concrete - internal == shown


def test_the_copy_costs_the_same_queries_for_one_record_or_many(file, world):
    client = login(world.leader)
    download(client, file, "json")  # the first request of a session reads more
    with CaptureQueriesContext(connection) as one:
        download(client, file, "json")
    for day in range(2, 12):
        referral = outreach.referral_create(
            actor=world.leader, person=file, kind="job", referred_on=D(2024, 9, day)
        )
        outreach.referral_advance(
            actor=world.leader, referral=referral, status="approved", changed_on=D(2024, 9, 20)
        )
        f.contact(person=file, member=world.volunteer_member, occurred_on=D(2024, 9, day))
    with CaptureQueriesContext(connection) as many:
        download(client, file, "json")
    assert len(many) == len(one)


# The largest record allowed ------------------------------------------------------------------


def _at_most(model, name: str, char: str = "ư") -> str:
    return char * model._meta.get_field(name).max_length


@pytest.fixture
def largest(world):
    """A person with every text field at its maximum and ten years of weekly casework, every
    note at its maximum too: the largest record the copy has to make (issue 19)."""
    from cases.models import Assessment, Contact, Milestone
    from outreach.models import Referral, ReferralStatusChange

    texts = {
        name: _at_most(Person, name)
        for name in ("full_name", "alias", "address", "family_contact", "substances")
        + ("history_notes",)
    }
    person = f.person(
        ward=world.ward_a, id_number="0" * 20, phone="0" * 20, registered_on=D(2015, 1, 5), **texts
    )
    days = [D(2015, 1, 5) + datetime.timedelta(weeks=n) for n in range(520)]
    common = {"person": person, "ward": world.ward_a}
    Contact.objects.bulk_create(
        Contact(
            **common,
            person_group=person.group,
            occurred_on=day,
            kind=Contact.Kind.HOME_VISIT,
            summary=_at_most(Contact, "summary"),
        )
        for day in days
    )
    Assessment.objects.bulk_create(
        Assessment(
            **common, assessed_on=day, result="progressing", note=_at_most(Assessment, "note")
        )
        for day in days[::4][:120]
    )
    Milestone.objects.bulk_create(
        Milestone(**common, occurred_on=day, kind="job", note=_at_most(Milestone, "note"))
        for day in days[::4][:120]
    )
    for day in days[::17][:30]:
        referral = f.referral(person=person, referred_on=day, note=_at_most(Referral, "note"))
        ReferralStatusChange.objects.bulk_create(
            ReferralStatusChange(
                referral=referral,
                status=status,
                changed_on=day,
                note=_at_most(ReferralStatusChange, "note"),
            )
            for status in ("referred", "approved", "completed")
        )
    return person


def test_the_copy_of_the_largest_record_allowed_is_bounded(largest, world):
    from cases.views import subject

    copy = subject.build_copy(largest)
    own = len(PERSON_PARTS)
    # the JSON holds everything
    data = json.loads(subject.write_json(copy))
    records = {part["title"]: part["records"] for part in data["parts"]}
    assert len(records["Tiếp cận, giúp đỡ"]) == 520
    assert records["Thông tin cá nhân"][0]["Quá trình, tiền sử"] == "ư" * 10_000
    # the PDF prints the person's own fields whole and at most the budget of records
    own_size = sum(subject._size(r) for part in copy.parts[:own] for r in part.records)
    assert own_size < 15_000
    fitted = subject.fit(copy.parts[own:])
    printed = sum(subject._size(r) for part in fitted for r in part.records)
    assert 0.8 * subject.PDF_TEXT_BUDGET < printed <= subject.PDF_TEXT_BUDGET
    omitted = {part.title: part.omitted for part in fitted}
    assert omitted["Tiếp cận, giúp đỡ"] > 500
    contacts = next(p for p in fitted if p.title == "Tiếp cận, giúp đỡ")
    whole = next(p for p in copy.parts if p.title == "Tiếp cận, giúp đỡ")
    assert contacts.records[-1] == whole.records[-1]  # the latest are kept
    kept = zip(fitted, copy.parts[own:], strict=True)
    assert all(p.records for p, whole in kept if whole.records)
    response = download(login(world.leader), largest, "pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) < 60
    first = reader.pages[0].extract_text()
    assert "ư" * 20 in first.replace("\n", "")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "mục cũ nhất của phần này" in " ".join(text.split())


def test_fit_gives_the_smaller_parts_whole_and_the_latest_records_of_the_larger():
    from cases.views.subject import Entry, Part, Record, _size, fit

    def part(title, *lengths):
        return Part(title, tuple(Record((Entry("x", "y" * n),)) for n in lengths))

    small, large = part("a", 10, 10), part("b", 100, 100, 100, 100)
    fitted = fit((large, small), budget=250)
    assert fitted[1] == small
    assert fitted[0].records == large.records[-2:] and fitted[0].omitted == 2
    assert sum(_size(r) for p in fitted for r in p.records) <= 250
    assert fit((large, small), budget=10_000) == (large, small)
