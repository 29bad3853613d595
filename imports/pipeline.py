"""Checking and committing an import: every row through the app's own services, in one
transaction.

`run(commit=False)` is the preview: each row is saved inside the transaction exactly as the
commit would save it (so a duplicate of a row higher up in the same file is caught, and every
rule of the services applies), then everything is rolled back. `run(commit=True)` does the same
and keeps the result only when no row has a problem: all or nothing. Rows that are already on
the register are skipped, not doubled, so importing the same file again adds nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cases.text import fold
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent

from .kinds.base import WARD, Bad, Kind
from .matching import Match, columns_of
from .reading import MAX_ROWS, too_many_rows

NEW, SKIP, ERROR = "new", "skip", "error"


@dataclass
class RowResult:
    number: int  # the row's number in the file
    status: str  # NEW, SKIP or ERROR
    problems: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Outcome:
    results: list[RowResult]
    committed: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    def as_json(self) -> list[dict]:
        return [asdict(r) for r in self.results]


class _Rollback(Exception):
    pass


def data_rows(rows: list[list[str]], numbers: list[int], match: Match, kind: Kind):
    """The rows under the header, with their numbers in the file; at most MAX_ROWS of them,
    not counting the template's example row (a full template holds MAX_ROWS + 1)."""
    start = match.header_index + 1
    body = list(zip(rows[start:], numbers[start:], strict=True))
    if len(body) > MAX_ROWS:
        real = sum(not is_example(kind, cells, match) for cells, _number in body)
        if real > MAX_ROWS:
            raise too_many_rows(real)
    return body


def ward_names(ward: AdminUnit) -> set[str]:
    """What a row may write for the ward: its name (with or without «Phường»/«Xã»), its code,
    or the name of a ward merged into it."""
    names = {ward.code.lower()}
    for unit in [ward, *AdminUnit.objects.filter(successor=ward)]:
        name = fold(unit.name)
        names.add(name)
        for prefix in ("phuong ", "xa ", "thi tran ", "dac khu "):
            if name.startswith(prefix):
                names.add(name[len(prefix) :])
    return names


def is_example(kind: Kind, cells: list[str], match: Match) -> bool:
    """The template's example row, left in place: every mapped column that has an example
    holds exactly it."""
    examples = {c.key: c.example for c in kind.columns if c.example}
    shown = [(i, examples[key]) for i, key in match.fields.items() if key in examples]
    return len(shown) >= 2 and all(i < len(cells) and cells[i] == ex for i, ex in shown)


def parse_row(kind: Kind, cells: list[str], match: Match, ward_ok: set[str]):
    """The row's values by column key, and its problems, one sentence each."""
    values: dict = {}
    problems: list[str] = []
    failed: set[str] = set()
    by_key = {c.key: c for c in columns_of(kind)}
    for index, key in match.fields.items():
        raw = cells[index] if index < len(cells) else ""
        if not raw:
            continue
        column = by_key[key]
        if raw.startswith("="):
            failed.add(key)
            problems.append(
                _("«%(column)s» là công thức (%(formula)s): hãy thay bằng giá trị.")
                % {"column": column.header, "formula": raw[:40]}
            )
            continue
        try:
            values[key] = column.parse(raw)
        except Bad as error:
            failed.add(key)
            problems.append(f"«{column.header}»: {error}")
    for column in kind.columns:
        if column.required and column.key not in values and column.key not in failed:
            problems.append(_("Thiếu «%(column)s».") % {"column": column.header})
    named = values.pop(WARD.key, "")
    if named and fold(named) not in ward_ok and named.lower() not in ward_ok:
        problems.append(
            _(
                "Dòng này ghi xã, phường «%(named)s»: chỉ nhập được vào danh sách của nơi bạn "
                "đang nhập."
            )
            % {"named": named}
        )
    return values, problems


def describe(kind: Kind, error: ValidationError) -> list[str]:
    """A service's refusal as sentences, each naming the column when it is one of the file's."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    headers = {c.key: str(c.header) for c in kind.columns}
    out = []
    for key, errors in error.message_dict.items():
        for message in errors:
            out.append(f"«{headers[key]}»: {message}" if key in headers else message)
    return out


def run(
    *,
    kind: Kind,
    ward: AdminUnit,
    actor,
    rows: list[list[str]],
    numbers: list[int],
    match: Match,
    commit: bool,
    file_name: str = "",
    source: str = "web",
) -> Outcome:
    body = data_rows(rows, numbers, match, kind)
    ward_ok = ward_names(ward)
    results: list[RowResult] = []
    outcome = Outcome(results)
    try:
        with transaction.atomic():
            context = kind.prepare(ward=ward, actor=actor)
            for cells, number in body:
                if is_example(kind, cells, match):
                    note = _("Dòng ví dụ của tệp mẫu, không nhập.")
                    results.append(RowResult(number, SKIP, [], note))
                    continue
                values, problems = parse_row(kind, cells, match, ward_ok)
                if problems:
                    results.append(RowResult(number, ERROR, problems))
                    continue
                try:
                    with transaction.atomic():
                        saved = kind.save(
                            actor=actor, ward=ward, values=values, context=context, number=number
                        )
                except ValidationError as error:
                    results.append(RowResult(number, ERROR, describe(kind, error)))
                else:
                    status = NEW if saved.created else SKIP
                    results.append(RowResult(number, status, [], saved.note))
            if not commit or outcome.errors:
                raise _Rollback
            audit(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                object_type=f"imports.{kind.code}",
                unit=ward,
                changes={
                    # the file's type only: a file may be named after a person
                    "format": file_name.rpartition(".")[2].lower()[:10] if "." in file_name else "",
                    "rows": len(results),
                    "created": outcome.count(NEW),
                    "skipped": outcome.count(SKIP),
                    "source": source,
                },
            )
            outcome.committed = True
    except _Rollback:
        pass
    return outcome
