"""Prove a backup restores: dump a PostgreSQL database, restore it into a fresh one and compare
every report's figures, every table and the schema between the two.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/donghanh DEBUG=1 \
        .venv/bin/python bench/backup_roundtrip.py [--dump FILE] [--keep] [--jobs N]

Steps: `pg_dump -Fc` of the source to a temporary file (in a folder only this user can read,
deleted at the end: the dump holds every person's record), or `--dump FILE`, an existing
custom-format dump such as last night's, decrypted; `createdb` of a fresh database with a unique
name; `pg_restore --no-owner --exit-on-error --single-transaction` into it; `manage.py migrate
--check` on it; then the figures of both databases, computed by two child processes of this
script (`--collect`; `--jobs N` of them per database share the units) each with its own
DATABASE_URL, in a read-only session (PGOPTIONS=-c default_transaction_read_only=on): nothing
here can write to the source.

The figures (`collect()`): the report (`reports.report.build`, as `as_json` writes it: the
unit's figures, each child unit's and the comparison period's) and the monthly trend of every
unit that has data (the units records point at, their parents and the units they were merged
into, up to the province) for each year with data, the last year's quarters and half-years, its
last month, the whole span in years and in days, with the calendar and the official cut-off;
every table's row count and a checksum of its rows; every sequence's position; the names and
definitions of indexes, constraints, triggers, functions and extensions.

Prints a summary and the differences (the first 200); exits 0 when there is none, 1 when
there is one, 2 when a step fails. The restored database is dropped at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
READ_ONLY = "-c default_transaction_read_only=on"
PARTS = ("reports", "tables", "schema")
ROW_HASH = "('x' || left(md5(t::text), 16))::bit(64)::bigint"  # a row's first 64 bits of md5


# Figures: run inside Django (a child process, or a test) -----------------------------------


def _data_bounds() -> tuple[datetime.date, datetime.date] | None:
    """The first and last day any record of a report's sources falls on."""
    from django.db.models import Max, Min

    from cases.models import Contact, Enrollment, Milestone, Person
    from outreach.models import Activity, Referral

    dated = (
        (Activity, "occurred_on"),
        (Contact, "occurred_on"),
        (Milestone, "occurred_on"),
        (Enrollment, "started_on"),
        (Person, "registered_on"),
        (Referral, "referred_on"),
    )
    days = []
    for model, field in dated:
        bounds = model.objects.aggregate(first=Min(field), last=Max(field))
        days += [d for d in bounds.values() if d is not None]
    return (min(days), max(days)) if days else None


def units_with_data() -> list:
    """Every unit whose report can show a figure: the units records point at, then their
    parents and the units they were merged into, until nothing new is added."""
    from cases.models import Contact, Enrollment, Milestone, Person
    from outreach.models import Activity, Referral
    from wards.models import AdminUnit, Team

    pointed = (
        (Activity, "unit_id"),
        (Contact, "ward_id"),
        (Milestone, "ward_id"),
        (Enrollment, "ward_id"),
        (Person, "ward_id"),
        (Person, "registered_ward_id"),
        (Referral, "ward_id"),
        (Team, "ward_id"),
    )
    ids: set[int] = set()
    for model, column in pointed:
        ids |= set(model.objects.order_by().values_list(column, flat=True).distinct())
    frontier = ids
    while frontier:
        links = AdminUnit.objects.filter(pk__in=frontier).values_list("parent_id", "successor_id")
        found = {pk for pair in links for pk in pair if pk is not None}
        frontier = found - ids
        ids |= frontier
    return list(AdminUnit.objects.filter(pk__in=ids).order_by("level", "code"))


def periods() -> list:
    """The periods every unit is reported for (see the module's docstring), both cut-offs."""
    from reports.periods import CUTOFFS, parse

    bounds = _data_bounds()
    if bounds is None:
        return []
    first, last = bounds
    specs = [str(year) for year in range(first.year, last.year + 1)]
    specs += [f"{last.year}-Q{q}" for q in (1, 2, 3, 4)] + [f"{last.year}-H1", f"{last.year}-H2"]
    specs += [f"{last.year}-{last.month:02d}", f"{first.year}..{last.year}"]
    out = [parse(spec, cutoff) for spec in specs for cutoff in CUTOFFS]
    # A range of days is the same whatever the cut-off: once.
    return out + [parse(f"{first.isoformat()}..{last.isoformat()}")]


def _flatten(prefix: str, value, out: dict) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(f"{prefix}/{key}", item, out)
    else:
        out[prefix] = value


def report_figures(part: int = 0, parts: int = 1) -> dict:
    """Every figure of every report (see the module's docstring), keyed by where it is; with
    `parts`, only every `parts`-th unit from the `part`-th, so that workers share the units."""
    from reports.report import as_json, build
    from reports.trend import trend

    out: dict = {}
    chosen = periods()
    for unit in units_with_data()[part::parts]:
        for period in chosen:
            key = f"{unit.code} {period.spec} {period.cutoff}"
            _flatten(key, as_json(build(unit, period)), out)
            for series in trend(unit, period).series:
                out[f"{key}/trend/{series.code}"] = list(series.values)
    return out


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    )
    return [row[0] for row in cursor.fetchall()]


def table_figures(cursor) -> dict:
    """Each table's row count and a checksum of its rows: the sum of the first 64 bits of each
    row's md5, which needs no order and no memory however long the table."""
    out = {}
    for table in _tables(cursor):
        # The name comes from pg_tables, quoted by quote_ident.
        sql = f"SELECT count(*), coalesce(sum({ROW_HASH}), 0) FROM {table} AS t"  # noqa: S608
        cursor.execute(sql)
        rows, checksum = cursor.fetchone()
        out[f"{table}/rows"] = rows
        out[f"{table}/checksum"] = str(checksum)
    cursor.execute(
        "SELECT schemaname || '.' || sequencename, last_value FROM pg_sequences "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
    )
    for name, last_value in cursor.fetchall():
        out[f"{name}/sequence"] = last_value
    return out


SCHEMA = {
    "index": "SELECT schemaname || '.' || indexname, indexdef FROM pg_indexes "
    "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    "constraint": "SELECT conrelid::regclass || '.' || conname, pg_get_constraintdef(c.oid) "
    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')",
    "trigger": "SELECT tgrelid::regclass || '.' || tgname, pg_get_triggerdef(t.oid) "
    "FROM pg_trigger t WHERE NOT tgisinternal",
    "function": "SELECT p.oid::regprocedure::text, md5(pg_get_functiondef(p.oid)) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind = 'f' "
    "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')",
    "extension": "SELECT extname, extversion FROM pg_extension",
}


CAST = re.compile(r"::[\w ]+(\[\])?")
DEPARSED = ("index", "constraint", "trigger")


def _normalised(definition: str) -> str:
    """A definition without its casts, brackets and spaces. PostgreSQL prints a restored
    CHECK (kind IN ('a', 'b')) on a varchar with its casts in other places than the original
    (`ARRAY['a'::varchar]::text[]` becomes `ARRAY[('a'::varchar)::text]`): the same
    constraint, which must not count as a difference."""
    return re.sub(r"[()\s]", "", CAST.sub("", definition))


def schema_figures(cursor) -> dict:
    """What a restore must bring back besides rows: the append-only triggers, the exclusion
    constraints (and the btree_gist extension they need), the indexes."""
    out = {}
    for kind, sql in SCHEMA.items():
        cursor.execute(sql)
        for name, definition in cursor.fetchall():
            out[f"{kind} {name}"] = _normalised(definition) if kind in DEPARSED else definition
    return out


def collect(part: int = 0, parts: int = 1) -> dict:
    """Every figure the comparison covers, from the default database. Reads only. With
    `parts`, this worker's share of the reports; the tables and schema go to the first."""
    from django.db import connection

    tables, schema = {}, {}
    if part == 0:
        with connection.cursor() as cursor:
            tables, schema = table_figures(cursor), schema_figures(cursor)
    return {"reports": report_figures(part, parts), "tables": tables, "schema": schema}


def compare(source: dict, restored: dict) -> list[str]:
    """One line per figure that is missing on a side or differs; empty when all agree."""
    out = []
    for part in PARTS:
        a, b = source.get(part, {}), restored.get(part, {})
        for key in sorted(a.keys() | b.keys()):
            if key not in b:
                out.append(f"{part}: {key}: {a[key]!r} in the source, missing after restore")
            elif key not in a:
                out.append(f"{part}: {key}: missing in the source, {b[key]!r} after restore")
            elif a[key] != b[key]:
                out.append(f"{part}: {key}: {a[key]!r} in the source, {b[key]!r} after restore")
    return out


def _collect_main(output: str, part: int, parts: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    started = time.perf_counter()
    with translation.override("vi"):
        figures = collect(part, parts)
    figures["seconds"] = time.perf_counter() - started
    Path(output).write_text(json.dumps(figures, ensure_ascii=False, default=str))


# The round trip: dump, restore, run two collections, compare ---------------------------------


class StepFailed(Exception):
    """A command of the round trip failed; the message says which and why."""


def _run(step: str, command: list[str], env: dict | None = None) -> float:
    """Run a command; its duration in seconds, or StepFailed with its error output."""
    started = time.perf_counter()
    # The commands are this script's own: PostgreSQL's tools and manage.py, no shell.
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if done.returncode != 0:
        said = f"{done.stdout.strip()}\n{done.stderr.strip()}".strip()
        raise StepFailed(f"{step} failed ({done.returncode}):\n{said[-2000:]}")
    return time.perf_counter() - started


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _collect_both(urls: dict[str, str], folder: Path, jobs: int) -> dict[str, dict]:
    """Run `--collect` against each URL at once, `jobs` read-only processes per database,
    and put each database's shares together."""
    running = []
    for side, url in urls.items():
        env = {**os.environ, "DATABASE_URL": url, "PGOPTIONS": READ_ONLY}
        for part in range(jobs):
            output, errors = folder / f"{side}-{part}.json", folder / f"{side}-{part}.err"
            command = [sys.executable, __file__, "--collect", str(output), "--part", str(part)]
            command += ["--jobs", str(jobs)]
            with errors.open("w") as stderr:
                process = subprocess.Popen(command, env=env, stderr=stderr)  # noqa: S603
            running.append((side, process, output, errors))
    out: dict[str, dict] = {side: {part: {} for part in PARTS} | {"seconds": 0.0} for side in urls}
    for side, process, output, errors in running:
        if process.wait() != 0:
            for _side, other, _output, _errors in running:
                other.kill()  # the other workers' connections would keep the database open
                other.wait()
            said = errors.read_text()[-2000:]
            raise StepFailed(f"figures of the {side} database failed:\n{said}")
        share = json.loads(output.read_text())
        for part in PARTS:
            out[side][part].update(share[part])
        out[side]["seconds"] = max(out[side]["seconds"], share["seconds"])
    return out


def roundtrip(source: str, dump: str | None, keep: bool, jobs: int) -> int:
    name = urlsplit(source).path.lstrip("/")
    stamp = datetime.datetime.now().strftime("%Y%m%d%H%M%S")
    fresh = f"{name[:30]}_restored_{stamp}_{uuid.uuid4().hex[:6]}"
    restored = _with_database(source, fresh)
    timings: dict[str, float] = {}
    created = False
    with tempfile.TemporaryDirectory(prefix="backup_roundtrip_") as tmp:
        folder = Path(tmp)
        try:
            if dump is None:
                dump = str(folder / f"{name}.dump")
                timings["pg_dump"] = _run("pg_dump", ["pg_dump", "-Fc", "-f", dump, source])
            size = Path(dump).stat().st_size
            createdb = ["createdb", "-T", "template0", "-E", "UTF8", "--maintenance-db", source]
            timings["createdb"] = _run("createdb", [*createdb, fresh])
            created = True
            options = ["--no-owner", "--exit-on-error", "--single-transaction"]
            timings["pg_restore"] = _run(
                "pg_restore", ["pg_restore", *options, "-d", restored, dump]
            )
            check_env = {**os.environ, "DATABASE_URL": restored}
            migrate = [sys.executable, str(ROOT / "manage.py"), "migrate", "--check"]
            timings["migrate --check"] = _run("migrate --check", migrate, env=check_env)
            started = time.perf_counter()
            figures = _collect_both({"source": source, "restored": restored}, folder, jobs)
            timings["figures (both, in parallel)"] = time.perf_counter() - started
        except StepFailed as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 2
        finally:
            if created and not keep:
                _drop(source, fresh)
    return _summary(figures, size, timings, fresh if keep else None)


def _drop(source: str, name: str) -> None:
    try:
        # --force: a worker interrupted with the run may still hold a connection.
        _run("dropdb", ["dropdb", "--force", "--maintenance-db", source, name])
    except StepFailed as error:
        print(f"{error}; drop the database {name} by hand.", file=sys.stderr)


def _summary(figures: dict, size: int, timings: dict, kept: str | None) -> int:
    source, restored = figures["source"], figures["restored"]
    differences = compare(source, restored)
    reports = {key.split("/", 1)[0] for key in source["reports"]}
    tables = [k for k in source["tables"] if k.endswith("/rows")]
    print(f"dump: {size:,} bytes ({size / 1e6:.1f} MB)")
    for step, seconds in timings.items():
        print(f"{step}: {seconds:.1f} s")
    for side in ("source", "restored"):
        print(f"figures of the {side} database: {figures[side]['seconds']:.1f} s")
    print(f"reports compared: {len(reports):,} (unit × period × cut-off)")
    print(f"report figures compared: {len(source['reports']):,}")
    rows = sum(source["tables"][k] for k in tables)
    print(f"tables compared: {len(tables)} ({rows:,} rows, each checksummed)")
    print(f"sequences compared: {sum(k.endswith('/sequence') for k in source['tables'])}")
    print(f"schema objects compared: {len(source['schema'])}")
    if kept:
        print(f"restored database kept: {kept}")
    print(f"differences: {len(differences)}")
    for line in differences[:200]:
        print(f"  {line}")
    if len(differences) > 200:
        print(f"  ... and {len(differences) - 200} more")
    return 1 if differences else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=os.getenv("DATABASE_URL", ""))
    parser.add_argument("--dump", help="restore this custom-format dump instead of a new one")
    parser.add_argument("--keep", action="store_true", help="do not drop the restored database")
    parser.add_argument(
        "--jobs", type=int, default=1, help="processes per database for the figures (default 1)"
    )
    parser.add_argument("--collect", metavar="FILE", help=argparse.SUPPRESS)
    parser.add_argument("--part", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.collect:
        _collect_main(args.collect, args.part, args.jobs)
        return 0
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if urlsplit(args.source).scheme not in ("postgres", "postgresql"):
        parser.error("the source must be a PostgreSQL DATABASE_URL (postgres://...)")
    if args.dump and not Path(args.dump).is_file():
        parser.error(f"no dump file at {args.dump}")
    return roundtrip(args.source, args.dump, args.keep, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
