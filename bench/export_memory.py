"""Memory and time of the ward contact log's downloads (cases:contact_log_export) at
1,000,000 rows, CSV and XLSX, measured in a real gunicorn worker.

    .venv/bin/python bench/export_memory.py [--rows 1000000] [--skip-xlsx] [--drop]

What it does:
1. waits until the district data set is seeded (no `seed_demo` process, the database
   `dh_scale_district` exists), then makes `dh_bench_export` from it with `createdb -T` (kept
   between runs; `--drop` drops it at the end) and migrates it;
2. tops Phường Láng's contact log for 01/01/2012-31/12/2026 (the longest range the form
   allows, 15 years) up to `--rows` rows, as its leader sees it: copies of the ward's own
   contacts (same persons, members, kinds, texts) at other days of the range, written by one
   INSERT ... SELECT over generate_series, each copy valid for the model's constraints (the
   next appointment moves with the day; a test result stays on a drug test);
3. collects the static files into a private directory and starts gunicorn with the
   production settings (config/gunicorn.py: one sync worker here, DEBUG off, the default
   60-second timeout), logs in as `doitruong.lang` through the login form, and warms the worker
   with a one-day download of each format;
4. downloads the CSV, read as it streams (csv.reader over the socket), then the biggest XLSX
   one download may hold (the log's last 200,000 rows, wards.exports.XLSX_DOWNLOAD_ROWS;
   saved in a private directory, its rows counted from the sheet's XML, deleted), then the
   XLSX of the range's last year alone, and for each reports
   the worker's resident memory before, its peak during the download (VmHWM after resetting it
   through /proc/PID/clear_refs, and the highest VmRSS sampled every 20 ms), the growth, the
   bytes, the rows, the time to the first byte and in all; finally that the worker's
   temporary directory is empty and that it holds no deleted file open beyond those it held
   before (gunicorn's heartbeat file).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from load_setup import PG, _run, _tool, copy_database, log, login_opener

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "dh_scale_district"
DATABASE = "dh_bench_export"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
LEADER, PASSWORD = "doitruong.lang", "DongHanh@2026"
WARD = "Phường Láng"
START, END = datetime.date(2012, 1, 1), datetime.date(2026, 12, 31)
PORT = 8765
MiB = 1024 * 1024
# Shared by this process (which writes the data) and the gunicorn it starts.
SECRET_KEY = secrets.token_urlsafe(50)


# The database ---------------------------------------------------------------------------------


def make_database() -> None:
    copy_database(TEMPLATE, DATABASE, keep=True)
    env = {**os.environ, **_env()}
    _run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def _env() -> dict[str, str]:
    return {
        "DATABASE_URL": DATABASE_URL,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL": "false",
        "LOG_LEVEL": "WARNING",
    }


def fill(rows: int) -> int:
    """Top the leader's log for START..END up to `rows`; the number of rows it then has."""
    import django

    os.environ.update(_env())
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cases.exports import ContactLogExporter
    from cases.models import Contact
    from wards.models import AdminUnit
    from wards.scope import ward_grants

    leader = get_user_model().objects.get(username=LEADER)
    grant = next(g for g in ward_grants(leader) if g.unit.name == WARD)
    scope = sorted(grant.unit_ids)

    def count() -> int:
        return ContactLogExporter(
            contacts=Contact.objects.visible_to(leader),
            ward=grant.unit,
            unit_ids=grant.unit_ids,
            start=START,
            end=END,
            today=END,
        ).count()

    have = count()
    missing = rows - have
    log(
        f"{WARD}: {have:,} contacts in {START:%d/%m/%Y}..{END:%d/%m/%Y}, adding {max(0, missing):,}"
    )
    if missing <= 0:
        return have
    started = time.perf_counter()
    last_day = min(END, datetime.date.today())
    days = (last_day - START).days + 1
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM cases_contact c JOIN cases_person p ON p.id = c.person_id
            WHERE c.ward_id = ANY(%(scope)s) AND p.ward_id = ANY(%(scope)s)
            """,
            {"scope": scope},
        )
        source = cursor.fetchone()[0]
        copies = -(-missing // source)
        cursor.execute(
            """
            INSERT INTO cases_contact (
                created_at, updated_at, created_by_id, person_id, member_id, ward_id,
                person_group, occurred_on, kind, summary, drug_test_result, next_due_on
            )
            SELECT now(), now(), c.created_by_id, c.person_id, c.member_id, %(ward)s,
                   c.person_group, d.day, c.kind, c.summary, c.drug_test_result,
                   d.day + (c.next_due_on - c.occurred_on)
            FROM (
                SELECT c.*, row_number() OVER (ORDER BY c.id) AS n
                FROM cases_contact c JOIN cases_person p ON p.id = c.person_id
                WHERE c.ward_id = ANY(%(scope)s) AND p.ward_id = ANY(%(scope)s)
            ) c
            CROSS JOIN generate_series(1, %(copies)s) AS g
            CROSS JOIN LATERAL (
                SELECT %(start)s::date + ((c.n * 7919 + g * 104729) %% %(days)s)::int AS day
            ) d
            LIMIT %(missing)s
            """,
            {
                "ward": grant.unit.pk,
                "scope": scope,
                "copies": copies,
                "start": START,
                "days": days,
                "missing": missing,
            },
        )
        cursor.execute("ANALYZE cases_contact")
    log(f"inserted {missing:,} rows in {time.perf_counter() - started:.1f} s")
    assert AdminUnit.objects.filter(pk=grant.unit.pk).exists()
    return count()


def xlsx_start(rows: int) -> datetime.date:
    """The first day of the longest range ending on END whose XLSX one download may hold
    (wards.exports.XLSX_DOWNLOAD_ROWS): the leader's biggest XLSX. Needs `fill` first."""
    from django.contrib.auth import get_user_model

    from cases.models import Contact
    from wards.exports import XLSX_DOWNLOAD_ROWS
    from wards.scope import ward_grants

    if rows <= XLSX_DOWNLOAD_ROWS:
        return START
    leader = get_user_model().objects.get(username=LEADER)
    grant = next(g for g in ward_grants(leader) if g.unit.name == WARD)
    days = (
        Contact.objects.visible_to(leader)
        .filter(ward__in=grant.unit_ids, occurred_on__range=(START, END))
        .order_by("-occurred_on")
        .values_list("occurred_on", flat=True)
    )
    return days[XLSX_DOWNLOAD_ROWS] + datetime.timedelta(days=1)


# The worker -----------------------------------------------------------------------------------


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def _reset_peak(pid: int) -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+: write 5 to clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Sampler(threading.Thread):
    """The highest VmRSS of `pid`, read every 20 ms while running."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0, True

    def run(self):
        while self.running:
            self.peak = max(self.peak, _status(self.pid)["VmRSS"])
            time.sleep(0.02)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


def start_gunicorn(work: Path) -> tuple[subprocess.Popen, int]:
    static, tmp = work / "static", work / "worker-tmp"
    tmp.mkdir(mode=0o700)
    env = {
        **os.environ,
        **_env(),
        "STATIC_ROOT": str(static),
        "GUNICORN_BIND": f"127.0.0.1:{PORT}",
        "GUNICORN_WORKERS": "1",
        "TMPDIR": str(tmp),
    }
    _run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    logfile = (work / "gunicorn.log").open("w")
    master = subprocess.Popen(  # noqa: S603 - this venv's gunicorn, fixed arguments
        [str(gunicorn), "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=logfile,
        stderr=subprocess.STDOUT,
    )
    for _ in range(300):
        children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
        pids = children.read_text().split() if children.exists() else []
        if pids and _answers():
            return master, int(pids[0])
        if master.poll() is not None:
            break
        time.sleep(0.1)
    master.terminate()
    sys.exit("gunicorn did not start:\n" + (work / "gunicorn.log").read_text()[-3000:])


def _answers() -> bool:
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/tai-khoan/dang-nhap/", timeout=2)
    except OSError:
        return False
    return True


# The client -----------------------------------------------------------------------------------


def logged_in() -> urllib.request.OpenerDirector:
    opener, _jar, home = login_opener(f"http://127.0.0.1:{PORT}", LEADER, PASSWORD)
    assert home.geturl().rstrip("/").endswith(str(PORT)), f"login failed: {home.geturl()}"
    return opener


def export_url(fmt: str, start: datetime.date, end: datetime.date) -> str:
    query = urllib.parse.urlencode({"tu_ngay": start, "den_ngay": end, "dinh_dang": fmt})
    return f"http://127.0.0.1:{PORT}/ho-so/so-tiep-xuc/tai-ve/?{query}"


class Counting(io.RawIOBase):
    """A raw stream over the response that counts the bytes read."""

    def __init__(self, response):
        self.response, self.bytes, self.first = response, 0, None

    def readable(self):
        return True

    def readinto(self, buffer):
        n = self.response.readinto(buffer)
        if n and self.first is None:
            self.first = time.perf_counter()
        self.bytes += n or 0
        return n


def measure(pid: int, run) -> dict:
    """Run `run()` (a download) while sampling the worker's memory."""
    before = _status(pid)["VmRSS"]
    hwm = _reset_peak(pid)
    sampler = Sampler(pid)
    sampler.start()
    started = time.perf_counter()
    result = run(started)
    seconds = time.perf_counter() - started
    sampled = sampler.stop()
    high = _status(pid)["VmHWM"] if hwm else 0
    return {
        **result,
        "seconds": seconds,
        "before": before,
        "peak": max(sampled, high),
        "sampled": sampled,
        "hwm": high,
    }


def download_csv(opener, start, end):
    def run(started):
        response = opener.open(export_url("csv", start, end))
        assert response.headers["Content-Type"].startswith("text/csv"), response.headers
        raw = Counting(response)
        text = io.TextIOWrapper(io.BufferedReader(raw, 256 * 1024), encoding="utf-8-sig")
        reader = csv.reader(text)
        header = next(reader)
        rows = sum(1 for _row in reader)
        return {"rows": rows, "bytes": raw.bytes, "first": raw.first - started, "header": header}

    return run


def download_xlsx(opener, start, end, work: Path):
    def run(started):
        response = opener.open(export_url("xlsx", start, end))
        first = time.perf_counter() - started
        assert response.headers["Content-Type"].startswith("application/vnd.openxml")
        path = work / "download.xlsx"
        with path.open("wb") as out:
            shutil.copyfileobj(response, out, 1024 * 1024)
        size = path.stat().st_size
        rows = _sheet_rows(path)
        path.unlink()
        return {"rows": rows, "bytes": size, "first": first}

    return run


def _sheet_rows(path: Path) -> int:
    """The data rows of the sheet: its last row number less the title block and header (7)."""
    last = b""
    tail = b""
    with zipfile.ZipFile(path) as book, book.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(4 * MiB):
            found = re.findall(rb'<row r="(\d+)"', tail + chunk)
            last = found[-1] if found else last
            tail = chunk[-64:]
    return int(last) - 7


def report(name: str, figures: dict) -> None:
    growth = figures["peak"] - figures["before"]
    log(
        f"{name}: {figures['rows']:,} rows, {figures['bytes']:,} bytes, "
        f"first byte {figures['first']:.1f} s, {figures['seconds']:.1f} s in all, "
        f"worker RSS {figures['before'] / MiB:.1f} MiB before, peak {figures['peak'] / MiB:.1f} "
        f"MiB, growth {growth / MiB:.1f} MiB (VmHWM {figures['hwm'] / MiB:.1f} MiB, "
        f"highest VmRSS sampled {figures['sampled'] / MiB:.1f} MiB)"
        + ("" if figures["hwm"] else "; VmHWM could not be reset: sampled peak only")
    )


def held_deleted(pid: int) -> set[str]:
    """The deleted files the worker holds open (gunicorn's own heartbeat file is one)."""
    links = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            links.add(os.readlink(fd))
        except FileNotFoundError:  # closed since the listing (a socket, the heartbeat)
            continue
    return {link for link in links if link.endswith("(deleted)")}


def leftovers(pid: int, work: Path, before: set[str]) -> None:
    files = list((work / "worker-tmp").iterdir())
    opened = held_deleted(pid) - before
    log(
        f"after the downloads: {len(files)} entries in the worker's temporary directory, "
        f"{len(opened)} deleted files held open by the worker beyond its own before"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()

    make_database()
    rows = fill(args.rows)
    log(f"the log to download: {rows:,} rows")
    work = Path(tempfile.mkdtemp(prefix="dh-bench-export-"))
    master, pid = start_gunicorn(work)
    try:
        opener = logged_in()
        warm = datetime.date(2026, 11, 15)
        for fmt in ("csv", "xlsx"):
            opener.open(export_url(fmt, warm, warm)).read()
        log(f"gunicorn worker {pid}, warmed: RSS {_status(pid)['VmRSS'] / MiB:.1f} MiB")
        held = held_deleted(pid)
        csv_figures = measure(pid, download_csv(opener, START, END))
        report("CSV", csv_figures)
        if not args.skip_xlsx:
            # the most one XLSX download holds: the log's last XLSX_DOWNLOAD_ROWS rows or fewer
            first = xlsx_start(rows)
            name = f"XLSX {first:%d/%m/%Y}-{END:%d/%m/%Y}"
            report(name, measure(pid, download_xlsx(opener, first, END, work)))
            # what a leader downloads most: one year of the same log
            year = datetime.date(END.year, 1, 1)
            report(f"XLSX {END.year}", measure(pid, download_xlsx(opener, year, END, work)))
        leftovers(pid, work, held)
    finally:
        master.send_signal(signal.SIGTERM)
        master.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)
        if args.drop:
            _run([_tool("dropdb"), *PG, "--force", DATABASE], check=True)


if __name__ == "__main__":
    main()
