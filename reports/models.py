"""Report submissions: a unit's report for a period, frozen as it was when it was submitted,
and the review of each by the unit above.

A submission is never changed and never deleted (DESIGN.md, reports): the QuerySet refuses
update() and delete(), save() refuses to write an existing row, and on PostgreSQL a trigger
(migration 0001) refuses UPDATE and DELETE from any client. When the period's data changes
later, pages show the difference against the snapshot (`Submission.differences`).

A report returned by the unit above is corrected by submitting it again: a new `Submission`
with the next `version`, the earlier ones kept as they were. Each version gets at most one
`Review` (approved, or returned with a reason), as frozen as the submission. The latest
version's review is the period's state: received (no review yet), returned or approved; an
approved period takes no new version.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reports.indicators import Catalogue, Indicator
from reports.periods import CALENDAR, OFFICIAL, Period, parse
from wards.models import AdminUnit, Timestamped

FROZEN = "Report submissions are frozen: they are never updated or deleted."
REVIEW_FROZEN = "Report reviews are frozen: they are never updated or deleted."


@dataclass(frozen=True)
class Difference:
    indicator: Indicator
    submitted: int | None  # None: the indicator did not exist when the report was submitted
    current: int

    @property
    def change(self) -> int:
        return self.current - (self.submitted or 0)


class FrozenQuerySet(models.QuerySet):
    """Rows that are never updated or deleted: the model's `frozen` message otherwise."""

    def update(self, **kwargs):
        raise TypeError(self.model.frozen)

    def delete(self):
        raise TypeError(self.model.frozen)


class Frozen(Timestamped):
    """A row written once and never changed or deleted (on PostgreSQL a trigger of the
    model's migration refuses UPDATE and DELETE from any client too)."""

    frozen = FROZEN

    class Meta:
        abstract = True

    def save(self, **kwargs) -> None:
        # force_insert: a new instance carrying an existing pk must not overwrite that row.
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise TypeError(self.frozen)
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(self.frozen)


class SubmissionQuerySet(FrozenQuerySet):
    def visible_to(self, user) -> SubmissionQuerySet:
        """Submissions of the units whose figures the user may see (`aggregate`)."""
        from wards.access import access_for

        return self.filter(unit_id__in=access_for(user).unit_ids("aggregate"))

    def for_period(self, period: Period) -> SubmissionQuerySet:
        """Every version of every unit's report for `period`, the latest first."""
        return self.filter(period_spec=period.spec, cutoff=period.cutoff)

    def latest_versions(self) -> SubmissionQuerySet:
        """The latest version of each unit's report for each period (on every database)."""
        newer = Submission.objects.filter(
            unit_id=models.OuterRef("unit_id"),
            period_spec=models.OuterRef("period_spec"),
            cutoff=models.OuterRef("cutoff"),
            version__gt=models.OuterRef("version"),
        )
        return self.filter(~models.Exists(newer))


class Submission(Frozen):
    """A unit's report for one period: the figures and narrative as submitted, who and when."""

    class Cutoff(models.TextChoices):
        # the values of reports.periods.CALENDAR and OFFICIAL
        CALENDAR = "calendar", _("Theo tháng dương lịch")
        OFFICIAL = "official", _("Theo kỳ báo cáo chính thức (Nghị định 09/2019)")

    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    # The period as reports.periods.parse() reads it back: spec and cut-off.
    period_spec = models.CharField(_("kỳ báo cáo"), max_length=30)
    cutoff = models.CharField(_("cách tính kỳ"), max_length=10, choices=Cutoff.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    period_label = models.CharField(_("tên kỳ"), max_length=120)
    # reports.report.as_json() of the report when it was submitted: the unit's figures, each
    # child unit's, and the comparison period's.
    figures = models.JSONField(_("số liệu"))
    # 1 for the first submission of the unit's report for the period, 2 for the report as
    # submitted again after it was returned, and so on.
    version = models.PositiveSmallIntegerField(_("lần nộp"), default=1)
    narrative = models.TextField(_("báo cáo tóm tắt"), max_length=10_000, blank=True, default="")
    # The sections of the filed document after the figures, as the leader wrote them (optional).
    evaluation = models.TextField(_("đánh giá"), max_length=10_000, blank=True, default="")
    next_tasks = models.TextField(
        _("phương hướng, nhiệm vụ kỳ tới"), max_length=10_000, blank=True, default=""
    )
    recommendations = models.TextField(_("kiến nghị"), max_length=10_000, blank=True, default="")
    proposals = models.TextField(_("đề xuất"), max_length=10_000, blank=True, default="")
    # «Nơi nhận»: one recipient per line, as the document lists them.
    recipients = models.TextField(_("nơi nhận"), max_length=2_000, blank=True, default="")
    # «Số: 12/BC-ĐCTXHTN»: the document number the office gives it ("" to write by hand).
    number = models.CharField(_("số văn bản"), max_length=40, blank=True, default="")
    # The unit whose office issues the document: the submitter's own current office when it
    # was submitted (a merged ward's leader files the report of a ward it replaced).
    issuer = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị ban hành"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The checks on the period's figures run when it was submitted (reports.checks): a list
    # of {"code", "text", "explanation"}, each explained in one line by the submitter.
    checks = models.JSONField(_("kiểm tra số liệu"), default=list, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nộp"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), default=timezone.now)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("báo cáo đã nộp")
        verbose_name_plural = pgettext_lazy("plural", "báo cáo đã nộp")
        ordering = ["-submitted_at"]
        constraints = [
            # Also the index of the status page: the submissions of a set of units for a period.
            models.UniqueConstraint(
                fields=["unit", "period_spec", "cutoff", "version"],
                name="reports_submission_one_per_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="reports_submission_version"),
            models.CheckConstraint(
                condition=Q(cutoff__in=[CALENDAR, OFFICIAL]), name="reports_submission_cutoff"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="reports_submission_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.period_label}"

    def get_absolute_url(self) -> str:
        return reverse("reports:submission_detail", args=[self.pk])

    @property
    def period(self) -> Period:
        return parse(self.period_spec, self.cutoff)

    @property
    def values(self) -> dict[str, int]:
        """The unit's figures as submitted."""
        return self.figures.get("indicators", {})

    def differences(self, current: dict[str, int], cat: Catalogue) -> list[Difference]:
        """The indicators of `cat` whose value today (`current`, the same unit, period and
        cut-off computed now) differs from the submitted one, in catalogue order. An indicator
        the snapshot lacks (added to the catalogue since: a new figure, a new programme) did
        not exist when the report was submitted: its submitted value is None, and it is a
        difference only when its value today is not zero."""
        submitted = self.values
        return [
            Difference(i, submitted.get(i.code), current[i.code])
            for i in cat.indicators
            if i.code in current
            and submitted.get(i.code) != current[i.code]
            and (i.code in submitted or current[i.code])
        ]


class Review(Frozen):
    """The unit above's decision on one version of a submission: approved, or returned to
    the unit with a reason to correct and submit again. Never changed, never deleted."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Đã duyệt")
        RETURNED = "returned", _("Trả lại để sửa")

    submission = models.OneToOneField(
        Submission,
        verbose_name=_("báo cáo đã nộp"),
        on_delete=models.PROTECT,
        related_name="review",
    )
    decision = models.CharField(_("kết quả xem xét"), max_length=10, choices=Decision.choices)
    # Why it was returned (required then), or a remark on approval. Never a person's name.
    reason = models.TextField(_("lý do"), max_length=2_000, blank=True, default="")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người xem xét"),
        on_delete=models.PROTECT,
        related_name="report_reviews",
    )
    reviewed_at = models.DateTimeField(_("xem xét lúc"), default=timezone.now)

    frozen = REVIEW_FROZEN

    objects = FrozenQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả xem xét báo cáo")
        verbose_name_plural = pgettext_lazy("plural", "kết quả xem xét báo cáo")
        ordering = ["-reviewed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "returned"]),
                name="reports_review_decision",
            ),
            models.CheckConstraint(
                condition=~Q(decision="returned") | ~Q(reason=""),
                name="reports_review_returned_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.get_decision_display()}"
