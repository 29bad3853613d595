"""Folding Vietnamese text for search: "Nguyễn  Văn Đức" → "nguyen van duc".

Pure functions, no Django: the service stores the folded name in `Person.search_key` and the
search folds the query the same way, so a volunteer typing without diacritics (most phone
keyboards) finds the person, and so does one typing with them. Both sides are first cleaned
as everything saved is (`wards.text.clean_text`): a zero-width space or a bidi control typed
into a name or a query changes nothing.
"""

from __future__ import annotations

# The folding is the wards app's (it suggests login names from members' names); this module
# keeps its name for the apps that search persons.
from wards.text import fold

__all__ = ["fold"]
