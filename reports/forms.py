from django import forms
from django.utils.translation import gettext_lazy as _


class SubmissionForm(forms.Form):
    """The narrative as it will be filed (prefilled from the figures, editable) and the
    leader's confirmation. The figures themselves are not a field: they are computed."""

    narrative = forms.CharField(
        label=_("Báo cáo tóm tắt"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Viết sẵn từ số liệu; có thể sửa, bổ sung. Không ghi tên người được giúp đỡ: "
            "báo cáo gửi lên cấp trên."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận số liệu trên là đúng và nộp báo cáo kỳ này."),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận trước khi nộp.")},
    )
