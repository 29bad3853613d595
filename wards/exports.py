"""Person-level list exports: a small class per list, one writer per format.

An exporter (pretix's `ListExporter`) says what a list is: its title, the lines under the
title, its columns and a generator of rows. A writer turns any exporter into a file; only the
writer knows the format. Every text cell goes through `neutralise()` so a value that a
spreadsheet would run as a formula (a name typed as "=HYPERLINK(...)") is shown as text.

Three writers, for lists of every size:
- `write_xlsx`: a workbook built entirely in memory, for short lists (the loan-eligibility
  list), so that nothing of it ever reaches a file;
- `xlsx_file`: the same workbook written row by row in XlsxWriter's `constant_memory` mode,
  for lists of any length (a ward's contact log): XlsxWriter then needs temporary files, which
  go to a private directory that is removed before the function returns (see there);
- `csv_chunks`: the list as UTF-8 CSV with a BOM, generated in chunks for a streaming response.

This lives in `wards` because every app above it exports lists (cases, outreach, reports) and
imports point that way; it imports no model.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any, ClassVar

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# Excel's last row; a sheet cannot hold more.
XLSX_MAX_ROWS = 1_048_576
# The most rows one XLSX download holds: the file is written before its first byte is sent,
# at about 14,000 rows a second (bench/README.md, "Exports"), and the request must end well
# inside gunicorn's timeout (GUNICORN_TIMEOUT, 60 s); a longer list goes out as CSV, which
# streams as it is read.
XLSX_DOWNLOAD_ROWS = 200_000
# Rows per chunk of a streamed CSV: big enough that the response is not a trickle of tiny
# writes, small enough that a chunk is a few hundred kilobytes.
CSV_CHUNK_ROWS = 500
BOM = "\ufeff"

# What a spreadsheet may read as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """`value` as inert text: prefixed with an apostrophe when it starts like a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@dataclass(frozen=True)
class Column:
    """One column of an export: its heading, the kind of value it holds, its width."""

    TEXT: ClassVar[str] = "text"
    NUMBER: ClassVar[str] = "number"
    MONEY: ClassVar[str] = "money"
    DATE: ClassVar[str] = "date"

    label: str
    kind: str = TEXT
    width: float = 14


class ListExporter:
    """A list to export. Subclasses set `title` and implement `columns()` and `rows()`."""

    title: Any = ""  # str or a lazy string
    sheet_name: Any = gettext_lazy("Danh sách")

    def preamble(self) -> list[str]:
        """The lines under the title: the legal basis, the unit, the date it was made."""
        return []

    def columns(self) -> Sequence[Column]:
        raise NotImplementedError

    def rows(self) -> Iterable[Sequence[Any]]:
        """One sequence per row, in column order: str, int, date or None."""
        raise NotImplementedError

    def xlsx_room(self) -> int:
        """How many rows one download holds: what fits on the sheet below the title block
        and the header, and no more than XLSX_DOWNLOAD_ROWS."""
        return min(XLSX_MAX_ROWS - _first_row(self), XLSX_DOWNLOAD_ROWS)


def _first_row(exporter: ListExporter) -> int:
    """The sheet row of the first data row: title, preamble, a blank row, the header."""
    return len(exporter.preamble()) + 3


# XLSX -----------------------------------------------------------------------------------------

WORKBOOK_OPTIONS = {
    # Strings are always written as strings: never turned into formulas, links or numbers.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "default_date_format": "dd/mm/yyyy",
}


def write_xlsx(exporter: ListExporter) -> bytes:
    """The exporter's list as an XLSX workbook, built entirely in memory (`in_memory`).

    For short lists: these hold personal data, and nothing of them should reach a file. A list
    that may be long (thousands of rows and more) goes through `xlsx_file` instead.
    """
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {**WORKBOOK_OPTIONS, "in_memory": True})
    _fill(workbook, exporter)
    workbook.close()
    return output.getvalue()


def xlsx_file(exporter: ListExporter) -> IO[bytes]:
    """The exporter's list as an XLSX workbook in an open file, read from its start, that no
    longer has a name on disk. The memory used does not grow with the number of rows.

    XlsxWriter's `constant_memory` mode writes each row out as soon as the next one starts,
    and so needs temporary files: here they go to a directory of our own (`mkdtemp`: mode 0700,
    a fresh random name), never to a shared temporary directory under a guessable name. The
    workbook is assembled in the same directory, opened, and the directory with everything in
    it is removed in `finally`, whatever happened. What is returned is the open file: on POSIX
    its data stays readable through that descriptor until it is closed (a `FileResponse`
    closes it once the last chunk is sent, or when the client goes away), and is freed then,
    with no name anyone could open in between. Reading it back into memory instead would make
    memory grow with the list, the very thing this avoids.

    Raises OverflowError when the list has more rows than a sheet holds (`xlsx_room`): callers
    count first and say so to the user, so this only guards against a silently cut list.
    """
    directory = tempfile.mkdtemp(prefix="donghanh-export-")
    try:
        path = os.path.join(directory, "export.xlsx")
        options = {**WORKBOOK_OPTIONS, "constant_memory": True, "tmpdir": directory}
        workbook = xlsxwriter.Workbook(path, options)
        try:
            _fill(workbook, exporter)
        finally:
            workbook.close()
        handle = open(path, "rb")  # noqa: SIM115 - the caller's response closes it
        os.unlink(path)
        return handle
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _fill(workbook, exporter: ListExporter) -> None:
    """A title block, a bold header, one row per row, strictly in order (so that it works in
    `constant_memory` mode, where a row is written out once the next one starts). Text is
    neutralised; dates are real Excel dates shown as dd/mm/yyyy."""
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#E9ECEF"}
    )
    formats = {
        Column.TEXT: workbook.add_format({"text_wrap": True, "valign": "top"}),
        Column.NUMBER: workbook.add_format({"valign": "top"}),
        Column.MONEY: workbook.add_format({"num_format": "#,##0", "valign": "top"}),
        Column.DATE: workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"}),
    }
    sheet = workbook.add_worksheet(_sheet_name(str(exporter.sheet_name)))
    columns = list(exporter.columns())
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)

    row = 0
    sheet.write_string(row, 0, neutralise(str(exporter.title)), title_format)
    for line in exporter.preamble():
        row += 1
        sheet.write_string(row, 0, neutralise(str(line)))
    row += 2
    header_row = row
    for index, column in enumerate(columns):
        sheet.write_string(row, index, neutralise(str(column.label)), header_format)
    for values in exporter.rows():
        row += 1
        if row >= XLSX_MAX_ROWS:
            raise OverflowError(f"more than {XLSX_MAX_ROWS - header_row - 1} rows for one sheet")
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            _write_cell(sheet, row, index, value, formats, column.kind)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(row, header_row), len(columns) - 1)


def _write_cell(sheet, row: int, col: int, value: Any, formats: dict, kind: str) -> None:
    """One cell, written as what the value is; text always neutralised."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats[kind])
    elif isinstance(value, bool):
        sheet.write_string(row, col, _("Có") if value else _("Không"), formats[Column.TEXT])
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, formats[kind])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats[Column.DATE])
    else:
        sheet.write_string(row, col, neutralise(str(value)), formats[Column.TEXT])


def _sheet_name(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if c in "[]:*?/\\" else c for c in name).strip("' ")
    return cleaned[:31] or "Sheet1"


# CSV ------------------------------------------------------------------------------------------


def csv_chunks(exporter: ListExporter, chunk_rows: int = CSV_CHUNK_ROWS) -> Iterator[bytes]:
    """The exporter's list as CSV: the header and the rows, no title block (a CSV is read by
    programs as often as by people). UTF-8 with a BOM, so that Excel reads the Vietnamese
    right; dates dd/mm/yyyy; every text cell neutralised. Yields a chunk of bytes per
    `chunk_rows` rows and holds no more than one chunk, so a `StreamingHttpResponse` over it
    sends a list of any length in constant memory."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(column.label)) for column in exporter.columns()])
    pending = 0
    for values in exporter.rows():
        writer.writerow([_csv_cell(value) for value in values])
        pending += 1
        if pending == chunk_rows:
            yield _take(buffer)
            pending = 0
    rest = _take(buffer)
    if rest:
        yield rest


def _take(buffer: io.StringIO) -> bytes:
    """What the buffer holds, encoded, and the buffer emptied."""
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Có") if value else _("Không")
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return neutralise(str(value))
