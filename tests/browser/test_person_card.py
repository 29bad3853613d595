"""The person's page on a 360×740 phone (issue 23): for someone followed since 2013, the
phone number and «Ghi nhận tiếp cận» are on the first screen, and «Xem thêm» brings older
events. Screenshots: tests/browser/screenshots/person-card-*.png and a11y-person-card-*.png.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests import factories as f
from tests.browser.conftest import SCREENSHOTS, Screen
from tests.browser.test_accessibility import check_page
from tests.browser.test_casework import _still  # noqa: F401  (autouse: no transitions)
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.browser

D = datetime.date
FIRST_SCREEN = 740


@pytest.fixture
def long_history(live_world):
    """Like the demo's people: on the register since 2013, 60 contacts over the years, a
    milestone, an enrolment running out, a long address in a residential area."""
    world = live_world
    area = f.area(ward=world.ward_a, name="Tổ dân phố số 12, khu tập thể Dệt Kim")
    person = f.person(
        ward=world.ward_a,
        area=area,
        full_name="Nguyễn Thị Phương Thảo",
        alias="Thảo béo",
        birth_year=1988,
        registered_on=D(2013, 3, 4),
        phone="0987654321",
        address="Số 118 ngách 42/17 ngõ Thổ Quan, phường Khâm Thiên, quận Đống Đa, Hà Nội",
        family_contact="Mẹ: Trần Thị Lan, 0912000111",
    )
    f.assignment(person=person, member=world.volunteer_member, started_on=D(2013, 3, 4))
    start = D(2013, 4, 1)
    for i in range(60):
        f.contact(
            person=person,
            member=world.volunteer_member,
            occurred_on=start + datetime.timedelta(days=70 * i),
            summary=f"Thăm nhà lần {i + 1}: gia đình hợp tác, đã đi làm thời vụ.",
        )
    f.milestone(person=person, occurred_on=D(2019, 6, 1))
    f.enrollment(person=person, started_on=D(2025, 6, 1), due_on=D(2027, 6, 1))
    return person


def _bottom(page, locator) -> float:
    """How far below the top of the page the element ends, in CSS pixels."""
    return locator.evaluate("el => el.getBoundingClientRect().bottom + window.scrollY")


def test_the_phone_and_the_record_button_are_on_the_first_screen(phone: Screen, long_history):
    page = phone.page
    log_in(phone, "tnv_a")
    page.goto(phone.url(long_history.get_absolute_url()))
    call = page.locator("main a[href='tel:0987654321']")
    record = page.locator("main").get_by_role("link", name="Ghi nhận tiếp cận")
    assert call.is_visible() and record.is_visible()
    assert _bottom(page, call) <= FIRST_SCREEN and _bottom(page, record) <= FIRST_SCREEN
    assert call.bounding_box()["height"] >= 44 and record.bounding_box()["height"] >= 44
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "person-card-first-screen-phone.png"))
    problems = check_page(phone, "person-card")
    assert not problems, "\n".join(problems)

    events = page.locator("ol.timeline > li")
    assert events.count() == 10
    assert "Thăm nhà lần 60" in events.first.inner_text()
    page.get_by_role("link", name="Xem thêm").click()
    page.wait_for_url(re.compile(r"\?trang=2#su-kien-11$"))
    assert events.count() == 20
    eleventh = page.locator("#su-kien-11")
    assert "Thăm nhà lần 50" in eleventh.inner_text()
    assert eleventh.is_visible()
    problems = check_page(phone, "person-card-more")
    assert not problems, "\n".join(problems)

    page.get_by_role("link", name="Xem tất cả 62 sự kiện").click()
    page.wait_for_url(re.compile(r"\?trang=7#su-kien-21$"))
    assert events.count() == 62
    assert "Phân công" in events.last.inner_text()
    assert page.get_by_role("link", name="Xem thêm").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


@pytest.mark.parametrize("username", ["doitruong_a"])
def test_a_leader_keeps_every_action_and_the_page_fits(screen: Screen, long_history, username):
    page = screen.page
    log_in(screen, username)
    page.goto(screen.url(long_history.get_absolute_url()))
    main = page.locator("main")
    for name in ("Ghi nhận tiếp cận", "Đánh giá tiến bộ", "Giới thiệu hỗ trợ", "Sửa hồ sơ"):
        assert main.get_by_role("link", name=name).is_visible(), name
    assert main.get_by_role("link", name="Đóng hồ sơ").is_visible()
    edit = reverse("cases:enrollment_add", args=[long_history.pk])
    assert main.locator(f"a[href='{edit}']").is_visible()
    if screen.name == "phone":
        call = page.locator("main a[href='tel:0987654321']")
        assert _bottom(page, call) <= FIRST_SCREEN
    problems = check_page(screen, "person-card-leader")
    assert not problems, "\n".join(problems)
