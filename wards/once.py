"""A form sent twice saves once.

A volunteer on a slow connection taps «Lưu» again; a browser resends a POST on reload. Each
form that creates a record carries a one-time token (`{% once_token %}` next to
`{% csrf_token %}`); `submit_once` records the token in the same transaction as the record, and
the unique index on the token makes a second submission — even one racing the first on another
worker — find it already used and save nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from wards.models import UsedFormToken

FIELD = "_once"
T = TypeVar("T")


def posted_token(request: HttpRequest) -> uuid.UUID | None:
    """The token the form was sent with, or None (an old form, a script, a crafted POST)."""
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except (ValueError, TypeError, AttributeError):
        return None


def token_for(request: HttpRequest) -> str:
    """The token to put in a form: the posted one when a form comes back with its errors, so
    the whole life of one form is one token; a new one otherwise."""
    token = posted_token(request) if request.method == "POST" else None
    return str(token or uuid.uuid4())


def was_submitted(request: HttpRequest) -> bool:
    """Whether this form's token is already used: lets a view answer a second tap before it
    runs checks (a duplicate-name warning) that would otherwise talk about the first one."""
    token = posted_token(request)
    return token is not None and UsedFormToken.objects.filter(token=token).exists()


class AlreadySubmitted(Exception):
    """This form was saved before: the caller shows what the first submission made."""


def submit_once(request: HttpRequest, action: Callable[[], T]) -> T:
    """Run `action` and record the form's token, both or neither.

    Raises AlreadySubmitted when the token was used by an earlier, committed submission. If
    `action` raises, or returns None (saved nothing), the token is not kept, so the corrected
    form can be sent again.
    """
    token = posted_token(request)
    if token is None:
        return action()
    with transaction.atomic():
        try:
            with transaction.atomic():
                UsedFormToken.objects.create(token=token, user=request.user)
        except IntegrityError:
            raise AlreadySubmitted from None
        result = action()
        if result is None:
            transaction.set_rollback(True)
        return result


def already_saved(request: HttpRequest) -> None:
    """Tell the user their second tap changed nothing."""
    messages.info(request, _("Biểu mẫu này đã được lưu ở lần gửi trước; không lưu thêm lần nữa."))
