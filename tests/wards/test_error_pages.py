"""The app's own 404 and 403 pages in DEBUG too (issue 22): `make run` runs with DEBUG on, and a
leader trying the demo must not meet Django's technical page listing the URL patterns
(wards.middleware.AppErrorPagesMiddleware). With DEBUG off, handler404 answers as before; either
way a logged-in user's 404 on a real route is audited (DeniedAccessAuditMiddleware)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from wards.models import AuditEvent

OWN_404 = "Không tìm thấy trang này"
OWN_403 = "Bạn không thể làm việc này"
# What Django's technical pages say (django/views/templates/technical_404.html, technical_500).
TECHNICAL = ("URLconf", "DEBUG = True", "Page not found", "Raised by")


def assert_own_page(response, status: int, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert text in body, body[:500]
    for marker in TECHNICAL:
        assert marker not in body, marker
    # the app's own page: its layout, its Vietnamese title, the way home
    assert 'lang="vi"' in body
    assert reverse("home") in body


@pytest.fixture(params=[True, False], ids=["debug", "production"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def denied_looks(user) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.DENIED))


def test_out_of_scope_object_is_the_apps_404_and_is_audited(personas, world, debug):
    # The leader of ward B asks for ward A's team: the view raises Http404 (out of scope).
    url = reverse("wards:team_detail", args=[world.team_a.pk])
    response = personas["outsider"].get(url)
    assert_own_page(response, 404, OWN_404)
    [event] = denied_looks(world.outsider)
    assert event.object_type == "wards:team_detail"
    assert event.object_id == str(world.team_a.pk)
    assert event.changes == {"status": 404, "method": "GET"}


def test_an_object_that_does_not_exist_is_the_apps_404(personas, debug):
    response = personas["leader"].get(reverse("wards:team_detail", args=[987654]))
    assert_own_page(response, 404, OWN_404)


@pytest.mark.parametrize("persona", ["anonymous", "volunteer", "leader", "admin"])
def test_an_unknown_address_is_the_apps_404(personas, debug, persona):
    response = personas[persona].get("/khong-co-trang-nay/")
    assert_own_page(response, 404, OWN_404)


def test_an_unknown_address_is_not_audited_and_slashes_are_still_appended(personas, world, debug):
    client = personas["leader"]
    assert_own_page(client.get("/doi/khong-co/"), 404, OWN_404)
    assert denied_looks(world.leader) == []
    # CommonMiddleware still sends an address missing its slash to the one that exists.
    response = client.get(reverse("wards:team_detail", args=[world.team_a.pk]).rstrip("/"))
    assert response.status_code == 301
    assert response["Location"].endswith(reverse("wards:team_detail", args=[world.team_a.pk]))


def test_permission_denied_is_the_apps_403_and_is_audited(personas, world, debug):
    # The volunteer sees the team but may not change it: PermissionDenied.
    url = reverse("wards:team_edit", args=[world.team_a.pk])
    response = personas["volunteer"].get(url)
    assert_own_page(response, 403, OWN_403)
    [event] = denied_looks(world.volunteer)
    assert event.changes == {"status": 403, "method": "GET"}


def test_the_apps_404_keeps_the_security_headers(personas, debug):
    response = personas["volunteer"].get("/khong-co-trang-nay/")
    assert response["Content-Security-Policy"].startswith("default-src 'self'")
    assert "no-store" in response["Cache-Control"]


def test_a_post_to_an_unknown_address_is_the_apps_404(world, debug):
    # An anonymous POST: CSRF is not checked where no view answers.
    client = Client()
    response = client.post("/khong-co-trang-nay/", {"a": "b"})
    assert_own_page(response, 404, OWN_404)


def test_the_404_is_logged_once(personas, debug, caplog):
    with caplog.at_level("WARNING", logger="django.request"):
        personas["volunteer"].get("/khong-co-trang-nay/")
        personas["outsider"].get("/doi/1/khong-co/")
    assert [r.getMessage() for r in caplog.records if r.name == "django.request"] == [
        "Not Found: /khong-co-trang-nay/",
        "Not Found: /doi/1/khong-co/",
    ]


@pytest.mark.parametrize("debug", [True, False])
def test_a_stale_form_gets_the_apps_page_saying_to_reload(db, settings, debug):
    """A login page left open on a phone, posted after its CSRF cookie went: the app's page,
    in Vietnamese, never Django's «CSRF verification failed»."""
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Trang này đã mở quá lâu" in html and "CSRF" not in html
