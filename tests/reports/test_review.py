"""Reviewing a submitted report: approved, or returned with a reason and submitted again as a
new version; the checks each explained before sending; the returned reports a leader finds."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports import services, snapshot
from reports.models import Review, Submission
from reports.periods import parse
from tests import factories as f
from wards.access import access_for
from wards.models import AuditEvent, Post

Q2 = parse("2024-Q2")


@dataclass(frozen=True)
class Finding:  # the shape of reports.checks.Finding
    code: str
    text: str
    count: int
    hint: str = ""


@pytest.fixture
def found(monkeypatch):
    """The checks' findings, as a test sets them (none by default)."""
    current: list[Finding] = []
    monkeypatch.setattr(snapshot, "findings", lambda unit, period, figures: list(current))
    return current


def submit(world, actor=None, unit=None, period=Q2, **kwargs):
    return services.submission_submit(
        actor=actor or world.leader,
        unit=unit or world.ward_a,
        period=period,
        narrative=kwargs.pop("narrative", "Trong quý II năm 2024, …"),
        **kwargs,
    )


def approve(world, submission, actor=None, remark=""):
    return services.submission_approve(
        actor=actor or world.supervisor, submission=submission, remark=remark
    )


def send_back(world, submission, reason="Số người tiếp cận chưa khớp sổ tay.", actor=None):
    return services.submission_return(
        actor=actor or world.supervisor, submission=submission, reason=reason
    )


# Checks before sending -------------------------------------------------------------------------


def test_a_finding_without_an_explanation_is_refused(world, found):
    found.append(Finding("no_contacts", "Không có lần gặp nào trong kỳ.", 0, "Kiểm tra sổ tay."))
    with pytest.raises(ValidationError) as error:
        submit(world)
    assert error.value.message_dict == {
        "giai-trinh-no_contacts": [
            "Hãy giải trình ngắn (một dòng) cho mục này, hoặc sửa số liệu rồi tải lại trang."
        ]
    }
    with pytest.raises(ValidationError):
        submit(world, explanations={"no_contacts": "   ", "other": "không liên quan"})
    assert not Submission.objects.exists()

    submission = submit(world, explanations={"no_contacts": " Đội nghỉ\nhè. ", "x": "thừa"})
    assert submission.checks == [
        {
            "code": "no_contacts",
            "text": "Không có lần gặp nào trong kỳ.",
            "explanation": "Đội nghỉ hè.",
        }
    ]
    event = AuditEvent.objects.get(object_type="reports.submission")
    assert event.changes["checks"] == ["no_contacts"]


def test_an_explanation_is_one_short_line(world, found):
    found.append(Finding("spike", "Số lần gặp tăng gấp ba.", 3))
    with pytest.raises(ValidationError) as error:
        submit(world, explanations={"spike": "x" * 301})
    assert "dài quá 300 ký tự" in error.value.messages[0]
    assert submit(world, explanations={"spike": "x" * 300}).checks[0]["explanation"] == "x" * 300


def test_no_finding_stores_no_checks(world, found):
    assert submit(world).checks == []


# Versions --------------------------------------------------------------------------------------


def test_a_returned_report_is_submitted_again_as_the_next_version(world, found):
    first = submit(
        world,
        evaluation="Đạt kế hoạch.",
        next_tasks="Tiếp tục.",
        recommendations="Kinh phí.",
        proposals="Tập huấn.",
        recipients=" - UBND Quận A;\r\n- Lưu: VT. ",
        number=" 12/BC-ĐCTXHTN ",
    )
    assert first.version == 1
    assert (first.evaluation, first.recipients, first.number) == (
        "Đạt kế hoạch.",
        "- UBND Quận A;\n- Lưu: VT.",
        "12/BC-ĐCTXHTN",
    )
    assert first.issuer == world.ward_a
    review = send_back(world, first)
    assert (review.decision, review.reviewed_by) == ("returned", world.supervisor)
    second = submit(world, actor=world.officer, after=1, narrative="Đã sửa.")
    assert second.version == 2
    assert second.issuer == world.ward_a  # the officer's post
    assert Submission.objects.for_period(Q2).count() == 2
    assert list(Submission.objects.latest()) == [second]
    event = AuditEvent.objects.filter(object_type="reports.submission").first()
    assert event.changes["version"] == 2


def test_a_report_awaiting_review_may_be_corrected(world, found):
    submit(world)
    assert submit(world, after=1).version == 2


def test_the_leader_of_a_merged_ward_files_its_old_ward_from_the_new_office(world, found):
    assert submit(world, unit=world.ward_a_old).issuer == world.ward_a


def test_a_version_submitted_meanwhile_refuses_the_older_page(world, found):
    submit(world)
    with pytest.raises(ValidationError) as error:
        submit(world, after=0)
    assert "vừa được nộp (lần 1" in error.value.messages[0]
    submit(world, after=1)
    with pytest.raises(ValidationError):
        submit(world, after=1)
    assert Submission.objects.count() == 2


def test_two_resubmissions_at_once_store_one(world, found, monkeypatch):
    """The unique (unit, period, cut-off, version) constraint is the last guard: the second of
    two writers that both read version 1 as the latest is told the report was just submitted."""
    first = submit(world)
    send_back(world, first)
    real = services._latest_locked
    monkeypatch.setattr(services, "_latest_locked", lambda unit, period: (first, None))
    submit(world, after=1)
    with pytest.raises(ValidationError) as error:
        submit(world, after=1)
    assert "vừa được nộp (lần 2" in error.value.messages[0]
    monkeypatch.setattr(services, "_latest_locked", real)
    assert Submission.objects.count() == 2


def test_an_approved_report_takes_no_new_version(world, found):
    approve(world, submit(world), remark="Tốt.")
    with pytest.raises(ValidationError) as error:
        submit(world, after=1)
    assert error.value.messages == [
        "Báo cáo kỳ này đã được duyệt; không nộp lại được. Số liệu sửa sau khi duyệt được "
        'ghi nhận là "sau khi duyệt".'
    ]
    assert Submission.objects.count() == 1


# Review ----------------------------------------------------------------------------------------


def test_approving_writes_a_frozen_review_and_an_audit_row(world, found):
    submission = submit(world)
    review = approve(world, submission, remark=" Đầy đủ. ")
    assert (review.decision, review.reason, review.reviewed_by) == (
        "approved",
        "Đầy đủ.",
        world.supervisor,
    )
    assert snapshot.review_of(Submission.objects.get()) == review
    event = AuditEvent.objects.get(object_type="reports.review")
    assert (event.actor, event.unit, event.object_id) == (
        world.supervisor,
        world.ward_a,
        str(review.pk),
    )
    assert event.changes == {
        "submission": submission.pk,
        "version": 1,
        "decision": "approved",
        "period": "2024-Q2",
    }
    with pytest.raises(TypeError):
        Review.objects.update(reason="sửa")
    with pytest.raises(TypeError):
        review.delete()


def test_a_report_is_reviewed_once(world, found):
    submission = submit(world)
    approve(world, submission)
    for again in (lambda: approve(world, submission), lambda: send_back(world, submission)):
        with pytest.raises(ValidationError) as error:
            again()
        assert error.value.messages == ["Báo cáo này đã được xem xét."]
    assert Review.objects.count() == 1


def test_returning_needs_a_reason(world, found):
    submission = submit(world)
    for reason in ("", "  \n "):
        with pytest.raises(ValidationError) as error:
            send_back(world, submission, reason=reason)
        assert error.value.message_dict == {
            "reason": ["Hãy ghi lý do trả lại để đơn vị biết cần sửa gì."]
        }
    with pytest.raises(ValidationError):
        send_back(world, submission, reason="x" * 2001)
    assert not Review.objects.exists()
    assert send_back(world, submission, reason="x" * 2000).reason == "x" * 2000


def test_only_the_latest_version_is_reviewed(world, found):
    first = submit(world)
    submit(world, after=1)
    with pytest.raises(ValidationError) as error:
        approve(world, first)
    assert "lần nộp mới nhất" in error.value.messages[0]
    assert not Review.objects.exists()


def test_who_may_review(world, found):
    submission = submit(world)
    # not a supervisor, nor a supervisor of another district or of the ward itself
    other = f.user("giamsat_b")
    f.post(user=other, unit=world.district_b, role=Post.Role.SUPERVISOR)
    at_ward = f.user("giamsat_phuong")
    f.post(user=at_ward, unit=world.ward_a, role=Post.Role.SUPERVISOR)
    for actor in (world.leader, world.officer, world.volunteer, world.admin, other, at_ward):
        with pytest.raises(PermissionDenied):
            approve(world, submission, actor=actor)
    # a province supervisor reviews a ward too
    above = f.user("giamsat_tinh")
    f.post(user=above, unit=world.province, role=Post.Role.SUPERVISOR)
    assert snapshot.may_review(above, world.ward_a)
    assert not snapshot.may_review(above, world.province)
    assert not Review.objects.exists()


def test_the_submitter_does_not_review_their_own_report(world, found):
    f.post(user=world.supervisor, unit=world.ward_a, role=Post.Role.OFFICER)
    submission = submit(world, actor=world.supervisor)
    assert submission.issuer == world.ward_a
    with pytest.raises(ValidationError) as error:
        send_back(world, submission)
    assert "không tự xem xét" in error.value.messages[0]
    assert not Review.objects.exists()


# The returned reports of a leader --------------------------------------------------------------


def test_returned_reports_are_the_latest_returned_versions_of_the_users_units(world, found):
    h1 = parse("2024-H1")
    q1 = parse("2024-Q1")
    corrected = submit(world)
    send_back(world, corrected)
    submit(world, after=1)  # corrected: no longer returned
    returned = submit(world, period=h1)
    send_back(world, returned)
    approve(world, submit(world, period=q1))
    old = submit(world, unit=world.ward_a_old)
    send_back(world, old, reason="Thiếu số liệu.")
    b = submit(world, actor=world.outsider, unit=world.ward_b)
    other = f.user("giamsat_b")
    f.post(user=other, unit=world.district_b, role=Post.Role.SUPERVISOR)
    send_back(world, b, actor=other)

    assert set(services.returned_reports(world.leader)) == {returned, old}
    assert set(services.returned_reports(world.officer)) == {returned, old}
    assert list(services.returned_reports(world.outsider)) == [b]
    assert not services.returned_reports(world.supervisor).exists()
    assert not services.returned_reports(world.volunteer).exists()
    access_for(world.leader)  # the scope, cached on the user as on a page
    with CaptureQueriesContext(connection) as ctx:
        rows = [(s.unit.name, s.review.reason) for s in services.returned_reports(world.leader)]
    assert len(ctx.captured_queries) == 1
    assert sorted(rows) == [
        ("Phường A", "Số người tiếp cận chưa khớp sổ tay."),
        ("Phường A Cũ", "Thiếu số liệu."),
    ]
