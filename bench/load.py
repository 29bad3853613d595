"""A day's mix of requests for locust, headless, against gunicorn on the district data set.

    .venv/bin/locust -f bench/load.py --headless -u 20 -r 5 -t 60s --host http://127.0.0.1:8001

bench/load_run.py runs it with the server bench/load_setup.py starts. Each locust user logs in
through the login form (CSRF token, password; the supervisor also the TOTP code of the demo
device) in on_start, then repeats its role's tasks with a pause of LOAD_WAIT seconds ("1,3":
1 to 3 s) between them — far shorter than a person's, so 20 users here stand for a few hundred
people at work.

- Volunteers (weight 3): the work list (home page and cases:my_work), the page of a person on
  it, and recording a contact (the form, then its POST with valid data: a home visit today,
  counted without following the redirect). Persons are taken from the work list's links, so a
  user only opens what it is allowed to see.
- Leaders and commune officers (weight 1): their home page, the ward register (page 1 and the
  next page it links to), the page of a person on it, the ward's report for 2026-Q3.
- The district supervisor (exactly one user: a TOTP code is accepted once): the district's
  report for a recent period, and which wards have submitted.

Logins come from /tmp/dh_bench_load/logins.json (bench/load_setup.py; LOAD_LOGINS names another
file); without it the demo logins alone are used, shared by several locust users. Every answer
but the expected one is a failure: a page must answer 200 (a redirect to the login page or a 404
on a person taken from a list is an error), the contact POST 302 back to the work list.
"""

from __future__ import annotations

import ast
import itertools
import json
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from django_otp.oath import totp
from locust import HttpUser, between, events, task
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parent.parent
LOGINS_FILE = Path(
    os.getenv("LOAD_LOGINS", "") or Path(tempfile.gettempdir()) / "dh_bench_load/logins.json"
)
WAIT = tuple(float(s) for s in os.getenv("LOAD_WAIT", "1,3").split(","))
REPORT_PERIOD = os.getenv("LOAD_REPORT_PERIOD", "2026-Q3")
# The district's periods a supervisor looks at (Quận Đống Đa was dissolved on 30/06/2025).
DISTRICT_PERIODS = ("2025-H1", "2025-Q2", "2024")

# Paths of the named URLs (config/urls.py and the apps' urls.py).
LOGIN = "/tai-khoan/dang-nhap/"  # login
OTP = "/tai-khoan/xac-thuc-2-lop/"  # otp_verify
MY_WORK = "/ho-so/viec-cua-toi/"  # cases:my_work
REGISTER = "/ho-so/danh-sach/"  # cases:register
PERSON = "/ho-so/nguoi/{}/"  # cases:person_detail
CONTACT_ADD = "/ho-so/nguoi/{}/tiep-can/"  # cases:contact_add
REPORT = "/bao-cao/"  # reports:report
SUBMISSIONS = "/bao-cao/tinh-hinh-nop/"  # reports:submission_status

PERSON_LINK = re.compile(r'href="/ho-so/nguoi/(\d+)/"')
NEXT_PAGE = re.compile(r'href="\?(?:[^"]*&amp;)?page=(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ONCE = re.compile(r'name="_once" value="([^"]+)"')
OCCURRED_ON = re.compile(r'name="occurred_on" value="([^"]+)"')


def _demo_constants() -> dict:
    """PASSWORD, DEMO_TOTP_KEY and DISTRICT_CODE of wards/demo.py, read without Django."""
    tree = ast.parse((ROOT / "wards" / "demo.py").read_text())
    wanted = {"PASSWORD", "DEMO_TOTP_KEY", "DISTRICT_CODE"}
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id in wanted
    }


def _logins() -> dict:
    if LOGINS_FILE.exists():
        return json.loads(LOGINS_FILE.read_text())
    demo = _demo_constants()
    return {
        "password": demo["PASSWORD"],
        "volunteers": ["tnv.lang"],
        "leaders": ["doitruong.lang", "doitruong.kimlien", "canbo.lang"],
        "supervisor": "giamsat.dongda",
        "totp_key": demo["DEMO_TOTP_KEY"],
        "district": demo["DISTRICT_CODE"],
    }


LOGINS = _logins()
NEXT_VOLUNTEER = itertools.cycle(LOGINS["volunteers"])
NEXT_LEADER = itertools.cycle(LOGINS["leaders"])


# Every request but the log-ins (password, second factor), written at the end to
# LOAD_PAGES_JSON for bench/load_run.py: all of them, and those that began STEADY_AFTER seconds
# after the last user started. Twenty log-ins within the first seconds (a deliberately slow
# Argon2 hash each) and the workers' first requests (each compiles the templates it meets) are
# a start-up burst, not the steady mix.
STEADY_AFTER = 5.0
PAGES: list[tuple[float, float, bool]] = []  # (began, ms, failed)
SPAWNED = {"at": 0.0}


@events.spawning_complete.add_listener
def _spawned(**_kwargs):
    SPAWNED["at"] = time.time()


@events.request.add_listener
def _tally(name, response_time, exception, **_kwargs):
    if not name.startswith(("login", "otp_verify")):
        PAGES.append((time.time() - response_time / 1000, response_time, exception is not None))


def _summary(pages: list[tuple[float, float, bool]]) -> dict:
    if len(pages) < 2:
        return {}
    times = sorted(ms for _began, ms, _failed in pages)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    seconds = max(max(b for b, _ms, _f in pages) - min(b for b, _ms, _f in pages), 1e-9)
    return {
        "requests": len(times),
        "failures": sum(failed for _began, _ms, failed in pages),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "max": times[-1],
        "rps": len(times) / seconds,
    }


@events.test_stop.add_listener
def _write_pages(**_kwargs):
    out = os.getenv("LOAD_PAGES_JSON", "")
    if out:
        steady_from = SPAWNED["at"] + STEADY_AFTER if SPAWNED["at"] else float("inf")
        summary = {
            "all": _summary(PAGES),
            "steady": _summary([p for p in PAGES if p[0] >= steady_from]),
            "steady_after": STEADY_AFTER,
        }
        Path(out).write_text(json.dumps(summary))


def pick(items):
    return random.choice(items)  # noqa: S311 - which page to open next, not a secret


class AppUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    username = ""

    def page(self, path: str, name: str, **kwargs) -> str:
        """GET a page that must answer 200 without a redirect; its HTML ("" on failure)."""
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True, **kwargs
        ) as response:
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"{response.status_code} {where}".strip())
                return ""
            return response.text

    def post(self, path: str, name: str, data: dict, expect: str = "") -> bool:
        """POST a form that must answer 302 (to a path starting with `expect`)."""
        with self.client.post(
            path, data=data, name=name, allow_redirects=False, catch_response=True
        ) as response:
            where = response.headers.get("Location", "")
            if response.status_code != 302 or not where.startswith(expect):
                response.failure(f"{response.status_code} {where}".strip())
                return False
            return True

    def login(self, username: str) -> None:
        self.username = username
        html = self.page(LOGIN, "login (form)")
        token = CSRF.search(html)
        fields = {"username": username, "password": LOGINS["password"]}
        if not token or not self.post(
            LOGIN, "login (POST)", {"csrfmiddlewaretoken": token.group(1), **fields}
        ):
            raise StopUser

    def csrf(self, html: str) -> str:
        found = CSRF.search(html)
        return found.group(1) if found else ""


class Volunteer(AppUser):
    weight = 3

    def on_start(self):
        self.login(next(NEXT_VOLUNTEER))
        self.persons: list[str] = []
        self.work_list()

    def _discover(self, html: str) -> None:
        found = sorted(set(PERSON_LINK.findall(html)))
        if found:
            self.persons = found
        elif html:
            raise StopUser(f"{self.username}: no person on the work list")

    @task(2)
    def home(self):
        self._discover(self.page("/", "home (volunteer: work list)"))

    @task(3)
    def work_list(self):
        self._discover(self.page(MY_WORK, "cases:my_work"))

    @task(4)
    def person(self):
        if self.persons:
            self.page(PERSON.format(pick(self.persons)), "cases:person_detail (volunteer)")

    @task(1)
    def contact(self):
        if not self.persons:
            return
        path = CONTACT_ADD.format(pick(self.persons))
        html = self.page(path, "cases:contact_add (form)")
        once, today = ONCE.search(html), OCCURRED_ON.search(html)
        if not html or not once or not today:
            return
        data = {
            "csrfmiddlewaretoken": self.csrf(html),
            "_once": once.group(1),
            "occurred_on": today.group(1),  # the form's own: today in the app's time zone
            "kind": "home_visit",
            "summary": "Thăm tại nhà (bench)",
            "drug_test_result": "",
            "milestone_kind": "",
            "next_due_on": "",
        }
        self.post(path, "cases:contact_add (POST)", data, expect=MY_WORK)


class Leader(AppUser):
    weight = 1

    def on_start(self):
        self.login(next(NEXT_LEADER))
        self.persons: list[str] = []
        self.next_page = ""
        self.register()

    @task(2)
    def home(self):
        self.page("/", "home (leader)")

    @task(3)
    def register(self):
        html = self.page(REGISTER, "cases:register")
        self.persons = sorted(set(PERSON_LINK.findall(html))) or self.persons
        found = NEXT_PAGE.search(html)
        self.next_page = found.group(1) if found else ""

    @task(1)
    def register_next(self):
        if self.next_page:
            self.page(f"{REGISTER}?page={self.next_page}", "cases:register ?page=N")

    @task(3)
    def person(self):
        if self.persons:
            self.page(PERSON.format(pick(self.persons)), "cases:person_detail (leader)")

    @task(1)
    def report(self):
        self.page(f"{REPORT}?ky={REPORT_PERIOD}", f"reports:report (ward {REPORT_PERIOD})")


class Supervisor(AppUser):
    fixed_count = 1
    wait_time = between(WAIT[0] * 2, WAIT[1] * 2)

    def on_start(self):
        self.login(LOGINS["supervisor"])
        key = bytes.fromhex(LOGINS["totp_key"])
        # A code is accepted once: after a run a moment ago, wait for the next one (30 s).
        for attempt in range(3):
            html = self.page(OTP, "otp_verify (form)")
            data = {"csrfmiddlewaretoken": self.csrf(html), "code": f"{totp(key):06d}"}
            with self.client.post(
                OTP, data=data, name="otp_verify (POST)", allow_redirects=False, catch_response=True
            ) as response:
                if response.status_code == 302:
                    return
                if attempt == 2:
                    response.failure(f"code refused three times ({response.status_code})")
                    raise StopUser
                response.success()  # the form again: this code was used; not a server error
            time.sleep(31 - time.time() % 30)

    @task(3)
    def report(self):
        period = pick(DISTRICT_PERIODS)
        url = f"{REPORT}?don-vi={LOGINS['district']}&ky={period}"
        self.page(url, "reports:report (district)")

    @task(1)
    def submissions(self):
        url = f"{SUBMISSIONS}?don-vi={LOGINS['district']}&ky={DISTRICT_PERIODS[0]}"
        self.page(url, "reports:submission_status (district)")
