"""Person-level list exports: a small class per list, one writer per format.

An exporter (pretix's `ListExporter`) says what a list is: its title, the lines under the
title, its columns and a generator of rows. A writer turns any exporter into a file; only the
writer knows the format. Every text cell goes through `neutralise()` so a value that a
spreadsheet would run as a formula (a name typed as "=HYPERLINK(...)") is shown as text.

The reports app reuses the writer for its own exports (imports point that way).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.eligibility import Row, rule_text
from wards.models import AdminUnit

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


def write_xlsx(exporter: ListExporter) -> bytes:
    """The exporter's list as an XLSX workbook: a title block, a bold header, one row per row.

    Built entirely in memory (`in_memory`): these lists hold personal data, and XlsxWriter's
    `constant_memory` mode would spill them into temporary files on disk. Strings are always
    written as
    strings (never turned into formulas, links or numbers) and neutralised; dates are real
    Excel dates shown as dd/mm/yyyy.
    """
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "dd/mm/yyyy",
        },
    )
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
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            _write_cell(sheet, row, index, value, formats, column.kind)
    sheet.freeze_panes(header_row + 1, 0)
    sheet.autofilter(header_row, 0, max(row, header_row), len(columns) - 1)
    workbook.close()
    return output.getvalue()


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


# Loan eligibility -----------------------------------------------------------------------------


class LoanEligibleExporter(ListExporter):
    """The ward's post-rehab persons eligible for a loan (QĐ 08/2026/QĐ-TTg), with the facts."""

    title = gettext_lazy("DANH SÁCH NGƯỜI SAU CAI NGHIỆN ĐỦ ĐIỀU KIỆN VAY VỐN")
    sheet_name = gettext_lazy("Đủ điều kiện vay vốn")

    def __init__(self, *, ward: AdminUnit, rows: Sequence[Row], today: datetime.date) -> None:
        self.ward = ward
        self.eligible = rows
        self.today = today

    def preamble(self) -> list[str]:
        return [
            _("theo Quyết định 08/2026/QĐ-TTg"),
            self.ward.name,
            rule_text(),
            _("Ngày lập: %(date)s") % {"date": self.today.strftime("%d/%m/%Y")},
        ]

    def columns(self) -> list[Column]:
        T, N, M, D = Column.TEXT, Column.NUMBER, Column.MONEY, Column.DATE
        return [
            Column(_("STT"), N, 5),
            Column(_("Họ và tên"), T, 26),
            Column(_("Ngày sinh"), D, 11),
            Column(_("Năm sinh"), N, 8),
            Column(_("Tuổi"), N, 6),
            Column(_("Giới tính"), T, 8),
            Column(_("Số định danh, CCCD"), T, 15),
            Column(_("Nơi ở"), T, 30),
            Column(_("Địa bàn dân cư"), T, 16),
            Column(_("Số quyết định quản lý sau cai nghiện"), T, 18),
            Column(_("Ngày quyết định"), D, 12),
            Column(_("Số năm kể từ quyết định"), N, 10),
            Column(_("Quản lý sau cai nghiện"), T, 14),
            Column(_("Ngày kết thúc quản lý"), D, 12),
            Column(_("Nhóm hiện nay"), T, 20),
            Column(_("Người giúp đỡ"), T, 22),
            Column(_("Giới thiệu vay vốn"), T, 16),
            Column(_("Ngày giới thiệu vay"), D, 12),
            Column(_("Số tiền đề nghị vay (đồng)"), M, 14),
            Column(_("Ghi chú"), T, 30),
        ]

    def rows(self) -> Iterable[list[Any]]:
        ongoing, ended = _("Đang quản lý"), _("Đã kết thúc")
        for number, r in enumerate(self.eligible, start=1):
            yield [
                number,
                r.full_name,
                r.birth_date,
                r.birth_year,
                r.age,
                r.sex,
                r.id_number,
                r.address,
                r.area,
                r.decision_no,
                r.decided_on,
                r.years_since_decision,
                ongoing if r.post_rehab_ongoing else ended,
                r.post_rehab_ended_on,
                r.group,
                r.helper,
                r.loan_status,
                r.loan_referred_on,
                r.loan_amount,
                "; ".join(r.notes),
            ]

    def filename(self) -> str:
        """No personal data: the ward's code and the day, `vay-von-<code>-<yyyymmdd>.xlsx`."""
        return f"vay-von-{self.ward.code}-{self.today:%Y%m%d}.xlsx"
