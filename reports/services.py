"""Writes for reports: submitting a unit's period report. Atomic, validated and audited.

The snapshot is `reports.report.as_json()` of the report computed inside the transaction that
stores it, in Vietnamese whatever the interface language (it is what the office files).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.models import Submission
from reports.periods import Period
from reports.report import build
from reports.snapshot import already_submitted, check_submittable, fingerprint, freeze
from wards.access import access_for
from wards.atomic import service
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@service
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
        # Two submits at once: the other one won (reports_submission_one_per_version).
        raise already_submitted(Submission.objects.for_period(period).get(unit=unit)) from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=submission,
        unit=unit,
        changes={"period": period.spec, "cutoff": period.cutoff},
    )
    return submission
