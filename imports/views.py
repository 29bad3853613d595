"""Import pages: the start page (templates and uploads), the preview with its column mapping,
the commit and the cancel. A batch is its uploader's alone: anyone else gets 404."""

from __future__ import annotations

import math
from pathlib import PurePath

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from wards.access import access_for
from wards.once import AlreadySubmitted, already_saved, submit_once
from wards.scope import ward_ctx, ward_grant, ward_url

from . import jobs, pipeline, reading
from .forms import MappingForm, UploadForm
from .kinds import KINDS
from .matching import Match, columns_of, match, missing_required
from .models import ImportBatch
from .template import build, header

PAGE_SIZE = 100
START_CAPABILITY = "person_edit"  # every kind's capability is held by leaders and officers
FILTERS = {"loi": pipeline.ERROR, "bo-qua": pipeline.SKIP, "moi": pipeline.NEW}


def _kind(code: str):
    kind = KINDS.get(code)
    if kind is None:
        raise Http404
    return kind


def _batch(request: HttpRequest, pk: int, *, lock: bool = False) -> ImportBatch:
    batches = ImportBatch.objects.select_related("ward").filter(created_by=request.user)
    if lock:
        batches = batches.select_for_update()
    batch = batches.filter(pk=pk).first()
    if batch is None or batch.kind not in KINDS:
        raise Http404
    if not access_for(request.user).can(KINDS[batch.kind].capability, batch.ward_id):
        raise Http404
    return batch


def _start_ctx(request: HttpRequest, grant, forms: dict | None = None) -> dict:
    forms = forms or {}
    return {
        **ward_ctx(request, grant, START_CAPABILITY),
        "kinds": [(kind, forms.get(kind.code) or UploadForm()) for kind in KINDS.values()],
    }


@require_safe
@never_cache
def start(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, START_CAPABILITY)
    ImportBatch.purge_stale()  # files left in preview for more than a day
    return render(request, "imports/start.html", _start_ctx(request, grant))


@require_safe
def template(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    ward_grant(request, kind.capability)  # only for someone who may import
    response = HttpResponse(
        build(kind),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-{kind.code}.xlsx"'
    return response


@require_POST
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    kind = _kind(kind)
    grant = ward_grant(request, kind.capability)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        name = PurePath(upload.name or "").name[:255]
        try:
            if upload.size > reading.MAX_BYTES:  # refused before a byte is read
                raise reading.too_big(upload.size)
            sheet = reading.read(upload.read(reading.MAX_BYTES + 1), name)
            found = match(kind, sheet)
            if found is None:
                raise reading.Refused(
                    _(
                        "Không tìm thấy dòng tiêu đề: trong 15 dòng đầu không có cột nào như "
                        "«%(example)s». Hãy dùng tệp mẫu, hoặc đặt tiêu đề cột ở dòng đầu."
                    )
                    % {"example": header(kind.columns[0])}
                )
            pipeline.data_rows(sheet.rows, sheet.numbers, found, kind)  # the row limit
        except reading.Refused as refusal:
            form.add_error("file", refusal.message)
        else:
            ImportBatch.purge_stale()
            try:
                batch = submit_once(
                    request,
                    lambda: ImportBatch.objects.create(
                        kind=kind.code,
                        ward=grant.unit,
                        created_by=request.user,
                        file_name=name,
                        rows=sheet.rows,
                        numbers=sheet.numbers,
                        mapping=found.as_json(),
                    ),
                )
            except AlreadySubmitted:  # the file sent twice: the first upload is being checked
                already_saved(request)
                return redirect(ward_url(request, "imports:start", grant, START_CAPABILITY))
            jobs.start_check(batch)
            return redirect("imports:preview", batch.pk)
    ctx = _start_ctx(request, grant, {kind.code: form})
    ctx["failed"] = kind.code
    return render(request, "imports/start.html", ctx)


def _done_url(request: HttpRequest, batch: ImportBatch) -> str:
    kind = KINDS[batch.kind]
    if callable(kind.done):
        return kind.done(batch.ward)
    grant = ward_grant_for(request, batch)
    return ward_url(request, kind.done, grant, kind.capability)


def ward_grant_for(request: HttpRequest, batch: ImportBatch):
    """The user's grant at the batch's ward (for the ward switch in the next page's URL)."""
    grant = next(
        (g for g in access_for(request.user).grants if g.unit and g.unit.pk == batch.ward_id),
        None,
    )
    if grant is None:
        raise Http404
    return grant


def _summary(batch: ImportBatch) -> str:
    kind = KINDS[batch.kind]
    text = ngettext(
        "Đã nhập %(count)s dòng vào «%(kind)s».",
        "Đã nhập %(count)s dòng vào «%(kind)s».",
        batch.created_count,
    ) % {"count": batch.created_count, "kind": kind.label}
    if batch.skipped_count:
        text += " " + ngettext(
            "%(count)s dòng bỏ qua (đã có trong danh sách, hoặc là dòng ví dụ của tệp mẫu).",
            "%(count)s dòng bỏ qua (đã có trong danh sách, hoặc là dòng ví dụ của tệp mẫu).",
            batch.skipped_count,
        ) % {"count": batch.skipped_count}
    return text


@require_safe
@never_cache
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if request.GET.get("cho"):  # import_wait.js asking whether the work is still going on
        working = batch.state in (ImportBatch.State.CHECKING, ImportBatch.State.COMMITTING)
        return JsonResponse({"done": not working or jobs.is_stale(batch)})
    if batch.committed_at:
        messages.info(request, _summary(batch))
        return redirect(_done_url(request, batch))
    if batch.state != ImportBatch.State.READY:
        return _working(request, batch)
    kind = KINDS[batch.kind]
    found = Match.from_json(batch.mapping)
    headers = batch.rows[found.header_index]
    form = MappingForm(kind=kind, headers=headers, fields=found.fields)
    return render(request, "imports/preview.html", _preview_ctx(request, batch, kind, found, form))


def _working(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    """A large file being checked or committed beside the request: the page asks every few
    seconds (static/js/import_wait.js) and opens the result once it is done; one whose work
    stopped halfway (or failed) says so."""
    stopped = batch.state == ImportBatch.State.FAILED or jobs.is_stale(batch)
    ctx = {
        "batch": batch,
        "kind": KINDS[batch.kind],
        "ward": batch.ward,
        "total": batch.data_rows,
        "stopped": stopped,
        "committing": batch.state == ImportBatch.State.COMMITTING,
        # 8 ms a row on SQLite, 13 on PostgreSQL (bench/README.md), a little more when busy
        "minutes": math.ceil(batch.data_rows * 0.015 / 60),
        "refresh": not stopped,
    }
    return render(request, "imports/working.html", ctx)


def _preview_ctx(request, batch, kind, found: Match, form) -> dict:
    by_key = {c.key: c for c in columns_of(kind)}
    order = {c.key: i for i, c in enumerate(columns_of(kind))}
    shown = sorted(found.fields.items(), key=lambda item: order[item[1]])
    # A column empty on every row (the template's unused ones) is left out of the table.
    body = batch.rows[found.header_index + 1 :]
    shown = [(i, key) for i, key in shown if any(i < len(row) and row[i] for row in body)]
    results = batch.results
    counts = {status: sum(r["status"] == status for r in results) for status in FILTERS.values()}
    chosen = request.GET.get("loc", "")
    status = FILTERS.get(chosen)
    start = found.header_index + 1
    cells_of = dict(zip(batch.numbers[start:], batch.rows[start:], strict=True))
    listed = [r for r in results if status is None or r["status"] == status]
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    width = max((i for i, _key in shown), default=-1) + 1
    rows = [
        {**r, "cells": [(cells_of[r["number"]] + [""] * width)[i] for i, _key in shown]}
        for r in page.object_list
    ]
    headers = batch.rows[found.header_index]
    return {
        "batch": batch,
        "kind": kind,
        "ward": batch.ward,
        "form": form,
        "columns": [(headers[i], by_key[key]) for i, key in shown],
        "missing": missing_required(kind, found.fields),
        "unsure": [
            (headers[i], by_key[key]) for i, key in found.fields.items() if key in found.unsure
        ],
        "ignored": [h for i, h in enumerate(headers) if i not in found.fields and h],
        "rows": rows,
        "page": page,
        "counts": counts,
        "total": len(results),
        "chosen": chosen,
        "page_query": f"?loc={chosen}&" if status else "?",
        "filters": [
            ("", _("Tất cả"), len(results)),
            ("loi", _("Có lỗi"), counts[pipeline.ERROR]),
            ("bo-qua", _("Bỏ qua"), counts[pipeline.SKIP]),
            ("moi", _("Sẽ nhập"), counts[pipeline.NEW]),
        ],
    }


@require_POST
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.committed_at or batch.state != ImportBatch.State.READY:
        return redirect("imports:preview", batch.pk)
    kind = KINDS[batch.kind]
    found = Match.from_json(batch.mapping)
    headers = batch.rows[found.header_index]
    form = MappingForm(request.POST, kind=kind, headers=headers, fields=found.fields)
    if not form.is_valid():
        ctx = _preview_ctx(request, batch, kind, found, form)
        return render(request, "imports/preview.html", ctx)
    batch.mapping = Match(found.header_index, form.mapping(), set()).as_json()
    jobs.start_check(batch)
    if batch.state == ImportBatch.State.READY:
        messages.success(request, _("Đã lưu cách ghép cột và kiểm tra lại tệp."))
    return redirect("imports:preview", batch.pk)


@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        batch = _batch(request, pk, lock=True)
        if batch.committed_at:  # a second tap: say what the first one did
            messages.info(request, _summary(batch))
            return redirect(_done_url(request, batch))
        if batch.state != ImportBatch.State.READY:  # still being checked or committed
            return redirect("imports:preview", batch.pk)
        kind = KINDS[batch.kind]
        found = Match.from_json(batch.mapping)
        if missing_required(kind, found.fields) or found.unsure:
            messages.error(
                request,
                _("Hãy xác nhận cách ghép cột (bấm «Lưu cách ghép cột») trước khi nhập."),
            )
            return redirect("imports:preview", batch.pk)
        outcome = jobs.start_commit(batch, request.user)
    if outcome is None:  # a large file: committed beside the request, the page follows it
        return redirect("imports:preview", batch.pk)
    if not outcome.committed:
        messages.error(
            request,
            ngettext(
                "Chưa nhập dòng nào: %(count)s dòng có lỗi. Hãy sửa trong tệp rồi tải lên lại.",
                "Chưa nhập dòng nào: %(count)s dòng có lỗi. Hãy sửa trong tệp rồi tải lên lại.",
                outcome.errors,
            )
            % {"count": outcome.errors},
        )
        return redirect(reverse("imports:preview", args=[batch.pk]) + "?loc=loi")
    messages.success(request, _summary(batch))
    return redirect(_done_url(request, batch))


@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    grant = ward_grant_for(request, batch)
    if batch.state == ImportBatch.State.COMMITTING and not jobs.is_stale(batch):
        messages.error(request, _("Tệp đang được nhập, không hủy được nữa."))
        return redirect("imports:preview", batch.pk)
    if not batch.committed_at:
        batch.delete()
        messages.info(request, _("Đã hủy, không nhập dòng nào. Tệp tải lên đã được xóa."))
    return redirect(ward_url(request, "imports:start", grant, START_CAPABILITY))
