"""What an import kind is: its columns (header, aliases, parser, allowed values) and how one
row is saved through the app's own services.

A parser takes the cell's text and returns a value or raises `Bad` with a Vietnamese message;
an empty cell never reaches it (the column is then required or left out). A kind's `save`
returns a `Saved` (new or skipped as already there) or raises ValidationError; it runs inside
the import's transaction, so a row written earlier in the same file is visible to it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.text import fold

if TYPE_CHECKING:
    from wards.models import AdminUnit


def spellings(text: Any) -> set[str]:
    """A lazy label as files may write it: in Vietnamese, whatever the page's language, and in
    the language of the page (a leader using the English interface fills the English template)."""
    with translation.override("vi"):
        vietnamese = str(text)
    return {vietnamese, str(text)}


class Bad(ValueError):
    """A cell that cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # the template's header (lazy Vietnamese text)
    parse: Callable[[str], Any]
    required: bool = False
    aliases: tuple[str, ...] = ()  # other headers seen in the field, compared folded
    hint: Any = ""  # the template's note: the format or where the allowed values are
    choices: Sequence[tuple[str, Any]] = ()  # (value, label): listed in the template
    example: str = ""


@dataclass(frozen=True)
class Saved:
    created: bool
    note: str = ""  # for a skipped row: why (already on the register…)


@dataclass
class Kind:
    code: str
    label: Any  # "Người được hỗ trợ"
    capability: str
    columns: tuple[Column, ...]
    save: Callable[..., Saved]
    # Where the user lands after the commit: the URL name (no arguments) of the ward list the
    # rows land in, or a function of the ward giving the page's URL (the team of the ward).
    done: str | Callable[[AdminUnit], str]
    intro: Any = ""  # one sentence on the template's guide sheet
    prepare: Callable[..., dict] = field(default=lambda **kwargs: {})

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


# Parsers --------------------------------------------------------------------------------------

DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d")


def parse_date(text: str) -> datetime.date:
    """dd/mm/yyyy (also with - or .) or yyyy-mm-dd; a two-digit year is refused (ambiguous)."""
    value = text.strip().split(" ")[0]
    for fmt in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if day.year < 1900:
            break
        return day
    raise Bad(
        _("Ngày «%(value)s» không đúng. Ghi theo dạng ngày/tháng/năm, ví dụ 05/03/2024.")
        % {"value": text}
    )


def parse_past_date(text: str) -> datetime.date:
    day = parse_date(text)
    if day > timezone.localdate():
        raise Bad(_("Ngày %(day)s chưa đến.") % {"day": day.strftime("%d/%m/%Y")})
    return day


def parse_year(text: str) -> int:
    value = text.strip()
    if re.fullmatch(r"\d{4}", value):
        year = int(value)
        if 1900 <= year <= timezone.localdate().year:
            return year
    # A full date in a year column: keep its year.
    try:
        return parse_date(value).year
    except Bad:
        pass
    raise Bad(_("Năm «%(value)s» không đúng. Ghi 4 chữ số, ví dụ 1985.") % {"value": text})


def count(maximum: int = 1_000_000) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = text.strip().replace(".", "").replace(",", "").replace(" ", "")
        if not value.isdigit() or int(value) > maximum:
            raise Bad(
                _("«%(value)s» không phải là một số nguyên từ 0 đến %(max)s.")
                % {"value": text, "max": f"{maximum:,}".replace(",", ".")}
            )
        return int(value)

    return parse


def text(max_length: int) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = " ".join(value.split()) if "\n" not in value else value.strip()
        if len(value) > max_length:
            raise Bad(
                _("Dài quá %(max)s ký tự (đang có %(count)s).")
                % {"max": max_length, "count": len(value)}
            )
        return value

    return parse


def phone(value: str) -> str:
    """A phone number as digits; Excel drops the leading 0 of a number typed as a number."""
    digits = re.sub(r"[\s.\-()]", "", value)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    if digits.isdigit() and len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    if not re.fullmatch(r"0\d{8,10}", digits):
        raise Bad(_("Số điện thoại «%(value)s» không đúng.") % {"value": value})
    return digits


def choice(
    choices: Sequence[tuple[str, Any]], what: Any, synonyms: dict[str, str] | None = None
) -> Callable[[str], str]:
    """One of `choices`, by its label (with or without diacritics), its code, or one of the
    short names lists use (`synonyms`: folded name -> code, e.g. "hoi lhpn" -> "women")."""

    def parse(value: str) -> str:
        key = fold(value)
        if synonyms and key in synonyms:
            return synonyms[key]
        for code, label in choices:
            if key == fold(code) or key in {fold(s) for s in spellings(label)}:
                return code
        allowed = "; ".join(str(label) for _code, label in choices)
        raise Bad(
            _("%(what)s «%(value)s» không có trong danh sách. Dùng một trong: %(allowed)s.")
            % {"what": what, "value": value, "allowed": allowed}
        )

    return parse


# The column every kind shares: a ward named on a row must be the ward imported into.
WARD = Column(
    "ward",
    gettext_lazy("Xã, phường"),
    text(120),
    aliases=("xa", "phuong", "xa phuong", "ma xa", "don vi", "dia phuong"),
    hint=gettext_lazy("Không bắt buộc. Nếu ghi, phải là xã, phường đang nhập."),
)
