"""Report queries on a read replica, when there is one (docs/deploy.md).

With `REPLICA_DATABASE_URL` set, settings define a second alias, `replica`: a streaming replica
of the primary. The figures of the report page, its downloads and `manage.py report` are read
there, through `on_replica()` or inside `reading_replica()`; everything else (logins, sessions,
the access function, the audit rows that every export writes, the figures a ward freezes when it
submits) stays on the primary. Without the alias the reads go to the primary as before.

A replica lags the primary by a fraction of a second, so a contact saved just now may be missing
from a report opened at the same moment; the submission of a ward report reads the primary for
that reason.

A replica that is down or hangs must not take the reports with it. Before each block the
replica is asked `SELECT 1` (a new connection gives up after `REPLICA_CONNECT_TIMEOUT`
seconds); when that fails, or a query of `on_replica()` fails on the replica partway, the
figures are read on the primary and the replica is left alone for `REPLICA_RETRY_SECONDS`.
Each process logs one warning when the replica fails and one when it answers again, not one per
request.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, OperationalError, connections

REPLICA = "replica"
# PostgreSQL's "canceling statement due to statement timeout": the query is too heavy, not the
# replica broken, and it would be as heavy on the primary.
QUERY_CANCELED = "57014"

logger = logging.getLogger(__name__)
T = TypeVar("T")

_reading = contextvars.ContextVar("reports_reading_replica", default=False)


class _ReplicaHealth:
    """What this process knows of the replica: whether it failed, and when to try it again."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down = False
        self.answered_once = False
        self.retry_at = 0.0

    def failed(self, reason: str) -> None:
        with self.lock:
            first = not self.down
            self.down = True
            self.retry_at = time.monotonic() + settings.REPLICA_RETRY_SECONDS
        if first:
            logger.warning(
                "The replica database %s failed (%s): report figures are read on the primary "
                "until it answers again; it is tried every %s s.",
                _address(),
                reason,
                settings.REPLICA_RETRY_SECONDS,
            )

    def answered(self) -> None:
        with self.lock:
            was_down, self.down = self.down, False
            self.answered_once = True
        if was_down:
            logger.warning(
                "The replica database %s answers again: report figures are read there again.",
                _address(),
            )

    def resting(self) -> bool:
        """Failed lately: not to be tried before its retry time."""
        return self.down and time.monotonic() < self.retry_at


health = _ReplicaHealth()


def _address() -> str:
    db = settings.DATABASES.get(REPLICA, {})
    return f"{db.get('HOST') or 'local'}:{db.get('PORT') or 'default port'}"


def _forget_connection() -> None:
    with contextlib.suppress(DatabaseError):
        connections[REPLICA].close()


def replica_state() -> str:
    """`not configured`, `ok` or `down`, trying the replica when it is due (healthz)."""
    if REPLICA not in settings.DATABASES:
        return "not configured"
    return "ok" if replica_answers() else "down"


def replica_answers() -> bool:
    """Whether the replica is configured and answers; a failure rests it (see module)."""
    if REPLICA not in settings.DATABASES or health.resting():
        return False
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        # a failed connection's message names the host and the cause, never data
        health.failed(str(error).strip().splitlines()[0] if str(error).strip() else "no answer")
        _forget_connection()
        return False
    health.answered()
    return True


@contextlib.contextmanager
def reading_replica() -> Iterator[None]:
    """Reads inside the block go to the replica when it is configured and answers.

    A query that fails on the replica inside the block raises; `on_replica()` reads again on
    the primary instead.
    """
    token = _reading.set(replica_answers())
    try:
        yield
    finally:
        _reading.reset(token)


def on_replica(read: Callable[[], T]) -> T:
    """`read()` with its queries on the replica when it answers, else on the primary; if the
    replica fails partway, `read()` runs again from the start on the primary."""
    if not replica_answers():
        return read()
    replica = connections[REPLICA]
    replica.errors_occurred = False
    token = _reading.set(True)
    try:
        return read()
    except OperationalError as error:
        code = getattr(error.__cause__, "sqlstate", None)
        if not replica.errors_occurred or code == QUERY_CANCELED:
            raise
        health.failed(f"{type(error.__cause__ or error).__name__} {code or ''}".strip())
        _forget_connection()
    finally:
        _reading.reset(token)
    return read()


class ReplicaRouter:
    """Sends the reads of replica blocks to the replica; writes, and every read elsewhere, to
    the primary. Migrations run on the primary only: the replica copies them."""

    def db_for_read(self, model, **hints) -> str | None:
        if _reading.get() and REPLICA in settings.DATABASES:
            return REPLICA
        return None

    def db_for_write(self, model, **hints) -> str | None:
        return None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # the replica holds the same rows as the primary
        return True

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return db != REPLICA
