"""Report queries on a read replica (reports/routers.py), tested with a second alias pointing at
the same database, as `REPLICA_DATABASE_URL` would give one pointing at a streaming replica.

The rows must be committed for the second connection to see them, hence transaction=True.
"""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.routers import REPLICA, ReplicaRouter, reading_replica
from tests.reports.test_exports import figures, get, url  # noqa: F401
from wards.models import AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica():
    """The alias `replica`, a second connection to the test database."""
    assert REPLICA not in settings.DATABASES
    settings.DATABASES[REPLICA] = dict(connections["default"].settings_dict)
    connections.settings[REPLICA] = settings.DATABASES[REPLICA]
    # connected here, as the server's own connections would be: Django's test case refuses to
    # open a connection to an alias it was not told of before the test began
    connections[REPLICA].connect()
    try:
        yield connections[REPLICA]
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        connections.settings.pop(REPLICA, None)
        settings.DATABASES.pop(REPLICA, None)


def statements(captured: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in captured.captured_queries]


def test_the_report_download_reads_its_figures_on_the_replica(figures, personas, replica):  # noqa: F811
    address = url("json", figures.district_a)
    primary_only = json.loads(get(personas["supervisor"], address).content)
    primary_connection = connections["default"]
    with (
        CaptureQueriesContext(replica) as on_replica,
        CaptureQueriesContext(primary_connection) as on_primary,
    ):
        through_replica = json.loads(get(personas["supervisor"], address).content)
    assert through_replica == primary_only
    assert through_replica["indicators"]["outreach.sessions"] == 5
    read = statements(on_replica)
    assert any("outreach_activity" in sql for sql in read)
    assert all(sql.lstrip().upper().startswith("SELECT") for sql in read)
    # the session, the access function and the export's audit row stay on the primary
    primary = statements(on_primary)
    assert not any("outreach_activity" in sql for sql in primary)
    assert any(sql.lstrip().upper().startswith("INSERT") and "audit" in sql for sql in primary)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2


def test_the_report_page_reads_its_figures_on_the_replica(figures, personas, replica):  # noqa: F811
    query = url("json", figures.district_a).split("?", 1)[1]
    address = f"{reverse('reports:report')}?{query}"
    with CaptureQueriesContext(replica) as on_replica:
        response = get(personas["supervisor"], address)
    assert "Quận A" in response.content.decode()
    assert any("outreach_activity" in sql for sql in statements(on_replica))


def test_the_report_command_reads_on_the_replica(figures, replica):  # noqa: F811
    with CaptureQueriesContext(replica) as on_replica:
        call_command("report", "--unit", "991", "--period", "2024-H1", "--format", "json")
    assert any("outreach_activity" in sql for sql in statements(on_replica))


def test_without_the_alias_the_block_reads_the_primary(figures):  # noqa: F811
    router = ReplicaRouter()
    with reading_replica():
        assert router.db_for_read(AuditEvent) is None
    with CaptureQueriesContext(connections["default"]) as on_primary, reading_replica():
        AuditEvent.objects.count()
    assert any("wards_auditevent" in sql for sql in statements(on_primary))


def test_outside_the_block_everything_is_on_the_primary(replica):
    router = ReplicaRouter()
    assert router.db_for_read(AuditEvent) is None
    with reading_replica():
        assert router.db_for_read(AuditEvent) == REPLICA
        assert router.db_for_write(AuditEvent) is None
    assert router.db_for_read(AuditEvent) is None


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "cases") is True
    assert router.allow_migrate(REPLICA, "cases") is False
