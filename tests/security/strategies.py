"""Hypothesis strategies for hostile form input: what a phone, a tired leader or an attacker
may post to a form.

Each field of a form gets a strategy of *valid-looking* values (so that some examples pass
the form and reach the service and the database) and one of *hostile* values (empty, 10,000
characters, Vietnamese with and without diacritics, combining marks, right-to-left text,
emoji, NUL and other control characters, numbers as text that Python or the database read
differently, dates in every shape, ids of another ward's objects and of none). `form_data`
starts from a valid form and spoils a few of its fields: replaced, left out, repeated, plus
unknown extra fields. Surrogates are left out: HTTP cannot carry them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

TODAY = datetime.date.today()
LONG = 10_000

NASTY_TEXT: tuple[str, ...] = (
    "",
    " ",
    "   \t  ",
    "\x00",
    "Nguyễn\x00Văn",
    "\x01\x02\x1b[31m\x7f\x9f",
    "\r\n\r\n",
    "x" * LONG,
    "Đ" * LONG,
    "Nguyễn Thị Hồng Nhung",
    "Nguyen Thi Hong Nhung",
    "NGUYỄN văn  a",
    "Nguye\u0302\u0303n Va\u0306n A",  # decomposed (NFD) diacritics
    "a\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301",  # stacked combining marks
    "\u202eNguyễn\u202c",  # right-to-left override
    "مرحبا بالعالم",
    "שלום",
    "👩‍👩‍👧‍👦🇻🇳",
    "\ufeffBOM",
    "\u200b\u200d\u2060",  # zero-width characters
    "<script>alert(1)</script>",
    "{{ request.user }}{% debug %}",
    "' OR 1=1 --",
    '"; DROP TABLE cases_person; --',
    '=HYPERLINK("http://x","y")',
    "+84 912 345 678",
    "../../../../etc/passwd",
    "%00%0a%0d",
    "None",
    "null",
    "undefined",
    "true",
    "[]",
    "{}",
)

NASTY_NUMBERS: tuple[str, ...] = (
    "0",
    "-0",
    "1",
    "-1",
    "+5",
    " 7 ",
    "2147483647",
    "2147483648",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "99999999999999999999999999999",
    "1" * 400,
    "1.5",
    "1,5",
    "1.000.000",
    "1e3",
    "1e309",
    "-1e309",
    "NaN",
    "nan",
    "inf",
    "-Infinity",
    "0x10",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() and int() accept them
    "²³",  # superscripts: str.isdigit() accepts them, int() does not
    "𝟗𝟗",  # mathematical digits
    "१९९०",  # Devanagari
)

NASTY_DATES: tuple[str, ...] = (
    "",
    "0001-01-01",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "2024-13-01",
    "2023-02-29",
    "31/12/9999",
    "01/01/0001",
    "32/01/2024",
    "29/02/2023",
    "2024/01/15",
    "15.01.2024",
    "15-01-2024",
    "2024-01-15T10:00:00",
    "2024-01-15 00:00:00+07:00",
    "1e309",
    "-2024-01-01",
    "hôm nay",
    "today",
    "٢٠٢٤-٠١-١٥",
    (TODAY + datetime.timedelta(days=1)).isoformat(),
    (TODAY + datetime.timedelta(days=3650)).isoformat(),
    "1900-01-01",
    "1899-12-31",
)


def _text(max_size: int = 40) -> SearchStrategy[str]:
    """Arbitrary printable and unprintable text, any script, no surrogates."""
    return st.text(st.characters(codec="utf-8"), max_size=max_size)


def _day(start: datetime.date, end: datetime.date) -> SearchStrategy[datetime.date]:
    return st.dates(min_value=start, max_value=end)


def date_text(
    start: datetime.date = datetime.date(2000, 1, 1), end: datetime.date = TODAY
) -> SearchStrategy[str]:
    """A real day in [start, end], typed as the phone's picker or a person would."""
    day = _day(start, end)
    return st.one_of(day.map(datetime.date.isoformat), day.map(lambda d: d.strftime("%d/%m/%Y")))


# Built once: strategies are cheap to draw from and costly to build.
HOSTILE_TEXT = st.one_of(st.sampled_from(NASTY_TEXT), _text())
HOSTILE_NUMBER = st.one_of(
    st.sampled_from(NASTY_NUMBERS),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)
_ANY_DAY = _day(datetime.date.min, datetime.date.max)
HOSTILE_DATE = st.one_of(
    st.sampled_from(NASTY_DATES),
    _ANY_DAY.map(datetime.date.isoformat),
    _ANY_DAY.map(lambda d: d.strftime("%d/%m/%Y")),
    _text(12),
)
_YEAR = st.integers(min_value=0, max_value=99999)
HOSTILE_PERIOD = st.one_of(
    st.sampled_from(
        (
            "",
            "2024",
            "2024-13",
            "2024-00",
            "2024-Q5",
            "2024-H3",
            "1989",
            "1990",
            "1990-01",
            "1990-Q1",
            "1990..1991",
            "1990-01-01..1990-01-05",
            "2101",
            "0000",
            "9999-Q4",
            "2100..1990",
            "1990..2100",
            "0001-01-01..9999-12-31",
            "0001-01-01..0001-01-01",
            "9999-12-31..9999-12-31",
            "2024-02-30..2024-03-01",
            "٢٠٢٤-Q1",
            "2024-q1",
            " 2024-h1 ",
            "2024-Q1\x00",
        )
    ),
    _YEAR.map(lambda y: f"{y:04d}"),
    st.tuples(_YEAR, st.integers(-1, 13)).map(lambda t: f"{t[0]:04d}-{t[1]:02d}"),
    st.tuples(_YEAR, st.integers(0, 5)).map(lambda t: f"{t[0]:04d}-Q{t[1]}"),
    _text(20),
)
ANY_HOSTILE = st.one_of(HOSTILE_TEXT, HOSTILE_NUMBER, HOSTILE_DATE)


def hostile_text() -> SearchStrategy[str]:
    return HOSTILE_TEXT


def hostile_number() -> SearchStrategy[str]:
    return HOSTILE_NUMBER


def hostile_date() -> SearchStrategy[str]:
    return HOSTILE_DATE


def hostile_period() -> SearchStrategy[str]:
    """Report period specs (reports.periods) and what people type instead."""
    return HOSTILE_PERIOD


def pk_text(valid: Iterable[int], foreign: Iterable[int] = ()) -> SearchStrategy[str]:
    """A primary key: one of the form's own (valid), another ward's, one that does not exist,
    or no number at all."""
    valid, foreign = [str(pk) for pk in valid], [str(pk) for pk in foreign]
    parts = [st.sampled_from(valid)] if valid else []
    if foreign:
        parts.append(st.sampled_from(foreign))
    parts += [
        st.sampled_from(("0", "-1", "999999", "9223372036854775808", "1.0", "1e2", "pk", "")),
        HOSTILE_NUMBER,
    ]
    return st.one_of(*parts)


def one_of_choices(values: Sequence[str]) -> SearchStrategy[str]:
    return st.sampled_from(list(values))


def hostile_choice(values: Sequence[str]) -> SearchStrategy[str]:
    """A choice field: a value of another field's choices, a near miss, or junk."""
    near = [v.upper() for v in values] + [f" {v}" for v in values] + [f"{v}\x00" for v in values]
    return st.one_of(st.sampled_from(near), HOSTILE_TEXT)


def any_hostile() -> SearchStrategy[str]:
    return ANY_HOSTILE


@dataclass
class Field:
    """How to fill one form field: `valid` values (None: leave the field out, an unticked
    box) and field-specific `hostile` ones, mixed with every generic hostile value."""

    valid: SearchStrategy
    hostile: SearchStrategy | None = None

    def __post_init__(self):
        self.spoiled = ANY_HOSTILE if self.hostile is None else st.one_of(self.hostile, ANY_HOSTILE)
        self.present = st.one_of(self.valid, ANY_HOSTILE)


def text_field(valid: SearchStrategy[str] | None = None) -> Field:
    return Field(valid if valid is not None else st.sampled_from(("", "Ghi chú", "Gặp tại nhà")))


def date_field(start=datetime.date(2020, 1, 1), end=TODAY, *, optional=False) -> Field:
    valid = date_text(start, end)
    return Field(st.one_of(valid, st.just("")) if optional else valid, hostile_date())


def number_field(low: int, high: int, *, optional=False) -> Field:
    valid = st.integers(low, high).map(str)
    return Field(st.one_of(valid, st.just("")) if optional else valid, hostile_number())


def choice_field(values: Sequence[str], *, optional=False) -> Field:
    valid = one_of_choices([*values, ""] if optional else values)
    return Field(valid, hostile_choice(values))


def checkbox_field() -> Field:
    """A tick box: ticked ("on") or left out, as a browser posts it."""
    return Field(st.sampled_from(("on", None)), st.sampled_from(("", "0", "false", "off", "1")))


def pk_field(valid: Iterable[int], foreign: Iterable[int] = (), *, optional=False) -> Field:
    valid = [str(pk) for pk in valid]
    base = st.sampled_from(valid + ([""] if optional else [])) if valid else st.just("")
    return Field(base, pk_text([], foreign))


def pks_field(valid: Sequence[int], foreign: Iterable[int] = ()) -> Field:
    """A multiple choice (checkboxes): a list of pks, possibly empty."""
    valid = [str(pk) for pk in valid]
    base = st.lists(st.sampled_from(valid), unique=True, max_size=len(valid)) if valid else None
    hostile = st.lists(pk_text(valid, foreign), min_size=1, max_size=4)
    return Field(base if base is not None else st.just([]), hostile)


EXTRA_KEYS = (
    "id",
    "pk",
    "ward",
    "ward_id",
    "unit_id",
    "person",
    "member",
    "created_by",
    "status",
    "is_superuser",
    "csrfmiddlewaretoken",
    "version",
    "xa",
    "next",
    "__proto__",
    "tên",
)
_KEY = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyz_-.[]0123456789đ"), min_size=1, max_size=20
)
_EXTRAS = st.dictionaries(st.one_of(st.sampled_from(EXTRA_KEYS), _KEY), ANY_HOSTILE, max_size=3)


@st.composite
def form_data(draw, fields: dict[str, Field], *, extras: bool = True) -> dict:
    """A form as posted: valid values, then up to four fields spoiled (a hostile value, left
    out, or repeated with several values), and maybe unknown extra keys."""
    data: dict = {}
    for name, field in fields.items():
        value = draw(field.valid)
        if value is not None:
            data[name] = value
    spoiled = (
        st.lists(st.sampled_from(sorted(fields)), max_size=4, unique=True)
        if fields
        else st.just([])
    )
    for name in draw(spoiled):
        how = draw(st.sampled_from(("hostile", "hostile", "missing", "repeated")))
        if how == "missing":
            data.pop(name, None)
        elif how == "hostile":
            data[name] = draw(fields[name].spoiled)
        else:
            first = draw(fields[name].present)
            first = first if isinstance(first, list) else [] if first is None else [first]
            data[name] = [*first, *draw(st.lists(fields[name].spoiled, min_size=1, max_size=3))]
    if extras:
        for key, value in draw(_EXTRAS).items():
            data.setdefault(key, value)
    return data
