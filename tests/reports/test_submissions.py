"""Report submissions: a ward's report frozen with its narrative, who and when; the status of
a period's submissions under a unit; the difference when the data changes afterwards."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports import checks, services
from reports.choice import Choice
from reports.models import Submission
from reports.narrative import write
from reports.periods import parse
from reports.report import as_json, build
from tests import factories as f
from tests.conftest import login
from wards.models import AuditEvent, Post

TODAY = timezone.localdate()
Q2 = parse("2024-Q2")
ADD = reverse("reports:submission_add")
STATUS = reverse("reports:submission_status")


def running_quarter():
    return parse(f"{TODAY.year}-Q{(TODAY.month - 1) // 3 + 1}")


def url(name: str, unit, period=Q2) -> str:
    return f"{name}?{Choice(unit, period).query()}"


def visit(world, day: datetime.date = datetime.date(2024, 5, 10), person=None, **fields):
    """A home visit in ward A on `day` (of a new person unless one is given)."""
    person = person or f.person(ward=world.ward_a, registered_on=datetime.date(2024, 1, 5))
    return f.contact(person=person, member=world.volunteer_member, occurred_on=day, **fields)


def explained(unit, period=Q2) -> dict[str, str]:
    """A one-line explanation for each finding of the checks on the unit's period (the world's
    teams had no members yet in 2024: «team_below_size»)."""
    return {finding.code: "Đội mới thành lập." for finding in checks.run(unit, period)}


def explanation_fields(page) -> dict[str, str]:
    """The submit form's explanation of each finding it shows."""
    return {
        f"giai-trinh-{finding.code}": "Đã kiểm tra." for finding in page.context["form"].findings
    }


def submit(world, unit=None, period=Q2, actor=None, narrative="Trong quý II năm 2024, …"):
    unit = unit or world.ward_a
    return services.submission_submit(
        actor=actor or world.leader,
        unit=unit,
        period=period,
        narrative=narrative,
        explanations=explained(unit, period),
    )


def stored(
    unit, period, by, at: datetime.datetime | None = None, figures: dict | None = None
) -> Submission:
    """A submission written directly, without computing figures (for the status page), or
    with `figures` as an older release stored them."""
    return f.submission(
        unit=unit,
        period=period,
        by=by,
        figures=figures or {"indicators": {}},
        submitted_at=at or timezone.now(),
    )


# The service --------------------------------------------------------------------------------


def test_a_submission_freezes_the_report_as_it_was_then(world):
    visit(world)
    visit(world, kind="phone")
    expected = as_json(build(world.ward_a, Q2))
    submission = submit(world, narrative="  Trong quý II năm 2024, Đội đã tiếp cận 2 người.  ")
    submission.refresh_from_db()
    assert submission.figures == expected
    assert submission.values["casework.persons_reached"] == 2
    assert submission.values["casework.counselling_indirect"] == 1
    assert submission.narrative == "Trong quý II năm 2024, Đội đã tiếp cận 2 người."
    assert (submission.period_spec, submission.cutoff) == ("2024-Q2", "calendar")
    assert (submission.start, submission.end) == (Q2.start, Q2.end)
    assert submission.period_label == "Quý II năm 2024"
    assert submission.submitted_by == world.leader


def test_the_snapshot_is_vietnamese_whatever_the_interface_language(world):
    from django.utils import translation

    with translation.override("en"):
        submission = submit(world)
    assert submission.figures["period"]["label"] == "Quý II năm 2024"


def test_a_second_submission_for_the_same_period_is_its_next_version(world):
    first = submit(world)
    second = submit(world, actor=world.officer)
    assert (first.version, second.version) == (1, 2)
    assert Submission.objects.count() == 2
    # the official cut-off is another report
    assert submit(world, period=parse("2024-Q2", "official")).version == 1
    assert Submission.objects.count() == 3


def test_a_period_still_running_is_refused(world):
    with pytest.raises(ValidationError) as error:
        submit(world, period=running_quarter())
    assert error.value.messages[0].startswith("Kỳ báo cáo chưa kết thúc")
    assert not Submission.objects.exists()


def test_a_unit_reports_only_for_periods_it_existed_in(world):
    # the new ward's leader may file the old ward's overdue report
    assert submit(world, unit=world.ward_a_old).unit == world.ward_a_old
    with pytest.raises(ValidationError) as error:
        submit(world, unit=world.ward_a_old, period=parse("2025-Q3"))
    assert "Phường A Cũ chỉ tồn tại đến ngày 30/06/2025" in error.value.messages[0]
    formed = f.unit(
        parent=world.district_a, name="Phường Mới", valid_from=datetime.date(2025, 7, 1)
    )
    f.post(user=world.officer, unit=formed, role=Post.Role.OFFICER)
    with pytest.raises(ValidationError) as error:
        submit(world, unit=formed, actor=world.officer)
    assert "Phường Mới được thành lập từ ngày 01/07/2025" in error.value.messages[0]
    assert submit(world, unit=formed, actor=world.officer, period=parse("2025")).unit == formed


def test_only_leaders_and_officers_may_submit(world):
    for actor in (world.volunteer, world.supervisor, world.outsider, world.admin):
        with pytest.raises(PermissionDenied):
            submit(world, actor=actor)
    assert not Submission.objects.exists()
    assert submit(world, actor=world.officer).submitted_by == world.officer


def test_submitting_writes_an_audit_row(world):
    submission = submit(world)
    event = AuditEvent.objects.get(object_type="reports.submission")
    assert event.action == AuditEvent.Action.CREATE
    assert event.object_id == str(submission.pk)
    assert event.actor == world.leader
    assert event.unit == world.ward_a
    assert event.changes == {
        "period": "2024-Q2",
        "cutoff": "calendar",
        "version": 1,
        "checks": [check["code"] for check in submission.checks],
    }
    assert list(explained(world.ward_a)) == event.changes["checks"] != []


def test_figures_changed_since_the_page_was_read_are_refused(world):
    seen = services.fingerprint(services.freeze(build(world.ward_a, Q2)))
    visit(world)
    with pytest.raises(ValidationError) as error:
        services.submission_submit(
            actor=world.leader, unit=world.ward_a, period=Q2, narrative="", seen=seen
        )
    assert "Số liệu đã thay đổi" in error.value.messages[0]
    assert not Submission.objects.exists()


def test_money_is_shown_in_millions_of_dong():
    from decimal import Decimal

    from reports.indicators import FIXED
    from reports.views.submissions import shown

    BY_CODE = FIXED.by_code  # noqa: N806
    loans = BY_CODE["support.loan_amount"]
    assert shown(loans, 112_500_000) == Decimal("112.5")
    assert str(shown(loans, 110_000_000)) == "110"
    assert shown(loans, None) is None
    assert shown(BY_CODE["support.gifts"], 1500) == 1500


# Immutability -------------------------------------------------------------------------------


def test_a_submission_can_be_neither_updated_nor_deleted(world):
    submission = submit(world)
    with pytest.raises(TypeError):
        Submission.objects.update(narrative="sửa")
    with pytest.raises(TypeError):
        Submission.objects.filter(pk=submission.pk).delete()
    submission.narrative = "sửa"
    with pytest.raises(TypeError):
        submission.save()
    with pytest.raises(TypeError):
        submission.delete()
    # a copy carrying the row's id does not overwrite it either
    copy = Submission(
        **{f.attname: getattr(submission, f.attname) for f in Submission._meta.fields}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    submission.refresh_from_db()
    assert submission.narrative != "sửa"


def test_the_database_holds_one_submission_per_unit_and_period(world):
    stored(world.ward_a, Q2, world.leader)
    with pytest.raises(IntegrityError), transaction.atomic():
        stored(world.ward_a, Q2, world.officer)


@pytest.mark.postgres
def test_postgresql_refuses_a_raw_update_or_delete(world):
    submission = submit(world)
    for sql in (
        "UPDATE reports_submission SET narrative = 'sửa' WHERE id = %s",
        "DELETE FROM reports_submission WHERE id = %s",
    ):
        refused = pytest.raises(DatabaseError, match="reports_submission rows are frozen")
        with refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [submission.pk])
    submission.refresh_from_db()
    assert submission.narrative == "Trong quý II năm 2024, …"


# The submit page ----------------------------------------------------------------------------


def test_a_leader_reads_the_figures_and_submits_with_an_edited_narrative(world, personas):
    visit(world)
    page = personas["leader"].get(url(ADD, world.ward_a))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Số người được tiếp cận, giúp đỡ" in text
    # what the checks found is said before the long table of figures, with a way down to them
    findings = len(page.context["form"].findings)
    assert findings
    summary = text.index(f"Kiểm tra số liệu: {findings} điểm cần sửa hoặc giải trình.")
    assert summary < text.index("Số liệu theo từng chỉ tiêu") and 'href="#kiem-tra"' in text
    prefilled = write(build(world.ward_a, Q2).values, Q2)
    assert "tiếp cận, giúp đỡ 1 người" in prefilled
    assert page.context["form"]["narrative"].value() == prefilled
    data = {
        "narrative": prefilled + " Đội đã họp rút kinh nghiệm.",
        "so-lieu": page.context["seen"],
        "lan-nop": "0",
        **explanation_fields(page),
    }

    refused = personas["leader"].post(url(ADD, world.ward_a), data)
    assert refused.status_code == 200
    assert "Hãy đánh dấu ô xác nhận" in refused.content.decode()
    assert not Submission.objects.exists()

    done = personas["leader"].post(url(ADD, world.ward_a), {**data, "confirm": "on"}, follow=True)
    submission = Submission.objects.get()
    assert done.redirect_chain[-1][0] == submission.get_absolute_url()
    assert "Đã nộp báo cáo quý II năm 2024 của Phường A (lần 1)." in done.content.decode()
    assert submission.narrative.endswith("Đội đã họp rút kinh nghiệm.")
    assert submission.values["casework.persons_reached"] == 1

    # the officer opens the page: received, awaiting review, the correction folded away
    again = personas["officer"].get(url(ADD, world.ward_a))
    text = again.content.decode()
    assert "đang chờ cấp trên xem xét" in text
    assert submission.get_absolute_url() in text
    assert again.context["folded"]
    assert again.context["after"] == 1
    # a page read before the submission is refused: the report was just submitted
    stale = personas["officer"].post(url(ADD, world.ward_a), {**data, "confirm": "on"})
    assert stale.status_code == 200
    assert "vừa được nộp (lần 1" in stale.content.decode()
    assert Submission.objects.count() == 1


def test_figures_that_changed_while_the_page_was_open_are_shown_again(world, personas):
    page = personas["leader"].get(url(ADD, world.ward_a))
    visit(world)
    data = {"narrative": "", "confirm": "on", "so-lieu": page.context["seen"]}
    data |= explanation_fields(page)
    again = personas["leader"].post(url(ADD, world.ward_a), data)
    assert again.status_code == 200
    assert "Số liệu đã thay đổi từ lúc bạn mở trang" in again.content.decode()
    assert again.context["seen"] != page.context["seen"]
    assert not Submission.objects.exists()


def test_a_running_period_shows_a_notice_and_no_form(world, personas):
    page = personas["leader"].get(url(ADD, world.ward_a, running_quarter()))
    assert page.status_code == 200
    assert "Kỳ báo cáo chưa kết thúc" in page.content.decode()
    assert page.context.get("form") is None
    post = personas["leader"].post(url(ADD, world.ward_a, running_quarter()), {"confirm": "on"})
    assert post.status_code == 200
    assert not Submission.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [("volunteer", 403), ("supervisor", 403), ("admin", 403), ("outsider", 404)],
)
def test_who_cannot_submit_ward_a(world, personas, persona, status):
    client = personas[persona]
    assert client.get(url(ADD, world.ward_a)).status_code == status
    assert client.post(url(ADD, world.ward_a), {"confirm": "on"}).status_code == status
    assert not Submission.objects.exists()


def test_a_period_that_cannot_be_read_is_explained(world, personas):
    page = personas["leader"].get(ADD, {"don-vi": world.ward_a.code, "ky": "quý 2"})
    assert page.status_code == 400
    assert "Không hiểu kỳ báo cáo «quý 2»" in page.content.decode()


# A submitted report -------------------------------------------------------------------------


def test_the_detail_shows_the_difference_and_keeps_the_snapshot(world, personas):
    late, next_quarter = (f.person(ward=world.ward_a) for _ in range(2))
    visit(world)
    submission = submit(world)
    detail = reverse("reports:submission_detail", args=[submission.pk])
    page = personas["supervisor"].get(detail)
    assert page.status_code == 200
    assert page.context["differences"] == []
    assert "vẫn khớp" in page.content.decode()

    visit(world, day=datetime.date(2024, 6, 30), person=late)
    visit(world, day=datetime.date(2024, 7, 1), person=next_quarter)  # not in Q2
    page = personas["supervisor"].get(detail)
    text = page.content.decode()
    assert "Số liệu đã thay đổi sau khi nộp" in text
    changed = {
        d.indicator.code: (d.submitted, d.current, d.change) for d in page.context["differences"]
    }
    assert changed == {
        "casework.persons_reached": (1, 2, 1),
        "casework.persons_reached.using": (1, 2, 1),
        "casework.counselling_direct": (1, 2, 1),
        "casework.persons_met_direct": (1, 2, 1),
    }
    submission.refresh_from_db()
    assert submission.values["casework.persons_reached"] == 1
    assert submission.narrative in text


def test_a_loan_completed_after_submitting_shows_in_millions(world, personas):
    from outreach.models import Referral

    person = f.person(ward=world.ward_a)
    submission = submit(world)
    f.referral(
        person=person,
        referred_on=datetime.date(2024, 4, 2),
        status=Referral.Status.COMPLETED,
        status_on=datetime.date(2024, 5, 20),
        amount=112_500_000,
    )
    page = personas["leader"].get(reverse("reports:submission_detail", args=[submission.pk]))
    rows = {d.indicator.code: d for d in page.context["differences"]}
    assert str(rows["support.loan_amount"].current) == "112.5"
    assert rows["support.loan_persons"].change == 1
    assert "112,5" in page.content.decode()


def test_a_snapshot_stores_every_code_of_the_catalogue_with_the_programmes(world):
    from reports.indicators import catalogue

    f.programme("b93", name="CLB B93", category="club")
    submission = submit(world)
    codes = catalogue().codes
    assert "programmes.enrolled.b93" in codes
    assert list(submission.values) == list(codes)
    assert list(submission.figures["previous"]["indicators"]) == list(codes)


def test_an_older_snapshot_without_the_new_codes_shows_them_as_not_existing(world, personas):
    """A report submitted before a figure (or a programme) was added: the figure did not exist
    when it was submitted (None, «—»); it is a difference only where it is not zero now."""
    from reports.indicators import FIXED

    f.programme("b93", name="CLB B93", category="club")
    visit(world)
    new = ("casework.persons_met_direct", "casework.counselled.", "programmes.")
    old = {code: 0 for code in FIXED.codes if not code.startswith(new)}
    old |= {
        "casework.persons_reached": 1,
        "casework.persons_reached.using": 1,
        "casework.counselling_direct": 1,
    }
    snapshot = {"indicators": old, "previous": {"indicators": old}}
    older = stored(world.ward_b, Q2, world.leader, figures=snapshot)
    page = personas["admin"].get(reverse("reports:submission_detail", args=[older.pk]))
    assert page.status_code == 200
    rows = {d.indicator.code: d for d in page.context["differences"]}
    # Ward B has no contact: the figures the snapshot had differ, the new ones (zero) do not.
    assert rows["casework.persons_reached"].current == 0
    assert not [code for code in rows if code.startswith(new)]
    shown = {r.indicator.code: r.value for s in page.context["sections"] for r in s.rows}
    assert shown["casework.persons_met_direct"] is None
    assert shown["programmes.enrolled.b93"] is None
    assert shown["casework.persons_reached"] == 1

    moved = stored(world.ward_a, Q2, world.leader, figures={"indicators": old})
    page = personas["supervisor"].get(reverse("reports:submission_detail", args=[moved.pk]))
    rows = {d.indicator.code: d for d in page.context["differences"]}
    met = rows["casework.persons_met_direct"]
    assert (met.submitted, met.current) == (None, 1)
    assert "programmes.enrolled.b93" not in rows  # zero today: nothing to show
    assert "casework.persons_reached" not in rows


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("volunteer", 200),
        ("leader", 200),
        ("officer", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("outsider", 404),
    ],
)
def test_who_may_open_a_submission(world, personas, persona, status):
    submission = stored(world.ward_a, Q2, world.leader)
    detail = reverse("reports:submission_detail", args=[submission.pk])
    assert personas[persona].get(detail).status_code == status


# Who has submitted (the board itself: tests/reports/test_status.py) ----------------------


def test_a_period_still_running_has_nothing_late(world, personas):
    page = personas["supervisor"].get(url(STATUS, world.district_a, running_quarter()))
    board = page.context["board"]
    assert [row.unit for row in board.rows] == [world.ward_a]  # the old ward ended in 2025
    assert board.counts.pending == 1
    assert "chưa kết thúc" in page.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("volunteer", 404),
        ("leader", 404),
        ("officer", 404),
        ("outsider", 404),
        ("supervisor", 200),
        ("admin", 200),
    ],
)
def test_who_may_follow_district_a(world, personas, persona, status):
    assert personas[persona].get(url(STATUS, world.district_a)).status_code == status


def test_a_ward_has_no_status_page(world, personas):
    assert personas["leader"].get(url(STATUS, world.ward_a)).status_code == 404
    assert personas["supervisor"].get(url(STATUS, world.ward_a)).status_code == 404


def _queries(client, address) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_the_submit_and_detail_pages_take_the_same_queries_for_1_and_20_contacts(world):
    client = login(world.leader)
    visit(world)
    submission = submit(world)
    detail = reverse("reports:submission_detail", args=[submission.pk])
    add = url(ADD, world.ward_a, parse("2024-05"))
    counts = (_queries(client, detail), _queries(client, add))
    for i in range(19):
        visit(world, day=datetime.date(2024, 5, 1 + i), kind="phone")
    assert (_queries(client, detail), _queries(client, add)) == counts
    assert counts[0] <= 40  # the rollup's 15 sources, the catalogue, the scope, the session…
    assert counts[1] <= 80  # and the checks, a query each
