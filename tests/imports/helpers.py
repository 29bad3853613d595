"""Building upload files for the import tests: XLSX through openpyxl, CSV in any encoding."""

from __future__ import annotations

import csv
import io
import unicodedata

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse


def xlsx(rows: list[list], *, title_rows: list[list] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    text = out.getvalue()
    if encoding == "utf-8-sig":
        return "\ufeff".encode() + text.encode("utf-8")
    if encoding == "cp1258":
        return cp1258(text)
    return text.encode(encoding)


def cp1258(text: str) -> bytes:
    """Text as Excel saves it in Windows-1258: a letter with a tone is the base letter (with
    its circumflex, breve or horn when the code page has it) followed by a combining tone."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", char)
        rest = []
        for mark in marks:
            joined = unicodedata.normalize("NFC", base + mark)
            try:
                joined.encode("cp1258")
            except UnicodeEncodeError:
                rest.append(mark)
            else:
                if len(joined) == 1:
                    base = joined
                else:
                    rest.append(mark)
        out.append((base + "".join(rest)).encode("cp1258"))
    return b"".join(out)


def upload(client, kind: str, content: bytes, name: str = "danh-sach.xlsx", query: str = ""):
    """POST the file to the kind's upload; the response (a redirect to the preview when read)."""
    return client.post(
        reverse("imports:upload", args=[kind]) + query,
        {"file": SimpleUploadedFile(name, content)},
    )


def batch_of(response):
    from imports.models import ImportBatch

    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    return ImportBatch.objects.get(pk=pk)


def commit(client, batch):
    """POST the batch's commit; the response."""
    return client.post(reverse("imports:commit", args=[batch.pk]))


def template_book(client, kind: str) -> openpyxl.Workbook:
    """The kind's XLSX template as downloaded by `client`."""
    response = client.get(reverse("imports:template", args=[kind]))
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(response.content))


def template_headers(book: openpyxl.Workbook) -> list[str]:
    return [c.value for c in book["Danh sách"][1]]


def allowed_values(book: openpyxl.Workbook) -> dict[str, list[str]]:
    """The template's lists of allowed values, by the header of the column they are for."""
    lists = {}
    for column in book["Giá trị cho phép"].iter_cols(values_only=True):
        head, *labels = column
        lists[head] = [label for label in labels if label is not None]
    return lists


def outcome(batch) -> list[tuple]:
    """Each row's (number in the file, status, problems, note), as the preview shows them."""
    return [(r["number"], r["status"], r["problems"], r["note"]) for r in batch.results]
