"""The audit trail, read back: a ward's trail for its leaders and officers, exports and logins
under a unit for its supervisors (wards/audit_views.py)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import enrollment_update, person_update
from outreach.models import Activity, Partner
from outreach.services import activity_record, activity_update, partner_update
from tests import factories as f
from tests.conftest import login
from wards.audit import audit, diff
from wards.models import AuditEvent, Post
from wards.services import member_update, team_update

TRAIL = "wards:audit_trail"
EXPORTS = "wards:audit_exports"
SECRET = "Nguyễn Thị Bí Mật"
TODAY = timezone.localdate()


def _event(action: str, *, actor=None, unit=None, object_type="", object_id="", **fields):
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        unit=unit,
        object_type=object_type,
        object_id=str(object_id),
        **fields,
    )


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def trail(world):
    """A person of ward A and one event of each kind the pages must tell apart."""
    person = f.person(ward=world.ward_a, full_name=SECRET)
    a, b = world.ward_a, world.ward_b
    events = {
        "view": _event(
            "view", actor=world.leader, unit=a, object_type="cases.person", object_id=person.pk
        ),
        "contact": _event(
            "create",
            actor=world.volunteer,
            unit=a,
            object_type="cases.contact",
            object_id=77,
            changes={"person": person.pk, "kind": "home_visit"},
        ),
        "export_a": _event(
            "export",
            actor=world.leader,
            unit=a,
            object_type="outreach.loan_eligibility",
            changes={"format": "xlsx", "count": 12, "on": "2026-01-05"},
        ),
        "copy_a": _event(
            "export",
            actor=world.leader,
            unit=a,
            object_type="cases.person",
            object_id=person.pk,
            changes={"format": "pdf"},
        ),
        "login_volunteer": _event(
            "login", actor=world.volunteer, object_type="auth.user", object_id=world.volunteer.pk
        ),
        "denied_volunteer": _event(
            "denied",
            actor=world.volunteer,
            object_type="cases:person_detail",
            object_id=person.pk,
            changes={"status": 404, "method": "GET"},
        ),
        "export_b": _event(
            "export",
            actor=world.outsider,
            unit=b,
            object_type="reports.report",
            changes={"format": "csv", "period": "2025-H1"},
        ),
        "login_outsider": _event(
            "login", actor=world.outsider, object_type="auth.user", object_id=world.outsider.pk
        ),
        "view_b": _event(
            "view", actor=world.outsider, unit=b, object_type="cases.person", object_id=999
        ),
    }
    return person, events


def _shown(response) -> set[int]:
    return {row.event.pk for row in response.context["rows"]}


# The ward's trail ---------------------------------------------------------------------------


def test_leader_sees_their_wards_events_and_their_members_logins_not_ward_bs(
    world, personas, trail
):
    _person, e = trail
    page = personas["leader"].get(reverse(TRAIL))
    assert page.status_code == 200
    expected = {"view", "contact", "export_a", "copy_a", "login_volunteer", "denied_volunteer"}
    assert _shown(page) == {e[k].pk for k in expected}


def test_the_outsider_sees_only_ward_bs_trail(world, personas, trail):
    _person, e = trail
    page = personas["outsider"].get(reverse(TRAIL))
    assert _shown(page) == {e["export_b"].pk, e["login_outsider"].pk, e["view_b"].pk}
    assert SECRET not in page.content.decode()


def test_officer_reads_the_same_trail_as_the_leader(world, personas, trail):
    leader = _shown(personas["leader"].get(reverse(TRAIL)))
    assert _shown(personas["officer"].get(reverse(TRAIL))) == leader


@pytest.mark.parametrize("persona", ["volunteer", "supervisor", "admin"])
def test_who_reads_no_wards_trail_gets_404(world, personas, persona):
    assert personas[persona].get(reverse(TRAIL)).status_code == 404


def test_anonymous_is_sent_to_login(world, personas):
    for name in (TRAIL, EXPORTS):
        response = personas["anonymous"].get(reverse(name))
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_the_trail_includes_the_ward_merged_into_it(world, personas):
    old = _event("update", actor=world.leader, unit=world.ward_a_old, object_type="wards.team")
    assert old.pk in _shown(personas["leader"].get(reverse(TRAIL)))


def test_a_row_names_the_person_and_links_to_their_page_for_the_leader(world, personas, trail):
    person, e = trail
    page = personas["leader"].get(reverse(TRAIL))
    rows = {row.event.pk: row for row in page.context["rows"]}
    url = reverse("cases:person_detail", args=[person.pk])
    for key in ("view", "contact", "copy_a"):
        assert (rows[e[key].pk].link, rows[e[key].pk].link_text) == (url, SECRET)
    # a refusal names a route, not an object: no link, the route shown as written
    assert rows[e["denied_volunteer"].pk].link == ""
    assert rows[e["denied_volunteer"].pk].kind == "cases:person_detail"
    assert f'href="{url}"' in page.content.decode()


def test_no_link_to_an_object_that_is_gone_or_out_of_reach(world, personas):
    other = f.person(ward=world.ward_b, full_name="Trần Văn Phường Khác")
    gone = _event(
        "view", actor=world.leader, unit=world.ward_a, object_type="cases.person", object_id=987654
    )
    foreign = _event(
        "update",
        actor=world.leader,
        unit=world.ward_a,
        object_type="cases.milestone",
        changes={"person": other.pk},
    )
    page = personas["leader"].get(reverse(TRAIL))
    rows = {row.event.pk: row for row in page.context["rows"]}
    assert rows[gone.pk].link == rows[foreign.pk].link == ""
    assert "Trần Văn Phường Khác" not in page.content.decode()


def test_rows_say_what_in_vietnamese_and_unknown_types_as_written(world, personas, trail):
    _person, e = trail
    odd = _event("update", actor=world.leader, unit=world.ward_a, object_type="khac.la")
    page = personas["leader"].get(reverse(TRAIL))
    rows = {row.event.pk: row for row in page.context["rows"]}
    assert rows[e["view"].pk].kind == "Hồ sơ"
    assert rows[e["contact"].pk].kind == "Lượt tiếp cận"
    assert rows[e["export_a"].pk].kind == "Danh sách đủ điều kiện vay vốn"
    assert rows[odd.pk].kind == "khac.la"
    html = page.content.decode()
    for text in ("Xem", "Xuất dữ liệu", "Đăng nhập", "Trần Thị Lan", "XLSX", "12 dòng"):
        assert text in html


def test_the_trail_filters_by_action_dates_and_actor(world, personas, trail):
    _person, e = trail
    url = reverse(TRAIL)
    leader = personas["leader"]
    assert _shown(leader.get(url, {"action": "login"})) == {e["login_volunteer"].pk}
    member = world.volunteer_member.pk
    volunteer_events = {e["contact"].pk, e["login_volunteer"].pk, e["denied_volunteer"].pk}
    assert _shown(leader.get(url, {"actor": member})) == volunteer_events
    day = datetime.date(2025, 3, 4)
    dated = _event(
        "update",
        actor=world.leader,
        unit=world.ward_a,
        object_type="wards.team",
        created_at=_at(day, 23),
    )
    _event(
        "update",
        actor=world.leader,
        unit=world.ward_a,
        object_type="wards.team",
        created_at=_at(day + datetime.timedelta(days=1), 0),
    )
    assert _shown(leader.get(url, {"start": "2025-03-04", "end": "2025-03-04"})) == {dated.pk}
    assert _shown(leader.get(url, {"end": "2025-03-04"})) == {dated.pk}


def test_a_backwards_date_range_is_explained_and_filters_nothing(world, personas, trail):
    page = personas["leader"].get(reverse(TRAIL), {"start": "2025-03-05", "end": "2025-03-01"})
    assert page.status_code == 200
    assert "Ngày kết thúc không được trước ngày bắt đầu." in page.content.decode()
    assert len(page.context["rows"]) == 6


def test_an_actor_outside_the_ward_cannot_be_chosen(world, personas, trail):
    page = personas["leader"].get(reverse(TRAIL), {"actor": world.outsider_member.pk})
    assert "actor" in page.context["filters"].errors


def test_the_ward_picker_shows_each_of_a_users_wards_and_404_for_another(world, personas):
    f.post(user=world.officer, unit=world.ward_b, role=Post.Role.OFFICER)
    b_event = _event("update", actor=world.outsider, unit=world.ward_b, object_type="wards.team")
    client = login(world.officer)
    assert b_event.pk not in _shown(client.get(reverse(TRAIL)))
    page = client.get(reverse(TRAIL), {"xa": world.ward_b.code})
    assert b_event.pk in _shown(page)
    assert page.context["xa"] == f"xa={world.ward_b.code}"
    assert personas["leader"].get(reverse(TRAIL), {"xa": world.ward_b.code}).status_code == 404


def test_the_trail_is_paginated_newest_first(world, personas):
    start = timezone.now() - datetime.timedelta(days=1)
    for i in range(51):
        _event(
            "update",
            actor=world.leader,
            unit=world.ward_a,
            object_type="wards.team",
            created_at=start + datetime.timedelta(minutes=i),
        )
    first = personas["leader"].get(reverse(TRAIL))
    times = [row.event.created_at for row in first.context["rows"]]
    assert len(times) == 50 and times == sorted(times, reverse=True)
    second = personas["leader"].get(reverse(TRAIL), {"page": 2})
    assert len(second.context["rows"]) == 1
    assert second.context["rows"][0].event.created_at == start


# Exports and logins under a unit ------------------------------------------------------------


def test_supervisor_sees_exports_and_logins_of_their_district_only(world, personas, trail):
    _person, e = trail
    page = personas["supervisor"].get(reverse(EXPORTS))
    assert page.status_code == 200
    assert _shown(page) == {e["export_a"].pk, e["copy_a"].pk, e["login_volunteer"].pk}


def test_supervisor_never_sees_a_persons_name_id_or_link(world, personas, trail):
    person, _e = trail
    html = personas["supervisor"].get(reverse(EXPORTS)).content.decode()
    assert SECRET not in html
    assert reverse("cases:person_detail", args=[person.pk]) not in html
    assert "/ho-so/" not in html
    for row in personas["supervisor"].get(reverse(EXPORTS)).context["rows"]:
        assert row.link == "" and row.link_text == ""


def test_supervisor_rows_say_who_where_and_what_was_exported(world, personas, trail):
    _person, e = trail
    page = personas["supervisor"].get(reverse(EXPORTS))
    rows = {row.event.pk: row for row in page.context["rows"]}
    assert rows[e["login_volunteer"].pk].event.actor_unit == "Phường A"
    export = rows[e["export_a"].pk]
    assert (export.kind, export.fmt, export.count) == ("Danh sách đủ điều kiện vay vốn", "XLSX", 12)
    html = page.content.decode()
    for text in ("Lê Văn Hùng", "Trần Thị Lan", "Phường A", "XLSX", "PDF", "Hồ sơ"):
        assert text in html


def test_supervisor_sees_account_refusals_but_not_page_refusals(world, personas):
    account = _event(
        "denied", actor=world.volunteer, object_type="auth.user", object_id=world.volunteer.pk
    )
    page = _event("denied", actor=world.volunteer, object_type="cases:person_detail", object_id=5)
    view = _event(
        "view", actor=world.leader, unit=world.ward_a, object_type="cases.person", object_id=5
    )
    shown = _shown(personas["supervisor"].get(reverse(EXPORTS)))
    assert account.pk in shown
    assert page.pk not in shown and view.pk not in shown


def test_a_login_is_placed_by_the_actors_post_and_left_out_once_they_leave(world, personas):
    officer_login = _event("login", actor=world.officer, object_type="auth.user")
    own_login = _event("logout", actor=world.supervisor, object_type="auth.user")
    assert {officer_login.pk, own_login.pk} <= _shown(personas["supervisor"].get(reverse(EXPORTS)))
    Post.objects.filter(user=world.officer).update(
        ended_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert officer_login.pk not in _shown(login(world.supervisor).get(reverse(EXPORTS)))


def test_supervisor_filters_by_action_and_dates_and_reads_a_summary(world, personas, trail):
    _person, e = trail
    url = reverse(EXPORTS)
    client = personas["supervisor"]
    assert _shown(client.get(url, {"action": "login"})) == {e["login_volunteer"].pk}
    old = _event(
        "login",
        actor=world.leader,
        object_type="auth.user",
        created_at=_at(datetime.date(2024, 5, 2)),
    )
    _event(
        "login_failed",
        actor=world.leader,
        object_type="auth.user",
        created_at=_at(datetime.date(2024, 5, 3)),
    )
    page = client.get(url, {"start": "2024-05-01", "end": "2024-05-02"})
    assert _shown(page) == {old.pk}
    assert page.context["summary"] == {"exports": 0, "logins": 1, "failed": 0, "dated": True}
    everything = client.get(url, {"action": "export"}).context["summary"]
    assert everything == {"exports": 2, "logins": 2, "failed": 1, "dated": False}
    assert "2 lượt xuất dữ liệu" in client.get(url).content.decode()


@pytest.mark.parametrize("persona", ["volunteer", "leader", "officer", "outsider"])
def test_ward_roles_get_404_on_the_supervisors_page(world, personas, persona):
    assert personas[persona].get(reverse(EXPORTS)).status_code == 404


def test_admin_sees_every_export_and_login_including_unknown_accounts(world, personas, trail):
    _person, e = trail
    failed = _event("login_failed", object_type="auth.user")
    shown = _shown(personas["admin"].get(reverse(EXPORTS)))
    assert {e["export_a"].pk, e["export_b"].pk, e["login_outsider"].pk, failed.pk} <= shown
    assert e["view"].pk not in shown and e["denied_volunteer"].pk not in shown


# Both pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "name"), [("leader", TRAIL), ("supervisor", EXPORTS)])
def test_pages_are_not_stored_and_refuse_post(world, personas, persona, name):
    response = personas[persona].get(reverse(name))
    assert "no-store" in response["Cache-Control"]
    assert personas[persona].post(reverse(name)).status_code == 405


def test_the_menu_offers_the_trail_to_who_may_read_it(world, personas):
    trail = f'href="{reverse("wards:audit_trail")}"'
    exports = f'href="{reverse(EXPORTS)}"'
    assert trail in personas["leader"].get(reverse("home")).content.decode()
    html = personas["supervisor"].get(reverse("home")).content.decode()
    assert exports in html and trail not in html
    html = personas["volunteer"].get(reverse("home")).content.decode()
    assert trail not in html and exports not in html


def _queries(client, url) -> int:
    client.get(url)  # the session's first request stamps it; count a steady one
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _mixed_events(world, person, n: int) -> None:
    """`n` rounds of a person view, a contact, an export and a login in ward A."""
    for _i in range(n):
        _event(
            "view",
            actor=world.leader,
            unit=world.ward_a,
            object_type="cases.person",
            object_id=person.pk,
        )
        _event(
            "create",
            actor=world.volunteer,
            unit=world.ward_a,
            object_type="cases.contact",
            changes={"person": person.pk},
        )
        _event(
            "export",
            actor=world.leader,
            unit=world.ward_a,
            object_type="reports.report",
            changes={"format": "pdf", "period": "2025"},
        )
        _event("login", actor=world.volunteer, object_type="auth.user")


def test_the_trail_takes_the_same_queries_for_1_and_50_rows(world, personas):
    person = f.person(ward=world.ward_a)
    _event(
        "view",
        actor=world.leader,
        unit=world.ward_a,
        object_type="cases.person",
        object_id=person.pk,
    )
    one = _queries(personas["leader"], reverse(TRAIL))
    _mixed_events(world, person, 12)
    _event("create", actor=world.volunteer, unit=world.ward_a, object_type="cases.contact")
    assert AuditEvent.objects.count() == 50
    assert _queries(personas["leader"], reverse(TRAIL)) == one
    assert one <= 16


def test_the_supervisors_page_takes_the_same_queries_for_1_and_50_rows(world, personas):
    person = f.person(ward=world.ward_a)
    _event("login", actor=world.volunteer, object_type="auth.user")
    one = _queries(personas["supervisor"], reverse(EXPORTS))
    _mixed_events(world, person, 24)
    _event("logout", actor=world.volunteer, object_type="auth.user")
    assert AuditEvent.objects.exports_and_logins().count() == 50
    assert _queries(personas["supervisor"], reverse(EXPORTS)) == one
    assert one <= 16


def test_a_real_login_shows_in_the_leaders_trail_and_the_supervisors_page(world, personas):
    response = Client().post(
        reverse("login"), {"username": "tnv_a", "password": f.PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="login", actor=world.volunteer)
    assert event.pk in _shown(personas["leader"].get(reverse(TRAIL)))
    assert event.pk in _shown(personas["supervisor"].get(reverse(EXPORTS)))
    assert event.pk not in _shown(personas["outsider"].get(reverse(TRAIL)))


def test_account_events_say_what_happened(world, personas):
    _event("logout", actor=world.volunteer, object_type="auth.user", changes={"expired": "idle"})
    _event("login", actor=world.officer, object_type="auth.user", changes={"second_factor": True})
    html = personas["supervisor"].get(reverse(EXPORTS)).content.decode()
    assert "phiên làm việc hết hạn" in html
    assert "qua xác thực 2 lớp" in html


# Audit rows keep the names of changed personal data, never the values -----------------------

MARK = "Bí Mật Không Ghi"


def _written() -> str:
    """Everything the audit trail holds, as one string."""
    rows = AuditEvent.objects.values_list("object_type", "object_id", "changes")
    return json.dumps(list(rows), ensure_ascii=False)


def test_diff_keeps_values_only_of_the_fields_named_safe(world):
    partner = f.partner(unit=world.ward_a, name="Ngân hàng A", phone="0911111111")
    changed = diff(
        partner,
        {"name": "Ngân hàng B", "phone": "0922222222", "kind": "health", "active": True},
        keep={"kind", "active"},
    )
    assert changed == {"name": "changed", "phone": "changed", "kind": ["bank", "health"]}
    assert diff(partner, {"name": "Ngân hàng B"}) == {"name": "changed"}


def test_audit_writes_no_free_text_value_of_the_object_whoever_built_the_changes(world):
    person = f.person(ward=world.ward_a, full_name=MARK)
    event = audit(
        actor=world.leader,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        changes={"full_name": [MARK, "Tên Mới"], "history_notes": MARK, "group": "drug_use"},
    )
    assert event.changes == {
        "full_name": "changed",
        "history_notes": "changed",
        "group": "drug_use",
    }
    deleted = audit(
        actor=world.leader,
        action=AuditEvent.Action.DELETE,
        object_type="outreach.activity",
        object_id=1,
        changes={"title": MARK, "note": MARK, "sessions": 2},
    )
    assert deleted.changes == {"title": "changed", "note": "changed", "sessions": 2}


def test_editing_a_partner_keeps_which_fields_changed_not_the_names_phones_or_notes(world):
    partner = f.partner(
        unit=world.ward_a,
        name="Trạm y tế Phường A",
        phone="0911111111",
        contact_person="Bác sĩ Cũ",
        note="Ghi chú cũ",
    )
    partner_update(
        actor=world.leader,
        partner=partner,
        name=f"Trạm {MARK}",
        phone="0987654321",
        address=f"Số 1 {MARK}",
        contact_person=f"Bác sĩ {MARK}",
        note=f"Ghi chú {MARK}",
        kind=Partner.Kind.HEALTH,
        active=False,
    )
    event = AuditEvent.objects.get(action="update", object_type="outreach.partner")
    assert event.changes == {
        "name": "changed",
        "phone": "changed",
        "address": "changed",
        "contact_person": "changed",
        "note": "changed",
        "kind": ["bank", "health"],
        "active": [True, False],
    }
    for secret in [MARK, "0987654321", "0911111111", "Bác sĩ Cũ", "Ghi chú cũ", "Trạm y tế"]:
        assert secret not in _written()


def test_no_update_service_writes_a_name_phone_address_id_number_or_note_into_the_trail(world):
    """Every update service that takes free text, fed the same secret in each text field."""
    person = f.person(ward=world.ward_a)
    enrollment = f.enrollment(person=person, decision_no="01/QĐ")
    member = f.member(team=world.team_a, phone="0911111111")
    activity = activity_record(
        actor=world.leader,
        unit=world.ward_a,
        occurred_on=TODAY,
        kind=Activity.Kind.CLUB_SESSION,
        sessions=1,
        persons=[person],
    )

    person_update(
        actor=world.leader,
        person=person,
        full_name=f"Nguyễn {MARK}",
        alias=MARK,
        id_number="001099888777",
        phone="0987654321",
        address=MARK,
        family_contact=MARK,
        substances=MARK,
        history_notes=MARK,
        birth_date=datetime.date(1990, 2, 3),
    )
    enrollment_update(actor=world.leader, enrollment=enrollment, decision_no=f"99/{MARK}")
    member_update(actor=world.leader, member=member, full_name=MARK, phone="0987654321")
    team_update(actor=world.leader, team=world.team_a, decision_no=MARK)
    activity_update(
        actor=world.leader, activity=activity, title=MARK, place=MARK, audience=MARK, note=MARK
    )

    written = _written()
    for secret in [MARK, "0987654321", "0911111111", "001099888777", "1990-02-03"]:
        assert secret not in written
    updates = AuditEvent.objects.filter(action="update")
    assert {e.object_type for e in updates} >= {
        "cases.person",
        "cases.enrollment",
        "wards.member",
        "wards.team",
        "outreach.activity",
    }
    person_event = updates.get(object_type="cases.person")
    assert person_event.changes["id_number"] == "changed"
    assert person_event.changes["birth_date"] == "changed"
