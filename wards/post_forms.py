"""The forms of the officer and supervisor posts a supervisor manages (wards.post_views).

Every choice is narrowed to what the actor may do (wards.logins): the units offered are the
current units under the actor's own, and a crafted unit or role is a form error.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wards import logins
from wards.forms import DateField, TextField, not_in_future
from wards.models import AdminUnit, Post


def post_units(actor) -> list[AdminUnit]:
    """The current units where `actor` may create a post: units above a commune at or under
    theirs (supervisor posts) and the communes under them (officer posts), by path."""
    units = AdminUnit.objects.current().filter(pk__in=logins.post_unit_ids(actor))
    return list(units.select_related("parent").order_by("path"))


def _unit_label(unit: AdminUnit) -> str:
    return f"{unit.name} — {unit.parent.name}" if unit.parent_id else unit.name


class PostCreateForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=Post.Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "invalid_choice": _(
                "Chỉ cấp được tài khoản cán bộ UBND xã, phường hoặc cán bộ giám sát."
            )
        },
        help_text=_(
            "Cán bộ UBND làm việc tại một xã, phường; cán bộ giám sát tại quận, huyện hoặc tỉnh."
        ),
    )
    unit = forms.TypedChoiceField(
        label=_("Đơn vị"),
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": _(
                "Đơn vị này không thuộc đơn vị của bạn hoặc không còn hoạt động: hãy chọn một "
                "đơn vị trong danh sách."
            )
        },
    )
    full_name = TextField(label=_("Họ và tên"), max_length=150)
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=30,
        required=False,
        help_text=_(
            "Chữ không dấu, ví dụ lan.nt. Để trống thì dùng tên gợi ý từ họ và tên; bấm "
            "«Gợi ý tên đăng nhập» để xem trước."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    title = TextField(
        label=_("Chức vụ"),
        max_length=120,
        required=False,
        help_text=_("Ví dụ: Công chức Văn hóa - Xã hội, Chuyên viên Phòng Bảo trợ xã hội."),
    )
    started_on = DateField(label=_("Từ ngày"))

    def __init__(self, *args, actor, units: list[AdminUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.units = {unit.pk: unit for unit in units}
        above = [(u.pk, _unit_label(u)) for u in units if not u.is_commune]
        communes = [(u.pk, _unit_label(u)) for u in units if u.is_commune]
        choices: list = [("", _("— Chọn đơn vị —"))]
        if above:
            choices.append((_("Quận, huyện, tỉnh (cán bộ giám sát)"), above))
        if communes:
            choices.append((_("Xã, phường (cán bộ UBND)"), communes))
        self.fields["unit"].choices = choices
        self.fields["started_on"].initial = timezone.localdate()

    def clean_full_name(self):
        name = self.cleaned_data["full_name"]
        if len(name) < 2:
            raise ValidationError(_("Nhập họ và tên đầy đủ."))
        return name

    def clean_username(self):
        value = self.cleaned_data["username"]
        return logins.clean_username(value) if value.strip() else ""

    def clean_started_on(self):
        return not_in_future(self.cleaned_data["started_on"])

    def clean(self):
        cleaned = super().clean()
        unit = self.units.get(cleaned.get("unit"))
        role = cleaned.get("role")
        if unit is None or role is None:
            return cleaned
        cleaned["unit"] = unit
        if role == Post.Role.OFFICER and not unit.is_commune:
            self.add_error(
                "unit", _("Cán bộ UBND làm việc tại một xã, phường: hãy chọn một xã, phường.")
            )
        elif role == Post.Role.SUPERVISOR and unit.is_commune:
            self.add_error(
                "unit",
                _("Cán bộ giám sát làm việc tại quận, huyện hoặc tỉnh, không tại xã, phường."),
            )
        if not cleaned.get("username") and "username" not in self.errors:
            name = cleaned.get("full_name")
            if name:
                cleaned["username"] = logins.suggest_username(name)
        return cleaned


class PostEndForm(forms.Form):
    ended_on = DateField(
        label=_("Ngày kết thúc"),
        help_text=_("Tài khoản không dùng được nữa từ ngày này (kể cả khi chọn hôm nay)."),
    )

    def __init__(self, *args, post: Post, **kwargs):
        super().__init__(*args, **kwargs)
        self.post = post
        self.fields["ended_on"].initial = timezone.localdate()

    def clean_ended_on(self):
        day = not_in_future(self.cleaned_data["ended_on"])
        if self.post.started_on and day < self.post.started_on:
            raise ValidationError(
                _("Ngày kết thúc không được trước ngày bắt đầu (%(date)s).")
                % {"date": f"{self.post.started_on:%d/%m/%Y}"}
            )
        return day


class PostFilterForm(forms.Form):
    """The list's filter (GET): a unit's code and a name or login name."""

    don_vi = forms.ChoiceField(label=_("Đơn vị"), required=False)
    q = forms.CharField(label=_("Tên hoặc tên đăng nhập"), max_length=100, required=False)

    def __init__(self, *args, units: list[AdminUnit], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].choices = [("", _("Tất cả đơn vị"))] + [
            (u.code, _unit_label(u)) for u in units
        ]
        self.fields["don_vi"].widget.attrs["class"] = "form-select"
        self.fields["q"].widget.attrs["class"] = "form-control"

    def clean_q(self):
        return " ".join(self.cleaned_data["q"].replace("\x00", "").split())
