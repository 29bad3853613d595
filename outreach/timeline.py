"""What outreach adds to a person's timeline (cases.views.work.person_timeline): the club
sessions the person attended."""

from __future__ import annotations

from collections.abc import Iterable

from cases.models import Person
from cases.views.work import TimelineItem
from outreach.models import Activity


def activity_items(user, person: Person) -> Iterable[TimelineItem]:
    activities = Activity.objects.visible_to(user).filter(persons=person)
    for a in activities:
        details = (a.title,) if a.title else ()
        yield TimelineItem(a.occurred_on, "activity", a.get_kind_display(), details, a.created_at)
