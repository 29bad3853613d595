"""Which ward a ward page works on, for a user who may hold a role in several.

A page names the capability it needs; the user's grants at a ward carrying it are the wards
they can pick from, with `?xa=<unit code>`, the first one by default. Used by the register
pages of cases, outreach and the ward audit trail.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from wards.access import CAPABILITIES, Grant, access_for, require


def ward_grants(user, capability: str = "person_edit") -> list[Grant]:
    """The user's grants at a ward that carry `capability`, one per ward, in grant order."""
    grants: dict[int, Grant] = {}
    for grant in access_for(user).grants:
        if grant.role in CAPABILITIES[capability] and grant.unit and grant.unit.is_commune:
            grants.setdefault(grant.unit.pk, grant)
    return list(grants.values())


def ward_grant(request: HttpRequest, capability: str = "person_edit") -> Grant:
    """The ward the page works on: `?xa=<code>` among the user's wards, else the first."""
    grants = ward_grants(request.user, capability)
    code = request.GET.get("xa")
    if code:
        grant = next((g for g in grants if g.unit.code == code), None)
    else:
        grant = next(iter(grants), None)
    if grant is None:
        raise Http404
    require(request.user, capability, grant.unit.pk)
    return grant


def ward_url(
    request: HttpRequest, name: str, grant: Grant, capability: str = "person_edit", **params
) -> str:
    """A ward page's URL with its filters, and `?xa=` when the user has several wards."""
    query = {k: v for k, v in params.items() if v}
    if len(ward_grants(request.user, capability)) > 1:
        query["xa"] = grant.unit.code
    return reverse(name) + (f"?{urlencode(query)}" if query else "")


def ward_ctx(request: HttpRequest, grant: Grant, capability: str = "person_edit") -> dict:
    """What every ward page shows: the ward and, for a user with several, the switcher."""
    grants = ward_grants(request.user, capability)
    return {
        "ward": grant.unit,
        "wards": [g.unit for g in grants] if len(grants) > 1 else [],
        "xa": urlencode({"xa": grant.unit.code}) if len(grants) > 1 else "",
    }
