"""The plan of the demo outreach as plain data, one dataclass per kind of record: nothing
here touches the database.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from cases import demo as cases_demo

PartnerKey = tuple[str | None, str]  # (unit key, name); unit None for a national partner


@dataclass
class PartnerPlan:
    unit: str  # "province", "district", an old ward's code or a current ward's name
    name: str
    kind: str
    phone: str = ""
    address: str = ""
    contact_person: str = ""
    note: str = ""
    active: bool = True

    @property
    def key(self) -> PartnerKey:
        return (self.unit, self.name)


@dataclass
class ActivityPlan:
    ward: str  # TeamPlan.ward of the team that did it, or "district" / "province"
    occurred_on: datetime.date
    kind: str
    title: str
    sessions: int = 1
    participants: int | None = None
    items: int | None = None
    minutes: int | None = None
    place: str = ""
    audience: str = ""
    note: str = ""
    members: tuple[int, ...] = ()  # indexes into the team's TeamPlan.members
    persons: tuple[int, ...] = ()  # indexes into cases' Plan.persons
    partners: tuple[PartnerKey, ...] = ()
    club: int | None = None  # index into cases' Plan.clubs, for a club session

    @property
    def department(self) -> bool:
        """Run by the district's or the province's department, at its own unit."""
        return self.ward in ("district", "province")

    def figures(self) -> dict:
        """The values `outreach.models.figure_errors` checks."""
        return {
            "participants": self.participants,
            "items": self.items,
            "minutes": self.minutes,
            "place": self.place,
            "title": self.title,
            "sessions": self.sessions,
            "club": self.club,
        }


@dataclass
class ReferralPlan:
    person: int  # index into cases' Plan.persons
    ward: str  # the person's ward on referred_on (TeamPlan.ward)
    kind: str
    referred_on: datetime.date
    partner: PartnerKey | None = None
    for_household: bool = False
    amount: int | None = None
    note: str = ""
    member: cases_demo.MemberRef | None = None
    steps: list[tuple[str, datetime.date, str]] = field(default_factory=list)  # status, day, note

    @property
    def status(self) -> str:
        return self.steps[-1][0]

    @property
    def status_on(self) -> datetime.date:
        return self.steps[-1][1]


@dataclass
class Plan:
    partners: list[PartnerPlan]
    activities: list[ActivityPlan]
    referrals: list[ReferralPlan]

    def digest(self) -> str:
        data = repr((self.partners, self.activities, self.referrals))
        return hashlib.sha256(data.encode()).hexdigest()
