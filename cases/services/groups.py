"""A person's group history (DESIGN.md, "People, accounts and moves"; INDICATORS.md, "A record
carries the facts of its own day"): the helpers `person_register` and `person_update` write it
with, inside their own transaction and under the person's row lock.

Each entry (`GroupChange`) says the person was in `group` from `since` until the day before
their next entry. The first entry starts on the day the person was registered, and
`Person.group` is always the group of the latest entry. A change is dated: the day the group
took effect, today unless the leader dates it back to correct a group that was wrong for a
while. It may not start before the current group's entry (the person form edits the current
group, not an older one), nor before registration, after the file was closed or in the
future. A second change on the same day replaces that day's entry: one entry per person and
day.

With the group unchanged, a date moves the current entry's first day (`_redate_group`): the
correction of a change saved with the wrong day.

Every contact whose day falls within the changed entry's span is stamped again with its group
(`Contact.person_group`), so that `contact.person_group == group_on(person, occurred_on)` holds
for every contact, whenever it was written down.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Contact, GroupChange, Person
from cases.rules import dmy, refuse_future, refuse_outside_file

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The form's names of a change's date and reason; the services' errors carry them.
SINCE, REASON = "group_since", "group_reason"


def _history(person: Person) -> list[GroupChange]:
    """The person's entries, oldest first, locked until the transaction ends."""
    return list(
        GroupChange.objects.select_for_update().filter(person=person).order_by("since", "pk")
    )


def _start_history(*, actor: User | None, person: Person, reason: str) -> GroupChange:
    """The first entry: the group the person is registered with, from the day of registration."""
    entry = GroupChange(
        person=person,
        group=person.group,
        since=person.registered_on,
        reason=reason,
        created_by=actor,
    )
    entry.save()
    return entry


def _follow_registration(person: Person, old_registered_on: datetime.date) -> None:
    """A corrected day of registration moves the first entry with it (the history starts on
    the day the person was registered), as long as it stays before the next change."""
    history = _history(person)
    if not history or history[0].since != old_registered_on:
        return
    first, later = history[0], history[1:]
    if later and person.registered_on >= later[0].since:
        raise ValidationError(
            {
                "registered_on": _(
                    "Nhóm của người này đã thay đổi từ ngày %(date)s: ngày đưa vào danh sách "
                    "phải trước ngày đó."
                )
                % {"date": dmy(later[0].since)}
            }
        )
    first.since = person.registered_on
    first.save(update_fields=["since", "updated_at"])


def _refuse_since(person: Person, since: datetime.date, current: GroupChange | None) -> None:
    refuse_future(since, SINCE)
    refuse_outside_file(person, since, SINCE)
    if current is not None and since < current.since:
        raise ValidationError(
            {
                SINCE: _(
                    "Nhóm hiện tại được ghi nhận từ ngày %(date)s: ngày đổi nhóm không được "
                    "trước ngày đó."
                )
                % {"date": dmy(current.since)}
            }
        )


def _change_group(
    *,
    actor: User,
    person: Person,
    old_group: str,
    since: datetime.date | None,
    reason: str,
) -> dict[str, Any]:
    """Date the person's new group (`person.group`, already set by the caller) from `since`
    (default today) for `reason` (required), and stamp the contacts of its span again.

    Returns what the caller's audit event adds: the day and how many contacts were stamped
    again; never the groups themselves, which are sensitive (cases.services)."""
    since = since or timezone.localdate()
    reason = " ".join((reason or "").split())
    history = _history(person)
    _refuse_since(person, since, history[-1] if history else None)
    if not reason:
        raise ValidationError(
            {REASON: _("Ghi lý do đổi nhóm, ví dụ: kết quả xét nghiệm, quyết định của cơ quan.")}
        )
    if not history and since > person.registered_on:
        # A file written before the history existed: its group until now is the old one.
        history = [
            GroupChange.objects.create(
                person=person, group=old_group, since=person.registered_on, created_by=None
            )
        ]
    entry = next((e for e in history if e.since == since), None)
    if entry is None:
        entry = GroupChange(person=person, since=since)
    entry.group, entry.reason, entry.created_by = person.group, reason, actor
    try:
        entry.full_clean(validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(
            {{"reason": REASON, "since": SINCE}.get(k, k): v for k, v in error.message_dict.items()}
        ) from error
    entry.save()
    return {SINCE: since, "contacts_restamped": _restamp(person, since, person.group)}


def _redate_group(
    *, actor: User, person: Person, since: datetime.date, reason: str
) -> dict[str, Any]:
    """Move the day the current group started (`person.group` unchanged) to `since`: a change
    saved with the wrong day (today, when it took effect days ago) is corrected this way. The
    day stays after the previous entry's; the contacts between the old and the new day are
    stamped again with the group of their day. Nothing to do for the first entry (it follows
    the day of registration) or when the day is the same. Returns what the audit adds."""
    history = _history(person)
    if len(history) < 2 or history[-1].since == since:
        return {}
    previous, current = history[-2], history[-1]
    refuse_future(since, SINCE)
    refuse_outside_file(person, since, SINCE)
    if since <= previous.since:
        raise ValidationError(
            {
                SINCE: _(
                    "Nhóm trước đó được ghi nhận từ ngày %(date)s: ngày bắt đầu nhóm hiện tại "
                    "phải sau ngày đó."
                )
                % {"date": dmy(previous.since)}
            }
        )
    current.since = since
    reason = " ".join((reason or "").split())
    if reason:
        current.reason = reason
    current.save(update_fields=["since", "reason", "updated_at"])
    restamped = _restamp(person, previous.since, previous.group)
    restamped += _restamp(person, since, current.group)
    return {SINCE: since, "contacts_restamped": restamped}


def _restamp(person: Person, since: datetime.date, group: str) -> int:
    """Stamp the person's contacts from `since` up to the day before their next entry, if any,
    with `group`; returns how many changed."""
    later = GroupChange.objects.filter(person=person, since__gt=since).order_by("since")
    until = later.values_list("since", flat=True).first()
    contacts = Contact.objects.filter(person=person, occurred_on__gte=since)
    if until is not None:
        contacts = contacts.filter(occurred_on__lt=until)
    return contacts.exclude(person_group=group).update(person_group=group)
