"""The load run, from an empty start to a clean end: district data, gunicorn with 5 sync
workers, PostgreSQL.

    .venv/bin/python bench/load_run.py                 # -u 20 -r 5 -t 60s, then 15 s per wrk target
    .venv/bin/python bench/load_run.py -t 20s --side-time 5s --keep

1. bench/load_setup.py `up`: `dh_bench_load` copied from `dh_scale_district` (once seeding is
   over), the bench logins, gunicorn on 127.0.0.1:8001 (bench.settings), here with
   `--max-requests 0`: config/gunicorn.py recycles a worker after 2,000±200 requests, which the
   bare view reaches within seconds (a worker's restart would be measured instead of it); the
   load run serves far fewer than that per worker either way;
2. locust headless with bench/load.py (`-u 20 -r 5 -t 60s --csv`), then a table of each
   endpoint's requests, errors, p50/p95/p99 and requests per second from locust's CSV, with
   the total, the total without the log-ins and the same from 5 s after the last user started
   (bench/load.py writes those two), the failures, and the slowest paths by gunicorn's own
   timing (its access log);
3. side by side on the same gunicorn, with wrk at a fixed concurrency (10 connections for 5
   workers, so none waits for work): `/bench/bare/` (no cookie, no database),
   `/bench/login-required/` and the work list (cases:my_work), both with the session of a
   volunteer logged in through the form; the requests per second of each and their ratios;
4. gunicorn stopped and the database dropped (`--keep` leaves both for a look: stop them
   with `bench/load_setup.py down`).

The CSV files and logs stay in /tmp/dh_bench_load/ (`--csv` prefix load, gunicorn.log,
locust.log).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import load_setup
from load_setup import BASE_URL, LOG_FILE, ROOT, WORK, log

CSV_PREFIX = WORK / "load"
PAGES_JSON = WORK / "load_pages.json"
LOCUST_LOG = WORK / "locust.log"
GOAL_P95_MS = 200


def run_locust(users: int, rate: int, duration: str) -> int:
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust),
        "-f",
        "bench/load.py",
        "--headless",
        "-u",
        str(users),
        "-r",
        str(rate),
        "-t",
        duration,
        "--csv",
        str(CSV_PREFIX),
        "--host",
        BASE_URL,
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    log("$ " + " ".join(command))
    PAGES_JSON.unlink(missing_ok=True)
    env = {**os.environ, "LOAD_PAGES_JSON": str(PAGES_JSON)}
    with LOCUST_LOG.open("w") as out:
        done = subprocess.run(  # noqa: S603 - this venv's locust, fixed arguments
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    return done.returncode


def _ms(value: str) -> str:
    return f"{float(value):,.0f}" if value not in ("", "N/A") else "–"


def print_stats() -> bool:
    """The endpoints' table from locust's CSV; whether the goal (p95, no error) was met."""
    rows = list(csv.DictReader((CSV_PREFIX.with_name("load_stats.csv")).open()))
    log("")
    log("| endpoint | requests | errors | p50 ms | p95 ms | p99 ms | max ms | req/s |")
    log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    total = {}
    for row in rows:
        name = f"{row['Type']} {row['Name']}" if row["Type"] else f"**{row['Name']}**"
        if row["Name"] == "Aggregated":
            total, name = row, "**total**"
        log(
            f"| {name} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} | "
            f"{_ms(row['50%'])} | {_ms(row['95%'])} | {_ms(row['99%'])} | "
            f"{_ms(row['Max Response Time'])} | {float(row['Requests/s']):.1f} |"
        )
    pages = json.loads(PAGES_JSON.read_text()) if PAGES_JSON.exists() else {}
    labels = {
        "all": "**total without the log-ins**",
        "steady": f"**the same, from {pages.get('steady_after', 0):.0f} s after the last start**",
    }
    for key, label in labels.items():
        p = pages.get(key)
        if p:
            log(
                f"| {label} | {p['requests']:,} | {p['failures']:,} | {p['p50']:,.0f} | "
                f"{p['p95']:,.0f} | {p['p99']:,.0f} | {p['max']:,.0f} | {p['rps']:.1f} |"
            )
    failures = list(csv.DictReader((CSV_PREFIX.with_name("load_failures.csv")).open()))
    for failure in failures:
        where = f"{failure['Method']} {failure['Name']}"
        log(f"failure: {where}: {failure['Error']} ×{failure['Occurrences']}")
    p95 = float(total.get("95%") or 0)
    errors = int(total.get("Failure Count") or 0)
    met = p95 <= GOAL_P95_MS and errors == 0
    others = "".join(
        f", {label.strip('*')} {pages[key]['p95']:.0f} ms"
        for key, label in labels.items()
        if pages.get(key)
    )
    log(
        f"\ngoal p95 ≤ {GOAL_P95_MS} ms and 0 errors: {'met' if met else 'NOT met'} "
        f"(p95 {p95:.0f} ms{others}; {errors} errors)"
    )
    return met


ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>\S+)" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def print_server_times(top: int = 8) -> None:
    """Per path (ids folded to N), gunicorn's own milliseconds: what the workers spent, without
    the time a request waited for a free worker."""
    times = defaultdict(list)
    for line in LOG_FILE.read_text().splitlines():
        found = ACCESS_LINE.search(line)
        if found and not found["path"].startswith("/bench/"):
            path = re.sub(r"/\d+/", "/N/", found["path"])
            key = f"{found['method']} {path}"
            times[key].append(int(found["ms"]))
    if not times:
        return
    log("\nIn the workers (gunicorn's access log, load run only), slowest p95 first:\n")
    log("| path | requests | median ms | p95 ms | max ms |")
    log("| --- | ---: | ---: | ---: | ---: |")

    def p95(values: list[int]) -> float:
        if len(values) < 2:
            return values[0]
        return statistics.quantiles(values, n=20, method="inclusive")[-1]

    for key, values in sorted(times.items(), key=lambda kv: -p95(kv[1]))[:top]:
        log(
            f"| {key} | {len(values):,} | {statistics.median(values):.0f} | {p95(values):.0f} | "
            f"{max(values)} |"
        )


# Side by side -------------------------------------------------------------------------------


def session_cookie(username: str, password: str) -> str:
    """Log in through the form; the session cookie's value."""
    _opener, jar, _home = load_setup.login_opener(BASE_URL, username, password)
    cookie = next((c.value for c in jar if c.name == "sessionid"), "")
    if not cookie:
        sys.exit(f"login of {username} failed")
    return cookie


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_page(path: str, cookie: str) -> int:
    """The page's size, after checking that it answers 200 (not a redirect to the login)."""
    opener = urllib.request.build_opener(NoRedirect)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    request = urllib.request.Request(BASE_URL + path, headers=headers)  # noqa: S310
    response = opener.open(request)
    if response.status != 200:
        sys.exit(f"{path}: {response.status}, not 200")
    return len(response.read())


def wrk(path: str, cookie: str, seconds: str, connections: int) -> dict:
    command = [shutil.which("wrk") or "wrk", "-t1", f"-c{connections}", f"-d{seconds}", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(  # noqa: S603 - wrk with fixed arguments
        [*command, BASE_URL + path], capture_output=True, text=True, check=True
    ).stdout

    def grab(pattern: str) -> str:
        found = re.search(pattern, out)
        return found.group(1) if found else ""

    non_2xx = grab(r"Non-2xx or 3xx responses: (\d+)")
    socket = grab(r"Socket errors: (.+)")
    return {
        "path": path,
        "rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
        "requests": int(grab(r"(\d+) requests in")),
        "p50": grab(r"(?m)^\s+50%\s+(\S+)"),
        "p99": grab(r"(?m)^\s+99%\s+(\S+)"),
        "errors": int(non_2xx or 0),
        "socket": socket,
    }


def side_by_side(logins: dict, seconds: str, connections: int) -> None:
    cookie = session_cookie(logins["volunteers"][0], logins["password"])
    targets = [
        ("/bench/bare/", ""),
        ("/bench/login-required/", cookie),
        ("/ho-so/viec-cua-toi/", cookie),
    ]
    results = []
    for path, with_cookie in targets:
        for _ in range(3 * load_setup.WORKERS):  # warm: every worker has served the page
            size = check_page(path, with_cookie)
        result = wrk(path, with_cookie, seconds, connections)
        check_page(path, with_cookie)  # still 200: the session held for the whole run
        results.append({**result, "size": size})
    work = results[-1]["rps"]
    log(
        f"\nSide by side: wrk -t1 -c{connections} -d{seconds}, one target after the other, "
        f"as {logins['volunteers'][0]}\n"
    )
    log("| path | bytes | requests | req/s | p50 | p99 | non-2xx/3xx | × work list |")
    log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        socket = f" (socket errors: {r['socket']})" if r["socket"] else ""
        log(
            f"| {r['path']} | {r['size']:,} | {r['requests']:,} | {r['rps']:,.0f} | {r['p50']} | "
            f"{r['p99']} | {r['errors']}{socket} | {r['rps'] / work:.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-u", "--users", type=int, default=20)
    parser.add_argument("-r", "--spawn-rate", type=int, default=5)
    parser.add_argument("-t", "--time", default="60s")
    parser.add_argument("--side-time", default="15s", help="wrk's duration per target")
    parser.add_argument("--side-connections", type=int, default=10)
    parser.add_argument("--skip-side", action="store_true")
    parser.add_argument("--keep", action="store_true", help="leave gunicorn and the database")
    args = parser.parse_args()
    try:
        # No worker recycling (config/gunicorn.py: after 2,000±200 requests): the bare view
        # reaches that within seconds, and a worker's restart would be measured instead of it.
        # The load run serves far fewer requests than that per worker either way.
        logins = load_setup.up(("--max-requests", "0"))
        code = run_locust(args.users, args.spawn_rate, args.time)
        log(f"locust exited {code}; its summary: {LOCUST_LOG}")
        print_stats()
        print_server_times()
        if not args.skip_side:
            side_by_side(logins, args.side_time, args.side_connections)
    finally:
        if not args.keep:
            load_setup.down()


if __name__ == "__main__":
    main()
