"""The production tier's fixtures: the world committed to PostgreSQL, a live server, and a
browser per persona logged in through the real login page (and the real second-factor page).

`live_server` makes the database transactional: nothing wraps the requests in a transaction
that is rolled back afterwards, so every view and service runs as under gunicorn, in
autocommit, and the rows are committed (the tables are flushed after each test).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.db import connection
from django.urls import reverse
from django_otp.oath import totp

from tests import factories as f
from tests.production.browser import Browser

# The forms' data: the personas and records the fuzzing of every form works on.
from tests.security.test_fuzz_forms import objs  # noqa: F401

USERNAMES = {
    "volunteer": "tnv_a",
    "leader": "doitruong_a",
    "officer": "canbo_a",
    "supervisor": "giamsat_a",
    "enrolling": "giamsat_moi",  # a supervisor without an authenticator yet (objs)
    "outsider": "doitruong_b",
}


def code(device) -> str:
    """The code the authenticator app shows now."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@dataclass
class Site:
    """The live server and the world's records, with one browser per persona."""

    url: str
    o: SimpleNamespace
    browsers: dict[str, Browser] = field(default_factory=dict)

    def browser(self, persona: str) -> Browser:
        """`persona`'s browser, logged in once per test (a second-factor code is single-use)."""
        if persona not in self.browsers:
            self.browsers[persona] = self.log_in(persona)
        return self.browsers[persona]

    def anonymous(self) -> Browser:
        return Browser(self.url)

    def log_in(self, persona: str) -> Browser:
        """Through the login page, and the verification page for a supervisor."""
        browser = Browser(self.url)
        page = browser.get(reverse("login"))
        assert page.status == 200, page
        form = page.form().filled({"username": USERNAMES[persona], "password": f.PASSWORD})
        answer = browser.submit(form)
        assert answer.status == 302, f"login of {persona}: {answer}\n{answer.text[:2000]}"
        page = browser.follow(answer)
        assert page.status == 200, page
        if page.url.split("?")[0].endswith(reverse("otp_verify")):
            form = page.form().filled({"code": code(self.o.device)})
            answer = browser.submit(form)
            assert answer.status == 302, f"second factor of {persona}: {answer}"
            browser.follow(answer)
        return browser


@pytest.fixture
def site(live_server, transactional_db, objs, settings) -> Site:  # noqa: F811
    # As in production: DEBUG off (the tests' default), the live server's host allowed (by
    # pytest-django), Secure cookies behind TLS (the browser says https through the proxy
    # header), and no test transaction around the requests.
    assert not settings.DEBUG
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert not connection.in_atomic_block
    return Site(url=live_server.url, o=objs)
