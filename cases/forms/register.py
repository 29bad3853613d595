"""Forms of the ward's register: filters, person files, enrolments and assignments.

Every form takes `user=` and the ward the page works on, and narrows each choice to the
persons, areas and members of that ward (and of the wards merged into it) that the user may
edit, so a crafted POST naming another ward's person or member is refused by the form before
any service runs. Dates and domain rules are checked again by `cases.services`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Assignment, Club, Enrollment, Person, Programme
from cases.rules import ward_on
from wards.access import access_for
from wards.forms import (
    DateField,
    DateInput,
    MemberForm,
    ModelMultipleChoiceField,
    TextField,
    formfield,
    not_in_future,
)
from wards.models import AdminUnit, Area, Member
from wards.versions import Versioned, VersionField


def ward_scope(user, ward: AdminUnit) -> frozenset[int]:
    """The ward and the wards merged into it, as far as `user` may edit persons there."""
    access = access_for(user)
    editable = access.unit_ids("person_edit")
    grant = next((g for g in access.grants if g.unit is not None and g.unit.pk == ward.pk), None)
    ids = grant.unit_ids if grant else AdminUnit.objects.scope_ids([ward])
    return ids & editable


def ward_persons(user, ward: AdminUnit):
    """The persons of the ward's register that `user` may edit."""
    return Person.objects.editable_by(user).filter(ward__in=ward_scope(user, ward))


def ward_members(user, ward: AdminUnit):
    """Whom a leader may assign: the active members of the ward's active team."""
    return Member.objects.active().filter(
        team__ward=ward,
        team__dissolved_on__isnull=True,
        team__ward_id__in=access_for(user).unit_ids("person_edit"),
    )


class MemberChoiceField(forms.ModelChoiceField):
    """A member by name; a crafted id outside the narrowed queryset gets a plain message."""

    default_error_messages = {
        "invalid_choice": _("Chỉ chọn được thành viên đang tham gia Đội của xã, phường này.")
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", _("Chọn thành viên"))
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Member) -> str:
        return obj.full_name


# The register's filters ---------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    """The register's filters, read from GET: none of them is personal data."""

    STATUS_ACTIVE, STATUS_CLOSED, STATUS_ALL = "", "da_dong", "tat_ca"
    MONTH_THIS, MONTH_LAST, DAYS_30 = "thang_nay", "thang_truoc", "30_ngay"
    UNASSIGNED = "chua"

    tinh_trang = forms.ChoiceField(
        label=_("Tình trạng hồ sơ"),
        required=False,
        choices=[
            (STATUS_ACTIVE, _("Đang theo dõi")),
            (STATUS_CLOSED, _("Đã đóng hồ sơ")),
            (STATUS_ALL, _("Tất cả")),
        ],
    )
    nhom = forms.ChoiceField(
        label=_("Nhóm"), required=False, choices=[("", _("Tất cả")), *Person.Group.choices]
    )
    chuong_trinh = forms.ModelChoiceField(
        label=_("Đang tham gia chương trình, biện pháp"),
        required=False,
        queryset=Programme.objects.all(),
        empty_label=_("Tất cả"),
    )
    tnv = forms.ChoiceField(label=_("Người giúp đỡ"), required=False)
    qua_han = forms.BooleanField(label=_("Quá hạn tiếp cận"), required=False)
    het_han = forms.ChoiceField(
        label=_("Hết thời hạn quản lý"),
        required=False,
        choices=[
            ("", _("Không lọc")),
            (MONTH_THIS, _("Trong tháng này")),
            (DAYS_30, _("Trong 30 ngày tới, kể cả đã quá hạn")),
        ],
    )
    tiep_can = forms.ChoiceField(
        label=_("Được tiếp cận"),
        required=False,
        choices=[
            ("", _("Không lọc")),
            (MONTH_THIS, _("Trong tháng này")),
            (MONTH_LAST, _("Trong tháng trước")),
        ],
    )
    moi = forms.BooleanField(label=_("Đưa vào danh sách trong tháng này"), required=False)

    def __init__(self, *args, user, ward: AdminUnit, **kwargs):
        super().__init__(*args, **kwargs)
        scope = ward_scope(user, ward)
        holding = Assignment.objects.open().filter(person__ward__in=scope).values("member_id")
        helpers = Member.objects.filter(team__ward__in=scope).filter(
            Q(left_on__isnull=True, team__dissolved_on__isnull=True) | Q(pk__in=holding)
        )
        self.fields["tnv"].choices = [
            ("", _("Tất cả")),
            (self.UNASSIGNED, _("Chưa phân công")),
            *((str(m.pk), m.full_name) for m in helpers.order_by("full_name", "pk")),
        ]

    def active_count(self) -> int:
        """How many filters are set, for the summary above the list."""
        return sum(bool(v) for v in self.cleaned_data.values())


class RegisterSearchForm(forms.Form):
    """The name search. It is posted, kept in the session and never put in a URL."""

    q = TextField(
        label=_("Tìm theo tên hoặc tên gọi khác"),
        max_length=100,
        required=False,
        help_text=_("Gõ có dấu hoặc không dấu đều được, ví dụ: nguyen van a."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "type": "search"}),
    )


# Person files ------------------------------------------------------------------------------


class PersonForm(forms.ModelForm):
    """Register a person. Consent is an explicit tick, never pre-ticked, with its date."""

    consent = forms.BooleanField(
        label=_(
            "Người này (hoặc người giám hộ) đã được hỏi và đồng ý cho Đội lưu giữ, sử dụng "
            "thông tin của mình"
        ),
        required=False,
    )

    class Meta:
        model = Person
        formfield_callback = formfield
        fields = [
            "full_name",
            "alias",
            "sex",
            "birth_date",
            "birth_year",
            "id_number",
            "phone",
            "address",
            "area",
            "family_contact",
            "group",
            "substances",
            "history_notes",
            "registered_on",
            "consent_on",
        ]
        widgets = {
            "sex": forms.RadioSelect,
            "birth_date": DateInput(),
            "birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "id_number": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "history_notes": forms.Textarea(attrs={"rows": 3}),
            "registered_on": DateInput(),
            "consent_on": DateInput(),
        }
        help_texts = {
            "birth_year": _("Nhập ngày sinh, hoặc chỉ năm sinh nếu không rõ ngày."),
            "consent_on": _("Ngày người này đồng ý."),
        }
        error_messages = {
            "consent_on": {"required": _("Nhập ngày người này đồng ý.")},
            "group": {"required": _("Chọn nhóm của người này.")},
            "sex": {"required": _("Chọn giới tính.")},
        }

    # The consent tick just before its date; `version` (PersonEditForm) last.
    field_order = [*Meta.fields[:-1], "consent", "consent_on", "version"]

    def __init__(self, *args, user, ward: AdminUnit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(
            ward=ward, ward__in=access_for(user).unit_ids("person_edit")
        )
        self.fields["area"].empty_label = _("Chưa xác định")
        self.fields["sex"].choices = Person.Sex.choices  # radio buttons: no blank choice
        if not self.instance.pk:
            self.fields["registered_on"].initial = timezone.localdate()

    clean_phone = MemberForm.clean_phone

    def clean_full_name(self):
        name = " ".join(self.cleaned_data["full_name"].split())
        if len(name) < 2:
            raise forms.ValidationError(_("Nhập họ và tên đầy đủ."))
        return name

    def clean_id_number(self):
        number = self.cleaned_data["id_number"].replace(" ", "")
        if number and not (number.isdigit() and len(number) in (9, 12)):
            raise forms.ValidationError(
                _("Số định danh (CCCD) gồm 12 chữ số; chứng minh nhân dân cũ gồm 9 chữ số.")
            )
        return number

    def clean_consent(self):
        if not self.cleaned_data["consent"]:
            raise forms.ValidationError(
                _(
                    "Chưa ghi nhận sự đồng ý. Chỉ đưa một người vào danh sách khi người đó đã "
                    "đồng ý cho Đội lưu giữ và sử dụng thông tin của mình."
                )
            )
        return True

    def clean(self):
        cleaned = super().clean()
        birth_date, birth_year = cleaned.get("birth_date"), cleaned.get("birth_year")
        this_year = timezone.localdate().year
        if birth_year is not None and not 1900 <= birth_year <= this_year:
            self.add_error("birth_year", _("Năm sinh không hợp lệ."))
        elif birth_date and birth_year and birth_year != birth_date.year:
            self.add_error("birth_year", _("Năm sinh không khớp với ngày sinh."))
        elif birth_date:
            cleaned["birth_year"] = birth_date.year
        return cleaned


class PersonEditForm(PersonForm):
    """Correct a person's file. `version` is the one the form was built on, so a save over
    somebody else's change is refused (services.person_update).

    A change of group is dated and explained (the person's group history): the day it took
    effect, today unless dated back to correct the current group, and why. The page shows
    both boxes only once the group is changed (static/js/person_form.js); without the script
    they stay in sight, and the service ignores them when the group stays the same."""

    consent = None
    group_since = DateField(
        label=_("Từ ngày"),
        required=False,
        validators=[not_in_future],
        help_text=_(
            "Khi đổi nhóm: ngày người này chuyển sang nhóm mới (để trống là hôm nay; chọn ngày "
            "trước đó nếu nhóm cũ đã ghi sai từ ngày ấy). Giữ nguyên nhóm: chọn ngày để sửa "
            "ngày bắt đầu của nhóm hiện tại."
        ),
    )
    group_reason = TextField(
        label=_("Lý do thay đổi nhóm"),
        max_length=300,
        required=False,
        help_text=_("Bắt buộc khi đổi nhóm, ví dụ: kết quả xét nghiệm, quyết định của cơ quan."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    field_order = [
        *PersonForm.Meta.fields[: PersonForm.Meta.fields.index("group") + 1],
        "group_since",
        "group_reason",
        *PersonForm.Meta.fields[PersonForm.Meta.fields.index("group") + 1 :],
        "version",
    ]


class DuplicateConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Vẫn đăng ký người mới"), required=False)


class PersonCloseForm(Versioned, forms.Form):
    closed_on = DateField(label=_("Ngày đóng hồ sơ"))
    reason = forms.ChoiceField(
        label=_("Lý do"), choices=Person.ClosedReason.choices, widget=forms.RadioSelect
    )
    version = VersionField()  # the person's, as the page showed it (wards.versions)

    def __init__(self, *args, version: int | None = None, **kwargs):
        kwargs.setdefault("initial", {"closed_on": timezone.localdate(), "version": version})
        super().__init__(*args, **kwargs)


class PersonReopenForm(Versioned, forms.Form):
    """The «Mở lại hồ sơ» button: the version of the file the page showed (wards.versions)."""

    version = VersionField()


# Enrolments ---------------------------------------------------------------------------------


class EnrollmentForm(forms.ModelForm):
    class Meta:
        model = Enrollment
        formfield_callback = formfield
        fields = ["programme", "club", "started_on", "due_on", "decision_no", "decision_on"]
        widgets = {
            "started_on": DateInput(),
            "due_on": DateInput(),
            "decision_on": DateInput(),
        }
        help_texts = {
            "due_on": _("Để trống để tính theo thời hạn mặc định của chương trình."),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.active()
        self._club_field()

    def _club_field(self) -> None:
        """The clubs of the person's ward (and of the wards merged into it) that run a club
        programme; no field when the ward has none (services.enrollment_start checks the rest)."""
        person = self.instance.person if self.instance.person_id else None
        clubs = Club.objects.none()
        if person is not None:
            clubs = Club.objects.filter(
                # the ward the file belongs to today, for a file registered before a merger
                ward__in=AdminUnit.objects.scope_ids([ward_on(person.ward, datetime.date.max)]),
                programme__category=Programme.Category.CLUB,
            ).select_related("programme")
        if not clubs.exists():
            del self.fields["club"]
            return
        field = self.fields["club"]
        field.queryset = clubs.order_by("closed_on", "name", "pk")
        field.empty_label = _("Không qua câu lạc bộ")
        field.help_text = _("Chỉ chọn khi người này tham gia chương trình qua một câu lạc bộ.")
        field.label_from_instance = _club_label
        field.error_messages["invalid_choice"] = _(
            "Chỉ chọn được câu lạc bộ của xã, phường nơi người này được quản lý."
        )

    def clean(self):
        cleaned = super().clean()
        club, programme = cleaned.get("club"), cleaned.get("programme")
        if club is not None and programme is not None and club.programme_id != programme.pk:
            self.add_error(
                "club",
                _("Câu lạc bộ «%(club)s» sinh hoạt theo chương trình «%(programme)s».")
                % {"club": club.name, "programme": club.programme},
            )
        return cleaned


def _club_label(club: Club) -> str:
    if club.closed_on is not None:
        return _("%(name)s (đã ngừng hoạt động từ %(date)s)") % {
            "name": club.name,
            "date": f"{club.closed_on:%d/%m/%Y}",
        }
    return club.name  # the programme is chosen just above


class EnrollmentEndForm(Versioned, forms.Form):
    ended_on = DateField(label=_("Ngày kết thúc"))
    reason = forms.ChoiceField(
        label=_("Lý do kết thúc"),
        choices=Enrollment.EndReason.choices,
        widget=forms.RadioSelect,
    )
    version = VersionField()  # the enrolment's, as the page showed it (wards.versions)

    def __init__(self, *args, version: int | None = None, **kwargs):
        kwargs.setdefault("initial", {"ended_on": timezone.localdate(), "version": version})
        super().__init__(*args, **kwargs)


# Assignments --------------------------------------------------------------------------------


class ReassignForm(forms.Form):
    """Give several persons to one member in one step (services.assignment_reassign_many)."""

    persons = ModelMultipleChoiceField(
        label=_("Người được hỗ trợ"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Chọn ít nhất một người để phân công."),
            "invalid_choice": _(
                "Có người được chọn không thuộc danh sách đang theo dõi của xã, phường này."
            ),
        },
    )
    member = MemberChoiceField(
        label=_("Giao cho thành viên"),
        queryset=Member.objects.none(),
    )
    started_on = DateField(label=_("Từ ngày"))

    # One hidden «person-assignment» pair per row: the open assignment the page showed (0: none),
    # so a second tab's older copy cannot silently replace a reassignment made since.
    SEEN = "da_thay"

    def __init__(self, *args, user, ward: AdminUnit, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = ward_persons(user, ward).active()
        self.fields["member"].queryset = ward_members(user, ward)

    def clean(self):
        cleaned = super().clean()
        seen: dict[int, int | None] = {}
        for pair in self.data.getlist(self.SEEN) if hasattr(self.data, "getlist") else ():
            person, _dash, assignment = str(pair).partition("-")
            if person.isdigit() and assignment.isdigit() and len(pair) <= 40:
                seen[int(person)] = int(assignment) or None
        # a person ticked without what the page showed (an old page, a script) is checked
        # against the assignment open when the request arrives, as before
        cleaned["seen"] = seen
        return cleaned


class HandoverForm(forms.Form):
    """Pass everyone a member follows to another member (services.assignment_handover)."""

    from_member = MemberChoiceField(
        label=_("Thành viên bàn giao"),
        queryset=Member.objects.none(),
        help_text=_("Những người đang được thành viên này giúp đỡ sẽ chuyển sang người nhận."),
        error_messages={
            "invalid_choice": _("Chỉ chọn được thành viên đang giúp đỡ người của xã, phường này.")
        },
    )
    to_member = MemberChoiceField(
        label=_("Thành viên nhận"),
        queryset=Member.objects.none(),
    )
    started_on = DateField(label=_("Từ ngày"))

    def __init__(self, *args, user, ward: AdminUnit, **kwargs):
        kwargs.setdefault("initial", {"started_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        holding = Assignment.objects.open().filter(person__in=ward_persons(user, ward))
        self.fields["from_member"].queryset = (
            Member.objects.visible_to(user)
            .filter(pk__in=holding.values("member_id"))
            .order_by("full_name", "pk")
        )
        self.fields["to_member"].queryset = ward_members(user, ward)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("from_member") and cleaned.get("from_member") == cleaned.get("to_member"):
            self.add_error("to_member", _("Hãy chọn một thành viên khác để bàn giao."))
        return cleaned
