"""A copy of everything the system holds about one person, for a leader to hand over.

The person has the right to see their data (Law 91/2025, DOMAIN.md). A leader or commune
officer of the person's ward (`person_edit`, the same helper as the person's edit page:
volunteers 403, everyone else 404) opens the page from the person's file and downloads the copy
as PDF or JSON with a POST. Each download is built in memory, never cached, named without
personal data (ho-so-<pk>-<date>.pdf) and audited as an export naming only the format.

What the copy holds: the person's own fields, in the words of the model's labels, and every
record that belongs to them, reached through their relation names (so the outreach app's
referrals and activities come in without this module importing it). Activities are shared with
other attendees: only their date, kind and unit are copied, never their text or the other
persons. Audit events are the system's, not the person's data, and are left out.

Bounded: every text field has a maximum length (wards.models.Timestamped), so the person's own
fields are at most a few pages; the records are not (a weekly contact for ten years is 520).
WeasyPrint lays out some tens of thousands of characters a second, so the PDF prints at most
`PDF_TEXT_BUDGET` characters of records: each kind of record gets a fair share (the smaller
ones whole), keeping its latest records, and says how many older ones it leaves out. The JSON
copy always holds everything. With every field at its maximum and 520 contacts, 120
assessments, 120 milestones and 30 referrals of three steps, all notes at their maximum, the
PDF has 32 pages and takes 2.5 s of CPU (6 s on a loaded two-core machine); unfitted, 100 such
contacts alone took close to a minute.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.http import content_disposition_header
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from cases.models import Person
from cases.views.register import _get_person
from wards.audit import audit
from wards.models import AuditEvent

CONTENT_TYPES = {"pdf": "application/pdf", "json": "application/json"}
# Characters of records the PDF prints (see the module's docstring).
PDF_TEXT_BUDGET = 60_000

# The person's own fields, grouped as the copy shows them.
PERSON_PARTS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (
        gettext_lazy("Thông tin cá nhân"),
        (
            "full_name",
            "alias",
            "sex",
            "birth_date",
            "birth_year",
            "id_number",
            "phone",
            "address",
            "area",
            "ward",
            "group",
            "substances",
            "history_notes",
        ),
    ),
    (gettext_lazy("Gia đình, người thân"), ("family_contact",)),
    (gettext_lazy("Sự đồng ý cung cấp thông tin"), ("consent_on", "consent_by")),
    (
        gettext_lazy("Hồ sơ quản lý"),
        ("registered_on", "status", "closed_on", "closed_reason", "anonymised_on"),
    ),
)


@dataclass(frozen=True)
class Spec:
    """The records at the end of a relation of Person (or of a record): their fields, their
    order and the records below them. A field may be a relation to several small records
    (a contact's topics): they are shown as one value, their names joined by commas."""

    relation: str
    title: Any
    fields: tuple[str, ...]
    order_by: tuple[str, ...]
    children: tuple[Spec, ...] = ()


RECORD_SPECS: tuple[Spec, ...] = (
    Spec(
        "enrollments",
        gettext_lazy("Chương trình, biện pháp quản lý"),
        ("programme", "started_on", "due_on", "ended_on", "end_reason", "decision_no")
        + ("decision_on", "ward", "club"),
        ("started_on", "pk"),
    ),
    Spec(
        "group_changes",
        gettext_lazy("Quá trình thay đổi nhóm"),
        ("since", "group", "reason"),
        ("since", "pk"),
    ),
    Spec(
        "assignments",
        gettext_lazy("Phân công giúp đỡ"),
        ("member", "started_on", "ended_on", "assigned_by"),
        ("started_on", "pk"),
    ),
    Spec(
        "contacts",
        gettext_lazy("Tiếp cận, giúp đỡ"),
        ("occurred_on", "kind", "member", "ward", "person_group", "summary", "topics")
        + ("drug_test_result", "next_due_on"),
        ("occurred_on", "pk"),
    ),
    Spec(
        "assessments",
        gettext_lazy("Đánh giá tiến bộ"),
        ("assessed_on", "result", "member", "ward", "note"),
        ("assessed_on", "pk"),
    ),
    Spec(
        "milestones",
        gettext_lazy("Chuyển biến"),
        ("occurred_on", "kind", "ward", "note"),
        ("occurred_on", "pk"),
    ),
    Spec(
        "referrals",
        gettext_lazy("Giới thiệu hỗ trợ"),
        ("referred_on", "kind", "for_household", "partner", "member", "ward", "amount")
        + ("status", "status_on", "note"),
        ("referred_on", "pk"),
        children=(
            Spec(
                "changes",
                gettext_lazy("Các bước trạng thái"),
                ("changed_on", "status", "note", "changed_by"),
                ("changed_on", "pk"),
            ),
        ),
    ),
    # Shared with the other attendees: the person was there, nothing more of the activity.
    Spec(
        "activities",
        gettext_lazy("Sinh hoạt câu lạc bộ, hoạt động đã tham dự"),
        ("occurred_on", "kind", "unit"),
        ("occurred_on", "pk"),
    ),
)


@dataclass(frozen=True)
class Entry:
    label: str
    value: Any  # None, str, int, bool or date
    grouped: bool = False  # an amount: 1.500.000 when printed


@dataclass(frozen=True)
class Record:
    entries: tuple[Entry, ...]
    children: tuple[Part, ...] = ()


@dataclass(frozen=True)
class Part:
    title: str
    records: tuple[Record, ...]
    omitted: int = 0  # older records the PDF leaves out (fit)


@dataclass(frozen=True)
class Copy:
    person: Person
    made_on: datetime.date
    parts: tuple[Part, ...]


# Building ----------------------------------------------------------------------------------


def _name(obj: models.Model) -> str:
    if isinstance(obj, get_user_model()):
        return obj.get_full_name() or obj.get_username()
    return str(obj)


def _entry(obj: models.Model, name: str) -> Entry:
    field = obj._meta.get_field(name)
    if field.one_to_many:  # a reverse foreign key, prefetched (_prepared)
        label = capfirst(str(field.related_model._meta.verbose_name))
        names = [_name(related) for related in getattr(obj, name).all()]
        return Entry(label, ", ".join(names) or None)
    label = capfirst(str(field.verbose_name))
    if field.is_relation:
        related = getattr(obj, name)
        return Entry(label, None if related is None else _name(related))
    value = getattr(obj, field.attname)
    if value in (None, ""):
        return Entry(label, None)
    if field.choices:
        return Entry(label, str(getattr(obj, f"get_{name}_display")()))
    return Entry(label, value, grouped=isinstance(field, models.BigIntegerField))


def _prepared(queryset: models.QuerySet, spec: Spec) -> models.QuerySet:
    """`queryset` ordered, with its foreign keys joined and its children prefetched."""
    model = queryset.model
    related = [n for n in spec.fields if model._meta.get_field(n).many_to_one]
    several = [n for n in spec.fields if model._meta.get_field(n).one_to_many]
    queryset = queryset.select_related(*related).prefetch_related(*several)
    queryset = queryset.order_by(*spec.order_by)
    for child in spec.children:
        child_model = model._meta.get_field(child.relation).related_model
        prepared = _prepared(child_model.objects.all(), child)
        queryset = queryset.prefetch_related(Prefetch(child.relation, queryset=prepared))
    return queryset


def _records(objects: Iterable[models.Model], spec: Spec) -> tuple[Record, ...]:
    return tuple(
        Record(
            tuple(_entry(obj, n) for n in spec.fields),
            tuple(
                Part(str(c.title), _records(getattr(obj, c.relation).all(), c))
                for c in spec.children
            ),
        )
        for obj in objects
    )


def _specs_present() -> Iterable[Spec]:
    """The specs whose relation exists: an app that is not installed adds no part."""
    names = {r.get_accessor_name() for r in Person._meta.related_objects}
    return (spec for spec in RECORD_SPECS if spec.relation in names)


def build_copy(person: Person, today: datetime.date | None = None) -> Copy:
    """Everything held about `person`, one part per kind of data, in Vietnamese."""
    with translation.override("vi"):
        person = Person.objects.select_related("ward", "area", "consent_by").get(pk=person.pk)
        parts = [
            Part(str(title), (Record(tuple(_entry(person, n) for n in names)),))
            for title, names in PERSON_PARTS
        ]
        for spec in _specs_present():
            objects = _prepared(getattr(person, spec.relation).all(), spec)
            parts.append(Part(str(spec.title), _records(objects, spec)))
    return Copy(person=person, made_on=today or timezone.localdate(), parts=tuple(parts))


# Writing -----------------------------------------------------------------------------------


def _plain_record(record: Record) -> dict[str, Any]:
    data: dict[str, Any] = {e.label: e.value for e in record.entries}
    for child in record.children:
        data[child.title] = [_plain_record(r) for r in child.records]
    return data


def write_json(copy: Copy) -> bytes:
    data = {
        "title": "Bản sao hồ sơ người được hỗ trợ",
        "made_on": copy.made_on,
        "parts": [
            {"title": part.title, "records": [_plain_record(r) for r in part.records]}
            for part in copy.parts
        ],
    }
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _shown(entry: Entry) -> str:
    value = entry.value
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime.date):
        return date_format(value, "d/m/Y")
    if entry.grouped:
        return number_format(value, force_grouping=True)
    return str(value)


def _size(record: Record) -> int:
    """The characters the PDF prints for `record` and the records below it."""
    own = sum(len(e.label) + len(_shown(e)) for e in record.entries)
    return own + sum(_size(r) for child in record.children for r in child.records)


def fit(parts: tuple[Part, ...], budget: int = PDF_TEXT_BUDGET) -> tuple[Part, ...]:
    """`parts` within `budget` characters: each part gets a fair share, the smaller parts
    whole and the larger ones what the smaller leave, and keeps its latest records (the
    parts are ordered oldest first); the records left out are counted in `omitted`."""
    sizes = [[_size(r) for r in part.records] for part in parts]
    shares, left = [0] * len(parts), budget
    by_total = sorted(range(len(parts)), key=lambda k: sum(sizes[k]))
    for done, k in enumerate(by_total):
        shares[k] = min(sum(sizes[k]), left // (len(parts) - done))
        left -= shares[k]
    fitted = []
    for part, part_sizes, share in zip(parts, sizes, shares, strict=True):
        kept = used = 0
        for size in reversed(part_sizes):
            if used + size > share:
                break
            kept, used = kept + 1, used + size
        records = part.records[len(part.records) - kept :]
        fitted.append(Part(part.title, records, omitted=len(part.records) - kept))
    return tuple(fitted)


def _shown_record(record: Record) -> dict:
    return {
        "rows": [(e.label, _shown(e)) for e in record.entries],
        "children": [
            {"title": c.title, "records": [_shown_record(r) for r in c.records]}
            for c in record.children
        ],
    }


def write_pdf(copy: Copy) -> bytes:
    """The copy as a document (templates/cases/subject_copy_pdf.html), by WeasyPrint, in
    memory; nothing is fetched, the fonts are the system's (DejaVu covers Vietnamese). The
    records are fitted to PDF_TEXT_BUDGET."""
    import weasyprint  # slow to import; only the PDF needs it

    own = len(PERSON_PARTS)
    parts = copy.parts[:own] + fit(copy.parts[own:])
    with translation.override("vi"):
        ctx = {
            "copy": copy,
            "made_on": date_format(copy.made_on, "d/m/Y"),
            "parts": [
                {
                    "title": p.title,
                    "records": [_shown_record(r) for r in p.records],
                    "omitted": p.omitted,
                }
                for p in parts
            ],
        }
        html = render_to_string("cases/subject_copy_pdf.html", ctx)
    return weasyprint.HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"the copy's PDF fetches nothing ({url})")


WRITERS = {"pdf": write_pdf, "json": write_json}


def filename(copy: Copy, fmt: str) -> str:
    """ho-so-<pk>-<yyyymmdd>.<fmt>: no name, no ID number."""
    return f"ho-so-{copy.person.pk}-{copy.made_on:%Y%m%d}.{fmt}"


# The page -----------------------------------------------------------------------------------


class CopyForm(forms.Form):
    format = forms.ChoiceField(
        choices=[("pdf", "PDF"), ("json", "JSON")],
        error_messages={
            "required": gettext_lazy("Hãy chọn định dạng của bản sao: PDF hoặc JSON."),
            "invalid_choice": gettext_lazy("Hãy chọn định dạng của bản sao: PDF hoặc JSON."),
        },
    )


def _download(request: HttpRequest, person: Person, fmt: str) -> HttpResponse:
    copy = build_copy(person)
    content = WRITERS[fmt](copy)
    audit(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        obj=person,
        unit=person.ward_id,
        changes={"format": fmt},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename(copy, fmt))
    return response


@never_cache
def subject_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what the copy holds and the two downloads; POST format=pdf|json: the file."""
    person = _get_person(request, pk, write=True)
    form = CopyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return _download(request, person, form.cleaned_data["format"])
    copy = build_copy(person)
    ctx = {
        "person": person,
        "parts": [(part.title, len(part.records)) for part in copy.parts[len(PERSON_PARTS) :]],
        "errors": form.errors.get("format", []) if request.method == "POST" else [],
    }
    audit(actor=request.user, action=AuditEvent.Action.VIEW, obj=person, unit=person.ward_id)
    return render(request, "cases/subject_copy.html", ctx)
