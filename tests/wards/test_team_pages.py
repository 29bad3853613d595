import datetime

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import login
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
