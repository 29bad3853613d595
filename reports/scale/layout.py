"""Where the volume goes: former wards, the wards they were merged into, teams and members.

`district_layout()` reads the demo's former Quận Đống Đa back from the database. `province
_layout()` writes a synthetic past for Hà Nội's other communes (their codes and names are made
up and say so): each current commune absorbed three to six former wards on 1 July 2025, the
former wards were grouped five communes to a former district, every former ward had a team
from 2012–2013 to 30/06/2025 with some turnover, and every current commune has had a team
since July–August 2025.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from cases.demo.vocabulary import MERGED_ON, ROLE_WEIGHT, STREETS
from reports.scale.writer import Writer
from wards import demo as wards_demo
from wards import services as member_services
from wards.models import AdminUnit, Area, Member, Team

DISSOLVED_ON = wards_demo.DISSOLVED_ON
ALL_STREETS = tuple(sorted({s for streets in STREETS.values() for s in streets}))


@dataclass
class Helper:
    id: int
    joined_on: datetime.date
    left_on: datetime.date | None  # the last day a member (INDICATORS.md)
    weight: float  # how much casework they take (ROLE_WEIGHT)

    def active_on(self, day: datetime.date) -> bool:
        return self.joined_on <= day and (self.left_on is None or self.left_on >= day)


@dataclass
class TeamLayout:
    ward: int
    established_on: datetime.date
    members: list[Helper]

    def helper_on(self, rng: random.Random, day: datetime.date) -> Helper | None:
        active = [m for m in self.members if m.active_on(day)]
        if not active:
            return None
        return rng.choices(active, weights=[m.weight for m in active])[0]


@dataclass
class WardLayout:
    """A former ward, its team, and the current ward (and team) that took it over."""

    old: int
    team: TeamLayout
    areas: list[int]
    new: int
    new_team: TeamLayout
    new_areas: list[int]
    streets: tuple[str, ...]
    weight: float = 1.0
    district: int = 0  # the former district, for partners

    def ward_on(self, day: datetime.date) -> int:
        return self.old if day < MERGED_ON else self.new


@dataclass
class Layout:
    wards: list[WardLayout]
    units: list[int] = field(default_factory=list)  # every unit the layout covers


def _helpers(team: Team) -> list[Helper]:
    return [
        Helper(m.pk, m.joined_on, m.left_on, ROLE_WEIGHT[m.role])
        for m in team.members.order_by("pk")
    ]


def _areas(ward_id: int) -> list[int]:
    return list(Area.objects.filter(ward_id=ward_id).order_by("pk").values_list("pk", flat=True))


def district_layout(rng: random.Random) -> Layout:
    """The demo's 21 former wards, their teams and members, and today's wards."""
    district = AdminUnit.objects.get(code=wards_demo.DISTRICT_CODE)
    wards = []
    new_teams: dict[int, TeamLayout] = {}
    for old in district.children.order_by("code"):
        team = Team.objects.filter(ward=old).order_by("pk").first()
        successor = Team.objects.active().filter(ward_id=old.successor_id).first()
        if team is None or successor is None:
            raise wards_demo.DemoError(f"{old.name} or its successor has no team.")
        if successor.pk not in new_teams:
            new_teams[successor.pk] = TeamLayout(
                successor.ward_id, successor.established_on, _helpers(successor)
            )
        code = old.code.removesuffix(wards_demo.OLD_CODE_SUFFIX)
        wards.append(
            WardLayout(
                old=old.pk,
                team=TeamLayout(old.pk, team.established_on, _helpers(team)),
                areas=_areas(old.pk),
                new=old.successor_id,
                new_team=new_teams[successor.pk],
                new_areas=_areas(old.successor_id),
                streets=STREETS.get(code, ALL_STREETS),
                weight=rng.uniform(0.6, 1.4),
                district=district.pk,
            )
        )
    units = [district.pk, *(w.old for w in wards), *{w.new for w in wards}]
    return Layout(wards, units)


def _day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _tenures(
    rng: random.Random, start: datetime.date, end: datetime.date, changes: int
) -> list[tuple[datetime.date, datetime.date]]:
    """`changes + 1` successive holders of one seat from `start` to `end` (each left_on the
    last day held), a gap of 10–75 days between a departure and the next arrival."""
    spans = []
    joined = start
    for i in range(changes):
        room = (end - joined).days // (changes - i + 1)
        if room < 120:
            break
        left = joined + datetime.timedelta(days=rng.randint(90, room))
        spans.append((joined, left))
        joined = left + datetime.timedelta(days=rng.randint(10, 75))
    spans.append((joined, end))
    return spans


class _Names:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.families = list(wards_demo.FAMILY_NAMES)
        self.family_weights = list(wards_demo.FAMILY_NAMES.values())

    def full(self, sex: str) -> str:
        rng = self.rng
        family = rng.choices(self.families, weights=self.family_weights)[0]
        return (
            f"{family} {rng.choice(wards_demo.MIDDLE_NAMES[sex])} "
            f"{rng.choice(wards_demo.GIVEN_NAMES[sex])}"
        )


def _member(writer: Writer, sink, names: _Names, team: int, role: str, joined, left, reason):
    rng = names.rng
    org = rng.choices(
        list(wards_demo.ORGANISATIONS),
        weights=[spec[0] for spec in wards_demo.ORGANISATIONS.values()],
    )[0]
    _, women, (born_from, born_to) = wards_demo.ORGANISATIONS[org]
    sex = Member.Sex.FEMALE if rng.random() < women else Member.Sex.MALE
    born_to = min(born_to, joined.year - 18)
    stamp = writer.stamp(joined)
    pk = sink.add(
        team,
        names.full(sex),
        sex,
        rng.randint(min(born_from, born_to - 8), born_to),
        f"09{rng.randrange(10**8):08d}",
        role,
        org,
        joined,
        left,
        reason,
        None,
        None,
        stamp,
        stamp,
    )
    return Helper(pk, joined, left, ROLE_WEIGHT[role])


# The columns `_member` writes: the team, the fields a leader edits, then the rest.
MEMBER_FIELDS = (
    "team_id",
    *member_services.MEMBER_FIELDS,
    "left_on",
    "left_reason",
    "user_id",
    "created_by_id",
    "created_at",
    "updated_at",
)


def province_layout(
    rng: random.Random, writer: Writer, *, members: int, communes: int | None = None
) -> Layout:
    """Write a past for Hà Nội's communes that have no team yet (the first `communes` of them
    by code, all by default) with about `members` member rows, and return its layout."""
    province = AdminUnit.objects.get(code=wards_demo.PROVINCE_CODE)
    current = list(
        AdminUnit.objects.filter(parent=province, level=AdminUnit.Level.COMMUNE)
        .exclude(teams__isnull=False)
        .exclude(predecessors__isnull=False)
        .order_by("code")
    )[:communes]
    if not current:
        raise wards_demo.DemoError("Hà Nội has no commune without a team left to fill.")
    units = writer.sink(
        AdminUnit,
        (
            "code",
            "name",
            "level",
            "division_type",
            "parent_id",
            "valid_from",
            "valid_until",
            "successor_id",
            "path",
            "created_at",
            "updated_at",
        ),
    )
    areas = writer.sink(Area, ("ward_id", "name", "kind", "created_at", "updated_at"))
    teams = writer.sink(
        Team,
        (
            "ward_id",
            "name",
            "established_on",
            "decision_no",
            "dissolved_on",
            "contact_due_days",
            "created_by_id",
            "created_at",
            "updated_at",
        ),
    )
    member_sink = writer.sink(Member, MEMBER_FIELDS)
    names = _Names(rng)
    born = writer.stamp(datetime.date(2012, 1, 1))
    merged = writer.stamp(MERGED_ON)
    Kind = AdminUnit.DivisionType

    plan = []  # (commune, former district index, number of former wards)
    for i, commune in enumerate(current):
        plan.append((commune, i // 5, rng.randint(3, 6)))
    old_count = sum(n for _, _, n in plan)
    new_sizes = [rng.randint(8, 10) for _ in current]
    per_old = max(7.0, (members - sum(new_sizes)) / old_count)

    district_ids: dict[int, int] = {}
    district_paths: dict[int, str] = {}
    for commune, d, _ in plan:
        if d in district_ids:
            continue
        urban = commune.division_type == Kind.PHUONG
        code = f"S{d + 1:02d}"
        district_paths[d] = f"{province.path}{code}/"
        district_ids[d] = units.add(
            code,
            f"{'Quận' if urban else 'Huyện'} mẫu số {d + 1} (dữ liệu thử tải)",
            AdminUnit.Level.DISTRICT,
            Kind.QUAN if urban else Kind.HUYEN,
            province.pk,
            None,
            DISSOLVED_ON,
            None,
            district_paths[d],
            born,
            born,
        )

    def add_areas(ward: int, urban: bool, stamp) -> list[int]:
        kind, word = (Area.Kind.TO_DAN_PHO, "Tổ dân phố") if urban else (Area.Kind.THON, "Thôn")
        return [
            areas.add(ward, f"{word} {n}", kind, stamp, stamp)
            for n in range(1, rng.randint(8, 15) + 1)
        ]

    def team_name(ward_name: str) -> str:
        return f"Đội công tác xã hội tình nguyện {ward_name[0].lower()}{ward_name[1:]}"

    wards = []
    all_units = list(district_ids.values())
    carry = 0.0
    for (commune, d, n_old), new_size in zip(plan, new_sizes, strict=True):
        urban = commune.division_type == Kind.PHUONG
        all_units.append(commune.pk)
        new_areas = _areas(commune.pk) or add_areas(commune.pk, urban, merged)
        established = _day(rng, datetime.date(2025, 7, 15), datetime.date(2025, 8, 15))
        new_team_id = teams.add(
            commune.pk, team_name(commune.name), established,
            f"{rng.randint(12, 95)}/QĐ-UBND", None, None, None, merged, merged,
        )  # fmt: skip
        new_members = [
            _member(
                writer,
                member_sink,
                names,
                new_team_id,
                Member.Role.LEADER
                if k == 0
                else Member.Role.DEPUTY
                if k == 1
                else Member.Role.MEMBER,
                established,
                None,
                "",
            )
            for k in range(new_size)
        ]
        new_team = TeamLayout(commune.pk, established, new_members)
        for k in range(n_old):
            code = f"S{d + 1:02d}{commune.code}{k + 1}{wards_demo.OLD_CODE_SUFFIX}"
            name = f"{commune.name} {k + 1} (cũ)"
            old_id = units.add(
                code, name, AdminUnit.Level.COMMUNE, commune.division_type, district_ids[d],
                None, DISSOLVED_ON, commune.pk, f"{district_paths[d]}{code}/", born, born,
            )  # fmt: skip
            all_units.append(old_id)
            founded = _day(rng, datetime.date(2012, 9, 1), datetime.date(2013, 6, 30))
            team_id = teams.add(
                old_id, team_name(name), founded, f"{rng.randint(40, 260)}/QĐ-UBND",
                DISSOLVED_ON, None, None, writer.stamp(founded), writer.stamp(founded),
            )  # fmt: skip
            carry += per_old
            rows = int(carry)
            carry -= rows
            seats = min(rows, rng.randint(7, 10))
            changes = [0] * seats
            for _ in range(rows - seats):
                changes[rng.randrange(1, seats)] += 1  # the leader stays
            helpers = []
            for seat, n_changes in enumerate(changes):
                role = (
                    Member.Role.LEADER
                    if seat == 0
                    else Member.Role.DEPUTY
                    if seat == 1
                    else Member.Role.MEMBER
                )
                spans = _tenures(rng, founded, DISSOLVED_ON, n_changes)
                for i, (joined, left) in enumerate(spans):
                    last = i == len(spans) - 1
                    reason = (
                        wards_demo.DISSOLVED_REASON
                        if last
                        else rng.choice(list(wards_demo.LEFT_REASONS))
                    )
                    helpers.append(
                        _member(writer, member_sink, names, team_id, role, joined, left, reason)
                    )
            wards.append(
                WardLayout(
                    old=old_id,
                    team=TeamLayout(old_id, founded, helpers),
                    areas=add_areas(old_id, urban, born),
                    new=commune.pk,
                    new_team=new_team,
                    new_areas=new_areas,
                    streets=ALL_STREETS,
                    weight=rng.uniform(0.6, 1.4),
                    district=district_ids[d],
                )
            )
        writer.maybe_flush()
    writer.flush()
    return Layout(wards, all_units)
