"""The demo data set of `wards`: a former district, its wards, their teams and the demo logins.

Quận Đống Đa of Hà Nội had 21 wards until the reorganisation of 1 July 2025, when the district
level was abolished and the wards were merged into five of today's wards. The demo keeps that
history: the district and its 21 wards (valid until 30/06/2025, each pointing at the ward that
received most of it), a team per former ward founded in 2012–2013 and dissolved on 30/06/2025,
and a team per current ward founded in July–August 2025, most of its members carried over.

`plan()` draws everything from one seeded `random.Random` and touches no database, so the data
set is the same on every machine and every day; `seed()` writes that plan in bulk and returns a
`Demo` the seeders of the other apps (cases, outreach, reports) build on.
"""

from __future__ import annotations

import base64
import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from wards.models import AdminUnit, Area, Member, Post, Team

SEED = 20250701
PASSWORD = "DongHanh@2026"  # noqa: S105 - the published password of the demo logins

PROVINCE_CODE = "01"  # Thành phố Hà Nội
DISTRICT_CODE = "006"  # GSO code of Quận Đống Đa before 2025
DISTRICT_NAME = "Quận Đống Đa"
OLD_CODE_SUFFIX = "-2025"  # the old ward codes were reused by the 2025 wards
DISSOLVED_ON = datetime.date(2025, 6, 30)
# The old teams' figures the demo is built around: 189 members on this day.
SNAPSHOT_ON = datetime.date(2024, 12, 31)
OLD_ACTIVE_TOTAL = 189
FORMER_MEMBERS = 30

VMQTG = "Phường Văn Miếu - Quốc Tử Giám"
O_CHO_DUA = "Phường Ô Chợ Dừa"
LANG = "Phường Láng"
DONG_DA = "Phường Đống Đa"
KIM_LIEN = "Phường Kim Liên"
SUCCESSORS = (VMQTG, O_CHO_DUA, LANG, DONG_DA, KIM_LIEN)

# The 21 wards of Quận Đống Đa in GSO order with their official codes (the pre-2025 GSO list,
# as shipped by earlier vietnam-provinces releases: 00178 Cát Linh … 00238 Khương Thượng),
# and the current ward that received most of each under Resolution 1656/NQ-UBTVQH15.
#
# Where the ward pages published with the resolution say so, they are followed: Láng takes all
# of Láng Thượng and most of Láng Hạ; Văn Miếu - Quốc Tử Giám all of Khâm Thiên, Văn Chương and
# Thổ Quan and most of Văn Miếu - Quốc Tử Giám; Ô Chợ Dừa most of Ô Chợ Dừa, Hàng Bột and Cát
# Linh (only parts of those two went to Văn Miếu - Quốc Tử Giám); Đống Đa all of Thịnh Quang
# (which had absorbed Ngã Tư Sở on 1 January 2025) and most of Trung Liệt and Quang Trung.
# Nam Đồng, Trung Phụng, Khương Thượng, Phương Liên, Trung Tự, Phương Mai and Kim Liên follow
# the project brief; no source at hand says otherwise.
#
# Simplification: the January 2025 mergers inside the district (Văn Miếu + Quốc Tử Giám,
# Phương Liên + Trung Tự, Thịnh Quang + Ngã Tư Sở, Trung Phụng) are not modelled; all 21 wards
# and their teams last until 30/06/2025.
OLD_WARDS: tuple[tuple[str, str, str], ...] = (
    ("00178", "Phường Cát Linh", O_CHO_DUA),
    ("00181", "Phường Văn Miếu", VMQTG),
    ("00184", "Phường Quốc Tử Giám", VMQTG),
    ("00187", "Phường Láng Thượng", LANG),
    ("00190", "Phường Ô Chợ Dừa", O_CHO_DUA),
    ("00193", "Phường Văn Chương", VMQTG),
    ("00196", "Phường Hàng Bột", O_CHO_DUA),
    ("00199", "Phường Láng Hạ", LANG),
    ("00202", "Phường Khâm Thiên", VMQTG),
    ("00205", "Phường Thổ Quan", VMQTG),
    ("00208", "Phường Nam Đồng", O_CHO_DUA),
    ("00211", "Phường Trung Phụng", KIM_LIEN),
    ("00214", "Phường Quang Trung", DONG_DA),
    ("00217", "Phường Trung Liệt", DONG_DA),
    ("00220", "Phường Phương Liên", KIM_LIEN),
    ("00223", "Phường Thịnh Quang", DONG_DA),
    ("00226", "Phường Trung Tự", KIM_LIEN),
    ("00229", "Phường Kim Liên", KIM_LIEN),
    ("00232", "Phường Phương Mai", KIM_LIEN),
    ("00235", "Phường Ngã Tư Sở", DONG_DA),
    ("00238", "Phường Khương Thượng", DONG_DA),
)


@dataclass(frozen=True)
class Login:
    username: str
    role_vi: str
    role_en: str
    unit: str


LOGINS = (
    Login("tnv.lang", "Tình nguyện viên", "Volunteer", LANG),
    Login("doitruong.lang", "Đội trưởng", "Team leader", LANG),
    Login("canbo.lang", "Cán bộ UBND phường", "Commune officer", LANG),
    Login(
        "giamsat.dongda",
        "Cán bộ giám sát cấp quận",
        "District supervisor",
        f"{DISTRICT_NAME} (đến 30/06/2025)",
    ),
    Login(
        "giamsat.hanoi",
        "Cán bộ giám sát cấp thành phố",
        "Province supervisor",
        "Thành phố Hà Nội",
    ),
    Login("doitruong.kimlien", "Đội trưởng", "Team leader", KIM_LIEN),
    Login("admin", "Quản trị hệ thống", "Administrator", "Toàn hệ thống"),
)
USERNAMES = tuple(login.username for login in LOGINS)
# The demo supervisors and administrator pass a TOTP second factor (wards/twofactor.py). Their
# devices share this published key, as the logins share the password: `manage.py demo_otp`
# prints the current code, or the key goes into any authenticator app.
DEMO_TOTP_KEY = "446f6e6748616e682d44656d6f2d544f54502d31"
SECOND_FACTOR_LOGINS = ("giamsat.dongda", "giamsat.hanoi", "admin")

# Logins with a post rather than a membership: username, role, unit, title, since.
STAFF = (
    (
        "canbo.lang",
        Post.Role.OFFICER,
        LANG,
        "Công chức Văn hóa - Xã hội",
        datetime.date(2025, 7, 1),
    ),
    (
        "giamsat.dongda",
        Post.Role.SUPERVISOR,
        "district",
        "Chuyên viên Phòng Lao động - Thương binh và Xã hội",
        datetime.date(2015, 1, 1),
    ),
    (
        "giamsat.hanoi",
        Post.Role.SUPERVISOR,
        "province",
        "Chuyên viên phòng, chống tệ nạn xã hội",
        datetime.date(2018, 3, 1),
    ),
)


# ---------------------------------------------------------------------------------------------
# The plan: plain data, no database


@dataclass
class MemberPlan:
    person: int  # the same number on every row of one person (old team, then new team)
    full_name: str
    sex: str
    birth_year: int
    phone: str
    organisation: str
    role: str
    joined_on: datetime.date
    left_on: datetime.date | None = None
    left_reason: str = ""
    login: str = ""


@dataclass
class TeamPlan:
    ward: str  # old ward code without suffix, or the name of a current ward
    name: str
    established_on: datetime.date
    decision_no: str
    dissolved_on: datetime.date | None
    members: list[MemberPlan] = field(default_factory=list)


@dataclass
class StaffPlan:
    username: str
    family: str  # family and middle names
    given: str
    role: str
    unit: str  # "province", "district" or a current ward's name
    title: str
    started_on: datetime.date


@dataclass
class Plan:
    old_teams: list[TeamPlan]
    new_teams: list[TeamPlan]
    areas: dict[str, int]  # ward (as in TeamPlan.ward) -> number of residential groups
    staff: list[StaffPlan]


FAMILY_NAMES = {
    "Nguyễn": 36, "Trần": 11, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Vũ": 4, "Phan": 3, "Đặng": 2,
    "Bùi": 2, "Đỗ": 2, "Ngô": 2, "Dương": 1, "Lý": 1, "Đinh": 1, "Trịnh": 1, "Đào": 1,
    "Lương": 1, "Tạ": 1, "Mai": 1, "Hà": 1,
}  # fmt: skip
MIDDLE_NAMES = {
    Member.Sex.MALE: (
        "Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Mạnh", "Xuân", "Công", "Ngọc",
        "Tiến", "Duy", "Thanh", "Trọng", "Việt", "Anh", "Đình",
    ),
    Member.Sex.FEMALE: (
        "Thị", "Thị", "Thị", "Thị", "Thu", "Thanh", "Ngọc", "Minh", "Thúy", "Kim", "Hồng",
        "Phương", "Bích", "Thùy", "Diệu", "Hải",
    ),
}  # fmt: skip
GIVEN_NAMES = {
    Member.Sex.MALE: (
        "Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Sơn", "Thắng", "Cường", "Hoàng", "Quân",
        "Minh", "Trung", "Bình", "Đạt", "Phong", "Khánh", "Hiếu", "Tùng", "Thành", "Huy", "Việt",
        "Lâm", "Kiên", "Toàn", "Hưng", "Thịnh", "Chiến", "Nghĩa", "Tâm", "Thái", "Lợi",
    ),
    Member.Sex.FEMALE: (
        "Hoa", "Lan", "Hương", "Hằng", "Mai", "Linh", "Thủy", "Nga", "Huyền", "Trang", "Hà",
        "Yến", "Thảo", "Loan", "Phương", "Hạnh", "Dung", "Vân", "Nhung", "Oanh", "Hiền", "Tâm",
        "Liên", "Ngọc", "Chi", "Quyên", "Giang", "Hồng", "Lý", "Thoa", "Tuyết", "Xuân",
    ),
}  # fmt: skip

Org = Member.Organisation
# organisation: (weight, share of women, birth years)
ORGANISATIONS = {
    Org.WOMEN: (22, 1.0, (1955, 1990)),
    Org.YOUTH: (15, 0.45, (1982, 1995)),
    Org.FRONT: (14, 0.5, (1950, 1980)),
    Org.VETERANS: (12, 0.05, (1950, 1967)),
    Org.POLICE: (10, 0.15, (1968, 1993)),
    Org.HEALTH: (9, 0.75, (1960, 1993)),
    Org.FARMERS: (1, 0.4, (1955, 1980)),
    Org.OTHER: (16, 0.55, (1950, 1992)),
}
LEADER_ORGANISATIONS = {Org.FRONT: 40, Org.WOMEN: 25, Org.VETERANS: 20, Org.POLICE: 15}
LEFT_REASONS = {
    "Chuyển nơi cư trú": 8,
    "Sức khỏe yếu, xin thôi tham gia": 6,
    "Chuyển công tác": 5,
    "Theo nguyện vọng cá nhân": 4,
    "Được phân công nhiệm vụ khác": 4,
    "Từ trần": 1,
}
DISSOLVED_REASON = "Đội giải thể khi sắp xếp đơn vị hành chính (Nghị quyết 1656/NQ-UBTVQH15)"


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


class _People:
    """Invents people with Vietnamese names, unique names and unique phone numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.names: set[str] = set()
        self.phones: set[str] = set()
        self.count = 0

    def name(self, sex: str) -> tuple[str, str]:
        rng = self.rng
        while True:
            family = _pick(rng, FAMILY_NAMES)
            middle = rng.choice(MIDDLE_NAMES[sex])
            given = rng.choice(GIVEN_NAMES[sex])
            full = f"{family} {middle} {given}"
            if middle != given and full not in self.names:
                self.names.add(full)
                return f"{family} {middle}", given

    def phone(self) -> str:
        while True:
            phone = f"09{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def member(
        self, *, joined_on: datetime.date, role: str, organisation: str | None = None
    ) -> MemberPlan:
        rng = self.rng
        if organisation is None:
            organisation = _pick(rng, {org: spec[0] for org, spec in ORGANISATIONS.items()})
        _, women, (born_from, born_to) = ORGANISATIONS[organisation]
        sex = Member.Sex.FEMALE if rng.random() < women else Member.Sex.MALE
        born_to = min(born_to, 1995, joined_on.year - 18)  # 18 or older when joining
        born_from = min(born_from, born_to - 8)
        family, given = self.name(sex)
        self.count += 1
        return MemberPlan(
            person=self.count,
            full_name=f"{family} {given}",
            sex=sex,
            birth_year=rng.randint(born_from, born_to),
            phone=self.phone(),
            organisation=organisation,
            role=role,
            joined_on=joined_on,
        )


def _team_sizes(rng: random.Random) -> list[int]:
    """21 sizes between 6 and 10 adding up to 189."""
    sizes = [OLD_ACTIVE_TOTAL // len(OLD_WARDS)] * len(OLD_WARDS)
    for _ in range(40):
        give, take = rng.randrange(len(sizes)), rng.randrange(len(sizes))
        if give != take and sizes[give] > 6 and sizes[take] < 10:
            sizes[give] -= 1
            sizes[take] += 1
    assert sum(sizes) == OLD_ACTIVE_TOTAL
    return sizes


def _old_team(
    rng: random.Random, people: _People, code: str, name: str, size: int, formers: int
) -> TeamPlan:
    established = _day_between(rng, datetime.date(2012, 9, 1), datetime.date(2013, 6, 30))
    team = TeamPlan(
        ward=code,
        name=f"Đội công tác xã hội tình nguyện {name[0].lower()}{name[1:]}",
        established_on=established,
        decision_no=f"{rng.randint(40, 260)}/QĐ-UBND",
        dissolved_on=DISSOLVED_ON,
    )
    deputies = 2 if size >= 8 and rng.random() < 0.5 else 1
    roles = [Member.Role.LEADER] + [Member.Role.DEPUTY] * deputies
    roles += [Member.Role.MEMBER] * (size - len(roles))
    replaced = set(rng.sample(range(size), formers))
    for slot, role in enumerate(roles):
        # Most founders join on the day of the founding decision, a few in the months after.
        joined = established
        if rng.random() < 0.2:
            joined += datetime.timedelta(days=rng.randint(20, 200))
        organisation = _pick(rng, LEADER_ORGANISATIONS) if role == Member.Role.LEADER else None
        founder = people.member(joined_on=joined, role=role, organisation=organisation)
        team.members.append(founder)
        if slot in replaced:
            first = max(datetime.date(2014, 1, 1), joined + datetime.timedelta(days=365))
            founder.left_on = _day_between(rng, first, datetime.date(2024, 9, 30))
            founder.left_reason = _pick(rng, LEFT_REASONS)
            successor_joined = founder.left_on + datetime.timedelta(days=rng.randint(10, 75))
            team.members.append(people.member(joined_on=successor_joined, role=role))
    for member in team.members:
        if member.left_on is None:
            member.left_on = DISSOLVED_ON
            member.left_reason = DISSOLVED_REASON
    return team


def _new_team(
    rng: random.Random, people: _People, ward: str, size: int, pool: list[MemberPlan]
) -> TeamPlan:
    established = _day_between(rng, datetime.date(2025, 7, 15), datetime.date(2025, 8, 15))
    team = TeamPlan(
        ward=ward,
        name=f"Đội công tác xã hội tình nguyện {ward[0].lower()}{ward[1:]}",
        established_on=established,
        decision_no=f"{rng.randint(12, 95)}/QĐ-UBND",
        dissolved_on=None,
    )
    leaders = [m for m in pool if m.role == Member.Role.LEADER]
    deputies = [m for m in pool if m.role == Member.Role.DEPUTY]
    others = [m for m in pool if m.role == Member.Role.MEMBER]
    carried = round(size * 0.8)
    chosen = [(rng.choice(leaders), Member.Role.LEADER)]
    n_deputies = rng.randint(1, 2)
    chosen += [(m, Member.Role.DEPUTY) for m in rng.sample(deputies, n_deputies)]
    chosen += [(m, Member.Role.MEMBER) for m in rng.sample(others, carried - len(chosen))]
    for old, role in chosen:
        team.members.append(
            MemberPlan(
                person=old.person,
                full_name=old.full_name,
                sex=old.sex,
                birth_year=old.birth_year,
                phone=old.phone,
                organisation=old.organisation,
                role=role,
                joined_on=established,
            )
        )
    for _ in range(size - carried):
        team.members.append(people.member(joined_on=established, role=Member.Role.MEMBER))
    return team


def plan() -> Plan:
    """The whole demo, drawn from one seeded generator: the same on every run."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    people = _People(rng)

    sizes = _team_sizes(rng)
    formers = [0] * len(OLD_WARDS)
    while sum(formers) < FORMER_MEMBERS:
        i = rng.randrange(len(OLD_WARDS))
        if formers[i] < 3:
            formers[i] += 1
    old_teams = [
        _old_team(rng, people, code, name, size, n)
        for (code, name, _), size, n in zip(OLD_WARDS, sizes, formers, strict=True)
    ]

    # One team above the recommended ten members, to show the size warning.
    new_sizes = [12] + [rng.randint(8, 10) for _ in SUCCESSORS[1:]]
    new_teams = []
    for ward, size in zip(SUCCESSORS, new_sizes, strict=True):
        codes = {code for code, _, successor in OLD_WARDS if successor == ward}
        pool = [
            m
            for team in old_teams
            if team.ward in codes
            for m in team.members
            if m.left_reason == DISSOLVED_REASON
        ]
        new_teams.append(_new_team(rng, people, ward, size, pool))

    areas = {code: rng.randint(8, 15) for code, _, _ in OLD_WARDS}
    areas.update({ward: rng.randint(8, 15) for ward in SUCCESSORS})

    # Logins of members: every row of the person is linked, so their history stays theirs.
    by_ward = {team.ward: team for team in new_teams}
    lang, kim_lien = by_ward[LANG], by_ward[KIM_LIEN]
    carried = {m.person for team in old_teams for m in team.members}
    volunteer = next(
        m for m in lang.members if m.role == Member.Role.MEMBER and m.person in carried
    )
    logins = {
        volunteer.person: "tnv.lang",
        next(m for m in lang.members if m.role == Member.Role.LEADER).person: "doitruong.lang",
        next(m for m in kim_lien.members if m.role == Member.Role.LEADER).person: (
            "doitruong.kimlien"
        ),
    }
    for team in old_teams + new_teams:
        for m in team.members:
            m.login = logins.get(m.person, "")

    staff = []
    for username, role, unit, title, started_on in STAFF:
        sex = Member.Sex.FEMALE if rng.random() < 0.6 else Member.Sex.MALE
        family, given = people.name(sex)
        staff.append(StaffPlan(username, family, given, role, unit, title, started_on))

    return Plan(old_teams=old_teams, new_teams=new_teams, areas=areas, staff=staff)


# ---------------------------------------------------------------------------------------------
# Writing the plan


class DemoError(Exception):
    pass


@dataclass
class Demo:
    """What the seeders of the other apps need to build on."""

    province: AdminUnit
    district: AdminUnit
    old_wards: list[AdminUnit]  # in GSO order; `successor` set
    new_wards: list[AdminUnit]  # in the order of SUCCESSORS
    areas: dict[int, list[Area]]  # ward id -> its residential groups
    old_teams: list[Team]
    new_teams: list[Team]
    members: dict[int, list[Member]]  # team id -> every member row, former ones included
    users: dict[str, object]  # username -> User


def demo_totp_secret() -> str:
    """The demo key in base32, as authenticator apps take it."""
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY)).decode()


def enrol_second_factor(users) -> None:
    """Give each user a confirmed TOTP device with the published demo key."""
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=user, name="Ứng dụng xác thực (mẫu)", key=DEMO_TOTP_KEY, confirmed=True)
        for user in users
    )


def second_factor_hint() -> str:
    """What `seed_demo` prints under the logins: how a reviewer passes the second factor."""
    names = ", ".join(SECOND_FACTOR_LOGINS)
    return (
        f"Second factor for {names}: after the password, enter the 6-digit code printed by "
        "`DEBUG=1 .venv/bin/python manage.py demo_otp <username>` (DEBUG only), or add the "
        f"demo key {demo_totp_secret()} to an authenticator app."
    )


def exists() -> bool:
    """Whether the demo has been loaded: the former district is there."""
    return AdminUnit.objects.filter(code=DISTRICT_CODE).exists()


def missing_successors() -> list[str]:
    """The current wards the demo needs that load_units has not loaded yet."""
    found = set(
        AdminUnit.objects.filter(
            parent__code=PROVINCE_CODE, level=AdminUnit.Level.COMMUNE, name__in=SUCCESSORS
        ).values_list("name", flat=True)
    )
    return [name for name in SUCCESSORS if name not in found]


def _full_name(login: str, plan_: Plan) -> tuple[str, str]:
    """(last_name, first_name) of a login: family and middle names, given name."""
    for staff in plan_.staff:
        if staff.username == login:
            return staff.family, staff.given
    for team in plan_.new_teams:
        for m in team.members:
            if m.login == login:
                family, _, given = m.full_name.rpartition(" ")
                return family, given
    return "", ""


@transaction.atomic
def seed() -> Demo:
    """Write the demo units, areas, teams, members, logins and posts. Not re-runnable."""
    if exists():
        raise DemoError(f"The demo data already exists ({DISTRICT_NAME}, code {DISTRICT_CODE}).")
    missing = missing_successors()
    if missing:
        raise DemoError(f"Load Hà Nội's communes first (load_units); missing: {missing}.")
    User = get_user_model()
    taken = sorted(User.objects.filter(username__in=USERNAMES).values_list("username", flat=True))
    if taken:
        raise DemoError(f"These demo logins already exist: {taken}.")

    p = plan()
    province = AdminUnit.objects.get(code=PROVINCE_CODE)
    new_wards = {
        u.name: u
        for u in AdminUnit.objects.filter(
            parent=province, level=AdminUnit.Level.COMMUNE, name__in=SUCCESSORS
        )
    }
    busy = Team.objects.active().filter(ward__in=new_wards.values())
    if busy.exists():
        raise DemoError(f"These wards already have a team: {sorted(t.ward.name for t in busy)}.")

    district = AdminUnit(
        code=DISTRICT_CODE,
        name=DISTRICT_NAME,
        level=AdminUnit.Level.DISTRICT,
        division_type=AdminUnit.DivisionType.QUAN,
        parent=province,
        valid_until=DISSOLVED_ON,
    )
    district.save()
    AdminUnit.objects.bulk_create(
        [
            AdminUnit(
                code=f"{code}{OLD_CODE_SUFFIX}",
                name=name,
                level=AdminUnit.Level.COMMUNE,
                division_type=AdminUnit.DivisionType.PHUONG,
                parent=district,
                path=f"{district.path}{code}{OLD_CODE_SUFFIX}/",
                valid_until=DISSOLVED_ON,
                successor=new_wards[successor],
            )
            for code, name, successor in OLD_WARDS
        ]
    )
    old_wards = {
        u.code.removesuffix(OLD_CODE_SUFFIX): u
        for u in AdminUnit.objects.filter(parent=district).select_related("successor")
    }
    units = {**old_wards, **new_wards}  # keyed as TeamPlan.ward

    Area.objects.bulk_create(
        Area(ward=units[ward], name=f"Tổ dân phố {n}", kind=Area.Kind.TO_DAN_PHO)
        for ward, count in p.areas.items()
        for n in range(1, count + 1)
    )

    users = {}
    for login in LOGINS:
        family, given = _full_name(login.username, p)
        # Vietnamese names read family name first; Django's get_full_name() puts first_name
        # first, so the whole name goes there.
        full_name = f"{family} {given}".strip()
        if login.username == "admin":
            users["admin"] = User.objects.create_superuser(
                "admin", "", PASSWORD, first_name="Quản trị Hệ thống"
            )
        else:
            users[login.username] = User.objects.create_user(
                login.username, password=PASSWORD, first_name=full_name
            )
    admin = users["admin"]
    enrol_second_factor([users[name] for name in SECOND_FACTOR_LOGINS])

    teams = {}
    for t in p.old_teams + p.new_teams:
        teams[id(t)] = Team.objects.create(
            ward=units[t.ward],
            name=t.name,
            established_on=t.established_on,
            decision_no=t.decision_no,
            dissolved_on=t.dissolved_on,
            created_by=admin,
        )
    Member.objects.bulk_create(
        Member(
            team=teams[id(t)],
            full_name=m.full_name,
            sex=m.sex,
            birth_year=m.birth_year,
            phone=m.phone,
            role=m.role,
            organisation=m.organisation,
            joined_on=m.joined_on,
            left_on=m.left_on,
            left_reason=m.left_reason,
            user=users.get(m.login),
            created_by=admin,
        )
        for t in p.old_teams + p.new_teams
        for m in t.members
    )

    post_units = {"province": province, "district": district, **new_wards}
    Post.objects.bulk_create(
        Post(
            user=users[s.username],
            unit=post_units[s.unit],
            role=s.role,
            title=s.title,
            started_on=s.started_on,
        )
        for s in p.staff
    )

    members: dict[int, list[Member]] = {}
    for m in Member.objects.filter(team__in=teams.values()).order_by("team_id", "pk"):
        members.setdefault(m.team_id, []).append(m)
    areas: dict[int, list[Area]] = {}
    for a in Area.objects.filter(ward__in=units.values()).order_by("ward_id", "pk"):
        areas.setdefault(a.ward_id, []).append(a)
    return Demo(
        province=province,
        district=district,
        old_wards=[old_wards[code] for code, _, _ in OLD_WARDS],
        new_wards=[new_wards[name] for name in SUCCESSORS],
        areas=areas,
        old_teams=[teams[id(t)] for t in p.old_teams],
        new_teams=[teams[id(t)] for t in p.new_teams],
        members=members,
        users=users,
    )
