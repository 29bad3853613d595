"""Time pages on the demo data through Django's test client: queries and milliseconds.

Run against a copy of a database holding the demo (logging in writes a session row):

    cp /tmp/t.sqlite3 /tmp/bench.sqlite3
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 DEBUG=1 ALLOWED_HOSTS=testserver \
        .venv/bin/python manage.py shell < bench/page_timings.py

Each page is requested once to warm the caches, then 3 times; the median is printed.
"""

import statistics
import time

from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp

from wards.demo import DEMO_TOTP_KEY, PASSWORD, SECOND_FACTOR_LOGINS

PAGES = {
    "doitruong.lang": [
        "/hoat-dong/",
        "/hoat-dong/?kind=radio",
        "/hoat-dong/ghi/",
        "/hoat-dong/nhap-so/",
        "/gioi-thieu/",
        "/vay-von/",
        "/vay-von/danh-sach.xlsx",
        "/bao-cao/?ky=2026-Q3",
    ],
    "giamsat.dongda": [
        "/bao-cao/?don-vi=006&ky=2024-H1",
        "/bao-cao/?don-vi=006&ky=2012..2022",
        "/bao-cao/?don-vi=006&ky=2024-Q2&cach-tinh=official",
        "/bao-cao/tinh-hinh-nop/?don-vi=006&ky=2024-H1",
    ],
}

for username, urls in PAGES.items():
    client = Client()
    assert client.login(request=HttpRequest(), username=username, password=PASSWORD), username
    if username in SECOND_FACTOR_LOGINS:  # the demo device's current code
        code = f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"
        assert client.post(reverse("otp_verify"), {"code": code}).status_code == 302, username
    for url in urls:
        client.get(url)
        times, queries, status = [], 0, 0
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - start)
            queries, status = len(ctx), response.status_code
        ms = statistics.median(times) * 1000
        print(f"{username:<15} {url:<52} {status} {queries:>3} q {ms:7.0f} ms")
