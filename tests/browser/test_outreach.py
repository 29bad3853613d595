"""Outreach journeys in a real Chromium: a volunteer logs an awareness session on a 360-px
phone, and a team leader types a notebook of activities into the grid on a desktop.

Screenshots go to tests/browser/screenshots/<journey>-<step>-<viewport>.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse

from outreach.models import Activity
from tests.browser.conftest import Screen, _open
from tests.browser.test_casework import assert_no_sideways_scroll, shot, submit, success_text
from tests.browser.test_foundation import log_in, open_nav

pytestmark = pytest.mark.browser

MEETING = "Tuyên truyền tại họp tổ dân phố, đoàn thể"
RADIO = "Phát thanh trên đài truyền thanh"
LEAFLETS = "Phát tờ rơi"


@pytest.fixture
def desktop(browser, live_server, live_world) -> Iterator[Screen]:
    yield from _open(browser, live_server, "desktop")


@pytest.fixture(autouse=True)
def _still(request) -> None:
    for name in ("phone", "desktop"):
        if name in request.fixturenames:
            request.getfixturevalue(name).page.emulate_media(reduced_motion="reduce")


def test_volunteer_logs_an_awareness_session_on_a_phone(phone, live_world):
    page, journey = phone.page, "activity"
    log_in(phone, "tnv_a")
    open_nav(phone, "Hoạt động")
    assert page.get_by_role("heading", level=1).inner_text() == "Hoạt động của Đội"
    shot(phone, journey, "1-empty-list")
    submit(phone, page.locator("main").get_by_role("link", name="Ghi hoạt động").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Ghi hoạt động"

    kind = page.get_by_label("Loại hoạt động")
    participants = page.get_by_label("Số người tham dự")
    minutes = page.get_by_label("Thời lượng mỗi lần (phút)")
    items = page.locator("input[name=items]")
    # Nothing chosen yet: every figure is offered.
    assert participants.is_visible() and minutes.is_visible()

    kind.select_option(label=RADIO)
    minutes.wait_for(state="visible")
    assert not participants.is_visible() and not items.is_visible()
    shot(phone, journey, "2-radio")

    kind.select_option(label=LEAFLETS)
    items.wait_for(state="visible")
    assert page.locator("label[for=id_items]").inner_text().startswith("Số tờ rơi")
    assert not minutes.is_visible()

    kind.select_option(label=MEETING)
    participants.wait_for(state="visible")
    assert not minutes.is_visible() and not items.is_visible()
    participants.fill("45")
    page.get_by_label("Địa điểm, trường học").fill("Nhà văn hóa tổ 5")
    page.get_by_label("Nội dung, chủ đề").fill("Tác hại của ma túy tổng hợp")
    assert_no_sideways_scroll(phone, "activity form")
    shot(phone, journey, "3-filled")

    submit(phone, page.get_by_role("button", name="Lưu", exact=True))
    assert page.locator(".alert-success").count(), page.locator("main").inner_text()
    assert success_text(phone).startswith(f"Đã lưu: {MEETING}")
    activity = Activity.objects.get()
    assert (activity.kind, activity.participants, activity.items) == ("community_meeting", 45, None)
    assert activity.created_by == live_world.volunteer
    # the volunteer was ticked as taking part without doing anything
    assert list(activity.members.all()) == [live_world.volunteer_member]
    assert "45 lượt người" in page.locator("main").inner_text()
    assert_no_sideways_scroll(phone, "activity list")
    shot(phone, journey, "4-saved")


def test_a_figure_the_kind_does_not_use_comes_back_with_its_message(phone, live_world):
    """Without the script's help (a figure typed, then the kind changed on a slow phone), the
    server's message is shown beside the box and the entry is not saved."""
    page = phone.page
    log_in(phone, "tnv_a")
    page.goto(phone.url(reverse("outreach:activity_add")))
    page.get_by_label("Loại hoạt động").select_option(label=LEAFLETS)
    page.locator("input[name=items]").fill("300")
    page.evaluate("document.querySelector('[data-figure=minutes]').hidden = false")
    page.get_by_label("Thời lượng mỗi lần (phút)").fill("15")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu", exact=True).tap()
    feedback = page.locator("#id_minutes_each").locator("xpath=..").locator(".invalid-feedback")
    assert "không ghi thời lượng" in page.locator("main").inner_text()
    assert feedback.count() or page.locator(".invalid-feedback").count()
    assert not Activity.objects.exists()
    shot(phone, "activity", "5-refused")


def test_leader_types_a_notebook_into_the_grid_on_a_desktop(desktop, live_world):
    page, journey = desktop.page, "notebook"
    log_in(desktop, "doitruong_a")
    open_nav(desktop, "Hoạt động")
    submit(desktop, page.get_by_role("link", name="Nhập sổ nhiều dòng"))
    assert page.get_by_role("heading", level=1).inner_text() == "Nhập sổ hoạt động"
    rows = page.locator("tr[data-row]")
    assert rows.count() == 12

    def fill(index: int, day: str, kind: str, **figures: str) -> None:
        row = rows.nth(index)
        row.locator("input[name$=-occurred_on]").fill(day)
        row.locator("select[name$=-kind]").select_option(label=kind)
        for name, value in figures.items():
            row.locator(f"input[name$=-{name}]").fill(value)

    fill(0, "2026-01-31", RADIO, sessions="35", minutes_each="15")
    fill(1, "2026-02-20", MEETING, sessions="4", participants="160")
    fill(2, "2026-03-05", LEAFLETS, items="700")
    fill(3, "2026-03-20", "Sinh hoạt, giao ban Đội")
    # a leaflet drop has no participants nor minutes: the boxes are locked; a radio line may
    # give its estimated listeners
    assert rows.nth(2).locator("input[name$=-participants]").is_disabled()
    assert rows.nth(2).locator("input[name$=-minutes_each]").is_disabled()
    assert not rows.nth(0).locator("input[name$=-participants]").is_disabled()
    page.get_by_role("button", name="Thêm dòng trống").click()
    assert rows.count() == 24
    assert rows.nth(0).locator("input[name$=-sessions]").input_value() == "35"
    shot(desktop, journey, "1-typed")

    submit(desktop, page.get_by_role("button", name="Lưu tất cả"))
    assert success_text(desktop) == "Đã lưu 4 dòng (41 cuộc, buổi)."
    assert Activity.objects.count() == 4
    assert Activity.objects.get(kind="radio").minutes == 525
    totals = page.locator("table tfoot").inner_text()
    assert "41" in totals
    shot(desktop, journey, "2-saved")


def test_volunteer_refers_a_person_for_a_loan_and_the_leader_follows_it(
    phone, browser, live_server, live_world
):
    from cases.models import Person  # noqa: F401  (the factories write persons)
    from outreach.models import Referral
    from tests import factories as f

    world = live_world
    person = f.person(ward=world.ward_a, full_name="Nguyễn Văn Hòa", group="post_rehab")
    f.partner(unit=world.district_a, name="Ngân hàng CSXH quận A")
    f.assignment(person=person, member=world.volunteer_member)
    page, journey = phone.page, "referral"
    log_in(phone, "tnv_a")
    page.goto(phone.url(person.get_absolute_url()))
    submit(phone, page.get_by_role("link", name="Giới thiệu hỗ trợ"))
    page.locator("fieldset label.btn", has_text="Vay vốn").tap()
    page.get_by_label("Đối tác").select_option(label="Ngân hàng CSXH quận A")
    page.get_by_label("Số tiền (đồng)").fill("50.000.000")
    assert_no_sideways_scroll(phone, "referral form")
    shot(phone, journey, "1-form")
    submit(phone, page.get_by_role("button", name="Lưu giới thiệu"))
    assert success_text(phone) == "Đã giới thiệu Nguyễn Văn Hòa: Vay vốn."
    referral = Referral.objects.get()
    assert (referral.amount, referral.status, referral.member) == (
        50_000_000,
        "referred",
        world.volunteer_member,
    )
    item = page.locator("ol.timeline li.timeline-referral")
    assert "Giới thiệu vay vốn" in item.inner_text()
    assert "50.000.000 đồng" in item.inner_text()
    shot(phone, journey, "2-timeline")

    # The leader, on a desktop, finds it among the open referrals and moves it on.
    desktop_gen = _open(browser, live_server, "desktop")
    desktop = next(desktop_gen)
    try:
        log_in(desktop, "doitruong_a")
        open_nav(desktop, "Giới thiệu")
        row = desktop.page.locator("main").get_by_role("link", name="Nguyễn Văn Hòa")
        shot(desktop, journey, "3-open-list")
        submit(desktop, row.first)
        desktop.page.locator("fieldset label.btn", has_text="Được chấp thuận").click()
        submit(desktop, desktop.page.get_by_role("button", name="Lưu kết quả"))
        desktop.page.locator("fieldset label.btn", has_text="Đã giải ngân").click()
        desktop.page.get_by_label("Số tiền được vay (đồng)").fill("45000000")
        submit(desktop, desktop.page.get_by_role("button", name="Lưu kết quả"))
        shot(desktop, journey, "4-completed")
        referral.refresh_from_db()
        assert (referral.status, referral.amount) == ("completed", 45_000_000)
        assert [c.status for c in referral.changes.all()] == ["referred", "approved", "completed"]
        assert "Giới thiệu này đã kết thúc." in desktop.page.locator("main").inner_text()

        # The eligibility list: Hòa is post-rehab with a recent decision.
        f.enrollment(person=person, decision_no="15/QĐ-UBND")
        open_nav(desktop, "Vay vốn")
        assert "Nguyễn Văn Hòa" in desktop.page.locator("main").inner_text()
        shot(desktop, "eligibility", "1-list")
        with desktop.page.expect_download() as download:
            desktop.page.get_by_role("link", name="Tải danh sách (Excel)").click()
        assert download.value.suggested_filename.endswith(".xlsx")
    finally:
        next(desktop_gen, None)


def test_leader_logs_a_session_and_a_loan_referral_through_to_completed(phone, live_world):
    """The leader, on a phone after a meeting: the session, then a loan for a person they
    follow themselves, then the bank's answers as they come in."""
    from outreach.models import Referral
    from tests import factories as f

    world, page, journey = live_world, phone.page, "leader-outreach"
    person = f.person(ward=world.ward_a, full_name="Phạm Văn Tâm", group="post_rehab")
    f.assignment(person=person, member=world.leader_member)
    f.partner(unit=world.district_a, name="Ngân hàng CSXH quận A")
    log_in(phone, "doitruong_a")

    # The outreach session.
    open_nav(phone, "Hoạt động")
    submit(phone, page.locator("main").get_by_role("link", name="Ghi hoạt động").first)
    page.get_by_label("Loại hoạt động").select_option(label=MEETING)
    page.get_by_label("Số người tham dự").fill("30")
    page.get_by_label("Nội dung, chủ đề").fill("Vay vốn tạo việc làm cho người sau cai")
    submit(phone, page.get_by_role("button", name="Lưu", exact=True))
    assert success_text(phone).startswith(f"Đã lưu: {MEETING}")
    activity = Activity.objects.get()
    assert (activity.participants, activity.created_by) == (30, world.leader)
    shot(phone, journey, "1-session-saved")

    # The loan referral, from the person's page.
    open_nav(phone, "Việc của tôi")
    submit(phone, page.locator("main").get_by_role("link", name=person.full_name, exact=True))
    submit(phone, page.get_by_role("link", name="Giới thiệu hỗ trợ"))
    page.locator("fieldset label.btn", has_text="Vay vốn").tap()
    page.get_by_label("Đối tác").select_option(label="Ngân hàng CSXH quận A")
    page.get_by_label("Số tiền (đồng)").fill("40.000.000")
    assert_no_sideways_scroll(phone, "referral form")
    submit(phone, page.get_by_role("button", name="Lưu giới thiệu"))
    assert success_text(phone) == f"Đã giới thiệu {person.full_name}: Vay vốn."
    referral = Referral.objects.get()
    assert (referral.status, referral.member) == ("referred", world.leader_member)

    # Advanced, one answer at a time, from the list of open referrals.
    open_nav(phone, "Giới thiệu")
    submit(phone, page.locator("main").get_by_role("link", name=person.full_name).first)
    page.locator("fieldset label.btn", has_text="Được chấp thuận").tap()
    submit(phone, page.get_by_role("button", name="Lưu kết quả"))
    assert page.locator(".alert-success").is_visible()
    page.locator("fieldset label.btn", has_text="Đã giải ngân").tap()
    page.get_by_label("Số tiền được vay (đồng)").fill("40000000")
    assert_no_sideways_scroll(phone, "referral outcome form")
    shot(phone, journey, "2-outcome")
    submit(phone, page.get_by_role("button", name="Lưu kết quả"))
    assert page.locator(".alert-success").is_visible()
    assert "Giới thiệu này đã kết thúc." in page.locator("main").inner_text()
    shot(phone, journey, "3-completed")
    referral.refresh_from_db()
    assert (referral.status, referral.amount) == ("completed", 40_000_000)
    assert [c.status for c in referral.changes.all()] == ["referred", "approved", "completed"]
