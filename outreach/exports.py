"""The outreach app's person-level list exports (the loan-eligibility list).

Each list is a small exporter class (pretix's `ListExporter`): its title, the lines under the
title, its columns and a generator of rows. The writers that turn an exporter into a file, and
`neutralise()` that keeps every text cell from being run as a formula, are `wards.exports`,
shared with the cases and reports apps; their names are imported here for this app's callers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.eligibility import Row, rule_text
from wards.exports import (  # noqa: F401 - re-exported for the reports app and the tests
    XLSX_CONTENT_TYPE,
    Column,
    ListExporter,
    neutralise,
    write_xlsx,
)
from wards.models import AdminUnit

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
