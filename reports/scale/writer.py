"""Writing generated rows in bulk: explicit ids, COPY on PostgreSQL, batched INSERT elsewhere.

The generator hands over plain tuples (one per row, in the order of `Sink.fields`), never
model instances, so memory stays bounded by the batch whatever the volume. Ids are given
explicitly from `max(pk) + 1`, which lets child rows name their parents without reading
anything back and makes two runs on the same database write identical rows; the sequences
are moved past the new ids at the end (`Writer.close`).

`created_at`/`updated_at` are written too (they would otherwise be the time of the run): the
evening of the record's own day, so the rows are the same on every run.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.management.color import no_style
from django.db import connection, models

BATCH = 5000
EVENING = datetime.time(18, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


class Sink:
    """One table's pending rows and its next id."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]):
        self.model = model
        self.fields = ("id", *fields)
        meta = model._meta
        by_name = {f.name: f for f in meta.concrete_fields} | {
            f.attname: f for f in meta.concrete_fields
        }
        self.columns = [by_name[name] for name in self.fields]
        # A NOT NULL column the generator does not name (a `version` added later) gets its
        # model default, so a new field with a default never breaks the bulk rows.
        listed = {f.attname for f in self.columns}
        constants = [
            f
            for f in meta.concrete_fields
            if f.attname not in listed and not f.null and f.has_default() and not f.primary_key
        ]
        self.columns += constants
        self.constants = tuple(f.get_default() for f in constants)
        top = model._base_manager.aggregate(top=models.Max("pk"))["top"]
        self.next_id = (top or 0) + 1
        self.rows: list[tuple] = []
        self.count = 0

    def add(self, *values) -> int:
        """Queue a row (without its id); return the id it will have."""
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values, *self.constants))
        return pk


class Writer:
    """The sinks of a run, flushed parents first whenever one of them is full.

    On PostgreSQL the foreign keys are checked at once (`SET CONSTRAINTS ALL IMMEDIATE`)
    rather than at commit, so the queue of pending checks stays as small as a batch; that
    is why sinks are flushed in the order they were opened (parents before children)."""

    def __init__(self, batch: int = BATCH):
        self.batch = batch
        self.sinks: list[Sink] = []
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self._evenings: dict[datetime.date, datetime.datetime] = {}

    def sink(self, model: type[models.Model], fields: Sequence[str]) -> Sink:
        sink = Sink(model, fields)
        self.sinks.append(sink)
        return sink

    def stamp(self, day: datetime.date) -> datetime.datetime:
        """created_at/updated_at of a record of `day`."""
        at = self._evenings.get(day)
        if at is None:
            at = self._evenings[day] = datetime.datetime.combine(day, EVENING)
        return at

    def full(self) -> bool:
        return any(len(s.rows) >= self.batch for s in self.sinks)

    def flush(self) -> None:
        for sink in self.sinks:
            if sink.rows:
                self._write(sink)
                sink.count += len(sink.rows)
                sink.rows = []

    def maybe_flush(self) -> None:
        if self.full():
            self.flush()

    def close(self) -> None:
        self.flush()
        models_ = list(dict.fromkeys(s.model for s in self.sinks))
        statements = connection.ops.sequence_reset_sql(no_style(), models_)
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    def _write(self, sink: Sink) -> None:
        quote = connection.ops.quote_name
        table = quote(sink.model._meta.db_table)
        names = ", ".join(quote(f.column) for f in sink.columns)
        with connection.cursor() as cursor:
            if self.postgres:
                raw = cursor.cursor  # psycopg's own cursor, for COPY
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in sink.rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(sink.columns))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - model names
                prep = [f.get_db_prep_save for f in sink.columns]
                cursor.executemany(
                    sql,
                    [
                        [p(v, connection) for p, v in zip(prep, row, strict=True)]
                        for row in sink.rows
                    ],
                )
