"""Load the demo data set: units, teams, logins, casework and outreach.

The command lives in `reports` because it calls the seeders of every app in import order
(wards ← cases ← outreach ← reports), and only `reports` may import them all.
"""

from __future__ import annotations

import argparse
import datetime
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils import timezone

from cases import demo as cases_demo
from cases.models import Enrollment
from outreach import demo as outreach_demo
from reports import demo as reports_demo
from reports import scale as bulk
from reports.choice import default_period
from reports.periods import Period, parse
from wards import demo as wards_demo
from wards.models import AdminUnit, Member

# The one finding the demo leaves on purpose for the checks before submitting
# (reports.checks), so that a leader can be shown explaining one: in Phường Láng, a
# management decision (illegal_use_12 first) completed on its due date within the last quarter
# ended on the day of the run (late_quarter) is ended by a decision signed LATE_DECISION later
# (and after the quarter), so at the end of that quarter it is past its due date and still
# running («enrollment_overdue», in that quarter alone of the ended quarters and half-years
# around it). The leader explains: the ward's decision came late.
LATE_DECISION = datetime.timedelta(days=57)


class Command(BaseCommand):
    help = (
        "Create the deterministic demo data set: the former Quận Đống Đa of Hà Nội with its 21 "
        "wards (dissolved on 30/06/2025) merged into five of today's wards, their residential "
        "groups, a team per ward with members and history, one login per role, all with "
        f"the password {wards_demo.PASSWORD}; the casework from the teams' founding in 2012 to "
        "the day the command runs (--today to build another day's: persons with their group "
        "history, enrolments, "
        "the B93 clubs of Thổ Quan and Trung Phụng and four early-intervention clubs with "
        "their successors after the merger, assignments, contacts with their counselling "
        "topics, milestones, assessments), the outreach of the same years (every team's "
        "activities of every kind, club sessions, the estimated audience of some broadcasts, "
        "the district's and the province's own trainings, the wards' partners, referrals for "
        "loans, training, jobs, support and gifts with their status histories), and the "
        "quarterly, half-yearly and yearly reports of the current wards since the merger, "
        "submitted and reviewed as the leaders and supervisors would (one returned for "
        "correction, the last ended quarter's still coming in); nothing later than that day. "
        "Loads Hà Nội's "
        "communes first when they are missing. The data set is written once: with --once a "
        "database that already has it (the former district, code 006, exists) is left "
        "unchanged and the logins are printed; without --once that is an error. Everything is "
        "written in one transaction. --scale district then adds bulk rows until the former "
        "district totals about 200 members, 5,000 persons, 100,000 contacts, 20,000 "
        "activities and 5,000 referrals; --scale province instead adds fifty times that over "
        "Hà Nội's other communes, each given made-up former wards and teams (about 250,000 "
        "persons and 5 million contacts); both are deterministic and print the rows written "
        "and the time taken. Refused unless DEBUG is on: the logins and their second factor "
        "are published."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing but print the logins when the demo data already exists.",
        )
        parser.add_argument(
            "--scale",
            choices=bulk.SCALES,
            default="demo",
            help="How much data: the story-driven demo alone (the default), or the demo plus "
            "bulk rows for a whole former district or for the whole province.",
        )
        parser.add_argument(
            "--size",
            type=float,
            default=1.0,
            help="Multiply the bulk volume of --scale district/province by this factor "
            "(e.g. 0.1 for a quick benchmark).",
        )

        parser.add_argument(
            "--today",
            type=_day,
            default=None,
            help="The day the history ends, YYYY-MM-DD (default: today in "
            f"{settings.TIME_ZONE}); not before {cases_demo.EARLIEST_UNTIL:%Y-%m-%d}. "
            "The same day gives the same data.",
        )

    def handle(
        self,
        *args,
        once: bool,
        scale: str,
        size: float,
        today: datetime.date | None = None,
        **options,
    ) -> None:
        # Before anything is read or written: the superuser and supervisors it creates share
        # the password and TOTP key printed in the README.
        if not settings.DEBUG:
            raise CommandError(
                "Lệnh seed_demo chỉ dùng để chạy thử (DEBUG=1): dữ liệu mẫu có tài khoản quản "
                "trị và giám sát với mật khẩu và khóa xác thực đã công bố, nên không bao giờ "
                "nạp vào máy chủ thật. Không có gì được ghi."
            )
        today = today or timezone.localdate()
        if today < cases_demo.EARLIEST_UNTIL:
            raise CommandError(
                f"--today {today:%Y-%m-%d}: the demo's history (the wards merged on 1/7/2025 "
                "and a year of their work) cannot end before "
                f"{cases_demo.EARLIEST_UNTIL:%Y-%m-%d}. Nothing was written."
            )
        started = time.monotonic()
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
                demo = wards_demo.seed()
                casework = cases_demo.seed(demo, today)
                outreach = outreach_demo.seed(demo, today)
                plant_late_decision(today)
                reports = reports_demo.seed(demo, today)
                totals = bulk.seed(scale, until=today, factor=size) if scale != "demo" else None
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
            f"{casework}; outreach: {outreach}; reports: {reports}."
        )
        if totals is not None:
            self.stdout.write(f"Bulk rows for --scale {scale}: {totals}.")
            self.stdout.write(f"In the database now: {bulk.database_totals()}.")
        self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
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


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a day: write it YYYY-MM-DD, e.g. 2026-12-01."
        ) from None


def late_quarter(today: datetime.date) -> Period:
    """The quarter of the planted finding: the last quarter ended on `today` (calendar cut-off;
    the finding shows with the official cut-off too)."""
    return parse(default_period(today))


def plant_late_decision(today: datetime.date) -> Enrollment | None:
    """End an enrolment of Phường Láng's scope after its due date (see LATE_DECISION): the
    first one completed on its due date, a management decision (illegal_use_12 first), due
    within `late_quarter(today)` by both cut-offs (from the quarter's first day to the end of
    its official span), whose person has nothing later that the new end would overlap. Its end
    moves LATE_DECISION after the due date, and at least ten days past the quarter, but never
    after `today`. None when the casework has no such enrolment."""
    quarter = late_quarter(today)
    official = parse(quarter.spec, "official")
    lang = AdminUnit.objects.get(name=wards_demo.LANG, valid_until__isnull=True)
    candidates = (
        Enrollment.objects.filter(
            ward__in=AdminUnit.objects.scope_ids([lang]),
            programme__code__in=cases_demo.DECIDED,
            end_reason=Enrollment.EndReason.COMPLETED,
            due_on__range=(quarter.start, official.end),
            ended_on=models.F("due_on"),
        )
        .select_related("person", "programme")
        .order_by("due_on", "started_on", "person__registered_on", "person__search_key")
    )
    late = []
    for enrolment in candidates:
        ended_on = min(
            today,
            max(enrolment.due_on + LATE_DECISION, quarter.end + datetime.timedelta(days=10)),
        )
        closed = enrolment.person.closed_on
        later = Enrollment.objects.filter(
            person=enrolment.person, started_on__gt=enrolment.started_on
        ).exclude(pk=enrolment.pk)
        if (closed is None or closed > ended_on) and not later.exists():
            late.append((enrolment.programme.code != "illegal_use_12", enrolment, ended_on))
    if not late:
        return None
    _, enrolment, ended_on = min(late, key=lambda x: x[0])
    enrolment.ended_on = ended_on
    enrolment.save(update_fields=["ended_on"])
    return enrolment
