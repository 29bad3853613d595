"""Load the demo data set: units, teams, logins, casework and outreach.

The command lives in `reports` because it calls the seeders of every app in import order
(wards ← cases ← outreach ← reports), and only `reports` may import them all.
"""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases import demo as cases_demo
from outreach import demo as outreach_demo
from wards import demo as wards_demo
from wards.models import Member


class Command(BaseCommand):
    help = (
        "Create the deterministic demo data set: the former Quận Đống Đa of Hà Nội with its 21 "
        "wards (dissolved on 30/06/2025) merged into five of today's wards, their residential "
        "groups, a team per ward with members and history, one login per role, all with "
        f"the password {wards_demo.PASSWORD}; the casework of 2012 to "
        f"{cases_demo.DATA_UNTIL:%d/%m/%Y} (persons, enrolments, assignments, contacts, "
        "milestones, assessments) and the outreach of the same years (every team's activities "
        "of every kind, the wards' partners, referrals for loans, training, jobs, support and "
        "gifts with their status histories); nothing later, whatever the date. Loads Hà Nội's "
        "communes first when they are missing. The data set is written once: with --once a "
        "database that already has it (the former district, code 006, exists) is left "
        "unchanged and the logins are printed; without --once that is an error. Everything is "
        "written in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing but print the logins when the demo data already exists.",
        )
        parser.add_argument(
            "--scale",
            choices=["district"],
            default="district",
            help="How much data: one former district and its wards (the default).",
        )

    def handle(self, *args, once: bool, scale: str, **options) -> None:
        if wards_demo.exists():
            if not once:
                raise CommandError(
                    "The demo data is already in this database (the former district "
                    f"{wards_demo.DISTRICT_NAME}, code {wards_demo.DISTRICT_CODE}, exists). "
                    "seed_demo cannot be run twice on one database: use --once to keep it, "
                    "or start from an empty database."
                )
            self.stdout.write("The demo data already exists; nothing was changed.")
            self.print_logins()
            return

        with transaction.atomic():
            if wards_demo.missing_successors():
                call_command("load_units", province=[wards_demo.PROVINCE_CODE], stdout=self.stdout)
            try:
                demo = wards_demo.seed(scale=scale)
                casework = cases_demo.seed(demo)
                outreach = outreach_demo.seed(demo)
            except wards_demo.DemoError as e:
                raise CommandError(str(e)) from e

        n_members = sum(len(rows) for rows in demo.members.values())
        active = (
            Member.objects.filter(team__in=demo.old_teams).active(wards_demo.SNAPSHOT_ON).count()
        )
        self.stdout.write(
            f"Demo data: {demo.district.name} with {len(demo.old_wards)} former wards merged "
            f"into {len(demo.new_wards)} wards, "
            f"{sum(len(a) for a in demo.areas.values())} residential groups, "
            f"{len(demo.old_teams) + len(demo.new_teams)} teams, {n_members} member rows "
            f"({active} active in the former teams on "
            f"{wards_demo.SNAPSHOT_ON:%d/%m/%Y}), {len(demo.users)} logins; casework: "
            f"{casework}; outreach: {outreach}."
        )
        self.print_logins()

    def print_logins(self) -> None:
        logins = wards_demo.LOGINS
        roles = [f"{login.role_vi} ({login.role_en})" for login in logins]
        role_width = max(len(r) for r in roles)
        name_width = max(len(login.username) for login in logins)
        self.stdout.write(f"Demo logins (password {wards_demo.PASSWORD}):")
        for role, login in zip(roles, logins, strict=True):
            self.stdout.write(
                f"  {role:<{role_width}}  {login.username:<{name_width}}  "
                f"{wards_demo.PASSWORD}  {login.unit}"
            )
        self.stdout.write(wards_demo.second_factor_hint())
