"""The plan of the demo casework as plain data, one dataclass per kind of record: nothing
here touches the database.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from cases.demo.vocabulary import MERGED_ON, until

MemberRef = tuple[str, int]  # (the team's ward as in TeamPlan.ward, index in TeamPlan.members)


@dataclass
class ClubPlan:
    ward: str  # old ward code (as in OLD_WARDS) or the current ward's name
    programme: str
    name: str
    founded_on: datetime.date
    closed_on: datetime.date | None  # its last day

    def holds_on(self, day: datetime.date) -> bool:
        return self.founded_on <= day and (self.closed_on is None or day <= self.closed_on)


def club_of(
    clubs: list[ClubPlan], ward: str | None, programme: str, day: datetime.date
) -> int | None:
    """The index of the club of `programme` meeting in `ward` on `day`, if there is one."""
    return next(
        (
            i
            for i, c in enumerate(clubs)
            if c.ward == ward and c.programme == programme and c.holds_on(day)
        ),
        None,
    )


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
    topics: tuple[str, ...] = ()  # Contact.Topic values


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
    # the reason of each entry of `groups` by its day, and the day it was written when the
    # team learnt of it later
    group_notes: dict[datetime.date, tuple[str, datetime.date]]
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
        return self.group_on(min(self.closed_on or until(), until()))


@dataclass
class Plan:
    persons: list[PersonPlan]
    clubs: list[ClubPlan]
    members: dict[str, list[str]]  # team ward -> member names, to check against the database
    leaders: dict[str, list[tuple[datetime.date, datetime.date, str]]]  # ward -> logins held

    def author(self, ward: str, day: datetime.date) -> str:
        """The login of the ward's team leader on `day`, "" when the leader has none."""
        return next((u for a, b, u in self.leaders.get(ward, ()) if a <= day < b), "")

    def club_of(self, ward: str | None, programme: str, day: datetime.date) -> int | None:
        return club_of(self.clubs, ward, programme, day)

    def digest(self) -> str:
        return hashlib.sha256(repr((self.persons, self.clubs)).encode()).hexdigest()
