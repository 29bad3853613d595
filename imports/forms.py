from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .kinds.base import Kind
from .matching import columns_of
from .template import header


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx) hoặc CSV"),
        help_text=_("Tối đa 5 MB và 20.000 dòng."),
        error_messages={"required": _("Hãy chọn tệp để tải lên.")},
    )


class MappingForm(forms.Form):
    """For each column of the file: which field it holds, or none."""

    def __init__(self, *args, kind: Kind, headers: list[str], fields: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        choices = [("", _("— Không nhập cột này —"))] + [
            (c.key, header(c)) for c in columns_of(kind)
        ]
        for index, text in enumerate(headers):
            self.fields[f"col-{index}"] = forms.ChoiceField(
                label=text or _("Cột %(n)s (không có tiêu đề)") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=fields.get(index, ""),
            )

    def clean(self):
        data = super().clean()
        seen: dict[str, str] = {}
        for name, key in data.items():
            if not key:
                continue
            if key in seen:
                raise forms.ValidationError(
                    _("Hai cột «%(a)s» và «%(b)s» cùng được gán cho một thông tin; hãy chọn lại.")
                    % {"a": self.fields[seen[key]].label, "b": self.fields[name].label}
                )
            seen[key] = name
        return data

    def mapping(self) -> dict[int, str]:
        return {
            int(name.removeprefix("col-")): key for name, key in self.cleaned_data.items() if key
        }
