"""What the casework services share: the fields they accept, the audit rule, the row lock."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cases.models import (
    Person,
)
from cases.text import fold

PERSON_FIELDS = (
    "area",
    "full_name",
    "alias",
    "sex",
    "birth_date",
    "birth_year",
    "id_number",
    "phone",
    "address",
    "family_contact",
    "group",
    "substances",
    "history_notes",
    "registered_on",
    "consent_on",
)
ENROLLMENT_FIELDS = ("due_on", "decision_no", "decision_on")
# Person fields whose values may enter the audit trail; any other change shows as "changed".
AUDITED_VALUES = frozenset(
    {"ward", "area", "registered_on", "consent_on", "status", "closed_on", "closed_reason"}
)


def _refuse_unknown(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _derive(person: Person) -> None:
    """The values the service computes: birth year from the birth date, the search key."""
    if person.birth_date is not None:
        person.birth_year = person.birth_date.year
    person.search_key = fold(f"{person.full_name} {person.alias}")


def _lock(person: Person) -> Person:
    """The person row, locked until the transaction ends: writers of one person queue here.

    FOR NO KEY UPDATE, not FOR UPDATE: PostgreSQL checks the foreign key of a new contact or
    assignment with FOR KEY SHARE at commit, which this lock lets through. With FOR UPDATE, a
    writer that skipped this lock and a service waiting on that writer's row would deadlock.
    """
    return Person.objects.select_for_update(no_key=True).get(pk=person.pk)
