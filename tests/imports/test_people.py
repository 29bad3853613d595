"""Importing the register of people: the template, matching, the preview, the commit."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from cases.models import Person
from imports import pipeline
from tests import factories as f
from tests.imports.helpers import batch_of, csv_bytes, upload, xlsx
from wards.models import AuditEvent

HEADERS = ["Họ và tên", "Giới tính", "Năm sinh", "Nhóm", "Ngày đồng ý cung cấp thông tin"]


def good_rows(n: int = 3) -> list[list]:
    return [
        [f"Nguyễn Văn Thử {i}", "Nam", 1980 + i, "Người sau cai nghiện", "05/03/2024"]
        for i in range(n)
    ]


def test_the_template_has_the_headers_an_example_and_the_allowed_values(world, personas):
    response = personas["leader"].get(reverse("imports:template", args=["people"]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data = book["Danh sách"]
    headers = [c.value for c in data[1]]
    assert headers[0] == "Họ và tên *" and "Nhóm *" in headers and "Xã, phường" in headers
    assert data.cell(2, 1).value == "Nguyễn Văn Mẫu"
    allowed = [c.value for c in book["Giá trị cho phép"]["B"]][1:]
    assert "Người sau cai nghiện" in allowed


def test_a_good_file_is_previewed_then_committed_all_at_once_and_audited(world, personas):
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    assert [r["status"] for r in batch.results] == ["new", "new", "new"]
    assert Person.objects.count() == 0  # the preview saves nothing
    page = client.get(reverse("imports:preview", args=[batch.pk]))
    assert "Nguyễn Văn Thử 2" in page.content.decode()

    done = client.post(reverse("imports:commit", args=[batch.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("cases:register")
    assert Person.objects.filter(ward=world.ward_a).count() == 3
    event = AuditEvent.objects.get(action="import")
    assert event.changes["rows"] == 3 and event.changes["created"] == 3
    assert event.changes["format"] == "xlsx" and event.actor == world.leader
    assert "danh-sach" not in str(event.changes)  # a file may be named after a person

    # The same file again adds nobody.
    again = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(3)])))
    assert [r["status"] for r in again.results] == ["skip"] * 3
    client.post(reverse("imports:commit", args=[again.pk]))
    assert Person.objects.count() == 3


def test_an_error_on_the_last_row_leaves_the_database_unchanged(world, personas):
    client = personas["leader"]
    rows = [*good_rows(5), ["Trần Thị Lỗi", "Nữ", 1990, "Nhóm lạ", "05/03/2024"]]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *rows])))
    assert [r["status"] for r in batch.results][-1] == pipeline.ERROR
    assert "Nhóm «Nhóm lạ» không có trong danh sách" in batch.results[-1]["problems"][0]
    before = (Person.objects.count(), AuditEvent.objects.count())
    response = client.post(reverse("imports:commit", args=[batch.pk]))
    assert response.status_code == 302
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_headers_without_diacritics_and_a_title_row_are_matched(world, personas):
    headers = ["HO VA TEN", "gioi tinh", "Nam sinh", "nhom", "ngay dong y"]
    content = csv_bytes([["DANH SÁCH NGƯỜI SAU CAI"], headers, *good_rows(2)], encoding="utf-8-sig")
    batch = batch_of(upload(personas["leader"], "people", content, name="ds.csv"))
    assert [r["status"] for r in batch.results] == ["new", "new"]
    assert batch.results[0]["number"] == 3


@pytest.mark.parametrize("encoding", ["cp1258", "utf-8-sig", "utf-8"])
def test_a_csv_in_windows_1258_or_utf_8_reads_the_same(world, personas, encoding):
    content = csv_bytes([HEADERS, *good_rows(2)], encoding=encoding)
    batch = batch_of(upload(personas["leader"], "people", content, name="ds.csv"))
    assert [r["status"] for r in batch.results] == ["new", "new"]
    personas["leader"].post(reverse("imports:commit", args=[batch.pk]))
    assert Person.objects.filter(full_name="Nguyễn Văn Thử 1").exists()


def test_a_row_for_another_ward_is_refused(world, personas):
    rows = [[*row, "Phường B"] for row in good_rows(1)] + [[*good_rows(2)[1], "Phường A"]]
    batch = batch_of(upload(personas["leader"], "people", xlsx([[*HEADERS, "Xã, phường"], *rows])))
    assert batch.results[0]["status"] == "error"
    assert "Phường B" in batch.results[0]["problems"][0]
    assert batch.results[1]["status"] == "new"


def test_duplicates_within_the_file_and_against_the_register(world, personas):
    f.person(ward=world.ward_a, full_name="Lê Văn Có", birth_year=1970)
    rows = [
        ["Le Van Co", "Nam", 1970, "Khác", "01/01/2024"],  # on the register already
        ["Phạm Văn Hai", "Nam", 1985, "Khác", "01/01/2024"],
        ["Pham Van Hai", "Nam", 1985, "Khác", "01/01/2024"],  # row 3 again
    ]
    batch = batch_of(upload(personas["leader"], "people", xlsx([HEADERS, *rows])))
    first, second, third = batch.results
    assert first["status"] == "skip" and "Lê Văn Có" in first["note"]
    assert second["status"] == "new"
    assert third["status"] == "error" and "Trùng với dòng 3" in third["problems"][0]


def test_someone_elses_batch_is_404(world, personas):
    batch = batch_of(upload(personas["leader"], "people", xlsx([HEADERS, *good_rows(1)])))
    for persona in ("officer", "outsider", "volunteer", "supervisor"):
        assert personas[persona].get(reverse("imports:preview", args=[batch.pk])).status_code == 404
        assert personas[persona].post(reverse("imports:commit", args=[batch.pk])).status_code == 404


def test_a_guessed_column_must_be_confirmed_before_the_commit(world, personas):
    client = personas["leader"]
    headers = ["Họ tên đầy đủ", *HEADERS[1:]]  # "ho ten day du" is only close to "Họ và tên"
    batch = batch_of(upload(client, "people", xlsx([headers, *good_rows(2)])))
    assert batch.mapping["unsure"] == ["full_name"]
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "«Họ tên đầy đủ» → «Họ và tên»" in page
    assert reverse("imports:commit", args=[batch.pk]) not in page  # no «Nhập» yet

    refused = client.post(reverse("imports:commit", args=[batch.pk]))
    assert refused.status_code == 302 and Person.objects.count() == 0

    mapping = {
        f"col-{i}": key
        for i, key in enumerate(["full_name", "sex", "birth_year", "group", "consent_on"])
    }
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping)
    batch.refresh_from_db()
    assert batch.mapping["unsure"] == [] and [r["status"] for r in batch.results] == ["new"] * 2
    client.post(reverse("imports:commit", args=[batch.pk]))
    assert Person.objects.count() == 2


def test_a_required_column_missing_is_mapped_by_hand(world, personas):
    client = personas["leader"]
    headers = ["Họ và tên", "Giới tính", "Năm sinh", "Cột D", "Ngày đồng ý"]
    batch = batch_of(upload(client, "people", xlsx([headers, *good_rows(1)])))
    assert batch.results == []  # nothing checked while «Nhóm» has no column
    page = client.get(reverse("imports:preview", args=[batch.pk])).content.decode()
    assert "Tệp thiếu cột bắt buộc" in page and "«Nhóm»" in page

    # The same field chosen twice is refused with a message, nothing changed.
    twice = {"col-0": "full_name", "col-1": "sex", "col-2": "birth_year", "col-3": "sex",
             "col-4": "consent_on"}  # fmt: skip
    response = client.post(reverse("imports:mapping", args=[batch.pk]), twice)
    assert response.status_code == 200
    assert "cùng được gán cho một thông tin" in response.content.decode()

    mapping = {**twice, "col-3": "group"}
    client.post(reverse("imports:mapping", args=[batch.pk]), mapping)
    batch.refresh_from_db()
    assert [r["status"] for r in batch.results] == ["new"]


def test_a_second_tap_on_nhap_says_what_the_first_did_and_adds_nothing(world, personas):
    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(2)])))
    client.post(reverse("imports:commit", args=[batch.pk]))
    again = client.post(reverse("imports:commit", args=[batch.pk]), follow=True)
    assert "Đã nhập 2 dòng vào «Người được hỗ trợ»." in again.content.decode()
    assert Person.objects.count() == 2
    assert AuditEvent.objects.filter(action="import").count() == 1
    batch.refresh_from_db()
    assert batch.rows == [] and batch.results == []  # the cells are not kept after the commit


def test_cancel_deletes_the_upload_and_stale_uploads_are_purged(world, personas):
    import datetime

    from imports.models import ImportBatch

    client = personas["leader"]
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(1)])))
    client.post(reverse("imports:cancel", args=[batch.pk]))
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()

    old = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(1)])))
    ImportBatch.objects.filter(pk=old.pk).update(
        created_at=old.created_at - datetime.timedelta(days=2)
    )
    client.get(reverse("imports:start"))
    assert not ImportBatch.objects.filter(pk=old.pk).exists()
    assert Person.objects.count() == 0


def test_the_example_row_of_the_template_is_never_imported(world, personas):
    client = personas["leader"]
    template = client.get(reverse("imports:template", args=["people"])).content
    book = openpyxl.load_workbook(io.BytesIO(template))
    sheet = book["Danh sách"]
    headers = [c.value for c in sheet[1]]
    row = {h: None for h in headers}
    row.update({"Họ và tên *": "Trần Văn Thật", "Giới tính *": "Nam", "Năm sinh": "1975",
                "Nhóm *": "Khác", "Ngày đồng ý cung cấp thông tin *": "02/02/2024"})  # fmt: skip
    sheet.append([row[h] for h in headers])
    out = io.BytesIO()
    book.save(out)
    batch = batch_of(upload(client, "people", out.getvalue()))
    assert [r["status"] for r in batch.results] == ["skip", "new"]
    assert "ví dụ" in batch.results[0]["note"]


def test_a_vietnamese_file_is_read_the_same_when_the_leader_uses_english(world, personas):
    client = personas["leader"]
    client.cookies["django_language"] = "en"
    assert '<html lang="en">' in client.get(reverse("imports:start")).content.decode()
    batch = batch_of(upload(client, "people", xlsx([HEADERS, *good_rows(2)])))
    assert [r["status"] for r in batch.results] == ["new", "new"]
    # …and the English template's headers are understood too.
    template = client.get(reverse("imports:template", args=["people"])).content
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(template))["Danh sách"][1]]
    assert headers[0] == "Full name *"
