# The English catalogue: locale/en/LC_MESSAGES/django.po, compiled to django.mo.
# Both files are committed, so running the app needs no gettext tools.
#
# When Vietnamese source strings change, from the repository root (needs gettext installed):
#
#   DEBUG=1 .venv/bin/python manage.py makemessages -l en \
#       --ignore=.venv --ignore=staticfiles --ignore=tests --no-obsolete
#   msgattrib --untranslated locale/en/LC_MESSAGES/django.po  # new entries to translate
#   msgattrib --only-fuzzy locale/en/LC_MESSAGES/django.po    # review, then drop "#, fuzzy"
#   # ... edit the msgstr lines in locale/en/LC_MESSAGES/django.po ...
#   DEBUG=1 .venv/bin/python manage.py compilemessages -l en --ignore=.venv
#   DEBUG= .venv/bin/python -m pytest -q tests/test_translations.py tests/test_pages.py
#
# Commit django.po and django.mo together.
"""The English catalogue is complete, reviewed, compiled and used."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES"
PO_FILE = LOCALE_DIR / "django.po"
MO_FILE = LOCALE_DIR / "django.mo"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry

    @property
    def label(self) -> str:
        return f"django.po line {self.line}: {self.msgid!r}"


def _unquote(literal: str) -> str:
    # PO strings use C escapes (\n, \", \\, \t), which a Python literal reads the same way.
    return ast.literal_eval(literal)


def parse_po(path: Path | None = None) -> list[Entry]:
    """Every entry of a PO file, header included; obsolete (#~) entries are skipped."""
    path = path or PO_FILE
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the field that continuation lines extend

    def finish():
        nonlocal entry, target
        if entry is not None:
            entries.append(entry)
        entry, target = None, None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if line.startswith("#~"):
                continue
            if entry is not None and target is not None:
                finish()  # comments always start a new entry
            entry = entry or Entry(line=number)
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword in ("msgctxt", "msgid") and target is not None and target[0] != "msgctxt":
                finish()  # a new entry without a blank line before it
            entry = entry or Entry(line=number)
            value = _unquote(literal)
            if keyword == "msgctxt":
                entry.msgctxt, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                entry.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                entry.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                n = int(index) if index is not None else 0
                entry.msgstr[n], target = value, ("msgstr", n)
            continue
        if line.startswith('"') and entry is not None and target is not None:
            value = _unquote(line)
            name, n = target
            if name == "msgstr":
                entry.msgstr[n] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        raise AssertionError(f"django.po line {number}: cannot parse {raw!r}")
    finish()
    return entries


def _messages() -> list[Entry]:
    return [entry for entry in parse_po() if entry.msgid != ""]


def _header() -> Entry:
    headers = [entry for entry in parse_po() if entry.msgid == ""]
    assert len(headers) == 1
    return headers[0]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([^)]*\)[a-z]|%[sd]", text))


def test_the_catalogue_has_messages_and_an_english_header():
    assert len(_messages()) > 50
    header = _header().msgstr[0]
    assert "Language: en\n" in header
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header
    assert "charset=UTF-8" in header


def test_no_entry_is_fuzzy():
    fuzzy = [entry.label for entry in parse_po() if "fuzzy" in entry.flags]
    assert fuzzy == []


def test_every_message_is_translated_with_the_right_number_of_plural_forms():
    untranslated = []
    for entry in _messages():
        expected_forms = [0, 1] if entry.msgid_plural is not None else [0]
        if sorted(entry.msgstr) != expected_forms or not all(entry.msgstr.values()):
            untranslated.append(entry.label)
    assert untranslated == []


def test_every_translation_keeps_the_placeholders_of_its_source():
    broken = []
    for entry in _messages():
        source = _placeholders(entry.msgid)
        for n, text in entry.msgstr.items():
            if not text:
                continue  # reported as untranslated
            wanted = source
            if entry.msgid_plural is not None and n > 0:
                wanted = _placeholders(entry.msgid_plural)
            if _placeholders(text) != wanted:
                broken.append(f"{entry.label} msgstr[{n}] = {text!r}")
    assert broken == []


def test_the_committed_mo_file_matches_the_po_file():
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected = {}
    for entry in parse_po():
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue  # msgfmt leaves these out; the tests above report them
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr[0]
        else:
            for n, text in entry.msgstr.items():
                expected[(key, n)] = text
    # GNUTranslations keeps every message in _catalog: msgid -> str, or (msgid, n) -> str for
    # plurals, "context\x04msgid" with a context. Comparing whole catalogues also catches a
    # translation identical to its source (e.g. "English") missing from the .mo.
    stale = []
    for key, text in expected.items():
        if key == "":
            continue  # the header, checked through its parsed metadata below
        actual = compiled._catalog.get(key)
        if actual != text:
            stale.append(f"{key!r}: .po has {text!r}, .mo has {actual!r}")
    extra = sorted(repr(key) for key in compiled._catalog if key not in expected)
    assert stale == [], "django.mo is out of date; run compilemessages"
    assert extra == [], "django.mo has entries that django.po lacks; run compilemessages"
    assert compiled.info().get("language") == "en"
    assert [compiled.plural(n) for n in (0, 1, 2)] == [1, 0, 1]


def test_the_catalogue_singular_and_plural_forms_resolve_by_count():
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    source = "%(counter)s thành viên"
    assert compiled.ngettext(source, source, 1) % {"counter": 1} == "1 member"
    assert compiled.ngettext(source, source, 2) % {"counter": 2} == "2 members"


def test_django_serves_the_english_navigation_labels():
    with translation.override("en"):
        assert translation.gettext("Đăng xuất") == "Log out"
        assert translation.gettext("Trang chủ") == "Home"
        assert translation.gettext("Đổi mật khẩu") == "Change password"
        assert translation.ngettext("%(counter)s thành viên", "%(counter)s thành viên", 3) == (
            "%(counter)s members"
        )
    with translation.override("vi"):
        assert translation.gettext("Đăng xuất") == "Đăng xuất"
