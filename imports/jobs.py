"""Checking and committing a batch, in the request or, for a large file, beside it.

Every row goes through the app's own services (pipeline.run), about 8 ms a row: 2,000 rows
take some 16 seconds, 20,000 rows nearly three minutes, more than a web request may last
(GUNICORN_TIMEOUT). So a batch of more than IMPORT_INLINE_ROWS rows is checked, and committed,
in a thread of the web process while the preview page says what is going on and follows it.
The thread's work is one transaction, so a worker that is stopped halfway (a restart, a crash)
leaves nothing behind: the batch is then shown as interrupted once IMPORT_STALE_MINUTES have
passed, and the user uploads the file again.
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from . import pipeline
from .kinds import KINDS
from .matching import Match, missing_required
from .models import ImportBatch

logger = logging.getLogger(__name__)


def inline_rows() -> int:
    return getattr(settings, "IMPORT_INLINE_ROWS", 1000)


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(minutes=getattr(settings, "IMPORT_STALE_MINUTES", 15))


def _run(batch: ImportBatch, *, commit: bool, actor=None) -> pipeline.Outcome:
    return pipeline.run(
        kind=KINDS[batch.kind],
        ward=batch.ward,
        actor=actor or batch.created_by,
        rows=batch.rows,
        numbers=batch.numbers,
        match=Match.from_json(batch.mapping),
        commit=commit,
        file_name=batch.file_name,
    )


def check(batch: ImportBatch) -> None:
    """Run the preview and keep its results on the batch, which is then ready."""
    found = Match.from_json(batch.mapping)
    if missing_required(KINDS[batch.kind], found.fields):
        batch.results = []
    else:
        batch.results = _run(batch, commit=False).as_json()
    batch.state, batch.started_at = ImportBatch.State.READY, None
    batch.save(update_fields=["results", "mapping", "state", "started_at", "updated_at"])


def commit(batch: ImportBatch, actor) -> pipeline.Outcome:
    """Import every row or none; on success the cells are cleared and the counts kept."""
    with transaction.atomic():
        outcome = _run(batch, commit=True, actor=actor)
        batch.state, batch.started_at = ImportBatch.State.READY, None
        if outcome.committed:
            batch.committed_at = timezone.now()
            batch.created_count = outcome.count(pipeline.NEW)
            batch.skipped_count = outcome.count(pipeline.SKIP)
            batch.rows, batch.numbers, batch.results = [], [], []
        else:
            batch.results = outcome.as_json()
        batch.save(force_update=True)  # never bring back a batch deleted meanwhile
    return outcome


def in_background(batch: ImportBatch) -> bool:
    return batch.data_rows > inline_rows()


def spawn(target, *args) -> threading.Thread:
    """Start `target(*args)` in a thread (not a daemon: a worker that exits waits for it)."""
    thread = threading.Thread(target=target, args=args, name="import-batch")
    thread.start()
    return thread


def _background(pk: int, state: str) -> None:
    """The thread: the work on a connection of its own, closed at the end."""
    close_old_connections()
    try:
        run_queued(pk, state)
    finally:
        connection.close()


def run_queued(pk: int, state: str) -> None:
    """Check or commit the batch left in `state`; a failure marks it failed."""
    try:
        with transaction.atomic():  # a failure leaves nothing, and the connection usable
            batch = ImportBatch.objects.select_related("ward", "created_by").get(pk=pk)
            if batch.state != state:  # cancelled, or done by another thread meanwhile
                return
            if state == ImportBatch.State.CHECKING:
                check(batch)
            else:  # a batch is its uploader's alone: they pressed «Nhập»
                commit(batch, batch.created_by)
    except Exception:
        if not ImportBatch.objects.filter(pk=pk).exists():  # cancelled meanwhile: nothing to say
            return
        # The cells are personal data: the log gets the batch id and the traceback only
        # (config/logfilters.py drops the exception's message).
        logger.exception("import batch %s failed in the background", pk)
        ImportBatch.objects.filter(pk=pk, state=state).update(
            state=ImportBatch.State.FAILED, started_at=None, updated_at=timezone.now()
        )


def start_check(batch: ImportBatch) -> None:
    """Check now, or mark the batch as being checked and check it beside the request."""
    if not in_background(batch):
        check(batch)
        return
    _queue(batch, ImportBatch.State.CHECKING)


def start_commit(batch: ImportBatch, actor) -> pipeline.Outcome | None:
    """Commit now and return the outcome, or start committing beside the request (None)."""
    if not in_background(batch):
        return commit(batch, actor)
    _queue(batch, ImportBatch.State.COMMITTING)
    return None


def _queue(batch: ImportBatch, state: str) -> None:
    batch.state, batch.started_at = state, timezone.now()
    batch.save(update_fields=["state", "started_at", "updated_at"])
    # Start only once the request's transaction (if any) has made the state visible.
    transaction.on_commit(lambda: spawn(_background, batch.pk, state))


def is_stale(batch: ImportBatch) -> bool:
    """Checking or committing for longer than any file takes: its thread is gone."""
    return (
        batch.state in (ImportBatch.State.CHECKING, ImportBatch.State.COMMITTING)
        and batch.started_at is not None
        and batch.started_at < timezone.now() - stale_after()
    )
