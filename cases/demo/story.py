"""One person's life on the register (`_Story`): groups, measures, milestones, time away,
and when and why the file is closed.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from cases.demo.plans import EnrollmentPlan, MilestonePlan
from cases.demo.vocabulary import (
    CLOSE_REASONS,
    CLOSING_END,
    CLUBS,
    DECIDED,
    GROUP_REASONS,
    JOINS,
    LAW_2021_ON,
    MK,
    MONTHS,
    Closed,
    End,
    G,
    _days,
    _pick,
    until,
)
from cases.services import add_months


class _Story:
    """One person's life on the register: groups, measures, milestones, time away.

    `has_club(programme, day)` says whether the person's ward has a club of that programme
    meeting on `day`: only then may they join one."""

    def __init__(
        self,
        rng: random.Random,
        born: int,
        has_club: Callable[[str, datetime.date], bool] = lambda programme, day: False,
    ):
        self.rng = rng
        self.born = born
        self.has_club = has_club
        self.groups: list[tuple[datetime.date, str]] = []
        self.reasons: dict[datetime.date, str] = {}
        self.enrollments: list[EnrollmentPlan] = []
        self.milestones: list[MilestonePlan] = []
        self.away: list[tuple[datetime.date, datetime.date]] = []
        self.relapses = True

    def run(
        self, day: datetime.date, group: str, code: str | None = None, reason: str = ""
    ) -> None:
        self.group(day, group, reason)
        step = (day, group, code)
        while step is not None and step[0] <= until():
            step = getattr(self, f"_{step[1]}")(step[0], step[2])

    def group(self, day: datetime.date, group: str, reason: str = "") -> None:
        if day <= until():
            before = [g for since, g in sorted(self.groups) if since < day]
            if before:
                reason = reason or GROUP_REASONS.get((before[-1], group), "")
            self.groups.append((day, group))
            self.reasons[day] = reason

    def join(self, code: str, start: datetime.date, group: str) -> EnrollmentPlan | None:
        """The person's open enrolment in a club of `code` (they stay in it), else a new one
        from `start` if their ward has such a club then and they want to join."""
        held = next(
            (e for e in self.enrollments if e.programme == code and e.ended_on is None), None
        )
        if held is not None:
            return held
        if self.rng.random() < JOINS[group] and self.has_club(code, start):
            e = self.enrol(code, start)
            return e if e in self.enrollments else None
        return None

    def _group_on(self, day: datetime.date) -> str:
        return [g for since, g in sorted(self.groups) if since <= day][-1]

    def mark(self, day: datetime.date, kind: str) -> None:
        if day <= until():
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
        if start <= until() and not clash:
            self.enrollments.append(e)
        return e

    def end(self, e: EnrollmentPlan, day: datetime.date, reason: str) -> None:
        if day <= until() and day >= e.started_on:
            e.ended_on, e.end_reason = day, reason

    def _drug_user(self, t: datetime.date, _code) -> tuple | None:
        rng = self.rng
        # Found using while in the early-intervention club: they stay in it.
        club = self.join("club_early", t + _days(rng.randint(0, 60)), G.DRUG_USER)
        if t >= LAW_2021_ON:
            e = self.enrol("illegal_use_12", t + _days(rng.randint(0, 10)))
            if rng.random() < 0.2:  # found dependent during management: on to treatment
                x = e.started_on + _days(rng.randint(60, 330))
                self.end(e, x, End.RELAPSED)
                self.group(x, G.ADDICTED)
                if club:
                    self.end(club, x, End.OTHER)
                return x, G.ADDICTED, None
            self.end(e, e.due_on, End.COMPLETED)
            t = e.due_on
        if rng.random() < 0.25:
            x = t + _days(rng.randint(90, 900))
            self.group(x, G.ADDICTED)
            if club:
                self.end(club, x, End.OTHER)
            return x, G.ADDICTED, None
        if rng.random() < 0.2:
            self.mark(t + _days(rng.randint(60, 700)), MK.JOB)
        if club and rng.random() < 0.75:
            self.end(club, club.started_on + _days(rng.randint(365, 1100)), End.COMPLETED)
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
                self.group(x, G.POST_REHAB, GROUP_REASONS["voluntary"])
                return x, G.POST_REHAB, "post_rehab_12"
            x = s + _days(rng.randint(30, (e.due_on - s).days - 1))
            self.mark(x, MK.RELAPSED)
            self.end(e, x, End.RELAPSED)
            return x + _days(rng.randint(60, 200)), G.ADDICTED, None
        if path == "methadone":
            self.mark(s, MK.METHADONE)
            e = self.enrol("methadone", s)
            club = self.join("club_b93", s + _days(rng.randint(30, 120)), G.ADDICTED)
            r = rng.random()
            if r < 0.55:
                if club and rng.random() < 0.6:
                    self.end(club, club.started_on + _days(rng.randint(365, 1500)), End.COMPLETED)
                return None
            if r < 0.85:
                x = s + _days(rng.randint(180, 1800))
                self.mark(x, MK.RELAPSED)
                self.end(e, x, End.RELAPSED)
                if club:
                    self.end(club, x, End.RELAPSED)
                return x + _days(rng.randint(60, 240)), G.ADDICTED, None
            x = s + _days(rng.randint(730, 2200))
            self.end(e, x, End.COMPLETED)
            self.group(x + _days(1), G.POST_REHAB, GROUP_REASONS["methadone"])
            return x + _days(1), G.POST_REHAB, "post_rehab_12"
        if path == "compulsory":
            self.mark(s, MK.COMPULSORY_REHAB)
            admitted = s + _days(rng.randint(15, 60))
            back = add_months(admitted, rng.choice((12, 18, 24, 24)))
            self.away.append((admitted, back))
            self.group(back, G.POST_REHAB, GROUP_REASONS["compulsory"])
            adult = admitted.year - self.born >= 18
            return back, G.POST_REHAB, "post_rehab_24" if adult else "post_rehab_12"
        if rng.random() < 0.5:  # refuses treatment for now; the team tries again later
            return t + _days(rng.randint(365, 1100)), G.ADDICTED, None
        return None

    def _post_rehab(self, t: datetime.date, code: str | None) -> tuple | None:
        rng = self.rng
        code = code or "post_rehab_12"
        e = self.enrol(code, t)
        club = self.join("club_b93", t + _days(rng.randint(0, 50)), G.POST_REHAB)
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
        club = self.join("club_early", t + _days(rng.randint(0, 60)), G.HIGH_RISK)
        if rng.random() < 0.15:
            self.mark(t + _days(rng.randint(120, 900)), MK.TRAINING_DONE)
        if rng.random() < 0.15:
            self.mark(t + _days(rng.randint(180, 1200)), MK.JOB)
        if rng.random() < 0.1:
            x = t + _days(rng.randint(180, 1500))
            self.group(x, G.DRUG_USER)
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
        """When and why the file is closed (None: still open on the run's day); the story is cut
        there. A file closes as completed only when no measure is still running."""
        rng = self.rng
        c = registered_on + _days(max(120, int(rng.expovariate(1 / years) * 365)))
        reason = _pick(rng, CLOSE_REASONS)
        for _ in range(5):
            if c > until():
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
