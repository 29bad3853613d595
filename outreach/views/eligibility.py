"""The loan-eligibility list (QĐ 08/2026/QĐ-TTg) of a ward, on a page and as a spreadsheet.

A team leader's or commune officer's page (`person_edit` over the ward): volunteers,
supervisors and other wards get 404; a user with several wards picks one with `?xa=<code>`.
The rule is `outreach.eligibility`; the spreadsheet is `outreach.exports`. The page (names and
ID numbers) is audited as a view and the download as an export, each with the ward, the number
of rows and the persons' ids, never a name.
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


def _audit(request, action, grant: Grant, rows: list[Row], today: datetime.date, **changes) -> None:
    """One event for the list: who saw or took whose names and ID numbers, by id only."""
    audit(
        actor=request.user,
        action=action,
        object_type="outreach.loan_eligibility",
        unit=grant.unit,
        changes={**changes, "count": len(rows), "on": today, "persons": [row.pk for row in rows]},
    )


@require_safe
@never_cache
def eligibility_list(request: HttpRequest) -> HttpResponse:
    grant = ward_grant(request, "person_edit")
    today = timezone.localdate()
    rows = _eligible(request, grant, today)
    _audit(request, AuditEvent.Action.VIEW, grant, rows, today)
    ctx = {
        **ward_ctx(request, grant),
        "rows": rows,
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
    _audit(request, AuditEvent.Action.EXPORT, grant, rows, today, format="xlsx")
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, exporter.filename())
    return response
