"""What production faults cost: `GET /healthz` with the primary up, stopped, hung or frozen, and a
report page and its CSV with the replica healthy, stopped or hung; gunicorn, PostgreSQL, DEBUG off.

    .venv/bin/python bench/faults.py            # --health-calls 50 --hung-calls 5 --report-calls 5
    .venv/bin/python bench/faults.py --health-calls 3 --hung-calls 1 --report-calls 2 \
        --skip-frozen --skip-retry              # a quick trial
    .venv/bin/python bench/faults.py --drop     # drop the database at the end

What it does (only 127.0.0.1; every process and socket it starts is stopped on the way out, also
on an error, Ctrl-C, SIGTERM or `--time-limit`):
1. the database `donghanh_bench_faults` (`--database`, refused unless the name starts with
   that): created when missing, migrated, and given the demo data set (`seed_demo --once`, with
   DEBUG on for that command only); kept between runs unless `--drop`, `--fresh` remakes it;
2. collects the static files into a private directory; every gunicorn below is
   `gunicorn -c config/gunicorn.py config.wsgi` with the production settings (config.settings,
   DEBUG off, the default timeouts: DB_CONNECT_TIMEOUT 5 s, REPLICA_CONNECT_TIMEOUT 2 s,
   REPLICA_RETRY_SECONDS 30 s, GUNICORN_TIMEOUT 60 s), `--workers` sync workers (1: each
   worker keeps its own knowledge of the replica, so one worker makes "first" exact);
3. the primary: gunicorn reaches PostgreSQL through a TCP gate this script holds on a port of
   its own, and `/healthz` is called, each call on a new HTTP connection, with the gate
   - relaying to PostgreSQL (`--health-calls` calls);
   - closed: nothing listens and the connections it relayed are closed, as when PostgreSQL
     stops (`--health-calls` calls);
   - silent: it accepts connections and never answers, a hung primary (`--hung-calls` calls);
   - relaying again: the first call, then a warm one;
   - frozen (unless `--skip-frozen`): the worker's open connection is kept and nothing passes
     any more, a primary whose host froze; one call, waited for up to 90 s;
4. the replica: for each of three gunicorns in turn, `REPLICA_DATABASE_URL` is the primary
   itself (a healthy replica), a port where nothing listens (a stopped replica), or a socket
   that accepts and never answers (a hung replica); the leader `doitruong.lang` logs in through
   the login form (bench/load_setup.py) and asks `--report-calls` times for the ward's report
   page, then as many times for its CSV download, then `/healthz`; with a failed replica, once
   REPLICA_RETRY_SECONDS have passed since the first report, each once more (the worker tries
   the replica again), unless `--skip-retry`. Every answer must be 200, the page's figures (its
   HTML without the CSRF token) and the CSV the same bytes as with the healthy replica; the
   warnings the worker logged about the replica are counted;
5. prints the figures as two Markdown tables (bench/README.md, "Faults").
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from load_setup import PG, _run, _tool, _workers, log, login_opener, server_env

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "donghanh_bench_faults"
HOST = "127.0.0.1"
POSTGRES = (HOST, 5432)
# Ports of this script's own: gunicorn, the gate to the primary, the hung replica, and one where
# nothing may listen (checked before the run).
GUNICORN_PORT, GATE_PORT, HUNG_PORT, CLOSED_PORT = 8791, 8792, 8793, 8794
BASE_URL = f"http://{HOST}:{GUNICORN_PORT}"
LEADER, PASSWORD = "doitruong.lang", "DongHanh@2026"
LOGIN = "/tai-khoan/dang-nhap/"
REPORT = "/bao-cao/?ky=2026-Q3"  # the leader's ward, the quarter of the demo's last data
REPORT_CSV = "/bao-cao/tai-ve/csv/?ky=2026-Q3"
HEALTH = "/healthz"
REQUEST_TIMEOUT = 30  # seconds: a request waits no longer, except the frozen call
FROZEN_TIMEOUT = 90  # above GUNICORN_TIMEOUT (60 s), which ends the frozen call
RETRY_SECONDS = 30  # REPLICA_RETRY_SECONDS's default, which this run leaves unset
REPLICA_LOG = "The replica database"


class Stop(Exception):
    """SIGTERM or the time limit: leave through the `finally` blocks that clean up."""


def _stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


# The database ---------------------------------------------------------------------------------


def database_url(name: str, port: int = 5432) -> str:
    return f"postgres://postgres@{HOST}:{port}/{name}"


def _databases() -> set[str]:
    command = [_tool("psql"), *PG, "-Atc", "select datname from pg_database"]
    return set(_run(command, check=True, capture_output=True, text=True).stdout.split())


def make_database(name: str, env: dict[str, str], *, fresh: bool) -> None:
    if fresh and name in _databases():
        _run([_tool("dropdb"), *PG, "--force", name], check=True)
        log(f"{name} dropped")
    if name not in _databases():
        _run([_tool("createdb"), *PG, name], check=True)
        log(f"{name} created")
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    # seed_demo refuses to run without DEBUG (published logins): on for this command only
    seed = _run(
        [*manage, "seed_demo", "--once"],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    if seed.returncode != 0:
        sys.exit(f"seed_demo failed:\n{seed.stderr[-3000:]}")
    log(f"{name}: migrated, demo data in place ({time.monotonic() - started:.0f} s)")


# A port this script controls ------------------------------------------------------------------


class Gate:
    """A TCP port on 127.0.0.1 held by this process: `relay` passes each connection on to
    PostgreSQL; `silent` accepts and never answers; `freeze` keeps the connections open and
    passes nothing any more; `close` stops listening and closes every connection it holds."""

    def __init__(self, port: int, target: tuple[str, int] | None = None):
        self.port, self.target = port, target
        self.mode = "closed"
        self.listener: socket.socket | None = None
        self.acceptor: threading.Thread | None = None
        self.held: list[socket.socket] = []
        self.lock = threading.Lock()

    def open(self, mode: str) -> None:
        assert mode in ("relay", "silent")
        self.close()
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(64)
        listener.settimeout(0.1)
        self.listener, self.mode = listener, mode
        self.acceptor = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self.acceptor.start()

    def freeze(self) -> None:
        self.mode = "frozen"

    def close(self) -> None:
        self.mode = "closed"
        listener, self.listener = self.listener, None
        if listener is not None:
            # the port is free only once the accepting thread has left its poll on the socket
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
            self.acceptor.join(timeout=5)
        with self.lock:
            held, self.held = self.held, []
        for sock in held:
            # reset, not FIN: no half-closed socket is left on the port to keep it from the
            # next listener while the peer has not closed its end (libpq after a timeout)
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def _hold(self, sock: socket.socket) -> None:
        with self.lock:
            self.held.append(sock)

    def _accept(self, listener: socket.socket) -> None:
        while self.listener is listener:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            conn.settimeout(None)
            self._hold(conn)
            if self.mode == "relay":
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
                self._hold(upstream)
                threading.Thread(target=self._relay, args=(conn, upstream), daemon=True).start()
            # silent (or frozen): held, never read, never answered

    def _relay(self, a: socket.socket, b: socket.socket) -> None:
        other = {a: b, b: a}
        try:
            while self.mode != "closed":
                if self.mode == "frozen":
                    time.sleep(0.05)
                    continue
                ready, _, _ = select.select([a, b], [], [], 0.1)
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    other[sock].sendall(data)
        except (OSError, ValueError):  # closed under it
            return
        finally:
            if self.mode != "frozen":
                for sock in (a, b):
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)


def refused(port: int) -> bool:
    """Whether a connection to the port is refused (nothing listens)."""
    try:
        socket.create_connection((HOST, port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    return False


# gunicorn -------------------------------------------------------------------------------------


class Gunicorn:
    """One gunicorn on GUNICORN_PORT, in a session of its own, stopped by its pid."""

    def __init__(self, name: str, env: dict[str, str], work: Path, workers: int):
        self.name, self.env, self.workers = name, env, workers
        self.log = work / f"gunicorn-{name}.log"
        self.master: subprocess.Popen | None = None

    def start(self) -> None:
        if not refused(GUNICORN_PORT):
            sys.exit(f"something already listens on {BASE_URL}")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "-c", "config/gunicorn.py", "--no-control-socket"]
        with self.log.open("w") as out:
            self.master = subprocess.Popen(  # noqa: S603 - this venv's gunicorn, fixed arguments
                [*command, "config.wsgi"],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        for _ in range(600):
            if len(_workers(self.master.pid)) >= self.workers and answers():
                log(f"gunicorn {self.master.pid} ({self.name}) on {BASE_URL}")
                return
            if self.master.poll() is not None:
                break
            time.sleep(0.1)
        sys.exit(f"gunicorn ({self.name}) did not start:\n" + self.log.read_text()[-3000:])

    def stop(self) -> None:
        master, self.master = self.master, None
        if master is None or master.poll() is not None:
            return
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=40)  # gunicorn's graceful timeout is 30 s
        except subprocess.TimeoutExpired:
            os.killpg(master.pid, signal.SIGKILL)  # its own session: the master and its workers
            master.wait(timeout=10)
        log(f"gunicorn {master.pid} ({self.name}) stopped")

    def log_lines(self, text: str) -> int:
        return sum(text in line for line in self.log.read_text().splitlines())


def answers() -> bool:
    """Whether the worker answers the login page (which needs no database row)."""
    try:
        urllib.request.urlopen(BASE_URL + LOGIN, timeout=2)  # noqa: S310 - our own http URL
    except OSError:
        return False
    return True


# Requests -------------------------------------------------------------------------------------


class Answer:
    def __init__(self, status: int | str, seconds: float, body: bytes = b""):
        self.status, self.seconds, self.body = status, seconds, body


def get(path: str, opener=None, timeout: float = REQUEST_TIMEOUT) -> Answer:
    """GET on a new connection: the status (or why there was none), the seconds, the body. A
    redirect elsewhere (e.g. to the login page) is not the answer asked for."""
    url = BASE_URL + path
    started = time.perf_counter()
    try:
        response = (opener or urllib.request.build_opener()).open(url, timeout=timeout)
        body = response.read()
        status = response.status if response.geturl() == url else f"redirect {response.geturl()}"
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        body, status = b"", f"no answer ({getattr(error, 'reason', error)})"
    return Answer(status, time.perf_counter() - started, body)


def health_checks(answer: Answer) -> str:
    with contextlib.suppress(ValueError):
        return json.dumps(json.loads(answer.body), ensure_ascii=False)
    return answer.body[:100].decode(errors="replace")


def figures(body: bytes) -> str:
    """A digest of what was answered, without the CSRF token (the only part that differs)."""
    text = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)
    return hashlib.sha256(text).hexdigest()[:16]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def statuses(answers: list[Answer]) -> str:
    counts: dict[str, int] = {}
    for answer in answers:
        counts[str(answer.status)] = counts.get(str(answer.status), 0) + 1
    return ", ".join(f"{n} × {status}" for status, n in counts.items())


# The primary ----------------------------------------------------------------------------------


def health_series(label: str, calls: int, rows: list[list[str]], timeout=REQUEST_TIMEOUT) -> list:
    answers_ = [get(HEALTH, timeout=timeout) for _ in range(calls)]
    times = [a.seconds for a in answers_]
    row = [label, str(calls), statuses(answers_), ms(statistics.median(times)), ms(max(times))]
    rows.append(row)
    log(f"  {' | '.join(row)} | {health_checks(answers_[-1])}")
    return answers_


def primary_faults(args, env: dict[str, str], work: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    gate = Gate(GATE_PORT, POSTGRES)
    server = Gunicorn(
        "primary",
        {**env, "DATABASE_URL": database_url(args.database, GATE_PORT)},
        work,
        args.workers,
    )
    try:
        gate.open("relay")
        server.start()
        log("/healthz, primary:")
        health_series("up", args.health_calls, rows)
        gate.close()
        health_series("stopped (port closed, its connections closed)", args.health_calls, rows)
        gate.open("silent")
        health_series("hung (accepts, never answers)", args.hung_calls, rows)
        gate.open("relay")
        health_series("up again: first call", 1, rows)
        health_series("up again: next call", 1, rows)
        if not args.skip_frozen:
            health_series("up, before the freeze (opens the worker's connection)", 1, rows)
            gate.freeze()
            started = time.monotonic()
            health_series("frozen (the worker's connection open, silent)", 1, rows, FROZEN_TIMEOUT)
            gate.open("relay")
            # the worker gunicorn started in place of the one it killed
            while not answers() and time.monotonic() - started < FROZEN_TIMEOUT + 30:
                time.sleep(0.2)
            health_series("after the frozen call, a new worker: first call", 1, rows)
        log(f"  gunicorn log: {server.log_lines('WORKER TIMEOUT')} worker timeouts")
    finally:
        server.stop()
        gate.close()
    return rows


# The replica ----------------------------------------------------------------------------------


def replica_case(args, env, work, name: str, url: str, baseline: dict | None) -> tuple[list, dict]:
    server = Gunicorn(f"replica-{name}", {**env, "REPLICA_DATABASE_URL": url}, work, args.workers)
    rows = []
    digests: dict[str, str] = {}
    try:
        server.start()
        opener, _jar, home = login_opener(BASE_URL, LEADER, PASSWORD)
        if home.geturl().startswith(BASE_URL + LOGIN):
            sys.exit(f"login as {LEADER} failed")
        first = get(REPORT, opener)
        # a failed replica is rested for RETRY_SECONDS from the end of its connect timeout
        failed_by = time.monotonic()
        series = {
            "report page": [first] + [get(REPORT, opener) for _ in range(args.report_calls - 1)],
            "CSV download": [get(REPORT_CSV, opener) for _ in range(args.report_calls)],
        }
        health = get(HEALTH)
        log(f"  /healthz {health.status}: {health_checks(health)}")
        retried = {}
        if name != "healthy" and not args.skip_retry:
            wait = failed_by + RETRY_SECONDS + 1 - time.monotonic()
            log(f"  waiting {wait:.0f} s for the worker to try the replica again")
            time.sleep(max(0.0, wait))
            retried = {"report page": get(REPORT, opener), "CSV download": get(REPORT_CSV, opener)}
        warnings = server.log_lines(REPLICA_LOG)
        for kind, answers_ in series.items():
            every = answers_ + ([retried[kind]] if kind in retried else [])
            digests[kind] = figures(answers_[0].body)
            same = {figures(a.body) for a in every} == {(baseline or digests)[kind]}
            rest = [a.seconds for a in answers_[1:]] or [float("nan")]
            row = [
                name,
                kind,
                str(len(every)),
                statuses(every),
                ms(answers_[0].seconds),
                ms(statistics.median(rest)),
                ms(max(rest)),
                ms(retried[kind].seconds) if kind in retried else "—",
                "yes" if same else "**no**",
                str(warnings),
            ]
            rows.append(row)
            log(f"  {' | '.join(row)} ({len(answers_[0].body):,} bytes)")
        try:
            said = json.loads(health.body)["checks"]["replica"]
        except (ValueError, KeyError, TypeError):
            said = "?"
        rows.append(
            [name, "/healthz afterwards", "1", str(health.status), ms(health.seconds)]
            + ["—", "—", "—", f"replica: {said}", "—"]
        )
    finally:
        server.stop()
    return rows, digests


def replica_faults(args, env: dict[str, str], work: Path) -> list[list[str]]:
    hung = Gate(HUNG_PORT)
    rows: list[list[str]] = []
    try:
        hung.open("silent")
        cases = [
            ("healthy", database_url(args.database)),
            ("stopped", database_url(args.database, CLOSED_PORT)),
            ("hung", database_url(args.database, HUNG_PORT)),
        ]
        baseline = None
        for name, url in cases:
            log(f"replica {name} ({url}):")
            case_rows, digests = replica_case(args, env, work, name, url, baseline)
            baseline = baseline or digests
            rows += case_rows
    finally:
        hung.close()
    return rows


# The run --------------------------------------------------------------------------------------


def machine() -> str:
    """What to record beside the figures: the time, the commit, the cores, the load, PostgreSQL."""
    commit = _run(
        [_tool("git"), "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = _run(
        [_tool("git"), "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    server = _run(
        [_tool("psql"), *PG, "-Atc", "show server_version"], capture_output=True, text=True
    ).stdout.strip()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    return (
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, commit {commit}"
        f"{' (working tree changed)' if dirty else ''}, {os.cpu_count()} cores, load {load}, "
        f"PostgreSQL {server}"
    )


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = [" | ".join(header), " | ".join("---" for _ in header)]
    lines += [" | ".join(row) for row in rows]
    return "\n".join(f"| {line} |" for line in lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=PREFIX)
    parser.add_argument("--health-calls", type=int, default=50)
    parser.add_argument("--hung-calls", type=int, default=5)
    parser.add_argument("--report-calls", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--skip-frozen", action="store_true")
    parser.add_argument("--skip-retry", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="drop and remake the database first")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--time-limit", type=int, default=1200, help="seconds for the whole run")
    args = parser.parse_args()
    if not args.database.startswith(PREFIX):
        sys.exit(
            f"refused: {args.database} is not a bench copy (its name must start with {PREFIX})"
        )
    for name in ("health_calls", "hung_calls", "report_calls", "workers"):
        if not 1 <= getattr(args, name) <= 200:
            sys.exit(f"--{name.replace('_', '-')} must be between 1 and 200")
    for port in (GUNICORN_PORT, GATE_PORT, HUNG_PORT, CLOSED_PORT):
        if not refused(port):
            sys.exit(f"port {port} is in use: this run needs {HOST}:{port} free")

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _stop)
    signal.alarm(args.time_limit)
    started = time.monotonic()
    log(machine())
    work = Path(tempfile.mkdtemp(prefix="dh-bench-faults-"))
    env = {
        **server_env(),
        "DJANGO_SETTINGS_MODULE": "config.settings",  # bench.settings wants a dh_bench... name
        "DATABASE_URL": database_url(args.database),
        "STATIC_ROOT": str(work / "static"),
        "GUNICORN_BIND": f"{HOST}:{GUNICORN_PORT}",
        "GUNICORN_WORKERS": str(args.workers),
    }
    for name in (
        "REPLICA_DATABASE_URL",
        "DB_CONNECT_TIMEOUT",
        "DB_STATEMENT_TIMEOUT",
        "REPLICA_CONNECT_TIMEOUT",
        "REPLICA_RETRY_SECONDS",
        "GUNICORN_TIMEOUT",
    ):
        env.pop(name, None)  # the defaults, as documented
    try:
        make_database(args.database, env, fresh=args.fresh)
        _run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        health_rows = primary_faults(args, env, work)
        replica_rows = replica_faults(args, env, work)
    except Stop as stop:
        sys.exit(f"stopped by {stop} after {time.monotonic() - started:.0f} s; cleaned up")
    finally:
        signal.alarm(0)
        shutil.rmtree(work, ignore_errors=True)
        if args.drop and args.database in _databases():
            _run([_tool("dropdb"), *PG, "--force", args.database], check=True)
            log(f"{args.database} dropped")
    print()
    print(table(["primary", "calls", "answers", "median ms", "max ms"], health_rows))
    print()
    header = [
        "replica",
        "request",
        "n",
        "answers",
        "first ms",
        "next median ms",
        "next max ms",
        f"after {RETRY_SECONDS} s ms",
        "figures as healthy",
        "replica warnings logged",
    ]
    print(table(header, replica_rows))
    print(f"\nwhole run: {time.monotonic() - started:.0f} s; now {machine()}")


if __name__ == "__main__":
    main()
