"""The ward's contact log (sổ tiếp xúc) as a download: XLSX or CSV, for any number of rows.

A team leader's or commune officer's download (`person_edit` over the ward, through
`wards.scope.ward_grant`): volunteers, supervisors and other wards get 404, as on every ward
page; `?xa=<code>` picks one of several wards. The contacts are those the user may see
(`Contact.objects.visible_to`) recorded in the ward and in the wards merged into it, between
the form's two days (cases.forms.contact_log, on the ward dashboard). A day that cannot be
read, a range the wrong way round or too long, or more rows than one Excel download holds
(wards.exports.XLSX_DOWNLOAD_ROWS), shows
the dashboard again with the form, what was typed and the reason (400).

Memory stays the same whatever the length of the log: the rows are read with `iterator()`
and written as they come, the CSV streamed chunk by chunk, the XLSX in constant-memory mode
(wards.exports). Every download is audited with the ward, the format, the two days and the
number of rows, never a name; the file name holds the ward's code and the two days.
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.exports import ContactLogExporter
from cases.forms.contact_log import ContactLogForm
from cases.models import Contact
from cases.views.register import dashboard_ctx
from wards.audit import audit
from wards.exports import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, csv_chunks, xlsx_file
from wards.models import AuditEvent
from wards.scope import ward_grant

FILE_BLOCK = 64 * 1024  # bytes per chunk of the XLSX file sent


@require_safe
@never_cache
def contact_log_export(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request)
    today = timezone.localdate()
    form = ContactLogForm(request.GET, today=today)
    if not form.is_valid():
        return _form_again(request, grant, form)
    start, end = form.cleaned_data["tu_ngay"], form.cleaned_data["den_ngay"]
    fmt = form.cleaned_data["dinh_dang"]
    exporter = ContactLogExporter(
        contacts=Contact.objects.visible_to(request.user),
        ward=grant.unit,
        unit_ids=grant.unit_ids,
        start=start,
        end=end,
        today=today,
    )
    count = exporter.count()
    if fmt == ContactLogForm.XLSX and count > exporter.xlsx_room():
        form.add_error(None, _too_long(count, exporter.xlsx_room()))
        return _form_again(request, grant, form)
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="cases.contact_log",
        unit=grant.unit,
        changes={"format": fmt, "start": start, "end": end, "count": count},
    )
    if fmt == ContactLogForm.CSV:
        response = StreamingHttpResponse(csv_chunks(exporter), content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, exporter.filename("csv"))
        return response
    response = FileResponse(
        xlsx_file(exporter),
        as_attachment=True,
        filename=exporter.filename("xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )
    response.block_size = FILE_BLOCK
    return response


def _form_again(request: HttpRequest, grant, form: ContactLogForm) -> HttpResponse:
    ctx = dashboard_ctx(request, grant, contact_log=form)
    return render(request, "cases/dashboard.html", ctx, status=400)


def _too_long(count: int, room: int) -> str:
    return _(
        "Trong khoảng ngày này có %(count)s lượt tiếp cận, nhiều hơn %(room)s dòng một tệp "
        "Excel tải về chứa được: hãy chọn khoảng ngày ngắn hơn, hoặc tải tệp CSV."
    ) % {
        "count": number_format(count, force_grouping=True),
        "room": number_format(room, force_grouping=True),
    }
