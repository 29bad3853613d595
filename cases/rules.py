"""The rules casework checks, shared by the services and the pages. Reads only.

The writes are in `cases.services`; these are the checks and derived values they (and the
forms and views) use: dates on the file, the ward of a day, a member's membership, the due
days of a contact.
"""

from __future__ import annotations

import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import (
    GroupChange,
    Person,
)
from wards.models import AdminUnit, Member, Team


def dmy(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


def refuse_future(day: datetime.date | None, field: str) -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: _("Không được chọn một ngày trong tương lai.")})


def group_on(person: Person, day: datetime.date) -> str:
    """The person's group on `day`, from their group history (`GroupChange`): the entry in
    force that day, else (before the first entry, or for a person written before the history
    existed) their current group."""
    entry = GroupChange.objects.on(day).filter(person=person).values_list("group", flat=True)
    return entry.first() or person.group


def refuse_outside_file(person: Person, day: datetime.date, field: str) -> None:
    """Casework happens while the person is on the register: not before, not after closing."""
    if day < person.registered_on:
        raise ValidationError(
            {
                field: _("Không được trước ngày người này được đưa vào danh sách (%(date)s).")
                % {"date": dmy(person.registered_on)}
            }
        )
    if person.closed_on is not None and day > person.closed_on:
        raise ValidationError(
            {field: _("Hồ sơ đã đóng từ ngày %(date)s.") % {"date": dmy(person.closed_on)}}
        )


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def ward_on(ward: AdminUnit, on: datetime.date) -> AdminUnit:
    """The ward that held `ward`'s place on `on`: after a merger, the unit it was merged into.

    A person registered in a ward that was later merged keeps that ward; casework recorded
    after the merger is counted in the ward that exists on the day it happened.
    """
    seen: set[int] = set()
    while (
        ward.successor_id
        and ward.valid_until is not None
        and ward.valid_until < on
        and ward.pk not in seen
    ):
        seen.add(ward.pk)
        ward = ward.successor
    return ward


def contact_due_days(ward: AdminUnit) -> int:
    """Days until the next contact is due when none is chosen: the ward's active team's
    setting, or settings.CONTACT_DUE_DAYS when the team has none."""
    days = (
        Team.objects.active()
        .filter(ward=ward, contact_due_days__isnull=False)
        .values_list("contact_due_days", flat=True)
        .first()
    )
    return days or settings.CONTACT_DUE_DAYS


def check_member_serves(member: Member, person: Person, *, field: str = "member") -> None:
    """`member` belongs to the team of the person's ward (or of the ward it was merged into)."""
    team = member.team
    if not AdminUnit.objects.scope(team.ward).filter(pk=person.ward_id).exists():
        raise ValidationError(
            {
                field: _(
                    "%(member)s là thành viên của %(team)s, không phải Đội của xã, phường nơi "
                    "người này cư trú. Chỉ chọn được thành viên Đội của địa phương."
                )
                % {"member": member.full_name, "team": team.name}
            }
        )


def check_member_active_on(member: Member, day: datetime.date, *, field: str = "member") -> None:
    """The member was on the team on `day`: `left_on` and the team's `dissolved_on` are the
    last days they held (INDICATORS.md)."""
    dissolved_on = member.team.dissolved_on
    if (
        member.joined_on > day
        or (member.left_on is not None and member.left_on < day)
        or (dissolved_on is not None and dissolved_on < day)
    ):
        raise ValidationError(
            {
                field: _("%(member)s không tham gia Đội vào ngày %(date)s.")
                % {"member": member.full_name, "date": dmy(day)}
            }
        )
