"""A person's group history (issue 20): dated changes, who made them and why; a contact counts
under the group of its own day, however late it is written down (INDICATORS.md, "A record
carries the facts of its own day")."""

from __future__ import annotations

import datetime
import json
import threading
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import anonymise, services
from cases.models import Contact, GroupChange, Person
from cases.rules import group_on
from cases.services.groups import _restamp
from imports.kinds import people
from tests import factories as f
from tests.cases.test_assignments import _in_thread, _wait_until_a_backend_waits_for_a_lock
from wards.models import AuditEvent

G = Person.Group
TODAY = timezone.localdate()
REGISTERED = datetime.date(2025, 10, 1)
D28, D30, D31 = (
    datetime.date(2025, 10, 28),
    datetime.date(2025, 10, 30),
    datetime.date(2025, 10, 31),
)

build_group_history = import_module("cases.migrations.0012_group_history").build_group_history


def register(world, **fields) -> Person:
    fields.setdefault("full_name", "Nguyễn Văn Nhóm")
    fields.setdefault("sex", Person.Sex.MALE)
    fields.setdefault("birth_year", 1990)
    fields.setdefault("group", G.HIGH_RISK)
    fields.setdefault("registered_on", REGISTERED)
    fields.setdefault("consent_on", fields["registered_on"])
    return services.person_register(actor=world.leader, ward=world.ward_a, **fields)


def change(world, person, group, since=None, reason="Kết quả xét nghiệm dương tính", **fields):
    person.refresh_from_db()
    return services.person_update(
        actor=world.leader,
        person=person,
        group=group,
        group_since=since,
        group_reason=reason,
        **fields,
    )


def visit(world, person, day) -> Contact:
    return services.contact_record(
        actor=world.volunteer,
        person=person,
        member=world.volunteer_member,
        occurred_on=day,
        kind=Contact.Kind.HOME_VISIT,
    )


def history(person) -> list[tuple]:
    return list(
        GroupChange.objects.filter(person=person)
        .order_by("since")
        .values_list("since", "group", "reason", "created_by")
    )


def assert_contacts_carry_their_day(person) -> None:
    for contact in Contact.objects.filter(person=person):
        assert contact.person_group == group_on(person, contact.occurred_on), contact.occurred_on


# The services ------------------------------------------------------------------------------


def test_registering_a_person_starts_the_history_on_the_day_of_registration(world):
    person = register(world)
    assert history(person) == [(REGISTERED, G.HIGH_RISK, "Đưa vào danh sách", world.leader.pk)]


def test_a_change_of_group_is_dated_explained_and_audited_without_the_group(world):
    person = register(world)
    change(world, person, G.DRUG_USER, since=D30, reason="Kết quả xét nghiệm dương tính")
    person.refresh_from_db()
    assert person.group == G.DRUG_USER and person.version == 2
    assert history(person) == [
        (REGISTERED, G.HIGH_RISK, "Đưa vào danh sách", world.leader.pk),
        (D30, G.DRUG_USER, "Kết quả xét nghiệm dương tính", world.leader.pk),
    ]
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).get()
    assert event.changes == {
        "group": "changed",
        "group_since": "2025-10-30",
        "contacts_restamped": 0,
        "version": 2,
    }
    text = json.dumps(event.changes, ensure_ascii=False)
    assert "drug_user" not in text and "xét nghiệm" not in text


def test_a_change_without_a_date_takes_effect_today(world):
    person = register(world)
    change(world, person, G.ADDICTED)
    assert history(person)[-1][:2] == (TODAY, G.ADDICTED)


def test_a_visit_written_after_a_correction_counts_under_the_group_of_its_day(world):
    """The issue's example: high-risk on the 28th, corrected to «using» on the 30th; the visit
    of the 28th written down on the 3rd still counts as high-risk."""
    person = register(world)
    change(world, person, G.DRUG_USER, since=D30)
    late = visit(world, person, D28)  # written after the correction
    assert late.person_group == G.HIGH_RISK
    assert visit(world, person, D30).person_group == G.DRUG_USER
    assert visit(world, person, D31).person_group == G.DRUG_USER
    assert_contacts_carry_their_day(person)


def test_a_change_dated_back_stamps_the_contacts_since_that_day_again(world):
    person = register(world)
    early, on_the_day, later = (
        visit(world, person, d) for d in (D28 - datetime.timedelta(1), D28, D30)
    )
    assert {c.person_group for c in (early, on_the_day, later)} == {G.HIGH_RISK}
    change(world, person, G.DRUG_USER, since=D28, reason="Ghi nhầm nhóm từ ngày 28")
    groups = dict(Contact.objects.filter(person=person).values_list("pk", "person_group"))
    assert groups == {early.pk: G.HIGH_RISK, on_the_day.pk: G.DRUG_USER, later.pk: G.DRUG_USER}
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).get()
    assert event.changes["contacts_restamped"] == 2
    assert_contacts_carry_their_day(person)


def test_restamping_stops_at_the_next_entry(world):
    person = register(world)
    for day in (D28, D30, D31):
        visit(world, person, day)
    GroupChange.objects.create(person=person, group=G.ADDICTED, since=D31)
    GroupChange.objects.create(person=person, group=G.DRUG_USER, since=D28)
    assert _restamp(person, D28, G.DRUG_USER) == 2
    by_day = dict(Contact.objects.filter(person=person).values_list("occurred_on", "person_group"))
    assert by_day == {D28: G.DRUG_USER, D30: G.DRUG_USER, D31: G.HIGH_RISK}


def test_a_second_change_on_the_same_day_replaces_that_days_entry(world):
    person = register(world)
    visit(world, person, D30)
    change(world, person, G.DRUG_USER, since=D30, reason="Lần đầu")
    change(world, person, G.ADDICTED, since=D30, reason="Sửa lại trong ngày")
    assert history(person)[1:] == [(D30, G.ADDICTED, "Sửa lại trong ngày", world.leader.pk)]
    assert Contact.objects.get(person=person).person_group == G.ADDICTED
    # on the day of registration, a change corrects the first entry
    other = register(world, full_name="Trần Văn Khác")
    change(world, other, G.SEX_WORK, since=REGISTERED, reason="Nhập nhầm khi đăng ký")
    assert history(other) == [(REGISTERED, G.SEX_WORK, "Nhập nhầm khi đăng ký", world.leader.pk)]


@pytest.mark.parametrize(
    ("since", "reason", "field", "message"),
    [
        (D30, "", "group_reason", "Ghi lý do đổi nhóm"),
        (D30, "   ", "group_reason", "Ghi lý do đổi nhóm"),
        (TODAY + datetime.timedelta(1), "Lý do", "group_since", "trong tương lai"),
        (REGISTERED - datetime.timedelta(1), "Lý do", "group_since", "Không được trước ngày"),
        (D28, "Lý do", "group_since", "Nhóm hiện tại được ghi nhận từ ngày 30/10/2025"),
    ],
)
def test_a_wrong_change_is_refused_in_vietnamese_and_writes_nothing(
    world, since, reason, field, message
):
    person = register(world)
    change(world, person, G.DRUG_USER, since=D30)
    visit(world, person, D31)
    before = history(person)
    with pytest.raises(ValidationError) as refused:
        change(world, person, G.ADDICTED, since=since, reason=reason, phone="0912345678")
    assert message in " ".join(refused.value.message_dict[field])
    person.refresh_from_db()
    assert (person.group, person.phone, person.version) == (G.DRUG_USER, "", 2)
    assert history(person) == before
    assert Contact.objects.get(person=person).person_group == G.DRUG_USER


def test_a_change_after_the_file_was_closed_is_refused(world):
    person = register(world)
    services.person_close(actor=world.leader, person=person, closed_on=D28, reason="other")
    with pytest.raises(ValidationError) as refused:
        change(world, person, G.DRUG_USER, since=D30)
    assert "Hồ sơ đã đóng từ ngày 28/10/2025" in refused.value.message_dict["group_since"][0]
    change(world, person, G.DRUG_USER, since=D28)  # a correction within the file
    assert history(person)[-1][:2] == (D28, G.DRUG_USER)


def test_the_same_group_writes_no_entry_whatever_the_date_and_reason(world):
    person = register(world)
    change(world, person, G.HIGH_RISK, since=D30, reason="", phone="0912345678")
    assert len(history(person)) == 1


@pytest.mark.postgres
def test_a_visit_written_while_a_change_dated_back_commits_waits_and_takes_its_group(
    transactional_db, world
):
    """The leader dates a change back to the 28th while a volunteer writes the visit of the
    30th: the visit waits for the person's lock, then reads the new history, so it is never
    stamped with the group the change is replacing."""
    person = register(world)
    changing = threading.Event()

    def leader():
        with transaction.atomic():
            change(world, person, G.DRUG_USER, since=D28)
            changing.set()
            # Commit only once the volunteer's visit is queued behind the person's lock.
            assert _wait_until_a_backend_waits_for_a_lock()

    def volunteer():
        changing.wait(10)
        return visit(world, person, D30)

    threads = [_in_thread(leader), _in_thread(volunteer)]
    for thread, _outcome in threads:
        thread.join(30)
    (_, changed), (_, written) = threads
    assert "error" not in changed, changed.get("error")
    assert written["value"].person_group == G.DRUG_USER
    assert Contact.objects.get(pk=written["value"].pk).person_group == G.DRUG_USER
    assert_contacts_carry_their_day(person)


def test_a_change_saved_on_the_wrong_day_is_moved_back_and_its_contacts_follow(world):
    """The group changed on the 28th but was saved as of the 31st: saving the same group from
    the 28th moves the entry and the visits of the 28th and 30th count under the new group;
    moving it forward again gives them back the old one."""
    person = register(world)
    for day in (D28, D30, D31):
        visit(world, person, day)
    change(world, person, G.DRUG_USER, since=D31)
    by_day = lambda: dict(  # noqa: E731
        Contact.objects.filter(person=person).values_list("occurred_on", "person_group")
    )
    assert by_day() == {D28: G.HIGH_RISK, D30: G.HIGH_RISK, D31: G.DRUG_USER}
    change(world, person, G.DRUG_USER, since=D28, reason="Ghi sai ngày đổi nhóm")
    assert history(person)[1][:3] == (D28, G.DRUG_USER, "Ghi sai ngày đổi nhóm")
    assert by_day() == {D28: G.DRUG_USER, D30: G.DRUG_USER, D31: G.DRUG_USER}
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).latest("pk")
    assert event.changes["contacts_restamped"] == 2 and "reason" not in str(event.changes)
    change(world, person, G.DRUG_USER, since=D30, reason="")
    assert by_day() == {D28: G.HIGH_RISK, D30: G.DRUG_USER, D31: G.DRUG_USER}
    assert_contacts_carry_their_day(person)
    with pytest.raises(ValidationError) as error:  # not onto or before the previous entry
        change(world, person, G.DRUG_USER, since=REGISTERED)
    assert "Nhóm trước đó được ghi nhận từ ngày" in str(error.value)


def test_a_corrected_day_of_registration_moves_the_start_of_the_history(world):
    person = register(world)
    earlier = REGISTERED - datetime.timedelta(days=10)
    services.person_update(actor=world.leader, person=person, registered_on=earlier)
    assert history(person)[0][:2] == (earlier, G.HIGH_RISK)
    change(world, person, G.DRUG_USER, since=D30)
    person.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        services.person_update(actor=world.leader, person=person, registered_on=D31)
    assert "Nhóm của người này đã thay đổi từ ngày 30/10/2025" in str(refused.value)
    assert history(person)[0][0] == earlier


def test_a_file_written_before_the_history_keeps_its_old_group_before_the_change(world):
    person = f.person(ward=world.ward_a, group=G.HIGH_RISK, registered_on=REGISTERED)
    change(world, person, G.DRUG_USER, since=D30)
    assert [entry[:2] for entry in history(person)] == [
        (REGISTERED, G.HIGH_RISK),
        (D30, G.DRUG_USER),
    ]
    assert group_on(person, D28) == G.HIGH_RISK


@pytest.mark.django_db(transaction=True)
def test_a_change_commits_with_its_contacts_outside_any_transaction(world):
    assert not connection.in_atomic_block
    person = register(world)
    visit(world, person, D30)
    change(world, person, G.ADDICTED, since=D28)
    assert history(person)[-1][:2] == (D28, G.ADDICTED)
    assert Contact.objects.get(person=person).person_group == G.ADDICTED
    assert Person.objects.get(pk=person.pk).group == G.ADDICTED


# The pages ---------------------------------------------------------------------------------


def _edit_data(person: Person, **overrides) -> dict:
    data = {
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_year": str(person.birth_year),
        "group": person.group,
        "registered_on": person.registered_on.isoformat(),
        "consent_on": person.consent_on.isoformat(),
        "version": str(person.version),
    }
    return {**data, **overrides}


def test_the_edit_form_asks_when_and_why_the_group_changes(world, personas):
    person = register(world)
    url = reverse("cases:person_edit", args=[person.pk])
    html = personas["leader"].get(url).content.decode()
    assert "Từ ngày" in html and "Lý do thay đổi nhóm" in html
    assert 'data-group-initial="high_risk"' in html and "js/person_form.js" in html
    # what static/js/person_form.js looks for
    assert '<select name="group"' in html
    assert 'id="div_id_group_since"' in html and 'id="div_id_group_reason"' in html

    refused = personas["leader"].post(url, _edit_data(person, group=G.DRUG_USER))
    assert refused.status_code == 200
    assert "Ghi lý do đổi nhóm" in refused.content.decode()
    person.refresh_from_db()
    assert person.group == G.HIGH_RISK and len(history(person)) == 1

    data = _edit_data(
        person, group=G.DRUG_USER, group_since=D30.isoformat(), group_reason="Xét nghiệm"
    )
    assert personas["leader"].post(url, data).status_code == 302
    assert history(person)[-1] == (D30, G.DRUG_USER, "Xét nghiệm", world.leader.pk)


def test_the_person_page_shows_the_history_in_a_constant_number_of_queries(world, personas):
    world.leader.first_name, world.leader.last_name = "Lan", "Trưởng"
    world.leader.save()
    person = register(world)
    url = reverse("cases:person_detail", args=[person.pk])
    client = personas["leader"]
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    change(world, person, G.DRUG_USER, since=D28, reason="Xét nghiệm dương tính")
    person.refresh_from_db()
    services.person_update(
        actor=world.officer,
        person=person,
        group=G.ADDICTED,
        group_since=D30,
        group_reason="Quyết định cai nghiện",
    )
    with CaptureQueriesContext(connection) as three:
        response = client.get(url)
    html = response.content.decode()
    assert "Lịch sử nhóm" in html
    assert "Quyết định cai nghiện" in html and "Xét nghiệm dương tính" in html
    assert "30/10/2025" in html and "28/10/2025" in html
    assert "Người nghiện ma túy" in html and "Người có nguy cơ cao" in html
    assert "ghi nhận bởi Lan Trưởng" in html
    assert len(three) == len(one)


# The import, the anonymisation ---------------------------------------------------------------


def test_an_imported_person_starts_the_history_with_the_files_group(world):
    context = people.prepare(ward=world.ward_a, actor=world.leader)
    values = {
        "full_name": "Lê Văn Nhập",
        "sex": Person.Sex.MALE,
        "birth_year": 1985,
        "group": G.POST_REHAB,
        "registered_on": REGISTERED,
        "consent_on": REGISTERED,
    }
    people.save(actor=world.leader, ward=world.ward_a, values=values, context=context, number=2)
    person = Person.objects.get(full_name="Lê Văn Nhập")
    assert history(person) == [(REGISTERED, G.POST_REHAB, "Nhập từ tệp danh sách", world.leader.pk)]


def test_anonymising_a_file_clears_the_reasons_and_keeps_the_groups(world):
    person = register(world)
    change(world, person, G.DRUG_USER, since=D30, reason="Anh trai báo tin")
    services.person_close(actor=world.leader, person=person, closed_on=D31, reason="other")
    anonymise.anonymise_closed(years=1, today=D31.replace(year=2027))
    assert [entry[:3] for entry in history(person)] == [
        (REGISTERED, G.HIGH_RISK, ""),
        (D30, G.DRUG_USER, ""),
    ]


# The data migration -------------------------------------------------------------------------


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _audited_change(person, day, *, hour=10, actor=None, value="changed") -> None:
    AuditEvent.objects.create(
        action="update",
        object_type="cases.person",
        object_id=str(person.pk),
        actor=actor,
        created_at=_at(day, hour),
        changes={"group": value, "version": 2},
    )


def _written(contact: Contact, day: datetime.date, hour: int = 10) -> None:
    Contact.objects.filter(pk=contact.pk).update(created_at=_at(day, hour))


def test_the_migration_gives_a_person_without_audit_trail_their_group_since_registration(world):
    person = f.person(ward=world.ward_a, group=G.ADDICTED, created_by=world.leader)
    build_group_history(apps, None)
    assert history(person) == [
        (
            person.registered_on,
            G.ADDICTED,
            "Đưa vào danh sách (dựng lại khi thêm lịch sử nhóm)",
            world.leader.pk,
        )
    ]


def test_the_migration_reads_a_history_without_audit_trail_from_the_contacts(world):
    """A group changed outside the services (no audit): the contacts, in the order they
    happened, tell the group of their days, and each keeps the group it was stamped with."""
    person = f.person(
        ward=world.ward_a, group=G.ADDICTED, registered_on=REGISTERED, created_by=world.leader
    )
    days = (REGISTERED, D28, D30, D31)
    stamps = (G.HIGH_RISK, G.HIGH_RISK, G.DRUG_USER, G.DRUG_USER)
    for day, group in zip(days, stamps, strict=True):
        f.contact(person=person, person_group=group, occurred_on=day)
    build_group_history(apps, None)
    assert [e[:3] for e in history(person)] == [
        (REGISTERED, G.HIGH_RISK, "Đưa vào danh sách (dựng lại khi thêm lịch sử nhóm)"),
        (D30, G.DRUG_USER, "Nhóm ghi trên lượt tiếp cận (dựng lại khi thêm lịch sử nhóm)"),
        (
            D31 + datetime.timedelta(1),
            G.ADDICTED,
            "Nhóm hiện tại, ngày đổi không rõ (dựng lại khi thêm lịch sử nhóm)",
        ),
    ]
    assert [c.person_group for c in Contact.objects.filter(person=person).order_by("pk")] == list(
        stamps
    )
    assert_contacts_carry_their_day(person)


def test_the_migration_dates_each_audited_change_and_reads_the_groups_between_from_contacts(world):
    person = f.person(ward=world.ward_a, group=G.ADDICTED, registered_on=REGISTERED)
    first = f.contact(person=person, person_group=G.HIGH_RISK, occurred_on=REGISTERED)
    _written(first, REGISTERED + datetime.timedelta(2))
    _audited_change(person, D28, actor=world.leader)
    between = f.contact(person=person, person_group=G.DRUG_USER, occurred_on=D28)
    _written(between, D28, hour=15)
    _audited_change(person, D30, actor=world.officer)
    build_group_history(apps, None)
    assert [entry[:2] for entry in history(person)] == [
        (REGISTERED, G.HIGH_RISK),
        (D28, G.DRUG_USER),
        (D30, G.ADDICTED),
    ]
    assert history(person)[1][2:] == ("Sửa nhóm trong hồ sơ (dựng lại từ nhật ký)", world.leader.pk)
    assert Contact.objects.get(pk=first.pk).person_group == G.HIGH_RISK


def test_the_migration_takes_audited_values_and_folds_what_it_cannot_tell(world):
    # values in the trail, where an event carries them
    valued = f.person(ward=world.ward_a, group=G.ADDICTED, registered_on=REGISTERED)
    _audited_change(valued, D28, value=[G.HIGH_RISK, G.DRUG_USER])
    _audited_change(valued, D30, value=[G.DRUG_USER, G.ADDICTED])
    # no contact written before the change: the change leaves no entry
    unknown = f.person(ward=world.ward_a, group=G.DRUG_USER, registered_on=REGISTERED)
    _audited_change(unknown, D28)
    # two changes on one day make one entry, with the day's last group
    same_day = f.person(ward=world.ward_a, group=G.ADDICTED, registered_on=REGISTERED)
    morning = f.contact(person=same_day, person_group=G.HIGH_RISK, occurred_on=REGISTERED)
    _written(morning, REGISTERED)
    _audited_change(same_day, D30, hour=9)
    _audited_change(same_day, D30, hour=11)
    # a file that has its history already is left alone
    started = register(world, full_name="Đã Có Lịch Sử")
    _audited_change(started, D28)
    # an anonymised file gets no reason
    gone = f.person(ward=world.ward_a, group=G.POST_REHAB, anonymised_on=D31)
    build_group_history(apps, None)
    assert [e[:2] for e in history(valued)] == [
        (REGISTERED, G.HIGH_RISK),
        (D28, G.DRUG_USER),
        (D30, G.ADDICTED),
    ]
    assert [e[:2] for e in history(unknown)] == [(REGISTERED, G.DRUG_USER)]
    assert [e[:2] for e in history(same_day)] == [(REGISTERED, G.HIGH_RISK), (D30, G.ADDICTED)]
    assert history(started) == [(REGISTERED, G.HIGH_RISK, "Đưa vào danh sách", world.leader.pk)]
    assert [e[1:3] for e in history(gone)] == [(G.POST_REHAB, "")]
    build_group_history(apps, None)  # again: nothing new
    persons = [valued, unknown, same_day, started, gone]
    assert GroupChange.objects.filter(person__in=persons).count() == 3 + 1 + 2 + 1 + 1
