"""Activities at any level, a broadcast's estimated audience, and club sessions linked to their
club (issue 20, outreach side).

A supervisor records the trainings and seminars their department runs at the unit of their post
(outreach/views/departments.py); a ward never sees them. Radio and loudspeaker rounds may carry
an estimated audience. A club session may name its club: one of the ward's, holding that day.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Club, Programme
from config.navigation import nav_items
from outreach import services
from outreach.forms.activities import ActivityForm, kind_spec
from outreach.models import Activity, figure_errors
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent, Post

TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=3)
MARK = "Lớp tập huấn của quận về kỹ năng tư vấn"
LIST, ADD = "outreach:unit_activity_list", "outreach:unit_activity_add"
EDIT, DELETE = "outreach:unit_activity_edit", "outreach:unit_activity_delete"


def training(world, **extra) -> dict:
    data = {
        "unit": world.district_a.pk,
        "kind": "training",
        "occurred_on": DAY.isoformat(),
        "title": "Tập huấn kỹ năng tư vấn cho Đội CTXHTN",
        "sessions": "2",
        "participants": "64",
        "place": "Hội trường UBND quận",
        "note": "",
    }
    data.update(extra)
    return data


def department_training(world, **fields) -> Activity:
    values = {"occurred_on": DAY, "kind": "training", "participants": 30, "title": MARK}
    values.update(fields)
    return services.activity_record(actor=world.supervisor, unit=world.district_a, **values)


def club(ward, name="CLB B93 Bình Minh", **fields) -> Club:
    programme = f.programme("b93_club", category=Programme.Category.CLUB, default_months=None)
    fields.setdefault("founded_on", datetime.date(2020, 1, 1))
    return Club.objects.create(ward=ward, programme=programme, name=name, **fields)


# A department's own trainings ---------------------------------------------------------------


def test_a_supervisor_records_a_training_at_their_district_and_it_is_audited(world, personas):
    client = personas["supervisor"]
    page = client.get(reverse(ADD))
    assert page.status_code == 200
    form = page.context["form"]
    # no names: the form has no persons, members, partners or club
    assert set(form.fields) == {
        "unit",
        "kind",
        "occurred_on",
        "title",
        "sessions",
        "participants",
        "place",
        "note",
    }
    assert 'name="_once"' in page.content.decode()

    response = client.post(reverse(ADD), training(world))
    assert response.status_code == 302 and response["Location"] == reverse(LIST)
    activity = Activity.objects.get()
    assert (activity.unit, activity.kind, activity.sessions, activity.participants) == (
        world.district_a,
        "training",
        2,
        64,
    )
    assert activity.place == "Hội trường UBND quận"
    event = AuditEvent.objects.get(action="create", object_type="outreach.activity")
    assert event.unit_id == world.district_a.pk and event.changes["participants"] == 64

    listing = client.get(reverse(LIST)).content.decode()
    assert "Tập huấn kỹ năng tư vấn" in listing and reverse(EDIT, args=[activity.pk]) in listing


def test_a_supervisor_corrects_their_units_training_with_the_version(world, personas):
    activity = department_training(world)
    client = personas["supervisor"]
    url = reverse(EDIT, args=[activity.pk])
    assert client.get(url).status_code == 200
    data = training(world, participants="70", version=str(activity.version))
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.participants, activity.sessions) == (70, 2)
    event = AuditEvent.objects.get(action="update", object_type="outreach.activity")
    assert event.changes["participants"] == [30, 70]
    # an older copy of the page is refused, nothing changes
    stale = client.post(url, training(world, participants="5", version="1"))
    assert stale.status_code == 200 and "Người khác vừa sửa" in stale.content.decode()
    activity.refresh_from_db()
    assert activity.participants == 70


def test_a_supervisor_deletes_their_units_training(world, personas):
    activity = department_training(world)
    client = personas["supervisor"]
    url = reverse(DELETE, args=[activity.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": str(activity.version)})
    assert response.status_code == 302
    assert not Activity.objects.exists()
    assert AuditEvent.objects.filter(action="delete", object_id=activity.pk).exists()


def test_a_supervisor_of_another_district_gets_404(world):
    activity = department_training(world)
    other = f.user("giamsat_b")
    f.post(user=other, unit=world.district_b, role=Post.Role.SUPERVISOR)
    client = login(other)
    for name in (EDIT, DELETE):
        assert client.get(reverse(name, args=[activity.pk])).status_code == 404
        assert client.post(reverse(name, args=[activity.pk]), {"version": "1"}).status_code == 404
    assert MARK not in client.get(reverse(LIST)).content.decode()
    # nor can they post a training into district A
    response = client.post(reverse(ADD), training(world))
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert Activity.objects.count() == 1


def test_a_province_supervisor_keeps_the_provinces_trainings_not_the_districts(world):
    district = department_training(world)
    boss = f.user("giamsat_tinh")
    f.post(user=boss, unit=world.province, role=Post.Role.SUPERVISOR)
    client = login(boss)
    assert client.get(reverse(EDIT, args=[district.pk])).status_code == 404
    response = client.post(reverse(ADD), training(world, unit=world.province.pk))
    assert response.status_code == 302
    assert Activity.objects.of_departments(boss).get().unit == world.province


def test_ward_users_cannot_use_the_department_pages_nor_see_its_trainings(world, personas):
    activity = department_training(world)
    for persona in ("leader", "officer", "volunteer", "outsider"):
        client = personas[persona]
        assert client.get(reverse(LIST)).status_code == 404
        assert client.post(reverse(ADD), training(world)).status_code == 404
        assert client.get(reverse(EDIT, args=[activity.pk])).status_code == 404
        assert client.post(reverse(DELETE, args=[activity.pk])).status_code == 404
        # nor through the team's pages
        assert client.get(reverse("outreach:activity_edit", args=[activity.pk])).status_code == 404
    listing = personas["leader"].get(reverse("outreach:activity_list")).content.decode()
    assert MARK not in listing
    assert MARK in personas["supervisor"].get(reverse(LIST)).content.decode()
    assert Activity.objects.count() == 1


@pytest.mark.parametrize("kind", ["community_meeting", "school_talk", "club_session", "other"])
def test_kinds_a_department_does_not_run_are_refused(kind, world, personas):
    response = personas["supervisor"].post(reverse(ADD), training(world, kind=kind))
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError) as error:
        department_training(world, kind=kind, place="Trường THCS")
    assert "kind" in error.value.message_dict


def test_a_department_never_records_at_a_ward_through_its_page(world, personas):
    response = personas["supervisor"].post(reverse(ADD), training(world, unit=world.ward_a.pk))
    assert response.status_code == 200 and "unit" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_an_activity_above_a_ward_has_no_members_persons_or_club(world):
    with pytest.raises(ValidationError):
        department_training(world, members=[world.leader_member])
    with pytest.raises(ValidationError):
        department_training(world, persons=[f.person(ward=world.ward_a)])
    assert not Activity.objects.exists()


def test_a_seminar_of_the_department_is_recorded_too(world, personas):
    response = personas["supervisor"].post(
        reverse(ADD), training(world, kind="seminar", participants="120", place="")
    )
    assert response.status_code == 302
    assert Activity.objects.get().kind == "seminar"


def test_the_supervisors_menu_links_to_their_units_trainings(world):
    url = reverse(LIST)
    assert url in [item.url for item in nav_items(world.supervisor)]
    assert url not in [item.url for item in nav_items(world.leader)]


def test_the_department_list_stays_at_a_constant_number_of_queries(world, personas):
    client = personas["supervisor"]
    department_training(world)
    client.get(reverse(LIST))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(LIST)).status_code == 200
    for i in range(20):
        department_training(world, title=f"Lớp {i}")
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse(LIST)).status_code == 200
    assert len(many) == len(one)


@pytest.mark.django_db(transaction=True)
def test_a_department_training_is_written_corrected_and_deleted_outside_a_transaction(world):
    activity = department_training(world)
    activity = services.activity_update(
        actor=world.supervisor,
        activity=activity,
        participants=45,
        expected_version=activity.version,
    )
    assert Activity.objects.get(pk=activity.pk).participants == 45
    services.activity_delete(
        actor=world.supervisor, activity=activity, expected_version=activity.version
    )
    assert not Activity.objects.exists()
    assert list(
        AuditEvent.objects.filter(object_type="outreach.activity")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["create", "update", "delete"]


# A broadcast's estimated audience -----------------------------------------------------------


@pytest.mark.parametrize("kind", ["radio", "loudspeaker"])
def test_a_broadcast_may_record_its_estimated_audience(kind, world, personas):
    assert "participants" in Activity.FIELDS[kind].optional
    assert figure_errors(kind, {"participants": 1535, "minutes": 60, "sessions": 4}) == {}
    assert figure_errors(kind, {"participants": None, "minutes": 60, "sessions": 4}) == {}
    data = {
        "unit": world.ward_a.pk,
        "kind": kind,
        "occurred_on": DAY.isoformat(),
        "sessions": "4",
        "minutes_each": "15",
        "participants": "1535",
    }
    client = personas["leader"]
    assert client.post(reverse("outreach:activity_add"), data).status_code == 302
    assert client.post(
        reverse("outreach:activity_add"), {**data, "participants": ""}
    ).status_code == (302)
    assert sorted(Activity.objects.values_list("participants", flat=True), key=str) == [
        1535,
        None,
    ]
    page = client.get(reverse("outreach:activity_list")).content.decode()
    assert "1.535 lượt người" in page


def test_the_form_names_a_broadcasts_audience_as_an_estimate():
    assert "Số lượt người nghe (ước tính)" in kind_spec()


def test_the_notebook_grid_accepts_a_loudspeaker_rounds_audience(world, personas):
    data = {
        "unit": world.ward_a.pk,
        "dong-TOTAL_FORMS": "1",
        "dong-INITIAL_FORMS": "0",
        "dong-0-occurred_on": DAY.isoformat(),
        "dong-0-kind": "loudspeaker",
        "dong-0-sessions": "12",
        "dong-0-minutes_each": "30",
        "dong-0-participants": "1535",
    }
    response = personas["leader"].post(reverse("outreach:activity_batch"), data)
    assert response.status_code == 302
    assert Activity.objects.get().participants == 1535


# Club sessions linked to their club ---------------------------------------------------------


def club_session(world, **extra) -> dict:
    data = {
        "unit": world.ward_a.pk,
        "kind": "club_session",
        "occurred_on": DAY.isoformat(),
        "sessions": "1",
        "participants": "12",
    }
    data.update(extra)
    return data


def test_a_club_session_offers_only_the_wards_clubs(world):
    mine = club(world.ward_a)
    club(world.ward_b, name="CLB phường B")
    old = club(world.ward_a_old, name="CLB phường cũ", closed_on=datetime.date(2025, 6, 30))
    scope = frozenset({world.ward_a.pk, world.ward_a_old.pk})
    form = ActivityForm(user=world.leader, unit=world.ward_a, scope_ids=scope)
    assert list(form.fields["club"].queryset) == [mine, old]  # open clubs first
    assert form.has_clubs


def test_a_club_session_is_saved_with_its_club_and_listed(world, personas):
    mine = club(world.ward_a)
    client = personas["leader"]
    response = client.post(reverse("outreach:activity_add"), club_session(world, club=mine.pk))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.club == mine and list(mine.sessions.all()) == [activity]
    assert AuditEvent.objects.get(action="create").changes["club"] == mine.pk
    listing = client.get(reverse("outreach:activity_list")).content.decode()
    assert "CLB B93 Bình Minh" in listing


def test_a_club_of_another_ward_is_refused(world, personas):
    theirs = club(world.ward_b, name="CLB phường B")
    response = personas["leader"].post(
        reverse("outreach:activity_add"), club_session(world, club=theirs.pk)
    )
    assert response.status_code == 200 and "club" in response.context["form"].errors
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError) as error:
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a,
            occurred_on=DAY,
            kind="club_session",
            participants=5,
            club=theirs,
        )
    assert "club" in error.value.message_dict
    assert not Activity.objects.exists()


def test_a_club_is_refused_on_an_activity_of_another_kind(world, personas):
    mine = club(world.ward_a)
    data = club_session(world, kind="community_meeting", participants="30", club=mine.pk)
    response = personas["leader"].post(reverse("outreach:activity_add"), data)
    assert response.status_code == 200 and "club" in response.context["form"].errors
    with pytest.raises(ValidationError) as error:
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a,
            occurred_on=DAY,
            kind="community_meeting",
            participants=30,
            club=mine,
        )
    assert "club" in error.value.message_dict
    assert not Activity.objects.exists()


def test_a_club_not_holding_on_the_sessions_day_is_refused(world, personas):
    closed = club(world.ward_a, closed_on=DAY - datetime.timedelta(days=1))
    response = personas["leader"].post(
        reverse("outreach:activity_add"), club_session(world, club=closed.pk)
    )
    assert response.status_code == 200
    assert "không hoạt động vào ngày" in response.context["form"].errors["club"][0]
    with pytest.raises(ValidationError) as error:
        services.activity_update(
            actor=world.leader,
            activity=services.activity_record(
                actor=world.leader,
                unit=world.ward_a,
                occurred_on=DAY - datetime.timedelta(days=1),
                kind="club_session",
                participants=5,
                club=closed,
            ),
            occurred_on=DAY,
        )
    assert "club" in error.value.message_dict
    # on the club's last day the session still counts (closing dates are inclusive)
    assert Activity.objects.get().club == closed


def test_a_club_session_without_a_club_is_still_fine(world, personas):
    club(world.ward_a)
    response = personas["leader"].post(reverse("outreach:activity_add"), club_session(world))
    assert response.status_code == 302
    assert Activity.objects.get().club is None


def test_a_volunteer_is_not_offered_clubs_and_her_correction_keeps_the_leaders_link(
    world, personas
):
    """Clubs are the ward's files' business (cases.Club.visible_to: leaders and officers)."""
    mine = club(world.ward_a)
    client = personas["volunteer"]
    page = client.get(reverse("outreach:activity_add"))
    assert not page.context["form"].has_clubs and 'name="club"' not in page.content.decode()
    assert client.post(reverse("outreach:activity_add"), club_session(world)).status_code == 302
    activity = Activity.objects.get()
    activity = services.activity_update(actor=world.leader, activity=activity, club=mine)
    url = reverse("outreach:activity_edit", args=[activity.pk])
    assert "club" not in client.get(url).context["form"].fields
    data = club_session(world, participants="15", version=str(activity.version))
    assert client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.participants, activity.club) == (15, mine)


def test_a_supervisor_with_two_posts_keeps_each_units_trainings_apart(world):
    f.post(user=world.supervisor, unit=world.province, role=Post.Role.SUPERVISOR)
    department_training(world)
    services.activity_record(
        actor=world.supervisor,
        unit=world.province,
        occurred_on=DAY,
        kind="seminar",
        participants=200,
        title="Tọa đàm của sở",
    )
    client = login(world.supervisor)
    district = client.get(reverse(LIST), {"dv": world.district_a.code}).content.decode()
    province = client.get(reverse(LIST), {"dv": world.province.code}).content.decode()
    assert MARK in district and "Tọa đàm của sở" not in district
    assert "Tọa đàm của sở" in province and MARK not in province
    assert client.get(reverse(LIST), {"dv": world.district_b.code}).status_code == 404


def grid(world, **row) -> dict:
    data = {"unit": world.ward_a.pk, "dong-TOTAL_FORMS": "2", "dong-INITIAL_FORMS": "0"}
    line = {"occurred_on": DAY.isoformat(), "kind": "club_session", "participants": "9", **row}
    data |= {f"dong-0-{name}": value for name, value in line.items()}
    return data


def test_the_notebook_grid_links_a_club_session_to_the_wards_club(world, personas):
    mine = club(world.ward_a)
    client = personas["leader"]
    page = client.get(reverse("outreach:activity_batch"))
    assert page.context["has_clubs"] and 'name="dong-0-club"' in page.content.decode()
    assert client.post(
        reverse("outreach:activity_batch"), grid(world, club=mine.pk)
    ).status_code == (302)
    assert Activity.objects.get().club == mine


def test_the_notebook_grid_refuses_another_wards_club_and_a_club_on_a_patrol(world, personas):
    mine, theirs = club(world.ward_a), club(world.ward_b, name="CLB phường B")
    client = personas["leader"]
    for row in (
        {"club": theirs.pk},
        {"club": mine.pk, "kind": "patrol", "participants": ""},
        {"club": mine.pk, "occurred_on": "2019-12-31"},  # before the club was founded
    ):
        response = client.post(reverse("outreach:activity_batch"), grid(world, **row))
        assert response.status_code == 200, row
        assert "club" in response.context["formset"].forms[0].errors, row
    assert not Activity.objects.exists()


def test_the_notebook_grid_has_no_club_column_where_there_is_no_club(world, personas):
    page = personas["leader"].get(reverse("outreach:activity_batch"))
    assert not page.context["has_clubs"] and "-club" not in page.content.decode()
