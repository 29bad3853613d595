"""The download form of the ward's contact log (sổ tiếp xúc), on the ward dashboard.

Read from GET: two days and a format, none of them personal data. A day left empty takes the
current year's (the first day of the end's year, the last day of this year), so the form
sent as it comes downloads this year's log.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from wards.forms import DateInput

MAX_YEARS = 15
FIRST_YEAR, LAST_YEAR = 2000, 2100


class ContactLogForm(forms.Form):
    XLSX, CSV = "xlsx", "csv"
    FORMAT_ERROR = _("Hãy chọn định dạng của tệp: Excel (XLSX) hoặc CSV.")

    tu_ngay = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    den_ngay = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    dinh_dang = forms.ChoiceField(
        label=_("Định dạng"),
        required=False,
        choices=[(XLSX, "Excel (XLSX)"), (CSV, "CSV")],
        error_messages={"invalid_choice": FORMAT_ERROR},
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        kwargs.setdefault(
            "initial",
            {"tu_ngay": datetime.date(today.year, 1, 1), "den_ngay": _year_end(today.year)},
        )
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = cleaned.get("den_ngay") or _year_end(self.today.year)
        start = cleaned.get("tu_ngay") or datetime.date(end.year, 1, 1)
        for name, day in (("tu_ngay", start), ("den_ngay", end)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, _("Chọn một ngày từ năm 2000 đến năm 2100."))
        if self.errors:
            return cleaned
        if end < start:
            self.add_error("den_ngay", _("Ngày kết thúc không được trước ngày bắt đầu."))
        elif _years_later(start, MAX_YEARS) <= end:
            self.add_error(
                "den_ngay",
                _(
                    "Chọn khoảng thời gian không quá %(years)s năm: tải từng phần nếu cần "
                    "sổ của nhiều năm hơn."
                )
                % {"years": MAX_YEARS},
            )
        cleaned["tu_ngay"], cleaned["den_ngay"] = start, end
        cleaned["dinh_dang"] = cleaned.get("dinh_dang") or self.XLSX
        return cleaned


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


def _years_later(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (29 February becomes 1 March)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return datetime.date(day.year + years, 3, 1)
