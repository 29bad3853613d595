"""The snapshot a submission freezes, and the checks before a unit's report is submitted.

Reads only: the write itself is `reports.services.submission_submit`.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.models import Submission
from reports.periods import Period
from reports.report import Report, as_json
from wards.models import AdminUnit


def freeze(report: Report) -> dict:
    """The snapshot of a report as a submission stores it."""
    with translation.override("vi"):
        return as_json(report)


def fingerprint(figures: dict) -> str:
    """A short digest of a snapshot: the submit form carries the one the user looked at."""
    text = json.dumps(figures, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _d(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def check_submittable(unit: AdminUnit, period: Period, today: datetime.date | None = None) -> None:
    """A report is submitted once its period has ended, for a unit that existed during it
    (the units that follow it on the status page: reports.rollup.layout)."""
    today = today or timezone.localdate()
    if period.end >= today:
        raise ValidationError(
            _(
                "Kỳ báo cáo chưa kết thúc: %(period)s kết thúc ngày %(end)s, "
                "báo cáo nộp được từ ngày %(first)s."
            )
            % {
                "period": period.label,
                "end": _d(period.end),
                "first": _d(period.end + datetime.timedelta(days=1)),
            },
            code="running",
        )
    if unit.valid_from is not None and unit.valid_from > period.end:
        raise ValidationError(
            _(
                "%(unit)s được thành lập từ ngày %(date)s, sau kỳ báo cáo này; báo cáo kỳ này "
                "do các đơn vị trước đó nộp."
            )
            % {"unit": unit.name, "date": _d(unit.valid_from)},
            code="not_yet_formed",
        )
    if unit.valid_until is not None and unit.valid_until < period.start:
        raise ValidationError(
            _("%(unit)s chỉ tồn tại đến ngày %(date)s, trước kỳ báo cáo này.")
            % {"unit": unit.name, "date": _d(unit.valid_until)},
            code="dissolved",
        )


def already_submitted(submission: Submission) -> ValidationError:
    when = timezone.localtime(submission.submitted_at).date()
    return ValidationError(
        _("Báo cáo kỳ này đã được nộp ngày %(date)s; mỗi kỳ chỉ nộp một lần.") % {"date": _d(when)},
        code="submitted",
    )
