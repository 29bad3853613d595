"""Forms of the referral pages: referring a person, moving a referral on, and the list's filters.

The person comes from the URL through `visible_to(user)`, never from the form; the partner
is narrowed to the active partners the user sees that serve the person's ward. The rules of
the domain (which kinds carry money or a household, which status may follow which, dates)
live in `outreach.services`, whose messages the views put next to the fields.
"""

from __future__ import annotations

import re
from itertools import groupby

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from cases.forms.work import ButtonChoices
from outreach.models import Partner, Referral
from wards.forms import DateField, NotesField, TextField, not_in_future
from wards.models import AdminUnit
from wards.versions import Versioned, VersionField

# "30000000", or grouped by threes with dots, commas or spaces: "30.000.000", "30 000 000".
# "1,5" (one and a half million?) is refused rather than read as fifteen đồng.
_AMOUNT = re.compile(r"\d+|\d{1,3}(?:[., ]\d{3})+")
_CURRENCY = re.compile(r"\s*(đồng|đ|vnđ|vnd)\.?$", re.IGNORECASE)


class AmountField(forms.CharField):
    """A sum in đồng, typed as people write it: «30.000.000», «30000000», «30 000 000 đ»."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, int):
            return number_format(value, force_grouping=True)
        return value

    def to_python(self, value) -> int | None:  # type: ignore[override]
        text = _CURRENCY.sub("", super().to_python(value)).replace("\u00a0", " ").strip()
        if not text:
            return None
        if text.startswith("-"):
            raise forms.ValidationError(_("Số tiền không được âm."))
        if not _AMOUNT.fullmatch(text):
            raise forms.ValidationError(
                _("Nhập số tiền bằng chữ số, ví dụ 30.000.000 hoặc 30000000.")
            )
        amount = int(re.sub(r"[., ]", "", text))
        if amount == 0:
            raise forms.ValidationError(_("Số tiền phải lớn hơn 0; để trống nếu chưa biết."))
        return amount


class _PartnersByKind(ModelChoiceIterator):
    """Partners grouped by kind (optgroups), in the order of `Partner.Kind`, by name within."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        order = {kind: i for i, kind in enumerate(Partner.Kind.values)}
        partners = sorted(self.queryset, key=lambda p: (order.get(p.kind, 99), p.name, p.pk))
        for kind, group in groupby(partners, key=lambda p: p.kind):
            yield (Partner.Kind(kind).label, [self.choice(p) for p in group])


class PartnerChoiceField(forms.ModelChoiceField):
    iterator = _PartnersByKind
    default_error_messages = {
        "invalid_choice": _("Chỉ chọn được đối tác toàn quốc hoặc đối tác của địa phương này.")
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Chưa chọn đối tác"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Partner) -> str:
        return obj.name


def partners_for(user, ward: AdminUnit) -> QuerySet[Partner]:
    """The active partners `user` sees that serve `ward`: national ones, the ward's own (and
    those of the wards merged into it), and those of the units above it. The same rule as
    the service's check, so the list offers nothing the service would refuse."""
    return Partner.objects.visible_to(user).active().serving(ward)


class ReferralForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Giới thiệu đến"),
        choices=Referral.Kind.choices,
        widget=ButtonChoices,
        error_messages={"required": _("Hãy chọn loại hỗ trợ.")},
    )
    referred_on = DateField(label=_("Ngày giới thiệu"))
    partner = PartnerChoiceField(
        label=_("Đối tác"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("Không bắt buộc. Nơi tiếp nhận: ngân hàng, cơ sở dạy nghề, doanh nghiệp…"),
    )
    for_household = forms.BooleanField(
        label=_("Hỗ trợ cho cả hộ gia đình"),
        required=False,
        help_text=_("Chỉ với vay vốn, hỗ trợ khó khăn đột xuất và tặng quà."),
    )
    amount = AmountField(
        label=_("Số tiền (đồng)"),
        help_text=_(
            "Chỉ ghi cho vay vốn, hỗ trợ khó khăn đột xuất và tặng quà, ví dụ 30.000.000. "
            "Chưa biết thì để trống, ghi sau khi được duyệt."
        ),
    )
    note = NotesField(
        label=_("Ghi chú"),
        required=False,
        max_length=Referral._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, ward: AdminUnit, **kwargs):
        kwargs.setdefault("initial", {"referred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners_for(user, ward)

    def clean_referred_on(self):
        return not_in_future(self.cleaned_data["referred_on"])


# What the buttons of the advance form say: the new status, as the helper would put it.
_STEP_LABELS = {
    Referral.Status.APPROVED: _("Được chấp thuận"),
    Referral.Status.COMPLETED: _("Đã hoàn thành, đã nhận hỗ trợ"),
    Referral.Status.DECLINED: _("Bị từ chối"),
    Referral.Status.WITHDRAWN: _("Rút lại, không tiếp tục"),
}
_LOAN_COMPLETED = _("Đã giải ngân")


class ReferralAdvanceForm(Versioned, forms.Form):
    """The next step of an open referral. The buttons offer `referral.next_statuses`; the
    field accepts any status so that the service, which holds the rule, says what is wrong
    with a stale or crafted one. `expected_status` and `version` are the status and the
    version the page showed (wards.versions)."""

    status = forms.ChoiceField(
        label=_("Kết quả mới"),
        choices=Referral.Status.choices,
        widget=ButtonChoices,
        error_messages={
            "required": _("Hãy chọn kết quả mới."),
            "invalid_choice": _("Hãy chọn một trong các kết quả được đưa ra."),
        },
    )
    changed_on = DateField(label=_("Ngày"))
    amount = AmountField(label=_("Số tiền (đồng)"))
    note = TextField(
        label=_("Ghi chú"),
        required=False,
        max_length=255,
        help_text=_("Không bắt buộc. Ví dụ: lý do từ chối, số hợp đồng vay."),
    )
    expected_status = forms.CharField(max_length=10, widget=forms.HiddenInput)
    version = VersionField()

    def __init__(self, *args, referral: Referral, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "changed_on": timezone.localdate(),
                "amount": referral.amount,
                "expected_status": referral.status,
                "version": referral.version,
            },
        )
        super().__init__(*args, **kwargs)
        loan = referral.kind == Referral.Kind.LOAN
        self.fields["status"].widget.choices = [
            (s.value, _LOAN_COMPLETED if loan and s == s.COMPLETED else _STEP_LABELS[s])
            for s in referral.next_statuses
        ]
        if referral.kind not in Referral.MONEY_KINDS:
            del self.fields["amount"]
        elif loan:
            self.fields["amount"].label = _("Số tiền được vay (đồng)")
            self.fields["amount"].help_text = _("Bắt buộc khi ghi nhận đã giải ngân.")

    @property
    def asks_amount(self) -> bool:
        return "amount" in self.fields

    def clean_changed_on(self):
        return not_in_future(self.cleaned_data["changed_on"])


class ReferralFilterForm(forms.Form):
    """The list's filters, read from GET."""

    OPEN, ALL = "", "tat_ca"
    STATUSES: dict[str, frozenset[str] | None] = {
        OPEN: Referral.OPEN,
        "hoan_thanh": frozenset({Referral.Status.COMPLETED}),
        "tu_choi": frozenset({Referral.Status.DECLINED}),
        "da_rut": frozenset({Referral.Status.WITHDRAWN}),
        ALL: None,
    }

    trang_thai = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[
            (OPEN, _("Đang chờ kết quả")),
            ("hoan_thanh", _("Đã hoàn thành")),
            ("tu_choi", _("Bị từ chối")),
            ("da_rut", _("Đã rút")),
            (ALL, _("Tất cả")),
        ],
    )
    loai = forms.ChoiceField(
        label=_("Loại hỗ trợ"), required=False, choices=[("", _("Tất cả")), *Referral.Kind.choices]
    )

    def value(self, name: str) -> str:
        """A filter's valid value, or "" (the default) when it is missing or invalid."""
        self.is_valid()
        return self.cleaned_data.get(name, "")

    def statuses(self) -> frozenset[str] | None:
        return self.STATUSES[self.value("trang_thai")]
