"""A ward's clubs (issue 20): founding, correcting and closing one, members through their
enrolments, and the club page with each member's last assessment and the club's sessions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.forms.register import EnrollmentForm
from cases.models import Assessment, Club, Enrollment, Programme
from outreach import services as outreach
from outreach.models import Activity
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent

FOUNDED = datetime.date(2024, 3, 1)
JOINED = datetime.date(2024, 4, 1)


def b93() -> Programme:
    return f.club_programme("club_b93")


def early() -> Programme:
    return f.club_programme("club_early")


def found(world, ward=None, name="CLB B93 tổ 5", programme=None, **fields):
    fields.setdefault("founded_on", FOUNDED)
    return services.club_create(
        actor=fields.pop("actor", world.leader),
        ward=ward or world.ward_a,
        programme=programme or b93(),
        name=name,
        **fields,
    )


@pytest.fixture
def club(world):
    return found(world)


@pytest.fixture
def person(world):
    return f.person(ward=world.ward_a, registered_on=datetime.date(2024, 1, 10))


def join(world, person, club, started_on=JOINED, programme=None, **fields):
    return services.enrollment_start(
        actor=world.leader,
        person=person,
        programme=programme or club.programme,
        started_on=started_on,
        club=club,
        **fields,
    )


def session(world, club, day, persons=(), **fields):
    """A club session of the ward's notebook, linked to `club` (the activity form's choice)."""
    activity = outreach.activity_record(
        actor=world.leader,
        unit=club.ward,
        occurred_on=day,
        kind=Activity.Kind.CLUB_SESSION,
        persons=persons,
        **fields,
    )
    Activity.objects.filter(pk=activity.pk).update(club=club)
    return activity


# Founding, correcting, closing ----------------------------------------------------------------


def test_a_leader_founds_a_club_of_the_ward_and_it_is_audited(world, club):
    assert (club.ward, club.programme, club.name, club.founded_on) == (
        world.ward_a,
        b93(),
        "CLB B93 tổ 5",
        FOUNDED,
    )
    assert club.created_by == world.leader and club.closed_on is None
    event = AuditEvent.objects.get(action="create", object_type="cases.club")
    assert event.changes["founded_on"] == "2024-03-01"
    assert event.changes["programme"] == b93().pk
    assert event.unit == world.ward_a


def test_only_the_wards_leaders_and_officers_found_a_club(world):
    for actor in (world.volunteer, world.supervisor, world.outsider, world.admin):
        with pytest.raises(PermissionDenied):
            found(world, ward=world.ward_a, actor=actor)
    assert found(world, ward=world.ward_a, actor=world.officer).ward == world.ward_a
    assert not Club.objects.filter(created_by__in=[world.volunteer, world.outsider]).exists()


def test_a_club_runs_a_club_programme_under_a_name_of_its_own(world, club):
    with pytest.raises(ValidationError) as error:
        found(
            world,
            name="CLB khác",
            programme=f.programme(
                "methadone", category=Programme.Category.METHADONE, default_months=None
            ),
        )
    assert "chương trình câu lạc bộ" in str(error.value)
    with pytest.raises(ValidationError) as error:
        found(world, name="clb  b93 TỔ 5")
    assert "đã có câu lạc bộ tên" in str(error.value)
    with pytest.raises(ValidationError):
        found(world, name="CLB tương lai", founded_on=timezone.localdate() + datetime.timedelta(1))
    # the same name in another ward is another club
    assert found(world, ward=world.ward_b, actor=world.outsider).ward == world.ward_b
    assert Club.objects.filter(ward=world.ward_a).count() == 1


def test_correcting_a_club_checks_the_version_and_the_members_start(world, club, person):
    club = services.club_update(
        actor=world.leader, club=club, expected_version=1, name="CLB B93 Tổ 5 mới"
    )
    assert (club.name, club.version) == ("CLB B93 Tổ 5 mới", 2)
    with pytest.raises(ValidationError) as error:
        services.club_update(actor=world.leader, club=club, expected_version=1, name="Cũ")
    assert error.value.code == "stale"
    join(world, person, club)
    with pytest.raises(ValidationError) as error:
        services.club_update(
            actor=world.leader, club=club, expected_version=2, founded_on=JOINED.replace(day=2)
        )
    assert "01/04/2024" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.club_update(actor=world.outsider, club=club, name="Của phường B")
    club.refresh_from_db()
    assert (club.name, club.founded_on, club.version) == ("CLB B93 Tổ 5 mới", FOUNDED, 2)
    assert AuditEvent.objects.filter(action="update", object_type="cases.club").count() == 1


def test_a_club_does_not_close_while_members_still_take_part(world, club, person):
    other = f.person(ward=world.ward_a, full_name="Trần Văn Hai")
    join(world, person, club)
    enrollment = join(world, other, club)
    day = datetime.date(2024, 9, 30)
    with pytest.raises(ValidationError) as error:
        services.club_close(actor=world.leader, club=club, closed_on=day, expected_version=1)
    assert "Còn 2 thành viên" in str(error.value)
    for e in Enrollment.objects.filter(club=club):
        services.enrollment_end(actor=world.leader, enrollment=e, ended_on=day, reason="completed")
    with pytest.raises(ValidationError):  # before the founding
        services.club_close(actor=world.leader, club=club, closed_on=FOUNDED.replace(day=1))
    session(world, club, datetime.date(2024, 10, 5), participants=6)
    with pytest.raises(ValidationError) as error:
        services.club_close(actor=world.leader, club=club, closed_on=day)
    assert "1 buổi sinh hoạt" in str(error.value)
    club = services.club_close(
        actor=world.leader, club=club, closed_on=datetime.date(2024, 10, 31), expected_version=1
    )
    assert club.closed_on == datetime.date(2024, 10, 31) and club.version == 2
    assert Club.objects.holding_on(datetime.date(2024, 11, 1)).count() == 0
    with pytest.raises(ValidationError):  # once only
        services.club_close(actor=world.leader, club=club, closed_on=datetime.date(2024, 11, 1))
    # and nobody joins it after its last day
    with pytest.raises(ValidationError) as error:
        join(world, other, club, started_on=datetime.date(2024, 11, 1))
    assert "ngừng hoạt động" in str(error.value)
    assert Enrollment.objects.filter(club=club).count() == 2
    assert enrollment.pk in Enrollment.objects.filter(club=club).values_list("pk", flat=True)


# Enrolment through a club ---------------------------------------------------------------------


def test_an_enrolment_through_a_club_makes_the_person_a_member(world, club, person):
    enrollment = join(world, person, club)
    assert enrollment.club == club and enrollment.programme == b93()
    assert list(Enrollment.objects.filter(club=club).values_list("person", flat=True)) == [
        person.pk
    ]
    event = AuditEvent.objects.get(
        action="create", object_type="cases.enrollment", object_id=str(enrollment.pk)
    )
    assert event.changes["club"] == club.pk


def test_a_club_of_another_programme_ward_or_time_is_refused(world, club, person):
    with pytest.raises(ValidationError) as error:
        join(world, person, club, programme=early())
    assert "CLB B93 tổ 5" in str(error.value) and "club" in error.value.error_dict
    club_b = found(world, ward=world.ward_b, name="CLB phường B", actor=world.outsider)
    with pytest.raises(ValidationError) as error:
        join(world, person, club_b)
    assert "không thuộc xã, phường" in str(error.value)
    with pytest.raises(ValidationError) as error:
        join(world, person, club, started_on=FOUNDED - datetime.timedelta(days=1))
    assert "thành lập ngày 01/03/2024" in str(error.value)
    assert not Enrollment.objects.exists()


def test_a_club_of_a_ward_merged_into_the_persons_ward_is_theirs(world, person):
    old = Club.objects.create(
        ward=world.ward_a_old, programme=b93(), name="CLB phường cũ", founded_on=FOUNDED
    )
    assert join(world, person, old).club == old


def test_a_club_is_founded_while_its_ward_exists(world):
    with pytest.raises(ValidationError) as error:
        found(world, ward=world.ward_a_old, name="CLB sau", founded_on=datetime.date(2025, 8, 1))
    assert "chỉ tồn tại đến ngày 30/06/2025" in str(error.value)
    ward = world.ward_a
    ward.valid_from = datetime.date(2025, 7, 1)  # a ward formed by the merger
    ward.save(update_fields=["valid_from"])
    with pytest.raises(ValidationError) as error:
        found(world, ward=ward, name="CLB trước khi có phường", founded_on=FOUNDED)
    assert "được thành lập từ ngày 01/07/2025" in str(error.value)


def test_a_file_registered_before_a_merger_joins_the_new_wards_club(world):
    """A file keeps the ward it was registered in; after the merger, its ward's clubs are the
    new ward's (the form offers them and the service takes them)."""
    person = f.person(ward=world.ward_a_old, registered_on=datetime.date(2024, 1, 10))
    new = found(world, name="CLB phường mới", founded_on=datetime.date(2025, 8, 1))
    offered = EnrollmentForm(instance=Enrollment(person=person)).fields["club"].queryset
    assert new in offered
    assert join(world, person, new, started_on=datetime.date(2025, 9, 1)).club == new


def test_the_enrolment_form_offers_the_wards_clubs_only_when_there_are_some(world, person):
    assert "club" not in EnrollmentForm(instance=Enrollment(person=person)).fields
    club = found(world)
    found(world, ward=world.ward_b, name="CLB phường B", actor=world.outsider)
    field = EnrollmentForm(instance=Enrollment(person=person)).fields["club"]
    assert list(field.queryset) == [club]
    data = {"programme": early().pk, "club": club.pk, "started_on": "2024-04-01"}
    form = EnrollmentForm(data, instance=Enrollment(person=person))
    assert not form.is_valid() and "club" in form.errors


def test_the_enrolment_page_records_the_club(world, club, person):
    client = login(world.leader)
    url = reverse("cases:enrollment_add", args=[person.pk])
    html = client.get(url).content.decode()
    assert 'name="club"' in html and "CLB B93 tổ 5" in html
    response = client.post(
        url, {"programme": b93().pk, "club": club.pk, "started_on": "2024-04-01"}
    )
    assert response.status_code == 302
    assert Enrollment.objects.get(person=person).club == club
    page = client.get(reverse("cases:person_detail", args=[person.pk])).content.decode()
    assert "CLB B93 tổ 5" in page  # the person's page names the club of the enrolment


# Pages --------------------------------------------------------------------------------------


def test_the_club_pages_are_the_leaders_and_officers_of_the_ward(world, club, personas):
    list_url = reverse("cases:club_list")
    for name, pages in {
        "volunteer": 404,
        "supervisor": 404,
        "admin": 404,
        "leader": 200,
        "officer": 200,
    }.items():
        assert personas[name].get(list_url).status_code == pages, name
        for page in ("cases:club_detail", "cases:club_edit", "cases:club_close"):
            answer = personas[name].get(reverse(page, args=[club.pk])).status_code
            assert answer == pages, (name, page)
    # the outsider leads ward B: their own list, never ward A's club
    html = personas["outsider"].get(list_url).content.decode()
    assert "CLB B93 tổ 5" not in html
    for page in ("cases:club_detail", "cases:club_edit", "cases:club_close"):
        assert personas["outsider"].get(reverse(page, args=[club.pk])).status_code == 404
    assert "CLB B93 tổ 5" in personas["leader"].get(list_url).content.decode()


def test_founding_a_club_through_its_form_saves_once(world):
    client = login(world.leader)
    url = reverse("cases:club_add")
    page = client.get(url).content.decode()
    assert 'name="_once"' in page
    token = page.split('name="_once" value="')[1].split('"')[0]
    data = {"name": "CLB can thiệp sớm", "programme": early().pk, "founded_on": "2024-05-02"}
    response = client.post(url, {**data, "_once": token})
    club = Club.objects.get(name="CLB can thiệp sớm")
    assert response["Location"] == reverse("cases:club_detail", args=[club.pk])
    client.post(url, {**data, "_once": token})
    assert Club.objects.count() == 1
    assert (club.ward, club.programme, club.created_by) == (world.ward_a, early(), world.leader)
    # a programme that is not a club's is not offered
    methadone = f.programme("methadone", category=Programme.Category.METHADONE, default_months=None)
    response = client.post(url, {**data, "name": "CLB 2", "programme": methadone.pk})
    assert response.status_code == 200 and Club.objects.count() == 1


def test_editing_and_closing_a_club_through_the_forms(world, club):
    client = login(world.officer)
    edit = reverse("cases:club_edit", args=[club.pk])
    response = client.post(edit, {"name": "CLB B93 mới", "founded_on": "2024-03-01", "version": 1})
    assert response.status_code == 302
    old_copy = {"name": "Bản cũ", "founded_on": "2024-03-01", "version": 1}
    response = client.post(edit, old_copy)
    assert response.status_code == 200 and "Người khác vừa sửa" in response.content.decode()
    close = reverse("cases:club_close", args=[club.pk])
    response = client.post(close, {"closed_on": "2024-02-01", "version": 2})
    assert response.status_code == 200
    response = client.post(close, {"closed_on": "2024-12-31", "version": 2})
    assert response.status_code == 302
    club.refresh_from_db()
    assert (club.name, club.closed_on, club.version) == (
        "CLB B93 mới",
        datetime.date(2024, 12, 31),
        3,
    )


def _members(world, club, count: int):
    results = list(Assessment.Result)
    for i in range(count):
        person = f.person(ward=world.ward_a, full_name=f"Thành Viên Câu Lạc Bộ {i}")
        join(world, person, club)
        for day in (10, 20):
            services.assessment_record(
                actor=world.leader,
                person=person,
                assessed_on=datetime.date(2024, 6, day),
                result=results[(i + day // 10) % len(results)],
            )
        session(world, club, datetime.date(2024, 5, 1 + i), persons=[person], title=f"Buổi {i}")


def _page(client, club):
    url = reverse("cases:club_detail", args=[club.pk])
    client.get(url)  # warm: per-process caches are not rows
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_club_page_shows_members_with_their_last_assessment_and_sessions(world, club):
    client = login(world.leader)
    _members(world, club, 1)
    html, few = _page(client, club)
    member = Enrollment.objects.get(club=club).person
    assert member.full_name in html
    assert reverse("cases:person_detail", args=[member.pk]) in html
    last = Assessment.objects.filter(person=member).first()
    assert last.assessed_on == datetime.date(2024, 6, 20)
    assert str(last.get_result_display()) in html and "20/06/2024" in html
    assert "Buổi 0" in html and "01/05/2024" in html
    _members(world, club, 8)
    html, many = _page(client, club)
    assert many == few
    assert all(f"Thành Viên Câu Lạc Bộ {i}" in html for i in range(8))
    assert all(f"Buổi {i}" in html for i in range(8))


def test_a_member_who_left_is_listed_apart(world, club, person):
    enrollment = join(world, person, club)
    services.enrollment_end(
        actor=world.leader,
        enrollment=enrollment,
        ended_on=datetime.date(2024, 5, 1),
        reason="completed",
    )
    html = login(world.leader).get(reverse("cases:club_detail", args=[club.pk])).content.decode()
    assert "Đã thôi sinh hoạt" in html and person.full_name in html
    assert "chưa đánh giá" in html


def test_a_look_at_the_club_page_is_audited_with_the_members_ids(world, club, person):
    join(world, person, club)
    login(world.leader).get(reverse("cases:club_detail", args=[club.pk]))
    event = AuditEvent.objects.get(action="view", object_type="cases.club")
    assert event.changes == {"persons": [person.pk], "count": 1}
    assert event.actor == world.leader and event.unit == world.ward_a


def test_the_club_list_counts_members_and_sessions(world, club, person):
    join(world, person, club)
    session(world, club, datetime.date(2024, 5, 3), sessions=4, participants=7)
    html = login(world.leader).get(reverse("cases:club_list")).content.decode()
    assert "1 thành viên" in html and "4 buổi sinh hoạt" in html and "03/05/2024" in html


# Outside any transaction, on PostgreSQL ------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_founding_a_club_and_joining_it_commit_outside_a_transaction(world):
    assert not connection.in_atomic_block
    club = found(world)
    person = f.person(ward=world.ward_a)
    enrollment = join(world, person, club)
    assert Enrollment.objects.get(pk=enrollment.pk).club_id == club.pk
    with pytest.raises(ValidationError):
        services.club_close(actor=world.leader, club=club, closed_on=timezone.localdate())
    club = services.club_update(actor=world.leader, club=club, name="CLB B93 đổi tên")
    assert Club.objects.get(pk=club.pk).name == "CLB B93 đổi tên"
