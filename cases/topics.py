"""A contact's counselling topics (ContactTopic) read alongside the contact, in the same query.

The timeline and the contact log read contacts row by row; a prefetch would be one more query,
run only when there are contacts, and the log's rows are read with `iterator()` as plain values.
So the topics come as one more column of the contact's own query: `topic_codes()` annotates
each contact with its codes joined by commas (a correlated subquery over the unique index of
ContactTopic), and `topic_labels` turns them into labels in the order of Contact.Topic.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Aggregate, CharField, OuterRef, Subquery

from cases.models import Contact, ContactTopic

SEPARATOR = ","


class _Joined(Aggregate):
    """The group's values joined by SEPARATOR, in no particular order (STRING_AGG on
    PostgreSQL, GROUP_CONCAT on SQLite)."""

    function = "STRING_AGG"
    template = f"%(function)s(%(expressions)s, '{SEPARATOR}')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def topic_codes(contact: str = "pk") -> Subquery:
    """The topic codes of the contact at `contact` (a field of the outer query), joined by
    commas; None for a contact without topics."""
    rows = ContactTopic.objects.filter(contact=OuterRef(contact)).order_by().values("contact")
    return Subquery(rows.annotate(codes=_Joined("topic")).values("codes")[:1])


def labeller() -> Callable[[str | None], list[str]]:
    """A function from `codes` (as `topic_codes` gives them) to their labels, in the order of
    Contact.Topic, in the language active now (a download's rows are written later, while the
    response streams)."""
    labels = [(code, str(label)) for code, label in Contact.Topic.choices]

    def label(codes: str | None) -> list[str]:
        if not codes:
            return []
        given = set(codes.split(SEPARATOR))
        return [text for code, text in labels if code in given]

    return label


def topic_labels(codes: str | None) -> list[str]:
    """The labels of the topics in `codes`, in the active language."""
    return labeller()(codes)
