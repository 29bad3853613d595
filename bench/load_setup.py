"""The server of the load run: a copy of the district data set, bench logins, gunicorn.

    .venv/bin/python bench/load_setup.py up     # database, logins, static files, gunicorn
    .venv/bin/python bench/load_setup.py down   # stop that gunicorn, drop the database

`up`:
1. waits until the district data set is seeded (no `seed_demo` process, `dh_scale_district`
   exists), makes `dh_bench_load` from it (`createdb -T`; an older copy is dropped first) and
   migrates the copy;
2. gives logins to members of today's five teams who have none, so that the locust users are
   different people with their own caseloads: `bench.tnv01`… for up to 20 volunteers with open
   assignments and `bench.doitruong01`… for the team leaders without a login, all with the demo
   password. With the demo logins (`tnv.lang`; `doitruong.lang`, `doitruong.kimlien`,
   `canbo.lang`; `giamsat.dongda`) they are written to /tmp/dh_bench_load/logins.json, which
   bench/load.py reads;
3. collects the static files into /tmp/dh_bench_load/static (the manifest whitenoise needs
   with DEBUG off) and starts `gunicorn -c config/gunicorn.py config.wsgi` on 127.0.0.1:8001 with
   5 sync workers and the production settings from the environment — DEBUG off, a random
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, database sessions — except SECURE_SSL=false (plain
   HTTP, so no secure-only cookies and no HTTPS redirect) and DJANGO_SETTINGS_MODULE=
   bench.settings (bench/urls.py: the application's URLs plus two bare views). Its pid is in
   /tmp/dh_bench_load/gunicorn.pid, its log (the access log gives each request's ms) in
   /tmp/dh_bench_load/gunicorn.log.

bench/load_run.py does `up`, the runs and `down` in one go.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(tempfile.gettempdir()) / "dh_bench_load"
TEMPLATE = "dh_scale_district"
DATABASE = "dh_bench_load"
PG = ["-h", "127.0.0.1", "-U", "postgres"]
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
HOST, PORT, WORKERS = "127.0.0.1", 8001, 5
BASE_URL = f"http://{HOST}:{PORT}"
LOGINS_FILE = WORK / "logins.json"
PID_FILE = WORK / "gunicorn.pid"
LOG_FILE = WORK / "gunicorn.log"
BENCH_VOLUNTEERS = 20


def log(text: str) -> None:
    print(text, flush=True)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        sys.exit(f"{name} not found on PATH")
    return path


def _run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    """Commands built here from fixed names and arguments, never from input."""
    return subprocess.run(command, **kwargs)  # noqa: S603


def server_env() -> dict[str, str]:
    """The environment of the bench's manage.py commands and gunicorn."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": DATABASE_URL,
        "DEBUG": "",
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL": "false",
        "STATIC_ROOT": str(WORK / "static"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "GUNICORN_WORKERS": str(WORKERS),
    }


# The database --------------------------------------------------------------------------------


def _databases() -> set[str]:
    out = _run(
        [_tool("psql"), *PG, "-Atc", "select datname from pg_database"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def _seeding() -> bool:
    return _run([_tool("pgrep"), "-f", "seed_demo"], capture_output=True).returncode == 0


def copy_database(template: str, name: str, *, keep: bool = False) -> None:
    """`name` made from `template` with `createdb -T` once no `seed_demo` runs; an older copy
    is dropped first, or kept with `keep`."""
    while _seeding() or template not in _databases():
        log(f"waiting for seed_demo to finish and {template} to exist...")
        time.sleep(30)
    if name in _databases():
        if keep:
            log(f"{name} exists: kept")
            return
        _run([_tool("dropdb"), *PG, "--force", name], check=True)
        log(f"{name} dropped")
    for attempt in range(20):
        made = _run([_tool("createdb"), *PG, "-T", template, name], capture_output=True, text=True)
        if made.returncode == 0:
            break
        # "source database is being accessed by other users": a session on the template
        log(f"createdb: {made.stderr.strip()} (attempt {attempt + 1}); retrying in 15 s")
        time.sleep(15)
    else:
        sys.exit("could not create the database from the template")
    log(f"{name} created from {template}")


def make_database() -> None:
    copy_database(TEMPLATE, DATABASE)
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=server_env(), check=True)


def drop_database() -> None:
    if DATABASE in _databases():
        _run([_tool("dropdb"), *PG, "--force", DATABASE], check=True)
        log(f"{DATABASE} dropped")


# The logins ----------------------------------------------------------------------------------


def make_logins() -> dict:
    """Run `logins` below in a process of its own (Django on the bench database)."""
    WORK.mkdir(mode=0o700, exist_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "logins"]
    _run(command, cwd=ROOT, env=server_env(), check=True)
    return json.loads(LOGINS_FILE.read_text())


def _write_logins() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model

    from cases.models import Assignment, Person
    from wards.demo import DEMO_TOTP_KEY, DISTRICT_CODE, PASSWORD
    from wards.models import Member

    user_model = get_user_model()
    busy = set(
        Assignment.objects.open()
        .filter(person__status=Person.Status.ACTIVE)
        .values_list("member_id", flat=True)
    )
    serving = Member.objects.filter(left_on__isnull=True, team__dissolved_on__isnull=True).order_by(
        "pk"
    )
    free = serving.filter(user__isnull=True)
    kinds = {
        "bench.tnv": [m for m in free.exclude(role=Member.Role.LEADER) if m.pk in busy][
            :BENCH_VOLUNTEERS
        ],
        "bench.doitruong": list(free.filter(role=Member.Role.LEADER)),
    }
    made: dict[str, list[str]] = {}
    for prefix, members in kinds.items():
        # Run again on the same copy: the members linked the first time keep their logins.
        names = list(
            serving.filter(user__username__startswith=prefix).values_list(
                "user__username", flat=True
            )
        )
        for member in members[: max(0, len(members) - len(names))]:
            username = f"{prefix}{len(names) + 1:02d}"
            user = user_model.objects.create_user(
                username, password=PASSWORD, first_name=member.full_name
            )
            # Bench data only: linked directly (no service takes a login for a member).
            Member.objects.filter(pk=member.pk).update(user=user)
            names.append(username)
        made[prefix] = sorted(names)
    logins = {
        "password": PASSWORD,
        "volunteers": ["tnv.lang", *made["bench.tnv"]],
        "leaders": ["doitruong.lang", "doitruong.kimlien", "canbo.lang", *made["bench.doitruong"]],
        "supervisor": "giamsat.dongda",
        "totp_key": DEMO_TOTP_KEY,
        "district": DISTRICT_CODE,
    }
    LOGINS_FILE.write_text(json.dumps(logins, indent=1))
    log(
        f"logins: {len(logins['volunteers'])} volunteers, {len(logins['leaders'])} leaders and "
        f"officers, 1 supervisor -> {LOGINS_FILE}"
    )


def login_opener(base_url: str, username: str, password: str):
    """An opener logged in through the login form (CSRF token, password), and its cookie jar."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    url = f"{base_url}/tai-khoan/dang-nhap/"
    page = opener.open(url).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password}
    ).encode()
    home = opener.open(urllib.request.Request(url, data=body))  # noqa: S310 - our own http URL
    return opener, jar, home


# gunicorn ------------------------------------------------------------------------------------


def _answers(path: str = "/tai-khoan/dang-nhap/") -> bool:
    try:
        urllib.request.urlopen(BASE_URL + path, timeout=2)  # noqa: S310 - our own http URL
    except OSError:
        return False
    return True


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def start_gunicorn(extra: tuple[str, ...] = ()) -> int:
    """Start gunicorn in the background; its master's pid once all workers answer."""
    WORK.mkdir(mode=0o700, exist_ok=True)
    if _answers():
        sys.exit(f"something already answers on {BASE_URL}: stop it first (load_setup.py down)")
    env = server_env()
    manage = [sys.executable, "manage.py"]
    _run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # A control socket of its own: another gunicorn on this machine has the default one.
    control = ["--control-socket", str(WORK / "gunicorn.ctl")]
    command = [str(gunicorn), "-c", "config/gunicorn.py", "--pid", str(PID_FILE), *control, *extra]
    with LOG_FILE.open("w") as out:
        master = subprocess.Popen(  # noqa: S603 - this venv's gunicorn, fixed arguments
            [*command, "config.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    for _ in range(600):
        if len(_workers(master.pid)) >= WORKERS and _answers():
            log(f"gunicorn {master.pid} on {BASE_URL}, {WORKERS} sync workers, log {LOG_FILE}")
            return master.pid
        if master.poll() is not None:
            break
        time.sleep(0.1)
    master.terminate()
    sys.exit("gunicorn did not start:\n" + LOG_FILE.read_text()[-3000:])


def stop_gunicorn() -> None:
    if not PID_FILE.exists():
        return
    pid = int(PID_FILE.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        PID_FILE.unlink(missing_ok=True)
        return
    for _ in range(400):  # gunicorn's graceful timeout is 30 s
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL)
    PID_FILE.unlink(missing_ok=True)
    log(f"gunicorn {pid} stopped")


def up(extra: tuple[str, ...] = ()) -> dict:
    make_database()
    logins = make_logins()
    start_gunicorn(extra)
    return logins


def down() -> None:
    stop_gunicorn()
    drop_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["up", "down", "logins"])
    args = parser.parse_args()
    if args.step == "up":
        up()
        log(f"stop with: {sys.executable} bench/load_setup.py down")
    elif args.step == "down":
        down()
    else:
        _write_logins()


if __name__ == "__main__":
    main()
