"""Plain factory functions with valid defaults. Pass only what a test cares about."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model

from cases.models import Assignment, Contact, Enrollment, Milestone, Person, Programme
from cases.text import fold
from wards.models import AdminUnit, Area, Member, Post, Team

_seq = itertools.count(1)
PASSWORD = "Mat-khau-thu-nghiem-2026"


def unit(
    *,
    code: str | None = None,
    level: str = "commune",
    parent: AdminUnit | None = None,
    name: str | None = None,
    **fields,
) -> AdminUnit:
    n = next(_seq)
    division = {"province": "tinh", "district": "quan", "commune": "phuong"}[level]
    return AdminUnit.objects.create(
        code=code or f"T{n:05d}",
        name=name or f"Đơn vị {n}",
        level=level,
        division_type=fields.pop("division_type", division),
        parent=parent,
        **fields,
    )


def user(username: str | None = None, **fields):
    username = username or f"user{next(_seq)}"
    return get_user_model().objects.create_user(username=username, password=PASSWORD, **fields)


def team(*, ward: AdminUnit | None = None, **fields) -> Team:
    ward = ward or unit()
    fields.setdefault("name", f"Đội CTXHTN {ward.name}")
    fields.setdefault("established_on", datetime.date(2013, 1, 15))
    return Team.objects.create(ward=ward, **fields)


def member(*, team: Team | None = None, **fields) -> Member:
    team = team or globals()["team"]()
    n = next(_seq)
    fields.setdefault("full_name", f"Nguyễn Văn Thành Viên {n}")
    fields.setdefault("sex", Member.Sex.MALE)
    fields.setdefault("birth_year", 1970)
    fields.setdefault("role", Member.Role.MEMBER)
    fields.setdefault("joined_on", datetime.date(2014, 3, 1))
    return Member.objects.create(team=team, **fields)


def former_member(*, team: Team, full_name: str, username: str, **fields) -> Member:
    """A member of `team` who left on 1/1/2024 with their login, which opens nothing now (the
    one already made with that name when called again)."""
    fields.setdefault("left_on", datetime.date(2024, 1, 1))
    found = Member.objects.filter(team=team, full_name=full_name).first()
    return found or member(team=team, full_name=full_name, user=user(username), **fields)


def post(*, user, unit: AdminUnit, role: str, **fields) -> Post:
    return Post.objects.create(user=user, unit=unit, role=role, **fields)


def area(*, ward: AdminUnit, name: str = "Tổ dân phố 1") -> Area:
    return Area.objects.create(ward=ward, name=name)


def person(*, ward: AdminUnit | None = None, **fields) -> Person:
    """A person on the register, written directly (no duplicate check, no audit)."""
    ward = ward or unit()
    n = next(_seq)
    fields.setdefault("full_name", f"Nguyễn Văn Người {n}")
    fields.setdefault("sex", Person.Sex.MALE)
    fields.setdefault("group", Person.Group.ADDICTED)
    fields.setdefault("registered_on", datetime.date(2024, 1, 10))
    fields.setdefault("consent_on", fields["registered_on"])
    if fields.get("birth_date"):
        fields.setdefault("birth_year", fields["birth_date"].year)
    fields.setdefault("birth_year", 1990)
    fields["search_key"] = fold(f"{fields['full_name']} {fields.get('alias', '')}")
    return Person.objects.create(ward=ward, **fields)


def programme(code: str = "post_rehab_12", **fields) -> Programme:
    """A programme by code: the one the data migration loaded, or a new one."""
    fields.setdefault("name", code)
    fields.setdefault("category", Programme.Category.POST_REHAB)
    fields.setdefault("default_months", 12)
    return Programme.objects.get_or_create(code=code, defaults=fields)[0]


def club_programme(code: str = "club_b93") -> Programme:
    """A club programme by code (club_b93, club_early): the data migration's, or, after a test
    outside a transaction emptied the tables, a new one like it."""
    names = {"club_b93": "Câu lạc bộ B93", "club_early": "Câu lạc bộ can thiệp sớm"}
    return programme(
        code, name=names.get(code, code), category=Programme.Category.CLUB, default_months=None
    )


def enrollment(*, person: Person, programme: Programme | None = None, **fields) -> Enrollment:
    programme = programme or globals()["programme"]()
    fields.setdefault("ward", person.ward)
    fields.setdefault("started_on", datetime.date(2024, 2, 1))
    return Enrollment.objects.create(person=person, programme=programme, **fields)


def assignment(*, person: Person, member: Member, **fields) -> Assignment:
    fields.setdefault("started_on", person.registered_on)
    return Assignment.objects.create(person=person, member=member, **fields)


def contact(*, person: Person, member: Member | None = None, **fields) -> Contact:
    fields.setdefault("ward", person.ward)
    fields.setdefault("person_group", person.group)
    fields.setdefault("occurred_on", datetime.date(2024, 3, 1))
    fields.setdefault("kind", Contact.Kind.HOME_VISIT)
    return Contact.objects.create(person=person, member=member, **fields)


def milestone(*, person: Person, **fields) -> Milestone:
    fields.setdefault("ward", person.ward)
    fields.setdefault("occurred_on", datetime.date(2024, 3, 1))
    fields.setdefault("kind", Milestone.Kind.JOB)
    return Milestone.objects.create(person=person, **fields)


def referral(*, person: Person, **fields):
    """A referral of `person`, written directly (no status history, no audit)."""
    from outreach.models import Referral

    fields.setdefault("ward", person.ward)
    fields.setdefault("kind", Referral.Kind.LOAN)
    fields.setdefault("referred_on", datetime.date(2024, 4, 1))
    fields.setdefault("status_on", fields["referred_on"])
    return Referral.objects.create(person=person, **fields)


def partner(*, unit: AdminUnit | None = None, **fields):
    """A partner of `unit` (None: national, shared by every team)."""
    from outreach.models import Partner

    fields.setdefault("name", f"Đối tác {next(_seq)}")
    fields.setdefault("kind", Partner.Kind.BANK)
    return Partner.objects.create(unit=unit, **fields)


def submission(*, unit: AdminUnit, period, by, **fields):
    """`unit`'s report for `period` (reports.periods.Period) as stored, written directly: no
    figures computed, no checks run (`figures` as an older release stored them, if given)."""
    from django.utils import timezone

    from reports.models import Submission

    fields.setdefault("figures", {"indicators": {}})
    fields.setdefault("submitted_at", timezone.now())
    return Submission.objects.create(
        unit=unit,
        period_spec=period.spec,
        cutoff=period.cutoff,
        start=period.start,
        end=period.end,
        period_label=period.label_vi,
        submitted_by=by,
        **fields,
    )
