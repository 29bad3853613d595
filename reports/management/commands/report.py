"""Print or write a unit's report for a period: the same figures as the report page."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.document import current_office
from reports.exports import FORMATS, export
from reports.periods import CALENDAR, CUTOFFS, PeriodError, parse
from reports.report import build
from reports.routers import on_replica
from wards.models import AdminUnit

TEXT_FORMATS = ("json", "csv")


class Command(BaseCommand):
    help = (
        "Make the report of the unit with official code --unit (a ward, a former district, a "
        "province; its subtree plus every unit merged into it) for --period (2024-03, 2024-Q2, "
        "2024-H1, 2024-H2, 2024, 2012..2022, 2024-01-15..2024-06-14; both ends inclusive) with "
        "the calendar cut-off or the official one of Decree 09/2019 (--cutoff), in --format "
        "json, csv, xlsx, docx or pdf: the same figures, child units and comparison period as "
        "the report page's downloads. The document is issued by --issuer (an official unit "
        "code; by default the unit while it exists, else the unit it was merged into or the "
        "nearest existing unit above it). --hide-empty leaves out the child units without "
        "figures. json and csv go to standard output unless --output names a file; xlsx, docx "
        "and pdf need --output. An existing output file is replaced. Reads only: nothing is "
        "written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Official unit code, e.g. 006.")
        parser.add_argument("--period", required=True, help="Period spec, e.g. 2024-H1.")
        parser.add_argument("--cutoff", choices=CUTOFFS, default=CALENDAR)
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--output", help="File to write; required for xlsx, docx and pdf.")
        parser.add_argument("--issuer", help="Official code of the issuing unit, e.g. 01.")
        parser.add_argument(
            "--hide-empty",
            action="store_true",
            help="Leave out the child units without figures.",
        )

    def handle(self, *args, unit: str, period: str, cutoff: str, fmt: str, output, **options):
        issuer_code, hide_empty = options.get("issuer"), options.get("hide_empty", False)
        if fmt not in TEXT_FORMATS and not output:
            raise CommandError(f"--format {fmt} writes a binary file: give --output FILE.")
        found = AdminUnit.objects.filter(code=unit.strip()).first()
        if found is None:
            raise CommandError(f"No administrative unit has the code {unit!r}.")
        try:
            chosen = parse(period, cutoff)
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if issuer_code:
            issuer = AdminUnit.objects.filter(code=issuer_code.strip()).first()
            if issuer is None:
                raise CommandError(f"No administrative unit has the code {issuer_code!r}.")
        else:
            issuer = current_office(found)
        file = on_replica(
            lambda: export(build(found, chosen), fmt, issuer=issuer, hide_empty=hide_empty)
        )
        if output:
            Path(output).write_bytes(file.content)
            self.stdout.write(f"Wrote {output} ({len(file.content)} bytes).")
        else:
            self.stdout.write(file.content.decode(), ending="")
