"""Large files: checked and committed beside the request (imports/jobs.py), the preview page
following the work, an interrupted or failed run shown as such, nothing half-written."""

from __future__ import annotations

import datetime
import logging

import pytest
from django.db import DatabaseError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Person
from imports import jobs, pipeline
from imports.models import ImportBatch
from tests.imports.helpers import batch_of, upload, xlsx
from tests.imports.test_people import HEADERS, good_rows
from wards.models import AuditEvent

# Three rows are "large" here: more than the inline limit.
pytestmark = pytest.mark.usefixtures("small_inline_limit")
CHECKING, COMMITTING, READY = (
    ImportBatch.State.CHECKING,
    ImportBatch.State.COMMITTING,
    ImportBatch.State.READY,
)


@pytest.fixture
def small_inline_limit():
    with override_settings(IMPORT_INLINE_ROWS=2, IMPORT_STALE_MINUTES=30):
        yield


@pytest.fixture
def spawned(monkeypatch):
    """The threads the views would start, recorded instead of started."""
    calls: list[tuple] = []
    monkeypatch.setattr(jobs, "spawn", lambda target, *args: calls.append(args))
    return calls


def preview(client, batch):
    return client.get(reverse("imports:preview", args=[batch.pk]))


def test_a_large_file_is_checked_beside_the_request_and_committed_the_same_way(
    world, personas, spawned, django_capture_on_commit_callbacks
):
    client = personas["leader"]
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    assert spawned == [(batch.pk, CHECKING)]
    assert batch.state == CHECKING and batch.results == [] and batch.started_at is not None

    # While it is checked: the page says so and reloads itself; nothing can be committed yet.
    page = preview(client, batch)
    text = page.content.decode()
    assert "Đang kiểm tra 3 dòng…" in text and "js/import_wait.js" in text
    assert "Việc này cần chưa đến một phút." in text
    assert reverse("imports:commit", args=[batch.pk]) not in text
    refused = client.post(reverse("imports:commit", args=[batch.pk]))
    assert refused["Location"] == reverse("imports:preview", args=[batch.pk])
    assert client.post(reverse("imports:mapping", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.state == CHECKING and Person.objects.count() == 0

    asked = client.get(reverse("imports:preview", args=[batch.pk]), {"cho": "1"})
    assert asked.json() == {"done": False}  # what import_wait.js asks every 5 seconds

    jobs.run_queued(batch.pk, CHECKING)
    batch.refresh_from_db()
    assert batch.state == READY and [r["status"] for r in batch.results] == ["new"] * 3
    asked = client.get(reverse("imports:preview", args=[batch.pk]), {"cho": "1"})
    assert asked.json() == {"done": True}
    text = preview(client, batch).content.decode()
    assert "Không có lỗi: 3 dòng sẽ được nhập." in text and "data-import-waiting" not in text

    # «Nhập»: the commit is started beside the request too, and cannot be cancelled.
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(reverse("imports:commit", args=[batch.pk]))
    assert started["Location"] == reverse("imports:preview", args=[batch.pk])
    assert spawned[-1] == (batch.pk, COMMITTING) and Person.objects.count() == 0
    assert "Đang nhập 3 dòng…" in preview(client, batch).content.decode()
    kept = client.post(reverse("imports:cancel", args=[batch.pk]))
    assert kept["Location"] == reverse("imports:preview", args=[batch.pk])
    assert ImportBatch.objects.filter(pk=batch.pk).exists()

    jobs.run_queued(batch.pk, COMMITTING)
    batch.refresh_from_db()
    assert batch.committed_at is not None and batch.created_count == 3 and batch.rows == []
    assert Person.objects.filter(ward=world.ward_a).count() == 3
    event = AuditEvent.objects.get(action="import")
    assert event.actor == world.leader and event.changes["created"] == 3
    done = preview(client, batch)
    assert done["Location"] == reverse("cases:register")


def test_a_file_with_errors_committed_beside_the_request_imports_nothing(world, personas, spawned):
    client = personas["leader"]
    rows = [*good_rows(2), ["Lê Văn Lỗi", "Nam", 1990, "Không rõ", "05/03/2024"]]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *rows])))
    jobs.run_queued(batch.pk, CHECKING)
    batch.refresh_from_db()
    assert [r["status"] for r in batch.results] == ["new", "new", "error"]
    # Even if «Nhập» were pressed: all or nothing.
    ImportBatch.objects.filter(pk=batch.pk).update(state=COMMITTING)
    jobs.run_queued(batch.pk, COMMITTING)
    batch.refresh_from_db()
    assert batch.state == READY and batch.committed_at is None
    assert Person.objects.count() == 0 and not AuditEvent.objects.filter(action="import").exists()


def test_work_that_stopped_halfway_is_shown_as_interrupted_and_can_be_cancelled(
    world, personas, spawned
):
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ImportBatch.objects.filter(pk=batch.pk).update(state=COMMITTING, started_at=an_hour_ago)
    asked = client.get(reverse("imports:preview", args=[batch.pk]), {"cho": "1"})
    assert asked.json() == {"done": True}  # the page stops asking and shows the interruption
    text = preview(client, batch).content.decode()
    assert "Việc nhập tệp này bị gián đoạn. Không dòng nào được nhập." in text
    assert "data-import-waiting" not in text and "import_wait.js" not in text
    gone = client.post(reverse("imports:cancel", args=[batch.pk]))
    assert gone["Location"] == reverse("imports:start")
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()


def test_a_failure_is_logged_without_the_cells_and_shown_as_interrupted(
    world, personas, spawned, monkeypatch, caplog
):
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))

    def broken(**kwargs):
        raise RuntimeError(f"cannot read {kwargs['rows'][1][0]}")

    monkeypatch.setattr(pipeline, "run", broken)
    with caplog.at_level(logging.ERROR, logger="imports.jobs"):
        jobs.run_queued(batch.pk, CHECKING)
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.FAILED
    assert "Việc kiểm tra tệp này bị gián đoạn." in preview(client, batch).content.decode()
    [record] = caplog.records
    assert record.getMessage() == f"import batch {batch.pk} failed in the background"
    assert "Nguyễn" not in record.getMessage()


def test_a_batch_cancelled_while_it_is_checked_stays_gone(world, personas, spawned):
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    loaded = ImportBatch.objects.get(pk=batch.pk)
    client.post(reverse("imports:cancel", args=[batch.pk]))
    # A thread that had loaded it before the cancel cannot write it back.
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        jobs.check(loaded)
    jobs.run_queued(batch.pk, CHECKING)  # a thread started after the cancel: nothing to do
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_thread_checks_and_commits_on_its_own_connection(world, personas, monkeypatch):
    threads = []
    real_spawn = jobs.spawn
    monkeypatch.setattr(jobs, "spawn", lambda *args: threads.append(real_spawn(*args)))
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    threads.pop().join(timeout=60)
    batch.refresh_from_db()
    assert batch.state == READY and [r["status"] for r in batch.results] == ["new"] * 3
    client.post(reverse("imports:commit", args=[batch.pk]))
    threads.pop().join(timeout=60)
    batch.refresh_from_db()
    assert batch.committed_at is not None
    assert Person.objects.filter(ward=world.ward_a).count() == 3


def test_a_full_template_of_20000_rows_under_its_example_row_is_taken(world, personas, spawned):
    """The limit counts the rows typed in: the template's example row is not one of them."""
    from imports.kinds import KINDS
    from imports.reading import MAX_ROWS
    from tests.imports.helpers import csv_bytes

    people = KINDS["people"]
    headers = [str(c.header) for c in people.columns]
    example = [c.example for c in people.columns]

    def typed(n):
        return [
            [f"Người {i}" if c.key == "full_name" else "" for c in people.columns] for i in range(n)
        ]

    client = personas["leader"]
    full = csv_bytes([headers, example, *typed(MAX_ROWS)])
    batch = batch_of(upload(client, "people", full, name="day.csv"))
    assert batch.data_rows == MAX_ROWS + 1 and batch.state == CHECKING

    over = csv_bytes([headers, example, *typed(MAX_ROWS + 1)])
    refused = upload(client, "people", over, name="qua.csv")
    assert refused.status_code == 200
    assert "Tệp có 20.001 dòng; mỗi lần chỉ nhập được tối đa 20.000 dòng." in (
        refused.content.decode()
    )
