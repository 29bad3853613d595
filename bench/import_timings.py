"""Time an import of people from a template-shaped XLSX: reading, header matching, the preview
and the commit, for files of 300, 5,000 and 20,000 rows (the upload limit), with the peak
Python memory of reading the file.

Run against a database holding the demo (seed_demo); every commit is rolled back, so the
database is left as it was:

    DATABASE_URL=sqlite:////tmp/t.sqlite3 DEBUG=1 \
        .venv/bin/python manage.py shell < bench/import_timings.py

The rows go into Phường Láng as its leader (doitruong.lang), so the duplicate checks run
against a real register of several hundred people. Sizes can be set with IMPORT_SIZES=300,5000.
"""

import io
import os
import time
import tracemalloc

import openpyxl
from django.contrib.auth import get_user_model
from django.db import transaction

from imports import pipeline, reading
from imports.kinds import KINDS
from imports.matching import match
from imports.template import build
from wards.access import access_for

SIZES = [int(s) for s in os.environ.get("IMPORT_SIZES", "300,5000,20000").split(",")]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Khánh", "Lan", "Long", "Mai"]
GROUPS = ["Người sau cai nghiện", "Người nghiện ma túy", "Người có nguy cơ cao", "Khác"]


class Rollback(Exception):
    pass


def filled(n: int) -> bytes:
    """The people template with n rows typed under its example row."""
    book = openpyxl.load_workbook(io.BytesIO(build(KINDS["people"])))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    for i in range(n):
        values = {
            "Họ và tên *": f"{SURNAMES[i % 10]} Văn Nhập {GIVEN[i % 11]} {i:05d}",
            "Giới tính *": "Nam" if i % 3 else "Nữ",
            "Năm sinh": 1960 + i % 45,
            "Điện thoại": f"09{i:08d}",
            "Nhóm *": GROUPS[i % len(GROUPS)],
            "Ngày đồng ý cung cấp thông tin *": f"{1 + i % 28:02d}/{1 + i % 12:02d}/2024",
        }
        sheet.append([values.get(h, "") for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def timed(step, fn):
    started = time.perf_counter()
    value = fn()
    step.append(f"{time.perf_counter() - started:6.2f} s")
    return value


def peak_of(fn) -> str:
    """The peak Python memory of fn, in a second run (tracemalloc slows what it traces)."""
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return f"{peak / 2**20:5.1f} MiB"


def measure(size: int, leader, ward, kind) -> str:
    content = filled(size)
    step: list[str] = []
    sheet = timed(step, lambda: reading.read(content, "danh-sach.xlsx"))
    step.append(peak_of(lambda: reading.read(content, "danh-sach.xlsx")))
    started = time.perf_counter()
    found = match(kind, sheet)
    step.append(f"{(time.perf_counter() - started) * 1000:4.0f} ms")
    assert not found.unsure, found.unsure

    def run(commit):
        return pipeline.run(
            kind=kind,
            ward=ward,
            actor=leader,
            rows=sheet.rows,
            numbers=sheet.numbers,
            match=found,
            commit=commit,
            file_name="danh-sach.xlsx",
        )

    t_preview = time.perf_counter()
    preview = timed(step, lambda: run(False))
    assert preview.errors == 0, [r for r in preview.results if r.status == "error"][:3]
    assert preview.count(pipeline.NEW) == size, preview.count(pipeline.NEW)
    done = {}

    def commit_and_roll_back():
        try:
            with transaction.atomic():
                done["outcome"] = run(True)
                raise Rollback
        except Rollback:
            pass

    timed(step, commit_and_roll_back)
    assert done["outcome"].committed and done["outcome"].count(pipeline.NEW) == size
    step.append(f"{(time.perf_counter() - t_preview) / size / 2 * 1000:4.1f} ms")
    return f"{size:>6} | {len(content) / 1024:6.0f} K | " + " | ".join(step)


leader = get_user_model().objects.get(username="doitruong.lang")
ward = next(g.unit for g in access_for(leader).grants if g.unit)
print("  rows |     file | read     | peak      | match   | preview  | commit   | per row")
for size in SIZES:
    print(measure(size, leader, ward, KINDS["people"]), flush=True)
