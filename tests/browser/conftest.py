"""Real-browser fixtures: Debian's Chromium, driven by Playwright, against pytest-django's
live_server.

Run with `make browser-test` (excluded from `make test`). Needs the `browser` extra and
/usr/bin/chromium (`apt-get install chromium`); never `playwright install` (no downloads).
Screenshots go to tests/browser/screenshots/<journey>-<viewport>.png (git-ignored).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Playwright's sync API keeps an asyncio loop alive in this thread; Django would otherwise refuse
# ORM calls made by the test (fixtures, assertions, the transactional flush) next to it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

VIEWPORTS = {
    # An entry-level Android phone, the kind volunteers carry.
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - a set-up error, reported plainly
        pytest.fail('playwright is not installed: .venv/bin/pip install -e ".[dev,browser]"')
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(f"{CHROMIUM} not found: apt-get install chromium (never `playwright install`)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_world(live_server, transactional_db, world, settings):
    """The personas of tests/conftest.py, committed so the live server's thread sees them.

    `world` asks for `db`; because this test also uses `live_server`, pytest-django makes that
    database transactional (flushed afterwards) rather than wrapped in a rolled-back transaction.
    """
    # Session and CSRF cookies stay `Secure`, as in production: Chromium accepts Secure cookies
    # over plain http on localhost, which is where live_server listens.
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    # The supervisor and the administrator pass a second factor after the password; their
    # authenticator app holds the demo key, and `otp_code` reads it as the app would.
    from wards import demo

    demo.enrol_second_factor([world.supervisor, world.admin])
    return world


def otp_code(username: str) -> str | None:
    """The code the user's authenticator app shows now; None for a user without a device."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        return None
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@dataclass
class Screen:
    """One browser tab at one viewport, recording anything that went wrong on the wire."""

    page: object
    name: str  # "phone" or "desktop"
    base_url: str
    problems: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def shot(self, journey: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{journey}-{self.name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _watch(page, problems: list[str]) -> None:
    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status} {response.url}")

    def on_console(message):
        # "Failed to load resource" repeats, without the address, what on_response saw.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(f"console: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)

    def on_failed(request):
        # The browser drops its fetch of the tab's icon or the manifest when the page moves on
        # (a form submitted at once): nothing the user sees. Any other failure is a problem.
        if request.failure == "net::ERR_ABORTED" and request.resource_type in ("other", "manifest"):
            return
        if request.failure == "net::ERR_ABORTED" and "/static/icons/" in request.url:
            return
        problems.append(f"failed {request.url}: {request.failure}")

    page.on("requestfailed", on_failed)
    page.on("pageerror", lambda e: problems.append(f"JavaScript error: {e}"))


def _open(browser, live_server, name: str) -> Iterator[Screen]:
    context = browser.new_context(**VIEWPORTS[name], locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    context.set_default_timeout(15_000)
    page = context.new_page()
    screen = Screen(page=page, name=name, base_url=live_server.url)
    _watch(page, screen.problems)
    try:
        yield screen
    finally:
        context.close()
    # Checked after the test: a missing stylesheet or a 500 behind a redirect fails it too.
    assert not screen.problems, "\n".join(screen.problems)


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, browser, live_server, live_world) -> Iterator[Screen]:
    """A fresh browser context at each viewport in turn (phone, then desktop)."""
    yield from _open(browser, live_server, request.param)


@pytest.fixture
def phone(browser, live_server, live_world) -> Iterator[Screen]:
    yield from _open(browser, live_server, "phone")
