"""Activities: the form that adapts to the kind, the notebook grid, the list, corrections."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outreach import services
from outreach.models import Activity, figure_errors
from tests import factories as f
from wards.models import AuditEvent

TODAY = timezone.localdate()
DAY = (TODAY - datetime.timedelta(days=3)).isoformat()
ADD = "outreach:activity_add"

# A valid POST for each kind: the figures that kind asks for.
VALID = {
    "community_meeting": {"participants": "45"},
    "school_talk": {"participants": "300", "place": "Trường THCS Láng Thượng"},
    "radio": {"minutes_each": "15"},
    "loudspeaker": {"minutes_each": "30"},
    "seminar": {"participants": "40"},
    "film": {"participants": "120"},
    "leaflets": {"items": "500"},
    "article": {"items": "2"},
    "banner": {"items": "4"},
    "pledge": {"items": "60"},
    "training": {"participants": "12"},
    "team_meeting": {},
    "club_session": {"participants": "8"},
    "patrol": {},
    "inspection": {},
    "police_tip": {},
    "other": {"title": "Hỗ trợ tổ chức ngày hội"},
}
# For each kind, a figure it does not record.
FOREIGN = {
    "community_meeting": ("items", "10"),
    "school_talk": ("minutes_each", "15"),
    "radio": ("items", "100"),
    "loudspeaker": ("items", "3"),
    "seminar": ("minutes_each", "60"),
    "film": ("items", "1"),
    "leaflets": ("minutes_each", "15"),
    "article": ("participants", "5"),
    "banner": ("minutes_each", "5"),
    "pledge": ("minutes_each", "5"),
    "training": ("items", "20"),
    "team_meeting": ("participants", "7"),
    "club_session": ("items", "3"),
    "patrol": ("participants", "4"),
    "inspection": ("minutes_each", "30"),
    "police_tip": ("place", "Chợ"),
    "other": ("minutes_each", "10"),
}


def post(world, kind, /, **extra):
    data = {"unit": world.ward_a.pk, "kind": kind, "occurred_on": DAY, "sessions": "1"}
    data.update(VALID[kind])
    data.update(extra)
    return data


def version(activity: Activity) -> dict:
    """The version an edit form of `activity` opened now would carry (wards.versions)."""
    return {"version": str(Activity.objects.get(pk=activity.pk).version)}


def test_every_kind_is_covered_by_these_tests():
    assert set(VALID) == set(Activity.Kind.values) == set(FOREIGN) == set(Activity.FIELDS)


@pytest.mark.parametrize("kind", sorted(VALID))
def test_each_kind_saves_with_its_own_figures(kind, world, personas):
    response = personas["leader"].post(reverse(ADD), post(world, kind))
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.kind == kind and activity.unit == world.ward_a
    assert figure_errors(kind, {"sessions": activity.sessions}) is not None


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_a_figure_the_kind_does_not_record_is_refused_and_nothing_saved(kind, world, personas):
    field, value = FOREIGN[kind]
    response = personas["leader"].post(reverse(ADD), post(world, kind, **{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert "hãy để trống ô này" in errors[field][0]
    assert not Activity.objects.exists()


@pytest.mark.parametrize("kind", [k for k, v in VALID.items() if v])
def test_a_missing_figure_the_kind_needs_is_asked_for(kind, world, personas):
    data = post(world, kind)
    for name in VALID[kind]:
        data[name] = ""
    response = personas["leader"].post(reverse(ADD), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    missing = next(iter(VALID[kind]))
    assert errors[missing][0].startswith("Hãy nhập")
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"participants": "-5"}, "participants", "không được âm"),
        ({"sessions": "0"}, "sessions", "từ 1 trở lên"),
        ({"sessions": "-2"}, "sessions", "từ 1 trở lên"),
        ({"participants": "2000000"}, "participants", "quá lớn"),
        (
            {"occurred_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "occurred_on",
            "tương lai",
        ),
        ({"occurred_on": "31/02/2026"}, "occurred_on", ""),
        ({"kind": "knitting"}, "kind", ""),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_saves_nothing(
    extra, field, message, world, personas
):
    response = personas["leader"].post(reverse(ADD), post(world, "community_meeting", **extra))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert message in errors[field][0]
    assert not Activity.objects.exists()


def test_a_date_before_the_unit_existed_is_refused(world, personas):
    world.ward_a.valid_from = datetime.date(2025, 7, 1)
    world.ward_a.save()
    response = personas["leader"].post(
        reverse(ADD), post(world, "patrol", occurred_on="2025-06-30")
    )
    assert response.status_code == 200
    assert "được thành lập từ ngày 01/07/2025" in response.context["form"].errors["occurred_on"][0]
    assert not Activity.objects.exists()


def test_a_date_after_a_merger_points_to_the_ward_that_took_over(world):
    with pytest.raises(ValidationError) as caught:
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a_old,
            occurred_on=datetime.date(2025, 8, 1),
            kind="patrol",
        )
    assert "Hãy ghi hoạt động cho Phường A" in str(caught.value)
    # before the merger the old ward takes it
    services.activity_record(
        actor=world.leader,
        unit=world.ward_a_old,
        occurred_on=datetime.date(2024, 8, 1),
        kind="patrol",
    )
    assert Activity.objects.get().unit == world.ward_a_old


def test_thirty_five_broadcasts_of_fifteen_minutes_are_one_line_of_525_minutes(world, personas):
    data = post(world, "radio", sessions="35", minutes_each="15")
    assert personas["leader"].post(reverse(ADD), data).status_code == 302
    activity = Activity.objects.get()
    assert (activity.sessions, activity.minutes, activity.minutes_each) == (35, 525, 15)
    page = personas["leader"].get(reverse("outreach:activity_edit", args=[activity.pk]))
    assert page.context["form"]["minutes_each"].value() == 15


def test_a_club_session_records_who_attended_and_counts_them(world, personas):
    p1, p2 = (f.person(ward=world.ward_a) for _i in range(2))
    data = post(world, "club_session", participants="", persons=[p1.pk, p2.pk])
    response = personas["leader"].post(reverse(ADD), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert set(activity.persons.all()) == {p1, p2}
    assert activity.participants == 2
    # fewer participants than persons chosen makes no sense
    data = post(world, "club_session", participants="1", persons=[p1.pk, p2.pk])
    response = personas["leader"].post(reverse(ADD), data)
    assert "ít hơn số người được hỗ trợ" in response.context["form"].errors["participants"][0]


def test_persons_attend_only_a_club_session(world, personas):
    person = f.person(ward=world.ward_a)
    response = personas["leader"].post(reverse(ADD), post(world, "patrol", persons=[person.pk]))
    assert response.status_code == 200
    assert "persons" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_volunteer_cannot_attach_another_wards_person_with_a_crafted_post(world, personas):
    mine = f.person(ward=world.ward_a)
    f.assignment(person=mine, member=world.volunteer_member)
    theirs = f.person(ward=world.ward_b)
    data = post(world, "club_session", persons=[mine.pk, theirs.pk])
    response = personas["volunteer"].post(reverse(ADD), data)
    assert response.status_code == 200
    assert "persons" in response.context["form"].errors
    assert not Activity.objects.exists()
    # nor a person of their own ward who is not theirs to see
    other_here = f.person(ward=world.ward_a)
    data = post(world, "club_session", persons=[other_here.pk])
    response = personas["volunteer"].post(reverse(ADD), data)
    assert "persons" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_the_service_refuses_another_wards_person_whatever_the_caller(world):
    theirs = f.person(ward=world.ward_b)
    with pytest.raises(ValidationError) as caught:
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a,
            occurred_on=TODAY,
            kind="club_session",
            participants=5,
            persons=[theirs],
        )
    assert "persons" in caught.value.error_dict
    assert theirs.full_name not in str(caught.value)
    assert not Activity.objects.exists()


def test_a_crafted_post_cannot_record_for_another_ward_or_with_its_members(world, personas):
    data = post(world, "patrol", unit=world.ward_b.pk)
    response = personas["leader"].post(reverse(ADD), data)
    assert "unit" in response.context["form"].errors
    data = post(world, "patrol", members=[world.outsider_member.pk])
    response = personas["leader"].post(reverse(ADD), data)
    assert "members" in response.context["form"].errors
    assert not Activity.objects.exists()
    with pytest.raises(ValidationError):
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a,
            occurred_on=TODAY,
            kind="patrol",
            members=[world.outsider_member],
        )


def test_the_members_who_took_part_are_recorded_and_audited(world, personas):
    data = post(world, "team_meeting", members=[world.leader_member.pk, world.volunteer_member.pk])
    assert personas["leader"].post(reverse(ADD), data).status_code == 302
    activity = Activity.objects.get()
    assert set(activity.members.all()) == {world.leader_member, world.volunteer_member}
    event = AuditEvent.objects.get(action="create", object_type="outreach.activity")
    assert event.unit == world.ward_a and event.changes["kind"] == "team_meeting"


def test_a_volunteer_logs_a_session_and_is_preselected_as_taking_part(world, personas):
    page = personas["volunteer"].get(reverse(ADD) + "?loai=community_meeting")
    form = page.context["form"]
    assert form.initial["members"] == [world.volunteer_member.pk]
    assert form.initial["kind"] == "community_meeting"
    data = post(world, "community_meeting", members=[world.volunteer_member.pk])
    response = personas["volunteer"].post(reverse(ADD), {**data, "again": "1"})
    assert response.status_code == 302
    assert "loai=community_meeting" in response["Location"]
    assert Activity.objects.get().created_by == world.volunteer


# Corrections ---------------------------------------------------------------------------------


def _activity(world, *, by, days_ago=0, **fields):
    activity = services.activity_record(
        actor=by, unit=world.ward_a, occurred_on=TODAY, kind="patrol", **fields
    )
    if days_ago:
        Activity.objects.filter(pk=activity.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
    return activity


def test_the_author_corrects_within_the_window_and_not_after(world, personas, settings):
    settings.ACTIVITY_EDIT_DAYS = 7
    recent = _activity(world, by=world.volunteer, days_ago=6)
    old = _activity(world, by=world.volunteer, days_ago=8)
    volunteer = personas["volunteer"]
    assert volunteer.get(reverse("outreach:activity_edit", args=[recent.pk])).status_code == 200
    assert volunteer.get(reverse("outreach:activity_edit", args=[old.pk])).status_code == 403
    assert volunteer.post(reverse("outreach:activity_delete", args=[old.pk])).status_code == 403
    settings.ACTIVITY_EDIT_DAYS = 10
    assert volunteer.get(reverse("outreach:activity_edit", args=[old.pk])).status_code == 200


def test_leaders_always_correct_and_volunteers_never_others_entries(world, personas):
    leaders = _activity(world, by=world.leader, days_ago=400)
    volunteers = _activity(world, by=world.volunteer, days_ago=400)
    for activity in (leaders, volunteers):
        url = reverse("outreach:activity_edit", args=[activity.pk])
        assert personas["leader"].get(url).status_code == 200
        assert personas["officer"].get(url).status_code == 200
    assert (
        personas["volunteer"].get(reverse("outreach:activity_edit", args=[leaders.pk])).status_code
        == 403
    )
    assert (
        personas["outsider"].get(reverse("outreach:activity_edit", args=[leaders.pk])).status_code
        == 404
    )


def test_an_edit_is_audited_with_the_figures_that_changed(world, personas):
    activity = _activity(world, by=world.leader)
    data = post(world, "community_meeting", participants="80", **version(activity))
    url = reverse("outreach:activity_edit", args=[activity.pk])
    assert personas["leader"].post(url, data).status_code == 302
    activity.refresh_from_db()
    assert (activity.kind, activity.participants) == ("community_meeting", 80)
    event = AuditEvent.objects.get(action="update", object_type="outreach.activity")
    assert event.changes["kind"] == ["patrol", "community_meeting"]
    assert event.changes["participants"] == [None, 80]


def test_a_bad_edit_changes_nothing(world, personas):
    activity = _activity(world, by=world.leader)
    url = reverse("outreach:activity_edit", args=[activity.pk])
    response = personas["leader"].post(url, post(world, "patrol", participants="9", version="1"))
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.participants is None
    assert not AuditEvent.objects.filter(action="update").exists()


def test_delete_asks_first_then_removes_and_audits(world, personas):
    activity = _activity(world, by=world.leader, members=[world.leader_member])
    url = reverse("outreach:activity_delete", args=[activity.pk])
    assert personas["leader"].get(url).status_code == 200
    assert Activity.objects.exists()
    assert personas["leader"].post(url, version(activity)).status_code == 302
    assert not Activity.objects.exists()
    event = AuditEvent.objects.get(action="delete", object_type="outreach.activity")
    assert event.object_id == str(activity.pk) and event.changes["kind"] == "patrol"


# The notebook grid ---------------------------------------------------------------------------


def _grid(world, rows):
    data = {
        "unit": world.ward_a.pk,
        "dong-TOTAL_FORMS": str(len(rows) + 2),
        "dong-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"dong-{i}-{key}"] = value
    return data


def test_a_leader_types_in_a_notebook_in_one_go(world, personas):
    rows = [
        {"occurred_on": "2026-01-31", "kind": "radio", "sessions": "35", "minutes_each": "15"},
        {
            "occurred_on": "2026-02-15",
            "kind": "school_talk",
            "participants": "320",
            "place": "Trường THCS A",
        },
        {"occurred_on": "2026-03-01", "kind": "leaflets", "items": "700"},
        {"occurred_on": "2026-03-20", "kind": "team_meeting"},
    ]
    response = personas["leader"].post(reverse("outreach:activity_batch"), _grid(world, rows))
    assert response.status_code == 302
    assert Activity.objects.count() == 4
    radio = Activity.objects.get(kind="radio")
    assert (radio.sessions, radio.minutes) == (35, 525)
    assert AuditEvent.objects.filter(action="create", object_type="outreach.activity").count() == 4


def test_one_bad_line_saves_no_line_and_keeps_what_was_typed(world, personas):
    rows = [
        {"occurred_on": "2026-01-31", "kind": "radio", "sessions": "35", "minutes_each": "15"},
        {"occurred_on": "2026-02-15", "kind": "leaflets", "minutes_each": "15"},
    ]
    response = personas["leader"].post(reverse("outreach:activity_batch"), _grid(world, rows))
    assert response.status_code == 200
    assert not Activity.objects.exists()
    formset = response.context["formset"]
    assert "minutes_each" in formset.forms[1].errors
    assert "items" in formset.forms[1].errors
    assert formset.forms[0]["sessions"].value() == "35"


def test_a_line_the_service_refuses_saves_nothing(world, personas):
    world.ward_a.valid_from = datetime.date(2025, 7, 1)
    world.ward_a.save()
    rows = [
        {"occurred_on": "2025-08-01", "kind": "patrol"},
        {"occurred_on": "2025-06-01", "kind": "patrol"},
    ]
    response = personas["leader"].post(reverse("outreach:activity_batch"), _grid(world, rows))
    assert response.status_code == 200
    assert not Activity.objects.exists()
    assert "occurred_on" in response.context["formset"].forms[1].errors
    assert "chưa dòng nào được lưu" in response.content.decode()


def test_an_empty_grid_says_so(world, personas):
    response = personas["leader"].post(reverse("outreach:activity_batch"), _grid(world, []))
    assert response.status_code == 200
    assert "Chưa có dòng nào" in response.content.decode()


def test_the_grid_is_for_leaders_and_officers(world, personas):
    url = reverse("outreach:activity_batch")
    assert personas["volunteer"].get(url).status_code == 404
    assert personas["officer"].get(url).status_code == 200


# The list ------------------------------------------------------------------------------------


def test_the_list_filters_and_totals(world, personas):
    services.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=datetime.date(2026, 1, 10),
        kind="radio",
        sessions=10,
        minutes=150,
    )
    services.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=datetime.date(2026, 2, 10),
        kind="community_meeting",
        participants=40,
        members=[world.volunteer_member],
    )
    services.activity_record(
        actor=world.leader,
        unit=world.ward_a_old,
        occurred_on=datetime.date(2024, 2, 10),
        kind="community_meeting",
        participants=25,
    )
    services.activity_record(
        actor=world.outsider,
        unit=world.ward_b,
        occurred_on=datetime.date(2026, 2, 10),
        kind="community_meeting",
        participants=999,
    )
    url = reverse("outreach:activity_list")
    page = personas["leader"].get(url)
    totals = {row["kind"]: row for row in page.context["kind_totals"]}
    assert totals["community_meeting"]["participants"] == 65  # ward A and its predecessor
    assert totals["radio"]["minutes"] == 150
    assert page.context["page"].paginator.count == 3
    page = personas["leader"].get(url, {"kind": "community_meeting", "start": "2025-01-01"})
    assert page.context["page"].paginator.count == 1
    page = personas["leader"].get(url, {"member": world.volunteer_member.pk})
    assert [a.kind for a in page.context["page"]] == ["community_meeting"]
    assert "999" not in personas["volunteer"].get(url).content.decode()


def test_supervisors_and_other_wards_do_not_see_the_list(world, personas):
    url = reverse("outreach:activity_list")
    assert personas["supervisor"].get(url).status_code == 404
    activity = _activity(world, by=world.leader)
    edit = reverse("outreach:activity_edit", args=[activity.pk])
    assert personas["supervisor"].get(edit).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_and_50_rows(world, personas):
    url = reverse("outreach:activity_list")
    _activity(world, by=world.leader, members=[world.leader_member])
    one = _queries(personas["leader"], url)
    for i in range(49):
        _activity(world, by=world.volunteer, members=[world.volunteer_member], place=f"Tổ {i}")
    assert _queries(personas["leader"], url) == one
    assert one <= 14


def test_a_club_session_shows_on_the_persons_timeline(world, personas):
    person = f.person(ward=world.ward_a)
    f.assignment(person=person, member=world.volunteer_member)
    services.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=TODAY,
        kind="club_session",
        participants=6,
        persons=[person],
        title="CLB B93: chia sẻ kinh nghiệm tìm việc",
    )
    page = personas["volunteer"].get(reverse("cases:person_detail", args=[person.pk]))
    html = page.content.decode()
    assert "Sinh hoạt câu lạc bộ, nhóm" in html
    assert "CLB B93: chia sẻ kinh nghiệm tìm việc" in html


def test_a_club_session_before_the_merger_takes_a_person_who_moved_with_it(world):
    """The person now belongs to ward A; in 2024 they came to the club of ward A-old."""
    person = f.person(ward=world.ward_a, registered_on=datetime.date(2023, 1, 5))
    activity = services.activity_record(
        actor=world.leader,
        unit=world.ward_a_old,
        occurred_on=datetime.date(2024, 5, 2),
        kind="club_session",
        participants=4,
        persons=[person],
    )
    assert list(activity.persons.all()) == [person]
    # ward B is no part of it
    with pytest.raises(ValidationError):
        services.activity_record(
            actor=world.leader,
            unit=world.ward_a_old,
            occurred_on=datetime.date(2024, 5, 2),
            kind="club_session",
            participants=4,
            persons=[f.person(ward=world.ward_b, registered_on=datetime.date(2023, 1, 5))],
        )


# Attendees the user may not see (issue 19) ---------------------------------------------------


def _club_with_unseen_attendees(world):
    """The volunteer's club session with her one person; then the leader adds three persons of
    the ward who are not assigned to her."""
    mine = f.person(ward=world.ward_a, full_name="Nguyễn Văn Của Lan")
    f.assignment(person=mine, member=world.volunteer_member)
    unseen = [f.person(ward=world.ward_a, full_name=f"Hoàng Thị Kín {i}") for i in range(3)]
    activity = services.activity_record(
        actor=world.volunteer,
        unit=world.ward_a,
        occurred_on=TODAY - datetime.timedelta(days=1),
        kind="club_session",
        persons=[mine],
        members=[world.volunteer_member],
    )
    services.activity_update(
        actor=world.leader, activity=activity, persons=[mine, *unseen], participants=8
    )
    assert set(activity.persons.all()) == {mine, *unseen}
    return activity, mine, unseen


def test_a_volunteer_never_sees_nor_removes_attendees_she_may_not_see(world, personas):
    activity, mine, unseen = _club_with_unseen_attendees(world)
    volunteer = personas["volunteer"]
    url = reverse("outreach:activity_edit", args=[activity.pk])
    page = volunteer.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and mine.full_name in html
    assert f'name="persons" value="{mine.pk}"' in html
    for person in unseen:
        assert person.full_name not in html
        assert f'name="persons" value="{person.pk}"' not in html
    assert set(page.context["form"].fields["persons"].queryset) == {mine}
    assert "và 3 người khác" in html
    # her save keeps them attending
    data = post(world, "club_session", participants="8", persons=[mine.pk], **version(activity))
    data["members"] = [world.volunteer_member.pk]
    assert volunteer.post(url, data).status_code == 302
    assert set(activity.persons.all()) == {mine, *unseen}
    # unticking her own person removes only hers
    assert volunteer.post(url, {**data, "persons": [], **version(activity)}).status_code == 302
    assert set(activity.persons.all()) == set(unseen)
    # naming one of them in a crafted POST is refused like any person she may not see
    response = volunteer.post(url, {**data, "persons": [unseen[0].pk], **version(activity)})
    assert response.status_code == 200 and "persons" in response.context["form"].errors
    assert unseen[0].full_name not in response.content.decode()
    # the service keeps them whatever its caller asks
    services.activity_update(actor=world.volunteer, activity=activity, persons=[])
    assert set(activity.persons.all()) == set(unseen)


def test_a_volunteer_cannot_delete_a_session_with_attendees_she_may_not_see(world, personas):
    activity, _mine, unseen = _club_with_unseen_attendees(world)
    volunteer = personas["volunteer"]
    edit = reverse("outreach:activity_edit", args=[activity.pk])
    delete = reverse("outreach:activity_delete", args=[activity.pk])
    assert delete not in volunteer.get(edit).content.decode()
    for response in (volunteer.get(delete, follow=True), volunteer.post(delete, follow=True)):
        assert response.redirect_chain[0][0] == edit
        assert "nhờ đội trưởng" in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert set(activity.persons.all()) >= set(unseen)
    with pytest.raises(PermissionDenied):
        services.activity_delete(actor=world.volunteer, activity=activity)
    assert Activity.objects.filter(pk=activity.pk).exists()
    # the leader, who sees them all, may
    assert personas["leader"].post(delete, version(activity)).status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_the_attendees_kept_count_and_hold_the_session_to_its_kind(world, personas):
    activity, mine, unseen = _club_with_unseen_attendees(world)
    volunteer = personas["volunteer"]
    url = reverse("outreach:activity_edit", args=[activity.pk])
    # participants left empty: everyone attending is counted, the ones she may not see too
    data = post(world, "club_session", participants="", persons=[mine.pk], **version(activity))
    assert volunteer.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.participants == 4
    # a patrol records no attendees, and she cannot untick the ones she may not see
    data = post(world, "patrol", persons=[], **version(activity))
    response = volunteer.post(url, data)
    assert response.status_code == 200
    assert "nhờ đội trưởng" in response.context["form"].errors["persons"][0]
    activity.refresh_from_db()
    assert activity.kind == "club_session"
    assert set(activity.persons.all()) == {mine, *unseen}


def test_a_ward_numbered_past_a_thousand_is_sent_back_as_the_number_itself(world):
    """Issue 19: with thousand separators on, the hidden unit of a single-ward user rendered
    as «12.345», which the form then refused: no activity could be saved in any ward whose id
    passed 999 (most of the country's communes, once load_units has run)."""
    from tests.conftest import login

    ward = f.unit(pk=12345, code="12345", parent=world.district_a, name="Phường Số Lớn")
    user = f.user("tnv_lon")
    f.member(team=f.team(ward=ward), full_name="Hồ Thị Lớn", user=user, role="leader")
    client = login(user)
    for name in ("outreach:activity_add", "outreach:activity_batch"):
        page = client.get(reverse(name)).content.decode()
        assert 'name="unit" value="12345"' in page, name
    data = {**post(world, "community_meeting"), "unit": "12345"}
    assert client.post(reverse(ADD), data).status_code == 302
    assert Activity.objects.get().unit == ward


# The list a volunteer opens: their own activities of this month (issue 23) -------------------


def _meeting(world, *, on, participants, members=()):
    return services.activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=on,
        kind="community_meeting",
        participants=participants,
        members=list(members),
    )


@pytest.fixture
def notebook(world):
    """Lan took part in 11 (this month) and 7 (last month); the leader alone in 50 (this
    month)."""
    first = TODAY.replace(day=1)
    last_month = first - datetime.timedelta(days=1)
    _meeting(world, on=first, participants=11, members=[world.volunteer_member])
    _meeting(world, on=last_month, participants=7, members=[world.volunteer_member])
    _meeting(world, on=first, participants=50, members=[world.leader_member])


def _meetings(page) -> tuple[list[int], int]:
    shown = sorted(a.participants for a in page.context["page"])
    return shown, page.context["overall"]["participants"]


def test_a_volunteers_list_opens_on_their_own_activities_of_this_month(notebook, personas):
    page = personas["volunteer"].get(reverse("outreach:activity_list"))
    assert _meetings(page) == ([11], 11)  # the totals follow the list
    assert page.context["mine_this_month"]
    html = page.content.decode()
    assert "Đang xem hoạt động bạn tham gia trong tháng " + TODAY.strftime("%m/%Y") in html
    assert "Cả đội, tháng này" in html and "Cả đội, mọi thời gian" in html
    # Page 2 of the default view is still the default view.
    assert (
        _meetings(personas["volunteer"].get(reverse("outreach:activity_list"), {"page": 2}))[1]
        == 11
    )


def test_a_volunteer_widens_to_the_team_this_month_and_to_all_periods(notebook, personas):
    url = reverse("outreach:activity_list")
    month = personas["volunteer"].get(url, {"start": TODAY.replace(day=1).isoformat()})
    assert _meetings(month) == ([11, 50], 61)
    assert not month.context["mine_this_month"]
    everything = personas["volunteer"].get(url, {"member": ""})
    assert _meetings(everything) == ([7, 11, 50], 68)
    # The empty key stays in the page links: page 2 of «all» is not «mine» again.
    assert "member=" in everything.context["page_query"]
    # The filter form submitted with every field empty is «all» too.
    blank = personas["volunteer"].get(url, {"kind": "", "start": "", "end": "", "member": ""})
    assert _meetings(blank) == ([7, 11, 50], 68)


def test_a_leader_keeps_the_wards_whole_list(notebook, personas):
    page = personas["leader"].get(reverse("outreach:activity_list"))
    assert _meetings(page) == ([7, 11, 50], 68)
    assert not page.context["mine_this_month"]
    assert "Đang xem hoạt động bạn tham gia" not in page.content.decode()


def test_a_volunteer_with_nothing_this_month_is_told_so(world, personas):
    _meeting(world, on=TODAY.replace(day=1), participants=50, members=[world.leader_member])
    html = personas["volunteer"].get(reverse("outreach:activity_list")).content.decode()
    assert "Tháng này bạn chưa có hoạt động nào được ghi." in html
    assert "Chưa có hoạt động nào được ghi." not in html


def test_a_volunteers_default_list_takes_the_same_queries_for_1_and_50_rows(world, personas):
    url = reverse("outreach:activity_list")
    _meeting(world, on=TODAY.replace(day=1), participants=5, members=[world.volunteer_member])
    one = _queries(personas["volunteer"], url)
    for i in range(49):
        _meeting(
            world, on=TODAY.replace(day=1), participants=i + 1, members=[world.volunteer_member]
        )
    assert _queries(personas["volunteer"], url) == one
    assert one <= 20  # the budget of tests/test_query_budgets.py
