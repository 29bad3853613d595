"""Build the group history (cases.GroupChange) of the persons already on the registers, from
what the database knows:

- each person's current group and the day they were registered;
- from the audit trail, each time their group was changed through the app's services (an
  "update" event of the person whose changes name "group"), when and by whom;
- for each contact, the group it was stamped with when it was written down
  (`Contact.person_group`: the person's group at that moment) and when that was.

Each person gets an entry from `registered_on`, then one for each audited change of group,
dated the local day the change was saved. The latest entry has the person's current group. An
earlier span has the group an audit event names, where one names it ([old, new]), else the
group stamped on the last contact written during that span; a span with neither takes the
group of the span after it (the change at its start then leaves no entry). Several changes on
one day make one entry, with the day's last group, and an entry with the same group as the one
before it is left out.

What could not be recovered:
- the group before a change, where no contact was written while it held: the audit trail
  records that the group changed, never from what to what (the group is sensitive personal
  data and never enters the trail, cases.services);
- changes made outside the services (the admin, a shell, SQL, an import that wrote rows
  directly) or before the audit trail existed: for such a person (no audited change) the
  history is read from their contacts alone, in the order they happened: the group of the
  first contact from registration, a new entry on the day of each contact stamped with
  another group, and the current group from the day after the last contact of another group
  (the day it really changed is not known; no contact is thereby counted under another group
  than the one it was stamped with). Without contacts, the current group since registration;
- the day a change took effect: only the day it was saved is known, so a group corrected days
  after the fact is dated the day of the correction;
- why the group changed: the reason says only that the entry was rebuilt (empty for an
  anonymised file, whose reasons anonymisation clears), and who registered the person is
  `Person.created_by`, empty where it was never recorded.

The contacts already written are NOT stamped again: their `person_group` is what was known
when each was written down, the best evidence there is of the group on its day, and what the
reports already published counted. From now on every change and every new contact follows the
history (cases.services.groups).

Persons who already have an entry are left as they are, so the migration can run again.
"""

import bisect
import datetime
from collections import defaultdict

from django.db import migrations
from django.utils import timezone

BATCH = 2_000
REGISTERED = "Đưa vào danh sách (dựng lại khi thêm lịch sử nhóm)"
CHANGED = "Sửa nhóm trong hồ sơ (dựng lại từ nhật ký)"
SEEN = "Nhóm ghi trên lượt tiếp cận (dựng lại khi thêm lịch sử nhóm)"
CURRENT = "Nhóm hiện tại, ngày đổi không rõ (dựng lại khi thêm lịch sử nhóm)"
ONE_DAY = datetime.timedelta(days=1)


def _audited_changes(AuditEvent) -> dict[int, list[tuple]]:
    """Person id → [(when, actor id, the audited value)] of each change of group, in order."""
    events = defaultdict(list)
    rows = (
        AuditEvent.objects.filter(
            object_type="cases.person", action="update", changes__has_key="group"
        )
        .order_by("created_at", "pk")
        .values_list("object_id", "created_at", "actor_id", "changes")
    )
    for object_id, at, actor_id, changes in rows.iterator(chunk_size=BATCH):
        if object_id.isdigit() and isinstance(changes, dict):
            events[int(object_id)].append((at, actor_id, changes.get("group")))
    return events


def rebuild(person, events, contacts, groups) -> list[dict]:
    """The entries of one person (a row of pk, group, registered_on, created_by_id,
    anonymised_on): `events` as _audited_changes gives them, `contacts` the person's
    (created_at, person_group) in the order written, `groups` the valid group codes."""
    pk, current, registered_on, created_by_id, anonymised_on = person
    spans = [{"since": registered_on, "group": None, "by": created_by_id, "reason": REGISTERED}]
    for at, actor_id, value in events:
        old, new = value if isinstance(value, list) and len(value) == 2 else (None, None)
        if old in groups and spans[-1]["group"] is None:
            spans[-1]["group"] = old
        day = max(timezone.localtime(at).date(), registered_on)
        spans.append({"since": day, "group": new if new in groups else None, "by": actor_id})
        spans[-1]["reason"] = CHANGED
    spans[-1]["group"] = current
    # A contact tells the group of the span it was written in (the last one written wins).
    starts = [at for at, _actor, _value in events]
    witnessed = {}
    for written, group in contacts:
        index = bisect.bisect_right(starts, written)
        if spans[index]["group"] is None and group in groups:
            witnessed[index] = group
    for index, group in witnessed.items():
        spans[index]["group"] = group
    for span, after in zip(reversed(spans[:-1]), reversed(spans[1:]), strict=True):
        span["group"] = span["group"] or after["group"]
    by_day = {}
    for span in spans:
        if span["since"] in by_day:
            by_day[span["since"]]["group"] = span["group"]
        else:
            by_day[span["since"]] = span
    entries, last = [], None
    for day in sorted(by_day):
        span = by_day[day]
        if span["group"] != last:
            entries.append(
                {
                    "person_id": pk,
                    "group": span["group"],
                    "since": day,
                    "reason": "" if anonymised_on else span["reason"],
                    "created_by_id": span["by"],
                }
            )
            last = span["group"]
    return entries


def from_contacts(person, contacts, groups) -> list[dict]:
    """The entries of a person without any audited change (a row as `rebuild` takes it), from
    `contacts`, (occurred_on, person_group) in the order they happened."""
    pk, current, registered_on, created_by_id, anonymised_on = person
    seen = [(max(day, registered_on), group) for day, group in contacts if group in groups]
    spans = [[registered_on, seen[0][1] if seen else current, created_by_id, REGISTERED]]
    for day, group in seen:
        if group == spans[-1][1]:
            continue
        if day == spans[-1][0]:
            spans[-1][1] = group
        else:
            spans.append([day, group, None, SEEN])
    if spans[-1][1] != current:
        day = max(seen[-1][0] + ONE_DAY, spans[-1][0] + ONE_DAY)
        spans.append([day, current, None, CURRENT])
    entries, last = [], None
    for since, group, by, reason in spans:
        if group != last:
            entries.append(
                {
                    "person_id": pk,
                    "group": group,
                    "since": since,
                    "reason": "" if anonymised_on else reason,
                    "created_by_id": by,
                }
            )
            last = group
    return entries


def build_group_history(apps, schema_editor):
    Person = apps.get_model("cases", "Person")
    GroupChange = apps.get_model("cases", "GroupChange")
    Contact = apps.get_model("cases", "Contact")
    AuditEvent = apps.get_model("wards", "AuditEvent")
    groups = {code for code, _label in Person._meta.get_field("group").choices}
    events = _audited_changes(AuditEvent)
    started = GroupChange.objects.values("person_id")
    persons = (
        Person.objects.exclude(pk__in=started)
        .order_by("pk")
        .values_list("pk", "group", "registered_on", "created_by_id", "anonymised_on")
    )
    batch = []
    for person in persons.iterator(chunk_size=BATCH):
        batch.append(person)
        if len(batch) >= BATCH:
            _write(GroupChange, Contact, batch, events, groups)
            batch = []
    _write(GroupChange, Contact, batch, events, groups)


def _write(GroupChange, Contact, batch, events, groups) -> None:
    # Persons with audited changes: their contacts in the order written; the others: in the
    # order they happened.
    written, happened = defaultdict(list), defaultdict(list)
    rows = (
        Contact.objects.filter(person_id__in=[person[0] for person in batch])
        .order_by("occurred_on", "created_at", "pk")
        .values_list("pk", "person_id", "occurred_on", "created_at", "person_group")
    )
    for pk, person_id, day, at, group in rows.iterator(chunk_size=BATCH):
        if person_id in events:
            written[person_id].append((at, pk, group))
        else:
            happened[person_id].append((day, group))
    for contacts in written.values():
        contacts.sort()
    entries = [
        GroupChange(**entry)
        for person in batch
        for entry in (
            rebuild(
                person, events[person[0]], [(at, g) for at, _pk, g in written[person[0]]], groups
            )
            if person[0] in events
            else from_contacts(person, happened[person[0]], groups)
        )
    ]
    GroupChange.objects.bulk_create(entries, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0011_groups_topics_clubs"),
        ("wards", "0007_end_memberships_of_dissolved_teams"),
    ]

    operations = [
        migrations.RunPython(build_group_history, migrations.RunPython.noop, elidable=True)
    ]
