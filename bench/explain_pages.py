"""EXPLAIN ANALYZE every query of the list and report pages, and flag full scans of big tables.

Run against the province data set (`seed_demo --scale province` on PostgreSQL), on a copy
(logging in writes session rows):

    createdb -h 127.0.0.1 -U postgres -T dh_scale_province dh_bench_explain
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_bench_explain DEBUG=1 \
        ALLOWED_HOSTS=testserver .venv/bin/python manage.py shell < bench/explain_pages.py
    dropdb -h 127.0.0.1 -U postgres dh_bench_explain

Each page is requested once as its user (through Django's test client), every SELECT it ran
is explained with ANALYZE, and the page's line gives its queries, the summed execution time
of its SELECTs, its slowest SELECT and every sequential scan of a table of more than
BIG rows that kept less than a tenth of them (a missing index shows up there; a province's
report reads most of its tables, and a scan is then the right plan). Exits 1 if any such scan
is found.
"""

import re
import sys

from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp

from wards.demo import DEMO_TOTP_KEY, PASSWORD, SECOND_FACTOR_LOGINS

BIG = 50_000
# (login, page): the volunteer's, the leader's and the supervisors' lists and reports. "{person}"
# is the first person of the volunteer's work list.
PAGES = [
    ("tnv.lang", "/"),
    ("tnv.lang", "/ho-so/viec-cua-toi/"),
    ("tnv.lang", "/ho-so/nguoi/{person}/"),
    ("tnv.lang", "/ho-so/nguoi/{person}/tiep-can/"),
    ("tnv.lang", "/hoat-dong/"),
    ("doitruong.lang", "/"),
    ("doitruong.lang", "/ho-so/danh-sach/"),
    ("doitruong.lang", "/ho-so/danh-sach/?q=nguyen"),
    ("doitruong.lang", "/ho-so/phan-cong/"),
    ("doitruong.lang", "/ho-so/tong-quan/"),
    ("doitruong.lang", "/hoat-dong/"),
    ("doitruong.lang", "/gioi-thieu/"),
    ("doitruong.lang", "/vay-von/"),
    ("doitruong.lang", "/bao-cao/?ky=2026-Q3"),
    ("giamsat.dongda", "/bao-cao/?don-vi=006&ky=2024-Q2"),
    ("giamsat.hanoi", "/"),
    ("giamsat.hanoi", "/bao-cao/?don-vi=01&ky=2026-Q3"),
    ("giamsat.hanoi", "/bao-cao/?don-vi=01&ky=2024"),
    ("giamsat.hanoi", "/bao-cao/tinh-hinh-nop/?don-vi=01&ky=2026-Q3"),
]

sizes = {}
with connection.cursor() as cursor:
    cursor.execute("SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'")
    sizes = {name: rows for name, rows in cursor.fetchall()}


def nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def explain(sql: str) -> tuple[float, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        (doc,) = cursor.fetchone()
    doc = doc[0] if isinstance(doc, list) else doc
    scans = [
        f"{n['Relation Name']} ({n['Actual Rows']:,} of {sizes.get(n['Relation Name'], 0):,.0f})"
        for n in nodes(doc["Plan"])
        if n["Node Type"] == "Seq Scan"
        and sizes.get(n.get("Relation Name"), 0) > BIG
        and n["Actual Rows"] * n["Actual Loops"] * 10 < sizes[n["Relation Name"]]
    ]
    return doc["Execution Time"], scans


clients: dict[str, Client] = {}
found = 0
person = None
print(f"{'login':<15} {'page':<44} {'st':>3} {'q':>3} {'sql ms':>7} {'max ms':>7}  full scans")
for username, url in PAGES:
    client = clients.get(username)
    if client is None:
        client = clients[username] = Client()
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD)
        if username in SECOND_FACTOR_LOGINS:
            code = f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"
            assert client.post(reverse("otp_verify"), {"code": code}).status_code == 302
    url = url.format(person=person)
    client.get(url)  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    if person is None and url == "/ho-so/viec-cua-toi/":
        person = re.search(r'href="/ho-so/nguoi/(\d+)/"', response.content.decode()).group(1)
    total, slowest, scans = 0.0, 0.0, []
    for query in ctx.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        ms, big = explain(sql)
        total, slowest = total + ms, max(slowest, ms)
        scans += big
    found += len(scans)
    shown = url if person is None else url.replace(str(person), "{person}")
    print(
        f"{username:<15} {shown:<44} {response.status_code:>3} {len(ctx):>3} "
        f"{total:7.1f} {slowest:7.1f}  {', '.join(scans) or '-'}"
    )
sys.exit(1 if found else 0)
