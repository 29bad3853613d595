"""The referrals of the persons of the casework (`_Referrals`): when and what for, to which
partner, and each one's history, with the delays, outcomes and notes they draw from.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from cases import demo as cases_demo
from outreach.demo.partners import _Partners
from outreach.demo.plans import PartnerKey, ReferralPlan
from outreach.demo.vocabulary import (
    BANK,
    FAR,
    FUND,
    JOB_CENTRE,
    QD_08_2026_ON,
    RK,
    RS,
    TET,
    USING,
    G,
    _between,
    _days,
    _pick,
    _poisson,
    until,
)
from outreach.models import Partner

# Days from referred to approved, and from approved to the final step.
DELAYS = {
    RK.LOAN: ((15, 45), (7, 30)),
    RK.VOCATIONAL_TRAINING: ((7, 30), (60, 180)),
    RK.JOB: ((5, 20), (3, 20)),
    RK.EDUCATION: ((7, 30), (120, 270)),
    RK.HARDSHIP_SUPPORT: ((1, 5), (1, 7)),
    RK.GIFT: ((1, 3), (1, 7)),
    RK.HEALTH: ((3, 14), (7, 30)),
    RK.LEGAL: ((7, 20), (20, 90)),
    RK.OTHER: ((7, 30), (15, 60)),
}
QD_08_DELAYS = ((20, 90), (10, 45))  # the bank's first months under the new decision
OUTCOMES = {
    RK.LOAN: {RS.COMPLETED: 72, RS.DECLINED: 15, RS.WITHDRAWN: 13},
    RK.VOCATIONAL_TRAINING: {RS.COMPLETED: 50, RS.DECLINED: 15, RS.WITHDRAWN: 35},
    RK.JOB: {RS.COMPLETED: 40, RS.DECLINED: 35, RS.WITHDRAWN: 25},
    RK.EDUCATION: {RS.COMPLETED: 75, RS.WITHDRAWN: 25},
    RK.HARDSHIP_SUPPORT: {RS.COMPLETED: 95, RS.DECLINED: 5},
    RK.GIFT: {RS.COMPLETED: 97, RS.WITHDRAWN: 3},
    RK.HEALTH: {RS.COMPLETED: 80, RS.WITHDRAWN: 20},
    RK.LEGAL: {RS.COMPLETED: 85, RS.WITHDRAWN: 15},
    RK.OTHER: {RS.COMPLETED: 80, RS.WITHDRAWN: 20},
}
NOTES = {
    (RK.LOAN, RS.DECLINED): (
        "Ngân hàng không chấp thuận: chưa có phương án sử dụng vốn khả thi.",
        "Không đủ điều kiện vay: còn dư nợ quá hạn.",
    ),
    (RK.LOAN, RS.WITHDRAWN): ("Gia đình không có nhu cầu vay nữa.",),
    (RK.LOAN, RS.COMPLETED): ("Đã giải ngân.",),
    (RK.VOCATIONAL_TRAINING, RS.WITHDRAWN): ("Bỏ học giữa chừng.", "Đi làm, không theo học."),
    (RK.VOCATIONAL_TRAINING, RS.DECLINED): ("Lớp đã đủ học viên.",),
    (RK.VOCATIONAL_TRAINING, RS.COMPLETED): ("Hoàn thành khóa học, được cấp chứng chỉ.",),
    (RK.GIFT, RS.WITHDRAWN): ("Gia đình đã chuyển đi, không nhận quà.",),
    (RK.JOB, RS.DECLINED): ("Doanh nghiệp không tuyển.", "Không đạt yêu cầu khi phỏng vấn."),
    (RK.JOB, RS.WITHDRAWN): ("Không nhận việc do xa nhà.", "Đã tự tìm được việc khác."),
    (RK.JOB, RS.COMPLETED): ("Đã nhận việc.",),
    (RK.GIFT, RS.COMPLETED): ("Đã trao quà tại nhà.",),
    (RK.EDUCATION, RS.WITHDRAWN): ("Bỏ học.",),
}
LOAN_PURPOSES = (
    "Vay vốn mở quán sửa xe máy.", "Vay vốn kinh doanh hàng ăn.",
    "Vay vốn chăn nuôi, buôn bán nhỏ.", "Vay vốn mua xe máy chạy xe công nghệ.",
    "Vay vốn mở cửa hàng tạp hóa.",
)  # fmt: skip
HARDSHIP_NOTES = (
    "Ốm nặng phải nằm viện.", "Nhà bị hư hỏng do mưa bão.", "Tai nạn giao thông.",
    "Gia đình có người mất.", "Mất việc làm, không có thu nhập.",
)  # fmt: skip
HEALTH_NOTES = (
    "Khám sức khỏe, xét nghiệm HIV, viêm gan C.", "Tư vấn, điều trị rối loạn tâm thần do ma túy.",
    "Làm thẻ bảo hiểm y tế.",
)  # fmt: skip
LEGAL_NOTES = (
    "Làm lại giấy tờ tùy thân, đăng ký thường trú.", "Tư vấn pháp luật về hôn nhân, nuôi con.",
    "Trợ giúp pháp lý khi tham gia tố tụng.",
)  # fmt: skip
OTHER_NOTES = ("Hỗ trợ làm thủ tục hưởng trợ cấp xã hội.", "Hỗ trợ đăng ký tạm trú cho con.")


class _Referrals:
    """The referrals of the persons of the casework plan, and their histories."""

    def __init__(self, rng: random.Random, wp, cp, partners: _Partners):
        self.rng = rng
        self.cp = cp
        self.partners = partners
        teams = {t.ward: t for t in wp.old_teams + wp.new_teams}
        self.teams = teams
        self.loans: dict[int, list[datetime.date]] = defaultdict(list)
        self.out: list[ReferralPlan] = []

    # -- the person's days

    def free(self, p, day: datetime.date) -> bool:
        """The person is on the register, not away in treatment, and their ward has a team."""
        if day < p.registered_on or day > until():
            return False
        # Not on the file's last day either: a referral then would be withdrawn the same day.
        if p.closed_on is not None and day >= p.closed_on:
            return False
        if any(a <= day < b for a, b in p.away):
            return False
        team = self.teams[p.ward_on(day)]
        last = team.dissolved_on or FAR  # the team's last day
        return team.established_on <= day <= last

    def held(self, p, day: datetime.date) -> cases_demo.MemberRef | None:
        for a in p.assignments:
            member = self.teams[a.member[0]].members[a.member[1]]
            end = min(a.ended_on or FAR, member.left_on or FAR)
            if a.started_on <= day <= end and a.member[0] == p.ward_on(day):
                return a.member
        return None

    def barrier(self, p, day: datetime.date) -> tuple[datetime.date, str]:
        """When a referral made on `day` must stop: the file closes, or the person is sent to
        compulsory treatment."""
        stops = [(b, "Người được hỗ trợ đi cai nghiện bắt buộc.") for b, _ in p.away if b > day]
        if p.closed_on is not None:
            stops.append((p.closed_on, "Hồ sơ đã đóng."))
        return min(stops, default=(FAR, ""))

    # -- one referral

    def make(
        self,
        n: int,
        kind: str,
        referred_on: datetime.date,
        *,
        outcome: str | None = None,
        done_on: datetime.date | None = None,
        partner_kind: str | None = None,
        partner: PartnerKey | None = None,
        amount: int | None = None,
        for_household: bool = False,
        note: str = "",
        delays=None,
    ) -> ReferralPlan | None:
        """A referral and its history. With `done_on` it is completed that day (a milestone
        of the casework), else its outcome is drawn; it is cut where the person's file
        closes or they go away (withdrawn), and on the run's day (left open)."""
        rng = self.rng
        p = self.cp.persons[n]
        if not self.free(p, referred_on):
            return None
        ward = p.ward_on(referred_on)
        if partner is None and partner_kind is not None:
            options = self.partners.near(ward, referred_on, partner_kind)
            if not options and partner_kind == Partner.Kind.EMPLOYER:
                options = [("province", JOB_CENTRE)]  # the city's job fairs
            partner = rng.choice(options) if options else None
        (a1, a2), (b1, b2) = delays or DELAYS[kind]
        if done_on is not None:
            approved = _between(rng, referred_on, done_on)
            steps = [(RS.REFERRED, referred_on, ""), (RS.APPROVED, approved, "")]
            steps.append(
                (RS.COMPLETED, done_on, rng.choice(NOTES.get((kind, RS.COMPLETED), ("",))))
            )
        else:
            outcome = outcome or _pick(rng, OUTCOMES[kind])
            approved = referred_on + _days(rng.randint(a1, a2))
            final = approved + _days(rng.randint(b1, b2))
            steps = [(RS.REFERRED, referred_on, "")]
            if outcome == RS.COMPLETED or rng.random() < 0.5:
                steps.append((RS.APPROVED, approved, ""))
            else:
                final = approved
            steps.append((outcome, final, rng.choice(NOTES.get((kind, outcome), ("",)))))
        stop, why = self.barrier(p, referred_on)
        kept = [s for s in steps if s[1] < stop and s[1] <= until()]
        if len(kept) < len(steps) and stop <= until():
            kept.append((RS.WITHDRAWN, stop, why))
        r = ReferralPlan(
            person=n,
            ward=ward,
            kind=kind,
            referred_on=referred_on,
            partner=partner,
            for_household=for_household,
            amount=amount,
            note=note,
            member=self.held(p, referred_on),
            steps=kept,
        )
        self.out.append(r)
        return r

    # -- who is referred, and when

    def run(self) -> list[ReferralPlan]:
        for n, p in enumerate(self.cp.persons):
            self.person(n, p)
        self.gifts()
        self.out.sort(key=lambda r: (r.referred_on, r.person, r.kind))
        return self.out

    def loan(self, n: int, p, day: datetime.date, household: bool | None = None) -> None:
        rng = self.rng
        if any(abs((day - other).days) < 365 for other in self.loans[n]):
            return
        self.loans[n].append(day)
        household = rng.random() < 0.35 if household is None else household
        # QĐ 08/2026/QĐ-TTg lends up to 200 million to a person after rehabilitation.
        qd_08 = day >= QD_08_2026_ON and not household and p.group_on(day) == G.POST_REHAB
        if qd_08:
            amount = rng.randint(5, 20) * 10_000_000
            note = "Vay vốn theo Quyết định số 08/2026/QĐ-TTg. " + rng.choice(LOAN_PURPOSES)
            delays = QD_08_DELAYS
        else:
            amount, note, delays = rng.randint(6, 20) * 5_000_000, rng.choice(LOAN_PURPOSES), None
        partner = (None, BANK) if qd_08 or rng.random() < 0.8 else (None, FUND)
        self.make(
            n,
            RK.LOAN,
            day,
            partner=partner,
            amount=amount,
            for_household=household,
            note=note,
            delays=delays,
        )

    def person(self, n: int, p) -> None:
        rng = self.rng
        MK = cases_demo.MK
        start, end = p.registered_on, min(p.closed_on or until(), until())
        came_as = p.groups[0][1]
        relapses = [m.occurred_on for m in p.milestones if m.kind == MK.RELAPSED]
        # Behind the casework's milestones: the course, the job, the clinic.
        for m in p.milestones:
            if m.kind == MK.TRAINING_DONE and rng.random() < 0.75:
                day = max(start, m.occurred_on - _days(rng.randint(60, 200)))
                self.make(
                    n,
                    RK.VOCATIONAL_TRAINING,
                    day,
                    done_on=m.occurred_on,
                    partner_kind=Partner.Kind.TRAINING,
                )
            elif m.kind == MK.JOB and rng.random() < 0.55:
                day = max(start, m.occurred_on - _days(rng.randint(10, 45)))
                self.make(n, RK.JOB, day, done_on=m.occurred_on, partner_kind=Partner.Kind.EMPLOYER)
            elif m.kind == MK.METHADONE and rng.random() < 0.8:
                day = max(start, m.occurred_on - _days(rng.randint(7, 30)))
                self.make(
                    n,
                    RK.HEALTH,
                    day,
                    done_on=m.occurred_on,
                    partner_kind=Partner.Kind.METHADONE,
                    note="Giới thiệu điều trị thay thế bằng methadone.",
                )
        # Loans a year or so after coming back from treatment, if no relapse by then.
        for e in p.enrollments:
            if e.programme.startswith("post_rehab") and rng.random() < 0.4:
                day = e.started_on + _days(rng.randint(120, 420))
                if not any(e.started_on <= r <= day for r in relapses):
                    self.loan(n, p, day)
        if came_as in (G.SEX_WORK, G.TRAFFICKING) and rng.random() < 0.3:
            self.loan(n, p, start + _days(rng.randint(90, 540)))
        # QĐ 08/2026/QĐ-TTg: the teams list their post-rehab persons for the new loans.
        wave = _between(rng, QD_08_2026_ON + _days(3), until() - _days(20))
        if (
            self.free(p, wave)
            and p.group_on(wave) == G.POST_REHAB
            and wave.year - p.birth_year >= 12
            and rng.random() < 0.3
        ):
            self.loan(n, p, wave, household=False)
        # Courses and jobs that did not come to anything.
        if came_as in (G.POST_REHAB, G.SEX_WORK, G.TRAFFICKING, G.HIGH_RISK):
            for kind, partner_kind in (
                (RK.VOCATIONAL_TRAINING, Partner.Kind.TRAINING),
                (RK.JOB, Partner.Kind.EMPLOYER),
            ):
                if rng.random() < 0.15:
                    outcome = _pick(rng, {RS.DECLINED: 45, RS.WITHDRAWN: 45, RS.COMPLETED: 10})
                    self.make(
                        n,
                        kind,
                        _between(rng, start, end),
                        outcome=outcome,
                        partner_kind=partner_kind,
                    )
        # Schooling for minors.
        if came_as == G.HIGH_RISK and start.year - p.birth_year < 18 and rng.random() < 0.6:
            day = start + _days(rng.randint(20, 200))
            if day.year - p.birth_year < 18:
                self.make(
                    n,
                    RK.EDUCATION,
                    day,
                    partner_kind=Partner.Kind.TRAINING,
                    note="Học bổ túc văn hóa.",
                )
        # Health and legal aid.
        if came_as in (G.DRUG_USER, G.ADDICTED) and rng.random() < 0.2:
            self.make(
                n,
                RK.HEALTH,
                _between(rng, start, end),
                partner_kind=Partner.Kind.HEALTH,
                note=rng.choice(HEALTH_NOTES),
            )
        legal = {G.TRAFFICKING: 0.6, G.SEX_WORK: 0.3}.get(came_as, 0.03)
        if rng.random() < legal:
            self.make(
                n,
                RK.LEGAL,
                start + _days(rng.randint(10, 200)),
                partner_kind=Partner.Kind.LEGAL,
                note=rng.choice(LEGAL_NOTES),
            )
        if rng.random() < 0.03:
            self.make(n, RK.OTHER, _between(rng, start, end), note=rng.choice(OTHER_NOTES))
        # Sudden hardship: about once in twenty years on the register.
        years = max(0, (end - start).days) / 365
        for _ in range(_poisson(rng, years * 0.05)):
            self.make(
                n,
                RK.HARDSHIP_SUPPORT,
                _between(rng, start, end),
                partner_kind=Partner.Kind.NGO,
                amount=rng.randint(2, 10) * 500_000,
                for_household=rng.random() < 0.4,
                note=rng.choice(HARDSHIP_NOTES),
            )

    def gifts(self) -> None:
        """Before each Tết every team lists the persons and families in hardship and hands
        them a gift (300,000–500,000 đồng) in the last days before the holiday."""
        rng = self.rng
        by_ward: dict[str, list[int]] = defaultdict(list)
        for year, tet in TET.items():
            listed = {w: tet - _days(rng.randint(14, 25)) for w in self.teams}
            handed = {w: tet - _days(rng.randint(2, 10)) for w in self.teams}
            value = 300_000 if year < 2018 else (400_000 if year < 2023 else 500_000)
            by_ward.clear()
            for n, p in enumerate(self.cp.persons):
                ward = p.ward_on(tet)
                if ward is None or not self.free(p, listed[ward]):
                    continue
                chance = 0.45 if p.group_on(listed[ward]) in USING else 0.25
                if rng.random() < chance:
                    by_ward[ward].append(n)
            for ward, persons in by_ward.items():
                for n in persons:
                    done = handed[ward] if rng.random() < 0.97 else None
                    self.make(
                        n,
                        RK.GIFT,
                        listed[ward],
                        done_on=done,
                        outcome=None if done else RS.WITHDRAWN,
                        partner_kind=Partner.Kind.NGO,
                        amount=value,
                        for_household=rng.random() < 0.3,
                        note=f"Quà Tết Nguyên đán {year}.",
                    )
