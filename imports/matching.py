"""Matching a file's header row to a kind's columns, with or without diacritics.

"Họ và tên*", "HO VA TEN" and "Ho va ten (bat buoc)" all fold to "ho va ten" and match for
sure; a header that is only close ("Ho ten") is matched as unsure, which the preview asks the
user to confirm; anything else is left out until the user maps it by hand.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from cases.text import fold

from .kinds.base import WARD, Column, Kind, spellings
from .reading import HEADER_SCAN, Sheet

CLOSE_ENOUGH = 0.8  # difflib ratio for an unsure match


def norm(header: str) -> str:
    """The comparable form of a header: folded, without notes in brackets, stars or punctuation."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", fold(header))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def columns_of(kind: Kind) -> tuple[Column, ...]:
    return (*kind.columns, WARD)


def _names(column: Column) -> set[str]:
    headers = {norm(s) for s in spellings(column.header)}
    return {*headers, *(norm(a) for a in column.aliases), norm(column.key)}


@dataclass
class Match:
    """Which column of the file feeds which field; `unsure` fields were matched by likeness."""

    header_index: int  # index into Sheet.rows
    fields: dict[int, str]  # file column index -> column key
    unsure: set[str]

    def as_json(self) -> dict:
        return {
            "header_index": self.header_index,
            "fields": {str(i): key for i, key in self.fields.items()},
            "unsure": sorted(self.unsure),
        }

    @classmethod
    def from_json(cls, data: dict) -> Match:
        return cls(
            header_index=data["header_index"],
            fields={int(i): key for i, key in data["fields"].items()},
            unsure=set(data["unsure"]),
        )


def likeness(header: str, name: str) -> float:
    """How close a folded header is to one of a column's names: difflib's ratio, or 0.9 when
    every word of the name is in the header ("ho ten day du" holds "ho ten")."""
    words, name_words = set(header.split()), set(name.split())
    if len(name) >= 4 and name_words and name_words <= words:
        return 0.9
    return difflib.SequenceMatcher(None, header, name).ratio()


def _sure(kind: Kind, headers: list[str]) -> dict[int, str]:
    names = {c.key: _names(c) for c in columns_of(kind)}
    found: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = norm(header)
        if not key:
            continue
        for column_key, options in names.items():
            if key in options and column_key not in found.values():
                found[index] = column_key
                break
    return found


def match(kind: Kind, sheet: Sheet) -> Match | None:
    """The header row (the one among the first rows with the most sure matches) and its
    mapping; None when no row has a single header the kind knows."""
    best: tuple[int, dict[int, str]] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN]):
        found = _sure(kind, row)
        if found and (best is None or len(found) > len(best[1])):
            best = (index, found)
    if best is None:
        return None
    index, fields = best
    unsure: set[str] = set()
    taken = set(fields.values())
    headers = sheet.rows[index]
    for position, header in enumerate(headers):
        key = norm(header)
        if position in fields or not key:
            continue
        scored = [
            (max(likeness(key, name) for name in _names(c)), c.key)
            for c in columns_of(kind)
            if c.key not in taken
        ]
        if not scored:
            continue
        ratio, column_key = max(scored)
        if ratio >= CLOSE_ENOUGH:
            fields[position] = column_key
            taken.add(column_key)
            unsure.add(column_key)
    return Match(header_index=index, fields=fields, unsure=unsure)


def missing_required(kind: Kind, fields: dict[int, str]) -> list[Column]:
    mapped = set(fields.values())
    return [c for c in kind.columns if c.required and c.key not in mapped]
