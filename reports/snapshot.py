"""The snapshot a submission freezes, the checks before a unit's report is submitted, who
reviews it, and the reports returned for correction.

Reads only: the writes are `reports.services` (submit, approve, return).
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.models import Review, Submission, SubmissionQuerySet
from reports.periods import Period
from reports.report import Report, as_json
from wards.access import CAPABILITIES, Role, access_for
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


def already_submitted(submission: Submission | None) -> ValidationError:
    """Another submission of the same report was stored while this one was being written (two
    taps, two devices): the user looks at it before correcting it again. None: the form spoke
    of a version that does not exist (an old or altered page)."""
    if submission is None:
        return ValidationError(
            _("Trang này đã cũ: hãy tải lại trang báo cáo trước khi nộp."), code="submitted"
        )
    when = timezone.localtime(submission.submitted_at).date()
    return ValidationError(
        _(
            "Báo cáo kỳ này vừa được nộp (lần %(version)s, ngày %(date)s) trong lúc bạn mở "
            "trang. Hãy xem báo cáo đã nộp trước khi nộp lại."
        )
        % {"version": submission.version, "date": _d(when)},
        code="submitted",
    )


def figures_changed() -> ValidationError:
    return ValidationError(
        _(
            "Số liệu đã thay đổi từ lúc bạn mở trang (có người vừa ghi thêm hoặc sửa hồ sơ). "
            "Hãy xem lại số liệu mới bên dưới rồi nộp lại."
        ),
        code="changed",
    )


def approved_refusal() -> ValidationError:
    return ValidationError(
        _(
            "Báo cáo kỳ này đã được duyệt; không nộp lại được. Số liệu sửa sau khi duyệt được "
            'ghi nhận là "sau khi duyệt".'
        ),
        code="approved",
    )


# Checks, reviews and who files -------------------------------------------------------------

EXPLAIN = "giai-trinh-%s"  # the submit form's field (and the service's error key) per finding
EXPLANATION_MAX = 300


def findings(unit: AdminUnit, period: Period, figures: dict) -> list:
    """The checks (reports.checks.run) on a snapshot's figures: what looks unusual, each to be
    corrected or explained in one line before the report is submitted."""
    from reports import checks

    previous = figures.get("previous", {}).get("indicators")
    return list(checks.run(unit, period, values=figures.get("indicators"), previous=previous))


def one_line(text: str) -> str:
    return " ".join((text or "").split())


def review_of(submission: Submission) -> Review | None:
    try:
        return submission.review
    except Review.DoesNotExist:
        return None


RANK = {AdminUnit.Level.PROVINCE: 0, AdminUnit.Level.DISTRICT: 1, AdminUnit.Level.COMMUNE: 2}


def may_review(user, unit: AdminUnit) -> bool:
    """Whether `user` reviews `unit`'s reports: `report_review` at a post above the unit (a
    district's or province's supervisor for a ward), never at the unit's own level."""
    for grant in access_for(user).grants:
        if (
            grant.role in CAPABILITIES["report_review"]
            and grant.unit is not None
            and unit.pk in grant.unit_ids
            and RANK[unit.level] > RANK[grant.unit.level]
        ):
            return True
    return False


def submitter_office(user, unit: AdminUnit) -> AdminUnit | None:
    """The submitter's own current office, which issues the document: a leader's ward (the
    ward of their team), an officer's post; the first grant submitting for `unit`, leaders
    first (a merged ward's leader files the report of a ward it replaced)."""
    grants = [
        g
        for g in access_for(user).grants
        if g.role in CAPABILITIES["report_submit"] and g.unit is not None and unit.pk in g.unit_ids
    ]
    order = [Role.LEADER, Role.OFFICER]
    grants.sort(key=lambda g: order.index(g.role) if g.role in order else len(order))
    return grants[0].unit if grants else None


def returned_reports(user) -> SubmissionQuerySet:
    """The latest versions returned for correction, of the units the user submits for
    (`report_submit`), the most recently returned first: one query whatever their number."""
    return (
        Submission.objects.filter(
            unit_id__in=access_for(user).unit_ids("report_submit"),
            review__decision=Review.Decision.RETURNED,
        )
        .latest_versions()
        .select_related("unit", "review")
        .order_by("-review__reviewed_at", "pk")
    )
