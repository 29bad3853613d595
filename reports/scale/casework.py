"""The persons of one former ward and their casework, as rows for the writer.

A person is registered between the founding of the ward's team and the day of the run (in today's
ward when after the merger), may have their file closed later, and is enrolled in the
programme their group calls for (post-rehab management, illegal-use management, voluntary
treatment or methadone, a club). A member of the team on duty follows them; when that member
leaves, another takes over, and on 1 July 2025 a member of the new team does (from the day it
was founded). Contacts fall on distinct days inside those assignments, by the assigned member,
and carry the ward of their day; milestones mark the changes the reports count.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from itertools import accumulate

from cases.demo.vocabulary import (
    CLOSE_REASONS,
    CLOSING_END,
    DUE_DAYS,
    GROUPS,
    HISTORY,
    LAW_2021_ON,
    MEN,
    MERGED_ON,
    MONTHS,
    NICKNAMES,
    RECENT_GROUPS,
    RELATIVES,
    SHORT_NAMES,
    SUMMARIES,
    USING,
    YEARS_ON_LIST,
    G,
    K,
    _between,
    _days,
    _pick,
    until,
)
from cases.demo.vocabulary import MK as M
from cases.models import Assignment, Contact, Enrollment, GroupChange, Milestone, Person
from cases.text import fold
from reports.scale.layout import WardLayout
from wards import demo as wards_demo

End = Enrollment.EndReason
ONE_DAY = datetime.timedelta(days=1)


def after() -> datetime.date:
    """The first day without data: the day after the run's (cases.demo.until)."""
    return until() + ONE_DAY


SUBSTANCES = {
    G.DRUG_USER: ("Ma túy đá", "Thuốc lắc, ketamine", "Cần sa", "Heroin"),
    G.ADDICTED: ("Heroin", "Ma túy đá", "Heroin, ma túy đá"),
    G.POST_REHAB: ("Heroin", "Ma túy đá", "Heroin, ma túy đá"),
}
CONTACT_KINDS = {
    K.HOME_VISIT: 34, K.MEETING: 20, K.PHONE: 24, K.VIA_FAMILY: 10, K.GROUP_SESSION: 7,
    K.DRUG_TEST: 5,
}  # fmt: skip
KINDS = list(CONTACT_KINDS)
KIND_CUM = list(accumulate(CONTACT_KINDS.values()))
RESULTS = (("negative",) * 17) + ("positive", "positive", "refused")
# How much attention a group gets, relative to the others (contacts per day on the list).
INTENSITY = {
    G.POST_REHAB: 1.6, G.DRUG_USER: 1.4, G.ADDICTED: 1.3, G.HIGH_RISK: 0.7, G.SEX_WORK: 0.7,
    G.TRAFFICKING: 0.6, G.OTHER: 0.4,
}  # fmt: skip
CLOSE_KEYS = list(CLOSE_REASONS)
CLOSE_WEIGHTS = list(CLOSE_REASONS.values())


def _months(day: datetime.date, months: int) -> datetime.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError(day)


@dataclass
class Segment:
    member: int
    start: datetime.date
    end: datetime.date  # first day no longer assigned


@dataclass
class PersonDraft:
    id: int
    group: str
    registered_on: datetime.date
    end: datetime.date  # the first day off the list: closed_on + 1, or the day after the run's
    old: bool  # registered in the former ward
    segments: list[Segment] = field(default_factory=list)
    weight: float = 0.0

    def member_on(self, day: datetime.date) -> int | None:
        for s in self.segments:
            if s.start <= day < s.end:
                return s.member
        return None


PERSON_FIELDS = (
    "ward_id", "registered_ward_id", "area_id", "full_name", "alias", "search_key", "sex",
    "birth_date", "birth_year", "id_number", "phone", "address", "family_contact", "group",
    "substances", "history_notes", "registered_on", "consent_on", "consent_by_id", "status",
    "closed_on", "closed_reason", "version", "anonymised_on", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip
GROUP_FIELDS = (
    "person_id", "group", "since", "reason", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
ENROLLMENT_FIELDS = (
    "person_id", "programme_id", "ward_id", "started_on", "due_on", "ended_on", "end_reason",
    "decision_no", "decision_on", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
ASSIGNMENT_FIELDS = (
    "person_id", "member_id", "started_on", "ended_on", "assigned_by_id", "ended_by_id",
    "created_at", "updated_at",
)  # fmt: skip
CONTACT_FIELDS = (
    "person_id", "member_id", "ward_id", "person_group", "occurred_on", "kind", "summary",
    "drug_test_result", "next_due_on", "created_by_id", "created_at", "updated_at",
)  # fmt: skip
MILESTONE_FIELDS = (
    "person_id", "ward_id", "occurred_on", "kind", "note", "created_by_id", "created_at",
    "updated_at",
)  # fmt: skip


class Casework:
    """Writes persons and their casework ward by ward through the writer's sinks."""

    def __init__(self, rng: random.Random, writer, programmes: dict[str, int]):
        self.rng = rng
        self.writer = writer
        self.programmes = programmes
        self.persons = writer.sink(Person, PERSON_FIELDS)
        self.groups = writer.sink(GroupChange, GROUP_FIELDS)
        self.enrollments = writer.sink(Enrollment, ENROLLMENT_FIELDS)
        self.assignments = writer.sink(Assignment, ASSIGNMENT_FIELDS)
        self.contacts = writer.sink(Contact, CONTACT_FIELDS)
        self.milestones = writer.sink(Milestone, MILESTONE_FIELDS)
        self.families = list(wards_demo.FAMILY_NAMES)
        self.family_weights = list(wards_demo.FAMILY_NAMES.values())

    # -- one ward -------------------------------------------------------------------------

    def ward(self, w: WardLayout, persons: int, contacts: int) -> list[PersonDraft]:
        """Write `persons` persons of `w` and `contacts` contacts with them; return the
        drafts (the outreach needs who was on the list when, and who followed them)."""
        drafts = [self._person(w) for _ in range(persons)]
        total = sum(d.weight for d in drafts)
        done = 0.0
        given = 0
        for d in drafts:
            done += d.weight
            upto = round(contacts * done / total) if total else 0
            self._contacts(w, d, upto - given)
            given = upto
            self.writer.maybe_flush()
        return drafts

    def _name(self, sex: str) -> tuple[str, str]:
        rng = self.rng
        family = rng.choices(self.families, weights=self.family_weights)[0]
        given = rng.choice(wards_demo.GIVEN_NAMES[sex])
        return f"{family} {rng.choice(wards_demo.MIDDLE_NAMES[sex])} {given}", given

    def _person(self, w: WardLayout) -> PersonDraft:
        rng, writer = self.rng, self.writer
        registered = _between(rng, w.team.established_on, until() - _days(20))
        old = registered < MERGED_ON
        if not old:
            registered = max(registered, w.new_team.established_on)
        group = _pick(rng, GROUPS if old else RECENT_GROUPS)
        sex = Person.Sex.MALE if rng.random() < MEN[group] else Person.Sex.FEMALE
        full_name, given = self._name(sex)
        alias = ""
        if rng.random() < 0.15:
            alias = (
                rng.choice(SHORT_NAMES)
                if rng.random() < 0.4
                else f"{given} {rng.choice(NICKNAMES)}"
            )
        young = group == G.HIGH_RISK
        birth_year = registered.year - (rng.randint(15, 28) if young else rng.randint(19, 55))
        birth_date = None
        if rng.random() < 0.7:
            birth_date = datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28))

        closed_on, reason = None, ""
        years = YEARS_ON_LIST[group]
        closing = registered + _days(int(rng.expovariate(1 / (years * 365 / 4))) + 30)
        if closing <= until():
            closed_on = closing
            reason = rng.choices(CLOSE_KEYS, weights=CLOSE_WEIGHTS)[0]
        end = closed_on + ONE_DAY if closed_on else after()
        moved = not old or end > MERGED_ON
        ward = w.new if moved else w.old
        areas = w.new_areas if moved else w.areas
        area = rng.choice(areas) if areas else None
        first_ward = w.old if old else w.new
        relative = rng.choice(RELATIVES[sex])
        relative_name, _ = self._name(rng.choice((Person.Sex.MALE, Person.Sex.FEMALE)))
        stamp = writer.stamp(registered)
        pk = self.persons.add(
            ward, first_ward, area, full_name, alias, fold(f"{full_name} {alias}"), sex,
            birth_date, birth_year,
            f"001{rng.randrange(10**9):09d}" if rng.random() < 0.7 else "",
            f"09{rng.randrange(10**8):08d}" if rng.random() < 0.8 else "",
            f"Số {rng.randint(1, 180)}, ngõ {rng.randint(1, 120)} {rng.choice(w.streets)}",
            f"{relative} {relative_name}, {f'09{rng.randrange(10**8):08d}'}",
            group, rng.choice(SUBSTANCES[group]) if group in SUBSTANCES else "",
            rng.choice(HISTORY[group]), registered, registered, None,
            Person.Status.CLOSED if closed_on else Person.Status.ACTIVE, closed_on, reason,
            1, None, None, stamp, stamp,
        )  # fmt: skip
        # The first entry of the group history (GroupChange): these persons keep their group.
        self.groups.add(pk, group, registered, "Đưa vào danh sách", None, stamp, stamp)
        draft = PersonDraft(pk, group, registered, end, old)
        self._assign(w, draft)
        self._measures(w, draft, reason)
        return draft

    def _assign(self, w: WardLayout, d: PersonDraft) -> None:
        rng, t = self.rng, d.registered_on
        while t < d.end:
            team = w.team if t < MERGED_ON else w.new_team
            if t >= MERGED_ON and t < team.established_on:
                t = team.established_on
                continue
            helper = team.helper_on(rng, t)
            if helper is None:  # nobody on duty: the old team is gone, wait for the new one
                t = max(MERGED_ON, w.new_team.established_on) if t < MERGED_ON else after()
                continue
            gone = helper.left_on + ONE_DAY if helper.left_on else after()
            end = min(d.end, gone, MERGED_ON if team is w.team else after())
            d.segments.append(Segment(helper.id, t, end))
            t = end
        for s in d.segments:
            stamp = self.writer.stamp(s.start)
            # segments are [start, end); an assignment's `ended_on` is its last day
            ended = None if s.end == after() else s.end - ONE_DAY
            self.assignments.add(d.id, s.member, s.start, ended, None, None, stamp, stamp)
        days = sum((s.end - s.start).days for s in d.segments)
        d.weight = days * INTENSITY[d.group]

    def _enrol(self, w, d, code, start, months, *, reason_closed="", ended=None, why=""):
        if start >= d.end or start > until():
            return None
        due = _months(start, months) if months else None
        if ended is None and due is not None and due < d.end:
            ended, why = due, End.COMPLETED
        if ended is None and d.end != after():
            ended, why = d.end - ONE_DAY, CLOSING_END[reason_closed]
        if ended is not None and ended > until():
            ended, why = None, ""
        decided = code in MONTHS
        stamp = self.writer.stamp(start)
        self.enrollments.add(
            d.id, self.programmes[code], w.ward_on(start), start, due, ended, why,
            f"{self.rng.randint(10, 999)}/QĐ-UBND" if decided else "",
            start - _days(self.rng.randint(1, 10)) if decided else None,
            None, stamp, stamp,
        )  # fmt: skip
        return ended

    def _milestone(self, w, d, day: datetime.date, kind: str) -> None:
        if d.registered_on <= day < d.end and day <= until():
            stamp = self.writer.stamp(day)
            self.milestones.add(d.id, w.ward_on(day), day, kind, "", None, stamp, stamp)

    def _measures(self, w: WardLayout, d: PersonDraft, reason: str) -> None:
        rng, start, g = self.rng, d.registered_on, d.group
        later = start + _days(rng.randint(20, 400))
        if g == G.POST_REHAB:
            code = "post_rehab_12" if start >= LAW_2021_ON else "post_rehab_24"
            relapse = start + _days(rng.randint(60, 300)) if rng.random() < 0.12 else None
            if relapse and relapse < d.end:
                self._enrol(w, d, code, start, MONTHS[code], ended=relapse, why=End.RELAPSED)
                self._milestone(w, d, relapse, M.RELAPSED)
            else:
                self._enrol(w, d, code, start, MONTHS[code], reason_closed=reason)
                self._milestone(w, d, start + _days(365), M.NO_RELAPSE_1Y)
        elif g == G.DRUG_USER:
            if start >= LAW_2021_ON:
                self._enrol(w, d, "illegal_use_12", start, 12, reason_closed=reason)
            if rng.random() < 0.15:
                self._milestone(w, d, later, M.SELF_DECLARED)
        elif g == G.ADDICTED:
            roll = rng.random()
            if roll < 0.4:
                self._enrol(w, d, "voluntary_home", later, 6, reason_closed=reason)
                self._milestone(w, d, later, M.VOLUNTARY_REHAB)
            elif roll < 0.7:
                self._enrol(w, d, "methadone", later, 0, reason_closed=reason)
                self._milestone(w, d, later, M.METHADONE)
            elif roll < 0.85:
                self._milestone(w, d, later, M.COMPULSORY_REHAB)
        elif g == G.HIGH_RISK and rng.random() < 0.45:
            self._enrol(w, d, "club_early", later, 0, reason_closed=reason)
        elif g in (G.SEX_WORK, G.TRAFFICKING) and rng.random() < 0.35:
            self._enrol(w, d, "club_b93", later, 0, reason_closed=reason)
        if g != G.OTHER:
            if rng.random() < 0.12:
                self._milestone(w, d, start + _days(rng.randint(90, 900)), M.JOB)
            if rng.random() < 0.06:
                self._milestone(w, d, start + _days(rng.randint(120, 700)), M.TRAINING_DONE)
        closed_on = d.end - ONE_DAY
        if reason in ("moved_away", "died") and closed_on <= until():
            day = closed_on - ONE_DAY if closed_on > d.registered_on else closed_on
            self._milestone(w, d, max(day, d.registered_on), reason)

    def _contacts(self, w: WardLayout, d: PersonDraft, n: int) -> None:
        if n <= 0 or not d.segments:
            return
        rng, writer, sink = self.rng, self.writer, self.contacts
        days = sum((s.end - s.start).days for s in d.segments)
        # Distinct days when there is room for them, as a helper visits once a day at most.
        picks = sorted(rng.sample(range(days), n) if n <= days else rng.choices(range(days), k=n))
        kinds = rng.choices(KINDS, cum_weights=KIND_CUM, k=n)
        segments = iter(d.segments)
        s = next(segments)
        base = 0
        due = _days(DUE_DAYS)
        for offset, kind in zip(picks, kinds, strict=True):
            while offset >= base + (s.end - s.start).days:
                base += (s.end - s.start).days
                s = next(segments)
            day = s.start + _days(offset - base)
            if kind == K.DRUG_TEST and d.group not in USING:
                kind = K.HOME_VISIT
            stamp = writer.stamp(day)
            sink.rows.append(
                (
                    sink.next_id, d.id, s.member, w.ward_on(day), d.group, day, kind,
                    rng.choice(SUMMARIES[kind]),
                    rng.choice(RESULTS) if kind == K.DRUG_TEST else "",
                    day + due, None, stamp, stamp, *sink.constants,
                )
            )  # fmt: skip
            sink.next_id += 1
