from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from outreach.models import Partner
from wards.forms import formfield
from wards.versions import Versioned, VersionField


class PartnerForm(forms.ModelForm):
    class Meta:
        model = Partner
        formfield_callback = formfield
        fields = ["name", "kind", "phone", "address", "contact_person", "note", "active"]
        widgets = {
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "active": _("Bỏ chọn khi không còn hợp tác: đối tác vẫn còn trong các giới thiệu cũ."),
        }

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.unit = unit

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Nhập tên đối tác."))
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].replace(" ", "").replace(".", "")
        if phone and not (phone.lstrip("+").isdigit() and 8 <= len(phone.lstrip("+")) <= 12):
            raise forms.ValidationError(_("Số điện thoại gồm 8 đến 12 chữ số."))
        return phone


class PartnerEditForm(Versioned, PartnerForm):
    """Correct a partner; `version` is the one the form was built on (wards.versions)."""

    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
