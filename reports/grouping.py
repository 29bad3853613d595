"""Ordering and grouping the child units of a report.

`vi_key(name)` sorts names as a Vietnamese dictionary does: syllable by syllable, each by its
letters in the Vietnamese alphabet (a ă â b c d đ e ê … o ô ơ … u ư …), then by its tone
(none, huyền, hỏi, ngã, sắc, nặng, the dictionaries' and CLDR's order); numbers compare as
numbers, so «Phường 10» comes after «Phường 9».

`former_districts(children, period)` names, for each commune formed by the July 2025 merger,
the pre-2025 district most of its predecessor wards belonged to, so that a province's hundred
communes can be read grouped the way officers still think of them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from reports.periods import Period
from wards.models import AdminUnit

ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: n for n, letter in enumerate(ALPHABET)}
# Combining marks that make a letter of its own (ă â ê ô ơ ư) and the tone marks, in order.
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_TOKEN = re.compile(r"\d+|[^\W\d_]+")


def _syllable(word: str) -> tuple:
    """(letters, tone, spelling): a syllable's letters ranked in the alphabet, then its tone."""
    letters: list[int] = []
    tone = 0
    for ch in unicodedata.normalize("NFD", word.casefold()):
        if ch in _TONES:
            tone = _TONES[ch]
        elif ch in _LETTER_MARKS and letters:
            # ă, â, ê, ô, ơ, ư: the letter after its base letter in the alphabet.
            base = ALPHABET[letters[-1]] if letters[-1] < len(ALPHABET) else ""
            marked = unicodedata.normalize("NFC", base + ch)
            if marked in _RANK:
                letters[-1] = _RANK[marked]
        elif unicodedata.combining(ch):
            continue
        else:
            letters.append(_RANK.get(ch, len(ALPHABET) + ord(ch)))
    return (1, tuple(letters), tone)


def vi_key(name: str) -> tuple:
    """A sort key giving Vietnamese dictionary order (see the module's docstring). Words are
    compared one after the other, a shorter name first when it is the start of a longer one
    («Ba» before «Ba Đình»); punctuation is ignored; a number sorts before a word and by its
    value. Names equal by these rules fall back to their spelling, so the order is total."""
    tokens = tuple(
        (0, int(t), ()) if t.isdigit() else _syllable(t) for t in _TOKEN.findall(name or "")
    )
    return (tokens, name or "")


def former_districts(children: list[AdminUnit], period: Period) -> dict[int, AdminUnit | None]:
    """For each child (by pk): the pre-2025 district most of its predecessor wards belonged
    to, for a commune formed by merger; None for a child that is not a commune, or that no
    ward of a former district was merged into. Predecessors are the units whose `successor` is
    the child and that ended before the period does; a district that is the child's own parent
    (a district's wards merged among themselves) is no former district. Ties go to the district
    first in Vietnamese order. One query, whatever the number of children."""
    out: dict[int, AdminUnit | None] = {c.pk: None for c in children}
    communes = {c.pk: c.parent_id for c in children if c.level == AdminUnit.Level.COMMUNE}
    if not communes:
        return out
    predecessors = (
        AdminUnit.objects.filter(
            successor_id__in=list(communes),
            level=AdminUnit.Level.COMMUNE,
            parent__level=AdminUnit.Level.DISTRICT,
            valid_until__lt=period.end,
        )
        .select_related("parent")
        .only(
            "pk",
            "successor_id",
            "parent__id",
            "parent__code",
            "parent__name",
            "parent__level",
            "parent__path",
            "parent__valid_from",
            "parent__valid_until",
        )
    )
    votes: dict[int, Counter] = {}
    districts: dict[int, AdminUnit] = {}
    for ward in predecessors:
        if ward.parent.pk == communes[ward.successor_id]:
            continue
        districts[ward.parent.pk] = ward.parent
        votes.setdefault(ward.successor_id, Counter())[ward.parent.pk] += 1
    for child, counter in votes.items():
        best = max(counter.values())
        out[child] = min(
            (districts[pk] for pk, n in counter.items() if n == best),
            key=lambda d: vi_key(d.name),
        )
    return out


@dataclass(frozen=True)
class ChildGroup:
    """Child units under the pre-2025 district most of their wards came from (None: no such
    district, or no grouping)."""

    district: AdminUnit | None
    children: list[AdminUnit]


def group_children(children: list[AdminUnit], period: Period) -> list[ChildGroup]:
    """`children` grouped by former district (`former_districts`), the groups in Vietnamese
    order of the district's name, the children without one last, each group's children in
    Vietnamese order; a single group with district None when no child has a former district.
    A unit without an id (a snapshot's unit that no longer exists) has none."""
    if not children:
        return []
    former = former_districts([c for c in children if c.pk], period)
    groups: dict[int | None, ChildGroup] = {}
    for child in sorted(children, key=lambda c: (vi_key(c.name), c.code)):
        district = former.get(child.pk)
        key = district.pk if district is not None else None
        groups.setdefault(key, ChildGroup(district, [])).children.append(child)
    named = sorted(
        (g for k, g in groups.items() if k is not None),
        key=lambda g: (vi_key(g.district.name), g.district.code),
    )
    return named + ([groups[None]] if None in groups else [])
