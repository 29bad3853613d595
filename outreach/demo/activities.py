"""The teams' notebooks: what they write and how often (rates, titles, audiences, schools),
what every notebook looks up (`_Context`) and one team's notebook month by month
(`_Notebook`).
"""

from __future__ import annotations

import calendar
import datetime
import math
import random
from collections import defaultdict

from outreach.demo.partners import _Partners
from outreach.demo.plans import ActivityPlan, PartnerKey
from outreach.demo.vocabulary import (
    AK,
    CLUB_CODES,
    FAR,
    MERGED_ON,
    TET,
    _between,
    _days,
    _lower,
    _merged_into,
    _pick,
    _poisson,
    until,
)
from outreach.models import Partner
from wards import demo as wards_demo

# Gatherings were banned (social distancing in Hà Nội); broadcasts went on.
NO_GATHERINGS = (
    (datetime.date(2020, 2, 1), datetime.date(2020, 4, 30)),
    (datetime.date(2021, 5, 1), datetime.date(2021, 9, 30)),
)
GATHERINGS = frozenset(
    {
        AK.COMMUNITY_MEETING,
        AK.SCHOOL_TALK,
        AK.SEMINAR,
        AK.FILM,
        AK.TRAINING,
        AK.CLUB_SESSION,
        AK.OTHER,
    }
)
SCHOOL_MONTHS = (1, 3, 4, 5, 9, 10, 11, 12)

# Per old ward and month: how many lines of each kind, on average (a Poisson draw). Today's
# wards, three to five old wards each, write about three times as many.
RATES = {
    AK.COMMUNITY_MEETING: 0.45,
    AK.SCHOOL_TALK: 0.25,  # in term time
    AK.LOUDSPEAKER: 0.3,
    AK.SEMINAR: 0.12,
    AK.FILM: 0.08,
    AK.LEAFLETS: 0.2,
    AK.ARTICLE: 0.2,
    AK.BANNER: 0.05,  # besides June and Tết
    AK.PATROL: 0.7,
    AK.INSPECTION: 0.3,
    AK.POLICE_TIP: 0.35,
    AK.OTHER: 0.12,
}
NEW_WARD_SCALE = 3.0
# Broadcasts whose audience the notebook estimates («khoảng 1.535 lượt người»): the share of
# lines that give one, and the range of listeners per session.
LISTENERS = {AK.LOUDSPEAKER: (0.3, 30, 100), AK.RADIO: (0.08, 40, 120)}
# June is the drug-prevention action month (26/6 the international day): more of everything.
JUNE = {AK.COMMUNITY_MEETING: 2.5, AK.LOUDSPEAKER: 3.0, AK.LEAFLETS: 2.5, AK.SEMINAR: 2.0}

# Schools where the teams give talks, by old ward (today's wards use their predecessors').
SCHOOLS = {
    "00178": ("Trường THCS Cát Linh", "Trường Tiểu học Cát Linh"),
    "00181": ("Trường THCS Văn Miếu", "Trường Tiểu học Văn Miếu"),
    "00184": ("Trường THCS Phan Huy Chú", "Trường Tiểu học Quốc Tử Giám"),
    "00187": ("Trường THCS Láng Thượng", "Trường THPT Đống Đa", "Trường Tiểu học Láng Thượng"),
    "00190": ("Trường THCS Ô Chợ Dừa", "Trường Tiểu học La Thành"),
    "00193": ("Trường THCS Văn Chương", "Trường THCS Huy Văn"),
    "00196": ("Trường THCS Bế Văn Đàn", "Trường Tiểu học Hàng Bột"),
    "00199": ("Trường THCS Láng Hạ", "Trường THCS Thái Thịnh", "Trường THPT Lê Quý Đôn"),
    "00202": ("Trường THCS Khâm Thiên", "Trường Tiểu học Khâm Thiên"),
    "00205": ("Trường THCS Thổ Quan", "Trường Tiểu học Thổ Quan"),
    "00208": ("Trường THCS Nam Đồng", "Trường Tiểu học Nam Đồng"),
    "00211": ("Trường THCS Trung Phụng", "Trường Tiểu học Trung Phụng"),
    "00214": ("Trường THCS Quang Trung", "Trường THPT Quang Trung - Đống Đa"),
    "00217": ("Trường THCS Trung Liệt", "Trường Tiểu học Trung Liệt"),
    "00220": ("Trường THCS Phương Liên", "Trường Tiểu học Phương Liên"),
    "00223": ("Trường THCS Thịnh Quang", "Trường Tiểu học Thịnh Quang"),
    "00226": ("Trường THCS Trung Tự", "Trường Tiểu học Trung Tự"),
    "00229": ("Trường THCS Nguyễn Trường Tộ", "Trường THPT Kim Liên"),
    "00232": ("Trường THCS Phương Mai", "Trường Tiểu học Phương Mai"),
    "00235": ("Trường THCS Ngã Tư Sở", "Trường Tiểu học Ngã Tư Sở"),
    "00238": ("Trường THCS Khương Thượng", "Trường THCS Tô Vĩnh Diện"),
}
AUDIENCES = {
    AK.COMMUNITY_MEETING: (
        "Nhân dân tổ dân phố", "Hội viên Hội Liên hiệp Phụ nữ", "Hội viên Hội Cựu chiến binh",
        "Đoàn viên thanh niên", "Hội viên Hội Người cao tuổi", "Các hộ kinh doanh, nhà trọ",
    ),
    AK.SCHOOL_TALK: ("Học sinh khối 8, 9", "Học sinh khối 6, 7", "Học sinh toàn trường"),
    AK.FILM: ("Nhân dân tổ dân phố", "Thanh thiếu niên, học sinh"),
    AK.TRAINING: ("Thành viên Đội, cán bộ tổ dân phố", "Thành viên Đội, hội viên các đoàn thể"),
}  # fmt: skip
TITLES = {
    AK.COMMUNITY_MEETING: (
        "Tuyên truyền phòng, chống ma túy tại họp tổ dân phố",
        "Lồng ghép tuyên truyền tác hại của ma túy tổng hợp trong sinh hoạt chi hội",
        "Tuyên truyền Luật Phòng, chống ma túy năm 2021",
        "Tuyên truyền phòng, chống mua bán người và tệ nạn mại dâm",
        "Tuyên truyền tác hại của thuốc lá điện tử, khí cười",
    ),
    AK.SCHOOL_TALK: (
        "Ngoại khóa phòng, chống ma túy trong học đường",
        "Tuyên truyền tác hại của ma túy tổng hợp, thuốc lá điện tử cho học sinh",
        "Chương trình «Nói không với ma túy» tại trường học",
    ),
    AK.RADIO: (
        "Phát thanh tuyên truyền phòng, chống ma túy trên đài truyền thanh phường",
        "Phát thanh tin, bài về phòng, chống tệ nạn xã hội",
    ),
    AK.LOUDSPEAKER: (
        "Loa lưu động tuyên truyền phòng, chống ma túy",
        "Loa lưu động tuyên truyền Tháng hành động phòng, chống ma túy",
    ),
    AK.FILM: (
        "Chiếu phim tài liệu về tác hại của ma túy",
        "Chiếu phóng sự về phòng, chống mua bán người",
    ),
    AK.LEAFLETS: (
        "Phát tờ rơi phòng, chống ma túy đến các hộ gia đình",
        "Phát tờ rơi về tác hại của ma túy tổng hợp",
        "Phát tờ rơi phòng, chống mua bán người",
    ),
    AK.ARTICLE: (
        "Viết tin, bài trên trang thông tin điện tử phường",
        "Tin, bài trên bảng tin khu dân cư",
    ),
    AK.PLEDGE: ("Ký cam kết gia đình không có người vi phạm pháp luật về ma túy",),
    AK.TRAINING: (
        "Tập huấn kỹ năng tư vấn, hỗ trợ người sử dụng ma túy",
        "Tập huấn nghiệp vụ quản lý người sau cai nghiện",
        "Tập huấn kỹ năng truyền thông phòng, chống ma túy",
        "Tập huấn kỹ năng hỗ trợ nạn nhân bị mua bán trở về",
    ),
    AK.PATROL: (
        "Phối hợp Công an phường tuần tra, rà soát địa bàn",
        "Rà soát người sử dụng trái phép chất ma túy trên địa bàn",
    ),
    AK.INSPECTION: ("Phối hợp kiểm tra cơ sở kinh doanh karaoke, nhà nghỉ",),
    AK.POLICE_TIP: (
        "Tin báo về điểm nghi tụ tập sử dụng trái phép chất ma túy",
        "Tin báo về đối tượng nghi mua bán trái phép chất ma túy",
        "Tin báo về người sử dụng ma túy có biểu hiện loạn thần",
    ),
}
# Seminars: title, audience.
SEMINARS = (
    ("Tọa đàm «Gia đình với công tác phòng, chống ma túy»", "Các gia đình trong tổ dân phố"),
    ("Tọa đàm «Gia đình với công tác phòng, chống ma túy»", "Cha mẹ học sinh"),
    ("Đối thoại với thanh niên về tác hại của ma túy tổng hợp", "Đoàn viên thanh niên, học sinh"),
    ("Tọa đàm hỗ trợ người sau cai nghiện tái hòa nhập cộng đồng", "Gia đình người sau cai nghiện"),
    ("Đối thoại về phòng, chống mua bán người", "Hội viên phụ nữ, thanh niên"),
)
# Titles that name a law or a fashion of their time, and the year they can first appear.
SINCE = {
    "Tuyên truyền Luật Phòng, chống ma túy năm 2021": 2022,
    "Tuyên truyền tác hại của thuốc lá điện tử, khí cười": 2019,
    "Tuyên truyền tác hại của ma túy tổng hợp, thuốc lá điện tử cho học sinh": 2019,
}
BANNER_TITLES = {
    6: "Treo băng rôn hưởng ứng Tháng hành động phòng, chống ma túy",
    "tet": "Treo băng rôn, khẩu hiệu tuyên truyền phòng, chống tệ nạn xã hội dịp Tết",
    None: "Treo băng rôn, áp phích tuyên truyền phòng, chống ma túy",
}
# title, participants range, items range (None: not recorded), place, month (None: any)
OTHERS = (
    ("Tham gia Ngày hội toàn dân bảo vệ an ninh Tổ quốc", (80, 300), None, True, 8),
    ("Xóa quảng cáo rao bán ma túy, số điện thoại trên tường nhà", None, (20, 120), True, None),
    ("Thu gom bơm kim tiêm tại khu vực công cộng", None, (5, 40), True, None),
    ("Thăm hỏi gia đình có người đang cai nghiện tại cơ sở", None, None, False, None),
)


# The trainings the district's and the province's departments run for the wards' teams and
# officers, recorded at their own unit, never at a ward: per year, participants, the last day
# (the district was dissolved on 30/06/2025; None: the day of the run), places; and the titles
# with their audience and the span they belong to.
DEPARTMENTS = {
    "district": (2, (40, 120), wards_demo.DISSOLVED_ON, ("Hội trường UBND quận Đống Đa",)),
    "province": (3, (100, 300), None, ("Hội trường Sở Lao động - Thương binh và Xã hội",)),
}
DEPARTMENT_TRAININGS = {
    "district": (
        (
            "Tập huấn nghiệp vụ cho Đội công tác xã hội tình nguyện các phường",
            "Đội trưởng, đội phó các Đội công tác xã hội tình nguyện",
            None,
            None,
        ),
        (
            "Tập huấn công tác quản lý người sử dụng trái phép chất ma túy, người sau cai nghiện",
            "Cán bộ Lao động - Thương binh và Xã hội, Công an các phường",
            None,
            None,
        ),
        (
            "Tập huấn kỹ năng tư vấn, hỗ trợ người nghiện ma túy tại cộng đồng",
            "Thành viên các Đội công tác xã hội tình nguyện",
            None,
            None,
        ),
        (
            "Tập huấn ghi chép sổ sách, báo cáo công tác phòng, chống tệ nạn xã hội",
            "Cán bộ phụ trách công tác phòng, chống tệ nạn xã hội các phường",
            None,
            None,
        ),
    ),
    "province": (
        (
            "Tập huấn nâng cao năng lực cho Đội công tác xã hội tình nguyện cấp xã",
            "Cán bộ cấp huyện, đội trưởng các Đội công tác xã hội tình nguyện",
            None,
            wards_demo.DISSOLVED_ON,
        ),
        (
            "Tập huấn nghiệp vụ quản lý sau cai nghiện ma túy",
            "Cán bộ phụ trách công tác cai nghiện các quận, huyện, thị xã",
            None,
            wards_demo.DISSOLVED_ON,
        ),
        (
            "Tập huấn kỹ năng hỗ trợ nạn nhân bị mua bán trở về",
            "Cán bộ Hội Liên hiệp Phụ nữ, Lao động - Thương binh và Xã hội cấp huyện, xã",
            None,
            None,
        ),
        (
            "Tập huấn triển khai Luật Phòng, chống ma túy năm 2021",
            "Cán bộ cấp huyện, xã phụ trách công tác phòng, chống ma túy",
            datetime.date(2022, 1, 1),
            datetime.date(2023, 12, 31),
        ),
        (
            "Tập huấn nghiệp vụ phòng, chống ma túy cho cán bộ xã, phường sau sắp xếp",
            "Cán bộ các xã, phường, đội trưởng các Đội công tác xã hội tình nguyện",
            MERGED_ON,
            None,
        ),
    ),
}


# The partner that sometimes teaches at a department's training: the district's health
# centre, the province's legal aid centre.
PARTNER_KINDS = {"district": Partner.Kind.HEALTH, "province": Partner.Kind.LEGAL}
# From 1 March 2025 the drug-rehabilitation work of the Labour department went to the police.
NEW_MINISTRY_ON = datetime.date(2025, 3, 1)


def _thousands(n: int) -> str:
    """«1.535»: Vietnamese digit grouping."""
    return f"{n:,}".replace(",", ".")


def _months(first: datetime.date, last: datetime.date):
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        start = max(first, datetime.date(y, m, 1))
        end = min(last, datetime.date(y, m, calendar.monthrange(y, m)[1]))
        yield y, m, start, end
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)


def _no_gathering(day: datetime.date) -> bool:
    return any(a <= day <= b for a, b in NO_GATHERINGS)


class _Context:
    """What every notebook looks up: ward names, places, schools, clubs and their members,
    the group sessions of the casework, partners."""

    def __init__(self, rng: random.Random, wp, cp, partners: _Partners, streets: dict):
        self.partners = partners
        self.names = {code: name for code, name, _ in wards_demo.OLD_WARDS}
        self.names.update({w: w for w in wards_demo.SUCCESSORS})
        self.areas = wp.areas
        self.streets = streets
        self.schools = dict(SCHOOLS)
        for ward in wards_demo.SUCCESSORS:
            self.schools[ward] = tuple(s for c in _merged_into(ward) for s in SCHOOLS[c])
        keys = list(self.names)
        self.pledge_month = {k: rng.choice((3, 4, 5, 6)) for k in keys}
        self.training_months = {k: tuple(sorted(rng.sample(range(2, 12), 2))) for k in keys}
        self.club_place = {k: rng.randint(1, wp.areas[k]) for k in keys}
        self.cp = cp
        # club (index into cp.clubs) -> [(person index, person, first day, last day)] in the
        # club and on the register (on_register: not on the day the file is closed)
        self.clubs: dict[int, list] = defaultdict(list)
        # the days the casework records a group session in a ward
        self.group_sessions = {
            (p.ward_on(c.occurred_on), c.occurred_on)
            for p in cp.persons
            for c in p.contacts
            if c.kind == "group_session"
        }
        for n, p in enumerate(cp.persons):
            for e in p.enrollments:
                if e.programme not in CLUB_CODES:
                    continue
                first = max(e.started_on, p.registered_on)
                last = min(e.ended_on or FAR, p.closed_on or FAR, until())
                if first > last:
                    continue
                club = cp.club_of(p.ward_on(e.started_on), e.programme, e.started_on)
                self.clubs[club].append((n, p, first, last))

    def club_members(self, club: int, day: datetime.date) -> list[int]:
        return [
            n
            for n, p, first, last in self.clubs.get(club, ())
            if first <= day <= last and not any(a <= day < b for a, b in p.away)
        ]


def _department_trainings(rng: random.Random, ctx: _Context) -> list[ActivityPlan]:
    """The trainings of the district's and the province's departments, at their own unit:
    a few a year, on weekdays, none while gatherings were banned."""
    out = []
    for unit, (per_year, people, last, places) in DEPARTMENTS.items():
        last = last or until()
        for year in range(2013, last.year + 1):
            months = range(2, min(12, last.month + 1) if year == last.year else 12)
            for month in sorted(rng.sample(months, min(per_year, len(months)))):
                day = datetime.date(year, month, rng.randint(1, 28))
                if day.weekday() > 4:  # a weekend: the Monday after
                    day += _days(7 - day.weekday())
                if day > last or _no_gathering(day):
                    continue
                title, audience, _, _ = rng.choice(
                    [t for t in DEPARTMENT_TRAININGS[unit] if (t[2] or day) <= day <= (t[3] or day)]
                )
                helpers = ctx.partners.near(unit, day, PARTNER_KINDS[unit])
                place = places[0] if unit == "district" or day < NEW_MINISTRY_ON else ""
                out.append(
                    ActivityPlan(
                        ward=unit,
                        occurred_on=day,
                        kind=AK.TRAINING,
                        title=title,
                        participants=rng.randint(*people),
                        place=place if rng.random() < 0.8 else "",
                        audience=audience,
                        partners=(rng.choice(helpers),) if rng.random() < 0.3 else (),
                    )
                )
    return out


class _Notebook:
    """One team's notebook, month by month, from its founding to its last serving day."""

    def __init__(self, rng: random.Random, key: str, team, ctx: _Context):
        self.rng = rng
        self.key = key
        self.team = team
        self.ctx = ctx
        self.new = team.dissolved_on is None
        self.scale = NEW_WARD_SCALE if self.new else 1.0
        self.first = team.established_on
        # A dissolved team and its members serve through its last day (INDICATORS.md).
        self.last = min(until(), team.dissolved_on or FAR)
        # Months per radio line: some write each month's broadcasts, most each quarter's.
        self.radio_months = _pick(rng, {1: 30, 3: 45, 6: 25})
        self.radio_each = rng.choice((10, 15, 15, 20))
        self.name = _lower(ctx.names[key])
        self.out: list[ActivityPlan] = []

    def serving(self, day: datetime.date) -> list[int]:
        return [
            i
            for i, m in enumerate(self.team.members)
            if m.joined_on <= day and (m.left_on is None or day <= m.left_on)
        ]

    def day(self, start, end, *, weekdays=False) -> datetime.date | None:
        """A day in [start, end] when someone serves; Monday to Saturday if `weekdays`."""
        for _ in range(12):
            d = _between(self.rng, start, end)
            if (not weekdays or d.weekday() < 6) and self.serving(d):
                return d
        return None

    def helpers(self, day: datetime.date) -> tuple[int, ...]:
        serving = self.serving(day)
        k = min(len(serving), self.rng.choice((1, 1, 2, 2, 2, 3)))
        return tuple(sorted(self.rng.sample(serving, k)))

    def add(self, day: datetime.date | None, kind: str, title: str, **values) -> None:
        if day is None or (kind in GATHERINGS and _no_gathering(day)):
            return
        members = values.pop("members", None)
        self.out.append(
            ActivityPlan(
                ward=self.key,
                occurred_on=day,
                kind=kind,
                title=title,
                members=self.helpers(day) if members is None else members,
                **values,
            )
        )

    def count(self, kind: str, month: int, ramp: float) -> int:
        mean = RATES[kind] * self.scale * ramp * (JUNE.get(kind, 1.0) if month == 6 else 1.0)
        return _poisson(self.rng, mean)

    def title(self, kind: str, year: int) -> str:
        return self.rng.choice([t for t in TITLES[kind] if SINCE.get(t, 0) <= year])

    def hall(self) -> str:
        return f"Nhà văn hóa tổ dân phố số {self.rng.randint(1, self.ctx.areas[self.key])}"

    def street(self) -> str:
        return self.rng.choice(self.ctx.streets[self.key])

    def partners(self, kind: str, day: datetime.date) -> tuple[PartnerKey, ...]:
        rng, near = self.rng, self.ctx.partners.near
        if kind in (AK.PATROL, AK.INSPECTION):
            police = [k for k in near(self.key, day, Partner.Kind.OFFICE) if "Công an" in k[1]]
            return tuple(police) if police and rng.random() < 0.8 else ()
        health = near(self.key, day, Partner.Kind.HEALTH)
        return (rng.choice(health),) if health and rng.random() < 0.5 else ()

    def run(self) -> list[ActivityPlan]:
        for y, m, start, end in _months(self.first, self.last):
            ramp = min(1.0, 0.6 + 0.2 * (y - self.first.year))  # the first years are quieter
            self.month(y, m, start, end, ramp)
            if m % self.radio_months == 0 or end == self.last:
                first_month = (m - 1) // self.radio_months * self.radio_months + 1
                self.radio(max(self.first, datetime.date(y, first_month, 1)), end)
        self.clubs()
        return self.out

    def month(self, y: int, m: int, start: datetime.date, end: datetime.date, ramp: float):
        rng = self.rng
        # The monthly meeting, early in the month, of most of the members serving that day.
        day = self.day(start, min(end, start + _days(9)), weekdays=True)
        if day:
            serving = self.serving(day)
            k = max(math.ceil(len(serving) * 0.6), sum(rng.random() < 0.85 for _ in serving))
            present = tuple(sorted(rng.sample(serving, k)))
            place = rng.choice((f"Hội trường UBND {self.name}", "Trụ sở Đội", ""))
            self.add(
                day, AK.TEAM_MEETING, f"Giao ban Đội tháng {m}/{y}", place=place, members=present
            )
        for _ in range(self.count(AK.COMMUNITY_MEETING, m, ramp)):
            self.add(
                self.day(start, end),
                AK.COMMUNITY_MEETING,
                self.title(AK.COMMUNITY_MEETING, y),
                participants=rng.randint(25, 80),
                place=self.hall() if rng.random() < 0.8 else "",
                audience=rng.choice(AUDIENCES[AK.COMMUNITY_MEETING]),
            )
        if m in SCHOOL_MONTHS:
            for _ in range(self.count(AK.SCHOOL_TALK, m, ramp)):
                self.add(
                    self.day(start, end, weekdays=True),
                    AK.SCHOOL_TALK,
                    self.title(AK.SCHOOL_TALK, y),
                    participants=rng.randint(60, 300),
                    place=rng.choice(self.ctx.schools[self.key]),
                    audience=rng.choice(AUDIENCES[AK.SCHOOL_TALK]),
                )
        for _ in range(self.count(AK.LOUDSPEAKER, m, ramp)):
            sessions = rng.randint(1, 4 if m == 6 else 3)
            self.add(
                self.day(start, end),
                AK.LOUDSPEAKER,
                TITLES[AK.LOUDSPEAKER][m == 6],
                sessions=sessions,
                minutes=sessions * rng.choice((30, 45, 60, 90)),
                place=f"Các tuyến {self.street()}" if rng.random() < 0.7 else "",
                participants=self.listeners(AK.LOUDSPEAKER, sessions),
            )
        for _ in range(self.count(AK.SEMINAR, m, ramp)):
            title, audience = rng.choice(SEMINARS)
            self.add(
                self.day(start, end),
                AK.SEMINAR,
                title,
                participants=rng.randint(25, 70),
                place=self.hall() if rng.random() < 0.7 else "",
                audience=audience,
                partners=self.partners(AK.SEMINAR, start),
            )
        for _ in range(self.count(AK.FILM, m, ramp)):
            self.add(
                self.day(start, end),
                AK.FILM,
                self.title(AK.FILM, y),
                participants=rng.randint(40, 150),
                place=self.hall() if rng.random() < 0.7 else "",
                audience=rng.choice(AUDIENCES[AK.FILM]),
            )
        for _ in range(self.count(AK.LEAFLETS, m, ramp)):
            group = f"Tổ dân phố số {rng.randint(1, self.ctx.areas[self.key])}"
            self.add(
                self.day(start, end),
                AK.LEAFLETS,
                self.title(AK.LEAFLETS, y),
                items=rng.randint(1, 5) * 10,
                place=group if rng.random() < 0.6 else "",
            )
        for _ in range(self.count(AK.ARTICLE, m, ramp)):
            self.add(
                self.day(start, end),
                AK.ARTICLE,
                self.title(AK.ARTICLE, y),
                items=rng.choice((1, 1, 1, 2, 3)),
            )
        tet = TET.get(y + (m == 12))
        before_tet = tet is not None and start <= tet - _days(20) <= end
        banners = self.count(AK.BANNER, m, ramp)
        if m == 6 or (before_tet and rng.random() < 0.7):
            banners += 1
        for _ in range(banners):
            self.add(
                self.day(start, end),
                AK.BANNER,
                BANNER_TITLES[6 if m == 6 else ("tet" if before_tet else None)],
                items=rng.randint(2, 8 if m == 6 else 4) * (2 if self.new else 1),
                place=f"Các tuyến {self.street()}" if rng.random() < 0.6 else "",
            )
        if m == self.ctx.pledge_month[self.key] and rng.random() < 0.85:
            self.add(
                self.day(start, end),
                AK.PLEDGE,
                TITLES[AK.PLEDGE][0],
                items=rng.randint(4, 30) * 10 * (3 if self.new else 1),
            )
        if m in self.ctx.training_months[self.key] and rng.random() < 0.9:
            self.add(
                self.day(start, end, weekdays=True),
                AK.TRAINING,
                self.title(AK.TRAINING, y),
                participants=rng.randint(8, 35) * (2 if self.new else 1),
                place=f"Hội trường UBND {self.name}" if rng.random() < 0.7 else "",
                audience=rng.choice(AUDIENCES[AK.TRAINING]),
                partners=self.partners(AK.TRAINING, start),
            )
        for kind, where in (
            (AK.PATROL, "Các ngõ, vườn hoa, nhà trọ trên"),
            (AK.INSPECTION, "Quán karaoke, nhà nghỉ trên"),
        ):
            for _ in range(self.count(kind, m, ramp)):
                self.add(
                    self.day(start, end),
                    kind,
                    rng.choice(TITLES[kind]),
                    sessions=rng.randint(1, 4),
                    place=f"{where} {self.street()}" if rng.random() < 0.7 else "",
                    partners=self.partners(kind, start),
                )
        for _ in range(self.count(AK.POLICE_TIP, m, ramp)):
            self.add(
                self.day(start, end),
                AK.POLICE_TIP,
                self.title(AK.POLICE_TIP, y),
                sessions=rng.choice((1, 1, 1, 2, 3)),
            )
        for _ in range(self.count(AK.OTHER, m, ramp)):
            title, people, items, where, month = rng.choice(OTHERS)
            if month in (None, m):
                self.add(
                    self.day(start, end),
                    AK.OTHER,
                    title,
                    participants=rng.randint(*people) if people else None,
                    items=rng.randint(*items) if items else None,
                    place=f"Khu vực {self.street()}" if where else "",
                )

    def radio(self, start: datetime.date, end: datetime.date) -> None:
        """One line for every broadcast on the ward's radio in [start, end] ("12 lần, 15 phút
        mỗi lần"), dated on the period's last day someone served."""
        rng = self.rng
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        per_month = rng.uniform(0.7, 2.0) * math.sqrt(self.scale) * (1.5 if end.month == 6 else 1)
        sessions = max(1, round(per_month * months))
        day = end
        while day >= start and not self.serving(day):
            day -= _days(1)
        if day >= start:
            listeners = self.listeners(AK.RADIO, sessions)
            note = f"{sessions} lần, {self.radio_each} phút mỗi lần"
            if listeners:
                note += f"; ước tính khoảng {_thousands(listeners)} lượt người nghe"
            self.add(
                day,
                AK.RADIO,
                rng.choice(TITLES[AK.RADIO]),
                sessions=sessions,
                minutes=sessions * self.radio_each,
                note=note,
                participants=listeners,
            )

    def listeners(self, kind: str, sessions: int) -> int | None:
        """The estimated audience of a broadcast line, when the notebook gives one (LISTENERS:
        three loudspeaker lines in ten, a few radio lines): people in earshot, per session."""
        share, low, high = LISTENERS[kind]
        if self.rng.random() >= share:
            return None
        return sum(self.rng.randint(low, high) for _ in range(sessions))

    def clubs(self) -> None:
        """Club sessions on the club's weekend day: the B93 club most weeks, the
        early-intervention club about every other week, wherever it has members that day.

        Once a month the casework already records the meeting, as a group-session contact
        with each member who came: the notebook does not write that day again, since
        casework.group_sessions and group_participants add the contacts and the club
        sessions together."""
        rng, ctx = self.rng, self.ctx
        weekday = 5 + sum(map(ord, self.key)) % 2  # the day cases.demo's clubs meet
        day = self.first + _days((weekday - self.first.weekday()) % 7)
        while day <= self.last:
            for code, chance in (("club_b93", 0.75), ("club_early", 0.45)):
                if (self.key, day) in ctx.group_sessions or rng.random() >= chance:
                    continue
                club = ctx.cp.club_of(self.key, code, day)
                if club is None:
                    continue
                enrolled = ctx.club_members(club, day)
                persons = tuple(n for n in enrolled if rng.random() < 0.8)
                if not persons or not self.serving(day):
                    continue
                self.add(
                    day,
                    AK.CLUB_SESSION,
                    f"Sinh hoạt {ctx.cp.clubs[club].name}",
                    participants=len(persons) + rng.randint(1, 8),  # relatives, volunteers
                    place=f"Nhà văn hóa tổ dân phố số {ctx.club_place[self.key]}",
                    persons=persons,
                    members=self.helpers(day),
                    club=club,
                )
            day += _days(7)
