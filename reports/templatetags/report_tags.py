"""Figures on the report page: grouped numbers (1.500), money in triệu đồng, signed changes."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports.indicators import MONEY

register = template.Library()


def _millions(amount: int) -> int | Decimal:
    """Đồng to triệu đồng, to two decimals, without trailing zeros (112.500.000 → 112,5)."""
    value = (Decimal(amount) / Decimal(1_000_000)).quantize(Decimal("0.01"))
    if value == value.to_integral_value():
        return int(value)
    return value.quantize(Decimal("0.1")) if value * 10 == (value * 10).to_integral() else value


def _number(value: int | Decimal) -> str:
    return formats.number_format(value, force_grouping=True)


@register.filter
def figure(value: int, kind: str = "") -> str:
    """A report figure: grouped by the interface language; money (kind M) in triệu đồng."""
    if value is None:
        return ""
    if kind == MONEY:
        if 0 < abs(value) < 5_000:  # rounds to 0,00 triệu: say it is not nothing
            return "< " + _number(Decimal("0.01"))
        return _number(_millions(value))
    return _number(int(value))


@register.simple_tag
def change(value: int, kind: str = ""):
    """The change against the comparison period: an arrow and a sign, not colour alone, and
    a word for screen readers."""
    if not value:
        return format_html(
            '<span class="change change-none"><span aria-hidden="true">=</span>'
            '<span class="visually-hidden">{}</span></span>',
            _("không đổi"),
        )
    text = figure(abs(value), kind)
    if value > 0:
        return format_html(
            '<span class="change change-up"><span aria-hidden="true">▲ +</span>'
            '<span class="visually-hidden">{} </span>{}</span>',
            _("tăng"),
            text,
        )
    return format_html(
        '<span class="change change-down"><span aria-hidden="true">▼ −</span>'
        '<span class="visually-hidden">{} </span>{}</span>',
        _("giảm"),
        text,
    )
