"""`GET /healthz`, for load balancers (DESIGN.md "Running it", docs/deploy.md).

A balancer polls each host by its address, over plain HTTP and without a session, so the answer
comes from a middleware placed first: before SecurityMiddleware (the HTTPS redirect),
CommonMiddleware (ALLOWED_HOSTS), the session and the login. It says what it checked, never a
person, a user or the release:

    {"status": "ok", "checks": {"primary": "ok", "replica": "not configured",
     "queue": "not configured", "migrations": "applied"}}

200 while the primary answers; 503 when it does not, which is what takes a host out of the
pool. A replica that is down or pending migrations are shown (`"status": "degraded"`) but keep
the 200: the reports read on the primary without the replica, and a host turned away for a
missing migration would not be back until someone ran it. The replica is not asked here: a hung
replica would hold the answer for its connect timeout on every host at once, and the balancer
would take them all out. What is shown is what this process learnt when it last read a report
(reports/routers.py).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import load_backend
from django.http import HttpResponseNotAllowed, JsonResponse

from reports import routers

PATH = "/healthz"
PRIMARY = "default"
# "applied" is kept this long; "pending" is checked again at each request, so a host shows the
# migration as soon as it is run.
MIGRATIONS_CACHE_SECONDS = 60

logger = logging.getLogger(__name__)


class _Memory:
    """What this process remembers between checks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.primary_down = False
        self.migrations_applied_until = 0.0
        # The check under way, (thread, outcome, started): polls share it while it waits.
        self.primary_check: tuple[threading.Thread, list, float] | None = None


memory = _Memory()


# The primary must answer within this, or the host is reported unavailable: a balancer's check
# gives up after a few seconds, and /healthz must answer before it does.
PRIMARY_ANSWER_SECONDS = 1.0
# A check still waiting on the primary is shared by the next polls rather than joined by another
# connection (anyone may poll /healthz); past this age it is given up and a new one started.
PRIMARY_CHECK_ABANDON_SECONDS = 30.0


def _select_one(db: dict, alias: str, outcome: list) -> None:
    """`SELECT 1` on a new connection of its own (run in a thread; never the worker's pooled
    connection, which a frozen server could hold for good)."""
    wrapper = load_backend(db["ENGINE"]).DatabaseWrapper(db, alias)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")
        outcome.append(None)
    except DatabaseError as error:
        outcome.append(str(error).strip().splitlines()[0] if str(error).strip() else "no answer")
    finally:
        wrapper.close()


def check_primary(alias: str) -> bool:
    """Whether the database answers `SELECT 1` within PRIMARY_ANSWER_SECONDS, on a connection
    opened for the check; logged once when it stops and once when it is back.

    The check runs in a thread the answer does not wait for beyond the limit: a primary that
    accepts connections and never answers is a 503 within a second, not after the connect
    timeout (the thread ends with that timeout, on its own). Polls made while it waits share it,
    so a process holds at most one connection for /healthz however often it is polled."""
    with memory.lock:
        pending = memory.primary_check
        now = time.monotonic()
        if (
            pending is None
            or not pending[0].is_alive()
            or now - pending[2] > PRIMARY_CHECK_ABANDON_SECONDS
        ):
            db = {**connections[alias].settings_dict, "CONN_MAX_AGE": 0}
            outcome: list = []
            thread = threading.Thread(
                target=_select_one, args=(db, alias, outcome), name="healthz-primary", daemon=True
            )
            thread.start()
            memory.primary_check = pending = (thread, outcome, now)
    thread, outcome = pending[0], pending[1]
    thread.join(PRIMARY_ANSWER_SECONDS)
    ok = outcome == [None]
    reason = outcome[0] if outcome else f"no answer within {PRIMARY_ANSWER_SECONDS:g} s"
    with memory.lock:
        was_down, memory.primary_down = memory.primary_down, not ok
    if not ok and not was_down:
        logger.error("The primary database failed (%s): /healthz answers 503.", reason)
    elif ok and was_down:
        logger.warning("The primary database answers again: /healthz answers 200.")
    return ok


def check_migrations(alias: str) -> str:
    """`applied`, or `pending` when a migration of this release is not applied."""
    if time.monotonic() < memory.migrations_applied_until:
        return "applied"
    executor = MigrationExecutor(connections[alias])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "pending"
    memory.migrations_applied_until = time.monotonic() + MIGRATIONS_CACHE_SECONDS
    return "applied"


def check_replica() -> str:
    """What the last report read learnt of the replica (see the module)."""
    if routers.REPLICA not in settings.DATABASES:
        return "not configured"
    if routers.health.down:
        return "down, reports read on the primary"
    return "ok" if routers.health.answered_once else "not tried yet"


def health() -> tuple[int, dict]:
    """The status code and the JSON of `/healthz`."""
    primary = check_primary(PRIMARY)
    checks = {
        "primary": "ok" if primary else "unreachable",
        "replica": check_replica(),
        # the job queue of a later release reports here
        "queue": "not configured",
        "migrations": check_migrations(PRIMARY) if primary else "unknown",
    }
    fine = checks["replica"] in ("ok", "not configured", "not tried yet")
    if not primary:
        return 503, {"status": "unavailable", "checks": checks}
    if checks["migrations"] != "applied" or not fine:
        return 200, {"status": "degraded", "checks": checks}
    return 200, {"status": "ok", "checks": checks}


class HealthCheckMiddleware:
    """Answers `/healthz` before any other middleware sees the request (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        status, body = health()
        response = JsonResponse(body, status=status)
        response["Cache-Control"] = "no-store"
        return response
