"""Casework journeys in a real Chromium: a volunteer records a visit on a 360-px phone, the same
form is used with the keyboard alone, and a team leader registers, finds and assigns persons.

Every click and keystroke goes through the page; only the login page is opened by URL. The
harness (conftest.py) fails a test on any HTTP error or JavaScript error. Screenshots go to
tests/browser/screenshots/<journey>-<step>-<viewport>.png.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Assignment, Contact, Milestone, Person
from tests import factories as f
from tests.browser.conftest import Screen, _open
from tests.browser.test_foundation import log_in, open_nav

pytestmark = pytest.mark.browser

VISITED = "Thăm tại nhà"
DRUG_TEST = "Phối hợp xét nghiệm"
OUTCOME = "Có việc làm"
SUMMARY = "Gặp mẹ và anh Hoa. Anh đã đi làm phụ hồ được hai tuần, cần hỗ trợ giấy tờ."


@pytest.fixture
def desktop(browser, live_server, live_world) -> Iterator[Screen]:
    yield from _open(browser, live_server, "desktop")


@pytest.fixture(autouse=True)
def _still(request) -> None:
    """No transitions: a screenshot taken just after a tap shows the settled page, not a
    button half-way through Bootstrap's 0.15 s colour fade or a menu half open."""
    for name in ("phone", "desktop", "screen"):
        if name in request.fixturenames:
            request.getfixturevalue(name).page.emulate_media(reduced_motion="reduce")


# Helpers ------------------------------------------------------------------------------------


def shot(screen: Screen, journey: str, step: str) -> None:
    screen.shot(f"{journey}-{step}")


def press(screen: Screen, locator) -> None:
    """A tap on the phone, a click on the desktop."""
    if screen.name == "phone":
        locator.tap()
    else:
        locator.click()


def submit(screen: Screen, locator) -> None:
    """Press a button or link that loads a new page, and wait for that page."""
    with screen.page.expect_navigation():
        press(screen, locator)
    screen.page.wait_for_load_state()


def assert_no_sideways_scroll(screen: Screen, where: str) -> None:
    m = screen.page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
                              && !el.closest('.table-responsive, .visually-hidden,'
                                             + ' .visually-hidden-focusable'))
                .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))
                .slice(0, 5),
        })"""
    )
    assert m["scrollWidth"] <= m["innerWidth"], (
        f"{screen.name} {where}: page scrolls sideways "
        f"({m['scrollWidth']} > {m['innerWidth']} px): {m['wide']}"
    )


def success_text(screen: Screen) -> str:
    return screen.page.locator(".alert-success").inner_text().strip()


def kind_button(page, label: str):
    """A contact kind: the radio input is hidden by Bootstrap's btn-check; its label is the
    big button a volunteer taps."""
    return page.locator("fieldset label.btn", has_text=label)


def followed_person(world, name: str = "Nguyễn Văn Hòa") -> Person:
    person = f.person(ward=world.ward_a, full_name=name, birth_year=1992, phone="0987654321")
    f.assignment(person=person, member=world.volunteer_member)
    return person


# 1. A volunteer records a home visit on a phone ----------------------------------------------


def test_volunteer_records_a_home_visit_on_a_phone(phone, live_world):
    page, world, journey = phone.page, live_world, "visit"
    person = followed_person(world)

    navigations: list[str] = []
    page.on(
        "framenavigated",
        lambda frame: navigations.append(frame.url) if frame == page.main_frame else None,
    )
    page.goto(phone.url(reverse("login")))
    page.get_by_label("Tên đăng nhập").fill("tnv_a")
    page.get_by_label("Mật khẩu").fill(f.PASSWORD)
    navigations.clear()  # count the screens from the login button on

    # Screen 1: the work list is the volunteer's home.
    submit(phone, page.locator("main").get_by_role("button", name="Đăng nhập"))
    assert page.url == phone.url(reverse("home"))
    assert page.get_by_role("heading", level=1).inner_text() == "Việc của tôi"
    row = page.locator("li.work-item", has_text=person.full_name)
    assert row.is_visible()
    assert "Chưa tiếp cận lần nào" in row.inner_text()
    assert_no_sideways_scroll(phone, "work list")
    shot(phone, journey, "1-work-list")

    # Screen 2: the contact form.
    record = page.get_by_role("link", name=f"Ghi nhận tiếp cận {person.full_name}")
    submit(phone, record)
    assert page.url == phone.url(reverse("cases:contact_add", args=[person.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == "Ghi nhận tiếp cận"
    assert_no_sideways_scroll(phone, "contact form")
    shot(phone, journey, "2-form-empty")

    # The drug-test result shows only for a drug test (static/js/contact_form.js).
    result = page.get_by_label("Kết quả xét nghiệm")
    assert not result.is_visible()
    press(phone, kind_button(page, DRUG_TEST))
    result.wait_for(state="visible")
    shot(phone, journey, "3-drug-test")
    result.select_option(label="Âm tính")
    press(phone, kind_button(page, VISITED))
    result.wait_for(state="hidden")
    assert result.input_value() == "", "a hidden result must not be posted"

    assert page.get_by_label(VISITED).is_checked()
    page.get_by_label("Nội dung").fill(SUMMARY)
    outcome = page.get_by_label("Chuyển biến ghi nhận được")
    assert OUTCOME in outcome.locator("option").all_inner_texts()
    outcome.select_option(label=OUTCOME)
    assert_no_sideways_scroll(phone, "filled contact form")
    shot(phone, journey, "4-form-filled")

    # Screen 3: back on the work list, with the message.
    submit(phone, page.get_by_role("button", name="Lưu"))
    assert page.url == phone.url(reverse("cases:my_work"))
    assert success_text(phone) == f"Đã lưu lượt tiếp cận với {person.full_name}."
    row = page.locator("li.work-item", has_text=person.full_name)
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"Lần gần nhất: {today}, {VISITED}" in row.inner_text()
    assert_no_sideways_scroll(phone, "work list after saving")
    shot(phone, journey, "5-saved")

    assert len(navigations) <= 3, f"{len(navigations)} screens after login: {navigations}"

    contact = Contact.objects.get(person=person)
    assert contact.kind == Contact.Kind.HOME_VISIT
    assert contact.summary == SUMMARY
    assert contact.drug_test_result == ""
    assert contact.member == world.volunteer_member
    assert Milestone.objects.get(person=person).kind == Milestone.Kind.JOB

    # The person's page: the visit and the outcome are on the timeline.
    submit(phone, page.locator("main").get_by_role("link", name=person.full_name, exact=True))
    assert page.url == phone.url(person.get_absolute_url())
    timeline = page.locator("ol.timeline")
    visit = timeline.locator("li.timeline-contact", has_text=VISITED)
    assert visit.is_visible()
    assert SUMMARY in visit.inner_text()
    assert "Người thực hiện: Trần Thị Lan" in visit.inner_text()
    assert timeline.locator("li.timeline-milestone", has_text=f"Chuyển biến: {OUTCOME}").count()
    assert_no_sideways_scroll(phone, "person page")
    shot(phone, journey, "6-person")


# 2. The same form with the keyboard alone -----------------------------------------------------


def tab_to(page, selector: str, *, limit: int = 40) -> list[str]:
    """Press Tab until the focused element matches `selector`; the stops on the way."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return stops
        stops.append(
            page.evaluate(
                """() => {const e = document.activeElement;
                    return e.tagName.toLowerCase() + (e.name ? '[name=' + e.name + ']' : '')
                           + ' ' + (e.innerText || e.value || '').trim().slice(0, 30)}"""
            )
        )
    raise AssertionError(f"Tab never reached {selector}; stops: {stops}")


def focused(page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def test_contact_form_with_the_keyboard_alone(desktop, live_world):
    page, world, journey = desktop.page, live_world, "keyboard"
    person = followed_person(world)
    log_in(desktop, "tnv_a")

    # From the work list to the form: Tab to the person's button, Enter.
    tab_to(page, f"a[href='{reverse('cases:contact_add', args=[person.pk])}']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == desktop.url(reverse("cases:contact_add", args=[person.pk]))

    # The skip link is the first stop and jumps past the menu.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link")
    page.keyboard.press("Enter")
    tab_to(page, "input[name=occurred_on]", limit=5)
    assert page.locator("input[name=occurred_on]").input_value() == (
        timezone.localdate().isoformat()
    )

    # Into the kinds (Chromium stops on the day, month and year of the date on the way): Tab
    # lands on the first button, Space chooses it, arrows move on.
    tab_to(page, "input[name=kind]", limit=5)
    assert focused(page, "input[name=kind][value=home_visit]")
    label = kind_button(page, VISITED)
    ring = label.evaluate("el => getComputedStyle(el).boxShadow")
    assert ring != "none", "the focused kind button shows no focus ring"
    shot(desktop, journey, "1-kind-focused")
    page.keyboard.press("Space")
    assert page.get_by_label(VISITED).is_checked()
    for _ in range(5):  # Thăm tại nhà → … → Phối hợp xét nghiệm
        page.keyboard.press("ArrowRight")
    assert focused(page, "input[name=kind][value=drug_test]")
    assert page.get_by_label(DRUG_TEST).is_checked()
    result = page.get_by_label("Kết quả xét nghiệm")
    result.wait_for(state="visible")

    # Tab leaves the group for the result, then the summary.
    page.keyboard.press("Tab")
    assert focused(page, "select[name=drug_test_result]")
    page.keyboard.press("ArrowDown")  # — → Âm tính
    assert result.input_value() == Contact.DrugTestResult.NEGATIVE
    page.keyboard.press("Tab")
    assert focused(page, "textarea[name=summary]")
    page.keyboard.type("Đi cùng anh Hòa đến trạm y tế, kết quả âm tính.")
    shot(desktop, journey, "2-filled")

    # Submit with Enter on «Lưu».
    tab_to(page, "button[type=submit].btn-primary", limit=6)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The skip link's #main stays on the address across the redirect; harmless.
    assert page.url.split("#")[0] == desktop.url(reverse("cases:my_work"))
    assert success_text(desktop) == f"Đã lưu lượt tiếp cận với {person.full_name}."
    shot(desktop, journey, "3-saved")

    contact = Contact.objects.get(person=person)
    assert contact.kind == Contact.Kind.DRUG_TEST
    assert contact.drug_test_result == Contact.DrugTestResult.NEGATIVE
    assert contact.summary == "Đi cùng anh Hòa đến trạm y tế, kết quả âm tính."
    assert contact.occurred_on == timezone.localdate()
    # Left empty, the next contact is set from the team's rhythm.
    assert contact.next_due_on is None or contact.next_due_on > contact.occurred_on


# 3. A team leader registers, finds, assigns and moves ten persons in one action -------------


def fill_person(page, *, name: str, birth_year: int) -> None:
    today = timezone.localdate().isoformat()
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Nam", exact=True).check()
    page.get_by_label("Năm sinh").fill(str(birth_year))
    page.get_by_label("Nhóm").select_option(label="Người sau cai nghiện")
    page.get_by_label("đã được hỏi và đồng ý").check()
    page.get_by_label("Ngày đồng ý cung cấp thông tin").fill(today)


def open_register_form(screen: Screen) -> None:
    open_nav(screen, "Danh sách quản lý")
    submit(screen, screen.page.locator("main").get_by_role("link", name="Đăng ký người mới"))
    assert screen.page.url == screen.url(reverse("cases:person_add"))


NEW_NAMES = [
    "Đặng Văn Bình",
    "Bùi Thị Cúc",
    "Hồ Văn Dũng",
    "Ngô Thị Điệp",
    "Dương Văn Giang",
    "Lý Thị Hạnh",
    "Phan Văn Khải",
    "Võ Thị Loan",
    "Trịnh Văn Minh",
    "Đinh Thị Nga",
]


def test_leader_registers_finds_and_assigns(screen, live_world):
    page, world, journey = screen.page, live_world, "leader"
    log_in(screen, "doitruong_a")

    # Register Nguyễn Văn An, consent ticked.
    open_register_form(screen)
    assert_no_sideways_scroll(screen, "person form")
    fill_person(page, name="Nguyễn Văn An", birth_year=1988)
    shot(screen, journey, "1-register")
    submit(screen, page.get_by_role("button", name="Lưu"))
    an = Person.objects.get(full_name="Nguyễn Văn An")
    assert page.url == screen.url(an.get_absolute_url())
    assert success_text(screen) == "Đã đưa Nguyễn Văn An vào danh sách."
    assert an.consent_by == world.leader and an.ward == world.ward_a

    # The same person typed without diacritics: the duplicate warning, a 200 re-render.
    open_register_form(screen)
    fill_person(page, name="Nguyen Van An", birth_year=1988)
    submit(screen, page.get_by_role("button", name="Lưu"))
    assert page.url == screen.url(reverse("cases:person_add"))
    warning = page.locator("main .alert-warning")
    assert "Danh sách của xã, phường đã có người cùng họ tên và năm sinh:" in warning.inner_text()
    assert warning.get_by_role("link", name="Nguyễn Văn An").is_visible()
    assert "sinh 1988" in warning.inner_text()
    assert "Nếu đúng là một người khác" in warning.inner_text()
    assert page.get_by_label("Họ và tên").input_value() == "Nguyen Van An"
    assert_no_sideways_scroll(screen, "duplicate warning")
    shot(screen, journey, "2-duplicate")
    assert Person.objects.count() == 1

    if screen.name == "desktop":
        # Really someone else: the warning's own «Vẫn đăng ký người mới» button saves.
        submit(screen, page.get_by_role("button", name="Vẫn đăng ký người mới"))
        assert success_text(screen) == "Đã đưa Nguyen Van An vào danh sách."
        expected = {"Nguyễn Văn An", "Nguyen Van An"}
    else:
        # The same person: cancel, back to the register, nothing saved.
        submit(screen, page.locator("main").get_by_role("link", name="Hủy"))
        assert page.url == screen.url(reverse("cases:register"))
        expected = {"Nguyễn Văn An"}
    assert set(Person.objects.values_list("full_name", flat=True)) == expected

    # Search the register without diacritics; the name never enters the URL.
    open_nav(screen, "Danh sách quản lý")
    page.get_by_label("Tìm theo tên hoặc tên gọi khác").fill("nguyen van an")
    submit(screen, page.locator("main").get_by_role("button", name="Tìm", exact=True))
    assert "nguyen" not in page.url.lower() and "q=" not in page.url
    results = page.locator("main .list-group a.list-group-item")
    found = {results.nth(i).locator(".fw-semibold").inner_text() for i in range(results.count())}
    assert found == expected
    assert page.get_by_label("Tìm theo tên hoặc tên gọi khác").input_value() == "nguyen van an"
    assert_no_sideways_scroll(screen, "register search")
    shot(screen, journey, "3-search")

    # The board: give Nguyễn Văn An to the volunteer.
    open_nav(screen, "Phân công")
    assert page.url == screen.url(reverse("cases:assignment_board"))
    page.locator("label.list-group-item", has_text="Nguyễn Văn An").locator("input").check()
    page.get_by_label("Giao cho thành viên").select_option(label="Trần Thị Lan")
    assert_no_sideways_scroll(screen, "assignment board")
    shot(screen, journey, "4-board")
    submit(screen, page.get_by_role("button", name="Phân công những người đã chọn"))
    assert success_text(screen) == "Đã phân công 1 người cho Trần Thị Lan."
    assert Assignment.objects.open().get(person=an).member == world.volunteer_member

    # Ten persons Lan follows move to another member in one submit (Lan is going away).
    ten = [
        f.person(ward=world.ward_a, full_name=name, registered_on=datetime.date(2025, 1, 6))
        for name in NEW_NAMES
    ]
    for person in ten:
        f.assignment(person=person, member=world.volunteer_member)
    page.reload()
    page.wait_for_load_state()
    lan = page.locator("main ul.list-group li", has_text="Trần Thị Lan").first
    assert lan.get_by_role("link").inner_text() == "11 người"  # the ten and Nguyễn Văn An
    submit(screen, lan.get_by_role("link"))
    rows = page.locator("label.list-group-item")
    assert rows.count() == 11
    assert "Đang được Trần Thị Lan giúp đỡ" in rows.first.inner_text()
    for name in NEW_NAMES:
        box = page.locator("label.list-group-item", has_text=name).locator("input")
        assert not box.is_checked()
        press(screen, box)
    assert page.locator("input[name=persons]:checked").count() == 10
    member = world.team_a.members.get(full_name="Phạm Văn Thành Viên 0")
    page.get_by_label("Giao cho thành viên").select_option(label=member.full_name)
    shot(screen, journey, "5-ten-ticked")
    submit(screen, page.get_by_role("button", name="Phân công những người đã chọn"))
    assert page.url.split("?")[0] == screen.url(reverse("cases:assignment_board"))
    assert success_text(screen) == f"Đã phân công 10 người cho {member.full_name}."
    held = Assignment.objects.open().filter(person__in=ten)
    assert held.count() == 10
    assert set(held.values_list("member", flat=True)) == {member.pk}
    assert set(held.values_list("assigned_by", flat=True)) == {world.leader.pk}
    ended = Assignment.objects.filter(person__in=ten, member=world.volunteer_member)
    assert ended.count() == 10 and not ended.filter(ended_on__isnull=True).exists()
    assert Assignment.objects.open().get(person=an).member == world.volunteer_member
    caseload = page.locator("main ul.list-group li", has_text=member.full_name).first
    assert caseload.get_by_role("link").inner_text() == "10 người"
    lan = page.locator("main ul.list-group li", has_text="Trần Thị Lan").first
    assert lan.get_by_role("link").inner_text() == "1 người"
    assert_no_sideways_scroll(screen, "board after moving ten")
    shot(screen, journey, "6-ten-moved")
