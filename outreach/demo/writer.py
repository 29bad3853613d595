"""`seed()`: the outreach plan written to the database in bulk, and its `Summary`."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db import connection, transaction

from cases import demo as cases_demo
from cases.models import Club, Person
from outreach.demo.planning import cached_plan
from outreach.demo.plans import Plan
from outreach.demo.vocabulary import RS
from outreach.models import Activity, Partner, Referral, ReferralStatusChange
from wards import demo as wards_demo


@dataclass
class Summary:
    activities: int
    sessions: int  # communication sessions (outreach.sessions)
    participants: int  # their attendances (outreach.participants)
    partners: int
    referrals: int
    completed: int
    open: int

    def __str__(self) -> str:
        return (
            f"{self.activities} activities ({self.sessions} communication sessions, "
            f"{self.participants} attendances), {self.partners} partners, {self.referrals} "
            f"referrals ({self.completed} completed, {self.open} open)"
        )


BATCH = 2000


def _insert_links(through, columns: tuple[str, str], rows: list[tuple[int, int]]) -> None:
    """Many-to-many rows as plain tuples: ten times faster than building through-model
    instances for bulk_create, and the demo has about 80,000 of them."""
    quote = connection.ops.quote_name
    table, names = quote(through._meta.db_table), ", ".join(map(quote, columns))
    sql = f"INSERT INTO {table} ({names}) VALUES (%s, %s)"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH * 5):
            cursor.executemany(sql, rows[start : start + BATCH * 5])


@transaction.atomic
def seed(demo: wards_demo.Demo, until: datetime.date) -> Summary:
    """Write the outreach of the demo, up to `until` (the day of the run), on top of
    `wards.demo.seed()` and `cases.demo.seed()`.

    `created_by` of an activity is a member with a login who took part, else the login of
    the ward's team leader that day (None when the leader has none), and of a department's
    training its supervisor's login once they hold the post; of a referral and each
    step of its history, the leader's login that day; of a partner, the administrator."""
    with cases_demo.history_until(until):
        return _seed(demo, cached_plan(until), cases_demo.cached_plan(until))


def _seed(demo: wards_demo.Demo, p: Plan, cp: cases_demo.Plan) -> Summary:
    units = {
        code: u.pk for (code, _, _), u in zip(wards_demo.OLD_WARDS, demo.old_wards, strict=True)
    }
    units.update(
        (name, u.pk) for name, u in zip(wards_demo.SUCCESSORS, demo.new_wards, strict=True)
    )
    units.update(province=demo.province.pk, district=demo.district.pk)
    teams = dict(zip([c for c, _, _ in wards_demo.OLD_WARDS], demo.old_teams, strict=True))
    teams.update(zip(wards_demo.SUCCESSORS, demo.new_teams, strict=True))
    members = {ward: demo.members[team.pk] for ward, team in teams.items()}
    users = {username: u.pk for username, u in demo.users.items()}
    names = dict(Person.objects.filter(ward_id__in=units.values()).values_list("full_name", "pk"))
    persons = [names.get(pp.full_name) for pp in cp.persons]
    if None in persons or len(names) != len(persons):
        raise wards_demo.DemoError("The persons of the demo casework are not those of its plan.")

    def author(ward: str, day: datetime.date) -> int | None:
        return users.get(cp.author(ward, day))

    staff = [(unit, since, name) for name, _, unit, _, since in wards_demo.STAFF]

    def supervisor(unit: str, day: datetime.date) -> int | None:
        """The login of the department's supervisor on `day`: they record its trainings."""
        return next((users[u] for at, since, u in staff if at == unit and since <= day), None)

    club_ids = dict(Club.objects.filter(ward_id__in=units.values()).values_list("name", "pk"))
    clubs = [club_ids[c.name] for c in cp.clubs]

    partners = Partner.objects.bulk_create(
        Partner(
            unit_id=units[x.unit],
            name=x.name,
            kind=x.kind,
            phone=x.phone,
            address=x.address,
            contact_person=x.contact_person,
            note=x.note,
            active=x.active,
            created_by_id=users["admin"],
        )
        for x in p.partners
    )
    partner_ids = {x.key: row.pk for x, row in zip(p.partners, partners, strict=True)}
    partner_ids.update(
        ((None, name), pk)
        for name, pk in Partner.objects.filter(unit__isnull=True).values_list("name", "pk")
    )

    rows = []
    for a in p.activities:
        if a.department:
            recorder = supervisor(a.ward, a.occurred_on)
        else:
            team = members[a.ward]
            recorder = next((team[i].user_id for i in a.members if team[i].user_id), None)
            recorder = recorder or author(a.ward, a.occurred_on)
        rows.append(
            Activity(
                unit_id=units[a.ward],
                occurred_on=a.occurred_on,
                kind=a.kind,
                title=a.title,
                sessions=a.sessions,
                participants=a.participants,
                items=a.items,
                minutes=a.minutes,
                place=a.place,
                audience=a.audience,
                note=a.note,
                club_id=clubs[a.club] if a.club is not None else None,
                created_by_id=recorder,
            )
        )
    activities = Activity.objects.bulk_create(rows, batch_size=BATCH)
    members_of, persons_of, partners_of = [], [], []
    for a, row in zip(p.activities, activities, strict=True):
        team = members.get(a.ward, [])
        members_of.extend((row.pk, team[i].pk) for i in a.members)
        persons_of.extend((row.pk, persons[n]) for n in a.persons)
        partners_of.extend((row.pk, partner_ids[k]) for k in a.partners)
    _insert_links(Activity.members.through, ("activity_id", "member_id"), members_of)
    _insert_links(Activity.persons.through, ("activity_id", "person_id"), persons_of)
    _insert_links(Activity.partners.through, ("activity_id", "partner_id"), partners_of)

    rows = []
    for r in p.referrals:
        rows.append(
            Referral(
                person_id=persons[r.person],
                for_household=r.for_household,
                ward_id=units[r.ward],
                member_id=members[r.member[0]][r.member[1]].pk if r.member else None,
                kind=r.kind,
                partner_id=partner_ids[r.partner] if r.partner else None,
                referred_on=r.referred_on,
                status=r.status,
                status_on=r.status_on,
                amount=r.amount,
                note=r.note,
                created_by_id=author(r.ward, r.referred_on),
            )
        )
    referrals = Referral.objects.bulk_create(rows, batch_size=BATCH)
    ReferralStatusChange.objects.bulk_create(
        (
            ReferralStatusChange(
                referral_id=row.pk,
                status=status,
                changed_on=day,
                note=note,
                changed_by_id=author(cp.persons[r.person].ward_on(day), day),
            )
            for r, row in zip(p.referrals, referrals, strict=True)
            for status, day, note in r.steps
        ),
        batch_size=BATCH,
    )
    communication = [a for a in p.activities if a.kind in Activity.COMMUNICATION]
    statuses = Counter(r.status for r in p.referrals)
    return Summary(
        activities=len(activities),
        sessions=sum(a.sessions for a in communication),
        participants=sum(a.participants or 0 for a in communication),
        partners=len(partners),
        referrals=len(referrals),
        completed=statuses[RS.COMPLETED],
        open=sum(statuses[s] for s in Referral.OPEN),
    )
