"""Every main page, as the persona who uses it, on a 360-px phone and a desktop:

- axe-core (from npm, package.json; `npm ci` installs it) finds no serious or critical
  violation;
- on the phone, no text under 16 px, no tap target under 44 px and no sideways scrolling (a wide
  report table scrolls inside its own box);
- a form sent empty shows its errors next to the fields, and axe checks that page too.

One test per persona and viewport; each collects every problem on every page before failing, so
one run shows all there is to fix. Screenshots: tests/browser/screenshots/a11y-<page>-<view>.png.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse

from outreach.models import Activity
from tests import factories as f
from tests.browser.conftest import Screen
from tests.browser.test_casework import _still  # noqa: F401  (autouse: no transitions)
from tests.browser.test_foundation import log_in

pytestmark = pytest.mark.browser

D = datetime.date
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}


@dataclass
class Data:
    person: object
    referral: object
    activity: object
    partner: object
    submission_pk: int | None = None


@pytest.fixture
def data(live_world) -> Data:
    """Enough in ward A that no page shows only its empty state."""
    world = live_world
    person = f.person(
        ward=world.ward_a, full_name="Nguyễn Văn Hòa", birth_year=1992, phone="0987654321"
    )
    f.assignment(person=person, member=world.volunteer_member)
    f.contact(person=person, member=world.volunteer_member, summary="Thăm nhà, gặp mẹ.")
    f.milestone(person=person)
    f.enrollment(person=person, decision_no="15/QĐ-UBND")
    partner = f.partner(unit=world.district_a, name="Ngân hàng CSXH quận A")
    referral = f.referral(person=person, member=world.volunteer_member, partner=partner)
    f.person(ward=world.ward_a, full_name="Bùi Thị Cúc", birth_year=1990)
    activity = Activity.objects.create(
        unit=world.ward_a,
        occurred_on=D(2024, 3, 12),
        kind="community_meeting",
        sessions=1,
        participants=40,
        created_by=world.leader,
    )
    return Data(person=person, referral=referral, activity=activity, partner=partner)


def team_pk(d: Data) -> int:
    return d.person.ward.teams.get(dissolved_on=None).pk


# name → path, per persona; the paths that need an object take the Data.
Page = tuple[str, Callable[[Data], str]]

PAGES: dict[str, list[Page]] = {
    "tnv_a": [
        ("work-list", lambda d: reverse("cases:my_work")),
        ("person", lambda d: d.person.get_absolute_url()),
        ("contact-form", lambda d: reverse("cases:contact_add", args=[d.person.pk])),
        ("assessment-form", lambda d: reverse("cases:assessment_add", args=[d.person.pk])),
        ("activities", lambda d: reverse("outreach:activity_list")),
        ("activity-form", lambda d: reverse("outreach:activity_add")),
        ("referral-form", lambda d: reverse("outreach:referral_add", args=[d.person.pk])),
        ("password", lambda d: reverse("password_change")),
    ],
    "doitruong_a": [
        ("team-home", lambda d: reverse("home")),
        ("register", lambda d: reverse("cases:register")),
        ("person-form", lambda d: reverse("cases:person_add")),
        ("person-edit", lambda d: reverse("cases:person_edit", args=[d.person.pk])),
        ("person-close", lambda d: reverse("cases:person_close", args=[d.person.pk])),
        ("enrollment-form", lambda d: reverse("cases:enrollment_add", args=[d.person.pk])),
        ("subject-copy", lambda d: reverse("cases:subject_copy", args=[d.person.pk])),
        ("board", lambda d: reverse("cases:assignment_board")),
        ("dashboard", lambda d: reverse("cases:ward_dashboard")),
        ("team", lambda d: reverse("wards:team_detail", args=[team_pk(d)])),
        ("team-edit", lambda d: reverse("wards:team_edit", args=[team_pk(d)])),
        ("member-form", lambda d: reverse("wards:member_add", args=[team_pk(d)])),
        ("notebook", lambda d: reverse("outreach:activity_batch")),
        ("activity-edit", lambda d: reverse("outreach:activity_edit", args=[d.activity.pk])),
        ("partners", lambda d: reverse("outreach:partner_list")),
        ("partner-form", lambda d: reverse("outreach:partner_add")),
        ("referrals", lambda d: reverse("outreach:referral_list")),
        ("referral", lambda d: reverse("outreach:referral_detail", args=[d.referral.pk])),
        ("eligibility", lambda d: reverse("outreach:eligibility_list")),
        ("ward-report", lambda d: reverse("reports:report")),
        ("submit-report", lambda d: reverse("reports:submission_add")),
        ("audit", lambda d: reverse("wards:audit_trail")),
    ],
    "canbo_a": [
        ("team-dissolve", lambda d: reverse("wards:team_dissolve", args=[team_pk(d)])),
    ],
    "giamsat_a": [
        ("overview", lambda d: reverse("wards:team_overview")),
        ("report", lambda d: reverse("reports:report") + "?don-vi=991&ky=2024-H1"),
        ("submissions", lambda d: reverse("reports:submission_status") + "?ky=2024-H1"),
        ("submission", lambda d: reverse("reports:submission_detail", args=[d.submission_pk])),
        ("exports-log", lambda d: reverse("wards:audit_exports")),
    ],
}

# Forms sent empty: their errors must sit next to the fields, and pass axe too.
EMPTY_POSTS = {
    "tnv_a": [("contact-form", "Lưu"), ("activity-form", "Lưu")],
    "doitruong_a": [("person-form", "Lưu"), ("partner-form", "Lưu")],
}


def run_axe(page) -> list[str]:
    """axe-core's serious and critical violations on the page, one line each.

    page.evaluate runs the library in the page without a <script> element, so the
    Content-Security-Policy (script-src 'self') stays as in production.
    """
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `npm ci` (or `make browser-test`) installs axe-core")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
            }));
        }"""
    )
    return [
        f"axe {v['impact']} {v['id']} ({v['help']}): {json.dumps(v['nodes'], ensure_ascii=False)}"
        for v in result
        if v["impact"] in FAILING_IMPACTS
    ]


def measure_phone(page) -> list[str]:
    """Small text, small tap targets and sideways scrolling, as a volunteer's phone shows them."""
    m = page.evaluate(
        """() => {
            const visible = el => {
                const r = el.getBoundingClientRect();
                const s = getComputedStyle(el);
                return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
                    && !el.closest('.visually-hidden, .visually-hidden-focusable, [hidden], svg');
            };
            const name = el => el.tagName.toLowerCase()
                + (el.id ? '#' + el.id : '')
                + (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '')
                + ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '')
                    .trim().slice(0, 30) + '"';
            const small = [];
            for (const el of document.querySelectorAll('body *')) {
                const own = [...el.childNodes].some(
                    n => n.nodeType === 3 && n.textContent.trim().length > 0);
                if (!own || !visible(el)) continue;
                const px = parseFloat(getComputedStyle(el).fontSize);
                if (px < 16) small.push(name(el) + ' ' + px + 'px');
            }
            // A link inside a sentence is exempt (WCAG 2.5.8 "inline"); a check box or radio
            // counts with its label, which is what a finger presses.
            const targets = [];
            const sel = 'a[href], button, select, textarea, summary, '
                + 'input:not([type=hidden]):not(.btn-check)';
            for (const el of document.querySelectorAll(sel)) {
                if (!visible(el)) continue;
                let box = el.getBoundingClientRect();
                if (el.matches('input[type=checkbox], input[type=radio]')) {
                    const label = el.closest('label') || (el.id
                        && document.querySelector('label[for="' + el.id + '"]'));
                    const wrap = el.closest('.form-check') || label;
                    if (wrap) box = wrap.getBoundingClientRect();
                }
                if (el.matches('a') && el.closest('p, td, .form-text, .small-muted, '
                        + 'li:not(.list-group-item), dd, .alert')
                        && !el.matches('.btn, .list-group-item, .nav-link')) continue;
                if (box.height < 44 - 0.5 || box.width < 44 - 0.5)
                    targets.push(name(el) + ' ' + Math.round(box.width) + 'x'
                                 + Math.round(box.height));
            }
            for (const label of document.querySelectorAll('label.btn')) {
                const box = label.getBoundingClientRect();
                if (visible(label) && box.height < 44 - 0.5)
                    targets.push(name(label) + ' ' + Math.round(box.height) + 'px tall');
            }
            return {
                scroll: document.documentElement.scrollWidth - window.innerWidth,
                small: small.slice(0, 8),
                targets: targets.slice(0, 8),
            };
        }"""
    )
    problems = []
    if m["scroll"] > 0:
        problems.append(f"scrolls sideways by {m['scroll']} px")
    problems += [f"text under 16 px: {s}" for s in m["small"]]
    problems += [f"tap target under 44 px: {t}" for t in m["targets"]]
    return problems


def check_page(screen: Screen, name: str) -> list[str]:
    screen.page.wait_for_load_state()
    screen.shot(f"a11y-{name}")
    problems = run_axe(screen.page)
    if screen.name == "phone":
        problems += measure_phone(screen.page)
    return [f"{name}: {p}" for p in problems]


def sweep(screen: Screen, username: str, data: Data) -> list[str]:
    page = screen.page
    log_in(screen, username)
    problems: list[str] = []
    for name, path in PAGES[username]:
        response = page.goto(screen.url(path(data)))
        assert response.status == 200, f"{name}: HTTP {response.status}"
        problems += check_page(screen, name)
    for name, button in EMPTY_POSTS.get(username, []):
        path = dict(PAGES[username])[name]
        page.goto(screen.url(path(data)))
        page.locator("main form[method=post]").last.locator(
            "button[type=submit]", has_text=button
        ).first.click()
        page.wait_for_load_state()
        errors = page.locator(".invalid-feedback:visible, .text-danger:visible")
        assert errors.count(), f"{name}: an empty form showed no error next to a field"
        problems += check_page(screen, f"{name}-errors")
    return problems


@pytest.mark.parametrize("username", list(PAGES))
def test_main_pages_pass_axe_and_fit_a_phone(screen, data, username):
    if username == "giamsat_a":
        data.submission_pk = _submission(data)
    problems = sweep(screen, username, data)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_the_login_page_passes_axe_and_fits_a_phone(screen, live_world):
    screen.page.goto(screen.url(reverse("login")))
    problems = check_page(screen, "login")
    assert not problems, "\n".join(problems)


def _submission(data: Data) -> int:
    """Ward A's 2024-H1 report, submitted by its leader, for the supervisor's pages."""
    from reports import checks
    from reports.periods import parse
    from reports.services import submission_submit

    period = parse("2024-H1")
    return submission_submit(
        actor=data.activity.created_by,
        unit=data.person.ward,
        period=period,
        narrative="Đội đã thăm 1 người.",
        explanations={c.code: "Đã xem." for c in checks.run(data.person.ward, period)},
    ).pk


# A ward that has just started: every list says what to press --------------------------------

EMPTY = {
    "doitruong_a": [
        (
            "register",
            lambda w: reverse("cases:register"),
            "chưa có người được hỗ trợ nào",
            "Đăng ký người đầu tiên",
        ),
        (
            "activities",
            lambda w: reverse("outreach:activity_list"),
            "Chưa có hoạt động nào được ghi.",
            "Ghi hoạt động đầu tiên",
        ),
        (
            "referrals",
            lambda w: reverse("outreach:referral_list"),
            "mở trang của người đó và bấm «Giới thiệu hỗ trợ»",
            None,
        ),
        (
            "person",
            lambda w: w.new_person.get_absolute_url(),
            "Chưa có lượt tiếp cận nào — bấm «Ghi nhận tiếp cận» để thêm.",
            "Ghi nhận tiếp cận",
        ),
    ],
    "tnv_a": [
        (
            "work-list",
            lambda w: reverse("cases:my_work"),
            "Bạn chưa được phân công giúp đỡ ai.",
            "Ghi hoạt động",
        ),
    ],
}


@pytest.mark.parametrize("username", list(EMPTY))
def test_empty_pages_say_what_to_press(phone, live_world, username):
    world, page = live_world, phone.page
    log_in(phone, username)
    problems: list[str] = []
    for name, path, hint, button in EMPTY[username]:
        if name == "person":  # registered a moment ago, nothing recorded yet
            world.new_person = f.person(ward=world.ward_a, full_name="Bùi Thị Cúc")
        page.goto(phone.url(path(world)))
        main = page.locator("main")
        if hint not in main.inner_text():
            problems.append(f"{name}: no «{hint}»")
        if button and not main.get_by_role("link", name=button, exact=True).first.is_visible():
            problems.append(f"{name}: no «{button}» button")
        problems += check_page(phone, f"empty-{name}")
    assert not problems, "\n".join(problems)
