"""Finding a person already on a register before another file is opened for them.

The register of the ward and of the wards merged into it is the leader's own: its matches are
returned by name. Whether a namesake is on any other register of the country is a question
about persons the leader may not see, so it is rationed (issue 19, "an existence oracle"):

- it is asked only through `cases.services.person_check`, once every other field of the new
  file is valid, so a form with any other error looks at nothing;
- every look beyond the ward is audited: who, when, and whether there was a match; never the
  name or birth year typed;
- a user looks beyond the ward at most `DUPLICATE_CHECKS_PER_DAY` times a day. After that the
  other registers are not looked at (the refusal is audited too) and the registration goes on:
  a leader with the person in front of her still registers them, told that other communes were
  not checked today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import (
    Person,
)
from cases.text import fold
from wards.atomic import service
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The object_type of the audit rows of a look beyond the ward: VIEW when it looked (with
# `match_elsewhere`), DENIED when the day's looks were used up.
CHECK = "cases.duplicate_check"


@dataclass(frozen=True)
class Duplicates:
    """What a duplicate check found."""

    # On the register of the ward and of the wards merged into it.
    matches: list[Person] = field(default_factory=list)
    # A namesake on another register: never who or where.
    elsewhere: bool = False
    # The user's looks beyond the ward for today were used up: none was made.
    limited: bool = False

    def __bool__(self) -> bool:
        return bool(self.matches or self.elsewhere)


def _candidates(key: str, birth_year: int):
    # search_key is name + alias: narrow by prefix in SQL, compare the name exactly in Python.
    return Person.objects.filter(birth_year=birth_year, search_key__startswith=key)


def local_duplicates(*, ward: AdminUnit, full_name: str, birth_year: int | None) -> list[Person]:
    """Persons with the same folded name and birth year on the register of `ward` and of the
    wards merged into it, which the ward's leader may see. Reads only; looks nowhere else."""
    key = fold(full_name)
    if not key or birth_year is None:
        return []
    local = AdminUnit.objects.scope(ward).values("pk")
    candidates = _candidates(key, birth_year).filter(ward__in=local)
    return [p for p in candidates if fold(p.full_name) == key]


def checks_today(actor: User) -> int:
    """How many times `actor` has looked beyond their ward today (local day)."""
    today = timezone.localdate()
    return (
        AuditEvent.objects.filter(actor=actor, action=AuditEvent.Action.VIEW, object_type=CHECK)
        .between(today, today)
        .count()
    )


@service
def find_duplicates(
    *, actor: User, ward: AdminUnit, full_name: str, birth_year: int | None
) -> Duplicates:
    """The matches on the ward's register, and whether another register has one.

    The look beyond the ward is audited and limited per user per day (module docstring). Call
    it once the new file is valid in every other respect: `cases.services.person_check` does.
    """
    key = fold(full_name)
    if not key or birth_year is None:
        return Duplicates()
    matches = local_duplicates(ward=ward, full_name=full_name, birth_year=birth_year)
    # The user's row, locked until the audit row is written: two requests of one user count
    # their looks one after the other, so the limit holds on PostgreSQL too.
    get_user_model().objects.select_for_update().filter(pk=actor.pk).first()
    limit = settings.DUPLICATE_CHECKS_PER_DAY
    if checks_today(actor) >= limit:
        audit(
            actor=actor,
            action=AuditEvent.Action.DENIED,
            object_type=CHECK,
            unit=ward,
            changes={"limit": limit},
        )
        return Duplicates(matches=matches, limited=True)
    local = AdminUnit.objects.scope(ward).values("pk")
    names = _candidates(key, birth_year).exclude(ward__in=local).values_list("full_name", flat=True)
    elsewhere = any(fold(name) == key for name in names)
    audit(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type=CHECK,
        unit=ward,
        changes={"match_elsewhere": elsewhere},
    )
    return Duplicates(matches=matches, elsewhere=elsewhere)
