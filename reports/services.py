"""Writes for reports: submitting a unit's period report. Atomic, validated and audited.

The snapshot is `reports.report.as_json()` of the report computed inside the transaction that
stores it, in Vietnamese whatever the interface language (it is what the office files).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.models import Submission
from reports.periods import Period
from reports.report import Report, as_json, build
from wards.access import access_for
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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


@transaction.atomic
def submission_submit(
    *,
    actor: User,
    unit: AdminUnit,
    period: Period,
    narrative: str,
    seen: str = "",
) -> Submission:
    """Freeze `unit`'s report for `period` with its narrative.

    Refused: without `report_submit` over the unit (PermissionDenied); for a period that has
    not ended or a unit that did not exist during it; a second time for the same unit, period
    and cut-off; and, when `seen` (the fingerprint of the figures the user confirmed) is given,
    when the figures have changed since.
    """
    if not access_for(actor).can("report_submit", unit.pk):
        raise PermissionDenied
    check_submittable(unit, period)
    existing = Submission.objects.for_period(period).filter(unit=unit).first()
    if existing is not None:
        raise already_submitted(existing)
    figures = freeze(build(unit, period))
    if seen and seen != fingerprint(figures):
        raise ValidationError(
            _(
                "Số liệu đã thay đổi từ lúc bạn mở trang (có người vừa ghi thêm hoặc sửa hồ sơ). "
                "Hãy xem lại số liệu mới bên dưới rồi nộp lại."
            ),
            code="changed",
        )
    submission = Submission(
        unit=unit,
        period_spec=period.spec,
        cutoff=period.cutoff,
        start=period.start,
        end=period.end,
        period_label=period.label_vi,
        figures=figures,
        narrative=narrative.strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    submission.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        # Two submits at once: the other one won (reports_submission_one_per_period).
        raise already_submitted(Submission.objects.for_period(period).get(unit=unit)) from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=submission,
        unit=unit,
        changes={"period": period.spec, "cutoff": period.cutoff},
    )
    return submission
