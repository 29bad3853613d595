"""Writing audit events. Every view of a person, every export and every change calls this.

An audit row can never be erased, so it holds no personal data: for a changed field it keeps
the field's name, and its old and new values only where the caller names the field as safe
(`diff(..., keep=...)`). As a second guard, `audit` replaces the value of any free-text field
of the object's model (a name, phone, address, ID number, note) with "changed", whoever built
the `changes`.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from functools import cache
from typing import Any

from django.apps import apps
from django.db import models

from wards.models import AdminUnit, AuditEvent

CHANGED = "changed"


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def audit(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    unit: AdminUnit | int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. `changes` holds field names and non-sensitive values only."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    unit_id = unit.pk if isinstance(unit, AdminUnit) else unit
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    free_text = _free_text_fields(object_type)
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        unit_id=unit_id,
        changes={k: CHANGED if k in free_text else _plain(v) for k, v in (changes or {}).items()},
    )


@cache
def _free_text_fields(object_type: str) -> frozenset[str]:
    """The text fields without choices of the model named `object_type` ("app.model"): what a
    person or a member may have written or be named in. Empty for other object types."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return frozenset()
    return frozenset(
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    )


def diff(
    instance: models.Model, fields: dict[str, Any], *, keep: Collection[str] = ()
) -> dict[str, Any]:
    """The fields whose value differs from the instance's: {field: [old, new]} for those named
    in `keep` (values that are not personal data: dates, kinds, counts), {field: "changed"} for
    every other one."""
    changed: dict[str, Any] = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_plain(old), _plain(new)] if name in keep else CHANGED
    return changed
