"""Folding Vietnamese text for search: "Nguyễn  Văn Đức" → "nguyen van duc".

Pure functions, no Django: the service stores the folded name in `Person.search_key` and the
search folds the query the same way, so a volunteer typing without diacritics (most phone
keyboards) finds the person, and so does one typing with them. Both sides are first cleaned
as everything saved is (`wards.text.clean_text`): a zero-width space or a bidi control typed
into a name or a query changes nothing.
"""

from __future__ import annotations

import unicodedata

from wards.text import clean_text

# "đ" is a letter of its own, not "d" with a combining mark, so NFD leaves it alone.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lowercase, without diacritics, "đ" as "d", whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFD", clean_text(text).translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.lower().split())
