"""A replica that is down or hangs is skipped for the primary (reports/routers.py).

The alias `replica` points at a port where nothing listens (a stopped replica: connection
refused) or at a socket that accepts connections and never says a word (a hung replica). The
report page and its downloads must still answer 200 with the primary's figures within a few
seconds, and each process logs one line when the replica fails and one when it comes back.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connections
from django.db.utils import load_backend
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.connection import ConnectionDoesNotExist

from reports import routers
from reports.routers import REPLICA, on_replica, reading_replica
from tests.reports.test_exports import figures, get, url  # noqa: F401
from wards.models import AdminUnit, AuditEvent

# REPLICA_CONNECT_TIMEOUT is 2 s; the probe, the fallback and the page must fit in this
SECONDS = 5.0


@pytest.fixture
def world_figures(request):
    """Ward A's outreach and casework in 2024-H1, in district A (test_exports)."""
    return request.getfixturevalue("figures")


@pytest.fixture(autouse=True)
def fresh_health(monkeypatch):
    """Each test starts with a process that has not seen the replica fail."""
    monkeypatch.setattr(routers, "health", routers._ReplicaHealth())


def closed_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never answers, as a hung server does."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held, stop = [], threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()


@pytest.fixture
def silent_port():
    with silent_server() as port:
        yield port


def set_replica(**where) -> None:
    """Points the alias `replica` at a PostgreSQL server, as REPLICA_DATABASE_URL would.

    The connection is made by hand under another name: Django's test case refuses to connect
    an alias of the settings that the test did not declare, and this one cannot be declared
    before the test adds it. The router and `connections["replica"]` find it all the same.
    """
    forget_replica()
    db = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "donghanh",
        "USER": "donghanh",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "CONN_MAX_AGE": 0,
        "OPTIONS": {"connect_timeout": settings.REPLICA_CONNECT_TIMEOUT},
        "TEST": {"MIRROR": "default"},
        **where,
    }
    settings.DATABASES[REPLICA] = db
    connections[REPLICA] = load_backend(db["ENGINE"]).DatabaseWrapper(db, "replica under test")


def forget_replica() -> None:
    with suppress(ConnectionDoesNotExist):
        connections[REPLICA].close()
        del connections[REPLICA]


@pytest.fixture
def replica():
    """Sets the alias with `set_replica`; removed after the test."""
    assert REPLICA not in settings.DATABASES
    try:
        yield set_replica
    finally:
        forget_replica()
        settings.DATABASES.pop(REPLICA, None)


def replica_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "reports.routers"]


def page_address(unit) -> str:
    query = url("json", unit).split("?", 1)[1]
    return f"{reverse('reports:report')}?{query}"


def timed_get(client, address):
    start = time.monotonic()
    response = get(client, address)
    return response, time.monotonic() - start


@pytest.mark.django_db
def test_a_stopped_replica_leaves_the_report_page_on_the_primary(
    world_figures, personas, replica, caplog
):
    replica(PORT=str(closed_port()))
    caplog.set_level(logging.WARNING, logger="reports.routers")
    response, took = timed_get(personas["supervisor"], page_address(world_figures.district_a))
    assert took < SECONDS
    assert response.context["report"].values["outreach.sessions"] == 5
    assert response.context["report"].values["outreach.participants"] == 1540
    again, took_again = timed_get(personas["supervisor"], page_address(world_figures.district_a))
    assert again.context["report"].values["outreach.sessions"] == 5
    # resting: not tried again on every request
    assert took_again < 1.5
    (line,) = replica_lines(caplog)
    assert "failed" in line and "primary" in line
    assert "Nguyễn" not in line


@pytest.mark.django_db
def test_a_hung_replica_leaves_a_download_on_the_primary_within_seconds(
    world_figures,
    personas,
    replica,
    silent_port,
    caplog,
):
    replica(PORT=str(silent_port))
    caplog.set_level(logging.WARNING, logger="reports.routers")
    start = time.monotonic()
    response = get(personas["supervisor"], url("json", world_figures.district_a))
    took = time.monotonic() - start
    assert took < SECONDS
    assert json.loads(response.content)["indicators"]["outreach.sessions"] == 5
    # the connect timeout, not an instant refusal, is what freed the request
    assert took >= settings.REPLICA_CONNECT_TIMEOUT - 0.5
    for fmt in ("csv", "xlsx"):
        start = time.monotonic()
        get(personas["supervisor"], url(fmt, world_figures.district_a))
        assert time.monotonic() - start < 1.5
    assert len(replica_lines(caplog)) == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 3


@pytest.mark.django_db
def test_a_hung_replica_leaves_the_report_page_on_the_primary(
    world_figures,
    personas,
    replica,
    silent_port,
    caplog,
):
    replica(PORT=str(silent_port))
    caplog.set_level(logging.WARNING, logger="reports.routers")
    response, took = timed_get(personas["supervisor"], page_address(world_figures.district_a))
    assert took < SECONDS
    assert response.context["report"].values["outreach.sessions"] == 5
    assert "Quận A" in response.content.decode()
    assert len(replica_lines(caplog)) == 1


@pytest.mark.django_db
def test_the_report_command_reads_the_primary_when_the_replica_is_down(
    world_figures, replica, capsys
):
    replica(PORT=str(closed_port()))
    call_command("report", "--unit", "991", "--period", "2024-H1", "--format", "json")
    assert json.loads(capsys.readouterr().out)["indicators"]["outreach.sessions"] == 5


@pytest.mark.django_db
def test_a_block_reads_the_primary_while_the_replica_is_down(world_figures, replica):
    replica(PORT=str(closed_port()))
    with CaptureQueriesContext(connections["default"]) as on_primary, reading_replica():
        assert AdminUnit.objects.filter(code="991").exists()
    assert any("wards_adminunit" in q["sql"] for q in on_primary.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_replica_that_comes_back_is_read_again_and_logged_once(
    world_figures,
    personas,
    replica,
    caplog,
    settings,
):
    settings.REPLICA_RETRY_SECONDS = 0
    caplog.set_level(logging.WARNING, logger="reports.routers")
    address = page_address(world_figures.district_a)
    replica(PORT=str(closed_port()))
    get(personas["supervisor"], address)
    get(personas["supervisor"], address)
    # the replica started again: the alias is the test database, as a mirror
    replica(**{k: connections["default"].settings_dict[k] for k in ("NAME", "USER", "PORT")})
    with CaptureQueriesContext(connections[REPLICA]) as on_replica_queries:
        response = get(personas["supervisor"], address)
        get(personas["supervisor"], address)
    assert response.context["report"].values["outreach.sessions"] == 5
    assert any("outreach_activity" in q["sql"] for q in on_replica_queries.captured_queries)
    failed, back = replica_lines(caplog)
    assert "failed" in failed and "answers again" in back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_replica_failing_partway_is_read_again_on_the_primary(
    world_figures, personas, replica, caplog
):
    replica(**{k: connections["default"].settings_dict[k] for k in ("NAME", "USER", "PORT")})
    caplog.set_level(logging.WARNING, logger="reports.routers")
    killed = []

    def kill_the_replica_midway(execute, sql, params, many, context):
        if "outreach_activity" in sql and not killed:
            pid = connections[REPLICA].connection.info.backend_pid
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            killed.append(pid)
        return execute(sql, params, many, context)

    connections[REPLICA].ensure_connection()
    with connections[REPLICA].execute_wrapper(kill_the_replica_midway):
        response = get(personas["supervisor"], url("json", world_figures.district_a))
    assert killed
    assert json.loads(response.content)["indicators"]["outreach.sessions"] == 5
    (line,) = replica_lines(caplog)
    assert "failed" in line
    assert routers.health.down


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_statement_timeout_on_the_replica_is_not_read_again(world_figures, replica):
    replica(**{k: connections["default"].settings_dict[k] for k in ("NAME", "USER", "PORT")})
    runs = []

    def heavy():
        runs.append(1)
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SET statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")

    with pytest.raises(OperationalError):
        on_replica(heavy)
    assert runs == [1]
    assert not routers.health.down
