"""Query budgets of the import pages: the start page, the template and the preview cost the
same whatever the register and the file hold (1 row or 300).

The upload and the commit run every row through the app's own services (the duplicate check,
`person_register`, its audit row), so they cost queries in proportion to the rows by design and
are not budgeted; `test_an_upload_and_commit_of_300_people_is_measured` prints what they cost
(run with -s, on SQLite and on PostgreSQL with DATABASE_URL set).
"""

from __future__ import annotations

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Person
from imports import pipeline
from imports.models import ImportBatch
from tests import factories as f
from tests.imports.helpers import batch_of, csv_bytes, upload

HEADERS = ["Họ và tên", "Giới tính", "Năm sinh", "Nhóm", "Ngày đồng ý cung cấp thông tin"]
GROUPS = ["Người sau cai nghiện", "Người nghiện ma túy", "Người có nguy cơ cao", "Khác"]


def people_rows(n: int, *, start: int = 0) -> list[list]:
    return [
        [
            f"Nguyễn Văn Nhập {i}",
            "Nữ" if i % 3 else "Nam",
            1960 + i % 45,
            GROUPS[i % len(GROUPS)],
            f"{1 + i % 28:02d}/03/2024",
        ]
        for i in range(start, start + n)
    ]


def _queries(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
        assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_start_page_costs_the_same_with_an_empty_or_a_full_register(world, personas):
    client, url = personas["leader"], reverse("imports:start")
    empty = _queries(client, url)
    for _i in range(50):
        f.person(ward=world.ward_a)
    batch_of(upload(client, "people", csv_bytes([HEADERS, *people_rows(5)]), name="ds.csv"))
    assert _queries(client, url) == empty
    assert empty <= 9  # the session, the user, their grants (6), the purge of stale batches


def test_the_template_costs_the_same_with_an_empty_or_a_full_register(world, personas):
    client, url = personas["leader"], reverse("imports:template", args=["people"])
    empty = _queries(client, url)
    for _i in range(50):
        f.person(ward=world.ward_a)
    assert _queries(client, url) == empty
    assert empty <= 8  # the session, the user, their grants (6)


def test_the_preview_costs_the_same_for_1_and_300_rows(world, personas):
    client = personas["leader"]
    one = batch_of(upload(client, "people", csv_bytes([HEADERS, *people_rows(1)]), name="1.csv"))
    many = batch_of(
        upload(client, "people", csv_bytes([HEADERS, *people_rows(300)]), name="300.csv")
    )
    assert [len(one.results), len(many.results)] == [1, 300]
    assert {r["status"] for r in many.results} == {pipeline.NEW}

    baseline = _queries(client, reverse("imports:preview", args=[one.pk]))
    url = reverse("imports:preview", args=[many.pk])
    assert _queries(client, url) == baseline
    # the last page, and a filter, read the same stored results
    assert _queries(client, url, {"page": "3"}) == baseline
    assert _queries(client, url, {"loc": "moi", "page": "2"}) == baseline
    assert baseline <= 9  # the session, the user, their grants (6), the batch


def test_the_preview_of_a_file_with_errors_and_duplicates_costs_the_same(world, personas):
    client = personas["leader"]
    clean = batch_of(upload(client, "people", csv_bytes([HEADERS, *people_rows(1)]), name="a.csv"))
    f.person(ward=world.ward_a, full_name="Nguyễn Văn Nhập 7", birth_year=1967)
    rows = people_rows(100)
    rows[10][4] = "31/02/2024"  # a bad date
    rows[20][3] = "Nhóm lạ"  # an unknown group
    rows[30] = list(rows[29])  # twice in the file
    mixed = batch_of(upload(client, "people", csv_bytes([HEADERS, *rows]), name="b.csv"))
    statuses = [r["status"] for r in mixed.results]
    assert statuses.count(pipeline.ERROR) == 3 and statuses.count(pipeline.SKIP) == 1
    assert _queries(client, reverse("imports:preview", args=[mixed.pk]), {"loc": "loi"}) == (
        _queries(client, reverse("imports:preview", args=[clean.pk]))
    )


def test_the_page_of_a_file_checked_in_the_background_costs_the_same_for_3_and_300_rows(
    world, personas, monkeypatch, settings
):
    settings.IMPORT_INLINE_ROWS = 2
    monkeypatch.setattr("imports.jobs.spawn", lambda *args: None)
    client = personas["leader"]
    small = batch_of(upload(client, "people", csv_bytes([HEADERS, *people_rows(3)]), name="a.csv"))
    large = batch_of(
        upload(client, "people", csv_bytes([HEADERS, *people_rows(300)]), name="b.csv")
    )
    assert small.state == large.state == ImportBatch.State.CHECKING
    baseline = _queries(client, reverse("imports:preview", args=[small.pk]))
    assert _queries(client, reverse("imports:preview", args=[large.pk])) == baseline
    assert baseline <= 9  # the session, the user, their grants (6), the batch


class Counter:
    """Every statement sent to the database (CaptureQueriesContext keeps only the last 9,000)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def test_an_upload_and_commit_of_300_people_is_measured(world, personas, capsys):
    """Not a budget: the rows go through the services one by one. Prints the cost; asserts
    that the preview wrote no one and the commit wrote all 300."""
    client = personas["leader"]
    content = csv_bytes([HEADERS, *people_rows(300)])
    uploading, committing = Counter(), Counter()
    started = time.perf_counter()
    with connection.execute_wrapper(uploading):
        batch = batch_of(upload(client, "people", content, name="300.csv"))
    uploaded = time.perf_counter()
    assert Person.objects.count() == 0
    with connection.execute_wrapper(committing):
        response = client.post(reverse("imports:commit", args=[batch.pk]))
    done = time.perf_counter()
    assert response.status_code == 302 and response["Location"] == reverse("cases:register")
    assert Person.objects.filter(ward=world.ward_a).count() == 300
    assert ImportBatch.objects.get(pk=batch.pk).created_count == 300
    with capsys.disabled():
        print(
            f"\n300 people on {connection.vendor}: upload and preview "
            f"{uploading.count} queries in {uploaded - started:.2f} s; "
            f"commit {committing.count} queries in {done - uploaded:.2f} s"
        )
