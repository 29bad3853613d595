"""Report queries on a read replica, when there is one (docs/deploy.md).

With `REPLICA_DATABASE_URL` set, settings define a second alias, `replica`: a streaming replica
of the primary. The figures of the report page, its downloads and `manage.py report` are read
there inside `reading_replica()`; everything else (logins, sessions, the access function, the
audit rows that every export writes, the figures a ward freezes when it submits) stays on the
primary. Without the alias the block reads from the primary as before.

A replica lags the primary by a fraction of a second, so a contact saved just now may be missing
from a report opened at the same moment; the submission of a ward report reads the primary for
that reason.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.conf import settings

REPLICA = "replica"

_reading = contextvars.ContextVar("reports_reading_replica", default=False)


@contextlib.contextmanager
def reading_replica() -> Iterator[None]:
    """Reads inside the block go to the replica alias when it is configured."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class ReplicaRouter:
    """Sends the reads of `reading_replica()` blocks to the replica; writes, and every read
    elsewhere, to the primary. Migrations run on the primary only: the replica copies them."""

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
