"""`GET /healthz` (config/health.py): no login, any Host, no HTTPS redirect, under a second; 200
with what it checked, 503 when the primary database does not answer."""

from __future__ import annotations

import json
import logging
import threading
import time

import pytest
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

from config import health
from reports import routers
from tests.reports.test_replica_faults import closed_port, silent_server

UNKNOWN_HOST = "10.0.0.5:8000"


@pytest.fixture(autouse=True)
def fresh_memory(monkeypatch):
    monkeypatch.setattr(health, "memory", health._Memory())
    monkeypatch.setattr(routers, "health", routers._ReplicaHealth())


def poll(**extra):
    """What a balancer sends: no session, the host's address, plain HTTP."""
    start = time.monotonic()
    response = Client().get("/healthz", HTTP_HOST=UNKNOWN_HOST, **extra)
    return response, time.monotonic() - start


def postgresql_at(port: int, alias: str):
    """A connection to a PostgreSQL server at `port` of this machine, named `alias`.

    Not listed in the settings: Django's test case refuses to open an alias of the settings that
    the test did not declare.
    """
    db = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "donghanh",
        "USER": "donghanh",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": 2},
    }
    connections[alias] = load_backend(db["ENGINE"]).DatabaseWrapper(db, f"{alias} under test")
    return connections[alias]


@pytest.fixture
def broken_primary(monkeypatch):
    """/healthz asks an alias whose server is stopped, as the primary would be."""

    def point_at(port: int) -> None:
        postgresql_at(port, "stopped")
        monkeypatch.setattr(health, "PRIMARY", "stopped")

    yield point_at
    connections["stopped"].close()
    del connections["stopped"]


@pytest.mark.django_db
def test_healthz_answers_a_balancer_by_address_over_http_without_login(settings):
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    assert UNKNOWN_HOST.split(":")[0] not in settings.ALLOWED_HOSTS
    poll()  # the first answer loads the migrations from disk
    response, took = poll()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert took < 1.0
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {
            "primary": "ok",
            "replica": "not configured",
            "queue": "not configured",
            "migrations": "applied",
        },
    }
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_every_other_page_keeps_the_redirect_the_host_check_and_the_login(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/tai-khoan/dang-nhap/").status_code == 301
    assert Client().get("/healthz/", HTTP_HOST=UNKNOWN_HOST).status_code == 400
    settings.SECURE_SSL_REDIRECT = False
    assert Client().get("/", HTTP_HOST=UNKNOWN_HOST).status_code == 400
    response = client.get("/")
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


@pytest.mark.django_db
def test_healthz_is_first_in_the_middleware_and_answers_get_and_head_only():
    assert settings.MIDDLEWARE[0] == "config.health.HealthCheckMiddleware"
    assert Client().head("/healthz", HTTP_HOST=UNKNOWN_HOST).status_code == 200
    assert Client().post("/healthz", HTTP_HOST=UNKNOWN_HOST).status_code == 405


@pytest.mark.django_db
def test_a_stopped_primary_answers_503_and_is_logged_once(broken_primary, caplog):
    broken_primary(closed_port())
    caplog.set_level(logging.WARNING, logger="config.health")
    response, took = poll()
    assert response.status_code == 503
    assert took < 1.0
    assert json.loads(response.content) == {
        "status": "unavailable",
        "checks": {
            "primary": "unreachable",
            "replica": "not configured",
            "queue": "not configured",
            "migrations": "unknown",
        },
    }
    assert poll()[0].status_code == 503
    (line,) = [r for r in caplog.records if r.name == "config.health"]
    assert line.levelname == "ERROR" and "primary" in line.getMessage()


@pytest.mark.django_db
def test_a_hung_primary_answers_503_within_a_second(broken_primary):
    with silent_server() as port:
        broken_primary(port)
        response, took = poll()
    assert response.status_code == 503
    assert took < 1.5  # PRIMARY_ANSWER_SECONDS, not the 2-s connect timeout


@pytest.mark.django_db
def test_a_hung_primary_polled_again_and_again_holds_one_connection(broken_primary):
    # /healthz needs no login: each poll must not leave one more connection waiting on a
    # primary that never answers, or polling alone fills the server's connection slots.
    with silent_server() as port:
        broken_primary(port)
        connections["stopped"].settings_dict["OPTIONS"]["connect_timeout"] = 10
        for _ in range(3):
            assert health.check_primary("stopped") is False
        waiting = [t for t in threading.enumerate() if t.name == "healthz-primary"]
        assert len([t for t in waiting if t.is_alive()]) == 1


@pytest.mark.django_db
def test_a_replica_that_failed_is_shown_without_turning_the_host_away():
    settings.DATABASES[routers.REPLICA] = {"HOST": "127.0.0.1", "PORT": str(closed_port())}
    connections[routers.REPLICA] = postgresql_at(closed_port(), routers.REPLICA)
    try:
        assert routers.replica_answers() is False
        response, took = poll()
    finally:
        del connections[routers.REPLICA]
        settings.DATABASES.pop(routers.REPLICA)
    assert response.status_code == 200
    assert took < 1.0
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["checks"]["replica"] == "down, reports read on the primary"


@pytest.mark.django_db
def test_migrations_not_applied_are_pending_and_applied_ones_are_remembered(tmp_path):
    empty = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "empty.sqlite3"),
        "OPTIONS": {},
    }
    connections["empty"] = load_backend(empty["ENGINE"]).DatabaseWrapper(empty, "empty db")
    try:
        assert health.check_migrations("empty") == "pending"
        assert health.memory.migrations_applied_until == 0.0
    finally:
        connections["empty"].close()
        del connections["empty"]
    assert health.check_migrations("default") == "applied"
    assert health.memory.migrations_applied_until > time.monotonic()
