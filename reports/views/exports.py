"""A report as a download: XLSX, CSV, PDF or JSON (reports.exports).

The same query string as the report page (`don-vi`, `ky`, `cach-tinh`, reports.choice): a unit
outside the user's scope or an unknown format is 404, a period that cannot be read is a 400 page
that says why. Every download writes one audit event with the unit, the format and the period,
never a name; the file name holds the unit's code and the period only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import PeriodError, choose
from reports.exports import FORMATS, export
from reports.report import build
from reports.routers import on_replica
from wards.audit import audit
from wards.models import AuditEvent


@require_safe
@never_cache
def report_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    try:
        choice = choose(request)
    except PeriodError as error:
        ctx = {"message": str(error)}
        return render(request, "reports/period_error.html", ctx, status=400)
    file = on_replica(lambda: export(build(choice.unit, choice.period), fmt))
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="reports.report",
        unit=choice.unit,
        changes={"format": fmt, "period": choice.period.spec, "cutoff": choice.period.cutoff},
    )
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response
