"""What is on an activity that a user may not see: kept, unnamed and untouchable.

A leader may add persons of the ward to a volunteer's club session who are not assigned to
her. She still corrects her entry, but those attendees are never offered, named or counted out
to her by name (the form says only how many others there are), her saves keep them, and she
cannot delete the session (that would erase their attendance). The same holds for members and
partners, through each model's `visible_to(user)`.
"""

from __future__ import annotations

from django.db.models import QuerySet

from outreach.models import Activity

RELATIONS = ("members", "persons", "partners")


def unseen(user, activity: Activity, relation: str) -> QuerySet:
    """The rows of `activity.<relation>` that `user` may not see."""
    rows = getattr(activity, relation).all()
    return rows.exclude(pk__in=rows.model.objects.visible_to(user).values("pk"))


def has_unseen(user, activity: Activity) -> bool:
    """Whether anything on `activity` is hidden from `user`."""
    return any(unseen(user, activity, relation).exists() for relation in RELATIONS)
