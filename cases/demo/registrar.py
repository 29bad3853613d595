"""The persons of the demo (`_Registrar`): unique names, ID numbers and phones, plausible
details, and the story each one lives.
"""

from __future__ import annotations

import datetime
import random

from cases.demo.plans import PersonPlan
from cases.demo.story import _Story
from cases.demo.vocabulary import (
    GROUPS,
    HISTORY,
    MEN,
    MERGED_ON,
    MK,
    NICKNAMES,
    RELATIVES,
    SHORT_NAMES,
    STREETS,
    USING,
    YEARS_ON_LIST,
    G,
    _days,
    _pick,
)
from cases.models import Person
from wards import demo as wards_demo


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
