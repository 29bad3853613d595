"""The fixed vocabulary of the demo casework: its seed and dates, the programmes and
groups with their weights, the streets, names and notes it draws from, and the small
random helpers every part of the plan uses.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import random
from collections.abc import Iterator

from cases.models import Contact, Enrollment, Milestone, Person
from wards import demo as wards_demo
from wards.models import Member

SEED = 20121001
MERGED_ON = wards_demo.DISSOLVED_ON + datetime.timedelta(days=1)  # the first day of new wards
# The history runs to the day of the run (`history_until`), which may not be earlier than this:
# a year of today's wards, and QĐ 08/2026/QĐ-TTg's loans (outreach.demo) in force.
EARLIEST_UNTIL = datetime.date(2026, 7, 1)
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

# The clubs of the demo: (old ward, programme, founded on, last day or None). A club that
# still met on 30/06/2025 closed with its ward that day, and its members carried on from 1 July
# in the club the successor ward founded on its first day (`planning._clubs`); Ô Chợ Dừa's
# early-intervention club stopped after the COVID-19 restrictions, its members leaving it.
CLUB_SEATS = (
    ("00205", "club_b93", datetime.date(2013, 6, 26), None),
    ("00211", "club_b93", datetime.date(2014, 3, 15), None),
    ("00187", "club_early", datetime.date(2014, 9, 13), None),
    ("00190", "club_early", datetime.date(2015, 3, 28), datetime.date(2021, 12, 31)),
    ("00220", "club_early", datetime.date(2015, 10, 10), None),
    ("00238", "club_early", datetime.date(2016, 5, 14), None),
)
CLUB_NAMES = {"club_b93": "Câu lạc bộ B93", "club_early": "Câu lạc bộ can thiệp sớm"}
# Days between two assessments of a club's members: B93 clubs every quarter, early-intervention
# clubs twice a year; since the merger the teams assess everyone they follow every quarter.
ASSESS_EVERY = {"club_b93": 90, "club_early": 180, None: 90}
# Chances of joining the ward's club, where there is one: post-rehab persons and persons on
# methadone the B93 club, high-risk persons and drug users the early-intervention club.
JOINS = {G.POST_REHAB: 0.85, G.ADDICTED: 0.4, G.HIGH_RISK: 0.85, G.DRUG_USER: 0.6}
# The wards with a club register a few more persons (the club brings them in), those with an
# early-intervention club more young people at risk.
CLUB_WARDS = frozenset(code for code, _, _, _ in CLUB_SEATS)
EARLY_WARDS = {code: day for code, programme, day, _ in CLUB_SEATS if programme == "club_early"}

# The reasons written with a person's group changes (GroupChange.reason); the first entry's is
# the register form's default. A change the team learnt of days later ("written after the
# fact") is dated on the day it took effect, and its reason says when the notice came.
FIRST_REASON = "Đưa vào danh sách"
GROUP_REASONS = {
    (G.HIGH_RISK, G.DRUG_USER): "Công an phường báo kết quả xét nghiệm dương tính với ma túy.",
    (G.OTHER, G.DRUG_USER): "Xác minh lại: người này sử dụng trái phép chất ma túy.",
    (G.DRUG_USER, G.ADDICTED): "Cơ sở y tế xác định tình trạng nghiện ma túy.",
    (G.POST_REHAB, G.ADDICTED): "Tái nghiện: xét nghiệm dương tính với ma túy.",
    "voluntary": "Hoàn thành cai nghiện tự nguyện, chuyển sang quản lý sau cai nghiện.",
    "methadone": "Hoàn thành điều trị thay thế bằng methadone, chuyển sang quản lý sau cai nghiện.",
    "compulsory": "Chấp hành xong quyết định cai nghiện bắt buộc, trở về địa phương.",
}  # fmt: skip
LATE_REASON = "{reason} Cập nhật ngày {written:%d/%m/%Y}, khi nhận được thông báo."
# Registered as high-risk or «other», found to use drugs within weeks (the correction the
# issue describes): the share of those persons.
CORRECTED = 0.15

# Counselling topics (Contact.Topic): the share of contacts of each kind that record some, the
# topic a summary implies, and the likely topics of each group.
T = Contact.Topic
TOPIC_SHARE = {K.HOME_VISIT: 0.5, K.MEETING: 0.6, K.PHONE: 0.3}
TOPIC_HINTS = {
    "Thăm gia đình, trao đổi tình hình sinh hoạt, việc làm.": T.FAMILY,
    "Đến nhà tư vấn, nhắc lịch làm việc với Công an phường.": T.LEGAL,
    "Gặp trực tiếp tại nhà văn hóa tổ dân phố, tư vấn tâm lý.": T.PSYCHOLOGICAL,
    "Gặp tại nơi làm việc, trao đổi về việc làm ổn định.": T.CAREER,
    "Tư vấn trực tiếp về vay vốn, học nghề.": T.CAREER,
    "Gọi điện hỏi thăm sức khỏe, nhắc lịch hẹn.": T.HEALTH,
}
TOPICS = {
    G.HIGH_RISK: {T.PSYCHOLOGICAL: 30, T.CAREER: 30, T.FAMILY: 25, T.LEGAL: 10, T.HEALTH: 5},
    G.DRUG_USER: {T.LEGAL: 30, T.HEALTH: 25, T.PSYCHOLOGICAL: 25, T.FAMILY: 15, T.CAREER: 5},
    G.ADDICTED: {T.HEALTH: 35, T.PSYCHOLOGICAL: 25, T.FAMILY: 20, T.LEGAL: 15, T.CAREER: 5},
    G.POST_REHAB: {T.CAREER: 35, T.PSYCHOLOGICAL: 25, T.HEALTH: 20, T.FAMILY: 15, T.LEGAL: 5},
    G.SEX_WORK: {T.CAREER: 35, T.HEALTH: 30, T.LEGAL: 20, T.PSYCHOLOGICAL: 15},
    G.TRAFFICKING: {T.PSYCHOLOGICAL: 35, T.CAREER: 30, T.LEGAL: 20, T.HEALTH: 15},
    G.OTHER: {T.FAMILY: 40, T.PSYCHOLOGICAL: 30, T.LEGAL: 15, T.HEALTH: 15},
}


_UNTIL: contextvars.ContextVar[datetime.date] = contextvars.ContextVar("demo_until")


@contextlib.contextmanager
def history_until(day: datetime.date) -> Iterator[datetime.date]:
    """Within the block, the demo's history (cases, outreach and the bulk rows of
    reports.scale) ends on `day`, the day of the run: `until()` returns it."""
    if day < EARLIEST_UNTIL:
        raise ValueError(f"The demo's history cannot end before {EARLIEST_UNTIL:%d/%m/%Y}.")
    token = _UNTIL.set(day)
    try:
        yield day
    finally:
        _UNTIL.reset(token)


def until() -> datetime.date:
    """The last day of the demo's history: the day of the run, set by `history_until`
    (LookupError outside it: no module holds a date of its own)."""
    return _UNTIL.get()


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + _days(rng.randint(0, max(0, (last - first).days)))
