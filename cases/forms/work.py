"""Forms of a volunteer's casework: a contact and a progress assessment, made for a phone.

Neither form offers a choice of person, ward or member: the view takes the person from the URL
through `visible_to(user)` and the member from the user's own membership, so there is nothing
for a crafted POST to widen. The services check the dates against the person's file.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from cases.models import Assessment, Contact, Milestone
from cases.services.casework import DRUG_TEST_NO_TOPICS
from wards.forms import DateField, NotesField, not_in_future


class ButtonChoices(forms.RadioSelect):
    """Radio buttons drawn as large tappable buttons (Bootstrap `btn-check`); see the template
    cases/contact_choice_buttons.html, which renders them."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", "autocomplete": "off", **(attrs or {})})
        self.choices = choices


class ButtonCheckboxes(forms.CheckboxSelectMultiple):
    """Tick boxes drawn as large toggle buttons (Bootstrap `btn-check`), several at once; the
    same template as ButtonChoices draws them."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={"class": "btn-check", "autocomplete": "off", **(attrs or {})})
        self.choices = choices


class ContactForm(forms.Form):
    occurred_on = DateField(label=_("Ngày tiếp cận"))
    kind = forms.ChoiceField(
        label=_("Hình thức"),
        choices=Contact.Kind.choices,
        widget=ButtonChoices,
        error_messages={"required": _("Hãy chọn hình thức tiếp cận.")},
    )
    topics = forms.MultipleChoiceField(
        label=_("Nội dung tư vấn (không bắt buộc)"),
        required=False,
        choices=Contact.Topic.choices,
        widget=ButtonCheckboxes,
        help_text=_("Chọn một hoặc nhiều nội dung đã tư vấn, nếu có."),
        error_messages={
            "invalid_choice": _("«%(value)s» không phải là một nội dung tư vấn."),
            "invalid_list": _("Hãy chọn nội dung tư vấn trong danh sách."),
        },
    )
    summary = NotesField(
        label=_("Nội dung"),
        required=False,
        max_length=Contact._meta.get_field("summary").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Không bắt buộc. Ghi ngắn gọn: gặp ai, trao đổi gì, cần hỗ trợ gì."),
    )
    drug_test_result = forms.ChoiceField(
        label=_("Kết quả xét nghiệm"),
        required=False,
        choices=[("", "—"), *Contact.DrugTestResult.choices],
        help_text=_("Chỉ ghi khi hình thức là «Phối hợp xét nghiệm»."),
    )
    milestone_kind = forms.ChoiceField(
        label=_("Chuyển biến ghi nhận được"),
        required=False,
        choices=[("", _("Không có")), *Milestone.Kind.choices],
        help_text=_("Không bắt buộc. Ví dụ: có việc làm, đi cai nghiện tự nguyện."),
    )
    next_due_on = DateField(label=_("Hẹn lần tới"), required=False)

    def __init__(self, *args, due_days: int, **kwargs):
        kwargs.setdefault("initial", {"occurred_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["next_due_on"].help_text = ngettext_lazy(
            "Để trống: tự hẹn sau %(days)s ngày.", "Để trống: tự hẹn sau %(days)s ngày.", "days"
        ) % {"days": due_days}

    def clean_occurred_on(self):
        return not_in_future(self.cleaned_data["occurred_on"])

    def clean(self):
        cleaned = super().clean()
        kind, result = cleaned.get("kind"), cleaned.get("drug_test_result")
        if result and kind and kind != Contact.Kind.DRUG_TEST:
            self.add_error(
                "drug_test_result",
                _(
                    "Chỉ ghi kết quả xét nghiệm khi hình thức là «Phối hợp xét nghiệm». Hãy đổi "
                    "hình thức hoặc bỏ trống kết quả."
                ),
            )
        if kind == Contact.Kind.DRUG_TEST and cleaned.get("topics"):
            self.add_error("topics", DRUG_TEST_NO_TOPICS)
        occurred_on, next_due_on = cleaned.get("occurred_on"), cleaned.get("next_due_on")
        if occurred_on and next_due_on and next_due_on < occurred_on:
            self.add_error("next_due_on", _("Ngày hẹn lần tới không được trước ngày tiếp cận."))
        return cleaned


class AssessmentForm(forms.Form):
    assessed_on = DateField(label=_("Ngày đánh giá"))
    result = forms.ChoiceField(
        label=_("Kết quả"),
        choices=Assessment.Result.choices,
        widget=ButtonChoices,
        error_messages={"required": _("Hãy chọn kết quả đánh giá.")},
    )
    note = NotesField(
        label=_("Ghi chú"),
        required=False,
        max_length=Assessment._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"assessed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_assessed_on(self):
        return not_in_future(self.cleaned_data["assessed_on"])
