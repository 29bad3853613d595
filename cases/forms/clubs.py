"""Forms of a ward's clubs: founding one, correcting it, closing it.

The ward is the page's (`wards.scope.ward_grant`), never a field: a crafted POST cannot found
a club elsewhere. Programmes offered are the active ones of the club category. Dates and the
rules of the domain are checked again by `cases.services.clubs`.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Club, Programme
from wards.forms import DateField, TextField, not_in_future
from wards.versions import Versioned, VersionField


class ClubForm(forms.Form):
    """Found a club: its name, programme and founding day."""

    name = TextField(
        label=_("Tên câu lạc bộ"),
        max_length=200,
        help_text=_("Ví dụ: CLB B93 tổ dân phố 5, CLB can thiệp sớm."),
    )
    programme = forms.ModelChoiceField(
        label=_("Chương trình"),
        queryset=Programme.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Chọn chương trình của câu lạc bộ."),
            "invalid_choice": _("Chỉ chọn được chương trình câu lạc bộ, nhóm hỗ trợ đang áp dụng."),
        },
    )
    founded_on = DateField(label=_("Ngày thành lập"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"founded_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.active().filter(
            category=Programme.Category.CLUB
        )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Nhập tên câu lạc bộ."))
        return name

    def clean_founded_on(self):
        return not_in_future(self.cleaned_data["founded_on"])


class ClubEditForm(Versioned, forms.Form):
    """Correct a club's name or founding day. The programme stays: its members joined it
    through enrolments in that programme."""

    name = ClubForm.base_fields["name"]
    founded_on = ClubForm.base_fields["founded_on"]
    version = VersionField()  # the club's, as the page showed it (wards.versions)

    clean_name = ClubForm.clean_name
    clean_founded_on = ClubForm.clean_founded_on

    def __init__(self, *args, club: Club, **kwargs):
        kwargs.setdefault(
            "initial",
            {"name": club.name, "founded_on": club.founded_on, "version": club.version},
        )
        super().__init__(*args, **kwargs)


class ClubCloseForm(Versioned, forms.Form):
    closed_on = DateField(
        label=_("Ngày ngừng hoạt động"),
        help_text=_("Ngày cuối cùng câu lạc bộ còn hoạt động."),
    )
    version = VersionField()  # the club's, as the page showed it (wards.versions)

    def __init__(self, *args, club: Club, **kwargs):
        kwargs.setdefault("initial", {"closed_on": timezone.localdate(), "version": club.version})
        super().__init__(*args, **kwargs)
        self.club = club

    def clean_closed_on(self):
        closed_on = not_in_future(self.cleaned_data["closed_on"])
        if closed_on < self.club.founded_on:
            raise forms.ValidationError(
                _("Ngày ngừng hoạt động không được trước ngày thành lập (%(date)s).")
                % {"date": f"{self.club.founded_on:%d/%m/%Y}"}
            )
        return closed_on
