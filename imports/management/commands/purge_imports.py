"""Delete uploads left in preview for more than a day (their cells are personal data).

The import pages purge them too when someone uses them; this is for a daily cron job, so that a
ward that stops importing does not keep a forgotten file."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from imports.models import ImportBatch


class Command(BaseCommand):
    help = "Delete import uploads older than one day (committed or not)."

    def handle(self, *args, **options):
        deleted = ImportBatch.purge_stale()
        self.stdout.write(_("Đã xóa %(count)s tệp tải lên cũ hơn 1 ngày.") % {"count": deleted})
