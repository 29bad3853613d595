"""Writes for reports: submitting a unit's period report (again, as a new version, after it was
returned or while it awaits review), and the review by the unit above: approved, or returned
with a reason. Atomic, validated and audited.

The snapshot is `reports.report.as_json()` of the report computed inside the transaction that
stores it, in Vietnamese whatever the interface language (it is what the office files).

The versions of one unit's report for a period are serialised by locking the latest version's
row (`SELECT … FOR UPDATE`: submissions are never updated, so only these writers wait on it);
the first version of a period has no row to lock, and two first submissions at once meet the
unique constraint on (unit, period, cut-off, version) instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports import snapshot
from reports.document import HEADINGS
from reports.models import Review, Submission
from reports.periods import Period
from reports.report import build
from reports.snapshot import (
    EXPLAIN,
    EXPLANATION_MAX,
    already_submitted,
    approved_refusal,
    check_submittable,
    figures_changed,
    fingerprint,
    freeze,
    may_review,
    one_line,
    submitter_office,
)
from wards.access import access_for
from wards.atomic import service
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The texts of a filed report, in its order: the narrative and the optional sections.
SECTIONS = tuple(HEADINGS)
REASON_MAX = 2_000


def _latest_locked(unit: AdminUnit, period: Period) -> tuple[Submission | None, Review | None]:
    """The latest version of the unit's report for the period, its row locked, and its review
    read after the lock was granted (a review committed meanwhile is seen)."""
    versions = Submission.objects.for_period(period).filter(unit=unit).order_by("-version")
    latest = versions.select_for_update().first()
    if latest is None:
        return None, None
    return latest, Review.objects.filter(submission=latest).first()


@service
def submission_submit(
    *,
    actor: User,
    unit: AdminUnit,
    period: Period,
    narrative: str,
    seen: str = "",
    explanations: dict[str, str] | None = None,
    evaluation: str = "",
    next_tasks: str = "",
    recommendations: str = "",
    proposals: str = "",
    recipients: str = "",
    number: str = "",
    after: int | None = None,
) -> Submission:
    """Freeze `unit`'s report for `period` with its document sections, as the next version.

    Refused: without `report_submit` over the unit (PermissionDenied); for a period that has
    not ended or a unit that did not exist during it; once the period's report was approved;
    when `after` (the version the user saw as the latest, 0 for none) is given and another
    version was submitted since; when `seen` (the fingerprint of the figures the user
    confirmed) is given and the figures have changed since; and when a finding of the checks
    (reports.checks) has no one-line explanation in `explanations` (code → text), the error
    keyed by the submit form's field `EXPLAIN % code`.

    A new version is accepted after the latest was returned, and also while it awaits review
    (the unit corrects what it sent before the unit above looks at it).
    """
    if not access_for(actor).can("report_submit", unit.pk):
        raise PermissionDenied
    check_submittable(unit, period)
    latest, review = _latest_locked(unit, period)
    if review is not None and review.decision == Review.Decision.APPROVED:
        raise approved_refusal()
    if after is not None and after != (latest.version if latest else 0):
        raise already_submitted(latest)
    figures = freeze(build(unit, period))
    if seen and seen != fingerprint(figures):
        raise figures_changed()
    checks = _explained(unit, period, figures, explanations or {})
    submission = Submission(
        unit=unit,
        period_spec=period.spec,
        cutoff=period.cutoff,
        start=period.start,
        end=period.end,
        period_label=period.label_vi,
        figures=figures,
        version=latest.version + 1 if latest else 1,
        narrative=narrative.strip(),
        evaluation=evaluation.strip(),
        next_tasks=next_tasks.strip(),
        recommendations=recommendations.strip(),
        proposals=proposals.strip(),
        recipients="\n".join(line.strip() for line in recipients.strip().splitlines()),
        number=number.strip(),
        issuer=submitter_office(actor, unit),
        checks=checks,
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    submission.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        # Two submits at once: the other one won (reports_submission_one_per_version).
        other = Submission.objects.for_period(period).filter(unit=unit).order_by("-version")
        raise already_submitted(other.first()) from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=submission,
        unit=unit,
        changes={
            "period": period.spec,
            "cutoff": period.cutoff,
            "version": submission.version,
            "checks": [c["code"] for c in checks],
        },
    )
    return submission


def _explained(unit: AdminUnit, period: Period, figures: dict, explanations: dict) -> list[dict]:
    """The findings of the checks, each with its one-line explanation; refused when one has
    none (or one too long)."""
    with translation.override("vi"):  # stored as filed: in Vietnamese
        found = [(f.code, str(f.text)) for f in snapshot.findings(unit, period, figures)]
    errors: dict[str, str] = {}
    rows = []
    for code, finding in found:
        text = one_line(explanations.get(code, ""))
        if not text:
            errors[EXPLAIN % code] = _(
                "Hãy giải trình ngắn (một dòng) cho mục này, hoặc sửa số liệu rồi tải lại trang."
            )
        elif len(text) > EXPLANATION_MAX:
            errors[EXPLAIN % code] = _(
                "Lời giải trình dài quá %(max)s ký tự; hãy viết ngắn gọn trong một dòng."
            ) % {"max": EXPLANATION_MAX}
        rows.append({"code": code, "text": finding, "explanation": text})
    if errors:
        raise ValidationError(errors)
    return rows


def _review(actor: User, submission: Submission, decision: str, reason: str) -> Review:
    if not may_review(actor, submission.unit):
        raise PermissionDenied
    # Nobody reviews their own report: not the submitter, nor anyone who files it (a deputy
    # leader of the ward who also holds a supervisor post above it).
    if submission.submitted_by_id == actor.pk or access_for(actor).can(
        "report_submit", submission.unit_id
    ):
        raise ValidationError(
            _("Người nộp báo cáo không tự xem xét báo cáo của mình."), code="own_report"
        )
    # Lock the version, then ask whether it is still the latest: a resubmission waits for the
    # review, or the review sees the version submitted meanwhile.
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    newer = Submission.objects.for_period(locked.period).filter(
        unit_id=locked.unit_id, version__gt=locked.version
    )
    if newer.exists():
        raise ValidationError(
            _("Đơn vị đã nộp lại báo cáo này (lần nộp mới hơn); hãy xem xét lần nộp mới nhất."),
            code="not_latest",
        )
    if Review.objects.filter(submission=locked).exists():
        raise _reviewed()
    review = Review(
        submission=locked,
        decision=decision,
        reason=reason,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
    )
    review.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise _reviewed() from None
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=review,
        unit=locked.unit_id,
        changes={
            "submission": locked.pk,
            "version": locked.version,
            "decision": decision,
            "period": locked.period_spec,
        },
    )
    return review


def _reviewed() -> ValidationError:
    return ValidationError(_("Báo cáo này đã được xem xét."), code="reviewed")


@service
def submission_approve(*, actor: User, submission: Submission, remark: str = "") -> Review:
    """Approve the latest version of a unit's report (`report_review` over the unit, at a post
    above it; not the submitter). The period's report then takes no new version."""
    remark = remark.strip()
    if len(remark) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Nhận xét dài quá %(max)s ký tự.") % {"max": REASON_MAX}}
        )
    return _review(actor, submission, Review.Decision.APPROVED, remark)


@service
def submission_return(*, actor: User, submission: Submission, reason: str) -> Review:
    """Return the latest version of a unit's report to be corrected and submitted again, with
    the reason the unit reads on its submit page."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Hãy ghi lý do trả lại để đơn vị biết cần sửa gì.")}, code="required"
        )
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": _("Lý do dài quá %(max)s ký tự; hãy viết ngắn gọn.") % {"max": REASON_MAX}}
        )
    return _review(actor, submission, Review.Decision.RETURNED, reason)
