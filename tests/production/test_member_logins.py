"""The production tier (issue 22): a leader gives a member a login over real HTTP, the member's
first login with the one-time password and the page that makes them choose their own, then a
reset that ends their session, on PostgreSQL outside any test transaction (tests/production).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from tests.production.browser import Browser, Response
from tests.production.conftest import Site
from wards.models import AuditEvent, Member, TemporaryPassword

OWN_PASSWORD = "Mật-khẩu-riêng-của-Lan-2026"


def shown_password(answer: Response) -> str:
    found = re.findall(r"data-login-password>([a-z0-9-]+)<", answer.text)
    assert len(found) == 1, f"the page shows the new password exactly once: {answer}"
    return found[0]


def log_in(site: Site, username: str, password: str) -> tuple[Browser, Response]:
    browser = site.anonymous()
    page = browser.get(reverse("login"))
    form = page.form().filled({"username": username, "password": password})
    return browser, browser.submit(form)


@pytest.mark.postgres
def test_a_login_given_over_http_is_used_once_then_replaced_and_reset(site):
    o = site.o
    member = Member.objects.get(team=o.w.team_a, full_name="Phạm Văn Thành Viên 1")
    leader = site.browser("leader")
    url = reverse("wards:login_create", args=[member.pk])
    page = leader.get(url)
    assert page.status == 200, page
    form = page.form(action=url)
    assert form.get("username")  # the suggestion, prefilled
    assert not connection.in_atomic_block
    answer = leader.submit(form.filled({"username": "lan.moi"}))
    assert answer.status == 200, answer
    assert "no-store" in answer.headers.get("cache-control", "")
    password = shown_password(answer)
    assert "https://" + site.url.split("://")[1] + "/" in answer.text  # the address, behind TLS
    member.refresh_from_db()
    assert member.user.username == "lan.moi"
    # the same page posted again (a reload): one login, no second password
    again = leader.submit(form.filled({"username": "lan.moi"}))
    assert again.status == 302 and "data-login-password" not in leader.follow(again).text
    assert AuditEvent.objects.filter(changes__login="created").count() == 1

    # The member's first login goes to the page that sets their own password.
    browser, answer = log_in(site, "lan.moi", password)
    assert answer.status == 302 and answer.location.endswith(reverse("password_set")), answer
    page = browser.follow(answer)
    assert page.status == 200
    held = browser.get(reverse("cases:my_work"))
    assert held.url.split("?")[0].endswith(reverse("password_set"))
    weak = browser.submit(
        page.form(action=reverse("password_set")).filled(
            {"new_password1": "12345678", "new_password2": "12345678"}
        )
    )
    assert weak.status == 200 and "toàn chữ số" in weak.text, weak
    done = browser.submit(
        weak.form(action=reverse("password_set")).filled(
            {"new_password1": OWN_PASSWORD, "new_password2": OWN_PASSWORD}
        )
    )
    assert done.status == 302, done
    assert browser.follow(done).status == 200
    assert browser.get(reverse("cases:my_work")).status == 200
    assert not TemporaryPassword.objects.filter(user=member.user).exists()

    # A reset by the leader ends that session and gives a new temporary password.
    reset_url = reverse("wards:login_reset", args=[member.pk])
    confirm = leader.get(reset_url)
    answer = leader.submit(confirm.form(action=reset_url))
    assert answer.status == 200, answer
    new_password = shown_password(answer)
    ended = browser.get(reverse("cases:my_work"))
    assert ended.url.split("?")[0].endswith(reverse("login"))
    _browser, refused = log_in(site, "lan.moi", OWN_PASSWORD)
    assert refused.status == 200
    _browser, answer = log_in(site, "lan.moi", new_password)
    assert answer.status == 302 and answer.location.endswith(reverse("password_set"))
