"""A report as a download: XLSX, DOCX, PDF, CSV or JSON (reports.exports), live or as submitted.

`report_export` takes the report page's query string (`don-vi`, `ky`, `cach-tinh`,
reports.choice; `an-trong=1`, as on the page, leaves out the child units without figures): a
unit outside the user's scope or an unknown format is 404, a period that cannot be read is a
400 page that says why. The document is issued by the user's own office as it is today
(reports.document.issuer_for), never by a unit that no longer exists.

`submission_export` writes a submitted report as the filed document (PDF, DOCX, XLSX): its frozen
figures and its words, number and issuing office. A submission outside the user's `aggregate`
scope is 404.

Every download writes one audit event with the unit, the format and the period, never a name;
the file name holds the unit's code, the period and, for a submission, its version only.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports.choice import PeriodError, choose
from reports.document import issuer_for
from reports.exports import FORMATS, SUBMISSION_FORMATS, export, export_submission
from reports.models import Submission
from reports.report import build
from reports.routers import on_replica
from reports.views.page import HIDE_EMPTY  # "an-trong=1": the page's own choice, passed on
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
    hide_empty = request.GET.get(HIDE_EMPTY) == "1"
    file = on_replica(
        lambda: export(
            build(choice.unit, choice.period),
            fmt,
            issuer=issuer_for(request.user, choice.unit),
            hide_empty=hide_empty,
        )
    )
    changes = {"format": fmt, "period": choice.period.spec, "cutoff": choice.period.cutoff}
    if hide_empty:
        changes["hide_empty"] = True
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="reports.report",
        unit=choice.unit,
        changes=changes,
    )
    return _download(file)


@require_safe
@never_cache
def submission_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in SUBMISSION_FORMATS:
        raise Http404
    visible = Submission.objects.visible_to(request.user).select_related("unit", "issuer")
    submission = get_object_or_404(visible, pk=pk)
    hide_empty = request.GET.get(HIDE_EMPTY) == "1"
    file = export_submission(submission, fmt, hide_empty=hide_empty)
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=submission,
        unit=submission.unit,
        changes={
            "format": fmt,
            "period": submission.period_spec,
            "cutoff": submission.cutoff,
            "version": submission.version,
        },
    )
    return _download(file)


def _download(file) -> HttpResponse:
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.filename)
    return response
