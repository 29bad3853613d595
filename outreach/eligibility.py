"""Who may borrow under QĐ 08/2026/QĐ-TTg (loans for post-rehab persons), and why.

The rule, with its numbers in settings (law changes are setting changes):

- the person has a post-rehab management enrolment (`Programme.Category.POST_REHAB`);
- the decision of the latest such enrolment (its `decision_on`, else its `started_on`) is no
  more than `LOAN_MAX_YEARS_SINCE_DECISION` years ago: exactly that many years ago still counts;
- the person is `LOAN_MIN_AGE` or older today: by birth date when it is known, else by birth
  year alone (today's year minus the birth year), which the facts say;
- the person's file is open (`Person.Status.ACTIVE`).

One query whatever the number of persons: the latest post-rehab enrolment, the current helper
and the latest loan referral are correlated subqueries, never per-row reads.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cases.models import Assignment, Enrollment, Person
from cases.services import add_months
from outreach.models import Referral


@dataclass(frozen=True)
class Row:
    """One eligible person and the facts that make them eligible."""

    pk: int
    full_name: str
    birth_date: datetime.date | None
    birth_year: int | None
    age: int
    age_by_year: bool  # no birth date: the age is today's year minus the birth year
    sex: str
    address: str
    area: str
    id_number: str
    decision_no: str
    decided_on: datetime.date
    decision_date_missing: bool  # no decision date: counted from the start of management
    years_since_decision: int
    post_rehab_ongoing: bool
    post_rehab_ended_on: datetime.date | None
    group: str
    helper: str
    loan_status: str  # the latest loan referral's status label, "" when none
    loan_referred_on: datetime.date | None
    loan_amount: int | None

    @property
    def url(self) -> str:
        return reverse("cases:person_detail", args=[self.pk])

    @property
    def notes(self) -> list[str]:
        """What a reader should know about how the facts were counted."""
        notes = []
        if self.age_by_year:
            notes.append(_("Tuổi tính theo năm sinh"))
        if self.decision_date_missing:
            notes.append(_("Chưa ghi ngày quyết định: tính từ ngày bắt đầu quản lý"))
        return notes


def full_years(since: datetime.date, today: datetime.date) -> int:
    """Whole years from `since` to `today` (an age, or the years since a decision)."""
    years = today.year - since.year - ((today.month, today.day) < (since.month, since.day))
    return max(years, 0)


def rule_text() -> str:
    """The rule in one sentence, with the numbers the installation uses."""
    millions = Decimal(settings.LOAN_MAX_AMOUNT) / Decimal(1_000_000)
    return _(
        "Người sau cai nghiện từ đủ %(age)s tuổi, không quá %(years)s năm kể từ quyết định "
        "quản lý sau cai nghiện, hồ sơ đang theo dõi; mức vay tối đa %(amount)s triệu "
        "đồng/người."
    ) % {
        "age": settings.LOAN_MIN_AGE,
        "years": settings.LOAN_MAX_YEARS_SINCE_DECISION,
        "amount": number_format(millions.normalize(), force_grouping=True),
    }


def loan_eligible_persons(persons: QuerySet[Person], today: datetime.date) -> QuerySet[Person]:
    """`persons` narrowed to those eligible on `today`, annotated with the facts (`pr_*` for
    the latest post-rehab enrolment, `helper_name`, `loan_*` for the latest loan referral)."""
    decided_since = add_months(today, -12 * settings.LOAN_MAX_YEARS_SINCE_DECISION)
    born_by = add_months(today, -12 * settings.LOAN_MIN_AGE)
    latest = (
        Enrollment.objects.post_rehab()
        .filter(person=OuterRef("pk"))
        .order_by("-started_on", "-pk")
        .annotate(decided_on=Coalesce("decision_on", "started_on"))
    )
    loan = Referral.objects.filter(person=OuterRef("pk"), kind=Referral.Kind.LOAN).order_by(
        "-referred_on", "-pk"
    )
    helper = Assignment.objects.open().filter(person=OuterRef("pk")).order_by("-started_on", "-pk")

    def first(qs: QuerySet, field: str) -> Subquery:
        return Subquery(qs.values(field)[:1])

    age = Q(birth_date__lte=born_by) | Q(
        birth_date__isnull=True, birth_year__lte=today.year - settings.LOAN_MIN_AGE
    )
    return (
        persons.active()
        .filter(age)
        .annotate(
            pr_decided_on=first(latest, "decided_on"),
            pr_decision_on=first(latest, "decision_on"),
            pr_decision_no=first(latest, "decision_no"),
            pr_ended_on=first(latest, "ended_on"),
            helper_name=first(helper, "member__full_name"),
            loan_status=first(loan, "status"),
            loan_referred_on=first(loan, "referred_on"),
            loan_amount=first(loan, "amount"),
        )
        .filter(pr_decided_on__gte=decided_since)
        .select_related("area")
    )


def loan_eligible(persons: QuerySet[Person], today: datetime.date) -> list[Row]:
    """The eligible persons among `persons` on `today`, with their facts, in register order."""
    return list(_rows(loan_eligible_persons(persons, today), today))


def _rows(persons: QuerySet[Person], today: datetime.date) -> Iterator[Row]:
    for p in persons:
        ended_on = p.pr_ended_on
        yield Row(
            pk=p.pk,
            full_name=p.full_name,
            birth_date=p.birth_date,
            birth_year=p.birth_date.year if p.birth_date else p.birth_year,
            age=full_years(p.birth_date, today) if p.birth_date else today.year - p.birth_year,
            age_by_year=p.birth_date is None,
            sex=p.get_sex_display(),
            address=p.address,
            area=p.area.name if p.area else "",
            id_number=p.id_number,
            decision_no=p.pr_decision_no,
            decided_on=p.pr_decided_on,
            decision_date_missing=p.pr_decision_on is None,
            years_since_decision=full_years(p.pr_decided_on, today),
            post_rehab_ongoing=ended_on is None or ended_on >= today,  # its last day included
            post_rehab_ended_on=ended_on,
            group=p.get_group_display(),
            helper=p.helper_name or "",
            loan_status=str(Referral.Status(p.loan_status).label) if p.loan_status else "",
            loan_referred_on=p.loan_referred_on,
            loan_amount=p.loan_amount,
        )
