"""Reading an uploaded XLSX or CSV into rows of text, refusing what is unsafe or too big.

Everything is checked before a parser sees the content: the size of the upload; for an XLSX, the
number of files in the zip, their uncompressed size and compression ratio (zip bombs), and any
macro part; for a CSV, its encoding (UTF-8 with or without BOM, else Windows-1258, the
Vietnamese code page older Excel saves in). Formulas are read as their text ("=SUM(A1:A3)"),
never evaluated. Every refusal is a `Refused` carrying a Vietnamese message for the user.

Pure functions over bytes: the web upload and `manage.py import_xlsx` share them.
"""

from __future__ import annotations

import collections
import csv
import datetime
import io
import itertools
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from wards.text import clean_text

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_ROWS = 20_000  # data rows, after the header
MAX_ZIP_ENTRIES = 200  # a real workbook has 10 to 40 parts
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all parts together, once unpacked (20,000 real rows: ~20 MB)
MAX_RATIO = 200  # uncompressed / compressed for any one part larger than 1 MiB unpacked
HEADER_SCAN = 15  # rows above the data in which a header row is looked for
MAX_COLUMNS = 60  # a sheet formatted to column XFD is read as its first 60 columns
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (Excel 97-2003) and other OLE files
# The stream a password-protected .xlsx keeps inside its OLE container (its name in UTF-16).
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


class Refused(Exception):
    """A file that will not be read; `message` says why, in Vietnamese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """The file's first sheet as rows of text; `numbers` are the 1-based row numbers in the
    file (blank rows are dropped, so the preview can still say "dòng 14")."""

    rows: list[list[str]]
    numbers: list[int]
    sheet_name: str = ""


def read(content: bytes, file_name: str) -> Sheet:
    """The rows of an XLSX or CSV upload; Refused when it cannot or must not be read."""
    if len(content) > MAX_BYTES:
        raise too_big(len(content))
    if not content.strip():
        raise Refused(_("Tệp trống."))
    name = file_name.lower()
    if content.startswith(OLE_MAGIC):
        if ENCRYPTED_STREAM in content:
            raise Refused(
                _(
                    "Tệp Excel có đặt mật khẩu nên không đọc được. Hãy mở bằng Excel, bỏ mật khẩu "
                    "(Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, xóa mật khẩu), "
                    "lưu lại rồi tải lên."
                )
            )
        raise Refused(
            _(
                "Đây là tệp Excel cũ (.xls) hoặc tệp có macro. Hãy mở bằng Excel, chọn "
                "Lưu thành (Save As) → «Sổ làm việc Excel (.xlsx)», rồi tải tệp mới lên."
            )
        )
    if content.startswith(XLSX_MAGIC):
        if name.endswith(".xlsb"):
            raise _binary_refusal()
        if name.endswith((".xlsm", ".xltm", ".xlam")):
            raise _macro_refusal()
        sheet = _read_xlsx(content)
    elif name.endswith((".xlsx", ".xlsm", ".xls")):
        raise Refused(_("Tệp không phải là tệp Excel hợp lệ. Hãy lưu lại thành .xlsx."))
    else:
        sheet = _read_csv(content)
    data_rows = len(sheet.rows) - 1  # the header is one of them
    if data_rows > MAX_ROWS + HEADER_SCAN:
        raise too_many_rows(data_rows)
    return sheet


def too_big(size: int) -> Refused:
    return Refused(
        _("Tệp lớn hơn 5 MB (%(size)s MB). Hãy chia thành nhiều tệp nhỏ hơn.")
        % {"size": f"{size / 1024 / 1024:.1f}".replace(".", ",")}
    )


def too_many_rows(count: int | None = None) -> Refused:
    """`count` data rows are too many; None when reading stopped early, the count unknown."""
    limit = f"{MAX_ROWS:,}".replace(",", ".")
    if count is None:
        return Refused(
            _(
                "Tệp có hơn %(max)s dòng; mỗi lần chỉ nhập được tối đa %(max)s dòng. Hãy chia "
                "tệp ra."
            )
            % {"max": limit}
        )
    return Refused(
        _("Tệp có %(count)s dòng; mỗi lần chỉ nhập được tối đa %(max)s dòng. Hãy chia tệp ra.")
        % {"count": f"{count:,}".replace(",", "."), "max": limit}
    )


def damaged() -> Refused:
    return Refused(_("Tệp Excel bị hỏng hoặc không đọc được. Hãy lưu lại thành .xlsx."))


def _macro_refusal() -> Refused:
    return Refused(
        _(
            "Tệp có macro (VBA). Đồng Hành không nhận tệp có macro. Hãy mở bằng Excel, chọn "
            "Lưu thành (Save As) → «Sổ làm việc Excel (.xlsx)», rồi tải tệp mới lên."
        )
    )


def _binary_refusal() -> Refused:
    return Refused(
        _(
            "Tệp Excel nhị phân (.xlsb) không đọc được. Hãy mở bằng Excel, chọn Lưu thành "
            "(Save As) → «Sổ làm việc Excel (.xlsx)», rồi tải tệp mới lên."
        )
    )


# XLSX -----------------------------------------------------------------------------------------


def _check_zip(content: bytes) -> None:
    """Refuse a zip bomb or a macro before openpyxl unpacks anything."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise damaged() from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise Refused(_("Tệp Excel có quá nhiều phần bên trong; tệp này không được nhận."))
    total = sum(e.file_size for e in entries)
    bomb = total > MAX_UNCOMPRESSED or any(
        e.file_size > 1024 * 1024 and e.file_size > MAX_RATIO * max(e.compress_size, 1)
        for e in entries
    )
    if bomb:
        raise Refused(
            _(
                "Tệp Excel khi giải nén quá lớn so với kích thước tệp (có thể là tệp độc hại); "
                "tệp này không được nhận."
            )
        )
    names = {e.filename.lower() for e in entries}
    if any(n.endswith("vbaproject.bin") for n in names):
        raise _macro_refusal()
    try:
        content_types = archive.read("[Content_Types].xml").lower()
    except Exception as error:  # missing, or its data damaged (zlib, CRC, encryption…)
        raise damaged() from error
    if b"sheet.binary" in content_types:
        raise _binary_refusal()
    # Content types are case-insensitive: macroEnabled workbooks, VBA projects and Excel 4.0
    # macro sheets (macrosheet, intlmacrosheet) all name "macro" or "vbaproject".
    if b"macro" in content_types or b"vbaproject" in content_types:
        raise _macro_refusal()


def _read_xlsx(content: bytes) -> Sheet:
    _check_zip(content)
    import openpyxl  # with defusedxml installed, openpyxl parses XML without entity expansion

    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=False, keep_links=False
        )
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise damaged() from error
    try:
        return _sheet_rows(book)
    except Refused:
        raise
    except Exception as error:  # the sheet's XML is parsed row by row, only now
        raise damaged() from error
    finally:
        book.close()


def _sheet_rows(book) -> Sheet:
    if not book.worksheets:
        raise damaged()
    sheet = book.worksheets[0]
    # The size a sheet declares (its <dimension>) is often wrong in files other programs
    # write, and read-only openpyxl would stop there: read every row the sheet holds, and
    # never more than MAX_COLUMNS cells of one.
    sheet.reset_dimensions()
    rows: list[list[str]] = []
    numbers: list[int] = []
    values_of = sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    for number, values in enumerate(values_of, start=1):
        if values.count(None) == len(values):  # a blank row, cheaply (there may be a million)
            continue
        cells = ["" if v is None else cell_text(v) for v in values]
        if not any(cells):
            continue
        rows.append(cells)
        numbers.append(number)
        if len(rows) > MAX_ROWS + HEADER_SCAN + 1:
            raise too_many_rows()
    return Sheet(rows=_trim(rows), numbers=numbers, sheet_name=sheet.title)


def cell_text(value: object) -> str:
    """A cell as the text a person would read in it: 12 not 12.0, a date as dd/mm/yyyy, a
    formula as its text."""
    if value is None:
        return ""
    formula_type = getattr(value, "t", None)  # openpyxl's ArrayFormula, DataTableFormula
    if formula_type == "array":
        return _clean(value.text or "=")
    if formula_type == "dataTable":
        return f"=TABLE({value.r1 or ''},{value.r2 or ''})"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, int):
        return str(value)
    return _clean(str(value))


# CSV ------------------------------------------------------------------------------------------


def decode(content: bytes) -> str:
    """UTF-8 (a BOM is dropped), else Windows-1258; NFC either way (Windows-1258 writes tones as
    combining marks)."""
    if content.startswith(b"\xef\xbb\xbf"):
        text = content[3:].decode("utf-8", errors="replace")
    else:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            text = content.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _read_csv(content: bytes) -> Sheet:
    text = decode(content)
    if "\x00" in text:
        raise Refused(_("Tệp không phải là bảng tính (.xlsx) hay tệp CSV."))
    rows: list[list[str]] = []
    numbers: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for number, values in enumerate(reader, start=1):
            cells = [_clean(v) for v in values[:MAX_COLUMNS]]
            if not any(cells):
                continue
            rows.append(cells)
            numbers.append(number)
            if len(rows) > MAX_ROWS + HEADER_SCAN + 1:
                raise too_many_rows()
    except csv.Error as error:
        raise Refused(_("Tệp CSV không đọc được: %(error)s.") % {"error": error}) from error
    return Sheet(rows=_trim(rows), numbers=numbers)


DELIMITERS = (",", ";", "\t")  # in order of preference when the first lines do not decide
SNIFF_ROWS = 50


def _delimiter(text: str) -> str:
    """The delimiter under which most of the first lines split into the same number of cells.

    A title line above the header ("DANH SÁCH …") has no delimiter at all and commas inside
    the cells of a semicolon file ("Số 5, ngõ 10") vary from line to line, which throws
    csv.Sniffer off; so each candidate is scored by how many of the first lines share its
    most common width of two cells or more."""

    def score(delimiter: str) -> tuple[int, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            widths = [len(r) for r in itertools.islice(reader, SNIFF_ROWS) if len(r) > 1]
        except csv.Error:
            return (0, 0)
        if not widths:
            return (0, 0)
        width, count = collections.Counter(widths).most_common(1)[0]
        return (count, width)

    scores = {delimiter: score(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: scores[d])  # the first of equals: "," before ";"
    return best if scores[best][0] else ","


def _clean(text: str) -> str:
    """A cell as everything saved is cleaned (wards.text): NFC, without bidi controls,
    zero-width or control characters; a cell may hold several lines."""
    return clean_text(text, multiline=True)


def _trim(rows: list[list[str]]) -> list[list[str]]:
    """Every row as wide as the widest, without empty columns at the right."""
    width = max((i + 1 for row in rows for i, v in enumerate(row) if v), default=0)
    return [(row + [""] * width)[:width] for row in rows]
