"""Who follows whom (`_Roster`: handovers, reassignments, the merger) and what they record
(`_casework`: contacts by the helper of the day, assessments).
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict

from cases.demo.plans import AssessmentPlan, AssignmentPlan, ContactPlan, MemberRef, PersonPlan
from cases.demo.vocabulary import (
    ASSESS_EVERY,
    AWAY_SUMMARY,
    CLUBS,
    FAR,
    INTENSIVE,
    MERGED_ON,
    MK,
    ROLE_WEIGHT,
    SUMMARIES,
    TOPIC_HINTS,
    TOPIC_SHARE,
    TOPICS,
    USING,
    G,
    K,
    _days,
    _pick,
    until,
)
from cases.models import Assessment
from wards import demo as wards_demo


def _active(member: wards_demo.MemberPlan, day: datetime.date) -> bool:
    """On the team on `day`: `left_on` is the member's last day (INDICATORS.md)."""
    return member.joined_on <= day and (member.left_on is None or day <= member.left_on)


def _after(day: datetime.date | None) -> datetime.date | None:
    """The first day after `day`, the last day something held (None: still holds)."""
    return day + _days(1) if day is not None else None


class _Roster:
    """Who follows whom, ward by ward in date order, so each member's caseload is known when
    the leader picks the next helper: handovers when a member leaves, a few reassignments,
    the change of teams at the merger, the demo volunteer's caseload kept at about eight.

    Events fall on the first day of the new state: the old assignment ends the day before
    (its last day), so no person has two helpers on one day."""

    def __init__(self, rng: random.Random, teams: dict[str, wards_demo.TeamPlan], volunteer):
        self.rng = rng
        self.teams = teams
        self.volunteer = volunteer

    def run(self, persons: list[PersonPlan]) -> None:
        events: dict[str, list] = defaultdict(list)
        for n, p in enumerate(persons):
            if p.old_ward:
                start = self._first_day(p.old_ward, p.registered_on)
                stop = _after(p.closed_on) if p.new_ward is None else MERGED_ON
                self._events(events[p.old_ward], n, p, start, stop)
            if p.new_ward:
                team = self.teams[p.new_ward]
                start = self._first_day(p.new_ward, max(p.registered_on, team.established_on))
                self._events(events[p.new_ward], n, p, start, _after(p.closed_on))
        for ward, team in self.teams.items():
            for i, m in enumerate(team.members):
                if m.left_on is not None and m.left_on < (team.dissolved_on or FAR):
                    events[ward].append((_after(m.left_on), 1, i, "leave", None))
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
        while t < min(stop, until()):
            out.append((t, 3, n, "shuffle", p))
            t += _days(int(self.rng.expovariate(1 / 4000)))

    def _play(self, ward: str, events: list) -> None:
        current: dict[int, tuple[PersonPlan, AssignmentPlan]] = {}
        loads: Counter[int] = Counter()

        def give(n: int, p: PersonPlan, member: int | None, day: datetime.date) -> None:
            if n in current:
                old = current.pop(n)[1]
                if old.started_on == day:  # replaced on its first day: it never held
                    p.assignments.remove(old)
                else:
                    old.ended_on = day - _days(1)
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
    treatment. Visits, meetings and calls often record what the counselling was about. A
    group change the team learnt of days later has a visit in the days before it (still under
    the old group). Club members are assessed every three or six months (ASSESS_EVERY)."""

    def member(ref: MemberRef) -> wards_demo.MemberPlan:
        return teams[ref[0]].members[ref[1]]

    holds = [
        (a.started_on, min(a.ended_on or FAR, member(a.member).left_on or FAR), a.member)
        for a in sorted(p.assignments, key=lambda a: a.started_on)
    ]

    def held(day: datetime.date) -> MemberRef | None:
        return next((ref for a, b, ref in holds if a <= day <= b), None)

    def away(day: datetime.date) -> bool:
        return any(a <= day < b for a, b in p.away)

    def enrolled(day: datetime.date, codes) -> bool:
        return any(
            e.programme in codes and e.started_on <= day <= (e.ended_on or FAR)
            for e in p.enrollments
        )

    def contact(day: datetime.date, ref: MemberRef, kind: str, result: str = "") -> ContactPlan:
        summary = AWAY_SUMMARY if away(day) else rng.choice(SUMMARIES[kind])
        group = p.group_on(day)
        return ContactPlan(
            day, kind, ref, group, summary, result, _topics(rng, kind, summary, group)
        )

    stop = min(p.closed_on or until(), until(), p.silent_after or FAR)
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
            seen.add(m.occurred_on)
    # The visit a few days before a change the team learnt of later (the case: made
    # under the old group, it stays there).
    for since, (_, written) in p.group_notes.items():
        day = since - _days(rng.randint(1, 4))
        ref = held(day)
        late = written > since and ref and p.registered_on <= day <= stop and day not in seen
        if late and not any(since - _days(7) <= c.occurred_on < since for c in out):
            out.append(contact(day, ref, K.VIA_FAMILY if away(day) else K.HOME_VISIT))
            seen.add(day)
    out.sort(key=lambda c: c.occurred_on)

    # Before the period closes most files have a recent contact; the volunteer's all do.
    last = out[-1].occurred_on if out else None
    mine = bool(p.assignments) and p.assignments[-1].member == volunteer
    keep_up = rng.random() < 0.88 or p.pinned or mine
    if p.closed_on is None and p.silent_after is None and keep_up and stop == until():
        day = until() - _days(rng.randint(0, 12 if mine else 20))
        ref = held(day)
        recent = until() - _days(14 if mine else 25)
        if ref and (last is None or last < recent) and day >= p.registered_on:
            kind = K.VIA_FAMILY if away(day) else _pick(rng, {K.HOME_VISIT: 3, K.MEETING: 1})
            out.append(contact(day, ref, kind))
    p.contacts = out

    # Clubs assess their members every quarter; since the merger the new teams assess
    # everyone they follow as often (the app's work list asks for it every 90 days).
    end = min(p.closed_on or FAR, until(), p.silent_after or FAR)
    spans = [
        (e.started_on, min(e.ended_on or FAR, end), ASSESS_EVERY[e.programme])
        for e in p.enrollments
        if e.programme in CLUBS
    ]
    if p.new_ward:
        spans.append(
            (max(p.registered_on, teams[p.new_ward].established_on), end, ASSESS_EVERY[None])
        )
    for start, last, every in spans:
        t = start + _days(rng.randint(every * 2 // 3, every * 11 // 10))
        while t <= last:
            if not any(abs((s.assessed_on - t).days) < 45 for s in p.assessments):
                p.assessments.append(AssessmentPlan(t, _progress(rng, p, t), held(t)))
            t += _days(rng.randint(every * 9 // 10, every * 11 // 10))
    p.assessments.sort(key=lambda s: s.assessed_on)


def _topics(rng: random.Random, kind: str, summary: str, group: str) -> tuple[str, ...]:
    """What a visit, meeting or call was about: one topic or two, the one its summary names
    first; none for the other kinds, or when nobody wrote it down."""
    if rng.random() >= TOPIC_SHARE.get(kind, 0) or summary == AWAY_SUMMARY:
        return ()
    weights = TOPICS[group]
    first = TOPIC_HINTS.get(summary) or _pick(rng, weights)
    if rng.random() < 0.3:
        second = _pick(rng, {t: w for t, w in weights.items() if t != first})
        return tuple(sorted((first, second)))
    return (first,)


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
