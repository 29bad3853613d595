"""Reviewing a submitted report: approved, or returned with a reason and submitted again as a
new version; the checks each explained before sending; the returned reports a leader finds."""

from __future__ import annotations

import datetime
import re
import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services, snapshot
from reports.choice import Choice
from reports.models import Review, Submission
from reports.periods import parse
from tests import factories as f
from tests.cases.test_assignments import _in_thread, _wait_until_a_backend_waits_for_a_lock
from wards.access import access_for
from wards.audit import audit
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
    assert list(Submission.objects.latest_versions()) == [second]
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

    assert set(snapshot.returned_reports(world.leader)) == {returned, old}
    assert set(snapshot.returned_reports(world.officer)) == {returned, old}
    assert list(snapshot.returned_reports(world.outsider)) == [b]
    assert not snapshot.returned_reports(world.supervisor).exists()
    assert not snapshot.returned_reports(world.volunteer).exists()
    access_for(world.leader)  # the scope, cached on the user as on a page
    with CaptureQueriesContext(connection) as ctx:
        rows = [(s.unit.name, s.review.reason) for s in snapshot.returned_reports(world.leader)]
    assert len(ctx.captured_queries) == 1
    assert sorted(rows) == [
        ("Phường A", "Số người tiếp cận chưa khớp sổ tay."),
        ("Phường A Cũ", "Thiếu số liệu."),
    ]


# The pages -------------------------------------------------------------------------------------

ADD = reverse("reports:submission_add")


def add_url(unit, period=Q2) -> str:
    return f"{ADD}?{Choice(unit, period).query()}"


def detail(submission) -> str:
    return reverse("reports:submission_detail", args=[submission.pk])


def review_url(submission) -> str:
    return reverse("reports:submission_review", args=[submission.pk])


def form_data(page, **extra) -> dict:
    """What the submit form sends: its fields as shown, the hidden ones and the tick."""
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields if name != "confirm"}
    data |= {"so-lieu": page.context["seen"], "lan-nop": str(page.context["after"])}
    return data | {"confirm": "on"} | extra


def test_the_submit_page_lists_the_checks_each_to_fix_or_explain(world, personas, found):
    client = personas["leader"]
    page = client.get(add_url(world.ward_a))
    text = page.content.decode()
    assert "Không phát hiện điểm bất thường." in text
    assert "Kiểm tra lại" in text

    found.append(Finding("spike", "Số lần gặp tăng gấp ba.", 3, "Xem nhật ký tiếp cận."))
    page = client.get(add_url(world.ward_a))
    text = page.content.decode()
    assert "Số lần gặp tăng gấp ba." in text and "Xem nhật ký tiếp cận." in text
    assert 'name="giai-trinh-spike"' in text
    assert "Không phát hiện điểm bất thường." not in text
    refused = client.post(add_url(world.ward_a), form_data(page))
    assert refused.status_code == 200
    assert refused.context["form"].errors["giai-trinh-spike"] == [
        "Hãy giải trình ngắn (một dòng) cho mục này, hoặc sửa số liệu rồi tải lại trang."
    ]
    assert not Submission.objects.exists()

    done = client.post(add_url(world.ward_a), form_data(page, **{"giai-trinh-spike": "Có đợt"}))
    assert done.status_code == 302
    assert Submission.objects.get().checks == [
        {"code": "spike", "text": "Số lần gặp tăng gấp ba.", "explanation": "Có đợt"}
    ]


def test_a_first_version_is_prefilled_with_the_narrative_and_the_recipients(world, personas, found):
    page = personas["leader"].get(add_url(world.ward_a))
    form = page.context["form"]
    assert form["recipients"].value() == "- UBND quận A;\n- Lưu: VT."
    assert form["evaluation"].value() in (None, "")
    data = form_data(
        page,
        evaluation="Đạt kế hoạch.",
        next_tasks="Tiếp tục thăm gặp.",
        recommendations="Bổ sung kinh phí.",
        proposals="Mở lớp tập huấn.",
        number="12/BC-ĐCTXHTN",
    )
    assert personas["leader"].post(add_url(world.ward_a), data).status_code == 302
    s = Submission.objects.get()
    assert (s.evaluation, s.next_tasks, s.recommendations, s.proposals, s.number) == (
        "Đạt kế hoạch.",
        "Tiếp tục thăm gặp.",
        "Bổ sung kinh phí.",
        "Mở lớp tập huấn.",
        "12/BC-ĐCTXHTN",
    )
    assert s.recipients == "- UBND quận A;\n- Lưu: VT."
    assert s.issuer == world.ward_a


def test_a_returned_report_reaches_the_leader_who_corrects_and_submits_it_again(
    world, personas, found
):
    found.append(Finding("spike", "Số lần gặp tăng gấp ba.", 3))
    first = submit(
        world,
        evaluation="Đạt.",
        number="12/BC",
        recipients="- Quận A;",
        explanations={"spike": "Có đợt cao điểm."},
    )
    send_back(world, first, reason="Phần đánh giá còn sơ sài.")
    client = personas["leader"]
    page = client.get(add_url(world.ward_a))
    text = page.content.decode()
    assert "Cấp trên đã trả lại báo cáo (lần nộp 1)" in text
    assert "Phần đánh giá còn sơ sài." in text
    assert "Sửa và nộp lại" in text
    form = page.context["form"]
    # everything the returned version said, its explanation kept for the same finding
    assert (form["evaluation"].value(), form["number"].value()) == ("Đạt.", "12/BC")
    assert form["giai-trinh-spike"].value() == "Có đợt cao điểm."
    assert page.context["after"] == 1 and not page.context["folded"]

    done = client.post(add_url(world.ward_a), form_data(page, evaluation="Đạt; hạn chế: …"))
    assert done.status_code == 302
    second = Submission.objects.latest_versions().get()
    assert (second.version, second.evaluation) == (2, "Đạt; hạn chế: …")
    assert done["Location"] == second.get_absolute_url()
    assert not snapshot.returned_reports(world.leader).exists()

    approve(world, second)
    page = client.get(add_url(world.ward_a))
    assert page.context.get("form") is None
    assert "không nộp lại được" in page.content.decode()
    assert client.post(add_url(world.ward_a), {"confirm": "on"}).status_code == 200
    assert Submission.objects.count() == 2


def test_the_detail_lists_every_version_and_what_each_changed(world, personas, found):
    first = submit(world, evaluation="Đạt.")
    send_back(world, first, reason="Thiếu số liệu tháng 6.")
    f.contact(
        person=f.person(ward=world.ward_a, full_name="Nguyễn Văn Bí Mật"),
        member=world.volunteer_member,
        occurred_on=datetime.date(2024, 6, 20),
    )
    second = submit(world, after=1, evaluation="Đạt kế hoạch.", number="3/BC")
    page = personas["supervisor"].get(detail(second))
    assert page.status_code == 200
    text = page.content.decode()
    rows = page.context["versions"]
    assert [(r.submission.version, r.state) for r in rows] == [(1, "returned"), (2, "received")]
    assert rows[0].figures == () and rows[0].sections == ()
    changed = {d.indicator.code: (d.submitted, d.current) for d in rows[1].figures}
    assert changed["casework.persons_reached"] == (0, 1)
    assert rows[1].sections == ("Đánh giá", "Số văn bản")
    assert "Thiếu số liệu tháng 6." in text
    assert "Đã nhận" in text and "Trả lại" in text
    assert "Nguyễn Văn Bí Mật" not in text  # figures, never a supervised person's name
    assert "Lê Văn Hùng" in text  # the leader who submitted
    # the reviewer's form, on the latest version only
    assert page.context["review_form"] is not None
    assert review_url(second) in text
    older = personas["supervisor"].get(detail(first))
    assert older.context["review_form"] is None
    assert "Đây không phải lần nộp mới nhất" in older.content.decode()
    # not for the submitter, nor for who may not review
    for persona in ("leader", "officer", "admin", "volunteer"):
        assert personas[persona].get(detail(second)).context["review_form"] is None


def test_the_detail_numbers_its_sections_and_offers_the_downloads(world, personas, found):
    submission = submit(world, narrative="Tóm tắt.", proposals="Đề xuất mở lớp.")
    page = personas["leader"].get(detail(submission))
    assert [(n, title) for n, title, _text in page.context["document"]] == [
        ("II", "Tình hình, kết quả chung"),
        ("III", "Đề xuất"),
    ]
    text = page.content.decode()
    assert "III. Đề xuất" in text
    for fmt, label in (("pdf", "Tải PDF"), ("docx", "Tải Word (DOCX)"), ("xlsx", "Tải Excel")):
        assert reverse("reports:submission_export", args=[submission.pk, fmt]) in text
        assert label in text


def test_a_supervisor_approves_from_the_detail_page_once(world, personas, found):
    submission = submit(world)
    client = personas["supervisor"]
    page = client.get(detail(submission))
    token = re.search(r'name="_once" value="([^"]+)"', page.content.decode()).group(1)
    data = {"_once": token, "decision": "duyet", "reason": "Đầy đủ."}
    first = client.post(review_url(submission), data)
    assert first.status_code == 302
    second = client.post(review_url(submission), data, follow=True)
    assert second.redirect_chain[-1][0] == detail(submission)
    assert "đã được lưu ở lần gửi trước" in second.content.decode()
    review = Review.objects.get()
    assert (review.decision, review.reason) == ("approved", "Đầy đủ.")
    text = second.content.decode()
    assert "Đã duyệt lúc" in text
    assert second.context["review_form"] is None
    # a new form of the same page now finds it reviewed
    again = client.post(review_url(submission), {"decision": "tra-lai", "reason": "Sửa."})
    assert again.status_code == 302
    assert "Báo cáo này đã được xem xét." in client.get(detail(submission)).content.decode()
    assert Review.objects.count() == 1


def test_returning_without_a_reason_is_shown_again(world, personas, found):
    submission = submit(world)
    refused = personas["supervisor"].post(review_url(submission), {"decision": "tra-lai"})
    assert refused.status_code == 200
    assert "Hãy ghi lý do trả lại để đơn vị biết cần sửa gì." in refused.content.decode()
    assert not Review.objects.exists()
    done = personas["supervisor"].post(
        review_url(submission), {"decision": "tra-lai", "reason": "Thiếu lời văn."}
    )
    assert done.status_code == 302
    assert Review.objects.get().decision == "returned"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("leader", 403), ("officer", 403), ("volunteer", 403), ("admin", 403), ("outsider", 404)],
)
def test_who_may_not_review(world, personas, found, persona, status):
    submission = submit(world)
    data = {"decision": "duyet", "reason": ""}
    assert personas[persona].post(review_url(submission), data).status_code == status
    assert personas[persona].get(review_url(submission)).status_code == 405
    assert not Review.objects.exists()


def test_after_approval_the_changes_are_listed_apart_and_the_figures_kept(world, personas, found):
    submission = submit(world)
    approve(world, submission)
    person = f.person(
        ward=world.ward_a, full_name="Nguyễn Văn Sau Duyệt", registered_on=datetime.date(2024, 5, 1)
    )
    contact = f.contact(
        person=person, member=world.volunteer_member, occurred_on=datetime.date(2024, 6, 2)
    )
    later = f.contact(
        person=person, member=world.volunteer_member, occurred_on=datetime.date(2024, 7, 1)
    )
    for obj in (person, contact, later):
        audit(actor=world.leader, action=AuditEvent.Action.CREATE, obj=obj, unit=world.ward_a)
    # not counted: a record of the next period (`later`), a change before the approval, another
    # ward, a record that does not feed reports
    old = AuditEvent.objects.create(
        actor=world.leader,
        action=AuditEvent.Action.UPDATE,
        object_type="cases.contact",
        unit=world.ward_a,
        created_at=Review.objects.get().reviewed_at - datetime.timedelta(minutes=1),
    )
    audit(actor=world.outsider, action="create", object_type="cases.contact", unit=world.ward_b)
    audit(actor=world.leader, action="update", object_type="wards.team", unit=world.ward_a)
    assert old.pk
    page = personas["supervisor"].get(detail(submission))
    text = page.content.decode()
    assert "Thay đổi sau khi duyệt" in text
    assert page.context["changes_after"] == 2
    assert "2 thay đổi hồ sơ sau khi duyệt" in text
    changed = {d.indicator.code for d in page.context["differences"]}
    assert "casework.persons_reached" in changed
    assert "Nguyễn Văn Sau Duyệt" not in text
    submission.refresh_from_db()
    assert submission.values["casework.persons_reached"] == 0


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_the_detail_takes_the_same_queries_for_1_and_5_versions(world, personas, found):
    client = personas["supervisor"]
    single = submit(world, period=parse("2024-Q1"))
    approve(world, single)
    submission = submit(world)
    for version in range(2, 6):
        send_back(world, submission)
        submission = submit(world, after=version - 1, evaluation=f"Lần {version}.")
    approve(world, submission)
    assert len(client.get(detail(single)).context["versions"]) == 1
    assert len(client.get(detail(submission)).context["versions"]) == 5
    one = _queries(client, detail(single))
    assert _queries(client, detail(submission)) == one
    assert one <= 40


def test_the_admin_reads_reviews_and_changes_nothing(world, personas, found):
    review = send_back(world, submit(world))
    client = personas["admin"]
    page = client.get(reverse("admin:reports_review_changelist"))
    assert page.status_code == 200
    assert "Trả lại để sửa" in page.content.decode()
    assert client.get(reverse("admin:reports_review_add")).status_code == 403
    change = reverse("admin:reports_review_change", args=[review.pk])
    assert client.post(change, {"reason": "sửa"}).status_code == 403
    assert Review.objects.get().reason == review.reason


def test_a_comparison_period_without_data_shows_a_dash(world, personas, found):
    def previous_of(submission, code="casework.persons_reached"):
        page = personas["leader"].get(detail(submission))
        rows = {r.indicator.code: r for s in page.context["sections"] for r in s.rows}
        return page, rows[code].previous

    page, previous = previous_of(submit(world))
    assert previous is None
    assert page.context["previous_empty"]
    assert "không có số liệu" in page.content.decode()
    f.contact(
        person=f.person(ward=world.ward_a, registered_on=datetime.date(2023, 1, 5)),
        member=world.volunteer_member,
        occurred_on=datetime.date(2023, 5, 10),  # the same quarter a year before
    )
    page, previous = previous_of(submit(world, period=parse("2024-Q2", "official")))
    assert previous == 1
    assert not page.context["previous_empty"]


def test_the_checks_are_stored_in_vietnamese_whatever_the_interface_language(world, found):
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    found.append(Finding("lazy", gettext_lazy("Tình nguyện viên"), 1))
    with translation.override("en"):
        assert str(found[0].text) == "Volunteer"  # the English interface translates it
        submission = submit(world, explanations={"lazy": "Đã xem."})
    assert submission.checks[0]["text"] == "Tình nguyện viên"


# At the same time (PostgreSQL: row locks) -----------------------------------------------------


def _race(holder, waiter):
    """`holder` runs in a transaction that commits only once `waiter`, started meanwhile,
    waits for a lock; the outcomes of both."""
    holding = threading.Event()

    def first():
        with transaction.atomic():
            value = holder()
            holding.set()
            assert _wait_until_a_backend_waits_for_a_lock()
        return value

    def second():
        holding.wait(10)
        return waiter()

    threads = [_in_thread(first), _in_thread(second)]
    for thread, _outcome in threads:
        thread.join(30)
    return [outcome for _thread, outcome in threads]


@pytest.mark.postgres
def test_an_approval_and_a_correction_at_once_keep_the_approved_version_latest(
    transactional_db, world, found
):
    first = submit(world)
    approved, corrected = _race(lambda: approve(world, first), lambda: submit(world, after=1))
    assert "error" not in approved, approved.get("error")
    assert "đã được duyệt; không nộp lại được" in corrected["error"].messages[0]
    assert list(Submission.objects.values_list("version", flat=True)) == [1]


@pytest.mark.postgres
def test_a_correction_and_an_approval_at_once_leave_the_new_version_to_review(
    transactional_db, world, found
):
    first = submit(world)
    corrected, approved = _race(lambda: submit(world, after=1), lambda: approve(world, first))
    assert corrected["value"].version == 2
    assert "lần nộp mới nhất" in approved["error"].messages[0]
    assert not Review.objects.exists()


@pytest.mark.postgres
def test_two_corrections_at_once_store_one(transactional_db, world, found):
    send_back(world, submit(world))
    stored, refused = _race(lambda: submit(world, after=1), lambda: submit(world, after=1))
    assert stored["value"].version == 2
    assert "vừa được nộp (lần 2" in refused["error"].messages[0]
    assert Submission.objects.count() == 2


def test_a_form_speaking_of_a_version_that_does_not_exist_is_refused_plainly(world, found):
    """An old or altered page (`lan-nop` of a version never submitted) gets a message and
    writes nothing, never a server error."""
    with pytest.raises(ValidationError) as refused:
        submit(world, after=3)
    assert refused.value.messages == ["Trang này đã cũ: hãy tải lại trang báo cáo trước khi nộp."]
    assert not Submission.objects.exists()


def test_a_supervisor_who_also_files_the_wards_report_does_not_review_it(world, found):
    """A deputy leader of the ward who also holds a supervisor post above it reviews none of
    the ward's reports, even one their team leader submitted."""
    deputy = f.user("doipho_a")
    f.member(team=world.team_a, full_name="Đội Phó A", role="deputy", user=deputy)
    f.post(user=deputy, unit=world.district_a, role=Post.Role.SUPERVISOR)
    submission = submit(world)
    with pytest.raises(ValidationError) as error:
        services.submission_approve(actor=deputy, submission=submission)
    assert "không tự xem xét" in error.value.messages[0]
    assert not Review.objects.exists()


def test_money_is_labelled_once_in_triệu_đồng_in_a_submissions_tables():
    from reports.indicators import FIXED
    from reports.views.submissions import DifferenceRow, figure_label

    loans = FIXED.by_code["support.loan_amount"]
    assert figure_label(loans) == "Tổng số tiền vay (triệu đồng)"
    assert DifferenceRow(loans, 225, 230, 5).label == "Tổng số tiền vay (triệu đồng)"
    assert figure_label(FIXED.by_code["outreach.sessions"]) == "Số cuộc tuyên truyền"
