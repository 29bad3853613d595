from django import template
from django.utils.html import format_html

from wards.once import FIELD, token_for

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context) -> str:
    """The hidden one-time token of a form that creates a record (wards.once)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', FIELD, token_for(context["request"])
    )
