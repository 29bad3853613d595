"""An uploaded file waiting for its preview to be confirmed.

It holds the file's cells (personal data) only between the upload and the commit: the commit
clears them (keeping the counts, so a second tap on «Nhập» is answered with what the first did),
«Hủy» deletes the batch, and anything older than a day is deleted at the next upload
(`purge_stale`).

A large file is checked and committed in a thread beside the request (jobs.py): `state` says
which, and `started_at` since when, so that work whose thread was stopped can be told apart.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards.models import AdminUnit, Timestamped

KEEP = datetime.timedelta(days=1)


class ImportBatch(Timestamped):
    class State(models.TextChoices):
        READY = "ready", _("sẵn sàng")  # results hold the last check
        CHECKING = "checking", _("đang kiểm tra")  # a large file, in the background (jobs.py)
        COMMITTING = "committing", _("đang nhập")
        FAILED = "failed", _("không kiểm tra được")

    kind = models.CharField(_("loại dữ liệu"), max_length=20)
    ward = models.ForeignKey(
        AdminUnit, verbose_name=_("xã, phường"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(_("tên tệp"), max_length=255)
    # the sheet as read (reading.Sheet): every non-blank row's cells, and its row number
    rows = models.JSONField(default=list)
    numbers = models.JSONField(default=list)
    # matching.Match.as_json(): the header row and which file column feeds which field
    mapping = models.JSONField(default=dict)
    # pipeline.RowResult per data row, from the last check
    results = models.JSONField(default=list)
    # once committed the cells and results are cleared; what was done stays for a second tap
    committed_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.READY)
    started_at = models.DateTimeField(null=True, blank=True)  # of the background work
    created_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("tệp đang nhập")
        indexes = [
            # purge_stale(): the batches older than KEEP
            models.Index(fields=["created_at"], name="imports_batch_created"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def data_rows(self) -> int:
        """The rows under the header (the sheet's rows include it and any title above it)."""
        return max(0, len(self.numbers) - self.mapping.get("header_index", 0) - 1)

    @classmethod
    def purge_stale(cls) -> int:
        return cls.objects.filter(created_at__lt=timezone.now() - KEEP).delete()[0]
