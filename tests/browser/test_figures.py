"""Journeys through issue 20's new features in a real Chromium: counselling topics on a contact,
a ward's club and its members, a corrected group with its history, and a department's own
training.

Screenshots go to tests/browser/screenshots/<journey>-<step>-<viewport>.png.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Club, Contact, Enrollment, GroupChange, Person
from outreach.models import Activity
from tests import factories as f
from tests.browser.conftest import Screen
from tests.browser.test_casework import (
    assert_no_sideways_scroll,
    followed_person,
    kind_button,
    press,
    shot,
    submit,
    success_text,
)
from tests.browser.test_foundation import log_in, open_nav

pytestmark = pytest.mark.browser

VISITED = "Thăm tại nhà"
DRUG_TEST = "Phối hợp xét nghiệm"
TOPICS = "Nội dung tư vấn (không bắt buộc)"
CLUB = "CLB B93 tổ dân phố 5"
B93 = "Câu lạc bộ B93"


@pytest.fixture(autouse=True)
def _still(request) -> None:
    """No transitions: screenshots show settled pages (as in test_casework.py)."""
    for name in ("phone", "screen"):
        if name in request.fixturenames:
            request.getfixturevalue(name).page.emulate_media(reduced_motion="reduce")


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def open_person(screen: Screen, name: str) -> None:
    """From the register (the main menu's «Danh sách quản lý»), open a person's page."""
    open_nav(screen, "Danh sách quản lý")
    submit(screen, screen.page.locator("main").get_by_role("link", name=re.compile(name)).first)


def open_clubs(screen: Screen) -> None:
    """The ward's clubs, through the register's own menu."""
    open_nav(screen, "Danh sách quản lý")
    menu = screen.page.get_by_role("navigation", name="Công việc của xã, phường")
    submit(screen, menu.get_by_role("link", name="Câu lạc bộ"))


# 1. A volunteer records a home visit with two counselling topics -----------------------------


def test_volunteer_records_counselling_topics_on_a_phone(phone, live_world):
    page, world, journey = phone.page, live_world, "topics"
    person = followed_person(world)
    log_in(phone, "tnv_a")
    submit(phone, page.get_by_role("link", name=f"Ghi nhận tiếp cận {person.full_name}"))
    assert page.get_by_role("heading", level=1).inner_text() == "Ghi nhận tiếp cận"

    topics = page.get_by_role("group", name=TOPICS)
    assert topics.is_visible()
    psychological = page.get_by_role("checkbox", name="Tâm lý", include_hidden=True)
    career = page.get_by_role("checkbox", name="Hướng nghiệp", include_hidden=True)
    press(phone, kind_button(page, VISITED))
    press(phone, topics.get_by_text("Tâm lý", exact=True))
    assert psychological.is_checked()

    # A drug test carries no topics: they go out of sight, and the tick goes with them.
    press(phone, kind_button(page, DRUG_TEST))
    page.locator("#contact-topics").wait_for(state="hidden")
    assert not topics.is_visible()
    assert not psychological.is_checked()
    assert page.get_by_label("Kết quả xét nghiệm").is_visible()
    assert_no_sideways_scroll(phone, "contact form, drug test")
    shot(phone, journey, "1-drug-test")

    # Back to a home visit: the topics return, unticked; two are chosen.
    press(phone, kind_button(page, VISITED))
    topics.wait_for(state="visible")
    assert not psychological.is_checked()
    press(phone, topics.get_by_text("Tâm lý", exact=True))
    press(phone, topics.get_by_text("Hướng nghiệp", exact=True))
    assert psychological.is_checked() and career.is_checked()
    assert not page.get_by_role("checkbox", name="Pháp luật", include_hidden=True).is_checked()
    page.get_by_label("Nội dung").fill("Nói chuyện về việc học nghề sửa xe, động viên anh.")
    assert_no_sideways_scroll(phone, "contact form with topics")
    shot(phone, journey, "2-form")

    submit(phone, page.get_by_role("button", name="Lưu"))
    assert page.url == phone.url(reverse("cases:my_work"))
    assert success_text(phone) == f"Đã lưu lượt tiếp cận với {person.full_name}."
    contact = Contact.objects.get(person=person)
    assert contact.kind == Contact.Kind.HOME_VISIT
    assert sorted(contact.topics.values_list("topic", flat=True)) == ["career", "psychological"]

    # The person's page: the visit on the timeline carries its topics as badges.
    submit(phone, page.locator("main").get_by_role("link", name=person.full_name, exact=True))
    assert page.url == phone.url(person.get_absolute_url())
    visit = page.locator("ol.timeline li.timeline-contact", has_text=VISITED)
    badges = visit.locator(".badge")
    assert sorted(badges.all_inner_texts()) == ["Hướng nghiệp", "Tâm lý"]
    assert "Nội dung tư vấn:" in visit.inner_text()  # the badges' name for a screen reader
    assert_no_sideways_scroll(phone, "person page with topics")
    shot(phone, journey, "3-timeline")


# 2. A leader founds a club and enrols a person in it ------------------------------------------


def test_leader_founds_a_club_and_enrols_a_member(screen, live_world):
    page, world, journey = screen.page, live_world, "club"
    f.club_programme("club_b93")
    person = f.person(ward=world.ward_a, full_name="Ngô Văn Phúc", group="post_rehab")
    founded = days_ago(20)
    log_in(screen, "doitruong_a")

    # The ward has no club yet.
    open_clubs(screen)
    assert page.url == screen.url(reverse("cases:club_list"))
    assert "chưa có câu lạc bộ nào" in page.locator("main").inner_text()
    submit(screen, page.locator("main").get_by_role("link", name="Thành lập câu lạc bộ"))
    assert page.url == screen.url(reverse("cases:club_add"))
    page.get_by_label("Tên câu lạc bộ").fill("  CLB B93   tổ dân phố 5 ")
    page.get_by_label("Chương trình").select_option(label=B93)
    page.get_by_label("Ngày thành lập").fill(founded.isoformat())
    assert_no_sideways_scroll(screen, "club form")
    shot(screen, journey, "1-found")
    submit(screen, page.get_by_role("button", name="Lưu"))
    club = Club.objects.get()
    assert page.url == screen.url(reverse("cases:club_detail", args=[club.pk]))
    assert success_text(screen) == f"Đã thành lập {CLUB}."
    assert (club.name, club.ward, club.founded_on) == (CLUB, world.ward_a, founded)
    assert "Chưa có thành viên nào" in page.locator("main").inner_text()

    # The person joins the club's programme through the club.
    open_person(screen, person.full_name)
    assert page.url == screen.url(person.get_absolute_url())
    submit(screen, page.get_by_role("link", name="Thêm chương trình, biện pháp"))
    assert page.url == screen.url(reverse("cases:enrollment_add", args=[person.pk]))
    page.get_by_label("Chương trình, biện pháp").select_option(label=B93)
    club_select = page.get_by_label("Câu lạc bộ")
    assert club_select.locator("option").all_inner_texts() == [
        "Không qua câu lạc bộ",
        CLUB,  # its programme is the one chosen just above
    ]
    club_select.select_option(label=CLUB)
    page.get_by_label("Ngày bắt đầu").fill(days_ago(10).isoformat())
    assert_no_sideways_scroll(screen, "enrolment form")
    shot(screen, journey, "2-enrol")
    submit(screen, page.get_by_role("button", name="Lưu"))
    assert page.url == screen.url(person.get_absolute_url())
    enrolment = Enrollment.objects.get(person=person)
    assert (enrolment.club, enrolment.programme.code) == (club, "club_b93")
    assert f"{B93} · {CLUB}" in page.locator("main").inner_text()

    # The club page names its member, not yet assessed.
    open_clubs(screen)
    item = page.locator("main li.roster-item", has_text=CLUB)
    assert "1 thành viên" in item.inner_text()
    submit(screen, item.get_by_role("link", name=CLUB))
    assert page.url == screen.url(reverse("cases:club_detail", args=[club.pk]))
    assert page.get_by_role("heading", level=1).inner_text() == CLUB
    members = page.locator("main li.roster-item")
    assert members.count() == 1
    member = members.first
    assert member.get_by_role("link", name=person.full_name).is_visible()
    assert f"tham gia từ {dmy(days_ago(10))}" in member.inner_text()
    assert "chưa đánh giá" in member.inner_text()
    assert_no_sideways_scroll(screen, "club page")
    shot(screen, journey, "3-club-page")


# 3. A leader corrects a person's group; the person page shows the history ---------------------


def test_leader_corrects_a_group_and_sees_the_history(screen, live_world):
    page, world, journey = screen.page, live_world, "group"
    person = f.person(ward=world.ward_a, full_name="Vũ Văn Quang", group="high_risk")
    since = days_ago(7)
    reason = "Kết quả xét nghiệm dương tính, xác định là người sử dụng."
    log_in(screen, "doitruong_a")

    open_person(screen, person.full_name)
    assert "Lịch sử nhóm" in page.locator("main").inner_text()
    submit(screen, page.get_by_role("link", name="Sửa hồ sơ"))
    assert page.url == screen.url(reverse("cases:person_edit", args=[person.pk]))

    # «Lý do thay đổi nhóm» waits for another group (static/js/person_form.js), and goes
    # when the group on file is chosen again.
    group = page.get_by_label(re.compile(r"^\s*Nhóm\*?\s*$"))
    since_box = page.get_by_label("Từ ngày", exact=True)
    reason_box = page.get_by_label("Lý do thay đổi nhóm")
    assert not reason_box.is_visible()
    group.select_option(label="Người sử dụng trái phép chất ma túy")
    reason_box.wait_for(state="visible")
    group.select_option(label="Người có nguy cơ cao")
    reason_box.wait_for(state="hidden")
    group.select_option(label="Người sử dụng trái phép chất ma túy")
    reason_box.wait_for(state="visible")
    assert since_box.is_visible()
    since_box.fill(since.isoformat())
    reason_box.fill(reason)
    assert_no_sideways_scroll(screen, "person edit form")
    shot(screen, journey, "1-edit")

    submit(screen, page.get_by_role("button", name="Lưu", exact=True))
    assert page.url == screen.url(person.get_absolute_url())
    assert success_text(screen) == f"Đã lưu hồ sơ của {person.full_name}."
    person.refresh_from_db()
    assert person.group == Person.Group.DRUG_USER
    latest = GroupChange.objects.filter(person=person).order_by("-since", "-pk").first()
    assert (latest.group, latest.since, latest.reason) == ("drug_user", since, reason)

    heading = page.get_by_role("heading", name="Lịch sử nhóm")
    assert heading.is_visible()
    history = heading.locator("xpath=following-sibling::ol[1]").locator("li")
    newest = history.first
    assert "Người sử dụng trái phép chất ma túy" in newest.inner_text()
    assert f"từ {dmy(since)}" in newest.inner_text()
    assert reason in newest.inner_text()
    assert "ghi nhận bởi Lê Văn Hùng" in newest.inner_text()
    assert "Người có nguy cơ cao" in history.last.inner_text()
    assert "Người sử dụng trái phép chất ma túy" in page.locator("main h1 + p").inner_text()
    assert_no_sideways_scroll(screen, "person page with group history")
    shot(screen, journey, "2-history")


# 4. A supervisor records a training at their own unit -----------------------------------------


def test_supervisor_records_a_training_at_their_unit(screen, live_world):
    page, world, journey = screen.page, live_world, "unit-training"
    log_in(screen, "giamsat_a")
    open_nav(screen, "Tập huấn, tọa đàm")
    assert page.url == screen.url(reverse("outreach:unit_activity_list"))
    assert page.get_by_role("heading", level=1).inner_text() == "Tập huấn, tọa đàm của đơn vị"
    assert "Đơn vị chưa ghi lớp tập huấn" in page.locator("main").inner_text()
    shot(screen, journey, "1-empty")

    submit(screen, page.locator("main").get_by_role("link", name="Ghi tập huấn, tọa đàm"))
    assert page.url == screen.url(reverse("outreach:unit_activity_add"))
    assert "Quận A" in page.locator("main").inner_text()
    kind = page.get_by_label("Loại hoạt động")
    # A department records its trainings and seminars only, none of a ward's kinds.
    offered = {text.strip() for text in kind.locator("option").all_inner_texts()}
    assert {"Tập huấn", "Tọa đàm, đối thoại"} <= offered and "Phát tờ rơi" not in offered
    kind.select_option(label="Tập huấn")
    page.get_by_label(re.compile(r"^\s*Ngày\*?\s*$")).fill(days_ago(3).isoformat())
    page.get_by_label("Số cuộc, buổi, lần").fill("2")
    page.get_by_label("Nội dung, chủ đề").fill("Tập huấn kỹ năng tư vấn cho Đội các phường")
    # The figure takes the training's own name (static/js/activity_form.js).
    page.get_by_label("Số người được tập huấn").fill("85")
    page.get_by_label("Địa điểm, trường học").fill("Hội trường UBND quận")
    assert_no_sideways_scroll(screen, "unit training form")
    shot(screen, journey, "2-form")

    submit(screen, page.get_by_role("button", name="Lưu", exact=True))
    assert page.url == screen.url(reverse("outreach:unit_activity_list"))
    assert success_text(screen).startswith("Đã lưu: Tập huấn")
    activity = Activity.objects.get()
    assert (activity.unit, activity.kind, activity.sessions, activity.participants) == (
        world.district_a,
        "training",
        2,
        85,
    )
    assert activity.created_by == world.supervisor
    rows = page.locator("main li.roster-item", has_text=dmy(days_ago(3)))
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Tập huấn" in row and "2 buổi" in row and "85 lượt người" in row
    assert "Tập huấn kỹ năng tư vấn cho Đội các phường · Hội trường UBND quận" in row
    assert_no_sideways_scroll(screen, "unit training list")
    shot(screen, journey, "3-list")
