from django import forms
from django.core.validators import MaxLengthValidator
from django.db import connections, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards.models import MaxLength, Member, Team, date_errors
from wards.text import clean_text
from wards.versions import Versioned, VersionField


class DateInput(forms.DateInput):
    """The phone's own date picker; it posts yyyy-mm-dd whatever the display language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TextField(forms.CharField):
    """A text field as every form takes one: cleaned by `wards.text.clean_text` before any
    check (so a name pasted with a zero-width space or a bidi control is the name), its length
    counted on the cleaned text, with the app's message."""

    multiline = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            MaxLength(v.limit_value) if isinstance(v, MaxLengthValidator) else v
            for v in self.validators
        ]

    def to_python(self, value):
        value = super().to_python(value)
        return clean_text(value, multiline=self.multiline) if value else value


class NotesField(TextField):
    """A multi-line text field: it keeps its line breaks."""

    multiline = True
    widget = forms.Textarea


class DateField(forms.DateField):
    """A date as every form takes one: from 01/01/1900 (wards.models.EARLIEST_DATE), in the
    phone's own date picker."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if messages := date_errors(value):
            raise forms.ValidationError(messages[0], code="too_early")


def formfield(model_field, **kwargs):
    """A ModelForm's field for `model_field` (`Meta.formfield_callback`): text and dates as
    every form takes them (TextField, NotesField, DateField)."""
    if not model_field.choices:
        if isinstance(model_field, models.TextField):
            kwargs.setdefault("form_class", NotesField)
        elif isinstance(model_field, models.CharField):
            kwargs.setdefault("form_class", TextField)
        elif isinstance(model_field, models.DateField) and not isinstance(
            model_field, models.DateTimeField
        ):
            kwargs.setdefault("form_class", DateField)
    return model_field.formfield(**kwargs)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing an id too large for the database as a choice it does not offer.

    Django guards `pk=<huge number>` but not `pk__in=[<huge number>]`: a crafted POST with
    9223372036854775808 among the ticked ids made SQLite raise OverflowError and PostgreSQL
    an out-of-range error, a server error instead of the form's message."""

    def _check_values(self, value):
        meta = self.queryset.model._meta
        field = meta.get_field(self.to_field_name) if self.to_field_name else meta.pk
        ops, kind = connections[self.queryset.db].ops, field.get_internal_type()
        if kind in ops.integer_field_ranges and isinstance(value, list | tuple):
            low, high = ops.integer_field_range(kind)
            for pk in value:
                try:
                    number = int(pk)
                except (TypeError, ValueError):
                    continue  # not a number: Django's own check refuses it
                if not low <= number <= high:
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": pk},
                    )
        return super()._check_values(value)


def add_service_errors(form, error, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError next to the form's fields, or above the form.

    `aliases` maps a service field the form does not have to the form field that should
    carry its message."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (aliases or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def not_in_future(value):
    """A form's date check: today at the latest (the services check it again)."""
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Không được chọn một ngày trong tương lai."))
    return value


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        formfield_callback = formfield
        fields = ["full_name", "sex", "birth_year", "phone", "role", "organisation", "joined_on"]
        widgets = {
            "joined_on": DateInput(),
            "sex": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        help_texts = {
            "role": _("Chọn Đội trưởng thì đội trưởng hiện tại sẽ chuyển thành đội phó."),
        }

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["birth_year"].required = True
        self.fields["sex"].choices = Member.Sex.choices  # radios without a blank "---------"

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Nhập họ và tên đầy đủ."))
        return name

    def clean_phone(self):
        phone = self.cleaned_data["phone"].replace(" ", "").replace(".", "")
        if phone and not (phone.lstrip("+").isdigit() and 9 <= len(phone.lstrip("+")) <= 12):
            raise forms.ValidationError(_("Số điện thoại gồm 9 đến 12 chữ số, ví dụ 0912345678."))
        return phone

    def clean_joined_on(self):
        joined_on = not_in_future(self.cleaned_data["joined_on"])
        if self.team.established_on and joined_on < self.team.established_on:
            raise forms.ValidationError(_("Ngày tham gia không được trước ngày thành lập Đội."))
        return joined_on

    def clean(self):
        cleaned = super().clean()
        birth_year, joined_on = cleaned.get("birth_year"), cleaned.get("joined_on")
        if birth_year and joined_on:
            if birth_year < 1920 or birth_year > joined_on.year:
                self.add_error("birth_year", _("Năm sinh không hợp lệ."))
            elif joined_on.year - birth_year < 18:
                self.add_error("birth_year", _("Thành viên Đội phải từ đủ 18 tuổi trở lên."))
        return cleaned


class MemberEditForm(Versioned, MemberForm):
    """Correct a member; `version` is the one the form was built on (wards.versions)."""

    version = VersionField()


class MemberLeaveForm(Versioned, forms.Form):
    left_on = DateField(label=_("Ngày thôi tham gia"))
    reason = TextField(
        label=_("Lý do"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: chuyển nơi ở, nghỉ vì sức khỏe."),
    )
    version = VersionField()

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["left_on"].initial = timezone.localdate()
        self.fields["version"].initial = member.version

    def clean_left_on(self):
        left_on = not_in_future(self.cleaned_data["left_on"])
        if left_on < self.member.joined_on:
            raise forms.ValidationError(_("Ngày thôi tham gia không được trước ngày tham gia."))
        return left_on


class TeamForm(Versioned, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Team
        formfield_callback = formfield
        fields = ["name", "established_on", "decision_no", "contact_due_days"]
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def clean_established_on(self):
        return not_in_future(self.cleaned_data["established_on"])


class TeamDissolveForm(Versioned, forms.Form):
    """Dissolve the ward's team (giải thể Đội) on a day, confirmed; `version` is the one the
    page showed (wards.versions)."""

    dissolved_on = DateField(
        label=_("Ngày giải thể"),
        help_text=_(
            "Ngày cuối cùng Đội còn hoạt động, theo quyết định của UBND. Mọi thành viên đang "
            "tham gia thôi tham gia từ ngày này."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận giải thể Đội này. Việc này không hoàn tác được."),
        error_messages={"required": _("Hãy đánh dấu xác nhận để giải thể Đội.")},
    )
    version = VersionField()

    def __init__(self, *args, team: Team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.fields["dissolved_on"].initial = timezone.localdate()
        self.fields["version"].initial = team.version

    def clean_dissolved_on(self):
        day = not_in_future(self.cleaned_data["dissolved_on"])
        if self.team.established_on and day < self.team.established_on:
            raise forms.ValidationError(
                _("Ngày giải thể không được trước ngày thành lập Đội (%(date)s).")
                % {"date": f"{self.team.established_on:%d/%m/%Y}"}
            )
        return day


class OverviewDateForm(forms.Form):
    """The day the team overview shows (GET «ngay»), today unless chosen."""

    # rendered by hand beside its button: Bootstrap's class gives it a phone's tap height
    ngay = DateField(
        label=_("Tại ngày"), required=False, widget=DateInput(attrs={"class": "form-control"})
    )

    def clean_ngay(self):
        return not_in_future(self.cleaned_data["ngay"])


class LoginCreateForm(forms.Form):
    """Give a member a login: the login name, suggested from their name and editable (checked
    again by the service: wards.logins.clean_username)."""

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=30,
        help_text=_(
            "Chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới; 3–30 ký tự. "
            "Thành viên sẽ dùng tên này để đăng nhập."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Nhập tên đăng nhập.")},
    )

    def clean_username(self):
        from wards import logins

        return logins.clean_username(self.cleaned_data["username"])


class MemberRejoinForm(forms.Form):
    """A former member comes back to the team on a day (services.member_rejoin)."""

    joined_on = DateField(label=_("Ngày tham gia lại"))

    def __init__(self, *args, member: Member, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.fields["joined_on"].initial = timezone.localdate()

    def clean_joined_on(self):
        joined_on = not_in_future(self.cleaned_data["joined_on"])
        if self.member.left_on and joined_on <= self.member.left_on:
            raise forms.ValidationError(
                _("Ngày tham gia lại phải sau ngày thôi tham gia (%(date)s).")
                % {"date": f"{self.member.left_on:%d/%m/%Y}"}
            )
        return joined_on
