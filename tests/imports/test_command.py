"""manage.py import_xlsx: the web's checks from the command line, for a migration."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.models import GroupChange, Person
from imports import reading
from tests import factories as f
from tests.imports.helpers import csv_bytes, xlsx
from tests.imports.test_reading import xlsm, zeros_part
from wards.models import AuditEvent

HEADERS = ["Họ và tên", "Giới tính", "Năm sinh", "Nhóm", "Ngày đồng ý cung cấp thông tin"]


def rows(n: int = 2) -> list[list]:
    return [
        [f"Nguyễn Văn Lệnh {i}", "Nam", 1980 + i, "Người sau cai nghiện", "05/03/2024"]
        for i in range(n)
    ]


def run(path, **options) -> str:
    """The command's standard output; CommandError propagates."""
    out = StringIO()
    options = {"kind": "people", "ward": "99001", "user": "doitruong_a", **options}
    call_command("import_xlsx", str(path), stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def refused(path, **options) -> tuple[str, str]:
    """The CommandError's message and what was printed before it."""
    out = StringIO()
    options = {"kind": "people", "ward": "99001", "user": "doitruong_a", **options}
    with pytest.raises(CommandError) as raised:
        call_command("import_xlsx", str(path), stdout=out, stderr=StringIO(), **options)
    return str(raised.value), out.getvalue()


@pytest.fixture
def good_file(tmp_path):
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(xlsx([HEADERS, *rows(2)]))
    return path


def written() -> tuple[int, int]:
    return Person.objects.count(), AuditEvent.objects.filter(action="import").count()


def test_a_dry_run_checks_every_row_and_writes_nothing(world, good_file):
    events = AuditEvent.objects.count()
    output = run(good_file, dry_run=True)
    assert written() == (0, 0) and AuditEvent.objects.count() == events
    assert (
        "Tệp danh-sach.xlsx, «Người được hỗ trợ» của Phường A: 2 dòng; 2 dòng mới, 0 dòng đã "
        "có nên bỏ qua, 0 dòng có lỗi." in output
    )
    assert "Chạy thử (--dry-run): không ghi gì vào cơ sở dữ liệu, kể cả nhật ký." in output


def test_a_real_run_commits_every_row_and_writes_one_audit_event(world, good_file):
    output = run(good_file)
    assert "Đã nhập 2 dòng mới; đã ghi vào nhật ký." in output
    people = Person.objects.filter(ward=world.ward_a).order_by("full_name")
    assert [p.full_name for p in people] == ["Nguyễn Văn Lệnh 0", "Nguyễn Văn Lệnh 1"]
    assert all(p.created_by == world.leader for p in people)
    event = AuditEvent.objects.get(action="import")
    assert event.actor == world.leader and event.unit == world.ward_a
    assert event.object_type == "imports.people"
    assert event.changes == {
        "format": "xlsx",
        "rows": 2,
        "created": 2,
        "skipped": 0,
        "source": "command",
    }

    # Again: nobody is added twice.
    again = run(good_file, verbosity=2)
    assert Person.objects.count() == 2
    assert "0 dòng mới, 2 dòng đã có nên bỏ qua" in again
    assert "Dòng 2 (bỏ qua): Đã có trong danh sách: Nguyễn Văn Lệnh 0, sinh 1980." in again


def test_a_row_with_errors_fails_the_command_and_writes_nothing(world, tmp_path):
    path = tmp_path / "loi.xlsx"
    bad = ["Trần Thị Lỗi", "Nữ", 1990, "Nhóm lạ", "31/02/2024"]
    path.write_bytes(xlsx([HEADERS, *rows(3), bad]))
    message, output = refused(path)
    assert message == "Không nhập dòng nào: 1 dòng có lỗi (xem trên). Hãy sửa tệp rồi chạy lại."
    assert written() == (0, 0)
    problem_lines = [line for line in output.splitlines() if re.match(r"Dòng \d+:", line)]
    assert problem_lines == [
        "Dòng 5: «Nhóm»: Nhóm «Nhóm lạ» không có trong danh sách. Dùng một trong: "
        + "; ".join(str(label) for _code, label in Person.Group.choices)
        + ".; «Ngày đồng ý cung cấp thông tin»: Ngày «31/02/2024» không đúng. Ghi theo dạng "
        "ngày/tháng/năm, ví dụ 05/03/2024."
    ]
    assert "4 dòng; 3 dòng mới, 0 dòng đã có nên bỏ qua, 1 dòng có lỗi." in output


def test_a_dry_run_with_an_error_fails_too(world, tmp_path):
    path = tmp_path / "loi.csv"
    path.write_bytes(csv_bytes([HEADERS, ["=1+1", "Nam", 1980, "Khác", "05/03/2024"]]))
    message, output = refused(path, dry_run=True)
    assert message.startswith("Không nhập dòng nào: 1 dòng có lỗi")
    assert "Dòng 2: «Họ và tên» là công thức (=1+1): hãy thay bằng giá trị." in output
    assert written() == (0, 0)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"ward": "00000"}, "Không có xã, phường nào có mã «00000»."),
        (
            {"ward": "991"},
            "«Quận A» (mã 991) không phải là xã, phường: chỉ nhập được vào danh sách của một xã, "
            "phường.",
        ),
        ({"ward": None}, "Hãy cho biết mã xã, phường bằng --ward (ví dụ --ward 00190)."),
        ({"user": "khong_co"}, "Không có tài khoản «khong_co»."),
        (
            {"user": None},
            "Hãy cho biết tài khoản thực hiện việc nhập bằng --user TÊN_ĐĂNG_NHẬP.",
        ),
        (
            {"user": "doitruong_b"},
            "Tài khoản «doitruong_b» không có quyền nhập «Người được hỗ trợ» vào Phường A: cần "
            "là quản trị hệ thống, hoặc đội trưởng, cán bộ của xã, phường đó.",
        ),
        (
            {"user": "tnv_a"},
            "Tài khoản «tnv_a» không có quyền nhập «Người được hỗ trợ» vào Phường A: cần là "
            "quản trị hệ thống, hoặc đội trưởng, cán bộ của xã, phường đó.",
        ),
    ],
)
def test_a_wrong_ward_or_user_is_refused_with_a_clear_message(world, good_file, options, message):
    assert refused(good_file, **options)[0] == message
    assert written() == (0, 0)


def test_an_unknown_or_missing_kind_is_refused(world, good_file):
    message = refused(good_file, kind="nguoi")[0]
    assert message.startswith("Không có loại danh sách «nguoi». Dùng một trong: people (")
    assert refused(good_file, kind=None)[0].startswith(
        "Hãy cho biết loại danh sách bằng --kind, một trong: people ("
    )


def test_an_inactive_user_is_refused(world, good_file):
    world.leader.is_active = False
    world.leader.save(update_fields=["is_active"])
    assert refused(good_file)[0] == (
        "Tài khoản «doitruong_a» đã bị khóa; hãy chọn một tài khoản đang hoạt động."
    )


@pytest.mark.parametrize("username", ["quantri", "canbo_a"])
def test_an_administrator_or_the_wards_officer_may_import(world, good_file, username):
    run(good_file, user=username)
    assert Person.objects.filter(ward=world.ward_a).count() == 2
    assert AuditEvent.objects.get(action="import").actor.username == username


def test_a_superuser_without_any_grant_may_import(world, good_file):
    f.user("chuyen_doi", is_superuser=True)
    run(good_file, user="chuyen_doi")
    assert Person.objects.count() == 2


def test_the_files_refusals_are_the_webs(world, tmp_path):
    macro = tmp_path / "so.xlsm"
    macro.write_bytes(xlsm())
    assert refused(macro)[0].startswith("Tệp có macro (VBA). Đồng Hành không nhận tệp có macro.")
    renamed = tmp_path / "so.xlsx"
    renamed.write_bytes(xlsm())
    assert refused(renamed)[0].startswith("Tệp có macro (VBA).")
    bomb = tmp_path / "bom.xlsx"
    bomb.write_bytes(zeros_part(200))
    assert refused(bomb)[0].startswith("Tệp Excel khi giải nén quá lớn so với kích thước tệp")
    big = tmp_path / "lon.csv"
    big.write_bytes(b"," * (reading.MAX_BYTES + 1))
    assert refused(big)[0] == "Tệp lớn hơn 5 MB (5,0 MB). Hãy chia thành nhiều tệp nhỏ hơn."
    assert refused(tmp_path / "khong-co.xlsx")[0].startswith("Không mở được tệp «")
    assert written() == (0, 0)


def test_more_than_20000_rows_are_refused(world, tmp_path):
    path = tmp_path / "dai.csv"
    path.write_bytes(csv_bytes([HEADERS, *(rows(1) * 20_001)]))
    assert refused(path)[0] == (
        "Tệp có 20.001 dòng; mỗi lần chỉ nhập được tối đa 20.000 dòng. Hãy chia tệp ra."
    )
    assert written() == (0, 0)


def test_a_csv_in_windows_1258_is_imported(world, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes(csv_bytes([HEADERS, *rows(2)], encoding="cp1258", delimiter=";"))
    run(path)
    assert Person.objects.filter(full_name="Nguyễn Văn Lệnh 1").exists()


def test_missing_required_columns_are_listed_and_map_supplies_them(world, tmp_path):
    path = tmp_path / "cot-la.xlsx"
    headers = ["Cột A", "Giới tính", "Năm sinh", "Phân vùng X", "Ngày đồng ý"]
    path.write_bytes(xlsx([headers, *rows(2)]))
    message, _output = refused(path)
    assert message == (
        "Không tìm thấy cột bắt buộc: «Họ và tên» (full_name), «Nhóm» (group). Hãy thêm cột "
        'vào tệp, hoặc chỉ ra cột nào chứa thông tin đó bằng --map "Tiêu đề trong tệp=mã cột".'
    )
    output = run(path, map=["Cột A=full_name", "phan vung x=Nhóm"])
    assert "«Cột A» → «Họ và tên» (full_name)" in output
    assert "«Phân vùng X» → «Nhóm» (group)" in output
    assert Person.objects.filter(full_name="Nguyễn Văn Lệnh 0", group="post_rehab").exists()


def test_map_finds_the_header_row_when_no_header_is_known(world, tmp_path):
    path = tmp_path / "khong-tieu-de.xlsx"
    headers = ["Cột A", "Cột B", "Cột C", "Cột D", "Cột E"]
    path.write_bytes(xlsx([headers, *rows(1)], title_rows=[["BẢNG KÊ"]]))
    maps = ["Cột A=full_name", "Cột B=sex", "Cột C=birth_year", "Cột D=group", "Cột E=consent_on"]
    output = run(path, map=maps)
    assert "Dòng tiêu đề: dòng 2." in output
    assert Person.objects.get().birth_year == 1980


def test_map_can_leave_a_column_out(world, tmp_path):
    path = tmp_path / "ghi-chu.xlsx"
    path.write_bytes(xlsx([[*HEADERS, "Ghi chú"], [*rows(1)[0], "x" * 6000]]))
    message, output = refused(path)
    assert "«Quá trình, tiền sử»: Dài quá 5000 ký tự (đang có 6000)." in output
    output = run(path, map=["Ghi chú="])
    assert "«Ghi chú» → không nhập" in output
    assert Person.objects.get().history_notes == ""


def test_guessed_columns_are_shown_and_need_confirmation(world, tmp_path):
    path = tmp_path / "doan.xlsx"
    path.write_bytes(xlsx([["Ho va tenn", *HEADERS[1:]], *rows(1)]))
    message, output = refused(path)
    assert message.startswith("Có cột chỉ được ghép theo tên gần giống (xem trên).")
    assert (
        "«Ho va tenn» → «Họ và tên» (full_name) (đoán theo tên gần giống, cần xác nhận)" in output
    )
    assert written() == (0, 0)
    run(path, accept_guesses=True)
    assert Person.objects.count() == 1
    GroupChange.objects.all().delete()  # the history is protected, as every record of a person
    Person.objects.all().delete()
    run(path, map=["Ho va tenn=full_name"])
    assert Person.objects.count() == 1


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("Họ và tên", '--map «Họ và tên» không đúng dạng "Tiêu đề trong tệp=mã cột".'),
        ("=full_name", '--map «=full_name» không đúng dạng "Tiêu đề trong tệp=mã cột".'),
        ("Họ và tên=ten_day_du", "--map «Họ và tên=ten_day_du»: không có cột «ten_day_du»."),
        ("Không có=full_name", "Dòng tiêu đề (dòng 1) không có cột «Không có»."),
    ],
)
def test_a_wrong_map_is_refused(world, good_file, mapping, message):
    assert refused(good_file, map=[mapping])[0].startswith(message)


def test_purge_imports_deletes_uploads_older_than_a_day_only(world):
    import datetime
    import io as _io

    from django.utils import timezone

    from imports.models import ImportBatch

    old = ImportBatch.objects.create(kind="people", ward=world.ward_a, created_by=world.leader,
                                     file_name="cu.xlsx", rows=[["Họ và tên"], ["A"]])  # fmt: skip
    new = ImportBatch.objects.create(kind="people", ward=world.ward_a, created_by=world.leader,
                                     file_name="moi.xlsx", rows=[["Họ và tên"], ["B"]])  # fmt: skip
    ImportBatch.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1, minutes=1)
    )
    out = _io.StringIO()
    call_command("purge_imports", stdout=out)
    assert "Đã xóa 1 tệp" in out.getvalue()
    assert list(ImportBatch.objects.values_list("pk", flat=True)) == [new.pk]
