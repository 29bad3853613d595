"""Finding a person already on a register before another file is opened for them. Reads only."""

from __future__ import annotations

from cases.models import (
    Person,
)
from cases.text import fold
from wards.models import AdminUnit


def find_duplicates(
    *, ward: AdminUnit, full_name: str, birth_year: int | None
) -> tuple[list[Person], bool]:
    """Persons with the same folded name and birth year.

    Returns the matches on the register of `ward` and of the wards merged into it, which the
    ward's leader may see, and only whether one exists anywhere else: never who or where.
    """
    key = fold(full_name)
    if not key or birth_year is None:
        return [], False
    # search_key is name + alias: narrow by prefix in SQL, compare the name exactly here.
    candidates = Person.objects.filter(birth_year=birth_year, search_key__startswith=key)
    local = AdminUnit.objects.scope(ward).values("pk")
    matches = [p for p in candidates.filter(ward__in=local) if fold(p.full_name) == key]
    names_elsewhere = candidates.exclude(ward__in=local).values_list("full_name", flat=True)
    return matches, any(fold(name) == key for name in names_elsewhere)
