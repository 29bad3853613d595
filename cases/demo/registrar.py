"""The persons of the demo (`_Registrar`): unique names, ID numbers and phones, plausible
details, and the story each one lives.
"""

from __future__ import annotations

import datetime
import random

from cases.demo.plans import ClubPlan, EnrollmentPlan, PersonPlan, club_of
from cases.demo.story import _Story
from cases.demo.vocabulary import (
    CLUBS,
    CORRECTED,
    FIRST_REASON,
    GROUP_REASONS,
    GROUPS,
    HISTORY,
    LATE_REASON,
    MEN,
    MERGED_ON,
    MK,
    NICKNAMES,
    RELATIVES,
    SHORT_NAMES,
    STREETS,
    USING,
    YEARS_ON_LIST,
    End,
    G,
    _days,
    _pick,
    until,
)
from cases.models import Person
from wards import demo as wards_demo


class _Registrar:
    """Invents the persons: unique names, ID numbers and phones, plausible details."""

    def __init__(self, rng: random.Random, taken: set[str], clubs: list[ClubPlan]):
        self.rng = rng
        self.clubs = clubs
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
        # A few registered as high-risk or «other» turn out within weeks to use drugs.
        corrected = None
        if group in (G.HIGH_RISK, G.OTHER) and rng.random() < CORRECTED:
            corrected = registered_on + _days(rng.randint(20, 75))
            if corrected > until() - _days(30):
                corrected = None
        substances = ""
        if group in USING or corrected:
            weights = (
                {"Heroin": 70, "Ma túy đá": 25, "Cần sa": 5}
                if registered_on.year < 2016
                else {"Heroin": 35, "Ma túy đá": 45, "Thuốc lắc, ketamine": 15, "Cần sa": 5}
            )
            substances = _pick(rng, weights)

        def ward_on(day: datetime.date) -> str:
            return old_ward if old_ward and day < MERGED_ON else successor

        story = _Story(
            rng, born, lambda code, day: club_of(self.clubs, ward_on(day), code, day) is not None
        )
        if group == G.DRUG_USER and rng.random() < 0.3:
            story.mark(registered_on, MK.SELF_DECLARED)
        if group == G.ADDICTED and rng.random() < 0.15:
            story.mark(registered_on, MK.SELF_DECLARED)
        history = rng.choice(HISTORY[group])
        code = None
        if group == G.POST_REHAB:
            compulsory = history == HISTORY[G.POST_REHAB][0] and born + 18 <= registered_on.year
            code = "post_rehab_24" if compulsory else "post_rehab_12"
        if corrected:
            story.group(registered_on, group, FIRST_REASON)
            story.run(corrected, G.DRUG_USER, reason=GROUP_REASONS[group, G.DRUG_USER])
        else:
            story.run(registered_on, group, code, reason=FIRST_REASON)
        closed_on, reason = story.close(registered_on, YEARS_ON_LIST[group])
        self.follow_clubs(story, ward_on, closed_on)
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
            group_notes=self.notes(story, corrected, closed_on),
            enrollments=story.enrollments,
            milestones=sorted(story.milestones, key=lambda m: m.occurred_on),
            away=story.away,
        )

    def notes(
        self, story: _Story, corrected: datetime.date | None, closed_on: datetime.date | None
    ) -> dict[datetime.date, tuple[str, datetime.date]]:
        """The reason of each group entry and the day it was written: a correction always,
        and a quarter of the other changes, days after the day they took effect."""
        notes = {}
        first = min(day for day, _ in story.groups)
        last = min(closed_on or until(), until())
        for day, _ in sorted(story.groups):
            reason, written = story.reasons[day], day
            if day != first and (day == corrected or self.rng.random() < 0.25):
                written = min(day + _days(self.rng.randint(2, 12)), last)
                if written > day:
                    reason = LATE_REASON.format(reason=reason, written=written)
            notes[day] = (reason, written)
        return notes

    def follow_clubs(self, story: _Story, ward_on, closed_on: datetime.date | None) -> None:
        """A member stays in a club no longer than the club: when it closes, they carry on
        in the club that succeeds it the next day (the merger's), else they leave it."""
        for e in list(story.enrollments):
            if e.programme not in CLUBS:
                continue
            club = self.clubs[club_of(self.clubs, ward_on(e.started_on), e.programme, e.started_on)]
            last = club.closed_on
            if last is None or (e.ended_on is not None and e.ended_on <= last):
                continue
            after = last + _days(1)
            nxt = club_of(self.clubs, ward_on(after), e.programme, after)
            ended_on, end_reason = e.ended_on, e.end_reason
            e.ended_on = last
            soon = ended_on is not None and ended_on <= last + _days(14)
            if nxt is not None and not soon:
                e.end_reason = End.TRANSFERRED
                story.enrollments.append(
                    EnrollmentPlan(e.programme, after, ended_on=ended_on, end_reason=end_reason)
                )
            else:
                e.end_reason = end_reason if soon else End.OTHER

    @staticmethod
    def _streets_of(ward: str) -> tuple[str, ...]:
        codes = [code for code, _, successor in wards_demo.OLD_WARDS if successor == ward]
        return tuple(s for code in codes for s in STREETS[code])
