"""Load today's provinces and communes from the vietnam-provinces package."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from vietnam_provinces import Province, Ward

from wards.models import AdminUnit

# The 34 provinces and 3,321 communes of the package took effect on 1 July 2025.
COMMUNES_VALID_FROM = datetime.date(2025, 7, 1)

DIVISION_TYPES = {
    "tỉnh": AdminUnit.DivisionType.TINH,
    "thành phố trung ương": AdminUnit.DivisionType.THANH_PHO_TW,
    "phường": AdminUnit.DivisionType.PHUONG,
    "xã": AdminUnit.DivisionType.XA,
    "đặc khu": AdminUnit.DivisionType.DAC_KHU,
}

# Fields the package decides; anything else (valid_from, successor...) is left to the admin.
SYNCED_FIELDS = ("name", "level", "division_type", "parent_id", "path")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def province_code(code) -> str:
    return f"{int(code):02d}"


def commune_code(code) -> str:
    return f"{int(code):05d}"


def _division_type(value) -> str:
    value = getattr(value, "value", value)
    try:
        return DIVISION_TYPES[value]
    except KeyError:
        raise CommandError(f"Unknown division type {value!r} in vietnam-provinces.") from None


def _sync(wanted: list[AdminUnit], existing: dict[str, AdminUnit], counts: Counts) -> None:
    """Create the units that are missing and update those that differ, in bulk."""
    now = timezone.now()
    missing, changed = [], []
    for unit in wanted:
        current = existing.get(unit.code)
        if current is None:
            missing.append(unit)
            continue
        fields = [f for f in SYNCED_FIELDS if getattr(current, f) != getattr(unit, f)]
        if not fields:
            counts.unchanged += 1
            continue
        for f in fields:
            setattr(current, f, getattr(unit, f))
        current.updated_at = now
        changed.append(current)
    if missing:
        AdminUnit.objects.bulk_create(missing, batch_size=500)
    if changed:
        AdminUnit.objects.bulk_update(changed, [*SYNCED_FIELDS, "updated_at"], batch_size=500)
    counts.created += len(missing)
    counts.updated += len(changed)


class Command(BaseCommand):
    help = (
        "Load today's 34 provinces and 3,321 communes from the installed vietnam-provinces "
        "package. Units are matched by official code: a missing unit is created; a unit whose "
        "name, division type or parent differs from the package is updated; nothing is ever "
        "deleted and no primary key changes, so teams and records stay linked. Units that are "
        "not in the package (former districts and wards) are left alone. --province limits the "
        "run to the given province codes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            nargs="+",
            action="extend",
            default=[],
            metavar="CODE",
            help="Only these provinces (two-digit codes, e.g. 01 79) and their communes.",
        )

    def handle(self, *args, province: list[str], **options) -> None:
        provinces = sorted(Province.iter_all(), key=lambda p: int(p.code))
        if province:
            try:
                only = {province_code(code) for code in province}
            except ValueError:
                raise CommandError(f"Province codes are numbers, not {province!r}.") from None
            unknown = only - {province_code(p.code) for p in provinces}
            if unknown:
                raise CommandError(f"No such province in vietnam-provinces: {sorted(unknown)}.")
            provinces = [p for p in provinces if province_code(p.code) in only]
        codes = {province_code(p.code) for p in provinces}
        wards = sorted(
            (w for w in Ward.iter_all() if province_code(w.province_code) in codes),
            key=lambda w: int(w.code),
        )

        counts = Counts()
        with transaction.atomic():
            existing = {
                u.code: u
                for u in AdminUnit.objects.only(
                    "pk", "code", *[f.removesuffix("_id") for f in SYNCED_FIELDS]
                )
            }
            _sync(
                [
                    AdminUnit(
                        code=province_code(p.code),
                        name=p.name,
                        level=AdminUnit.Level.PROVINCE,
                        division_type=_division_type(p.division_type),
                        parent_id=None,
                        path=f"/{province_code(p.code)}/",
                    )
                    for p in provinces
                ],
                existing,
                counts,
            )
            parents = {
                u.code: u
                for u in AdminUnit.objects.filter(code__in=codes).only("pk", "code", "path")
            }
            communes = []
            for w in wards:
                parent = parents[province_code(w.province_code)]
                code = commune_code(w.code)
                communes.append(
                    AdminUnit(
                        code=code,
                        name=w.name,
                        level=AdminUnit.Level.COMMUNE,
                        division_type=_division_type(w.division_type),
                        parent_id=parent.pk,
                        path=f"{parent.path}{code}/",
                        valid_from=COMMUNES_VALID_FROM,
                    )
                )
            _sync(communes, existing, counts)

        self.stdout.write(
            f"{len(provinces)} provinces and {len(wards)} communes: {counts.created} created, "
            f"{counts.updated} updated, {counts.unchanged} unchanged."
        )
