"""Time the report of one unit and period on a scale data set: cold, then warm.

    REPORT_CASE=01:2026-Q3 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dh_scale_province \
        DEBUG=1 ALLOWED_HOSTS=testserver .venv/bin/python manage.py shell < bench/report_scale.py

`bench/report_scale.sh` runs it for every case after restarting PostgreSQL and emptying the
kernel's page cache, so the first figure is a cold start: nothing of the data set in memory,
a new connection. It prints one line: the first `build()` (the unit, each child unit, the same
period a year earlier), then the best and median of WARM more, their queries, and the warm
median of the whole report page (the figures, the monthly trend and the HTML) as the unit's
supervisor, through Django's test client in a transaction that is rolled back (the page
writes its audit event and the session; the data set stays as it was).
"""

import os
import statistics
import time

from django.db import connection, transaction
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django_otp.oath import totp

from reports.periods import parse
from reports.report import build
from wards.demo import DEMO_TOTP_KEY, PASSWORD
from wards.models import AdminUnit

WARM = int(os.environ.get("WARM", "5"))
SUPERVISOR = {"006": "giamsat.dongda", "01": "giamsat.hanoi"}

code, spec = os.environ["REPORT_CASE"].split(":")
unit = AdminUnit.objects.get(code=code)
period = parse(spec)


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


cold, report = timed(lambda: build(unit, period))
warm = []
for _ in range(WARM):
    with CaptureQueriesContext(connection) as ctx:
        ms, _report = timed(lambda: build(unit, period))
    warm.append(ms)
queries = len(ctx)

page = []
url = f"{reverse('reports:report')}?don-vi={code}&ky={spec}"
# Signed-cookie sessions: logging in writes nothing to the data set.
cookies = override_settings(SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies")
with cookies, transaction.atomic():
    client = Client()
    assert client.login(request=HttpRequest(), username=SUPERVISOR[code], password=PASSWORD)
    otp = f"{totp(bytes.fromhex(DEMO_TOTP_KEY)):06d}"
    assert client.post(reverse("otp_verify"), {"code": otp}).status_code == 302
    for i in range(WARM + 1):
        ms, response = timed(lambda: client.get(url))
        assert response.status_code == 200, response.status_code
        if i:  # the first request warms the templates
            page.append(ms)
    transaction.set_rollback(True)


print(
    f"{unit.name} {spec}: {len(report.current.children)} child units; cold {cold:.0f} ms; "
    f"warm best {min(warm):.0f} ms, median {statistics.median(warm):.0f} ms, {queries} queries; "
    f"page median {statistics.median(page):.0f} ms"
)
