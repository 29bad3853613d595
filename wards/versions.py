"""A form built on one version of a record saves only over that version.

Two tabs (or two people) open the same edit form; the first saves. Without a check the second
would silently overwrite the first's change with what it showed before it. Each editable
record has a `version` (1, then one more at every change its update service makes); its edit
form carries the version it was built on in a hidden field (`VersionField`), and the service,
given `expected_version`, refuses with the code "stale" when the record has moved on since.
The view shows the form again with what the user typed and the message: nothing is lost,
nothing overwritten.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

STALE = "stale"


def version_field() -> models.PositiveIntegerField:
    """The model field: incremented by every change, so a form can tell that someone else
    saved in between."""
    return models.PositiveIntegerField(gettext_lazy("phiên bản"), default=1, editable=False)


class VersionField(forms.IntegerField):
    """The version an edit form was built on, sent back with it."""

    widget = forms.HiddenInput
    default_error_messages = {
        "required": gettext_lazy("Biểu mẫu này đã cũ. Hãy tải lại trang rồi sửa lại."),
        "invalid": gettext_lazy("Biểu mẫu này đã cũ. Hãy tải lại trang rồi sửa lại."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(**kwargs)
        # the bounds' messages too: a hidden field's error must make sense on its own
        self.error_messages["min_value"] = self.error_messages["invalid"]
        self.error_messages["max_value"] = self.error_messages["invalid"]


class Versioned:
    """Mixin of an edit form with a `version = VersionField()`: an error of the hidden field
    is shown above the form, where the user sees it."""

    def clean(self):
        cleaned = super().clean()
        if "version" in self._errors:
            self.add_error(None, self._errors.pop("version").as_data())
        return cleaned


def refuse_stale(obj: models.Model, expected_version: int | None, message: str = "") -> None:
    """Refuse a change made from a form built on another version of `obj` (locked by the
    caller). None skips the check: a caller with no form (an import, a script)."""
    if expected_version is not None and expected_version != obj.version:
        raise ValidationError(
            message
            or _(
                "Người khác vừa sửa thông tin này. Hãy tải lại trang để xem thay đổi rồi sửa lại."
            ),
            code=STALE,
        )


def bump(obj: models.Model) -> str:
    """Count a change of `obj` (before its save); returns the field's name for `update_fields`."""
    obj.version += 1
    return "version"
