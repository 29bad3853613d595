"""Anonymise the persons whose file was closed more than --older-than years ago."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import formats

from cases.anonymise import ANONYMOUS_NAME, MAX_YEARS, anonymise_closed, check_years


def _years(text: str | None) -> int:
    """--older-than as a whole number of years, or a CommandError in Vietnamese."""
    if text is None:
        raise CommandError("Hãy cho biết số năm: --older-than SỐ_NĂM (ví dụ --older-than 5).")
    try:
        years = int(text.strip())
    except ValueError:
        raise CommandError(
            f"«{text}» không phải là một số năm: hãy nhập một số nguyên, ví dụ 5."
        ) from None
    try:
        check_years(years)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None
    return years


class Command(BaseCommand):
    help = (
        "De-identify every person whose file is closed (status closed) with a closing date "
        "more than --older-than YEARS years before today (1 to "
        f"{MAX_YEARS}; the same calendar day YEARS years ago is not yet 'more than') and who "
        f"is not anonymised yet: the name becomes «{ANONYMOUS_NAME}»; alias, search key, ID "
        "number, phone, address, residential group, family contact, substances, history "
        "notes and the exact birth day (the year is kept) are cleared, as is the free text of "
        "their enrolments (decision number), contacts, milestones, assessments, referrals and "
        "referral steps; anonymised_on is set to today. Ward, group, sex, birth year, dates, "
        "kinds, statuses, results and amounts stay, so every report figure is unchanged. "
        "Activities (shared with other attendees) keep their text. One transaction; one "
        "audit event per person naming the cleared fields. Running it again changes nothing. "
        "--dry-run prints the same counts and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            dest="older_than",
            metavar="YEARS",
            help="Whole years since the file was closed (at least 1).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args, older_than: str | int | None, dry_run: bool, **options) -> None:
        years = _years(None if older_than is None else str(older_than))
        result = anonymise_closed(years=years, dry_run=dry_run)
        cutoff = formats.date_format(result.cutoff, "d/m/Y")
        count = len(result.persons)
        if dry_run:
            self.stdout.write(
                f"Chạy thử, không ghi gì: sẽ ẩn danh {count} người có hồ sơ đóng trước "
                f"ngày {cutoff}."
            )
        else:
            self.stdout.write(f"Đã ẩn danh {count} người có hồ sơ đóng trước ngày {cutoff}.")
        for line in result.lines():
            self.stdout.write(f"  {line}")
