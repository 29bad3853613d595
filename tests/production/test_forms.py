"""The production tier (issue 19): every form that writes, submitted once with valid data over
real HTTP, as the persona who uses it, on PostgreSQL, outside any test transaction.

Each case opens the page the form is on in a browser that logged in through the login page
(tests/production/browser.py), fills in what a user fills in, leaves every hidden field as the
page wrote it (the CSRF token, the one-time token, the version), posts it, follows the
redirect and then reads the row from the database: there, with the values typed, exactly once.
A create form is also posted twice from the same page (a double tap, a reload): one row. An
edit form is also opened in a second tab before the first saves, and that older copy is then
refused (the version check): the first tab's values stand.

`test_every_writing_form_has_a_production_case` fails when a form that writes (a POST case of
tests/security/test_fuzz_forms.py, or a URL nobody has decided about) has no case here.

Run: `DATABASE_URL=postgres://… .venv/bin/python -m pytest -q tests/production`; skipped on
SQLite, where row locks and `select_for_update()` outside a transaction cannot be seen.
"""

from __future__ import annotations

import datetime
import re
from base64 import b32decode
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Assessment, Assignment, Club, Contact, Enrollment, Person
from imports.models import ImportBatch
from outreach.models import Activity, Partner, Referral, ReferralStatusChange
from reports import checks
from reports.models import Review, Submission
from tests import factories as f
from tests.production.browser import Browser, Response, Upload
from tests.production.conftest import Site
from tests.security.test_fuzz_forms import CASES as FUZZ_CASES
from tests.security.test_fuzz_forms import NO_FORM, _to_review, good_xlsx
from tests.test_pages import _named_urls
from wards import services
from wards.models import AuditEvent, Member, Post, Team, TemporaryPassword

NEW_PASSWORD = "Mật-khẩu-mới-2026!"
DAY = datetime.date(2025, 9, 15)  # a day inside every record's span, after the ward's merger


def d(day: datetime.date) -> str:
    return day.isoformat()


@dataclass(frozen=True)
class FormCase:
    """One writing form: where it is, who uses it, what a user types, and what it writes."""

    name: str  # the URL name the form posts to
    persona: str
    values: Callable[[SimpleNamespace], dict]
    check: Callable[[SimpleNamespace, Response], None]  # the row(s), read from the database
    args: Callable[[SimpleNamespace], list] = lambda o: []
    page: Callable[[SimpleNamespace], str] | None = None  # where the form is, if elsewhere
    # the rows a success adds (one); a second post of the same page must add none
    creates: Callable[[SimpleNamespace], QuerySet] | None = None
    files: Callable[[SimpleNamespace], dict] | None = None
    # how a success answers: a redirect (302) or, for a download, 200
    status: int = 302
    prepare: Callable[[SimpleNamespace], object] | None = None  # before the page is opened
    # an edit form: what a second tab, opened before the first saved, then sends; it must be
    # refused (the version check) and leave the first tab's values
    rival: Callable[[SimpleNamespace], dict] | None = None
    id: str = ""

    def __str__(self) -> str:
        return self.id or self.name


# The checks -----------------------------------------------------------------------------


def _one(qs: QuerySet):
    rows = list(qs)
    assert len(rows) == 1, f"expected one row, found {len(rows)}: {rows}"
    return rows[0]


def check_person_added(o, r):
    person = _one(Person.objects.filter(full_name="Đặng Văn Mới"))
    assert (person.ward, person.birth_year, person.phone) == (o.w.ward_a, 1988, "0912345678")
    assert person.consent_on == DAY and person.created_by == o.w.leader


def check_person_edited(o, r):
    person = Person.objects.get(pk=o.person.pk)
    assert (person.phone, person.address) == ("0987654321", "Số 5, ngõ 12")
    assert person.version == o.person.version + 1


def check_person_closed(o, r):
    person = Person.objects.get(pk=o.person.pk)
    assert (person.status, person.closed_on, person.closed_reason) == (
        Person.Status.CLOSED,
        DAY,
        Person.ClosedReason.MOVED_AWAY,
    )


def check_person_reopened(o, r):
    assert Person.objects.get(pk=o.closed.pk).status == Person.Status.ACTIVE


def check_enrollment_added(o, r):
    enrollment = _one(Enrollment.objects.filter(person=o.person, started_on=DAY))
    assert enrollment.decision_no == "123/QĐ-UBND"


def check_club_added(o, r):
    club = _one(Club.objects.filter(name="CLB can thiệp sớm tổ 3"))
    assert (club.ward, club.programme.code, club.founded_on) == (o.w.ward_a, "club_early", DAY)
    assert club.created_by == o.w.leader


def check_club_edited(o, r):
    club = Club.objects.get(pk=o.club_a.pk)
    assert (club.name, club.version) == ("CLB B93 tổ 5 (mới)", o.club_a.version + 1)


def check_club_closed(o, r):
    assert Club.objects.get(pk=o.club_a.pk).closed_on == DAY


def check_enrollment_ended(o, r):
    enrollment = Enrollment.objects.get(pk=o.enrollment.pk)
    assert (enrollment.ended_on, enrollment.end_reason) == (DAY, Enrollment.EndReason.COMPLETED)


def check_reassigned(o, r):
    assignment = _one(Assignment.objects.open().filter(person=o.other))
    assert (assignment.member, assignment.started_on) == (o.plain_member, DAY)


def check_handed_over(o, r):
    assignment = _one(Assignment.objects.open().filter(person=o.person))
    assert (assignment.member, assignment.started_on) == (o.plain_member, DAY)
    assert Assignment.objects.filter(person=o.person, member=o.w.volunteer_member).get().ended_on


def check_contact_added(o, r):
    contact = _one(Contact.objects.filter(person=o.person))
    assert (contact.occurred_on, contact.summary) == (DAY, "Thăm nhà, gia đình hợp tác.")
    assert contact.member == o.w.volunteer_member


def check_assessment_added(o, r):
    assessment = _one(Assessment.objects.filter(person=o.person))
    assert (assessment.assessed_on, assessment.note) == (DAY, "Tiến bộ rõ.")


def check_subject_copy(o, r):
    assert "attachment" in r.headers.get("content-disposition", "")
    assert r.json()  # the person's data, as JSON
    assert AuditEvent.objects.filter(actor=o.w.leader, object_id=o.person.pk).exists()


def check_team_edited(o, r):
    team = Team.objects.get(pk=o.w.team_a.pk)
    assert (team.name, team.decision_no) == ("Đội CTXHTN phường A (mới)", "45/QĐ-UBND")


def check_team_dissolved(o, r):
    team = Team.objects.get(pk=o.w.team_a.pk)
    assert team.dissolved_on == DAY
    assert not Member.objects.filter(team=team, left_on__isnull=True).exists()


def check_member_added(o, r):
    member = _one(Member.objects.filter(team=o.w.team_a, full_name="Hà Thị Thu"))
    assert (member.birth_year, member.phone, member.joined_on) == (1985, "0912345678", DAY)


def check_member_edited(o, r):
    assert Member.objects.get(pk=second_member(o).pk).phone == "0911222333"


def check_member_left(o, r):
    member = Member.objects.get(pk=second_member(o).pk)
    assert member.left_on == DAY


def check_login_created(o, r):
    """The member has the login typed, and the password the page showed opens it."""
    member = Member.objects.select_related("user").get(pk=login_member(o).pk)
    assert member.user.username == "thanhvien.mot"
    assert member.user.check_password(_shown_password(r.text))
    assert TemporaryPassword.objects.filter(user=member.user).count() == 1


def check_login_reset(o, r):
    member = Member.objects.select_related("user").get(pk=login_member(o).pk)
    assert member.user.check_password(_shown_password(r.text))


def _shown_password(html: str) -> str:
    found = re.findall(r"data-login-password>([a-z0-9-]+)<", html)
    assert len(found) == 1, "the page shows the new password exactly once"
    return found[0]


def login_member(o) -> Member:
    """The member whose login the «logins» group gives, resets and reopens (the first of
    their memberships once they rejoined)."""
    rows = Member.objects.filter(team=o.w.team_a, full_name="Phạm Văn Thành Viên 1")
    return rows.order_by("pk").first()


def leave_before_rejoining(o) -> None:
    """The member with the login given above leaves the team (as «Thôi tham gia» records it)."""
    member = login_member(o)
    services.member_leave(
        actor=o.w.leader, member=member, left_on=DAY, reason="", expected_version=member.version
    )


def check_member_rejoined(o, r):
    former = Member.objects.get(pk=login_member(o).pk)
    again = _one(Member.objects.filter(user_id=former.user_id, left_on__isnull=True))
    assert (again.team, again.joined_on, again.full_name) == (
        o.w.team_a,
        o.today,
        former.full_name,
    )


def officer_post(o) -> Post:
    """Ward A's officer's post (canbo_a), which the district supervisor manages."""
    return Post.objects.select_related("user").get(user=o.w.officer)


def check_post_created(o, r):
    """The new officer's post and login, opened by the password the page showed once (kept on
    `o` for the holder's first login, `post_holder_first_login`)."""
    post = _one(Post.objects.filter(user__username="lan.nt").select_related("user"))
    assert (post.unit, post.role, post.user.first_name) == (o.w.ward_a, "officer", "Nguyễn Thị Lan")
    o.post_password = _shown_password(r.text)
    assert post.user.check_password(o.post_password)
    assert TemporaryPassword.objects.filter(user=post.user).count() == 1


def check_post_reset(o, r):
    assert officer_post(o).user.check_password(_shown_password(r.text))


def check_post_second_factor_reset(o, r):
    assert not TOTPDevice.objects.filter(user=o.w.officer).exists()


def check_post_ended(o, r):
    assert officer_post(o).ended_on == o.today


def post_holder_first_login(site: Site) -> None:
    """The new officer logs in over HTTP with the password shown once, must choose their own
    first, and then reaches the ward's register."""
    browser = site.anonymous()
    page = browser.get(reverse("login"))
    form = page.form().filled({"username": "lan.nt", "password": site.o.post_password})
    answer = browser.submit(form)
    assert answer.status == 302 and answer.location.endswith(reverse("password_set")), answer
    page = browser.follow(answer)
    form = page.form().filled({"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    answer = browser.submit(form)
    assert answer.status == 302, _explain(answer)
    assert browser.follow(answer).status == 200
    assert browser.get(reverse("cases:register")).status == 200
    user = get_user_model().objects.get(username="lan.nt")
    assert user.check_password(NEW_PASSWORD)
    assert not TemporaryPassword.objects.filter(user=user).exists()


def check_activity_added(o, r):
    activity = _one(Activity.objects.filter(place="Nhà văn hóa tổ 3"))
    assert (activity.unit, activity.occurred_on, activity.kind) == (o.w.ward_a, DAY, "patrol")
    assert list(activity.members.all()) == [o.w.volunteer_member]


def check_activities_batched(o, r):
    rows = Activity.objects.filter(place__startswith="Sổ tay dòng")
    assert sorted(rows.values_list("place", "occurred_on")) == [
        ("Sổ tay dòng 1", DAY),
        ("Sổ tay dòng 2", DAY + datetime.timedelta(days=1)),
    ]


def check_activity_edited(o, r):
    activity = Activity.objects.get(pk=o.activity.pk)
    assert (activity.place, activity.note) == ("Chợ phường", "Đã sửa")


def check_activity_deleted(o, r):
    assert not Activity.objects.filter(pk=o.activity.pk).exists()


def check_unit_activity_added(o, r):
    activity = _one(Activity.objects.filter(place="Hội trường quận"))
    assert (activity.unit, activity.occurred_on, activity.kind) == (o.w.district_a, DAY, "training")
    assert (activity.sessions, activity.participants) == (2, 64)
    assert activity.created_by == o.w.supervisor


def check_unit_activity_edited(o, r):
    activity = Activity.objects.get(pk=o.unit_activity.pk)
    assert (activity.participants, activity.note) == (70, "Đã sửa")


def check_unit_activity_deleted(o, r):
    assert not Activity.objects.filter(pk=o.unit_activity.pk).exists()


def check_partner_added(o, r):
    partner = _one(Partner.objects.filter(name="Trung tâm Dạy nghề"))
    assert (partner.unit, partner.phone) == (o.w.ward_a, "02438123456")


def check_partner_edited(o, r):
    partner = Partner.objects.get(pk=o.partner.pk)
    assert (partner.name, partner.phone) == ("Ngân hàng CSXH phường A", "02438123456")


def check_referral_added(o, r):
    referral = _one(Referral.objects.filter(person=o.person, kind=Referral.Kind.JOB))
    assert (referral.referred_on, referral.partner) == (DAY, o.partner)
    assert referral.changes.count() == 1


def check_referral_advanced(o, r):
    referral = Referral.objects.get(pk=o.referral.pk)
    assert referral.status == o.referral.next_statuses[0]
    assert referral.status_on == DAY
    assert referral.changes.filter(status=referral.status, changed_on=DAY).count() == 1


def check_submitted(o, r):
    submission = _one(Submission.objects.filter(unit=o.w.ward_a))
    assert submission.period_spec == o.period.spec
    assert submission.narrative == "Đội đã hoàn thành kế hoạch quý."
    assert submission.submitted_by == o.w.leader


def check_returned(o, r):
    review = _one(Review.objects.filter(submission=_to_review(o)))
    assert (review.decision, review.reason) == ("returned", "Thiếu lời văn.")
    assert review.reviewed_by == o.w.supervisor


def check_uploaded(o, r):
    batch = _one(ImportBatch.objects.exclude(pk=o.batch.pk))
    assert (batch.kind, batch.ward, batch.created_by) == ("people", o.w.ward_a, o.w.leader)
    assert batch.rows[1][0] == "Nguyễn Văn Thử"


def check_mapped(o, r):
    batch = ImportBatch.objects.get(pk=o.batch.pk)
    assert batch.mapping != o.batch.mapping
    assert "history_notes" not in str(batch.mapping)


def check_committed(o, r):
    assert Person.objects.filter(full_name__in=["Nguyễn Văn Nhập", "Trần Thị Nhập"]).count() == 2
    assert ImportBatch.objects.get(pk=o.batch.pk).committed_at


def uploaded(o) -> ImportBatch:
    """The batch the upload step made (the cancel step's batch)."""
    return ImportBatch.objects.exclude(pk=o.batch.pk).earliest("pk")


def check_cancelled(o, r):
    assert not ImportBatch.objects.filter(pk=o.cancelled).exists()


def check_logged_in(o, r):
    assert AuditEvent.objects.filter(action="login", actor=o.w.volunteer).count() == 1
    assert "Trần Thị Lan" in r.text


def check_logged_out(o, r):
    assert AuditEvent.objects.filter(action="logout", actor=o.w.volunteer).count() == 1


def check_password_changed(o, r):
    assert get_user_model().objects.get(pk=o.w.volunteer.pk).check_password(NEW_PASSWORD)


def check_language_set(o, r):
    assert 'lang="en"' in r.text


def check_verified(o, r):
    device = TOTPDevice.objects.get(pk=o.device.pk)
    assert device.last_t > -1
    assert AuditEvent.objects.filter(actor=o.w.supervisor, changes__second_factor=True).exists()


def check_enrolled(o, r):
    assert TOTPDevice.objects.get(user=o.enrolling).confirmed


# The cases ------------------------------------------------------------------------------


def person_values(o) -> dict:
    return {
        "full_name": "Đặng Văn Mới",
        "sex": Person.Sex.MALE,
        "birth_year": "1988",
        "phone": "0912345678",
        "group": Person.Group.ADDICTED,
        "registered_on": d(DAY),
        "consent_on": d(DAY),
        "consent": "on",
    }


def second_member(o) -> Member:
    """A member with nobody to follow (plain_member takes persons over in the same test)."""
    return Member.objects.get(team=o.w.team_a, full_name="Phạm Văn Thành Viên 1")


def second_programme():
    """A programme the person has not joined (objs enrols them in post_rehab_12)."""
    return f.programme("production_tier_6", default_months=6)


def activity_values(o) -> dict:
    return {
        "unit": str(o.w.ward_a.pk),
        "kind": "patrol",
        "occurred_on": d(DAY),
        "sessions": "1",
        "place": "Nhà văn hóa tổ 3",
        "members": [str(o.w.volunteer_member.pk)],
    }


def batch_values(o) -> dict:
    rows = {}
    for i in range(2):
        rows |= {
            f"dong-{i}-occurred_on": d(DAY + datetime.timedelta(days=i)),
            f"dong-{i}-kind": "patrol",
            f"dong-{i}-sessions": "1",
            f"dong-{i}-place": f"Sổ tay dòng {i + 1}",
        }
    return rows


def preview(o) -> str:
    return reverse("imports:preview", args=[o.batch.pk])


def submission_page(o) -> str:
    query = f"?don-vi=99001&ky={o.period.spec}&cach-tinh=calendar"
    return reverse("reports:submission_add") + query


FORMS = [
    # «Tài khoản cán bộ»: the district supervisor gives an officer login (the password shown on
    # the page the POST answers with), resets the ward officer's password and authenticator,
    # and ends that officer's post
    FormCase(
        "post_add",
        "supervisor",
        lambda o: {
            "role": "officer",
            "unit": str(o.w.ward_a.pk),
            "full_name": "Nguyễn Thị Lan",
            "username": "lan.nt",
            "title": "Công chức Văn hóa - Xã hội",
            "started_on": d(o.today),
        },
        check_post_created,
        creates=lambda o: Post.objects.filter(user__username="lan.nt"),
        status=200,
    ),
    FormCase(
        "post_reset",
        "supervisor",
        lambda o: {},
        check_post_reset,
        args=lambda o: [officer_post(o).pk],
        status=200,
    ),
    FormCase(
        "post_second_factor_reset",
        "supervisor",
        lambda o: {},
        check_post_second_factor_reset,
        args=lambda o: [officer_post(o).pk],
        prepare=lambda o: TOTPDevice.objects.get_or_create(
            user=o.w.officer, name="Điện thoại cũ", confirmed=True
        ),
    ),
    FormCase(
        "post_end",
        "supervisor",
        lambda o: {"ended_on": d(o.today)},
        check_post_ended,
        args=lambda o: [officer_post(o).pk],
    ),
    # accounts
    FormCase(
        "login",
        "anonymous",
        lambda o: {"username": "tnv_a", "password": f.PASSWORD},
        check_logged_in,
    ),
    FormCase("logout", "volunteer", lambda o: {}, check_logged_out, page=lambda o: "/"),
    FormCase(
        "password_change",
        "volunteer",
        lambda o: {
            "old_password": f.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        check_password_changed,
    ),
    FormCase(
        "set_language",
        "volunteer",
        lambda o: {"language": "en"},
        check_language_set,
        page=lambda o: "/",
    ),
    # otp_verify and otp_enrol: second_factor_* below, through the login
    # cases
    FormCase(
        "cases:person_add",
        "leader",
        person_values,
        check_person_added,
        creates=lambda o: Person.objects.filter(full_name="Đặng Văn Mới"),
    ),
    FormCase(
        "cases:person_edit",
        "leader",
        lambda o: {"phone": "0987654321", "address": "Số 5, ngõ 12"},
        check_person_edited,
        args=lambda o: [o.person.pk],
        rival=lambda o: {"phone": "0900000001"},
    ),
    FormCase(
        "cases:person_close",
        "leader",
        lambda o: {"closed_on": d(DAY), "reason": Person.ClosedReason.MOVED_AWAY},
        check_person_closed,
        args=lambda o: [o.person.pk],
    ),
    FormCase(
        "cases:person_reopen",
        "leader",
        lambda o: {},
        check_person_reopened,
        args=lambda o: [o.closed.pk],
        page=lambda o: reverse("cases:person_detail", args=[o.closed.pk]),
    ),
    FormCase(
        "cases:enrollment_add",
        "officer",
        lambda o: {
            "programme": str(second_programme().pk),
            "started_on": d(DAY),
            "decision_no": "123/QĐ-UBND",
        },
        check_enrollment_added,
        args=lambda o: [o.person.pk],
        creates=lambda o: Enrollment.objects.filter(person=o.person, started_on=DAY),
        prepare=lambda o: second_programme(),
    ),
    FormCase(
        "cases:enrollment_end",
        "leader",
        lambda o: {"ended_on": d(DAY), "reason": Enrollment.EndReason.COMPLETED},
        check_enrollment_ended,
        args=lambda o: [o.enrollment.pk],
    ),
    FormCase(
        "cases:club_add",
        "leader",
        lambda o: {
            "name": "CLB can thiệp sớm tổ 3",
            "programme": str(f.club_programme("club_early").pk),
            "founded_on": d(DAY),
        },
        check_club_added,
        creates=lambda o: Club.objects.filter(name="CLB can thiệp sớm tổ 3"),
        # the programme exists before the form's page is read (a flush empties the table)
        prepare=lambda o: f.club_programme("club_early"),
    ),
    FormCase(
        "cases:club_edit",
        "leader",
        lambda o: {"name": "CLB B93 tổ 5 (mới)"},
        check_club_edited,
        args=lambda o: [o.club_a.pk],
        rival=lambda o: {"name": "CLB B93 tổ 5 (bản cũ)"},
    ),
    FormCase(
        "cases:club_close",
        "leader",
        lambda o: {"closed_on": d(DAY)},
        check_club_closed,
        args=lambda o: [o.club_a.pk],
    ),
    FormCase(
        "cases:assignment_reassign",
        "leader",
        lambda o: {
            "persons": [str(o.other.pk)],
            "member": str(o.plain_member.pk),
            "started_on": d(DAY),
        },
        check_reassigned,
        page=lambda o: reverse("cases:assignment_board"),
        creates=lambda o: Assignment.objects.filter(person=o.other),
    ),
    FormCase(
        "cases:assignment_handover",
        "officer",
        lambda o: {
            "from_member": str(o.w.volunteer_member.pk),
            "to_member": str(o.plain_member.pk),
            "started_on": d(DAY),
        },
        check_handed_over,
        page=lambda o: reverse("cases:assignment_board"),
        creates=lambda o: Assignment.objects.filter(person=o.person, member=o.plain_member),
    ),
    FormCase(
        "cases:contact_add",
        "volunteer",
        lambda o: {
            "occurred_on": d(DAY),
            "kind": "home_visit",
            "summary": "Thăm nhà, gia đình hợp tác.",
        },
        check_contact_added,
        args=lambda o: [o.person.pk],
        creates=lambda o: Contact.objects.filter(person=o.person),
    ),
    FormCase(
        "cases:assessment_add",
        "volunteer",
        lambda o: {"assessed_on": d(DAY), "result": "progressing", "note": "Tiến bộ rõ."},
        check_assessment_added,
        args=lambda o: [o.person.pk],
        creates=lambda o: Assessment.objects.filter(person=o.person),
    ),
    FormCase(
        "cases:subject_copy",
        "leader",
        lambda o: {"format": "json"},
        check_subject_copy,
        args=lambda o: [o.person.pk],
        status=200,
    ),
    # wards
    FormCase(
        "wards:team_edit",
        "officer",
        lambda o: {"name": "Đội CTXHTN phường A (mới)", "decision_no": "45/QĐ-UBND"},
        check_team_edited,
        args=lambda o: [o.w.team_a.pk],
        rival=lambda o: {"decision_no": "99/QĐ-UBND"},
    ),
    FormCase(
        "wards:team_dissolve",
        "officer",
        lambda o: {"dissolved_on": d(DAY), "confirm": "on"},
        check_team_dissolved,
        args=lambda o: [o.w.team_a.pk],
    ),
    FormCase(
        "wards:member_add",
        "officer",
        lambda o: {
            "full_name": "Hà Thị Thu",
            "sex": Member.Sex.FEMALE,
            "birth_year": "1985",
            "phone": "0912345678",
            "joined_on": d(DAY),
        },
        check_member_added,
        args=lambda o: [o.w.team_a.pk],
        creates=lambda o: Member.objects.filter(full_name="Hà Thị Thu"),
    ),
    FormCase(
        "wards:member_edit",
        "leader",
        lambda o: {"phone": "0911222333"},
        check_member_edited,
        args=lambda o: [second_member(o).pk],
        rival=lambda o: {"phone": "0900000001"},
    ),
    FormCase(
        "wards:member_leave",
        "leader",
        lambda o: {"left_on": d(DAY), "reason": "Chuyển nơi ở"},
        check_member_left,
        args=lambda o: [second_member(o).pk],
    ),
    # the members' logins: the new password is shown on the page the POST answers with
    FormCase(
        "wards:login_create",
        "leader",
        lambda o: {"username": "thanhvien.mot"},
        check_login_created,
        args=lambda o: [login_member(o).pk],
        creates=lambda o: TemporaryPassword.objects.filter(user__username="thanhvien.mot"),
        status=200,
    ),
    FormCase(
        "wards:login_reset",
        "officer",
        lambda o: {},
        check_login_reset,
        args=lambda o: [login_member(o).pk],
        status=200,
    ),
    FormCase(
        "wards:member_rejoin",
        "leader",
        lambda o: {"joined_on": d(o.today)},
        check_member_rejoined,
        args=lambda o: [login_member(o).pk],
        prepare=leave_before_rejoining,
        creates=lambda o: Member.objects.filter(full_name="Phạm Văn Thành Viên 1"),
    ),
    # outreach
    FormCase(
        "outreach:activity_add",
        "volunteer",
        activity_values,
        check_activity_added,
        creates=lambda o: Activity.objects.filter(place="Nhà văn hóa tổ 3"),
    ),
    FormCase(
        "outreach:activity_batch",
        "leader",
        batch_values,
        check_activities_batched,
        creates=lambda o: Activity.objects.filter(place="Sổ tay dòng 1"),
    ),
    FormCase(
        "outreach:activity_edit",
        "leader",
        lambda o: {"place": "Chợ phường", "note": "Đã sửa"},
        check_activity_edited,
        args=lambda o: [o.activity.pk],
        rival=lambda o: {"note": "Sửa ở thẻ khác"},
    ),
    FormCase(
        "outreach:activity_delete",
        "leader",
        lambda o: {},
        check_activity_deleted,
        args=lambda o: [o.activity.pk],
    ),
    FormCase(
        "outreach:unit_activity_add",
        "supervisor",
        lambda o: {
            "kind": "training",
            "occurred_on": d(DAY),
            "title": "Tập huấn kỹ năng cho các Đội",
            "sessions": "2",
            "participants": "64",
            "place": "Hội trường quận",
        },
        check_unit_activity_added,
        creates=lambda o: Activity.objects.filter(place="Hội trường quận"),
    ),
    FormCase(
        "outreach:unit_activity_edit",
        "supervisor",
        lambda o: {"participants": "70", "note": "Đã sửa"},
        check_unit_activity_edited,
        args=lambda o: [o.unit_activity.pk],
        rival=lambda o: {"note": "Sửa ở thẻ khác"},
    ),
    FormCase(
        "outreach:unit_activity_delete",
        "supervisor",
        lambda o: {},
        check_unit_activity_deleted,
        args=lambda o: [o.unit_activity.pk],
    ),
    FormCase(
        "outreach:partner_add",
        "officer",
        lambda o: {"name": "Trung tâm Dạy nghề", "kind": "training", "phone": "02438123456"},
        check_partner_added,
        creates=lambda o: Partner.objects.filter(name="Trung tâm Dạy nghề"),
    ),
    FormCase(
        "outreach:partner_edit",
        "leader",
        lambda o: {"name": "Ngân hàng CSXH phường A", "phone": "02438123456"},
        check_partner_edited,
        args=lambda o: [o.partner.pk],
        rival=lambda o: {"phone": "0900000001"},
    ),
    FormCase(
        "outreach:referral_add",
        "volunteer",
        lambda o: {"kind": Referral.Kind.JOB, "referred_on": d(DAY), "partner": str(o.partner.pk)},
        check_referral_added,
        args=lambda o: [o.person.pk],
        creates=lambda o: Referral.objects.filter(person=o.person, kind=Referral.Kind.JOB),
    ),
    FormCase(
        "outreach:referral_detail",
        "volunteer",
        lambda o: {"status": o.referral.next_statuses[0].value, "changed_on": d(DAY)},
        check_referral_advanced,
        args=lambda o: [o.referral.pk],
        creates=lambda o: ReferralStatusChange.objects.filter(referral=o.referral, changed_on=DAY),
    ),
    # reports
    FormCase(
        "reports:submission_add",
        "leader",
        lambda o: {
            "narrative": "Đội đã hoàn thành kế hoạch quý.",
            "confirm": "on",
            # one line for each finding of the checks on the period (reports.checks)
            **{
                f"giai-trinh-{c.code}": "Đội mới thành lập."
                for c in checks.run(o.w.ward_a, o.period)
            },
        },
        check_submitted,
        page=submission_page,
        creates=lambda o: Submission.objects.filter(unit=o.w.ward_a),
    ),
    FormCase(
        "reports:submission_review",
        "supervisor",
        lambda o: {"decision": "tra-lai", "reason": "Thiếu lời văn."},
        check_returned,
        args=lambda o: [_to_review(o).pk],
        page=lambda o: reverse("reports:submission_detail", args=[_to_review(o).pk]),
        creates=lambda o: Review.objects.filter(submission__period_spec="2024-Q1"),
    ),
    # imports: the upload from the start page; the rest from the batch's preview
    FormCase(
        "imports:upload",
        "leader",
        lambda o: {},
        check_uploaded,
        args=lambda o: ["people"],
        page=lambda o: reverse("imports:start"),
        files=lambda o: {"file": Upload("danh-sach.xlsx", good_xlsx())},
        creates=lambda o: ImportBatch.objects.exclude(pk=o.batch.pk),
    ),
    FormCase(
        "imports:mapping",
        "leader",
        lambda o: {"col-5": ""},  # the team's own notes column: not imported
        check_mapped,
        args=lambda o: [o.batch.pk],
        page=preview,
    ),
    FormCase(
        "imports:commit",
        "leader",
        lambda o: {},
        check_committed,
        args=lambda o: [o.batch.pk],
        page=preview,
        creates=lambda o: Person.objects.filter(full_name="Nguyễn Văn Nhập"),
    ),
    FormCase(
        "imports:cancel",
        "leader",
        lambda o: {},
        check_cancelled,
        args=lambda o: [o.cancelled],
        page=lambda o: reverse("imports:preview", args=[o.cancelled]),
        prepare=lambda o: setattr(o, "cancelled", uploaded(o).pk),
    ),
]

# Forms that post but only read: nothing to find in the database afterwards.
READ_ONLY = {
    "cases:register",  # the name search: POST keeps the name out of the address and the logs
}
# The second factor is posted inside a login (second_factor_* below, with the accounts).
SECOND_FACTOR = {"otp_verify", "otp_enrol"}
# The first page after a login with a temporary password is posted inside that login:
# post_holder_first_login below, and tests/production/test_member_logins.py.
FIRST_LOGIN = {"password_set"}


# Posting --------------------------------------------------------------------------------


def open_form(site: Site, browser: Browser, case: FormCase) -> tuple[Response, object]:
    o = site.o
    if case.prepare:
        case.prepare(o)
    action = reverse(case.name, args=case.args(o))
    page = browser.get(case.page(o) if case.page else action)
    assert page.status == 200, f"{case}: the form's page answered {page}"
    return page, page.form(action=action)


def post(browser: Browser, case: FormCase, form, o) -> Response:
    files = case.files(o) if case.files else None
    return browser.submit(form, files=files)


def _explain(answer: Response) -> str:
    """The page's error messages, for a form shown again instead of saved."""
    errors = re.findall(
        r"(?:invalid-feedback|alert-danger|text-danger)[^>]*>(.*?)</", answer.text, re.S
    )
    if answer.status >= 500:
        return f"{answer}: a server error (its traceback is in the captured log)"
    return f"{answer}: {[e.strip() for e in errors if e.strip()] or answer.text[-1500:]}"


def browser_for(site: Site, persona: str) -> Browser:
    return site.anonymous() if persona == "anonymous" else site.browser(persona)


# The forms are posted in groups, one test each, in an order where each form finds what it
# needs (the person's file is closed last, the team dissolved last): a test's database is
# flushed afterwards, which costs more on PostgreSQL than the posts themselves. Every form of a
# group is posted even when one fails, and the test lists every failure.
GROUPS = {
    "accounts": ["login", "set_language", "password_change", "logout"],
    "person": [
        "cases:person_add",
        "cases:person_edit",
        "cases:contact_add",
        "cases:assessment_add",
        "outreach:referral_add",
        "outreach:referral_detail",
        "cases:enrollment_add",
        "cases:enrollment_end",
        "cases:club_add",
        "cases:club_edit",
        "cases:club_close",
        "cases:subject_copy",
        "cases:person_reopen",
        "cases:person_close",
    ],
    "team": [
        "cases:assignment_reassign",
        "cases:assignment_handover",
        "wards:team_edit",
        "wards:member_add",
        "wards:member_edit",
        "wards:member_leave",
        "wards:team_dissolve",
    ],
    "outreach": [
        "outreach:activity_add",
        "outreach:activity_batch",
        "outreach:activity_edit",
        "outreach:activity_delete",
        "outreach:unit_activity_add",
        "outreach:unit_activity_edit",
        "outreach:unit_activity_delete",
        "outreach:partner_add",
        "outreach:partner_edit",
        "reports:submission_add",
        "reports:submission_review",
    ],
    "imports": ["imports:upload", "imports:mapping", "imports:commit", "imports:cancel"],
    # a login given, its password reset, and the member back after leaving
    "logins": ["wards:login_create", "wards:login_reset", "wards:member_rejoin"],
    # the posts a supervisor manages (the holder's first login follows the first)
    "posts": ["post_add", "post_reset", "post_second_factor_reset", "post_end"],
}
BY_NAME = {case.name: case for case in FORMS}


def submit(site: Site, case: FormCase) -> None:
    """Post the form once with valid data and check its row; post a create form's page a
    second time (a double tap, a reload) and check that nothing more was saved; post an edit
    form's copy opened in a second tab beforehand and check that it is refused."""
    o = site.o
    browser = browser_for(site, case.persona)
    _page, form = open_form(site, browser, case)
    other_tab = open_form(site, browser, case)[1] if case.rival else None
    filled = form.filled(case.values(o))
    before = case.creates(o).count() if case.creates else 0
    answer = post(browser, case, filled, o)
    if answer.status != case.status:
        raise AssertionError(_explain(answer))
    landed = browser.follow(answer)
    assert landed.status == 200, f"after saving, {landed}"
    case.check(o, answer if case.status == 200 else landed)
    if case.creates:
        count = case.creates(o).count() - before
        assert count == 1, f"the form saved {count} rows"
        again = post(browser, case, filled, o)
        assert again.status < 500, f"the same page posted again answered {again}"
        browser.follow(again)
        count = case.creates(o).count() - before
        assert count == 1, f"the same page posted twice saved {count} rows"
    if other_tab:
        late = post(browser, case, other_tab.filled(case.rival(o)), o)
        assert late.status == 200, f"a second tab's older copy answered {late}, not refused"
        case.check(o, browser.follow(late))  # the first tab's values stand


def run(site: Site, steps: list[tuple[str, Callable[[], None]]]) -> None:
    failures = []
    for name, step in steps:
        try:
            step()
        except (Exception, pytest.fail.Exception) as error:  # noqa: BLE001 - list them all
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert not failures, "\n\n".join(failures)


@pytest.mark.postgres
@pytest.mark.parametrize("group", GROUPS)
def test_forms_save_once_over_http_outside_any_transaction(site, group):
    steps = [(name, lambda name=name: submit(site, BY_NAME[name])) for name in GROUPS[group]]
    if group == "accounts":
        steps += [
            ("otp_verify", lambda: second_factor_verify(site)),
            ("otp_enrol", lambda: second_factor_enrol(site)),
        ]
    if group == "posts":
        steps.insert(1, ("first login", lambda: post_holder_first_login(site)))
    run(site, steps)


def second_factor_verify(site: Site) -> None:
    """otp_verify: the supervisor logs in and types the current code of her authenticator."""
    site.browser("supervisor")  # through the login and the verification page (conftest)
    check_verified(site.o, None)


def second_factor_enrol(site: Site) -> None:
    """otp_enrol: a new supervisor logs in, types the key shown into an app, and confirms with
    the app's first code."""
    browser = site.anonymous()
    page = browser.get(reverse("login"))
    form = page.form().filled({"username": "giamsat_moi", "password": f.PASSWORD})
    page = browser.follow(browser.submit(form))
    assert page.url.split("?")[0].endswith(reverse("otp_enrol")), page
    key = _shown_key(page.text)
    answer = browser.submit(page.form(action=reverse("otp_enrol")).filled({"code": key}))
    assert answer.status == 302, _explain(answer)
    assert browser.follow(answer).status == 200
    check_enrolled(site.o, None)


def _shown_key(html: str) -> str:
    """The current code for the key the enrolment page shows in groups of four letters."""
    device = TOTPDevice.objects.get(user__username="giamsat_moi", confirmed=False)
    groups = re.search(r"((?:[A-Z2-7]{4} ){3,}[A-Z2-7]{1,4})", html)
    assert groups, "the enrolment page shows no key to type"
    secret = groups.group(1).replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    assert key == device.bin_key
    return f"{totp(key, device.step, device.t0, device.digits, device.drift):06d}"


# The guard ------------------------------------------------------------------------------


def writing_forms() -> set[str]:
    """URL names of forms that post: the fuzzing's POST cases, and any URL the fuzzing has not
    decided about yet (a new page is a writing form until listed otherwise)."""
    posted = {case.name for case in FUZZ_CASES if case.method == "post"}
    read = {case.name for case in FUZZ_CASES if case.method == "get"} | NO_FORM
    undecided = {name for name, _pattern in _named_urls()} - posted - read
    return (posted | undecided) - READ_ONLY


def test_every_case_is_posted_in_one_group():
    grouped = [name for names in GROUPS.values() for name in names]
    assert sorted(grouped) == sorted(BY_NAME), "put each case in exactly one group"


def test_every_writing_form_has_a_production_case():
    covered = {case.name for case in FORMS} | SECOND_FACTOR | FIRST_LOGIN
    missing = writing_forms() - covered
    assert not missing, f"submit these forms over HTTP here (FORMS): {sorted(missing)}"
    names = {name for name, _pattern in _named_urls()}
    assert covered | READ_ONLY <= names, "remove the case of a URL that no longer exists"
