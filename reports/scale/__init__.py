"""Large deterministic data sets for benchmarks: `seed_demo --scale district|province`.

Both sizes build on the demo (wards.demo, cases.demo, outreach.demo), which `seed_demo` loads
first so the logins and the Đống Đa story exist:

- district: bulk volume added to the demo's former Quận Đống Đa so that its 21 former wards
  (and the five wards they became) total about `DISTRICT`: 200 members, 5,000 persons,
  100,000 contacts, 20,000 activities and 5,000 referrals over 2012–2026;
- province: `PROVINCE`, fifty times that, spread over Hà Nội's other communes, each given a
  synthetic past of former wards and teams (reports.scale.layout).

Everything is drawn from one `random.Random(SEED)` in a fixed order, so the same command on
the same database writes the same rows. Rows go straight to the database in batches
(reports.scale.writer: COPY on PostgreSQL), generated ward by ward, so memory holds one ward's
persons at a time. `factor` scales every count (a test builds 1/100 of a district in seconds).
Nothing is dated after `until`, the day the demo's history ends (cases.demo.until); no
AuditEvent is written for the bulk rows.

The package, in the order of need: `writer` (sinks and COPY), `layout` (wards, teams,
members), `casework` (persons, enrolments, assignments, contacts, milestones), `outreach`
(activities, referrals and their status history).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, fields

from django.db import transaction
from django.db.models import Q

from cases.demo.vocabulary import history_until
from cases.models import Assignment, Contact, Enrollment, Milestone, Person, Programme
from outreach.models import Activity, Referral
from reports.scale.casework import Casework
from reports.scale.layout import Layout, district_layout, province_layout
from reports.scale.outreach import Outreach
from reports.scale.writer import Writer
from wards import demo as wards_demo
from wards.models import AdminUnit, Member

SEED = 20260101
SCALES = ("demo", "district", "province")


@dataclass(frozen=True)
class Volume:
    members: int
    persons: int
    contacts: int
    activities: int
    referrals: int

    def __mul__(self, factor: float) -> Volume:
        return Volume(**{f.name: round(getattr(self, f.name) * factor) for f in fields(self)})

    def __sub__(self, other: Volume) -> Volume:
        return Volume(
            **{f.name: max(0, getattr(self, f.name) - getattr(other, f.name)) for f in fields(self)}
        )


DISTRICT = Volume(members=200, persons=5_000, contacts=100_000, activities=20_000, referrals=5_000)
PROVINCE = DISTRICT * 50


@dataclass
class Totals:
    """Rows written by one run, per table."""

    rows: dict[str, int]

    def __str__(self) -> str:
        return ", ".join(f"{n:,} {name}".replace(",", ".") for name, n in self.rows.items())


def existing(units: list[int]) -> Volume:
    """What the database already holds for these units (the demo's district)."""
    scope = AdminUnit.objects.filter(pk__in=units)
    return Volume(
        members=Member.objects.filter(team__ward__in=scope).count(),
        persons=Person.objects.filter(Q(ward__in=scope) | Q(registered_ward__in=scope)).count(),
        contacts=Contact.objects.filter(ward__in=scope).count(),
        activities=Activity.objects.filter(unit__in=scope).count(),
        referrals=Referral.objects.filter(ward__in=scope).count(),
    )


def district_units() -> list[int]:
    """The demo's former district, its wards and the wards they were merged into."""
    wards = AdminUnit.objects.filter(parent__code=wards_demo.DISTRICT_CODE)
    ids = {pk for row in wards.values_list("pk", "successor_id") for pk in row if pk}
    return sorted({*ids, *wards.values_list("parent_id", flat=True)})


def database_totals() -> Totals:
    """Rows of the main tables in the whole database."""
    counted = (AdminUnit, Member, Person, Enrollment, Assignment, Contact, Milestone, Activity)
    rows = {m._meta.model_name: m.objects.count() for m in counted}
    rows["referral"] = Referral.objects.count()
    return Totals(rows)


def _split(total: int, weights: list[float]) -> list[int]:
    """`total` shared out in proportion to `weights`, the parts adding up to `total`."""
    whole = sum(weights)
    parts, done, given = [], 0.0, 0
    for w in weights:
        done += w
        upto = round(total * done / whole)
        parts.append(upto - given)
        given = upto
    return parts


def _fill(rng: random.Random, writer: Writer, layout: Layout, volume: Volume) -> None:
    programmes = dict(Programme.objects.values_list("code", "pk"))
    casework = Casework(rng, writer, programmes)
    outreach = Outreach(rng, writer)
    weights = [w.weight for w in layout.wards]
    shares = zip(
        layout.wards,
        _split(volume.persons, weights),
        _split(volume.contacts, weights),
        _split(volume.activities, weights),
        _split(volume.referrals, weights),
        strict=True,
    )
    for ward, persons, contacts, activities, referrals in shares:
        drafts = casework.ward(ward, persons, contacts)
        outreach.activities_of(ward, activities)
        outreach.referrals_of(ward, drafts, referrals)
    writer.close()


def _totals(writer: Writer) -> Totals:
    return Totals({s.model._meta.model_name: s.count for s in writer.sinks if s.count})


@transaction.atomic
def seed(
    scale: str, *, until: datetime.date, factor: float = 1.0, communes: int | None = None
) -> Totals:
    """Add the bulk volume of `scale` ("district" or "province") on top of the demo, whose
    history ends on `until` (the day `seed_demo` ran).

    district: enough rows that the demo's former district reaches `DISTRICT` (times
    `factor`: the missing part is scaled); province: `PROVINCE * factor` over the first
    `communes` of Hà Nội's communes without a team (all of them by default)."""
    with history_until(until):
        return _seed(scale, factor, communes)


def _seed(scale: str, factor: float, communes: int | None) -> Totals:
    rng = random.Random(SEED)  # noqa: S311 - repeatable benchmark data, not secrets
    writer = Writer()
    if scale == "district":
        layout = district_layout(rng)
        volume = (DISTRICT - existing(layout.units)) * factor
    elif scale == "province":
        volume = PROVINCE * factor
        layout = province_layout(rng, writer, members=volume.members, communes=communes)
    else:
        raise ValueError(f"Unknown scale {scale!r}; expected 'district' or 'province'.")
    _fill(rng, writer, layout, volume)
    return _totals(writer)
