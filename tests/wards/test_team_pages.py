import datetime

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import login
from wards import services
from wards.models import AuditEvent, Member


def test_leader_sees_their_teams_roster(world, personas):
    response = personas["leader"].get(reverse("wards:team_detail", args=[world.team_a.pk]))
    assert response.status_code == 200
    assert "Trần Thị Lan" in response.content.decode()
    assert "Thêm thành viên" in response.content.decode()


def test_volunteer_sees_the_roster_without_edit_buttons(world, personas):
    response = personas["volunteer"].get(reverse("wards:team_detail", args=[world.team_a.pk]))
    assert response.status_code == 200
    assert "Thêm thành viên" not in response.content.decode()


def test_another_wards_leader_gets_404_for_the_team(world, personas):
    response = personas["outsider"].get(reverse("wards:team_detail", args=[world.team_a.pk]))
    assert response.status_code == 404


def test_volunteer_gets_403_when_adding_a_member(world, personas):
    response = personas["volunteer"].get(reverse("wards:member_add", args=[world.team_a.pk]))
    assert response.status_code == 403


def test_supervisor_sees_the_roster_read_only(world, personas):
    url = reverse("wards:team_detail", args=[world.team_a.pk])
    assert personas["supervisor"].get(url).status_code == 200
    assert (
        personas["supervisor"].get(reverse("wards:member_add", args=[world.team_a.pk])).status_code
        == 403
    )
    assert (
        personas["supervisor"].get(reverse("wards:team_detail", args=[world.team_b.pk])).status_code
        == 404
    )


def test_leader_adds_a_member_and_it_is_audited(world, personas):
    response = personas["leader"].post(
        reverse("wards:member_add", args=[world.team_a.pk]),
        {
            "full_name": "  Hoàng   Thị Mai ",
            "sex": "female",
            "birth_year": "1975",
            "phone": "0912 345 678",
            "role": "member",
            "organisation": "women",
            "joined_on": "2025-09-01",
        },
    )
    assert response.status_code == 302
    member = Member.objects.get(full_name="Hoàng Thị Mai")
    assert member.phone == "0912345678"
    assert member.created_by == world.leader
    assert AuditEvent.objects.filter(
        action="create", object_id=str(member.pk), actor=world.leader
    ).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("birth_year", "2015", "18 tuổi"),
        ("joined_on", "2099-01-01", "tương lai"),
        ("phone", "12ab", "Số điện thoại"),
        ("full_name", "", "bắt buộc"),
    ],
)
def test_bad_member_input_gets_a_vietnamese_message_and_saves_nothing(
    world, personas, field, value, message
):
    data = {
        "full_name": "Hoàng Thị Mai",
        "sex": "female",
        "birth_year": "1975",
        "phone": "",
        "role": "member",
        "organisation": "women",
        "joined_on": "2025-09-01",
    }
    data[field] = value
    before = Member.objects.count()
    response = personas["leader"].post(reverse("wards:member_add", args=[world.team_a.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Member.objects.count() == before


def test_a_crafted_post_cannot_add_a_member_to_another_wards_team(world, personas):
    before = Member.objects.filter(team=world.team_b).count()
    response = personas["leader"].post(
        reverse("wards:member_add", args=[world.team_b.pk]),
        {
            "full_name": "Kẻ Lạ",
            "sex": "male",
            "birth_year": "1980",
            "role": "leader",
            "organisation": "other",
            "joined_on": "2025-01-01",
        },
    )
    assert response.status_code == 404
    assert Member.objects.filter(team=world.team_b).count() == before


def test_leader_records_that_a_member_left(world, personas):
    response = personas["leader"].post(
        reverse("wards:member_leave", args=[world.volunteer_member.pk]),
        {"left_on": "2025-10-01", "reason": "Chuyển nơi ở", "version": "1"},
    )
    assert response.status_code == 302
    world.volunteer_member.refresh_from_db()
    assert world.volunteer_member.left_on == datetime.date(2025, 10, 1)
    page = personas["leader"].get(reverse("wards:team_detail", args=[world.team_a.pk]))
    assert "Đã thôi tham gia: 1 người" in page.content.decode()


def test_leader_changes_a_role_to_leader_and_the_old_leader_becomes_deputy(world, personas):
    m = world.volunteer_member
    response = personas["leader"].post(
        reverse("wards:member_edit", args=[m.pk]),
        {
            "full_name": m.full_name,
            "sex": m.sex,
            "birth_year": m.birth_year,
            "phone": "",
            "role": "leader",
            "organisation": m.organisation,
            "joined_on": "2014-03-01",
            "version": m.version,
        },
    )
    assert response.status_code == 302
    world.leader_member.refresh_from_db()
    assert world.leader_member.role == "deputy"


def test_team_size_outside_five_to_ten_is_a_warning_not_a_block(world, personas):
    url = reverse("wards:team_detail", args=[world.team_b.pk])
    page = personas["outsider"].get(url).content.decode()
    assert "ngoài khoảng 5–10" in page
    for _ in range(5):
        f.member(team=world.team_b)
    page = personas["outsider"].get(url).content.decode()
    assert "ngoài khoảng" not in page


def test_supervisor_overview_lists_every_ward_under_the_district_with_totals(world, personas):
    response = personas["supervisor"].get(reverse("wards:team_overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Phường A" in html
    assert "Phường B" not in html
    # totals row: 5 members in team A (1 leader, 4 members)
    assert response.context["totals"][:4] == [5, 1, 0, 4]
    assert response.context["team_count"] == 1


def test_supervisor_cannot_open_the_overview_of_a_unit_outside_their_scope(world, personas):
    url = reverse("wards:team_overview") + "?don_vi=992"
    assert personas["supervisor"].get(url).status_code == 404


def test_overview_is_for_supervisors_only(world, personas):
    assert personas["leader"].get(reverse("wards:team_overview")).status_code == 404
    assert personas["volunteer"].get(reverse("wards:team_overview")).status_code == 404


def test_overview_shows_no_member_names(world, personas):
    html = personas["supervisor"].get(reverse("wards:team_overview")).content.decode()
    assert "Trần Thị Lan" not in html


def test_team_page_query_count_is_constant_in_the_number_of_members(
    world, django_assert_num_queries
):
    client = login(world.leader)
    url = reverse("wards:team_detail", args=[world.team_a.pk])
    baseline = _count(client, url)
    for _ in range(45):
        f.member(team=world.team_a)
    with django_assert_num_queries(baseline):
        client.get(url)


def test_overview_query_count_is_constant_in_the_number_of_wards_and_members(
    world, django_assert_num_queries
):
    client = login(world.supervisor)
    url = reverse("wards:team_overview")
    baseline = _count(client, url)
    for _ in range(30):
        ward = f.unit(parent=world.district_a)
        team = f.team(ward=ward)
        f.member(team=team, role="leader")
        f.member(team=team)
    with django_assert_num_queries(baseline):
        client.get(url)


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_leader_sets_the_teams_contact_rhythm_and_bad_values_are_refused(world, personas):
    url = reverse("wards:team_edit", args=[world.team_a.pk])
    data = {"name": "Đội CTXHTN phường A", "established_on": "2013-01-15", "decision_no": "12"}
    data["version"] = world.team_a.version
    response = personas["leader"].post(url, {**data, "contact_due_days": "0"})
    assert response.status_code == 200
    world.team_a.refresh_from_db()
    assert world.team_a.contact_due_days is None
    response = personas["leader"].post(url, {**data, "contact_due_days": "14"})
    assert response.status_code == 302
    world.team_a.refresh_from_db()
    assert world.team_a.contact_due_days == 14
    assert AuditEvent.objects.filter(action="update", object_type="wards.team").exists()


# Dissolving a team (giải thể Đội) and the overview on a day ---------------------------------


def _dissolve(client, team, day, **extra):
    data = {
        "dissolved_on": day.isoformat(),
        "confirm": "on",
        "version": str(type(team).objects.get(pk=team.pk).version),
        "_once": "5b0b3f4e-2f6a-4c55-9d55-0f2b1f7d9a11",
        **extra,
    }
    return client.post(reverse("wards:team_dissolve", args=[team.pk]), data)


def test_the_officer_dissolves_the_team_and_its_memberships_end_the_same_day(world, personas):
    day = datetime.date(2025, 9, 30)
    url = reverse("wards:team_detail", args=[world.team_a.pk])
    assert "Giải thể Đội" in personas["officer"].get(url).content.decode()
    page = personas["officer"].get(reverse("wards:team_dissolve", args=[world.team_a.pk]))
    assert page.status_code == 200 and 'name="_once"' in page.content.decode()
    response = _dissolve(personas["officer"], world.team_a, day)
    assert response.status_code == 302
    world.team_a.refresh_from_db()
    assert world.team_a.dissolved_on == day
    members = Member.objects.filter(team=world.team_a)
    assert members.count() == 5 and set(members.values_list("left_on", flat=True)) == {day}
    assert not Member.objects.active().filter(team=world.team_a).exists()
    events = AuditEvent.objects.filter(action="update")
    assert events.filter(object_type="wards.team").get().changes == {
        "dissolved_on": "2025-09-30",
        "members_left": 5,
    }
    assert events.filter(object_type="wards.member").count() == 5
    # the page is gone once dissolved, and the roster offers no changes
    again = personas["officer"].get(reverse("wards:team_dissolve", args=[world.team_a.pk]))
    assert again.status_code == 302
    assert "Giải thể Đội" not in personas["officer"].get(url).content.decode()


def test_sending_the_dissolve_form_twice_dissolves_once(world, personas):
    day = datetime.date(2025, 9, 30)
    assert _dissolve(personas["officer"], world.team_a, day).status_code == 302
    assert _dissolve(personas["officer"], world.team_a, day).status_code == 302
    assert AuditEvent.objects.filter(object_type="wards.team", action="update").count() == 1


@pytest.mark.parametrize(
    "day, extra, message",
    [
        (datetime.date(2012, 12, 31), {}, "trước ngày thành lập"),
        (None, {}, "tương lai"),
        (datetime.date(2025, 9, 30), {"confirm": ""}, "Hãy đánh dấu xác nhận"),
    ],
)
def test_a_bad_dissolution_is_refused_with_a_message_and_keeps_the_input(
    world, personas, day, extra, message
):
    world.team_a.established_on = datetime.date(2013, 1, 1)
    world.team_a.save()
    day = day or datetime.date.today() + datetime.timedelta(days=3)
    response = _dissolve(personas["officer"], world.team_a, day, **extra)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and day.isoformat() in html
    world.team_a.refresh_from_db()
    assert world.team_a.dissolved_on is None
    assert Member.objects.active().filter(team=world.team_a).count() == 5


def test_only_the_commune_officer_may_dissolve_the_team(world, personas):
    url = reverse("wards:team_dissolve", args=[world.team_a.pk])
    for persona in ("leader", "volunteer", "supervisor"):
        assert personas[persona].get(url).status_code == 403, persona
        response = _dissolve(personas[persona], world.team_a, datetime.date(2025, 9, 30))
        assert response.status_code == 403, persona
    assert personas["outsider"].get(url).status_code == 404
    assert personas["anonymous"].get(url).status_code == 302
    detail = personas["leader"].get(reverse("wards:team_detail", args=[world.team_a.pk]))
    assert "Giải thể Đội" not in detail.content.decode()
    world.team_a.refresh_from_db()
    assert world.team_a.dissolved_on is None


def _former_district(world):
    """A former district (valid_until 30/06/2025) of three wards: one team dissolved on
    30/06/2025 with its members, one dissolved earlier, one ward without a team."""
    district = f.unit(
        code="99X",
        level="district",
        parent=world.district_a,
        name="Huyện Cũ",
        valid_until=datetime.date(2025, 6, 30),
    )
    world.district_a.refresh_from_db()
    wards = [
        f.unit(
            code=f"99X0{i}", parent=district, name=f"Xã Cũ {i}", valid_until=district.valid_until
        )
        for i in (1, 2, 3)
    ]
    last_day = f.team(ward=wards[0], name="Đội xã cũ 1", established_on=datetime.date(2015, 1, 1))
    for role in ("leader", "member", "member"):
        f.member(team=last_day, role=role, joined_on=datetime.date(2016, 1, 1))
    earlier = f.team(ward=wards[1], name="Đội xã cũ 2", established_on=datetime.date(2015, 1, 1))
    f.member(team=earlier, role="leader", joined_on=datetime.date(2016, 1, 1))
    officer = f.user()
    f.post(user=officer, unit=wards[0], role="officer")
    services.team_dissolve(actor=officer, team=earlier, dissolved_on=datetime.date(2024, 3, 31))
    services.team_dissolve(actor=officer, team=last_day, dissolved_on=datetime.date(2025, 6, 30))
    return district, wards


def test_a_former_districts_overview_shows_its_wards_teams_as_they_were(world, personas):
    district, wards = _former_district(world)
    response = personas["supervisor"].get(reverse("wards:team_overview"), {"don_vi": "99X"})
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["on"] == datetime.date(2025, 6, 30)
    assert response.context["team_count"] == 1  # dissolved on the district's last day
    assert response.context["totals"][:4] == [3, 1, 0, 2]
    assert "Đã giải thể 31/03/2024" in html
    assert html.count("Chưa thành lập Đội") == 1  # the third ward only


def test_the_overview_at_a_date_says_when_a_team_was_dissolved(world, personas):
    district, wards = _former_district(world)
    client = personas["supervisor"]
    url = reverse("wards:team_overview")
    response = client.get(url, {"don_vi": "99X", "ngay": "2024-03-31"})
    assert response.context["on"] == datetime.date(2024, 3, 31)
    assert response.context["team_count"] == 2  # its last day: still a team
    assert "Đã giải thể" not in response.content.decode()
    response = client.get(url, {"don_vi": "99X", "ngay": "2024-04-01"})
    assert response.context["team_count"] == 1
    assert "Đã giải thể 31/03/2024" in response.content.decode()
    # a day before the teams were established
    response = client.get(url, {"don_vi": "99X", "ngay": "2014-06-01"})
    assert response.context["team_count"] == 0
    assert response.content.decode().count("Chưa thành lập Đội") == 3
    # a team dissolved today still counts today: its last day
    today = datetime.date.today()
    services.team_dissolve(actor=world.officer, team=world.team_a, dissolved_on=today)
    response = client.get(url, {"ngay": today.isoformat()})
    assert (response.context["team_count"], response.context["totals"][0]) == (1, 5)
    assert "Đã giải thể" not in response.content.decode()


def test_the_overview_refuses_a_bad_date_with_a_message_and_keeps_it(world, personas):
    url = reverse("wards:team_overview")
    future = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    for value, message in ((future, "tương lai"), ("31/02/2025", "ngày hợp lệ")):
        response = personas["supervisor"].get(url, {"ngay": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert message in html and value in html, value
        assert response.context["on"] == datetime.date.today()
