"""Time the demo's reports: build() and each export, with their query counts.

Run against a database holding the demo (`manage.py seed_demo`), e.g.:

    DATABASE_URL=sqlite:////tmp/t.sqlite3 DEBUG=1 .venv/bin/python manage.py shell \
        < bench/report_timings.py

Prints one line per report and format: seconds (best of 3) and queries.
"""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.exports import export
from reports.periods import parse
from reports.report import build
from wards.models import AdminUnit

district = AdminUnit.objects.get(code="006")
successors = AdminUnit.objects.filter(
    pk__in=AdminUnit.objects.filter(parent=district).values("successor")
).order_by("code")
CASES = [(district, "2024-H1"), (district, "2012..2022")]
CASES += [(ward, "2024-H1") for ward in successors]
CASES += [(successors[0], "2026-Q3"), (district, "2024-Q2")]


def best(fn):
    times, result, queries = [], None, 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
        queries = len(ctx)
    return min(times), queries, result


export(build(district, parse("2024-H1")), "pdf")  # WeasyPrint's first-call font set-up
print(f"{'unit':<28} {'period':<11} {'build':>14} {'json':>8} {'csv':>8} {'xlsx':>8} {'pdf':>8}")
for unit, spec in CASES:
    t, q, report = best(lambda u=unit, s=spec: build(u, parse(s)))
    cells = [f"{t * 1000:6.0f} ms {q:>2} q"]
    for fmt in ("json", "csv", "xlsx", "pdf"):
        t2, _q, _r = best(lambda r=report, f=fmt: export(r, f))
        cells.append(f"{t2 * 1000:5.0f} ms")
    print(f"{unit.name[:27]:<28} {spec:<11} " + " ".join(f"{c:>8}" for c in cells))
