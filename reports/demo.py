"""The demo's period reports: what the current wards' leaders filed since the 2025 merger, and
what the supervisor above them made of it, up to the day of the run.

Written through the services a leader and a supervisor use (reports.services: submit, approve,
return), each at the moment it happened: `timezone.now` reads that moment while the service
runs, so a report's `submitted_at` and a review's `reviewed_at` fall on the days of the story
(a frozen row cannot be back-dated afterwards). For every current ward and every quarter,
half-year and year (calendar cut-off) that ended since 1 July 2025 (the wards' first day),
relative to `today`:

- the report is filed within the due days (period end + REPORT_DUE_DAYS), never on the day of
  the run itself: the last ended quarter's reports are still coming in when `today`
  is within their due days (those not filed yet are pending, not overdue); a ward whose team
  was founded after a period's due date files it once the team exists;
- the supervisor over the wards (the province's, since the district was dissolved) reviews it
  two to ten days later, or has not yet when that day has not come: nearly all are approved;
- one report of Phường Láng (`returned_period`: its latest quarter ended at least RETURN_AFTER
  days ago) is returned with a reason and waits for the leader's correction, so the leader's home
  shows it; one of Phường Kim Liên's early quarters was returned, corrected and approved.

The wards' leaders without a published demo login (wards.demo.LOGINS has Láng's and Kim
Liên's) get one here, without a usable password, since a report is filed by a person: the
leader holding the post on the day (wards.demo: the new teams' leaders never change).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.rules import add_months
from cases.text import fold
from reports import checks
from reports.models import Review, Submission
from reports.periods import Period, parse
from reports.services import submission_approve, submission_return, submission_submit
from reports.snapshot import may_review
from wards import demo as wards_demo
from wards.models import AdminUnit, Member

SEED = 20250701
FIRST_MONTH = datetime.date(2025, 7, 1)  # today's wards exist from here (wards.demo)
RETURN_AFTER = 6  # days after the quarter's end before Láng's report can have been returned
RETURN_REASON = (
    "Số lượt tiếp cận, giúp đỡ trong báo cáo tóm tắt không khớp với bảng số liệu; đề nghị "
    "đội rà soát lại sổ theo dõi và nộp lại."
)
CORRECTED_REASON = "Thiếu phần đánh giá kết quả và nhiệm vụ quý tới; đề nghị bổ sung rồi nộp lại."
# The one-line explanation a leader gives for each finding of the checks (reports.checks).
EXPLANATIONS = {
    "enrollment_overdue": "Quyết định kết thúc của UBND phường ban hành muộn; đội đã ghi "
    "ngày kết thúc theo quyết định.",
    "figure_vs_usual_month": "Tháng đầu sau sáp nhập, đội mới chưa được thành lập.",
    "figure_vs_last_year": "Năm nay địa bàn sáp nhập, số người quản lý thay đổi so với năm trước.",
}
GENERIC = "Đội đã rà soát sổ theo dõi; số liệu đúng với thực tế."
NARRATIVE = (
    "Trong kỳ, đội duy trì việc thăm hỏi, tư vấn, hỗ trợ người trong danh sách quản lý tại "
    "địa bàn; phối hợp Công an phường, Trạm y tế và các đoàn thể tổ chức truyền thông phòng, "
    "chống ma túy tại các tổ dân phố."
)
EVALUATION = "Các thành viên nắm được địa bàn, hoàn thành nhiệm vụ được giao."
NEXT_TASKS = "Tiếp tục thăm hỏi định kỳ; rà soát người lâu chưa được gặp."


@dataclass
class Summary:
    submissions: int
    approved: int
    returned: int
    awaiting: int

    def __str__(self) -> str:
        return (
            f"{self.submissions} report submissions ({self.approved} approved, "
            f"{self.returned} returned, {self.awaiting} awaiting review)"
        )


def periods(today: datetime.date) -> list[Period]:
    """The periods (calendar cut-off) today's wards file, ended before `today`, the oldest
    first: quarters, half-years and years since July 2025. (Months are not filed in the demo:
    each report costs a quarter of a second to build, and the boards open on quarters.)"""
    out = []
    month = FIRST_MONTH
    while True:
        last = add_months(month, 1) - datetime.timedelta(days=1)
        if last >= today:
            break
        if month.month % 3 == 0:
            out.append(parse(f"{month.year}-Q{month.month // 3}"))
        if month.month % 6 == 0:
            out.append(parse(f"{month.year}-H{month.month // 6}"))
        if month.month == 12:
            out.append(parse(f"{month.year}"))
        month = add_months(month, 1)
    return out


def returned_period(today: datetime.date) -> Period:
    """The quarter of Láng's returned report: the latest ended RETURN_AFTER days or more ago."""
    quarters = [p for p in periods(today) if p.kind == "quarter"]
    return next(p for p in reversed(quarters) if (today - p.end).days >= RETURN_AFTER)


def seed(demo: wards_demo.Demo, today: datetime.date) -> Summary:
    """File and review the current wards' reports of the periods ended before `today`."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    wards = list(demo.new_wards)
    submitters = _leaders(demo, wards)
    reviewer = {w.pk: _reviewer(demo, w) for w in wards}
    explanations = {rule.code: EXPLANATIONS.get(rule.code, GENERIC) for rule in checks.RULES}
    lang = next(w for w in wards if w.name == wards_demo.LANG)
    kim_lien = next(w for w in wards if w.name == wards_demo.KIM_LIEN)
    to_return = returned_period(today)
    summary = Summary(0, 0, 0, 0)
    all_periods = periods(today)
    corrected = next(p for p in all_periods if p.kind == "quarter")
    founded = {t.ward_id: t.established_on for t in demo.new_teams}
    for period in all_periods:
        due = period.end + datetime.timedelta(days=settings.REPORT_DUE_DAYS)
        for ward in wards:
            filed = period.end + datetime.timedelta(days=rng.randint(1, (due - period.end).days))
            # A month before the ward's team was founded: filed once it was.
            filed = max(filed, founded[ward.pk] + datetime.timedelta(days=2))
            if filed >= today:
                continue  # still coming in: pending until the due date
            submission = _submit(submitters[ward.pk], ward, period, filed, rng, explanations)
            summary.submissions += 1
            reviewed = filed + datetime.timedelta(days=rng.randint(2, 10))
            returning = ward == lang and period == to_return
            if returning:
                reviewed = min(filed + datetime.timedelta(days=2), today - datetime.timedelta(1))
            if reviewed >= today:
                summary.awaiting += 1
                continue
            actor = reviewer[ward.pk]
            if returning:
                with _at(reviewed, rng):
                    submission_return(actor=actor, submission=submission, reason=RETURN_REASON)
                summary.returned += 1
                continue
            if ward == kim_lien and period == corrected:
                with _at(reviewed, rng):
                    submission_return(actor=actor, submission=submission, reason=CORRECTED_REASON)
                summary.returned += 1
                refiled = reviewed + datetime.timedelta(days=1)
                submission = _submit(submitters[ward.pk], ward, period, refiled, rng, explanations)
                summary.submissions += 1
                reviewed = refiled + datetime.timedelta(days=2)
            with _at(reviewed, rng):
                submission_approve(actor=actor, submission=submission)
            summary.approved += 1
    return summary


def _submit(
    actor, ward: AdminUnit, period: Period, day: datetime.date, rng: random.Random, explanations
) -> Submission:
    with _at(day, rng):
        return submission_submit(
            actor=actor,
            unit=ward,
            period=period,
            narrative=NARRATIVE,
            evaluation=EVALUATION,
            next_tasks=NEXT_TASKS,
            explanations=explanations,
            recipients="UBND phường\nSở Y tế thành phố Hà Nội\nLưu: Đội",
        )


def _at(day: datetime.date, rng: random.Random):
    """While the block runs, `timezone.now()` (and so `localdate()`) is a working hour of
    `day` in the local time zone: the moment the leader or supervisor acted."""
    moment = datetime.datetime.combine(
        day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)), timezone.get_current_timezone()
    )
    return mock.patch.object(timezone, "now", return_value=moment)


def _leaders(demo: wards_demo.Demo, wards: list[AdminUnit]) -> dict[int, object]:
    """The login of each ward's current team leader, created (unusable password) when the
    demo publishes none."""
    User = get_user_model()
    teams = {t.ward_id: t for t in demo.new_teams}
    out = {}
    for ward in wards:
        leader = (
            Member.objects.filter(
                team=teams[ward.pk], role=Member.Role.LEADER, left_on__isnull=True
            )
            .order_by("joined_on", "pk")
            .first()
        )
        if leader.user_id is None:
            slug = "".join(c for c in fold(ward.name.removeprefix("Phường ")) if c.isalnum())
            # No password: a login nobody can use until the leader is given one.
            user = User.objects.create_user(f"doitruong.{slug}", first_name=leader.full_name)
            Member.objects.filter(pk=leader.pk).update(user=user)
            leader.user = user
        out[ward.pk] = User.objects.get(pk=leader.user_id)
    return out


def _reviewer(demo: wards_demo.Demo, ward: AdminUnit):
    """The supervisor who reviews `ward`'s reports: the first demo login allowed to."""
    for user in demo.users.values():
        if not user.is_superuser and may_review(user, ward):
            return user
    raise wards_demo.DemoError(f"No demo supervisor reviews the reports of {ward.name}.")


def returned_reports(ward: AdminUnit) -> list[Submission]:
    """The ward's latest versions returned and not yet filed again."""
    return list(
        Submission.objects.filter(unit=ward, review__decision=Review.Decision.RETURNED)
        .latest_versions()
        .order_by("period_spec")
    )
