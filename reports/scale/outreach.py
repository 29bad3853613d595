"""The activities and referrals of one former ward, as rows for the writer.

Activities fall on the team's days: the former ward's until 30/06/2025, today's ward's from
the founding of its team. Each kind carries the figures `Activity.FIELDS` asks of it (a radio
entry its minutes, a leaflet drop its items, a school talk its school). Referrals go to persons
on the list that day, by their helper, and move along the statuses with a dated history; a
step that would fall after the day of the run (cases.demo.until) is not taken, so the referral
stays open.
"""

from __future__ import annotations

import datetime
import random
from itertools import accumulate

from cases.demo.vocabulary import MERGED_ON, until
from outreach.demo.vocabulary import BANK, FUND, JOB_CENTRE
from outreach.models import Activity, Partner, Referral, ReferralStatusChange
from reports.scale.casework import PersonDraft
from reports.scale.layout import WardLayout

AK = Activity.Kind
RK = Referral.Kind
RS = Referral.Status

# kind: (weight, sessions (low, high), participants, items, minutes per session, title)
ACTIVITY_KINDS = {
    AK.COMMUNITY_MEETING: (15, (1, 2), (20, 120), None, None, "Tuyên truyền tại họp tổ dân phố"),
    AK.SCHOOL_TALK: (5, (1, 1), (60, 400), None, None, "Ngoại khóa phòng, chống ma túy học đường"),
    AK.RADIO: (9, (4, 30), None, None, (5, 15), "Phát thanh tin, bài phòng, chống ma túy"),
    AK.LOUDSPEAKER: (6, (1, 6), None, None, (20, 60), "Loa di động tuyên truyền các khu dân cư"),
    AK.SEMINAR: (3, (1, 1), (20, 80), None, None, "Tọa đàm phòng, chống tệ nạn xã hội"),
    AK.FILM: (2, (1, 1), (30, 200), None, None, "Chiếu phóng sự về tác hại của ma túy"),
    AK.LEAFLETS: (10, (1, 3), None, (50, 500), None, "Phát tờ rơi phòng, chống ma túy"),
    AK.ARTICLE: (4, (1, 1), None, (1, 3), None, "Viết tin, bài trên trang thông tin phường"),
    AK.BANNER: (4, (1, 1), None, (1, 10), None, "Treo băng rôn hưởng ứng Tháng hành động"),
    AK.PLEDGE: (3, (1, 1), None, (20, 300), None, "Ký cam kết gia đình không có ma túy"),
    AK.TRAINING: (2, (1, 1), (15, 60), None, None, "Tập huấn kỹ năng tư vấn, hỗ trợ"),
    AK.TEAM_MEETING: (12, (1, 1), None, None, None, "Giao ban Đội hằng tháng"),
    AK.CLUB_SESSION: (8, (1, 1), (8, 25), None, None, "Sinh hoạt câu lạc bộ"),
    AK.PATROL: (8, (1, 4), None, None, None, "Rà soát địa bàn, nắm tình hình"),
    AK.INSPECTION: (4, (1, 3), None, None, None, "Kiểm tra cơ sở kinh doanh dịch vụ nhạy cảm"),
    AK.POLICE_TIP: (3, (1, 2), None, None, None, ""),
    AK.OTHER: (2, (1, 1), (10, 60), None, None, "Thăm, tặng quà người sau cai nghiện"),
}  # fmt: skip
A_KINDS = list(ACTIVITY_KINDS)
A_CUM = list(accumulate(spec[0] for spec in ACTIVITY_KINDS.values()))
SCHOOLS = ("Trường THCS", "Trường THPT", "Trường Tiểu học")

# kind: (weight, amount in đồng (low, high, step) or None, share for a household)
REFERRAL_KINDS = {
    RK.LOAN: (22, (20_000_000, 100_000_000, 5_000_000), 0.4),
    RK.VOCATIONAL_TRAINING: (17, None, 0),
    RK.JOB: (18, None, 0),
    RK.EDUCATION: (4, None, 0),
    RK.HARDSHIP_SUPPORT: (10, (500_000, 5_000_000, 500_000), 0.3),
    RK.GIFT: (20, (300_000, 1_000_000, 100_000), 0.2),
    RK.HEALTH: (5, None, 0),
    RK.LEGAL: (3, None, 0),
    RK.OTHER: (1, None, 0),
}
R_KINDS = list(REFERRAL_KINDS)
R_CUM = list(accumulate(spec[0] for spec in REFERRAL_KINDS.values()))
PARTNER_OF = {RK.LOAN: BANK, RK.VOCATIONAL_TRAINING: JOB_CENTRE, RK.JOB: JOB_CENTRE}
# final outcome: completed, declined (after approval or not), withdrawn, still open
OUTCOMES = ("completed",) * 60 + ("declined",) * 10 + ("withdrawn",) * 5 + ("open",) * 25

ACTIVITY_FIELDS = (
    "unit_id", "occurred_on", "kind", "title", "sessions", "participants", "items", "minutes",
    "place", "audience", "note", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
REFERRAL_FIELDS = (
    "person_id", "for_household", "ward_id", "member_id", "kind", "partner_id", "referred_on",
    "status", "status_on", "amount", "note", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
CHANGE_FIELDS = (
    "referral_id",
    "status",
    "changed_on",
    "note",
    "changed_by_id",
    "created_at",
    "updated_at",
)


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


class Outreach:
    def __init__(self, rng: random.Random, writer):
        self.rng = rng
        self.writer = writer
        self.activities = writer.sink(Activity, ACTIVITY_FIELDS)
        self.referrals = writer.sink(Referral, REFERRAL_FIELDS)
        self.changes = writer.sink(ReferralStatusChange, CHANGE_FIELDS)
        national = dict(Partner.objects.filter(unit__isnull=True).values_list("name", "pk"))
        self.partners = {kind: national.get(name) for kind, name in PARTNER_OF.items()}
        self.partners[RK.LOAN] = self.partners[RK.LOAN] or national.get(FUND)

    def activities_of(self, w: WardLayout, n: int) -> None:
        """`n` activities of the former ward's team and, for its share after the merger,
        of today's ward's team."""
        rng, writer, sink = self.rng, self.writer, self.activities
        old_days = (MERGED_ON - w.team.established_on).days
        new_days = (until() - w.new_team.established_on).days + 1
        total = old_days + new_days
        kinds = rng.choices(A_KINDS, cum_weights=A_CUM, k=n)
        for kind in kinds:
            offset = rng.randrange(total)
            if offset < old_days:
                unit, day = w.old, w.team.established_on + _days(offset)
            else:
                unit, day = w.new, w.new_team.established_on + _days(offset - old_days)
            _, (lo, hi), people, items, minutes, title = ACTIVITY_KINDS[kind]
            sessions = rng.randint(lo, hi)
            place = ""
            if kind == AK.SCHOOL_TALK:
                place = f"{rng.choice(SCHOOLS)} {rng.choice(w.streets).split(' ', 1)[-1]}"
            stamp = writer.stamp(day)
            sink.add(
                unit, day, kind, title, sessions,
                rng.randint(*people) * sessions if people else None,
                rng.randint(*items) * sessions if items else None,
                rng.randint(*minutes) * sessions if minutes else None,
                place, "", "", None, stamp, stamp,
            )  # fmt: skip
            writer.maybe_flush()

    def referrals_of(self, w: WardLayout, drafts: list[PersonDraft], n: int) -> None:
        """`n` referrals of persons of the ward, each on a day they were on the list."""
        rng, writer = self.rng, self.writer
        if not drafts:
            return
        for _ in range(n):
            d = rng.choice(drafts)
            last = min(d.end - _days(1), until())
            day = d.registered_on + _days(rng.randint(0, max(0, (last - d.registered_on).days)))
            kind = rng.choices(R_KINDS, cum_weights=R_CUM)[0]
            _, money, household = REFERRAL_KINDS[kind]
            amount = None
            if money:
                low, high, step = money
                amount = rng.randrange(low, high + step, step)
            steps = [(RS.REFERRED, day)]
            outcome = rng.choice(OUTCOMES)
            if outcome != "withdrawn" or rng.random() < 0.5:
                steps.append((RS.APPROVED, day + _days(rng.randint(3, 40))))
            if outcome == "completed":
                steps.append((RS.COMPLETED, steps[-1][1] + _days(rng.randint(5, 60))))
            elif outcome in ("declined", "withdrawn"):
                steps.append((RS(outcome), steps[-1][1] + _days(rng.randint(3, 30))))
            elif rng.random() < 0.5:
                steps.pop()  # still waiting for an answer
            steps = [(s, on) for s, on in steps if on <= until()]
            status, status_on = steps[-1]
            stamp = writer.stamp(day)
            pk = self.referrals.add(
                d.id, bool(household) and rng.random() < household, w.ward_on(day),
                d.member_on(day), kind, self.partners.get(kind), day, status, status_on,
                amount, "", None, stamp, stamp,
            )  # fmt: skip
            for status, on in steps:
                at = writer.stamp(on)
                self.changes.add(pk, status, on, "", None, at, at)
            writer.maybe_flush()
