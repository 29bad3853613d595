"""The demo casework of `cases`: fourteen years of persons, measures, helpers and contacts.

Built on the units, teams and members of `wards.demo`: about 30 persons on the register of
each of the 21 wards of the former Quận Đống Đa, registered from the founding of the ward's
team (2012–2013) to June 2025, and a few more registered by today's five wards since. Each
person lives a story drawn from the field (DOMAIN.md): a drug user under a 12-month management
decision, a dependent person persuaded into voluntary treatment, methadone or compulsory
treatment and back under post-rehab management, relapses, jobs, club membership…, followed by
a team member with a visit, a call or a club session every few weeks.

The merger of 1 July 2025: a person still on the register that day moves to the ward that
received their old ward (`Person.ward` and `area` become the new ward's); every record dated
before it keeps the old ward, every later one carries the new ward. Their helper in the old
team stops on 1 July 2025 and a member of the new team takes over on the day that team is
founded (15 July – 15 August 2025): a member carried over keeps the persons they followed.

The data stop on DATA_UNTIL, a fixed day, whatever today is. `plan()` draws everything from
one seeded generator without touching the database; `seed()` writes it in bulk. Seeded
history writes no AuditEvent: the audit trail records what users did in the app, and nobody
did these things in it.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from cases.models import (
    Assessment,
    Assignment,
    Contact,
    Enrollment,
    Milestone,
    Person,
    Programme,
)
from cases.services import add_months
from cases.text import fold
from wards import demo as wards_demo
from wards.models import Member

SEED = 20121001
DATA_UNTIL = datetime.date(2026, 11, 15)  # the last day of the demo's history
MERGED_ON = wards_demo.DISSOLVED_ON + datetime.timedelta(days=1)  # the first day of new wards
LAW_2021_ON = datetime.date(2022, 1, 1)  # illegal-use management decisions exist from here
DUE_DAYS = 30  # every contact books the next one this many days later
VOLUNTEER = "tnv.lang"
FAR = datetime.date(9999, 12, 31)

G = Person.Group
K = Contact.Kind
MK = Milestone.Kind
End = Enrollment.EndReason
Closed = Person.ClosedReason

# Default lengths of the programmes loaded by migration 0002, in months (none: open-ended).
MONTHS = {"post_rehab_12": 12, "post_rehab_24": 24, "illegal_use_12": 12, "voluntary_home": 6}
DECIDED = frozenset(MONTHS)  # placed there by a People's Committee decision
CLUBS = frozenset({"club_b93", "club_early"})
INTENSIVE = DECIDED | CLUBS  # contacts every 2–6 weeks while enrolled

GROUPS = {
    G.POST_REHAB: 27, G.ADDICTED: 22, G.DRUG_USER: 18, G.HIGH_RISK: 15, G.SEX_WORK: 7,
    G.TRAFFICKING: 4, G.OTHER: 7,
}  # fmt: skip
# Registered by today's wards: mostly people back from treatment and users the police found.
RECENT_GROUPS = {
    G.POST_REHAB: 35, G.DRUG_USER: 30, G.ADDICTED: 15, G.HIGH_RISK: 10, G.SEX_WORK: 4,
    G.TRAFFICKING: 2, G.OTHER: 4,
}  # fmt: skip
MEN = {
    G.POST_REHAB: 0.93, G.ADDICTED: 0.92, G.DRUG_USER: 0.88, G.HIGH_RISK: 0.7, G.SEX_WORK: 0,
    G.TRAFFICKING: 0.1, G.OTHER: 0.6,
}  # fmt: skip
USING = frozenset({G.DRUG_USER, G.ADDICTED, G.POST_REHAB})
# Mean years on the register before the file is closed, by the group a person came in with.
YEARS_ON_LIST = {
    G.POST_REHAB: 22, G.ADDICTED: 26, G.DRUG_USER: 18, G.HIGH_RISK: 10, G.SEX_WORK: 9,
    G.TRAFFICKING: 9, G.OTHER: 9,
}  # fmt: skip
CLOSE_REASONS = {
    Closed.COMPLETED: 55, Closed.MOVED_AWAY: 22, Closed.DIED: 9, Closed.TRANSFERRED: 5,
    Closed.OTHER: 9,
}  # fmt: skip
CLOSING_END = {
    Closed.COMPLETED: End.COMPLETED, Closed.MOVED_AWAY: End.MOVED_AWAY, Closed.DIED: End.DIED,
    Closed.TRANSFERRED: End.TRANSFERRED, Closed.OTHER: End.OTHER,
}  # fmt: skip
ROLE_WEIGHT = {Member.Role.LEADER: 0.4, Member.Role.DEPUTY: 0.8, Member.Role.MEMBER: 1.0}

STREETS = {
    "00178": ("phố Cát Linh", "phố Giảng Võ", "phố Hàng Cháo"),
    "00181": ("phố Văn Miếu", "phố Nguyễn Khuyến", "phố Ngô Sĩ Liên"),
    "00184": ("phố Quốc Tử Giám", "phố Tôn Đức Thắng", "phố Hàng Cháo"),
    "00187": ("đường Láng", "phố Chùa Láng", "phố Nguyễn Chí Thanh"),
    "00190": ("phố Xã Đàn", "phố Đê La Thành", "phố Hào Nam"),
    "00193": ("phố Văn Chương", "phố Khâm Thiên", "phố Tôn Đức Thắng"),
    "00196": ("phố Hàng Bột", "phố Tôn Đức Thắng", "phố Cát Linh"),
    "00199": ("phố Láng Hạ", "phố Thái Hà", "phố Huỳnh Thúc Kháng"),
    "00202": ("phố Khâm Thiên", "phố Lê Duẩn"),
    "00205": ("phố Thổ Quan", "phố Khâm Thiên", "phố Xã Đàn"),
    "00208": ("phố Nam Đồng", "phố Xã Đàn", "phố Hồ Đắc Di"),
    "00211": ("phố Trung Phụng", "phố Khâm Thiên"),
    "00214": ("phố Hoàng Cầu", "phố Đặng Tiến Đông", "đường Tây Sơn"),
    "00217": ("phố Thái Thịnh", "phố Đặng Tiến Đông", "phố Thái Hà"),
    "00220": ("phố Phương Liên", "phố Lương Định Của"),
    "00223": ("phố Thịnh Quang", "đường Tây Sơn", "phố Vĩnh Hồ"),
    "00226": ("phố Đặng Văn Ngữ", "phố Phạm Ngọc Thạch"),
    "00229": ("phố Đào Duy Anh", "phố Phạm Ngọc Thạch", "phố Kim Liên"),
    "00232": ("phố Phương Mai", "phố Lương Định Của"),
    "00235": ("đường Trường Chinh", "đường Tây Sơn"),
    "00238": ("phố Khương Thượng", "phố Tôn Thất Tùng", "đường Trường Chinh"),
}
NICKNAMES = ("béo", "gầy", "còi", "đen", "lùn", "sẹo", "râu")
SHORT_NAMES = ("Tý", "Tèo", "Bin", "Cò", "Bờm", "Cu", "Tũn")
RELATIVES = {
    Person.Sex.MALE: ("Mẹ", "Bố", "Vợ", "Chị gái", "Anh trai"),
    Person.Sex.FEMALE: ("Mẹ", "Bố", "Chồng", "Chị gái", "Em trai"),
}
HISTORY = {
    G.POST_REHAB: (
        "Chấp hành xong quyết định cai nghiện bắt buộc tại cơ sở cai nghiện ma túy của Thành "
        "phố, trở về địa phương.",
        "Hoàn thành cai nghiện tự nguyện tại cơ sở cai nghiện, gia đình đề nghị Đội hỗ trợ.",
    ),
    G.ADDICTED: (
        "Sử dụng ma túy nhiều năm; Công an phường xác định tình trạng nghiện.",
        "Gia đình phát hiện sử dụng ma túy, báo tổ dân phố và Công an phường.",
    ),
    G.DRUG_USER: (
        "Xét nghiệm dương tính khi Công an phường kiểm tra hành chính.",
        "Bị phát hiện sử dụng ma túy cùng nhóm bạn tại quán karaoke.",
    ),
    G.HIGH_RISK: (
        "Bỏ học sớm, thường tụ tập tại quán internet, có bạn bè sử dụng ma túy.",
        "Thất nghiệp, có người thân sử dụng ma túy.",
    ),
    G.SEX_WORK: ("Từng bán dâm tại cơ sở karaoke, mong muốn học nghề để ổn định cuộc sống.",),
    G.TRAFFICKING: (
        "Trở về từ Trung Quốc, được Bộ đội Biên phòng tiếp nhận, bàn giao về địa phương.",
    ),
    G.OTHER: ("Người thân của người nghiện ma túy, cần được tư vấn, hỗ trợ.",),
}
SUMMARIES = {
    K.HOME_VISIT: (
        "Thăm hỏi tại nhà, động viên giữ vững quyết tâm.",
        "Thăm gia đình, trao đổi tình hình sinh hoạt, việc làm.",
        "Đến nhà tư vấn, nhắc lịch làm việc với Công an phường.",
    ),
    K.MEETING: (
        "Gặp trực tiếp tại nhà văn hóa tổ dân phố, tư vấn tâm lý.",
        "Gặp tại nơi làm việc, trao đổi về việc làm ổn định.",
        "Tư vấn trực tiếp về vay vốn, học nghề.",
    ),
    K.PHONE: (
        "Gọi điện hỏi thăm sức khỏe, nhắc lịch hẹn.",
        "Gọi điện trao đổi; người được hỗ trợ cho biết vẫn ổn định.",
    ),
    K.VIA_FAMILY: (
        "Trao đổi với gia đình về tình hình của người được hỗ trợ.",
        "Qua gia đình nắm tình hình, đề nghị gia đình phối hợp quản lý.",
    ),
    K.GROUP_SESSION: (
        "Sinh hoạt câu lạc bộ hằng tháng.",
        "Sinh hoạt nhóm: chia sẻ kinh nghiệm phòng, chống tái nghiện.",
    ),
    K.DRUG_TEST: ("Phối hợp Công an phường xét nghiệm nhanh.",),
}
AWAY_SUMMARY = "Gia đình cho biết người được hỗ trợ đang chấp hành quyết định tại cơ sở cai nghiện."


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + _days(rng.randint(0, max(0, (last - first).days)))


# ---------------------------------------------------------------------------------------------
# The plan: plain data, no database

MemberRef = tuple[str, int]  # (the team's ward as in TeamPlan.ward, index in TeamPlan.members)


@dataclass
class EnrollmentPlan:
    programme: str
    started_on: datetime.date
    due_on: datetime.date | None = None
    ended_on: datetime.date | None = None
    end_reason: str = ""
    decision_no: str = ""
    decision_on: datetime.date | None = None


@dataclass
class AssignmentPlan:
    member: MemberRef
    started_on: datetime.date
    ended_on: datetime.date | None = None


@dataclass
class ContactPlan:
    occurred_on: datetime.date
    kind: str
    member: MemberRef
    group: str
    summary: str
    result: str = ""


@dataclass
class MilestonePlan:
    occurred_on: datetime.date
    kind: str


@dataclass
class AssessmentPlan:
    assessed_on: datetime.date
    result: str
    member: MemberRef | None


@dataclass
class PersonPlan:
    old_ward: str | None  # old ward code (as in OLD_WARDS) or None when registered after 2025
    new_ward: str | None  # the current ward's name, or None when closed before the merger
    area: int  # index among the current ward's residential groups
    full_name: str
    alias: str
    sex: str
    birth_date: datetime.date | None
    birth_year: int
    id_number: str
    phone: str
    address: str
    family_contact: str
    substances: str
    history_notes: str
    registered_on: datetime.date
    closed_on: datetime.date | None
    closed_reason: str
    groups: list[tuple[datetime.date, str]]  # (from, group), the first on registered_on
    enrollments: list[EnrollmentPlan]
    milestones: list[MilestonePlan]
    away: list[tuple[datetime.date, datetime.date]]  # in a treatment facility, [from, until)
    assignments: list[AssignmentPlan] = field(default_factory=list)
    contacts: list[ContactPlan] = field(default_factory=list)
    assessments: list[AssessmentPlan] = field(default_factory=list)
    pinned: bool = False  # followed by the demo volunteer from the start
    unseen: bool = False  # registered days ago, nobody has visited yet
    silent_after: datetime.date | None = None  # the demo volunteer has not seen them since

    @property
    def ward(self) -> str:
        return self.new_ward or self.old_ward

    def ward_on(self, day: datetime.date) -> str:
        return self.old_ward if self.old_ward and day < MERGED_ON else self.new_ward

    def group_on(self, day: datetime.date) -> str:
        return [g for since, g in self.groups if since <= day][-1]

    @property
    def group(self) -> str:
        return self.group_on(min(self.closed_on or DATA_UNTIL, DATA_UNTIL))


@dataclass
class Plan:
    persons: list[PersonPlan]
    members: dict[str, list[str]]  # team ward -> member names, to check against the database
    leaders: dict[str, list[tuple[datetime.date, datetime.date, str]]]  # ward -> logins held

    def author(self, ward: str, day: datetime.date) -> str:
        """The login of the ward's team leader on `day`, "" when the leader has none."""
        return next((u for a, b, u in self.leaders.get(ward, ()) if a <= day < b), "")

    def digest(self) -> str:
        return hashlib.sha256(repr(self.persons).encode()).hexdigest()


class _Story:
    """One person's life on the register: groups, measures, milestones, time away."""

    def __init__(self, rng: random.Random, born: int):
        self.rng = rng
        self.born = born
        self.groups: list[tuple[datetime.date, str]] = []
        self.enrollments: list[EnrollmentPlan] = []
        self.milestones: list[MilestonePlan] = []
        self.away: list[tuple[datetime.date, datetime.date]] = []
        self.relapses = True

    def run(self, day: datetime.date, group: str, code: str | None = None) -> None:
        self.groups.append((day, group))
        step = (day, group, code)
        while step is not None and step[0] <= DATA_UNTIL:
            step = getattr(self, f"_{step[1]}")(step[0], step[2])

    def group(self, day: datetime.date, group: str) -> None:
        if day <= DATA_UNTIL:
            self.groups.append((day, group))

    def _group_on(self, day: datetime.date) -> str:
        return [g for since, g in sorted(self.groups) if since <= day][-1]

    def mark(self, day: datetime.date, kind: str) -> None:
        if day <= DATA_UNTIL:
            self.milestones.append(MilestonePlan(day, kind))

    def enrol(self, code: str, start: datetime.date, months: int | None = None) -> EnrollmentPlan:
        rng = self.rng
        e = EnrollmentPlan(code, start)
        months = months or MONTHS.get(code)
        if months:
            e.due_on = add_months(start, months)
        if code in DECIDED:
            e.decision_no = f"{rng.randint(5, 420)}/QĐ-UBND"
            e.decision_on = start - _days(rng.randint(0, 7))
        clash = any(
            o.programme == code and (o.ended_on is None or o.ended_on >= start)
            for o in self.enrollments
        )
        if start <= DATA_UNTIL and not clash:
            self.enrollments.append(e)
        return e

    def end(self, e: EnrollmentPlan, day: datetime.date, reason: str) -> None:
        if day <= DATA_UNTIL and day >= e.started_on:
            e.ended_on, e.end_reason = day, reason

    def _drug_user(self, t: datetime.date, _code) -> tuple | None:
        rng = self.rng
        if t >= LAW_2021_ON:
            e = self.enrol("illegal_use_12", t + _days(rng.randint(0, 10)))
            if rng.random() < 0.2:  # found dependent during management: on to treatment
                x = e.started_on + _days(rng.randint(60, 330))
                self.end(e, x, End.RELAPSED)
                self.group(x, G.ADDICTED)
                return x, G.ADDICTED, None
            self.end(e, e.due_on, End.COMPLETED)
            t = e.due_on
        if rng.random() < 0.25:
            x = t + _days(rng.randint(90, 900))
            self.group(x, G.ADDICTED)
            return x, G.ADDICTED, None
        if rng.random() < 0.2:
            self.mark(t + _days(rng.randint(60, 700)), MK.JOB)
        return None

    def _addicted(self, t: datetime.date, _code) -> tuple | None:
        rng = self.rng
        s = t + _days(rng.randint(20, 240))  # persuaded after a few weeks or months
        path = _pick(rng, {"voluntary": 35, "methadone": 30, "compulsory": 25, "none": 10})
        if path == "voluntary":
            self.mark(s, MK.VOLUNTARY_REHAB)
            e = self.enrol("voluntary_home", s, months=rng.choice((6, 6, 6, 9, 12)))
            if rng.random() < 0.75:
                self.end(e, e.due_on, End.COMPLETED)
                x = e.due_on + _days(1)
                self.group(x, G.POST_REHAB)
                return x, G.POST_REHAB, "post_rehab_12"
            x = s + _days(rng.randint(30, (e.due_on - s).days - 1))
            self.mark(x, MK.RELAPSED)
            self.end(e, x, End.RELAPSED)
            return x + _days(rng.randint(60, 200)), G.ADDICTED, None
        if path == "methadone":
            self.mark(s, MK.METHADONE)
            e = self.enrol("methadone", s)
            r = rng.random()
            if r < 0.55:
                return None
            if r < 0.85:
                x = s + _days(rng.randint(180, 1800))
                self.mark(x, MK.RELAPSED)
                self.end(e, x, End.RELAPSED)
                return x + _days(rng.randint(60, 240)), G.ADDICTED, None
            x = s + _days(rng.randint(730, 2200))
            self.end(e, x, End.COMPLETED)
            self.group(x + _days(1), G.POST_REHAB)
            return x + _days(1), G.POST_REHAB, "post_rehab_12"
        if path == "compulsory":
            self.mark(s, MK.COMPULSORY_REHAB)
            admitted = s + _days(rng.randint(15, 60))
            back = add_months(admitted, rng.choice((12, 18, 24, 24)))
            self.away.append((admitted, back))
            self.group(back, G.POST_REHAB)
            adult = admitted.year - self.born >= 18
            return back, G.POST_REHAB, "post_rehab_24" if adult else "post_rehab_12"
        if rng.random() < 0.5:  # refuses treatment for now; the team tries again later
            return t + _days(rng.randint(365, 1100)), G.ADDICTED, None
        return None

    def _post_rehab(self, t: datetime.date, code: str | None) -> tuple | None:
        rng = self.rng
        code = code or "post_rehab_12"
        e = self.enrol(code, t)
        club = (
            self.enrol("club_b93", t + _days(rng.randint(0, 50))) if rng.random() < 0.35 else None
        )
        if self.relapses and rng.random() < 0.22:
            x = t + _days(rng.randint(60, MONTHS[code] * 30 - 30))
            if x > add_months(t, 12):
                self.mark(add_months(t, 12), MK.NO_RELAPSE_1Y)
            self.mark(x, MK.RELAPSED)
            self.group(x, G.ADDICTED)
            self.end(e, x + _days(rng.randint(3, 20)), End.RELAPSED)
            if club:
                self.end(club, x + _days(rng.randint(3, 20)), End.RELAPSED)
            return x + _days(rng.randint(30, 150)), G.ADDICTED, None
        self.mark(add_months(t, 12), MK.NO_RELAPSE_1Y)
        self.end(e, e.due_on, End.COMPLETED)
        if rng.random() < 0.35:
            self.mark(t + _days(rng.randint(90, 900)), MK.JOB)
        if rng.random() < 0.2:
            self.mark(t + _days(rng.randint(60, 540)), MK.TRAINING_DONE)
        if club and rng.random() < 0.75:
            self.end(club, e.due_on + _days(rng.randint(180, 1100)), End.COMPLETED)
        if self.relapses and rng.random() < 0.3:  # years later, back to drugs
            x = e.due_on + _days(rng.randint(180, 1800))
            self.mark(x, MK.RELAPSED)
            self.group(x, G.ADDICTED)
            if club and club.ended_on is None:
                self.end(club, x, End.RELAPSED)
            return x + _days(rng.randint(30, 150)), G.ADDICTED, None
        return None

    def _high_risk(self, t: datetime.date, _code) -> tuple | None:
        rng = self.rng
        club = (
            self.enrol("club_early", t + _days(rng.randint(0, 60))) if rng.random() < 0.45 else None
        )
        if rng.random() < 0.15:
            self.mark(t + _days(rng.randint(120, 900)), MK.TRAINING_DONE)
        if rng.random() < 0.15:
            self.mark(t + _days(rng.randint(180, 1200)), MK.JOB)
        if rng.random() < 0.1:
            x = t + _days(rng.randint(180, 1500))
            self.group(x, G.DRUG_USER)
            if club:
                self.end(club, x, End.OTHER)
            return x, G.DRUG_USER, None
        if club and rng.random() < 0.75:
            self.end(club, club.started_on + _days(rng.randint(365, 1500)), End.COMPLETED)
        return None

    def _sex_work(self, t: datetime.date, _code) -> None:
        if self.rng.random() < 0.35:
            self.mark(t + _days(self.rng.randint(60, 540)), MK.TRAINING_DONE)
        if self.rng.random() < 0.45:
            self.mark(t + _days(self.rng.randint(120, 900)), MK.JOB)

    _trafficking = _sex_work

    def _other(self, t: datetime.date, _code) -> None:
        if self.rng.random() < 0.2:
            self.mark(t + _days(self.rng.randint(120, 900)), MK.JOB)

    def close(self, registered_on: datetime.date, years: float) -> tuple[datetime.date | None, str]:
        """When and why the file is closed (None: still open on DATA_UNTIL); the story is cut
        there. A file closes as completed only when no measure is still running."""
        rng = self.rng
        c = registered_on + _days(max(120, int(rng.expovariate(1 / years) * 365)))
        reason = _pick(rng, CLOSE_REASONS)
        for _ in range(5):
            if c > DATA_UNTIL:
                return None, ""
            inside = [b for a, b in self.away if a <= c < b]
            if inside:
                c = inside[0] + _days(rng.randint(30, 300))
                continue
            running = [
                e
                for e in self.enrollments
                if e.programme not in CLUBS
                and e.started_on <= c
                and (e.ended_on is None or e.ended_on > c)
            ]
            if running and reason in (Closed.COMPLETED, Closed.OTHER):
                if any(e.ended_on is None for e in running):
                    return None, ""
                c = max(e.ended_on for e in running) + _days(rng.randint(30, 365))
                continue
            break
        else:
            return None, ""
        if reason == Closed.COMPLETED and self._group_on(c) == G.ADDICTED:
            reason = Closed.OTHER  # nothing was completed: the team stops following them
        self.enrollments = [e for e in self.enrollments if e.started_on <= c]
        for e in self.enrollments:
            if e.ended_on is None or e.ended_on > c:
                e.ended_on, e.end_reason = c, CLOSING_END[reason]
        self.milestones = [m for m in self.milestones if m.occurred_on <= c]
        self.groups = [g for g in self.groups if g[0] <= c]
        self.away = [(a, min(b, c)) for a, b in self.away if a < c]
        if reason == Closed.MOVED_AWAY:
            self.mark(c, MK.MOVED_AWAY)
        elif reason == Closed.DIED:
            self.mark(c, MK.DIED)
        return c, reason


class _Registrar:
    """Invents the persons: unique names, ID numbers and phones, plausible details."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.rng = rng
        self.names = set(taken)
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    def _name(self, sex: str) -> str:
        rng = self.rng
        while True:
            family = _pick(rng, wards_demo.FAMILY_NAMES)
            middle = rng.choice(wards_demo.MIDDLE_NAMES[sex])
            given = rng.choice(wards_demo.GIVEN_NAMES[sex])
            full = f"{family} {middle} {given}"
            if middle != given and full not in self.names:
                self.names.add(full)
                return full

    def _phone(self) -> str:
        while True:
            phone = f"0{self.rng.choice('93785')}{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def person(
        self,
        registered_on: datetime.date,
        old_ward: str | None,
        successor: str,
        areas: dict[str, int],
        group: str | None = None,
    ) -> PersonPlan:
        rng = self.rng
        group = group or _pick(rng, GROUPS)
        sex = Person.Sex.MALE if rng.random() < MEN[group] else Person.Sex.FEMALE
        year = registered_on.year
        if group == G.HIGH_RISK and year <= 2022 and rng.random() < 0.3:
            born = year - rng.randint(max(14, year - 2005), 17)  # a minor, born by 2005
        else:
            born = rng.randint(1965, min(2005, year - 18))
        birth_date = None
        if rng.random() < 0.5:
            birth_date = datetime.date(born, 1, 1) + _days(rng.randrange(365))
        full_name = self._name(sex)
        given = full_name.rsplit(" ", 1)[1]
        alias = ""
        if group in USING and rng.random() < 0.2:
            alias = rng.choice((f"{given} {rng.choice(NICKNAMES)}", rng.choice(SHORT_NAMES)))
        id_number = ""
        if rng.random() < 0.6:
            century = (0 if born < 2000 else 2) + (sex == Person.Sex.FEMALE)
            id_number = f"001{century}{born % 100:02d}{rng.randrange(10**6):06d}"
            id_number = "" if id_number in self.ids else id_number
            self.ids.add(id_number)
        streets = STREETS[old_ward] if old_ward else self._streets_of(successor)
        address = f"Số {rng.randint(1, 160)}, ngõ {rng.randint(1, 320)} {rng.choice(streets)}"
        relative = rng.choice(RELATIVES[sex])
        women = ("Mẹ", "Vợ", "Chị gái")
        relative_sex = Person.Sex.FEMALE if relative in women else Person.Sex.MALE
        family_contact = f"{relative}: {self._name(relative_sex)}, {self._phone()}"
        substances = ""
        if group in USING:
            weights = (
                {"Heroin": 70, "Ma túy đá": 25, "Cần sa": 5}
                if registered_on.year < 2016
                else {"Heroin": 35, "Ma túy đá": 45, "Thuốc lắc, ketamine": 15, "Cần sa": 5}
            )
            substances = _pick(rng, weights)

        story = _Story(rng, born)
        if group == G.DRUG_USER and rng.random() < 0.3:
            story.mark(registered_on, MK.SELF_DECLARED)
        if group == G.ADDICTED and rng.random() < 0.15:
            story.mark(registered_on, MK.SELF_DECLARED)
        history = rng.choice(HISTORY[group])
        code = None
        if group == G.POST_REHAB:
            compulsory = history == HISTORY[G.POST_REHAB][0] and born + 18 <= registered_on.year
            code = "post_rehab_24" if compulsory else "post_rehab_12"
        story.run(registered_on, group, code)
        closed_on, reason = story.close(registered_on, YEARS_ON_LIST[group])
        new_ward = successor
        if old_ward and closed_on is not None and closed_on < MERGED_ON:
            new_ward = None
        current = new_ward or old_ward
        return PersonPlan(
            old_ward=old_ward,
            new_ward=new_ward,
            area=rng.randrange(areas[current]),
            full_name=full_name,
            alias=alias,
            sex=sex,
            birth_date=birth_date,
            birth_year=born,
            id_number=id_number,
            phone=self._phone() if rng.random() < 0.75 else "",
            address=address,
            family_contact=family_contact,
            substances=substances,
            history_notes=history,
            registered_on=registered_on,
            closed_on=closed_on,
            closed_reason=reason,
            groups=sorted(story.groups, key=lambda g: g[0]),
            enrollments=story.enrollments,
            milestones=sorted(story.milestones, key=lambda m: m.occurred_on),
            away=story.away,
        )

    @staticmethod
    def _streets_of(ward: str) -> tuple[str, ...]:
        codes = [code for code, _, successor in wards_demo.OLD_WARDS if successor == ward]
        return tuple(s for code in codes for s in STREETS[code])


def _active(member: wards_demo.MemberPlan, day: datetime.date) -> bool:
    return member.joined_on <= day and (member.left_on is None or day < member.left_on)


class _Roster:
    """Who follows whom, ward by ward in date order, so each member's caseload is known when
    the leader picks the next helper: handovers when a member leaves, a few reassignments,
    the change of teams at the merger, the demo volunteer's caseload kept at about eight."""

    def __init__(self, rng: random.Random, teams: dict[str, wards_demo.TeamPlan], volunteer):
        self.rng = rng
        self.teams = teams
        self.volunteer = volunteer

    def run(self, persons: list[PersonPlan]) -> None:
        events: dict[str, list] = defaultdict(list)
        for n, p in enumerate(persons):
            if p.old_ward:
                start = self._first_day(p.old_ward, p.registered_on)
                stop = p.closed_on if p.new_ward is None else MERGED_ON
                self._events(events[p.old_ward], n, p, start, stop)
            if p.new_ward:
                team = self.teams[p.new_ward]
                start = self._first_day(p.new_ward, max(p.registered_on, team.established_on))
                self._events(events[p.new_ward], n, p, start, p.closed_on)
        for ward, team in self.teams.items():
            for i, m in enumerate(team.members):
                if m.left_on is not None and m.left_on < (team.dissolved_on or FAR):
                    events[ward].append((m.left_on, 1, i, "leave", None))
            self._play(ward, sorted(events[ward], key=lambda e: e[:3]))

    def _first_day(self, ward: str, day: datetime.date) -> datetime.date:
        while not any(_active(m, day) for m in self.teams[ward].members):
            day += _days(1)
        return day

    def _events(self, out: list, n: int, p: PersonPlan, start, stop) -> None:
        stop = stop or FAR
        if start >= stop:
            return
        out.append((start, 2, n, "start", p))
        if stop != FAR:
            out.append((stop, 0, n, "end", p))
        t = start + _days(int(self.rng.expovariate(1 / 4000)))
        while t < min(stop, DATA_UNTIL):
            out.append((t, 3, n, "shuffle", p))
            t += _days(int(self.rng.expovariate(1 / 4000)))

    def _play(self, ward: str, events: list) -> None:
        current: dict[int, tuple[PersonPlan, AssignmentPlan]] = {}
        loads: Counter[int] = Counter()

        def give(n: int, p: PersonPlan, member: int | None, day: datetime.date) -> None:
            if n in current:
                old = current.pop(n)[1]
                old.ended_on = day
                loads[old.member[1]] -= 1
            if member is not None:
                a = AssignmentPlan((ward, member), day)
                p.assignments.append(a)
                current[n] = (p, a)
                loads[member] += 1

        for day, _, n, kind, p in events:
            if kind == "start":
                prefer, forced = self._prefer(ward, p)
                give(n, p, self._choose(ward, day, loads, prefer=prefer, forced=forced), day)
            elif kind == "end" and n in current:
                give(n, p, None, day)
            elif kind == "leave":  # n is the leaving member: hand their persons over
                for k, (q, a) in sorted(current.items()):
                    if a.member[1] == n:
                        give(k, q, self._choose(ward, day, loads, exclude=n, least=True), day)
            elif kind == "shuffle" and n in current and not p.pinned:
                a = current[n][1]
                if (day - a.started_on).days >= 120:
                    give(n, p, self._choose(ward, day, loads, exclude=a.member[1]), day)

    def _prefer(self, ward: str, p: PersonPlan) -> tuple[int | None, bool]:
        """The member to keep, and whether it must be them: the volunteer for the persons
        pinned to them; at the merger, the same person as before if they joined the new team
        and their caseload allows."""
        if p.pinned and self.volunteer[0] == ward:
            return self.volunteer[1], True
        if p.old_ward and ward == p.new_ward and p.assignments:
            before = self.teams[p.old_ward].members[p.assignments[-1].member[1]].person
            for i, m in enumerate(self.teams[ward].members):
                if m.person == before:
                    return i, False
        return None, False

    def _choose(
        self, ward, day, loads, *, exclude=None, prefer=None, forced=False, least=False
    ) -> int | None:
        members = self.teams[ward].members
        options = [i for i, m in enumerate(members) if _active(m, day) and i != exclude]
        if not options:
            return None
        cap = 6 if (ward, prefer) == self.volunteer else 10
        if prefer in options and (forced or loads[prefer] < cap):
            return prefer
        if least:
            fewest = min(loads[i] for i in options)
            return self.rng.choice([i for i in options if loads[i] == fewest])
        weights = []
        for i in options:
            w = ROLE_WEIGHT[members[i].role] / (1 + loads[i]) ** 2
            if (ward, i) == self.volunteer:
                w *= 20 if loads[i] < 6 else 0.1
            weights.append(w)
        return self.rng.choices(options, weights=weights)[0]


def _club_day(ward: str, year: int, month: int) -> datetime.date:
    """The day of the month a ward's clubs meet: the second Saturday or Sunday."""
    weekday = 5 + sum(map(ord, ward)) % 2
    day = datetime.date(year, month, 8)
    return day + _days((weekday - day.weekday()) % 7)


def _casework(
    rng: random.Random, p: PersonPlan, teams: dict[str, wards_demo.TeamPlan], volunteer: MemberRef
) -> None:
    """Contacts by the helper of the day: every 2–6 weeks in the first four months, under a
    measure or in a club; every 3–6 months otherwise; through the family while away in
    treatment. Club members are assessed every three months."""

    def member(ref: MemberRef) -> wards_demo.MemberPlan:
        return teams[ref[0]].members[ref[1]]

    holds = [
        (a.started_on, min(a.ended_on or FAR, member(a.member).left_on or FAR), a.member)
        for a in sorted(p.assignments, key=lambda a: a.started_on)
    ]

    def held(day: datetime.date) -> MemberRef | None:
        return next((ref for a, b, ref in holds if a <= day < b), None)

    def away(day: datetime.date) -> bool:
        return any(a <= day < b for a, b in p.away)

    def enrolled(day: datetime.date, codes) -> bool:
        return any(
            e.programme in codes and e.started_on <= day <= (e.ended_on or FAR)
            for e in p.enrollments
        )

    def contact(day: datetime.date, ref: MemberRef, kind: str, result: str = "") -> ContactPlan:
        summary = AWAY_SUMMARY if away(day) else rng.choice(SUMMARIES[kind])
        return ContactPlan(day, kind, ref, p.group_on(day), summary, result)

    stop = min(p.closed_on or DATA_UNTIL, DATA_UNTIL, p.silent_after or FAR)
    if p.unseen:
        stop = p.registered_on - _days(1)
    out: list[ContactPlan] = []
    t = p.registered_on + _days(rng.randint(0, 10))
    while t <= stop:
        ref = held(t)
        if ref is None:
            later = [a for a, _, _ in holds if a > t]
            if not later:
                break
            t = later[0] + _days(rng.randint(0, 10))
            continue
        group = p.group_on(t)
        if away(t):
            kind, gap = _pick(rng, {K.VIA_FAMILY: 70, K.PHONE: 30}), rng.randint(60, 120)
        else:
            weights = {K.HOME_VISIT: 38, K.MEETING: 20, K.PHONE: 17, K.VIA_FAMILY: 10}
            if group in USING:
                weights[K.DRUG_TEST] = 10
            if enrolled(t, CLUBS):
                weights[K.GROUP_SESSION] = 25
            kind = _pick(rng, weights)
            busy = t < p.registered_on + _days(120) or enrolled(t, INTENSIVE)
            gap = rng.randint(14, 42) if busy else rng.randint(90, 200)
        day, result = t, ""
        if kind == K.GROUP_SESSION:
            day = _club_day(p.ward_on(t), t.year, t.month)
            if held(day) != ref or day > stop or (out and day <= out[-1].occurred_on):
                day, kind = t, K.MEETING
        if kind == K.DRUG_TEST:
            positive = 0.25 if group in (G.DRUG_USER, G.ADDICTED) else 0.05
            result = _pick(
                rng, {"positive": positive, "negative": 0.96 - positive, "refused": 0.04}
            )
        out.append(contact(day, ref, kind, result))
        t = max(t, day) + _days(gap)

    # A relapse is usually found by a test.
    seen = {c.occurred_on for c in out}
    for m in p.milestones:
        ref = held(m.occurred_on)
        if m.kind == MK.RELAPSED and ref and m.occurred_on <= stop and m.occurred_on not in seen:
            out.append(contact(m.occurred_on, ref, K.DRUG_TEST, "positive"))
    out.sort(key=lambda c: c.occurred_on)

    # Before the period closes most files have a recent contact; the volunteer's all do.
    last = out[-1].occurred_on if out else None
    mine = bool(p.assignments) and p.assignments[-1].member == volunteer
    keep_up = rng.random() < 0.88 or p.pinned or mine
    if p.closed_on is None and p.silent_after is None and keep_up and stop == DATA_UNTIL:
        day = DATA_UNTIL - _days(rng.randint(0, 12 if mine else 20))
        ref = held(day)
        recent = DATA_UNTIL - _days(14 if mine else 25)
        if ref and (last is None or last < recent) and day >= p.registered_on:
            kind = K.VIA_FAMILY if away(day) else _pick(rng, {K.HOME_VISIT: 3, K.MEETING: 1})
            out.append(contact(day, ref, kind))
    p.contacts = out

    # Clubs assess their members every quarter; since the merger the new teams assess
    # everyone they follow as often (the app's work list asks for it every 90 days).
    end = min(p.closed_on or FAR, DATA_UNTIL, p.silent_after or FAR)
    spans = [
        (e.started_on, min(e.ended_on or FAR, end)) for e in p.enrollments if e.programme in CLUBS
    ]
    if p.new_ward:
        spans.append((max(p.registered_on, teams[p.new_ward].established_on), end))
    for start, until in spans:
        t = start + _days(rng.randint(60, 100))
        while t <= until:
            if not any(abs((s.assessed_on - t).days) < 45 for s in p.assessments):
                p.assessments.append(AssessmentPlan(t, _progress(rng, p, t), held(t)))
            t += _days(rng.randint(80, 100))
    p.assessments.sort(key=lambda s: s.assessed_on)


def _progress(rng: random.Random, p: PersonPlan, day: datetime.date) -> str:
    if any(
        m.kind == MK.RELAPSED and _days(0) <= day - m.occurred_on < _days(100) for m in p.milestones
    ):
        return Assessment.Result.RELAPSED
    if p.group_on(day) in (G.DRUG_USER, G.ADDICTED) and rng.random() < 0.6:
        return Assessment.Result.NOT_PROGRESSING
    if rng.random() < 0.25:
        return Assessment.Result.NOT_PROGRESSING
    return Assessment.Result.PROGRESSING


def plan() -> Plan:
    """The whole casework, drawn from one seeded generator: the same on every run and day."""
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    wp = wards_demo.plan()
    teams = {t.ward: t for t in wp.old_teams + wp.new_teams}
    taken = {m.full_name for t in teams.values() for m in t.members}
    registrar = _Registrar(rng, taken)

    persons = []
    for code, _, successor in wards_demo.OLD_WARDS:
        founded = teams[code].established_on
        # The team takes over the commune's list in its first weeks, then registers more.
        for _ in range(
            rng.randint(36, 40) if successor == wards_demo.LANG else rng.randint(25, 38)
        ):
            if rng.random() < 0.2:
                day = _between(rng, founded, founded + _days(60))
            else:
                day = _between(rng, founded + _days(60), MERGED_ON - _days(10))
            persons.append(registrar.person(day, code, successor, wp.areas))
    for ward in wards_demo.SUCCESSORS:
        founded = teams[ward].established_on
        for _ in range(rng.randint(8, 14)):
            day = _between(rng, founded, DATA_UNTIL - _days(30))
            group = _pick(rng, RECENT_GROUPS)
            persons.append(registrar.person(day, None, ward, wp.areas, group=group))

    # The demo volunteer's own cases: a post-rehab term ending within a month of DATA_UNTIL,
    # and someone registered days ago whom nobody has visited yet.
    lang = wards_demo.LANG
    due_soon = add_months(DATA_UNTIL, -12) + _days(rng.randint(5, 25))
    p = registrar.person(due_soon, None, lang, wp.areas, group=G.POST_REHAB)
    persons.append(_script(rng, p, due_soon))
    newest = DATA_UNTIL - _days(rng.randint(4, 10))
    p = registrar.person(newest, None, lang, wp.areas, group=G.HIGH_RISK)
    p.enrollments, p.milestones, p.closed_on, p.closed_reason = [], [], None, ""
    p.groups, p.pinned, p.unseen = [(newest, G.HIGH_RISK)], True, True
    persons.append(p)

    volunteer = next(
        (t.ward, i) for t in wp.new_teams for i, m in enumerate(t.members) if m.login == VOLUNTEER
    )
    _Roster(rng, teams, volunteer).run(persons)
    # Two of the volunteer's persons have not been seen for seven weeks or more.
    theirs = [
        p
        for p in persons
        if not p.pinned
        and p.closed_on is None
        and p.assignments
        and p.assignments[-1].member == volunteer
        and p.registered_on < DATA_UNTIL - _days(200)
    ]
    for p in rng.sample(theirs, min(2, len(theirs))):
        p.silent_after = DATA_UNTIL - _days(rng.randint(50, 85))
    for p in persons:
        _casework(rng, p, teams, volunteer)

    leaders = defaultdict(list)
    for ward, team in teams.items():
        for m in team.members:
            if m.role == Member.Role.LEADER and m.login:
                leaders[ward].append((m.joined_on, m.left_on or FAR, m.login))
    members = {ward: [m.full_name for m in t.members] for ward, t in teams.items()}
    return Plan(persons=persons, members=members, leaders=dict(leaders))


_plan = functools.cache(plan)


def _script(rng: random.Random, p: PersonPlan, started: datetime.date) -> PersonPlan:
    """Back from voluntary treatment, under post-rehab management since `started`, no
    relapse: the volunteer's case whose term ends soon."""
    story = _Story(rng, p.birth_year)
    story.relapses = False
    story.run(started, G.POST_REHAB, "post_rehab_12")
    p.groups, p.enrollments = story.groups, story.enrollments
    p.milestones = sorted(story.milestones, key=lambda m: m.occurred_on)
    p.closed_on, p.closed_reason, p.away, p.pinned = None, "", [], True
    p.history_notes = HISTORY[G.POST_REHAB][1]
    return p


# ---------------------------------------------------------------------------------------------
# Writing the plan


@dataclass
class Summary:
    persons: int
    active: int
    enrollments: int
    assignments: int
    contacts: int
    milestones: int
    assessments: int

    def __str__(self) -> str:
        return (
            f"{self.persons} persons ({self.active} on the register on "
            f"{DATA_UNTIL:%d/%m/%Y}), {self.enrollments} enrolments, {self.assignments} "
            f"assignments, {self.contacts} contacts, {self.milestones} milestones, "
            f"{self.assessments} assessments"
        )


BATCH = 2000


@transaction.atomic
def seed(demo: wards_demo.Demo) -> Summary:
    """Write the casework of the demo on top of what `wards.demo.seed()` returned.

    `created_by` (and `consent_by`, `assigned_by`, `ended_by`) is the login of the leader of
    the ward's team on that day when the leader has one, else None; a contact or assessment by
    a member with a login is that member's own record. Rows are built with ids rather than
    instances, which spares the ORM its related-object bookkeeping; the plan is computed once
    per process (it never changes)."""
    p = _plan()
    units = {
        code: u.pk for (code, _, _), u in zip(wards_demo.OLD_WARDS, demo.old_wards, strict=True)
    }
    units.update(
        (name, u.pk) for name, u in zip(wards_demo.SUCCESSORS, demo.new_wards, strict=True)
    )
    teams = dict(zip([c for c, _, _ in wards_demo.OLD_WARDS], demo.old_teams, strict=True))
    teams.update(zip(wards_demo.SUCCESSORS, demo.new_teams, strict=True))
    members = {ward: demo.members[team.pk] for ward, team in teams.items()}
    for ward, names in p.members.items():
        if [m.full_name for m in members[ward]] != names:
            raise wards_demo.DemoError(f"The members of {ward} are not those of the demo plan.")
    programmes = dict(Programme.objects.values_list("code", "pk"))
    users = {username: u.pk for username, u in demo.users.items()}

    def author(ward: str, day: datetime.date) -> int | None:
        return users.get(p.author(ward, day))

    def member(ref: MemberRef | None) -> int | None:
        return members[ref[0]][ref[1]].pk if ref else None

    def recorder(ref: MemberRef | None, ward: str, day: datetime.date) -> int | None:
        """A helper with a login wrote their own record; otherwise the leader did."""
        return (ref and members[ref[0]][ref[1]].user_id) or author(ward, day)

    rows = []
    for pp in p.persons:
        first = pp.ward_on(pp.registered_on)
        rows.append(
            Person(
                ward_id=units[pp.ward],
                area_id=demo.areas[units[pp.ward]][pp.area].pk,
                full_name=pp.full_name,
                alias=pp.alias,
                search_key=fold(f"{pp.full_name} {pp.alias}"),
                sex=pp.sex,
                birth_date=pp.birth_date,
                birth_year=pp.birth_year,
                id_number=pp.id_number,
                phone=pp.phone,
                address=pp.address,
                family_contact=pp.family_contact,
                group=pp.group,
                substances=pp.substances,
                history_notes=pp.history_notes,
                registered_on=pp.registered_on,
                consent_on=pp.registered_on,
                consent_by_id=author(first, pp.registered_on),
                status=Person.Status.CLOSED if pp.closed_on else Person.Status.ACTIVE,
                closed_on=pp.closed_on,
                closed_reason=pp.closed_reason,
                created_by_id=author(first, pp.registered_on),
            )
        )
    persons = Person.objects.bulk_create(rows, batch_size=BATCH)

    enrollments, assignments, contacts, milestones, assessments = [], [], [], [], []
    for pp, person in zip(p.persons, persons, strict=True):
        pk = person.pk
        for e in pp.enrollments:
            ward = pp.ward_on(e.started_on)
            enrollments.append(
                Enrollment(
                    person_id=pk,
                    programme_id=programmes[e.programme],
                    ward_id=units[ward],
                    started_on=e.started_on,
                    due_on=e.due_on,
                    ended_on=e.ended_on,
                    end_reason=e.end_reason,
                    decision_no=e.decision_no,
                    decision_on=e.decision_on,
                    created_by_id=author(ward, e.started_on),
                )
            )
        for a in pp.assignments:
            ward = a.member[0]
            assignments.append(
                Assignment(
                    person_id=pk,
                    member_id=member(a.member),
                    started_on=a.started_on,
                    ended_on=a.ended_on,
                    assigned_by_id=author(ward, a.started_on),
                    ended_by_id=author(ward, a.ended_on) if a.ended_on else None,
                )
            )
        for c in pp.contacts:
            ward = pp.ward_on(c.occurred_on)
            contacts.append(
                Contact(
                    person_id=pk,
                    member_id=member(c.member),
                    ward_id=units[ward],
                    person_group=c.group,
                    occurred_on=c.occurred_on,
                    kind=c.kind,
                    summary=c.summary,
                    drug_test_result=c.result,
                    next_due_on=c.occurred_on + _days(DUE_DAYS),
                    created_by_id=recorder(c.member, ward, c.occurred_on),
                )
            )
        for m in pp.milestones:
            ward = pp.ward_on(m.occurred_on)
            milestones.append(
                Milestone(
                    person_id=pk,
                    ward_id=units[ward],
                    occurred_on=m.occurred_on,
                    kind=m.kind,
                    created_by_id=author(ward, m.occurred_on),
                )
            )
        for s in pp.assessments:
            ward = pp.ward_on(s.assessed_on)
            assessments.append(
                Assessment(
                    person_id=pk,
                    member_id=member(s.member),
                    ward_id=units[ward],
                    assessed_on=s.assessed_on,
                    result=s.result,
                    created_by_id=recorder(s.member, ward, s.assessed_on),
                )
            )
    for model, objs in (
        (Enrollment, enrollments),
        (Assignment, assignments),
        (Contact, contacts),
        (Milestone, milestones),
        (Assessment, assessments),
    ):
        model.objects.bulk_create(objs, batch_size=BATCH)
    return Summary(
        persons=len(persons),
        active=sum(1 for pp in p.persons if pp.closed_on is None),
        enrollments=len(enrollments),
        assignments=len(assignments),
        contacts=len(contacts),
        milestones=len(milestones),
        assessments=len(assessments),
    )
