"""Filing a period report in a real Chromium, end to end: the leader checks the figures,
explains each finding, edits the narrative and «Nơi nhận» and submits; the district supervisor
returns it with a reason; the leader corrects it and submits again (version 2, its changes
listed); the supervisor approves; both download the Word and PDF documents, which hold the
edited words and the figures the page showed, and no supervised person's name.

Screenshots go to tests/browser/screenshots/filing-<step>-<viewport>.png.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import re
import unicodedata

import pytest
from django.urls import reverse
from django.utils import timezone

from outreach.models import Activity
from reports.document import lower_first
from tests import factories as f
from tests.browser.conftest import _open
from tests.browser.test_casework import _still, assert_no_sideways_scroll, shot, submit  # noqa: F401
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.browser

D = datetime.date
DAY = datetime.timedelta(days=1)
ADDED = "Đội đã phối hợp tốt với Công an phường."
AMENDED = "Đã bổ sung số liệu."
RECIPIENT = "- Phòng Văn hóa - Xã hội quận A;"
RECOMMENDATION = "Đề nghị quận hỗ trợ kinh phí in tờ rơi."
REASON = "Thiếu số liệu tư vấn nhóm."
NAMES = ("Nguyễn Văn Hòa", "Trần Văn Bình", "Lê Thị Cúc")


def opened(browser, live_server, name):
    """Another browser context (its own session) at a viewport; on leaving it, the same check
    as the fixtures: nothing went wrong on the wire."""
    return contextlib.contextmanager(_open)(browser, live_server, name)


@pytest.fixture
def quarter(live_world):
    """The latest ended quarter of Phường A: figures that are not zero, and two findings of
    the checks (a helper assigned all quarter without a contact; a contact dated before its
    person was put on the register)."""
    from reports.home import filing_period

    world = live_world
    period = filing_period(world.ward_a, timezone.localdate())
    start = period.start
    leader = world.leader_member
    hoa = f.person(ward=world.ward_a, full_name=NAMES[0], registered_on=start - DAY * 90)
    binh = f.person(ward=world.ward_a, full_name=NAMES[1], registered_on=start - DAY * 60)
    cuc = f.person(ward=world.ward_a, full_name=NAMES[2], registered_on=start + DAY * 40)
    f.assignment(person=hoa, member=leader)
    f.assignment(person=binh, member=world.volunteer_member)  # never met this quarter
    for days in (5, 20, 35):
        f.contact(person=hoa, member=leader, occurred_on=start + DAY * days)
    f.contact(person=binh, member=leader, occurred_on=start + DAY * 50)
    f.contact(person=cuc, member=leader, occurred_on=start + DAY * 30)  # before 40
    Activity.objects.create(
        unit=world.ward_a,
        occurred_on=start + DAY * 42,
        kind="community_meeting",
        sessions=2,
        participants=45,
    )
    return world, period


def figures_on(page) -> dict[str, str]:
    """The unit's figure of every top-level count in the page's figures table."""
    caption = page.locator("caption", has_text="Số liệu theo từng chỉ tiêu")
    table = page.locator("table", has=caption)
    figures = {}
    for row in table.locator("tbody tr").all():
        label = row.locator("th[scope=row]")
        if not label.count() or "ps-3" in (label.get_attribute("class") or ""):
            continue
        text = label.inner_text().strip()
        if "triệu đồng" in text:
            continue
        figures[text] = row.locator("td").first.inner_text().strip()
    return figures


def no_names(page, where: str) -> None:
    text = page.content()
    for name in NAMES:
        assert name not in text, f"{name} is on the supervisor's {where}"


def download(screen, link: str, tmp_path) -> tuple[str, bytes]:
    page = screen.page
    with page.expect_download() as info:
        page.get_by_role("link", name=link).click()
    file = info.value
    assert file.failure() is None
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / file.suggested_filename
    file.save_as(path)
    return file.suggested_filename, path.read_bytes()


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def docx_text(content: bytes) -> tuple[str, list[list[str]]]:
    import docx

    document = docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs]
    rows = []
    for table in document.tables:
        for row in table.rows:
            cells = [flat(c.text) for c in row.cells]
            rows.append(cells)
            paragraphs += cells
    return flat("\n".join(paragraphs)), rows


def pdf_text(content: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(content))
    return flat(" ".join(p.extract_text() for p in reader.pages))


def test_leader_files_the_quarter_report_and_the_district_reviews_it(
    browser, live_server, quarter, tmp_path
):
    from reports.choice import Choice
    from reports.models import Review, Submission

    world, period = quarter
    add_url = live_server.url + reverse("reports:submission_add") + "?"
    add_url += Choice(world.ward_a, period).query()

    # The leader's phone: the submit page, before anything is filed.
    with opened(browser, live_server, "phone") as phone:
        phone.page.emulate_media(reduced_motion="reduce")
        log_in(phone, "doitruong_a")
        phone.page.goto(add_url)
        assert phone.page.get_by_role("heading", level=1).inner_text() == "Nộp báo cáo"
        assert phone.page.locator("ol.list-group-numbered > li").count() == 2
        assert_no_sideways_scroll(phone, "the submit page")
        shot(phone, "filing", "1-submit")

    with (
        opened(browser, live_server, "desktop") as leader,
        opened(browser, live_server, "desktop") as supervisor,
    ):
        lp, sp = leader.page, supervisor.page
        for screen in (leader, supervisor):
            screen.page.emulate_media(reduced_motion="reduce")

        # 1. The leader opens the period to file from the home page's card.
        log_in(leader, "doitruong_a")
        card = lp.locator(".card", has_text=f"Nộp báo cáo {lower_first(str(period.label))}")
        assert "Phường A" in card.inner_text()
        submit(leader, card.get_by_role("link", name="Nộp báo cáo"))
        assert lp.url == add_url
        assert "Phường A" in lp.locator("main").inner_text()

        # The checks: two findings, each explained in one line.
        findings = lp.locator("ol.list-group-numbered > li")
        texts = findings.all_inner_texts()
        assert len(texts) == 2, texts
        assert "1 thành viên được phân công giúp đỡ nhưng không có lượt tiếp cận" in texts[1]
        assert "Có 1 lượt tiếp cận ghi ngày trước khi người đó được đưa vào danh sách" in texts[0]
        for n, item in enumerate(findings.all(), start=1):
            item.get_by_label("Giải trình").fill(f"Giải trình số {n}: đã xem lại hồ sơ.")

        narrative = lp.get_by_label("Tình hình, kết quả chung")
        written = narrative.input_value()
        assert written.strip(), "the narrative is written from the figures"
        narrative.fill(f"{written.rstrip()} {ADDED}")
        recipients = lp.get_by_label("Nơi nhận")
        assert recipients.input_value() == "- UBND quận A;\n- Lưu: VT."
        recipients.fill(f"{RECIPIENT}\n- Lưu: VT.")
        lp.get_by_label("Kiến nghị").fill(RECOMMENDATION)
        lp.get_by_label("Tôi xác nhận số liệu trên là đúng và nộp báo cáo kỳ này.").check()
        submit(leader, lp.get_by_role("button", name="Nộp báo cáo"))

        first = Submission.objects.get(unit=world.ward_a, period_spec=period.spec)
        detail_url = live_server.url + first.get_absolute_url()
        assert lp.url == detail_url
        assert lp.locator(".alert-success").first.inner_text().strip() == (
            f"Đã nộp báo cáo {lower_first(str(period.label))} của Phường A (lần 1)."
        )
        main = lp.locator("main")
        assert main.locator(".badge").first.inner_text() == "Đã nhận"
        assert ADDED in main.inner_text() and RECIPIENT in main.inner_text()
        assert [c["explanation"] for c in first.checks] == [
            "Giải trình số 1: đã xem lại hồ sơ.",
            "Giải trình số 2: đã xem lại hồ sơ.",
        ]
        shot(leader, "filing", "2-submitted")

        # 2. The supervisor, past the second factor, finds it on the status board.
        log_in(supervisor, "giamsat_a")
        no_names(sp, "home page")
        status = reverse("reports:submission_status") + "?"
        sp.goto(supervisor.url(status + Choice(world.district_a, period).query()))
        no_names(sp, "status board")
        row = sp.locator("main li", has_text="Phường A").filter(has_text="Xem báo cáo").first
        submit(supervisor, row.get_by_role("link", name="Xem báo cáo"))
        assert sp.url == detail_url
        review = sp.get_by_role("region", name="Xem xét báo cáo")
        assert review.is_visible()
        no_names(sp, "detail page")

        # The same page on the supervisor's phone, the review form under the downloads.
        with opened(browser, live_server, "phone") as phone:
            phone.page.emulate_media(reduced_motion="reduce")
            # the same session: a TOTP code is accepted once, and a second one means waiting
            phone.page.context.add_cookies(sp.context.cookies())
            phone.page.goto(detail_url)
            assert phone.page.get_by_role("region", name="Xem xét báo cáo").is_visible()
            assert_no_sideways_scroll(phone, "the detail page with the review form")
            no_names(phone.page, "detail page (phone)")
            shot(phone, "filing", "3-review")

        review.get_by_label("Lý do trả lại, hoặc nhận xét khi duyệt").fill(REASON)
        submit(supervisor, review.get_by_role("button", name="Trả lại"))
        assert sp.locator(".alert-success").first.inner_text().strip() == (
            f"Đã trả lại báo cáo {lower_first(str(period.label))} của Phường A "
            "để đơn vị sửa và nộp lại."
        )
        assert sp.locator("main .badge").first.inner_text() == "Trả lại"
        assert f"Lý do: {REASON}" in sp.locator("main").inner_text()
        assert not sp.get_by_role("region", name="Xem xét báo cáo").count()
        no_names(sp, "returned detail page")
        shot(supervisor, "filing", "4-returned")

        # 3. The leader sees the return on the home page and submits again.
        lp.goto(leader.url(reverse("home")))
        card = lp.locator(".card", has_text=f"Báo cáo {lower_first(str(period.label))} bị trả lại")
        assert f"Lý do: {REASON}" in card.inner_text()
        assert "lần nộp 1" in card.inner_text()
        shot(leader, "filing", "5-home-returned")
        submit(leader, card.get_by_role("link", name="Sửa và nộp lại"))
        assert lp.url == add_url
        returned = lp.get_by_role("alert").filter(has_text="Cấp trên đã trả lại báo cáo")
        assert REASON in returned.inner_text()
        # everything the first version said is there again, the explanations too
        narrative = lp.get_by_label("Tình hình, kết quả chung")
        assert narrative.input_value().endswith(ADDED)
        assert lp.get_by_label("Nơi nhận").input_value() == f"{RECIPIENT}\n- Lưu: VT."
        assert lp.get_by_label("Kiến nghị").input_value() == RECOMMENDATION
        explained = [x.input_value() for x in lp.get_by_label("Giải trình").all()]
        assert explained == [
            "Giải trình số 1: đã xem lại hồ sơ.",
            "Giải trình số 2: đã xem lại hồ sơ.",
        ]
        narrative.fill(f"{narrative.input_value()} {AMENDED}")
        lp.get_by_label("Tôi xác nhận số liệu trên là đúng và nộp báo cáo kỳ này.").check()
        submit(leader, lp.get_by_role("button", name="Nộp lại (lần 2)"))

        second = Submission.objects.get(unit=world.ward_a, period_spec=period.spec, version=2)
        second_url = live_server.url + second.get_absolute_url()
        assert lp.url == second_url
        assert lp.locator(".alert-success").first.inner_text().strip() == (
            f"Đã nộp báo cáo {lower_first(str(period.label))} của Phường A (lần 2)."
        )
        assert "Lần nộp 2" in lp.locator("main").inner_text()
        versions = lp.get_by_role("list", name="Các lần nộp").locator("> li")
        assert versions.count() == 2
        one, two = versions.all_inner_texts()
        assert "Lần 1" in one and "Trả lại" in one and f"Lý do: {REASON}" in one
        assert "Lần 2" in two and "Đã nhận" in two
        assert "Thay đổi so với lần trước: sửa Tình hình, kết quả chung" in flat(two)
        shot(leader, "filing", "6-resubmitted")

        # 4. The supervisor approves version 2; version 1 can no longer be reviewed.
        sp.goto(detail_url)
        assert not sp.get_by_role("region", name="Xem xét báo cáo").count()
        assert "Đây không phải lần nộp mới nhất" in sp.locator("main").inner_text()
        submit(supervisor, sp.get_by_role("link", name="Xem lần nộp mới nhất"))
        assert sp.url == second_url
        review = sp.get_by_role("region", name="Xem xét báo cáo")
        submit(supervisor, review.get_by_role("button", name="Duyệt"))
        assert sp.locator(".alert-success").first.inner_text().strip() == (
            f"Đã duyệt báo cáo {lower_first(str(period.label))} của Phường A."
        )
        assert sp.locator("main .badge").first.inner_text() == "Đã duyệt"
        assert Review.objects.get(submission=second).decision == Review.Decision.APPROVED
        no_names(sp, "approved detail page")
        shot(supervisor, "filing", "7-approved")

        # The figures the page shows, read from its table.
        shown = figures_on(sp)
        counted = {label: value for label, value in shown.items() if value not in ("0", "—")}
        assert len(counted) >= 3, shown
        lp.reload()
        assert lp.locator("main .badge").first.inner_text() == "Đã duyệt"
        assert figures_on(lp) == shown

        # 5. Both download the Word and the PDF document of version 2.
        for who, screen in (("leader", leader), ("supervisor", supervisor)):
            name, content = download(screen, "Tải Word (DOCX)", tmp_path / who)
            assert name.endswith(".docx"), name
            text, rows = docx_text(content)
            for words in (ADDED, AMENDED, "Nơi nhận", RECIPIENT, RECOMMENDATION):
                assert words in text, f"{who}: «{words}» is not in the DOCX"
            for label, value in counted.items():
                assert any(label in row and value in row for row in rows), (
                    f"{who}: {label} {value} is not a row of the DOCX table"
                )
            for person in NAMES:
                assert person not in text

            name, content = download(screen, "Tải PDF", tmp_path / who)
            assert name.endswith(".pdf"), name
            text = pdf_text(content)
            for words in (ADDED, AMENDED, "Nơi nhận", RECIPIENT, RECOMMENDATION):
                assert words in text, f"{who}: «{words}» is not in the PDF"
            for label, value in counted.items():
                # the label, its measure (no digit), the figure
                found = rf"{re.escape(label)}\s(?:\D{{0,30}}\s)?{re.escape(value)}\b"
                assert re.search(found, text), f"{who}: {label} {value} is not in the PDF"
            for person in NAMES:
                assert person not in text
