"""Report submissions: a unit's report for a period, frozen as it was when it was submitted.

A submission is never changed and never deleted (DESIGN.md, reports): the QuerySet refuses
update() and delete(), save() refuses to write an existing row, and on PostgreSQL a trigger
(migration 0001) refuses UPDATE and DELETE from any client. When the period's data changes
later, pages show the difference against the snapshot (`Submission.differences`).
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


@dataclass(frozen=True)
class Difference:
    indicator: Indicator
    submitted: int | None  # None: the indicator did not exist when the report was submitted
    current: int

    @property
    def change(self) -> int:
        return self.current - (self.submitted or 0)


class SubmissionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(FROZEN)

    def delete(self):
        raise TypeError(FROZEN)

    def visible_to(self, user) -> SubmissionQuerySet:
        """Submissions of the units whose figures the user may see (`aggregate`)."""
        from wards.access import access_for

        return self.filter(unit_id__in=access_for(user).unit_ids("aggregate"))

    def for_period(self, period: Period) -> SubmissionQuerySet:
        return self.filter(period_spec=period.spec, cutoff=period.cutoff)


class Submission(Timestamped):
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
    narrative = models.TextField(_("báo cáo tóm tắt"), max_length=10_000, blank=True, default="")
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
                fields=["unit", "period_spec", "cutoff"],
                name="reports_submission_one_per_period",
            ),
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

    def save(self, **kwargs) -> None:
        # force_insert: a new instance carrying an existing pk must not overwrite that row.
        if not self._state.adding or kwargs.get("update_fields") or kwargs.get("force_update"):
            raise TypeError(FROZEN)
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(FROZEN)

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
