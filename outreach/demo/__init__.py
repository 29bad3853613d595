"""The demo outreach: fourteen years of the teams' notebooks, their partners and referrals.

Built on `wards.demo` (units, teams, members, logins) and `cases.demo` (persons, enrolments,
helpers, milestones). Every team of the former Quận Đống Đa keeps its notebook from its founding
(2012–2013) to the eve of its dissolution (29/06/2025, the last day its members served); each
of today's five wards from its team's founding (July–August 2025) to the day of the run (`until`):

- a monthly team meeting attended by most of the members serving that day;
- communication in the proportions of the wards' half-year reports: meetings of residential
  groups and mass organisations, school talks (in term time), broadcasts on the ward's radio
  logged as one line per month, quarter or half-year ("8 lần, 15 phút mỗi lần"), mobile
  loudspeakers (three rounds in ten, and a few radio lines, with an estimated audience,
  «khoảng 1.535 lượt người»), seminars, films; leaflets, articles, banners (June's
  drug-prevention month and Tết), pledges;
- two trainings a year; patrols, inspections of karaoke bars and guest houses, tips to the
  police; a few other activities;
- club sessions most weekends where a club has members, linked to the club (cases.demo's
  CLUB_SEATS): the persons enrolled through it and on the register that day (not on the
  monthly club day, which the casework records as group-session contacts).

Besides the teams' notebooks, the district's department (until 30/06/2025) and the province's
record the trainings they run, two and three a year, at their own unit: never at a ward.

No meetings, talks, films, trainings or club sessions in the notebooks during the COVID-19
restrictions (February–April 2020, May–September 2021).

Referrals follow the persons' stories: a vocational course behind most `training_done`
milestones, a job placement behind many `job` milestones, the methadone clinic behind each
`methadone` milestone; loans from the bank for social policies (30–100 million đồng, up to 200
million under QĐ 08/2026/QĐ-TTg from May 2026), hardship support, Tết gifts, health, legal aid
and schooling for minors. A referral's history moves along `Referral.TRANSITIONS`; it stops
when the person's file is closed or they are sent to compulsory treatment (withdrawn that day)
and on the day of the run, so the last months leave referrals open.

`plan()` draws everything from one seeded generator without touching the database; `seed()`
writes it in bulk. As in `cases.demo`, seeded history writes no AuditEvent.

The package, in the order of need: `vocabulary` (seed, dates, kinds, helpers), `plans` (the
plan as dataclasses), `partners`, `activities` (the teams' notebooks), `referrals`,
`planning` (`plan()`, `cached_plan`) and `writer` (`seed()`).
"""

from outreach.demo.activities import (
    AUDIENCES,
    BANNER_TITLES,
    DEPARTMENT_TRAININGS,
    DEPARTMENTS,
    GATHERINGS,
    JUNE,
    LISTENERS,
    NEW_WARD_SCALE,
    NO_GATHERINGS,
    OTHERS,
    RATES,
    SCHOOL_MONTHS,
    SCHOOLS,
    SEMINARS,
    SINCE,
    TITLES,
)
from outreach.demo.partners import (
    CONTACT_NAMES,
    EMPLOYERS,
    OLD_WARDS_WITH_PARTNERS,
    TRAINING_CENTRES,
)
from outreach.demo.planning import cached_plan, plan
from outreach.demo.plans import ActivityPlan, PartnerKey, PartnerPlan, Plan, ReferralPlan
from outreach.demo.referrals import (
    DELAYS,
    HARDSHIP_NOTES,
    HEALTH_NOTES,
    LEGAL_NOTES,
    LOAN_PURPOSES,
    NOTES,
    OTHER_NOTES,
    OUTCOMES,
    QD_08_DELAYS,
)
from outreach.demo.vocabulary import (
    AK,
    BANK,
    CLUB_CODES,
    FAR,
    FUND,
    JOB_CENTRE,
    MERGED_ON,
    QD_08_2026_ON,
    RK,
    RS,
    SEED,
    TET,
    USING,
    G,
    until,
)
from outreach.demo.writer import BATCH, Summary, seed
from wards import demo as wards_demo

__all__ = [
    "wards_demo",
    "SEED",
    "until",
    "MERGED_ON",
    "FAR",
    "QD_08_2026_ON",
    "BANK",
    "FUND",
    "JOB_CENTRE",
    "AK",
    "RK",
    "RS",
    "G",
    "CLUB_CODES",
    "USING",
    "TET",
    "PartnerKey",
    "PartnerPlan",
    "ActivityPlan",
    "ReferralPlan",
    "Plan",
    "EMPLOYERS",
    "TRAINING_CENTRES",
    "CONTACT_NAMES",
    "OLD_WARDS_WITH_PARTNERS",
    "NO_GATHERINGS",
    "GATHERINGS",
    "SCHOOL_MONTHS",
    "RATES",
    "NEW_WARD_SCALE",
    "JUNE",
    "SCHOOLS",
    "AUDIENCES",
    "TITLES",
    "SEMINARS",
    "SINCE",
    "BANNER_TITLES",
    "LISTENERS",
    "DEPARTMENTS",
    "DEPARTMENT_TRAININGS",
    "OTHERS",
    "DELAYS",
    "QD_08_DELAYS",
    "OUTCOMES",
    "NOTES",
    "LOAN_PURPOSES",
    "HARDSHIP_NOTES",
    "HEALTH_NOTES",
    "LEGAL_NOTES",
    "OTHER_NOTES",
    "plan",
    "cached_plan",
    "Summary",
    "BATCH",
    "seed",
]
