"""The ward's contact log (sổ tiếp xúc) as a list export (wards.exports writes it).

Every contact recorded in the ward and in the wards merged into it, between two days, oldest
first: one row per contact, read with `values_list` and `iterator()` so that no model instance
is built and no more than one chunk of rows is held, whatever the length of the log. The
person is shown as the register shows them (name, year of birth) with the number of their file,
the number in the address of their page; the group is the one they were in on that day. The
counselling topics come in the same query, joined by the database (cases.topics).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Contact, Person
from cases.topics import labeller, topic_codes
from wards.exports import Column, ListExporter
from wards.models import AdminUnit

CHUNK_SIZE = 2000
FIELDS = (
    "occurred_on",
    "person__full_name",
    "person__birth_year",
    "person_id",
    "person_group",
    "kind",
    "member__full_name",
    "drug_test_result",
    "summary",
    "topic_codes",
    "next_due_on",
    "ward__name",
)


class ContactLogExporter(ListExporter):
    """The contacts of `contacts` (already narrowed to what the user may see) in the ward's
    scope between `start` and `end`, both included."""

    title = gettext_lazy("SỔ TIẾP XÚC")
    sheet_name = gettext_lazy("Sổ tiếp xúc")

    def __init__(
        self,
        *,
        contacts: QuerySet[Contact],
        ward: AdminUnit,
        unit_ids: frozenset[int],
        start: datetime.date,
        end: datetime.date,
        today: datetime.date,
    ) -> None:
        self.ward = ward
        self.start, self.end, self.today = start, end, today
        self.contacts = contacts.filter(ward__in=unit_ids, occurred_on__range=(start, end))
        # Words are looked up now, in the request's language: the rows are generated later,
        # while the response streams.
        self.title = str(self.title)
        self.sheet_name = str(self.sheet_name)
        self._preamble = [
            ward.name,
            _("Các lượt tiếp cận, giúp đỡ từ ngày %(start)s đến ngày %(end)s")
            % {"start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"},
        ]
        if len(unit_ids) > 1:
            self._preamble.append(
                _("Gồm cả các xã, phường đã sáp nhập vào %(ward)s.") % {"ward": ward.name}
            )
        self._preamble.append(_("Ngày lập: %(date)s") % {"date": f"{today:%d/%m/%Y}"})
        T, N, D = Column.TEXT, Column.NUMBER, Column.DATE
        self._columns = [
            Column(_("Ngày tiếp cận"), D, 11),
            Column(_("Họ và tên"), T, 26),
            Column(_("Năm sinh"), N, 8),
            Column(_("Mã hồ sơ"), N, 9),
            Column(_("Nhóm"), T, 22),
            Column(_("Hình thức"), T, 16),
            Column(_("Thành viên thực hiện"), T, 22),
            Column(_("Kết quả xét nghiệm"), T, 14),
            Column(_("Nội dung"), T, 50),
            Column(_("Nội dung tư vấn"), T, 24),
            Column(_("Hẹn lần tới"), D, 11),
            Column(_("Xã, phường"), T, 20),
        ]
        self._groups = {value: str(label) for value, label in Person.Group.choices}
        self._kinds = {value: str(label) for value, label in Contact.Kind.choices}
        self._results = {value: str(label) for value, label in Contact.DrugTestResult.choices}
        self._topics = labeller()

    def preamble(self) -> list[str]:
        return self._preamble

    def columns(self) -> list[Column]:
        return self._columns

    def count(self) -> int:
        return self.contacts.count()

    def rows(self) -> Iterator[list[Any]]:
        groups, kinds, results, topic_labels = (
            self._groups,
            self._kinds,
            self._results,
            self._topics,
        )
        rows = (
            self.contacts.annotate(topic_codes=topic_codes())
            .order_by("occurred_on", "pk")
            .values_list(*FIELDS)
        )
        for (
            occurred_on,
            full_name,
            birth_year,
            person_id,
            group,
            kind,
            member,
            result,
            summary,
            topics,
            next_due_on,
            ward,
        ) in rows.iterator(chunk_size=CHUNK_SIZE):
            yield [
                occurred_on,
                full_name,
                birth_year,
                person_id,
                groups.get(group, group),
                kinds.get(kind, kind),
                member,
                results.get(result, result),
                summary,
                ", ".join(topic_labels(topics)),
                next_due_on,
                ward,
            ]

    def filename(self, fmt: str) -> str:
        """No personal data: `so-tiep-xuc-<ward code>-<yyyymmdd>-<yyyymmdd>.<fmt>`."""
        return f"so-tiep-xuc-{self.ward.code}-{self.start:%Y%m%d}-{self.end:%Y%m%d}.{fmt}"
