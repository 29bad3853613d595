"""Cleaning the text people type or import, before it is saved and before it is matched.

Pure functions, no Django. `clean_text` is applied to every text field of every model
(`wards.models.Timestamped`), to every text field of every form (`wards.forms.TextField`) and,
through `cases.text.fold`, to every name a search or a duplicate check compares:

- NFC: "Nguyễn" typed with combining marks (NFD, some Mac and phone keyboards) and precomposed
  are one spelling;
- format characters (Unicode category Cf) are removed: bidi controls (U+202A–U+202E,
  U+2066–U+2069, U+200E, U+200F, U+061C), which reorder what the next reader sees, zero-width
  characters (U+200B–U+200D, U+2060, U+FEFF), which make two equal names differ, soft hyphens;
  so are the other invisible (default-ignorable) characters: the grapheme joiner U+034F,
  variation selectors, Hangul fillers;
- other control characters are removed; a multi-line field keeps its newlines (any line break,
  "\\r\\n" included, becomes "\\n") and tabs, without spaces at the ends of lines; a single-line
  field turns them into spaces and collapses every run of spaces into one;
- stray combining marks are removed: one with no letter before it, and any beyond two on one
  letter, counting the marks NFC composed into it (a Vietnamese letter carries at most two:
  a vowel mark and a tone, "ệ");
- lone surrogates and noncharacters are removed (no database stores them);
- leading and trailing whitespace is stripped.
"""

from __future__ import annotations

import re
import unicodedata

# At most this many combining marks on one letter (Vietnamese: "ệ" = e + circumflex + dot).
MAX_MARKS = 2
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_NONCHARACTER = re.compile(r"[\ufdd0-\ufdef\ufffe\uffff]")
# Unicode's other default-ignorable code points: invisible, yet not format characters nor marks
# with a combining class (the grapheme joiner, Hangul fillers, variation selectors).
_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2065\u3164\ufe00-\ufe0f\uffa0"
    "\ufff0-\ufff8\U000e0000-\U000e0fff]"
)


def _marks(char: str) -> int:
    """How many combining marks `char` carries (its canonical decomposition's)."""
    return sum(1 for c in unicodedata.normalize("NFD", char) if unicodedata.combining(c))


def _kept(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cc":
        return char in "\n\t"  # a single-line field turns them into spaces below
    # Cf: format characters (bidi controls, zero-width); Cs: lone surrogates.
    return category not in ("Cf", "Cs") and not (
        _NONCHARACTER.match(char) or _IGNORABLE.match(char)
    )


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` as it should be stored and compared (see the module's docstring)."""
    if not value:
        return value
    text = _LINE_BREAKS.sub("\n", value)
    text = "".join(c for c in text if _kept(c))
    text = unicodedata.normalize("NFC", text)
    out: list[str] = []
    marks = MAX_MARKS  # no letter yet: a mark here has no base
    for char in text:
        if unicodedata.combining(char):
            if marks < MAX_MARKS:
                out.append(char)
                marks += 1
            continue
        out.append(char)
        marks = _marks(char) if unicodedata.category(char).startswith("L") else MAX_MARKS
    text = unicodedata.normalize("NFC", "".join(out))
    if multiline:
        return "\n".join(line.rstrip() for line in text.split("\n")).strip()
    return " ".join(text.split())


# "đ" is a letter of its own, not "d" with a combining mark, so NFD leaves it alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, without diacritics, "đ" as "d", whitespace collapsed to single spaces:
    "Nguyễn  Văn Đức" → "nguyen van duc" (searches, duplicate checks, login names)."""
    decomposed = unicodedata.normalize("NFD", clean_text(text).translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())
