"""Long lists on a 360×740 phone (issue 23): the notebook grid stays inside the screen and its
«Lưu tất cả» takes the tap; the assignment board counts the ticked persons, finds a name and
keeps its button in sight; a volunteer's activity page opens on their own month.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Assignment
from outreach import services as outreach
from outreach.models import Activity
from tests import factories as f
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_accessibility import check_page
from tests.browser.test_casework import assert_no_sideways_scroll, shot, submit
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.browser


def covering_element(page, locator) -> str:
    """What a finger landing on the middle of `locator` would touch, or "" if it is `locator`
    itself (or something inside it)."""
    return locator.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            if (hit && (hit === el || el.contains(hit))) return "";
            return hit ? hit.tagName.toLowerCase() + '.' + hit.className : "nothing";
        }"""
    )


def in_viewport(page, locator) -> bool:
    return locator.evaluate(
        """el => { const r = el.getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }"""
    )


def test_the_notebook_grid_fits_the_phone_and_saves_with_a_tap(phone, live_world):
    page = phone.page
    log_in(phone, "doitruong_a")
    page.goto(phone.url(reverse("outreach:activity_batch")))
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the grid page is {width} px wide"
    assert_no_sideways_scroll(phone, "notebook grid")
    # The table itself still scrolls sideways inside its box.
    scroll_box = page.locator(".batch-scroll")
    assert scroll_box.evaluate("el => el.scrollWidth > el.clientWidth")

    save = page.get_by_role("button", name="Lưu tất cả")
    save.scroll_into_view_if_needed()
    assert covering_element(page, save) == ""
    shot(phone, "phone-lists", "1-grid")
    assert not check_page(phone, "phone-lists-grid")

    # One line typed, and the tap on «Lưu tất cả» saves it.
    page.locator("#id_dong-0-occurred_on").fill(timezone.localdate().isoformat())
    page.locator("#id_dong-0-kind").select_option("community_meeting")
    page.locator("#id_dong-0-participants").fill("30")
    save.scroll_into_view_if_needed()
    submit(phone, save)
    assert page.url.split("?")[0] == phone.url(reverse("outreach:activity_list"))
    assert Activity.objects.get().participants == 30


def test_the_board_counts_finds_and_keeps_its_button_in_sight(phone, live_world):
    page, world = phone.page, live_world
    names = [f"Đỗ Văn Người {i:02d}" for i in range(40)] + ["Nguyễn Thị Hòa"]
    for name in names:
        f.person(ward=world.ward_a, full_name=name)
    log_in(phone, "doitruong_a")
    page.goto(phone.url(reverse("cases:assignment_board")))
    page.wait_for_load_state()
    assert_no_sideways_scroll(phone, "assignment board")
    count = page.locator("[data-board-count]")
    assert count.inner_text() == "Đã chọn 0 người"

    page.locator("label.list-group-item", has_text="Đỗ Văn Người 03").locator("input").tap()
    page.locator("label.list-group-item", has_text="Đỗ Văn Người 17").locator("input").tap()
    assert count.inner_text() == "Đã chọn 2 người"
    button = page.get_by_role("button", name="Phân công những người đã chọn")
    # Still in the middle of the list: the bar's button is on the screen, and takes the tap.
    assert page.locator("label.list-group-item", has_text="Đỗ Văn Người 39").evaluate(
        "el => el.getBoundingClientRect().top > window.innerHeight"
    )
    assert in_viewport(page, button)
    assert covering_element(page, button) == ""
    shot(phone, "phone-lists", "2-board-ticked")
    # What the phone's screen shows at that moment, not the whole page: the bar at its foot.
    page.screenshot(path=str(SCREENSHOTS / "phone-lists-2-board-screen-phone.png"))

    # The search, without diacritics, hides the other rows; the ticks stay.
    search = page.get_by_label("Tìm tên trong danh sách này")
    search.fill("hoa")
    rows = page.locator("label.list-group-item:visible")
    assert rows.count() == 1 and "Nguyễn Thị Hòa" in rows.first.inner_text()
    assert "Thấy 1 trong 41 người" in page.locator("[data-board-found]").inner_text()
    rows.first.locator("input").tap()
    assert count.inner_text() == "Đã chọn 3 người"
    search.press("Enter")  # a search, not a submit
    assert page.url == phone.url(reverse("cases:assignment_board"))
    shot(phone, "phone-lists", "3-board-search")
    assert not check_page(phone, "phone-lists-board")

    page.get_by_label("Giao cho thành viên").select_option(label="Trần Thị Lan")
    submit(phone, button)
    assert page.locator(".alert-success").inner_text().strip() == (
        "Đã phân công 3 người cho Trần Thị Lan."
    )
    held = Assignment.objects.open().filter(member=world.volunteer_member)
    assert set(held.values_list("person__full_name", flat=True)) == {
        "Đỗ Văn Người 03",
        "Đỗ Văn Người 17",
        "Nguyễn Thị Hòa",
    }


def test_a_volunteers_activity_page_opens_on_their_own_month(phone, live_world):
    page, world = phone.page, live_world
    today = timezone.localdate()
    first = today.replace(day=1)

    def meeting(on: datetime.date, participants: int, member) -> None:
        outreach.activity_record(
            actor=world.leader,
            unit=world.ward_a,
            occurred_on=on,
            kind="community_meeting",
            participants=participants,
            members=[member],
        )

    meeting(first, 12, world.volunteer_member)
    meeting(first - datetime.timedelta(days=1), 34, world.volunteer_member)
    meeting(first, 56, world.leader_member)
    log_in(phone, "tnv_a")
    page.goto(phone.url(reverse("outreach:activity_list")))
    page.wait_for_load_state()
    status = page.locator("#cua-toi-thang-nay")
    assert f"tháng {today:%m/%Y}" in status.inner_text()
    lines = page.locator("main ul.list-unstyled:not(.d-md-none) li.roster-item")
    totals = page.locator("main ul.d-md-none li.roster-item")
    assert "12 lượt người" in totals.first.inner_text() and totals.count() == 1
    assert lines.count() == 1 and "12 lượt người" in lines.first.inner_text()
    listed = page.locator("main").inner_text()
    assert "34 lượt người" not in listed and "56 lượt người" not in listed
    assert_no_sideways_scroll(phone, "activities, mine")
    shot(phone, "phone-lists", "4-activities-mine")
    assert not check_page(phone, "phone-lists-activities")

    # Widened to the whole team, every period: the three lines and their sum.
    submit(phone, status.get_by_role("link", name="Cả đội, mọi thời gian"))
    assert "member=" in page.url
    assert page.locator("#cua-toi-thang-nay").count() == 0
    assert "102 lượt người" in totals.first.inner_text()
    assert lines.count() == 3
    shot(phone, "phone-lists", "5-activities-team")
