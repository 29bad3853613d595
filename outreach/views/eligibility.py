"""The loan-eligibility list (QĐ 08/2026/QĐ-TTg) of a ward, on a page and as a spreadsheet.

A team leader's or commune officer's page (`person_edit` over the ward): volunteers,
supervisors and other wards get 404; a user with several wards picks one with `?xa=<code>`.
The rule is `outreach.eligibility`; the spreadsheet is `outreach.exports`. The export is
audited with the ward and the number of rows, never a name.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.models import Person
from outreach.eligibility import Row, loan_eligible, rule_text
from outreach.exports import XLSX_CONTENT_TYPE, LoanEligibleExporter, write_xlsx
from wards.access import Grant
from wards.audit import audit
from wards.models import AuditEvent
from wards.scope import ward_ctx, ward_grant, ward_url


def _eligible(request: HttpRequest, grant: Grant, today: datetime.date) -> list[Row]:
    persons = Person.objects.editable_by(request.user).filter(ward__in=grant.unit_ids)
    return loan_eligible(persons, today)


@require_safe
@never_cache
def eligibility_list(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, "person_edit")
    today = timezone.localdate()
    ctx = {
        **ward_ctx(request, grant),
        "rows": _eligible(request, grant, today),
        "rule": rule_text(),
        "today": today,
        "export_url": ward_url(request, "outreach:eligibility_export", grant),
    }
    return render(request, "outreach/eligibility_list.html", ctx)


@require_safe
@never_cache
def eligibility_export(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, "person_edit")
    today = timezone.localdate()
    rows = _eligible(request, grant, today)
    exporter = LoanEligibleExporter(ward=grant.unit, rows=rows, today=today)
    content = write_xlsx(exporter)
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="outreach.loan_eligibility",
        unit=grant.unit,
        changes={"format": "xlsx", "count": len(rows), "on": today},
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, exporter.filename())
    return response
