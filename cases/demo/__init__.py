"""The demo casework of `cases`: fourteen years of persons, measures, helpers and contacts.

Built on the units, teams and members of `wards.demo`: about 30 persons on the register of
each of the 21 wards of the former Quận Đống Đa, registered from the founding of the ward's
team (2012–2013) to June 2025, and a few more registered by today's five wards since. Each
person lives a story drawn from the field (DOMAIN.md): a drug user under a 12-month management
decision, a dependent person persuaded into voluntary treatment, methadone or compulsory
treatment and back under post-rehab management, relapses, jobs, club membership…, followed by
a team member with a visit, a call or a club session every few weeks.

The merger of 1 July 2025: a person still on the register that day moves to the ward that
received their old ward (`Person.ward` and `area` become the new ward's); every record dated
before it keeps the old ward, every later one carries the new ward. Their helper in the old
team stops on 1 July 2025 and a member of the new team takes over on the day that team is
founded (15 July – 15 August 2025): a member carried over keeps the persons they followed.

Every person has a dated group history (`GroupChange`, the first entry on the day they were
registered): a drug user found dependent, a dependent person back from treatment, a relapse, a
person registered as high-risk whom the police find using weeks later. A quarter of the changes
were written down days after they took effect (their reason says when): the visit made a few
days before such a change stays under the old group, since every contact carries the group in
force on its own day. Visits, meetings and calls often record the counselling's topics.

Clubs (CLUB_SEATS): the B93 clubs of Thổ Quan and Trung Phụng and four early-intervention
clubs («câu lạc bộ can thiệp sớm»); one stopped in 2021, the others closed with their ward on
30/06/2025, and the successor wards founded their own on 1 July, where the members carried on
(their enrolment in the old club ends that eve, «chuyển giao», and a new one starts). Only
persons of a ward with a club of that programme join one; members are assessed every quarter
(B93) or half-year (early intervention).

The data stop on the day of the run, `until` (seed_demo: today, or --today): `plan(until)` and
`seed(demo, until)` take it, and the modules of the package read it with `until()` while
they run (`history_until`), so that no module holds a date of its own and the recent contacts,
due dates, silent persons and open referrals are recent on any day; the historical facts (the
merger of 1/7/2025, the laws, the teams' founding) stay where they are. `plan()` draws
everything from one seeded generator without touching the database (the same day gives the
same plan); `seed()` writes it in bulk. Seeded
history writes no AuditEvent: the audit trail records what users did in the app, and nobody
did these things in it.

The package, in the order of need: `vocabulary` (seed, dates, weights, names), `plans`
(the plan as dataclasses), `story` (one person's life on the register), `registrar` (the
persons), `casework` (who follows whom, contacts, assessments), `planning` (`plan()`,
`cached_plan`) and `writer` (`seed()`).
"""

from cases.demo.planning import cached_plan, plan
from cases.demo.plans import (
    AssessmentPlan,
    AssignmentPlan,
    ClubPlan,
    ContactPlan,
    EnrollmentPlan,
    MemberRef,
    MilestonePlan,
    PersonPlan,
    Plan,
)
from cases.demo.vocabulary import (
    ASSESS_EVERY,
    AWAY_SUMMARY,
    CLOSE_REASONS,
    CLOSING_END,
    CLUB_NAMES,
    CLUB_SEATS,
    CLUBS,
    DECIDED,
    DUE_DAYS,
    EARLIEST_UNTIL,
    FAR,
    FIRST_REASON,
    GROUP_REASONS,
    GROUPS,
    HISTORY,
    INTENSIVE,
    LATE_REASON,
    LAW_2021_ON,
    MEN,
    MERGED_ON,
    MK,
    MONTHS,
    NICKNAMES,
    RECENT_GROUPS,
    RELATIVES,
    ROLE_WEIGHT,
    SEED,
    SHORT_NAMES,
    STREETS,
    SUMMARIES,
    TOPIC_HINTS,
    TOPICS,
    USING,
    VOLUNTEER,
    YEARS_ON_LIST,
    Closed,
    End,
    G,
    K,
    history_until,
    until,
)
from cases.demo.writer import BATCH, Summary, seed

__all__ = [
    "SEED",
    "EARLIEST_UNTIL",
    "history_until",
    "until",
    "MERGED_ON",
    "LAW_2021_ON",
    "DUE_DAYS",
    "VOLUNTEER",
    "FAR",
    "G",
    "K",
    "MK",
    "End",
    "Closed",
    "MONTHS",
    "DECIDED",
    "CLUBS",
    "CLUB_SEATS",
    "CLUB_NAMES",
    "ASSESS_EVERY",
    "FIRST_REASON",
    "GROUP_REASONS",
    "LATE_REASON",
    "TOPICS",
    "TOPIC_HINTS",
    "INTENSIVE",
    "GROUPS",
    "RECENT_GROUPS",
    "MEN",
    "USING",
    "YEARS_ON_LIST",
    "CLOSE_REASONS",
    "CLOSING_END",
    "ROLE_WEIGHT",
    "STREETS",
    "NICKNAMES",
    "SHORT_NAMES",
    "RELATIVES",
    "HISTORY",
    "SUMMARIES",
    "AWAY_SUMMARY",
    "MemberRef",
    "EnrollmentPlan",
    "AssignmentPlan",
    "ContactPlan",
    "MilestonePlan",
    "AssessmentPlan",
    "ClubPlan",
    "PersonPlan",
    "Plan",
    "plan",
    "cached_plan",
    "Summary",
    "BATCH",
    "seed",
]
