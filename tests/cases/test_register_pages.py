"""The ward's register, person forms, enrolments, the assignment board and the dashboard."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, resolve, reverse
from django.utils import timezone

from cases import services
from cases.duplicates import CHECK
from cases.models import Assignment, Enrollment, Person
from tests import factories as f
from tests.conftest import login
from wards.models import AdminUnit, AuditEvent, Member, Post

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)
REGISTER = reverse("cases:register")


def _person_page(pk: int) -> str:
    try:
        return reverse("cases:person_detail", args=[pk])
    except NoReverseMatch:
        return REGISTER


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def _names(response) -> set[str]:
    return {p.full_name for p in response.context["page"].object_list}


def _others(world) -> list[Member]:
    """The members of team A without a login."""
    return list(Member.objects.filter(team=world.team_a, user__isnull=True).order_by("pk"))


def _person_data(**overrides) -> dict:
    data = {
        "full_name": "Hoàng Văn Nam",
        "alias": "",
        "sex": "male",
        "birth_date": "",
        "birth_year": "1990",
        "id_number": "",
        "phone": "",
        "address": "Số 5 ngõ 12",
        "area": "",
        "family_contact": "",
        "group": "post_rehab",
        "substances": "",
        "history_notes": "",
        "registered_on": TODAY.isoformat(),
        "consent": "on",
        "consent_on": TODAY.isoformat(),
    }
    data.update(overrides)
    return data


# The register: search ----------------------------------------------------------------------


def _search(client, text: str, url: str = REGISTER):
    response = client.post(url, {"q": text})
    assert response.status_code == 302
    return response


def test_search_without_diacritics_finds_the_person_and_the_text_never_enters_a_url(
    world, personas
):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    f.person(ward=world.ward_a, full_name="Trần Văn Bình")
    client = personas["leader"]
    response = _search(client, "nguyen van a", url=REGISTER + "?nhom=addicted&page=2")
    location = response["Location"]
    assert "nguyen" not in location.lower() and "q=" not in location
    assert location == REGISTER + "?nhom=addicted"
    page = client.get(location)
    assert _names(page) == {"Nguyễn Văn A"}
    links = re.findall(r'(?:href|action)="([^"]*)"', page.content.decode())
    assert links and not [link for link in links if "nguyen" in link.lower()]


def test_search_with_diacritics_and_d_with_stroke_finds_the_same_people(world, personas):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    f.person(ward=world.ward_a, full_name="Đỗ Minh Đức")
    f.person(ward=world.ward_a, full_name="Lê Văn Dũng")
    client = personas["leader"]
    _search(client, "NGUYỄN  văn a")
    assert _names(client.get(REGISTER)) == {"Nguyễn Văn A"}
    _search(client, "do minh duc")
    assert _names(client.get(REGISTER)) == {"Đỗ Minh Đức"}
    _search(client, "đũng")
    assert _names(client.get(REGISTER)) == {"Lê Văn Dũng"}


def test_the_search_is_kept_in_the_session_until_cleared(world, personas):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    f.person(ward=world.ward_a, full_name="Trần Văn Bình")
    client = personas["leader"]
    _search(client, "binh")
    assert client.session["register_q"] == "binh"
    html = client.get(REGISTER).content.decode()
    assert "Xóa tìm kiếm" in html and "Nguyễn Văn A" not in html
    response = client.post(REGISTER, {"q": "binh", "xoa": "1"})
    assert response["Location"] == REGISTER
    assert "register_q" not in client.session
    assert _names(client.get(REGISTER)) == {"Nguyễn Văn A", "Trần Văn Bình"}


def test_a_search_that_finds_nobody_says_so(world, personas):
    f.person(ward=world.ward_a, full_name="Nguyễn Văn A")
    client = personas["leader"]
    _search(client, "khong co ai")
    html = client.get(REGISTER).content.decode()
    assert "Không có ai khớp" in html


# The register: what it lists ----------------------------------------------------------------


def test_the_register_lists_the_ward_and_its_merged_predecessor_but_not_other_wards(
    world, personas
):
    area = f.area(ward=world.ward_a, name="Tổ dân phố 7")
    a = f.person(ward=world.ward_a, full_name="Người Phường A", area=area, birth_year=1988)
    f.person(ward=world.ward_a_old, full_name="Người Phường Cũ")
    f.person(ward=world.ward_b, full_name="Người Phường B")
    f.assignment(person=a, member=world.volunteer_member)
    f.contact(person=a, occurred_on=datetime.date(2025, 11, 3))
    response = personas["leader"].get(REGISTER)
    assert response.status_code == 200
    assert _names(response) == {"Người Phường A", "Người Phường Cũ"}
    html = response.content.decode()
    for text in ("Tổ dân phố 7", "1988", "Trần Thị Lan", "03/11/2025", "Người nghiện ma túy"):
        assert text in html
    assert _person_page(a.pk) in html


def test_the_register_paginates_by_25(world, personas):
    for i in range(30):
        f.person(ward=world.ward_a, full_name=f"Người {i:02d}")
    client = personas["leader"]
    first = client.get(REGISTER)
    assert len(first.context["page"].object_list) == 25
    second = client.get(REGISTER + "?page=2")
    assert len(second.context["page"].object_list) == 5


def test_an_empty_register_invites_the_leader_to_register_someone(world, personas):
    html = personas["leader"].get(REGISTER).content.decode()
    assert "chưa có người được hỗ trợ nào" in html
    assert reverse("cases:person_add") in html


@pytest.fixture
def varied(world):
    """Persons of ward A that differ in each way the filters look at."""
    others = _others(world)
    helped = f.person(ward=world.ward_a, full_name="Có Người Giúp", group="post_rehab")
    f.assignment(person=helped, member=others[0])
    f.contact(person=helped, occurred_on=TODAY, next_due_on=TODAY + datetime.timedelta(days=20))
    f.enrollment(
        person=helped,
        programme=f.programme("post_rehab_12"),
        started_on=datetime.date(2025, 1, 1),
        due_on=TODAY,
    )
    alone = f.person(ward=world.ward_a, full_name="Chưa Ai Giúp", group="drug_user")
    f.contact(person=alone, occurred_on=datetime.date(2025, 1, 5), next_due_on=YESTERDAY)
    ended = f.person(ward=world.ward_a, full_name="Đã Xong Chương Trình", group="post_rehab")
    f.assignment(person=ended, member=others[1])
    f.contact(person=ended, occurred_on=TODAY, next_due_on=TODAY + datetime.timedelta(days=5))
    f.enrollment(
        person=ended,
        programme=f.programme("post_rehab_12"),
        started_on=datetime.date(2024, 2, 1),
        ended_on=datetime.date(2025, 1, 31),
        end_reason="completed",
        due_on=datetime.date(2025, 1, 31),
    )
    closed = f.person(
        ward=world.ward_a,
        full_name="Hồ Sơ Đã Đóng",
        status="closed",
        closed_on=datetime.date(2025, 3, 1),
        closed_reason="moved_away",
    )
    new = f.person(ward=world.ward_a, full_name="Mới Đăng Ký", registered_on=TODAY)
    return {
        "helped": helped,
        "alone": alone,
        "ended": ended,
        "closed": closed,
        "new": new,
        "others": others,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"Có Người Giúp", "Chưa Ai Giúp", "Đã Xong Chương Trình", "Mới Đăng Ký"}),
        ("nhom=post_rehab", {"Có Người Giúp", "Đã Xong Chương Trình"}),
        ("chuong_trinh=PROGRAMME", {"Có Người Giúp"}),
        ("tnv=HELPER", {"Có Người Giúp"}),
        ("tnv=chua", {"Chưa Ai Giúp", "Mới Đăng Ký"}),
        # registered today and not yet contacted is not overdue yet
        ("qua_han=1", {"Chưa Ai Giúp"}),
        ("het_han=thang_nay", {"Có Người Giúp"}),
        ("het_han=30_ngay", {"Có Người Giúp"}),
        ("tiep_can=thang_nay", {"Có Người Giúp", "Đã Xong Chương Trình"}),
        ("moi=1", {"Mới Đăng Ký"}),
        ("tinh_trang=da_dong", {"Hồ Sơ Đã Đóng"}),
        ("tinh_trang=tat_ca&nhom=addicted", {"Hồ Sơ Đã Đóng", "Mới Đăng Ký"}),
        ("nhom=post_rehab&tnv=chua", set()),
        (
            "nhom=khong_co&tnv=999999",
            {"Có Người Giúp", "Chưa Ai Giúp", "Đã Xong Chương Trình", "Mới Đăng Ký"},
        ),
    ],
)
def test_the_register_filters(world, personas, varied, query, expected):
    query = query.replace("PROGRAMME", str(f.programme("post_rehab_12").pk))
    query = query.replace("HELPER", str(varied["others"][0].pk))
    response = personas["leader"].get(f"{REGISTER}?{query}")
    assert response.status_code == 200
    assert _names(response) == expected


def test_the_helper_filter_offers_only_the_wards_members(world, personas):
    form = personas["leader"].get(REGISTER).context["filters"]
    labels = [label for _value, label in form.fields["tnv"].choices]
    assert "Trần Thị Lan" in labels
    assert "Đỗ Văn B" not in labels


def test_register_query_count_is_the_same_for_1_and_50_rows(world, django_assert_num_queries):
    client = login(world.leader)
    area = f.area(ward=world.ward_a)
    members = _others(world)
    programme = f.programme("post_rehab_12")

    def add(i):
        person = f.person(ward=world.ward_a, area=area)
        f.assignment(person=person, member=members[i % len(members)])
        f.contact(person=person, next_due_on=YESTERDAY)
        f.enrollment(person=person, programme=programme)

    add(0)
    url = REGISTER + "?nhom=addicted&qua_han=1"
    baseline = _count(client, url)
    for i in range(1, 50):
        add(i)
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert response.context["page"].paginator.count == 50
    client.post(REGISTER, {"q": "nguyen"})
    assert _count(client, url) == baseline


# Registering --------------------------------------------------------------------------------


def test_leader_registers_a_person_with_consent_and_it_is_audited(world, personas):
    area = f.area(ward=world.ward_a)
    response = personas["leader"].post(
        reverse("cases:person_add"), _person_data(area=area.pk, birth_date="1990-05-04")
    )
    assert response.status_code == 302
    person = Person.objects.get(full_name="Hoàng Văn Nam")
    assert response["Location"] == _person_page(person.pk)
    assert (person.ward, person.area, person.birth_year) == (world.ward_a, area, 1990)
    assert (person.consent_on, person.consent_by) == (TODAY, world.leader)
    assert AuditEvent.objects.filter(
        action="create", object_type="cases.person", object_id=str(person.pk)
    ).exists()


def test_the_consent_box_is_never_pre_ticked(world, personas):
    form = personas["leader"].get(reverse("cases:person_add")).context["form"]
    assert not form["consent"].value()
    assert 'name="consent"' in str(form["consent"]) and "checked" not in str(form["consent"])


def test_registering_without_consent_is_refused_and_saves_nothing(world, personas):
    data = _person_data()
    del data["consent"]
    response = personas["leader"].post(reverse("cases:person_add"), data)
    assert response.status_code == 200
    assert "Chưa ghi nhận sự đồng ý" in response.content.decode()
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_year": ""}, "Cần nhập ngày sinh hoặc năm sinh."),
        ({"birth_year": "1991", "birth_date": "1990-05-04"}, "không khớp với ngày sinh"),
        ({"consent_on": ""}, "Nhập ngày người này đồng ý."),
        ({"consent_on": "2099-01-01"}, "tương lai"),
        ({"id_number": "12ab"}, "12 chữ số"),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_saves_nothing(world, personas, overrides, message):
    response = personas["leader"].post(reverse("cases:person_add"), _person_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Person.objects.exists()


def test_the_area_must_be_one_of_the_wards_own(world, personas):
    other = f.area(ward=world.ward_b, name="Tổ dân phố B")
    response = personas["leader"].post(reverse("cases:person_add"), _person_data(area=other.pk))
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert "Tổ dân phố B" not in response.content.decode()


def test_a_duplicate_in_the_ward_is_shown_and_must_be_confirmed(world, personas):
    existing = f.person(ward=world.ward_a, full_name="Hoàng Văn Nam", birth_year=1990)
    client = personas["leader"]
    response = client.post(reverse("cases:person_add"), _person_data(full_name="hoang van nam"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hoàng Văn Nam" in html and "sinh 1990" in html
    assert (
        _person_page(existing.pk) in html
        or reverse("cases:person_edit", args=[existing.pk]) in html
    )
    assert "Vẫn đăng ký người mới" in html
    assert Person.objects.count() == 1
    data = _person_data(full_name="hoang van nam", confirm="on")
    assert client.post(reverse("cases:person_add"), data).status_code == 302
    assert Person.objects.count() == 2


ELSEWHERE = "Có thể người này đã có hồ sơ ở một xã, phường khác."


def _checks():
    return AuditEvent.objects.filter(object_type=CHECK)


def test_a_duplicate_elsewhere_is_only_hinted_at(world, personas):
    other = f.person(
        ward=world.ward_b,
        full_name="Hoàng Văn Nam",
        alias="Nam Béo",
        birth_date=datetime.date(1990, 3, 4),
    )
    client = personas["leader"]
    response = client.post(reverse("cases:person_add"), _person_data(full_name="hoang van nam"))
    assert response.status_code == 200
    html = response.content.decode()
    assert ELSEWHERE in html and "đề nghị chuyển hồ sơ" in html
    for secret in ("Hoàng Văn Nam", "Nam Béo", "04/03/1990", f"/nguoi/{other.pk}/"):
        assert secret not in html
    # no unit, no count: neither the ward, its district nor anything that names them
    alert = html[html.index('class="alert alert-warning"') :]
    alert = re.sub(r"<[^>]*>", " ", alert[: alert.index("</div>")])
    for unit in AdminUnit.objects.exclude(pk=world.ward_a.pk):
        assert unit.name not in alert and unit.code not in alert
    assert not re.search(r"\d", alert)
    assert Person.objects.count() == 1
    assert _checks().get().changes == {"match_elsewhere": True}
    data = _person_data(full_name="hoang van nam", confirm="on")
    assert client.post(reverse("cases:person_add"), data).status_code == 302
    assert Person.objects.filter(ward=world.ward_a).count() == 1
    assert _checks().count() == 1  # confirming does not look again


@pytest.mark.parametrize(
    "overrides",
    [
        {"consent_on": "2099-01-01"},
        {"registered_on": "2099-01-01"},
        {"birth_year": "1991", "birth_date": "1990-05-04"},
    ],
)
def test_a_form_with_another_error_reveals_no_match_elsewhere(world, personas, overrides):
    """The oracle of issue 19: the form answered about other communes before its own errors."""
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1991)
    data = _person_data(full_name="hoang van nam", **overrides)
    response = personas["leader"].post(reverse("cases:person_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert ELSEWHERE not in html and "Vẫn đăng ký người mới" not in html
    assert response.context["form"].errors
    assert not _checks().exists()
    assert Person.objects.count() == 2


def test_the_officer_looks_elsewhere_under_her_own_name(world, personas):
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    response = personas["officer"].post(reverse("cases:person_add"), _person_data())
    assert ELSEWHERE in response.content.decode()
    event = _checks().get()
    assert (event.actor, event.action, event.unit) == (world.officer, "view", world.ward_a)
    assert "Nam" not in json.dumps(event.changes, ensure_ascii=False)


def test_a_volunteer_cannot_look_at_any_register(world, personas):
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    response = personas["volunteer"].post(reverse("cases:person_add"), _person_data())
    assert response.status_code == 404
    assert not _checks().exists() and Person.objects.count() == 1


def test_past_the_days_limit_the_leader_registers_without_a_look_elsewhere(
    world, personas, settings
):
    settings.DUPLICATE_CHECKS_PER_DAY = 1
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    client = personas["leader"]
    first = client.post(reverse("cases:person_add"), _person_data())
    assert ELSEWHERE in first.content.decode()

    response = client.post(reverse("cases:person_add"), _person_data(), follow=True)

    person = Person.objects.get(ward=world.ward_a)
    assert response.redirect_chain[0][0] == _person_page(person.pk)
    html = response.content.decode()
    assert "dùng hết 1 lượt kiểm tra trùng" in html and ELSEWHERE not in html
    assert list(_checks().values_list("action", flat=True).order_by("pk")) == ["view", "denied"]


def test_the_wards_trail_shows_each_look_and_what_it_found_never_for_whom(
    world, personas, settings
):
    settings.DUPLICATE_CHECKS_PER_DAY = 1
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    client = personas["leader"]
    client.post(reverse("cases:person_add"), _person_data())
    client.post(reverse("cases:person_add"), _person_data())  # past the limit
    html = personas["officer"].get(reverse("wards:audit_trail")).content.decode()
    assert "Kiểm tra trùng với xã, phường khác" in html
    assert "có hồ sơ tương tự" in html and "hết lượt trong ngày" in html
    assert "1990" not in html


def test_past_the_days_limit_the_wards_own_namesakes_are_still_shown(world, personas, settings):
    settings.DUPLICATE_CHECKS_PER_DAY = 0
    f.person(ward=world.ward_b, full_name="Hoàng Văn Nam", birth_year=1990)
    f.person(ward=world.ward_a, full_name="Hoàng Văn Nam", birth_year=1990)
    response = personas["leader"].post(reverse("cases:person_add"), _person_data())
    html = response.content.decode()
    assert "Hoàng Văn Nam" in html and "dùng hết lượt kiểm tra trùng" in html
    assert ELSEWHERE not in html
    assert Person.objects.count() == 2


# Editing, closing, reopening ----------------------------------------------------------------


def _edit_data(person: Person, **overrides) -> dict:
    data = _person_data(
        full_name=person.full_name,
        birth_year=str(person.birth_year),
        group=person.group,
        registered_on=person.registered_on.isoformat(),
        consent_on=person.consent_on.isoformat(),
        address=person.address,
        version=str(person.version),
    )
    del data["consent"]
    data.update(overrides)
    return data


def test_leader_corrects_a_persons_file(world, personas):
    person = f.person(ward=world.ward_a, full_name="Hoàng Văn Nam")
    url = reverse("cases:person_edit", args=[person.pk])
    form = personas["leader"].get(url).context["form"]
    assert form["version"].value() == 1 and "consent" not in form.fields
    response = personas["leader"].post(url, _edit_data(person, phone="0912 345 678"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.version) == ("0912345678", 2)


def test_a_stale_edit_is_reported_and_overwrites_nothing(world, personas):
    person = f.person(ward=world.ward_a, full_name="Hoàng Văn Nam")
    url = reverse("cases:person_edit", args=[person.pk])
    stale = _edit_data(person, address="Địa chỉ của tôi")
    services.person_update(actor=world.officer, person=person, address="Địa chỉ của cán bộ")
    response = personas["leader"].post(url, stale)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Người khác vừa sửa hồ sơ này" in html
    assert "Địa chỉ của tôi" in html  # the user's input is still on the form
    person.refresh_from_db()
    assert (person.address, person.version) == ("Địa chỉ của cán bộ", 2)


def test_leader_closes_and_reopens_a_file(world, personas):
    person = f.person(ward=world.ward_a)
    f.assignment(person=person, member=world.volunteer_member)
    client = personas["leader"]
    response = client.post(
        reverse("cases:person_close", args=[person.pk]),
        {"closed_on": TODAY.isoformat(), "reason": "moved_away", "version": person.version},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.closed_on, person.closed_reason) == (
        "closed",
        TODAY,
        "moved_away",
    )
    assert not Assignment.objects.open().filter(person=person).exists()
    reopen = reverse("cases:person_reopen", args=[person.pk])
    assert client.get(reopen).status_code == 405
    assert client.post(reopen, {"version": person.version}).status_code == 302
    person.refresh_from_db()
    assert person.status == "active"


def test_closing_with_an_open_enrolment_for_completion_is_refused(world, personas):
    person = f.person(ward=world.ward_a)
    f.enrollment(person=person)
    response = personas["leader"].post(
        reverse("cases:person_close", args=[person.pk]),
        {"closed_on": TODAY.isoformat(), "reason": "completed", "version": person.version},
    )
    assert response.status_code == 200
    assert "Hãy kết thúc từng chương trình" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "active"


# Enrolments ---------------------------------------------------------------------------------


def test_leader_starts_an_enrolment_with_the_programmes_default_length_and_ends_it(world, personas):
    person = f.person(ward=world.ward_a)
    programme = f.programme("post_rehab_12")
    client = personas["leader"]
    response = client.post(
        reverse("cases:enrollment_add", args=[person.pk]),
        {
            "programme": programme.pk,
            "started_on": "2025-03-31",
            "due_on": "",
            "decision_no": "15/QĐ-UBND",
            "decision_on": "2025-03-28",
        },
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(person=person)
    assert enrollment.due_on == datetime.date(2026, 3, 31)
    assert enrollment.ward == world.ward_a
    end = reverse("cases:enrollment_end", args=[enrollment.pk])
    response = client.post(end, {"ended_on": "2025-09-30", "reason": "relapsed", "version": 1})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.ended_on, enrollment.end_reason) == (datetime.date(2025, 9, 30), "relapsed")


def test_an_overlapping_enrolment_is_refused_with_a_message(world, personas):
    person = f.person(ward=world.ward_a)
    programme = f.programme("post_rehab_12")
    f.enrollment(person=person, programme=programme, started_on=datetime.date(2025, 1, 1))
    response = personas["leader"].post(
        reverse("cases:enrollment_add", args=[person.pk]),
        {"programme": programme.pk, "started_on": "2025-06-01"},
    )
    assert response.status_code == 200
    assert "không được trùng thời gian" in response.content.decode()
    assert Enrollment.objects.filter(person=person).count() == 1


# The assignment board -----------------------------------------------------------------------

BOARD = reverse("cases:assignment_board")
REASSIGN = reverse("cases:assignment_reassign")
HANDOVER = reverse("cases:assignment_handover")


def test_the_board_shows_caseloads_the_unassigned_and_the_history(world, personas):
    others = _others(world)
    for _ in range(3):
        f.assignment(person=f.person(ward=world.ward_a), member=world.volunteer_member)
    f.person(ward=world.ward_a, full_name="Chưa Ai Giúp")
    past = f.person(ward=world.ward_a, full_name="Đã Đổi Người")
    f.assignment(
        person=past, member=others[0], started_on=datetime.date(2024, 1, 10), ended_on=YESTERDAY
    )
    response = personas["leader"].get(BOARD)
    assert response.status_code == 200
    caseload = {m.full_name: m.caseload for m in response.context["members"]}
    assert caseload["Trần Thị Lan"] == 3 and caseload[others[0].full_name] == 0
    assert "Đỗ Văn B" not in caseload
    assert response.context["totals"] == {"total": 5, "unassigned": 2}
    assert len(response.context["history"]) == 4
    unassigned = personas["leader"].get(BOARD + "?tnv=chua")
    assert {p.full_name for p, _checked in unassigned.context["rows"]} == {
        "Chưa Ai Giúp",
        "Đã Đổi Người",
    }


def test_leader_reassigns_ten_people_in_one_post(world, personas):
    persons = [f.person(ward=world.ward_a) for _ in range(10)]
    for person in persons[:5]:
        f.assignment(person=person, member=world.volunteer_member)
    target = _others(world)[0]
    response = personas["leader"].post(
        REASSIGN,
        {"persons": [p.pk for p in persons], "member": target.pk, "started_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert response["Location"] == BOARD
    assert Assignment.objects.open().filter(member=target).count() == 10
    assert not Assignment.objects.open().filter(member=world.volunteer_member).exists()
    page = personas["leader"].get(BOARD).content.decode()
    assert "Đã phân công 10 người" in page


def test_a_reassignment_is_all_or_nothing(world, personas):
    persons = [f.person(ward=world.ward_a) for _ in range(9)]
    persons.append(f.person(ward=world.ward_a, full_name="Mới Vào Hôm Nay", registered_on=TODAY))
    response = personas["leader"].post(
        REASSIGN,
        {
            "persons": [p.pk for p in persons],
            "member": world.volunteer_member.pk,
            "started_on": YESTERDAY.isoformat(),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Không phân công được Mới Vào Hôm Nay" in html
    assert "Chưa phân công ai" in html
    assert not Assignment.objects.exists()
    assert html.count("checked") >= 10  # the ticks survive the error


def test_the_board_counts_the_ticks_beside_its_button_even_without_javascript(world, personas):
    """The count is written by the server too (a refused post keeps its ticks and says how
    many); assignment_board.js only keeps it live. Its name search stays hidden until the
    script shows it: the name typed is never sent."""
    persons = [f.person(ward=world.ward_a) for _ in range(3)]
    page = personas["leader"].get(BOARD)
    html = page.content.decode()
    assert page.context["selected_count"] == 0
    bar = html[html.index('class="board-actions') :]
    assert (
        bar.index("Đã chọn 0 người")
        < bar.index("Phân công những người đã chọn")
        < bar.index("</form>")
    )
    assert '<div class="mb-2" data-board-search hidden>' in html
    assert "js/assignment_board.js" in html
    assert html.count("data-board-row") == 3
    refused = personas["leader"].post(
        REASSIGN,
        {"persons": [p.pk for p in persons[:2]], "member": "", "started_on": TODAY.isoformat()},
    )
    assert refused.status_code == 200
    assert refused.context["selected_count"] == 2
    assert "Đã chọn 2 người" in refused.content.decode()


def test_a_crafted_reassignment_of_another_wards_person_changes_nothing(world, personas):
    ours = f.person(ward=world.ward_a)
    theirs = f.person(ward=world.ward_b)
    response = personas["leader"].post(
        REASSIGN,
        {
            "persons": [ours.pk, theirs.pk],
            "member": world.volunteer_member.pk,
            "started_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert "không thuộc danh sách" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_crafted_reassignment_to_another_wards_member_changes_nothing(world, personas):
    ours = f.person(ward=world.ward_a)
    response = personas["leader"].post(
        REASSIGN,
        {"persons": [ours.pk], "member": world.outsider_member.pk, "started_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "Chỉ chọn được thành viên" in response.content.decode()
    assert not Assignment.objects.exists()


def test_a_crafted_reassignment_to_a_member_who_left_changes_nothing(world, personas):
    ours = f.person(ward=world.ward_a)
    gone = f.member(team=world.team_a, left_on=datetime.date(2025, 1, 1))
    response = personas["leader"].post(
        REASSIGN, {"persons": [ours.pk], "member": gone.pk, "started_on": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert not Assignment.objects.exists()


def test_a_leaving_member_hands_over_everyone_they_follow(world, personas):
    leaving = f.member(team=world.team_a, full_name="Sắp Nghỉ")
    persons = [f.person(ward=world.ward_a) for _ in range(4)]
    for person in persons:
        f.assignment(person=person, member=leaving)
    f.assignment(person=f.person(ward=world.ward_a), member=world.volunteer_member)
    target = _others(world)[0]
    response = personas["leader"].post(
        HANDOVER,
        {"from_member": leaving.pk, "to_member": target.pk, "started_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    assert not Assignment.objects.open().filter(member=leaving).exists()
    assert Assignment.objects.open().filter(member=target).count() == 4
    assert Assignment.objects.open().filter(member=world.volunteer_member).count() == 1


def test_a_crafted_handover_from_another_wards_member_changes_nothing(world, personas):
    theirs = f.person(ward=world.ward_b)
    f.assignment(person=theirs, member=world.outsider_member)
    response = personas["leader"].post(
        HANDOVER,
        {
            "from_member": world.outsider_member.pk,
            "to_member": world.volunteer_member.pk,
            "started_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    assert Assignment.objects.open().get(person=theirs).member == world.outsider_member


def test_board_query_count_is_the_same_for_1_and_50_rows(world, django_assert_num_queries):
    client = login(world.leader)
    members = _others(world)

    def add(i):
        person = f.person(ward=world.ward_a)
        f.assignment(
            person=person,
            member=members[i % 3],
            started_on=datetime.date(2024, 1, 10),
            ended_on=datetime.date(2024, 6, 1),
        )
        if i % 5:
            f.assignment(
                person=person, member=members[(i + 1) % 3], started_on=datetime.date(2024, 6, 1)
            )

    add(0)
    baseline = _count(client, BOARD)
    for i in range(1, 50):
        add(i)
    with django_assert_num_queries(baseline):
        response = client.get(BOARD)
    assert len(response.context["rows"]) == 50


# The dashboard ------------------------------------------------------------------------------

DASHBOARD = reverse("cases:ward_dashboard")


def test_the_dashboard_counts_what_a_leader_checks_each_week(world, personas, varied):
    helped = varied["helped"]
    last_month = TODAY.replace(day=1) - datetime.timedelta(days=1)
    f.contact(person=helped, occurred_on=TODAY, next_due_on=TODAY + datetime.timedelta(days=20))
    f.contact(person=varied["alone"], occurred_on=last_month, next_due_on=YESTERDAY)
    f.contact(person=f.person(ward=world.ward_b), occurred_on=TODAY)  # another ward
    response = personas["leader"].get(DASHBOARD)
    assert response.status_code == 200
    counts = response.context["counts"]
    # the person registered today is not overdue yet
    assert (counts["active"], counts["unassigned"], counts["overdue"]) == (4, 2, 1)
    assert (counts["ending"], counts["new"]) == (1, 1)
    assert (counts["contacts"], counts["reached"]) == (3, 2)
    assert (counts["contacts_last"], counts["reached_last"]) == (1, 1)
    assert counts["group_post_rehab"] == 2 and counts["group_addicted"] == 1
    html = response.content.decode()
    for query in ("?tnv=chua", "?qua_han=1", "?het_han=30_ngay", "?nhom=post_rehab"):
        assert f'href="{REGISTER}{query}"' in html


def test_each_dashboard_count_matches_the_register_it_links_to(world, personas, varied):
    client = personas["leader"]
    response = client.get(DASHBOARD)
    links = [(count, url) for _label, count, url in response.context["cards"]]
    links += [(count, url) for _label, count, url in response.context["groups"]]
    links += [(reached, url) for _label, _n, reached, url in response.context["contacts"]]
    for count, url in links:
        assert client.get(url).context["page"].paginator.count == count, url


def test_dashboard_query_count_is_the_same_for_1_and_50_rows(world, django_assert_num_queries):
    client = login(world.leader)
    programme = f.programme("post_rehab_12")

    def add(i):
        person = f.person(ward=world.ward_a, registered_on=TODAY if i % 2 else YESTERDAY)
        f.contact(person=person, occurred_on=TODAY)
        f.enrollment(person=person, programme=programme, started_on=YESTERDAY, due_on=TODAY)

    add(0)
    baseline = _count(client, DASHBOARD)
    for i in range(1, 50):
        add(i)
    with django_assert_num_queries(baseline):
        response = client.get(DASHBOARD)
    assert response.context["counts"]["active"] == 50


def test_the_dashboard_shows_no_other_wards_counts(world, personas):
    f.person(ward=world.ward_b)
    assert personas["leader"].get(DASHBOARD).context["counts"]["active"] == 0


# Who may use these pages --------------------------------------------------------------------


@pytest.fixture
def pages(world):
    """Every page of this module, as (method, url), for a person the volunteer does not help."""
    person = f.person(ward=world.ward_a)
    enrollment = f.enrollment(person=person)
    closed = f.person(
        ward=world.ward_a, status="closed", closed_on=TODAY, closed_reason="completed"
    )
    ward_a = "?xa=99001"  # for the outsider, who leads ward B, this names someone else's ward
    return [
        ("get", REGISTER + ward_a),
        ("post", REGISTER + ward_a),
        ("get", reverse("cases:person_add") + ward_a),
        ("get", reverse("cases:person_edit", args=[person.pk])),
        ("get", reverse("cases:person_close", args=[person.pk])),
        ("post", reverse("cases:person_reopen", args=[closed.pk])),
        ("get", reverse("cases:enrollment_add", args=[person.pk])),
        ("get", reverse("cases:enrollment_end", args=[enrollment.pk])),
        ("get", BOARD + ward_a),
        ("post", REASSIGN + ward_a),
        ("post", HANDOVER + ward_a),
        ("get", DASHBOARD + ward_a),
    ]


def test_every_page_of_this_module_is_in_the_access_tests(pages):
    from cases.urls import urlpatterns
    from cases.views import register

    names = {p.name for p in urlpatterns if p.callback.__module__ == register.__name__}
    assert names == {resolve(url.split("?")[0]).url_name for _method, url in pages}


@pytest.mark.parametrize("persona", ["volunteer", "supervisor", "outsider", "admin"])
def test_only_leaders_and_officers_of_the_ward_may_use_these_pages(world, personas, pages, persona):
    for method, url in pages:
        response = getattr(personas[persona], method)(url)
        assert response.status_code == 404, (persona, method, url)
    assert Person.objects.get(status="closed")  # nothing was reopened


def test_another_wards_leader_sees_only_their_own_ward(world, personas):
    f.person(ward=world.ward_a, full_name="Người Phường A")
    f.person(ward=world.ward_b, full_name="Người Phường B")
    client = personas["outsider"]
    assert _names(client.get(REGISTER)) == {"Người Phường B"}
    assert client.get(DASHBOARD).context["counts"]["active"] == 1


@pytest.mark.parametrize("persona", ["leader", "officer"])
def test_leaders_and_officers_open_every_page(world, personas, pages, persona):
    for method, url in pages:
        if method == "get":
            assert getattr(personas[persona], method)(url).status_code == 200, (persona, url)


def test_a_volunteer_gets_403_on_the_forms_of_a_person_they_help(world, personas):
    person = f.person(ward=world.ward_a)
    f.assignment(person=person, member=world.volunteer_member)
    client = personas["volunteer"]
    assert client.get(reverse("cases:person_edit", args=[person.pk])).status_code == 403
    assert client.get(reverse("cases:person_close", args=[person.pk])).status_code == 403
    assert client.get(REGISTER).status_code == 404


def test_a_leader_cannot_edit_another_wards_person(world, personas):
    theirs = f.person(ward=world.ward_b, full_name="Người Phường B")
    response = personas["leader"].post(
        reverse("cases:person_edit", args=[theirs.pk]), _edit_data(theirs, full_name="Đổi Tên")
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.full_name == "Người Phường B"


def test_a_user_with_two_wards_switches_with_xa_and_cannot_pick_a_third(world):
    f.post(user=world.officer, unit=world.ward_b, role=Post.Role.OFFICER)
    f.person(ward=world.ward_a, full_name="Người Phường A")
    f.person(ward=world.ward_b, full_name="Người Phường B")
    client = login(world.officer)
    first = client.get(REGISTER)
    assert _names(first) == {"Người Phường A"}
    assert "?xa=99002" in first.content.decode()
    assert _names(client.get(REGISTER + "?xa=99002")) == {"Người Phường B"}
    assert client.get(REGISTER + "?xa=99003-2025").status_code == 404
    assert client.get(DASHBOARD + "?xa=99002").context["ward"] == world.ward_b
    response = client.post(REGISTER + "?xa=99002&nhom=addicted", {"q": "nguoi"})
    assert response["Location"] == REGISTER + "?xa=99002&nhom=addicted"
