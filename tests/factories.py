"""Plain factory functions with valid defaults. Pass only what a test cares about."""

from __future__ import annotations

import datetime
import itertools

from django.contrib.auth import get_user_model

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


def post(*, user, unit: AdminUnit, role: str, **fields) -> Post:
    return Post.objects.create(user=user, unit=unit, role=role, **fields)


def area(*, ward: AdminUnit, name: str = "Tổ dân phố 1") -> Area:
    return Area.objects.create(ward=ward, name=name)
