"""De-identifying the files of persons closed long ago (`manage.py anonymise_closed`).

Law 91/2025 asks for personal data to be deleted or de-identified once its purpose has ended;
de-identified data falls outside the law, and the period reports must not change when it
happens (DOMAIN.md). So anonymising a person clears what identifies them or tells their story
in words — name, alias, ID number, phone, address, residential group, relatives, substances,
history, the exact birth day (the year stays) and the free text of every record that belongs to
them — and keeps every value a report counts: ward, registered ward, group, sex, birth year,
dates, kinds, statuses, results, amounts and the links between records.

Records that belong to a person are reached through reverse foreign keys from `Person`, named by
their relation ("contacts", "referrals.changes"), so this module reads the outreach app's
records without importing it (imports point wards <- cases <- outreach). Activities are not the
person's: a club session is the team's record, shared with the other persons who attended, and
keeps its text; only the person's name on its attendance list changes. Audit events hold no
personal data and are never touched (they are append-only).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cases.models import Person
from wards.audit import audit
from wards.models import AuditEvent

# What an anonymised person is called everywhere the name used to be.
ANONYMOUS_NAME = "Đã ẩn danh"
MAX_YEARS = 100

# The person's fields that are cleared, with the value they take. `birth_date` goes but its
# year is kept in `birth_year` first; `search_key` is cleared too, so no search finds the old
# name.
PERSON_CLEARED: dict[str, Any] = {
    "full_name": ANONYMOUS_NAME,
    "alias": "",
    "search_key": "",
    "id_number": "",
    "phone": "",
    "address": "",
    "area": None,
    "family_contact": "",
    "substances": "",
    "history_notes": "",
    "birth_date": None,
}

# The free text of the records that belong to a person, by relation path from `Person`. A text
# field of such a record that is not listed here fails tests/cases/test_anonymise.py: whoever
# adds one decides whether it goes.
RECORD_TEXT: dict[str, tuple[str, ...]] = {
    "enrollments": ("decision_no",),
    "contacts": ("summary",),
    "group_changes": ("reason",),
    "milestones": ("note",),
    "assessments": ("note",),
    "referrals": ("note",),
    "referrals.changes": ("note",),
}

BATCH = 500  # persons per statement: well under every database's limit on parameters


@dataclass(frozen=True)
class Target:
    """The records at the end of a relation path, and the lookup from them to the person."""

    path: str
    model: type[models.Model]
    person_lookup: str  # e.g. "referral__person"


@dataclass
class Result:
    """What a run did (or, with dry_run, would do)."""

    today: datetime.date
    cutoff: datetime.date
    dry_run: bool
    # person pk -> the names of what was cleared for them ("full_name", "contacts.summary"…)
    persons: dict[int, list[str]] = field(default_factory=dict)
    # "contacts.summary" -> how many records lost that text
    records: Counter = field(default_factory=Counter)

    def lines(self) -> Iterator[str]:
        """The counts, labelled in words: persons per cleared field, then records per kind."""
        fields = Counter(name for names in self.persons.values() for name in names)
        for name in PERSON_CLEARED:
            if fields[name]:
                label = capfirst(str(Person._meta.get_field(name).verbose_name))
                yield f"{capfirst(str(Person._meta.verbose_name))}, {label}: {fields[name]}"
        for key in sorted(self.records):
            path, name = key.rsplit(".", 1)
            target = resolve(path)
            if target is not None:
                what = capfirst(str(target.model._meta.verbose_name_plural))
                yield f"{what}, {_field_label(target, name)}: {self.records[key]}"


def _field_label(target: Target, name: str) -> str:
    return str(target.model._meta.get_field(name).verbose_name)


def resolve(path: str) -> Target | None:
    """The records at the end of `path` ("referrals.changes"); None when an app that would
    provide them is not installed."""
    model: type[models.Model] = Person
    lookups: list[str] = []
    for name in path.split("."):
        try:
            relation = model._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if not isinstance(relation, models.ManyToOneRel):
            raise TypeError(f"{path}: {name} is not a reverse foreign key")
        lookups.insert(0, relation.field.name)
        model = relation.related_model
    return Target(path=path, model=model, person_lookup="__".join(lookups))


def cutoff_for(years: int, today: datetime.date) -> datetime.date:
    """The same day `years` years before `today` (29 February becomes the 28th)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def check_years(years: int) -> None:
    if not 1 <= years <= MAX_YEARS:
        raise ValidationError(
            _("Số năm phải từ 1 đến %(max)s: chỉ ẩn danh hồ sơ đã đóng ít nhất một năm.")
            % {"max": MAX_YEARS}
        )


def due(cutoff: datetime.date) -> models.QuerySet[Person]:
    """Persons to anonymise: file closed before `cutoff` and not anonymised yet."""
    return Person.objects.closed().filter(closed_on__lt=cutoff, anonymised_on__isnull=True)


def _batches(pks: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(pks), BATCH):
        yield list(pks[start : start + BATCH])


def _person_fields(pks: Sequence[int], result: Result) -> dict[int, int]:
    """Note, per person, which of their own fields hold something to clear; their wards."""
    wards: dict[int, int] = {}
    names = list(PERSON_CLEARED)
    for batch in _batches(pks):
        rows = Person.objects.filter(pk__in=batch).values("pk", "ward_id", *names)
        for row in rows:
            wards[row["pk"]] = row["ward_id"]
            result.persons[row["pk"]] = [
                name
                for name in names
                if row[name] not in (None, "") and row[name] != PERSON_CLEARED[name]
            ]
    return wards


def _record_fields(pks: Sequence[int], result: Result) -> None:
    """Note, per person, which kinds of record text they have; count the records."""
    for path, names in RECORD_TEXT.items():
        target = resolve(path)
        if target is None:
            continue
        for name in names:
            key = f"{path}.{name}"
            for batch in _batches(pks):
                owners = (
                    target.model.objects.filter(**{f"{target.person_lookup}__in": batch})
                    .exclude(**{name: ""})
                    .values_list(target.person_lookup, flat=True)
                )
                for owner in owners:
                    result.records[key] += 1
                    if key not in result.persons[owner]:
                        result.persons[owner].append(key)


def _clear(pks: Sequence[int], today: datetime.date) -> None:
    now = timezone.now()
    for path, names in RECORD_TEXT.items():
        target = resolve(path)
        if target is None:
            continue
        for batch in _batches(pks):
            target.model.objects.filter(**{f"{target.person_lookup}__in": batch}).update(
                **dict.fromkeys(names, ""), updated_at=now
            )
    for batch in _batches(pks):
        # One statement: the right-hand sides read the old row, so the year comes from the
        # birth date that the same statement clears.
        Person.objects.filter(pk__in=batch).update(
            birth_year=Coalesce(ExtractYear("birth_date"), F("birth_year")),
            **PERSON_CLEARED,
            anonymised_on=today,
            version=F("version") + 1,
            updated_at=now,
        )


def anonymise_closed(
    *, years: int, today: datetime.date | None = None, dry_run: bool = False
) -> Result:
    """Anonymise every person whose file was closed more than `years` years before `today`.

    One transaction: the persons are locked, their records' text and their own identifying
    fields cleared, `anonymised_on` set, and one audit event written per person, by the system
    (no actor), naming the cleared fields and never their values. Running it again finds no one
    new. With `dry_run` nothing is written and the result says what would be.
    """
    check_years(years)
    today = today or timezone.localdate()
    result = Result(today=today, cutoff=cutoff_for(years, today), dry_run=dry_run)
    with transaction.atomic():
        persons = due(result.cutoff).order_by("pk")
        if not dry_run:
            persons = persons.select_for_update()
        pks = list(persons.values_list("pk", flat=True))
        wards = _person_fields(pks, result)
        _record_fields(pks, result)
        if dry_run or not pks:
            return result
        _clear(pks, today)
        for pk in pks:
            audit(
                actor=None,
                action=AuditEvent.Action.UPDATE,
                object_type=Person._meta.label_lower,
                object_id=pk,
                unit=wards[pk],
                changes={"anonymised_on": today, "cleared": result.persons[pk]},
            )
    return result
