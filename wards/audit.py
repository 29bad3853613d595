"""Writing audit events. Every view of a person, every export and every change calls this."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models

from wards.models import AdminUnit, AuditEvent


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
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=str(object_id or ""),
        unit_id=unit_id,
        changes={k: _plain(v) for k, v in (changes or {}).items()},
    )


def diff(instance: models.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs from the instance's."""
    changed = {}
    for name, new in fields.items():
        old = getattr(instance, name)
        if old != new:
            changed[name] = [_plain(old), _plain(new)]
    return changed
