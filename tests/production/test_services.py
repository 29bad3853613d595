"""The production tier (issue 19): every write service called once outside any transaction, on
PostgreSQL, as a view or a command calls it, and the row it wrote read back.

The tests' usual transaction hid `person_update` running without its own (its
`select_for_update()` raised TransactionManagementError on PostgreSQL only). Here the database
is transactional (`transactional_db`): `connection.in_atomic_block` is False before each call,
so a service must open its transaction itself (`wards.atomic.service`).

`test_every_write_service_has_a_production_case` fails when a public function of a `services`
module (marked by `wards.atomic.service`) has no case here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Assessment, Assignment, Club, Contact, Enrollment, Milestone, Person
from outreach.models import Activity, Partner, Referral
from reports import checks
from reports.models import Review, Submission
from reports.periods import parse
from tests import factories as f
from tests.test_services_atomic import public_functions, services_modules
from wards.models import AuditEvent, Member, Post, Team, TemporaryPassword

DAY = datetime.date(2025, 9, 15)
ONE = datetime.timedelta(days=1)


def write_services() -> dict[str, Callable]:
    """name → function, for every public function of every services module: each is a write
    service (tests/test_services_atomic.py), and is called here as its callers call it, so one
    that lost its transaction fails here on PostgreSQL."""
    return {name: func for module in services_modules() for name, func in public_functions(module)}


@dataclass(frozen=True)
class Call:
    """One service call with valid arguments, and the check of what it wrote."""

    service: str
    call: Callable[[Callable, SimpleNamespace], object]
    check: Callable[[SimpleNamespace, object], None]


def _one(qs):
    rows = list(qs)
    assert len(rows) == 1, f"expected one row, found {len(rows)}: {rows}"
    return rows[0]


def _ids(rows) -> set[int]:
    return {row.pk for row in rows}


def _check_registered(o, person):
    row = _one(Person.objects.filter(full_name="Đặng Văn Mới"))
    assert (row.pk, row.ward, row.birth_year) == (person.pk, o.w.ward_a, 1988)


def _check_looked_elsewhere(o, found):
    assert found.elsewhere
    _one(AuditEvent.objects.filter(actor=o.w.leader, object_type="cases.duplicate_check"))


def _check_enrolled(o, enrollment):
    assert _one(Enrollment.objects.filter(person=o.person, started_on=DAY)).pk == enrollment.pk


def second(o) -> Member:
    return Member.objects.get(team=o.w.team_a, full_name="Phạm Văn Thành Viên 1")


def _filed(o, spec: str) -> Submission:
    """Ward A's report for `spec`, as stored (its figures are not what the call checks)."""
    return f.submission(unit=o.w.ward_a, period=parse(spec), by=o.w.leader)


# logins (wards.services): a member given a login, the officer post a supervisor creates


def _newcomer(o) -> Member:
    return Member.objects.select_related("user").get(
        team=o.w.team_a, full_name="Phạm Văn Thành Viên 2"
    )


def _new_post(o) -> Post:
    return Post.objects.select_related("user").get(user__username="canbo.moi")


def _check_login_given(o, result):
    member, password = result
    user = _newcomer(o).user
    assert user.username == "vien.pvt" and user.check_password(password)
    _one(TemporaryPassword.objects.filter(user=user))


def _check_reset(user, password):
    assert get_user_model().objects.get(pk=user.pk).check_password(password)
    _one(TemporaryPassword.objects.filter(user=user))


def _former_with_login(o) -> Member:
    return f.former_member(
        team=o.w.team_a,
        full_name="Cao Thị Quay Lại",
        username="quaylai.ct",
        joined_on=datetime.date(2020, 1, 1),
    )


def _new_programme():
    return f.programme("production_tier_6", default_months=6)


CALLS = [
    # cases
    Call(
        "person_register",
        lambda s, o: s(
            actor=o.w.leader,
            ward=o.w.ward_a,
            full_name="Đặng Văn Mới",
            sex=Person.Sex.MALE,
            birth_year=1988,
            group=Person.Group.ADDICTED,
            registered_on=DAY,
            consent_on=DAY,
        ),
        _check_registered,
    ),
    Call(
        "person_check",
        lambda s, o: s(
            actor=o.w.leader,
            ward=o.w.ward_a,
            full_name=o.person_b.full_name,
            sex=Person.Sex.FEMALE,
            birth_year=o.person_b.birth_year,
            group=Person.Group.ADDICTED,
            registered_on=DAY,
            consent_on=DAY,
        ),
        _check_looked_elsewhere,
    ),
    Call(
        "person_update",
        lambda s, o: s(
            actor=o.w.leader,
            person=o.person,
            expected_version=Person.objects.get(pk=o.person.pk).version,
            phone="0987654321",
        ),
        lambda o, r: Person.objects.get(pk=o.person.pk, phone="0987654321"),
    ),
    Call(
        "person_close",
        lambda s, o: s(
            actor=o.w.leader, person=o.person, closed_on=DAY, reason=Person.ClosedReason.MOVED_AWAY
        ),
        lambda o, r: Person.objects.get(pk=o.person.pk, status=Person.Status.CLOSED, closed_on=DAY),
    ),
    Call(
        "person_reopen",
        lambda s, o: s(actor=o.w.leader, person=o.closed),
        lambda o, r: Person.objects.get(pk=o.closed.pk, status=Person.Status.ACTIVE),
    ),
    Call(
        "enrollment_start",
        lambda s, o: s(
            actor=o.w.officer, person=o.person, programme=_new_programme(), started_on=DAY
        ),
        _check_enrolled,
    ),
    Call(
        "enrollment_update",
        lambda s, o: s(actor=o.w.officer, enrollment=o.enrollment, decision_no="9/QĐ-UBND"),
        lambda o, r: Enrollment.objects.get(pk=o.enrollment.pk, decision_no="9/QĐ-UBND"),
    ),
    Call(
        "enrollment_end",
        lambda s, o: s(
            actor=o.w.leader,
            enrollment=o.enrollment,
            ended_on=DAY,
            reason=Enrollment.EndReason.COMPLETED,
        ),
        lambda o, r: Enrollment.objects.get(pk=o.enrollment.pk, ended_on=DAY),
    ),
    Call(
        "assignment_assign",
        lambda s, o: s(actor=o.w.leader, person=o.other, member=o.plain_member, started_on=DAY),
        lambda o, r: _one(Assignment.objects.open().filter(person=o.other, member=o.plain_member)),
    ),
    Call(
        "assignment_reassign_many",
        lambda s, o: s(
            actor=o.w.leader, persons=[o.person, o.other], member=second(o), started_on=DAY + ONE
        ),
        lambda o, r: (
            _ids(r)
            == _ids(Assignment.objects.open().filter(member=second(o), started_on=DAY + ONE))
            == _ids(Assignment.objects.open().filter(person__in=[o.person, o.other]))
            or pytest.fail(f"reassigned: {r}")
        ),
    ),
    Call(
        "assignment_handover",
        lambda s, o: s(
            actor=o.w.officer,
            from_member=second(o),
            to_member=o.plain_member,
            started_on=DAY + 2 * ONE,
        ),
        lambda o, r: (
            _ids(r)
            == _ids(
                Assignment.objects.open().filter(member=o.plain_member, started_on=DAY + 2 * ONE)
            )
            == _ids(Assignment.objects.open().filter(person__in=[o.person, o.other]))
            or pytest.fail(f"handed over: {r}")
        ),
    ),
    Call(
        "assignment_end",
        lambda s, o: s(
            actor=o.w.leader, assignment=o.person.assignments.open().get(), ended_on=DAY + 3 * ONE
        ),
        lambda o, r: _one(Assignment.objects.filter(person=o.person, ended_on=DAY + 3 * ONE)),
    ),
    Call(
        "contact_record",
        lambda s, o: s(
            actor=o.w.volunteer,
            person=o.person,
            member=o.w.volunteer_member,
            occurred_on=DAY,
            kind="home_visit",
            summary="Thăm nhà.",
            milestone_kind="job",
        ),
        lambda o, r: (
            _one(Contact.objects.filter(person=o.person, occurred_on=DAY, summary="Thăm nhà.")),
            _one(Milestone.objects.filter(person=o.person, kind="job")),
        ),
    ),
    Call(
        "milestone_record",
        lambda s, o: s(actor=o.w.leader, person=o.person, occurred_on=DAY, kind="training_done"),
        lambda o, r: _one(Milestone.objects.filter(person=o.person, kind="training_done")),
    ),
    Call(
        "assessment_record",
        lambda s, o: s(actor=o.w.volunteer, person=o.person, assessed_on=DAY, result="progressing"),
        lambda o, r: _one(Assessment.objects.filter(person=o.person, assessed_on=DAY)),
    ),
    Call(
        "club_create",
        lambda s, o: s(
            actor=o.w.leader,
            ward=o.w.ward_a,
            programme=f.club_programme(),
            name="CLB Bạn giúp bạn",
            founded_on=DAY,
        ),
        lambda o, r: _one(Club.objects.filter(ward=o.w.ward_a, name="CLB Bạn giúp bạn")),
    ),
    Call(
        "club_update",
        lambda s, o: s(
            actor=o.w.officer,
            club=Club.objects.get(name="CLB Bạn giúp bạn"),
            name="CLB Bạn giúp bạn 2",
        ),
        lambda o, r: _one(Club.objects.filter(ward=o.w.ward_a, name="CLB Bạn giúp bạn 2")),
    ),
    Call(
        "club_close",
        lambda s, o: s(
            actor=o.w.leader, club=Club.objects.get(name="CLB Bạn giúp bạn 2"), closed_on=DAY + ONE
        ),
        lambda o, r: _one(Club.objects.filter(name="CLB Bạn giúp bạn 2", closed_on=DAY + ONE)),
    ),
    # wards
    Call(
        "member_add",
        lambda s, o: s(
            actor=o.w.officer,
            team=o.w.team_a,
            full_name="Hà Thị Thu",
            sex=Member.Sex.FEMALE,
            birth_year=1985,
            role=Member.Role.MEMBER,
            joined_on=DAY,
        ),
        lambda o, r: _one(Member.objects.filter(team=o.w.team_a, full_name="Hà Thị Thu")),
    ),
    Call(
        "member_update",
        lambda s, o: s(actor=o.w.leader, member=o.plain_member, phone="0911222333"),
        lambda o, r: Member.objects.get(pk=o.plain_member.pk, phone="0911222333"),
    ),
    Call(
        "member_leave",
        lambda s, o: s(actor=o.w.leader, member=second(o), left_on=DAY),
        lambda o, r: Member.objects.get(pk=second(o).pk, left_on=DAY),
    ),
    Call(
        "team_update",
        lambda s, o: s(actor=o.w.officer, team=o.w.team_a, decision_no="45/QĐ-UBND"),
        lambda o, r: Team.objects.get(pk=o.w.team_a.pk, decision_no="45/QĐ-UBND"),
    ),
    Call(
        "team_dissolve",
        lambda s, o: s(actor=o.w.officer, team=o.w.team_a, dissolved_on=DAY),
        lambda o, r: (
            Team.objects.get(pk=o.w.team_a.pk, dissolved_on=DAY),
            not Member.objects.filter(team=o.w.team_a, left_on__isnull=True).exists()
            or pytest.fail("a member of the dissolved team is still active"),
        ),
    ),
    # outreach
    Call(
        "activity_record",
        lambda s, o: s(
            actor=o.w.volunteer,
            unit=o.w.ward_a,
            occurred_on=DAY,
            kind="patrol",
            sessions=1,
            place="Nhà văn hóa tổ 3",
            members=[o.w.volunteer_member],
        ),
        lambda o, r: _one(
            Activity.objects.filter(place="Nhà văn hóa tổ 3", members=r.members.get())
        ),
    ),
    Call(
        "activity_record_many",
        lambda s, o: s(
            actor=o.w.leader,
            unit=o.w.ward_a,
            rows=[
                {"occurred_on": DAY, "kind": "patrol", "sessions": 1, "place": "Sổ tay dòng 1"},
                {"occurred_on": DAY, "kind": "patrol", "sessions": 1, "place": "Sổ tay dòng 2"},
            ],
        ),
        lambda o, r: (
            Activity.objects.filter(place__startswith="Sổ tay dòng").count() == 2
            or pytest.fail("the notebook's lines were not saved")
        ),
    ),
    Call(
        "activity_update",
        lambda s, o: s(actor=o.w.leader, activity=o.activity, place="Chợ phường"),
        lambda o, r: Activity.objects.get(pk=o.activity.pk, place="Chợ phường"),
    ),
    Call(
        "activity_delete",
        lambda s, o: s(actor=o.w.leader, activity=o.activity),
        lambda o, r: (
            not Activity.objects.filter(pk=o.activity.pk).exists()
            or pytest.fail("the activity is still there")
        ),
    ),
    Call(
        "partner_create",
        lambda s, o: s(
            actor=o.w.officer, unit=o.w.ward_a, name="Trung tâm Dạy nghề", kind="training"
        ),
        lambda o, r: _one(Partner.objects.filter(unit=o.w.ward_a, name="Trung tâm Dạy nghề")),
    ),
    Call(
        "partner_update",
        lambda s, o: s(actor=o.w.leader, partner=o.partner, phone="02438123456"),
        lambda o, r: Partner.objects.get(pk=o.partner.pk, phone="02438123456"),
    ),
    Call(
        "referral_create",
        lambda s, o: s(
            actor=o.w.volunteer,
            person=o.person,
            kind=Referral.Kind.JOB,
            referred_on=DAY,
            partner=o.partner,
        ),
        lambda o, r: _one(
            Referral.objects.filter(person=o.person, kind=Referral.Kind.JOB)
        ).changes.get(),
    ),
    Call(
        "referral_advance",
        lambda s, o: s(
            actor=o.w.volunteer,
            referral=o.referral,
            status=o.referral.next_statuses[0].value,
            changed_on=DAY,
        ),
        lambda o, r: Referral.objects.get(pk=o.referral.pk, status_on=DAY).changes.get(
            changed_on=DAY
        ),
    ),
    # reports
    Call(
        "submission_submit",
        lambda s, o: s(
            actor=o.w.leader,
            unit=o.w.ward_a,
            period=o.period,
            narrative="Báo cáo.",
            explanations={c.code: "Đã xem." for c in checks.run(o.w.ward_a, o.period)},
        ),
        lambda o, r: _one(Submission.objects.filter(unit=o.w.ward_a, narrative="Báo cáo.")),
    ),
    Call(
        "submission_return",
        lambda s, o: s(
            actor=o.w.supervisor,
            submission=Submission.objects.get(unit=o.w.ward_a, period_spec=o.period.spec),
            reason="Thiếu lời văn.",
        ),
        lambda o, r: _one(Review.objects.filter(decision="returned", reason="Thiếu lời văn.")),
    ),
    Call(
        "submission_approve",
        lambda s, o: s(actor=o.w.supervisor, submission=_filed(o, "2024-Q1")),
        lambda o, r: _one(
            Review.objects.filter(decision="approved", submission__period_spec="2024-Q1")
        ),
    ),
]


CALLS += [
    Call(
        "login_create",
        lambda s, o: s(actor=o.w.leader, member=_newcomer(o), username="vien.pvt"),
        _check_login_given,
    ),
    Call(
        "login_reset",
        lambda s, o: s(actor=o.w.officer, member=_newcomer(o)),
        lambda o, password: _check_reset(_newcomer(o).user, password),
    ),
    Call(
        "own_password_set",
        lambda s, o: s(user=_newcomer(o).user, password="Mật-khẩu-riêng-2026"),
        lambda o, r: (
            (
                _newcomer(o).user.check_password("Mật-khẩu-riêng-2026")
                and not TemporaryPassword.objects.filter(user=_newcomer(o).user).exists()
            )
            or pytest.fail("the own password was not set or the temporary one is still there")
        ),
    ),
    Call(
        "member_rejoin",
        lambda s, o: s(actor=o.w.leader, member=_former_with_login(o), joined_on=DAY),
        lambda o, r: _one(
            Member.objects.filter(user__username="quaylai.ct", left_on__isnull=True, joined_on=DAY)
        ),
    ),
    Call(
        "post_create",
        lambda s, o: s(
            actor=o.w.supervisor,
            unit=o.w.ward_a,
            role=Post.Role.OFFICER,
            full_name="Hoàng Văn Cán Bộ",
            username="canbo.moi",
        ),
        lambda o, r: _check_reset(_new_post(o).user, r[1]),
    ),
    Call(
        "post_reset",
        lambda s, o: s(actor=o.w.supervisor, post=_new_post(o)),
        lambda o, password: _check_reset(_new_post(o).user, password),
    ),
    Call(
        "second_factor_reset",
        lambda s, o: (
            TOTPDevice.objects.create(user=_new_post(o).user, name="Điện thoại", confirmed=True),
            s(actor=o.w.supervisor, post=_new_post(o)),
        )[1],
        lambda o, removed: (
            (removed == 1 and not TOTPDevice.objects.filter(user=_new_post(o).user).exists())
            or pytest.fail("the authenticator was not removed")
        ),
    ),
    Call(
        "post_end",
        lambda s, o: s(actor=o.w.supervisor, post=_new_post(o), ended_on=timezone.localdate()),
        lambda o, r: _one(
            Post.objects.filter(user__username="canbo.moi", ended_on=timezone.localdate())
        ),
    ),
]


# The calls run in groups, one test each, in an order where each call finds what it needs
# (the person's file closed last, the team dissolved last): a test's tables are flushed
# afterwards, which costs more on PostgreSQL than the calls. Every call of a group runs even
# when one fails, and the test lists every failure.
GROUPS = {
    "person": [
        "person_register",
        "person_check",
        "person_update",
        "enrollment_update",
        "enrollment_start",
        "contact_record",
        "milestone_record",
        "assessment_record",
        "referral_create",
        "referral_advance",
        "enrollment_end",
        "person_reopen",
        "person_close",
    ],
    "assignments": [
        "assignment_assign",
        "assignment_reassign_many",
        "assignment_handover",
        "assignment_end",
    ],
    "clubs": ["club_create", "club_update", "club_close"],
    "logins": [
        "login_create",
        "login_reset",
        "own_password_set",
        "member_rejoin",
        "post_create",
        "post_reset",
        "second_factor_reset",
        "post_end",
    ],
    "team": ["member_add", "member_update", "team_update", "member_leave", "team_dissolve"],
    "outreach": [
        "activity_record",
        "activity_record_many",
        "activity_update",
        "activity_delete",
        "partner_create",
        "partner_update",
        "submission_submit",
        "submission_return",
        "submission_approve",
    ],
}
BY_NAME = {case.service: case for case in CALLS}


def call_once(case: Call, o) -> None:
    service = write_services().get(case.service)
    assert service is not None, f"{case.service} is no longer a public service"
    assert not connection.in_atomic_block
    result = case.call(service, o)
    assert not connection.in_atomic_block
    case.check(o, result)


@pytest.mark.postgres
@pytest.mark.parametrize("group", GROUPS)
def test_services_write_outside_any_transaction(transactional_db, objs, group):
    failures = []
    for name in GROUPS[group]:
        try:
            call_once(BY_NAME[name], objs)
        except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 - list them all
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert not failures, "\n\n".join(failures)


def test_every_case_runs_in_one_group():
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(BY_NAME), "put each case in exactly one group"


def test_every_write_service_has_a_production_case():
    services = write_services()
    cased = [case.service for case in CALLS]
    assert len(cased) == len(set(cased)), "one case per service"
    assert set(services) - set(cased) == set(), "call the new service outside a transaction here"
    assert set(cased) - set(services) == set(), "remove the case of a service that is gone"


def test_the_services_are_found():
    names = {module.__name__ for module in services_modules()}
    assert {"wards.services", "outreach.services", "reports.services"} <= names
    assert any(name.startswith("cases.services") for name in names)
    assert len(write_services()) >= 25
