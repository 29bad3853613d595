"""The kinds of list a team can import, by code (the URL and the command use the code)."""

from __future__ import annotations

from .activities import ACTIVITIES
from .base import Kind
from .contacts import CONTACTS
from .members import MEMBERS
from .people import PEOPLE

KINDS: dict[str, Kind] = {kind.code: kind for kind in (PEOPLE, MEMBERS, ACTIVITIES, CONTACTS)}
