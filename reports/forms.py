from django import forms
from django.utils.translation import gettext_lazy as _

from reports.snapshot import EXPLAIN, EXPLANATION_MAX

SECTION_MAX = 10_000


def _section(label, help_text="", rows=4, max_length=SECTION_MAX):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


class SubmissionForm(forms.Form):
    """The document as it will be filed: the narrative (prefilled from the figures, editable),
    the optional sections after it, «Nơi nhận» and «Số»; a one-line explanation for each
    finding of the checks (`findings`, reports.checks); and the leader's confirmation. The
    figures themselves are not a field: they are computed."""

    narrative = _section(
        _("Tình hình, kết quả chung"),
        _(
            "Viết sẵn từ số liệu; có thể sửa, bổ sung. Không ghi tên người được giúp đỡ: "
            "báo cáo gửi lên cấp trên."
        ),
        rows=8,
    )
    evaluation = _section(_("Đánh giá"), _("Ưu điểm, hạn chế và nguyên nhân (không bắt buộc)."))
    next_tasks = _section(_("Phương hướng, nhiệm vụ kỳ tới"), _("Không bắt buộc."))
    recommendations = _section(_("Kiến nghị"), _("Không bắt buộc."), rows=3)
    proposals = _section(_("Đề xuất"), _("Không bắt buộc."), rows=3)
    recipients = _section(
        _("Nơi nhận"), _("Mỗi dòng một nơi nhận, như cuối văn bản."), rows=3, max_length=2_000
    )
    number = forms.CharField(
        label=_("Số văn bản"),
        required=False,
        max_length=40,
        help_text=_("Ví dụ 12/BC-ĐCTXHTN; để trống nếu văn thư ghi số sau."),
    )
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận số liệu trên là đúng và nộp báo cáo kỳ này."),
        error_messages={"required": _("Hãy đánh dấu ô xác nhận trước khi nộp.")},
    )

    def __init__(self, *args, findings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.findings = list(findings)
        for finding in self.findings:
            self.fields[EXPLAIN % finding.code] = forms.CharField(
                label=_("Giải trình"),
                max_length=EXPLANATION_MAX,
                error_messages={
                    "required": _(
                        "Hãy giải trình ngắn (một dòng) cho mục này, hoặc sửa số liệu rồi tải "
                        "lại trang."
                    )
                },
            )

    @property
    def checks(self) -> list[tuple]:
        """Each finding with its explanation field, in the checks' order."""
        return [(finding, self[EXPLAIN % finding.code]) for finding in self.findings]

    def explanations(self) -> dict[str, str]:
        return {f.code: self.cleaned_data.get(EXPLAIN % f.code, "") for f in self.findings}


class ReviewForm(forms.Form):
    """The reviewer's decision on the latest version: approve (an optional remark) or return
    (the reason required, checked by the service)."""

    APPROVE, RETURN = "duyet", "tra-lai"

    reason = forms.CharField(
        label=_("Lý do trả lại, hoặc nhận xét khi duyệt"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi trả lại: ghi rõ cần sửa gì. Không ghi tên người được giúp đỡ."),
    )
    decision = forms.ChoiceField(
        choices=[(APPROVE, _("Duyệt")), (RETURN, _("Trả lại"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Hãy chọn Duyệt hoặc Trả lại.")},
    )
