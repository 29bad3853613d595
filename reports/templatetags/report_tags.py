"""Figures on the report page: grouped numbers (1.500), money in triệu đồng, signed changes
coloured by whether the rise is good news (Indicator.rise)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reports.document import lower_first
from reports.indicators import BAD, GOOD, MONEY, NEUTRAL
from reports.report import in_millions

register = template.Library()


def _number(value: int | Decimal) -> str:
    return formats.number_format(value, force_grouping=True)


@register.filter
def mid_sentence(text) -> str:
    """A period's label inside a sentence: «Báo cáo quý III năm 2026»."""
    return lower_first(str(text))


@register.filter
def figure(value: int, kind: str = "") -> str:
    """A report figure: grouped by the interface language; money (kind M) in triệu đồng."""
    if value is None:
        return ""
    if kind == MONEY:
        if 0 < abs(value) < 5_000:  # rounds to 0,00 triệu: say it is not nothing
            return "< " + _number(Decimal("0.01"))
        return _number(in_millions(value))
    return _number(int(value))


# What a rise or a fall means, by Indicator.rise: the class that colours it and the words a
# screen reader says after «tăng»/«giảm» (the colour is never the only sign: ▲/▼ and the sign).
MEANING = {
    (GOOD, 1): ("change-good", _lazy("tốt")),
    (GOOD, -1): ("change-bad", _lazy("chưa tốt")),
    (BAD, 1): ("change-bad", _lazy("chưa tốt")),
    (BAD, -1): ("change-good", _lazy("tốt")),
}


@register.simple_tag
def change(value: int | None, kind: str = "", rise: str = NEUTRAL):
    """The change against the comparison period: an arrow and a sign, not colour alone, and
    a word for screen readers; green when the change is good news for the indicator (`rise`),
    red when it is bad news, grey when it is neither. None (no comparison): «—»."""
    if value is None:
        return format_html(
            '<span class="change change-none"><span aria-hidden="true">—</span>'
            '<span class="visually-hidden">{}</span></span>',
            _("không có số liệu so sánh"),
        )
    if not value:
        return format_html(
            '<span class="change change-none"><span aria-hidden="true">=</span>'
            '<span class="visually-hidden">{}</span></span>',
            _("không đổi"),
        )
    direction = 1 if value > 0 else -1
    css, meaning = MEANING.get((rise, direction), ("change-neutral", ""))
    words = _("tăng") if direction > 0 else _("giảm")
    if meaning:
        words = f"{words} ({meaning})"
    return format_html(
        '<span class="change {} {}"><span aria-hidden="true">{}</span>'
        '<span class="visually-hidden">{} </span>{}</span>',
        "change-up" if direction > 0 else "change-down",
        css,
        "▲ +" if direction > 0 else "▼ −",
        words,
        figure(abs(value), kind),
    )
