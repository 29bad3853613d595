"""Time a district report's PDF: the figures (build), the document (HTML), WeasyPrint's layout
and its writing of the file (fonts subset and embedded), several runs, medians printed.

Run against a database holding the demo (`manage.py seed_demo`), e.g.:

    DEBUG=1 DATABASE_URL=postgres://… .venv/bin/python manage.py shell < bench/pdf_time.py

UNIT and PERIOD choose another report (UNIT=01 PERIOD=2026-Q3: Hà Nội's 126 communes);
HIDE_EMPTY=1 leaves out the child units without figures, as the page's downloads do by default.

Wall-clock seconds and, in brackets, the process's CPU seconds (the same on an idle machine;
the CPU figure does not count the time other processes took the processor from this one).
The first render sets WeasyPrint's fonts up and is left out of the medians. Without Debian's
libharfbuzz-subset0, WeasyPrint subsets the fonts with fontTools ("Using fontTools instead of
HarfBuzz-Subset"), the slow part of writing the file.
"""

import os
import statistics
import time

from django.template.loader import render_to_string
from django.utils import translation

from reports.exports import ReportTable, _collector_paused, _lean_html, _no_fetch, pdf_context
from reports.periods import parse
from reports.report import build
from wards.models import AdminUnit

UNIT, SPEC, RUNS = os.environ.get("UNIT", "006"), os.environ.get("PERIOD", "2024-Q2"), 5
HIDE_EMPTY = os.environ.get("HIDE_EMPTY") == "1"
unit = AdminUnit.objects.get(code=UNIT)
KEYS = ("build", "html", "layout", "write", "total")
times: dict[str, list[float]] = {key: [] for key in KEYS}
cpu: dict[str, list[float]] = {key: [] for key in KEYS}
pages = 0
for run in range(RUNS + 1):
    c0, t0 = time.process_time(), time.perf_counter()
    report = build(unit, parse(SPEC))
    c1, t1 = time.process_time(), time.perf_counter()
    with translation.override("vi"):
        table = ReportTable(report, hide_empty=HIDE_EMPTY)
        html = render_to_string("reports/pdf.html", pdf_context(table))
    c2, t2 = time.process_time(), time.perf_counter()
    with _collector_paused():  # as reports.exports.write_pdf renders it
        document = _lean_html()(string=html, url_fetcher=_no_fetch).render()
        c3, t3 = time.process_time(), time.perf_counter()
        document.write_pdf()
    c4, t4 = time.process_time(), time.perf_counter()
    pages = len(document.pages)
    if run == 0:
        continue  # WeasyPrint's first call: font configuration
    for key, value, used in zip(
        KEYS,
        (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0),
        (c1 - c0, c2 - c1, c3 - c2, c4 - c3, c4 - c0),
        strict=True,
    ):
        times[key].append(value)
        cpu[key].append(used)

hidden = ", child units without figures left out" if HIDE_EMPTY else ""
print(f"{unit.name} {SPEC}{hidden}: {pages} pages, median of {RUNS} runs")


def median(series: dict[str, list[float]], *keys: str) -> float:
    return statistics.median(sum(parts) for parts in zip(*(series[k] for k in keys), strict=True))


for key in KEYS:
    print(f"  {key:<7} {median(times, key):6.2f} s ({median(cpu, key):.2f} s CPU)")
render = ("layout", "write")
print(
    f"  render  {median(times, *render):6.2f} s ({median(cpu, *render):.2f} s CPU): layout + write"
)
