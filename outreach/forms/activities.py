"""The activity form that adapts to the kind, the notebook grid and the list's filters.

Every choice is narrowed to the user: units they do casework in, members of those units'
teams, persons they may see on those units' registers, partners they may see. The services
check the same rules again, so a crafted POST cannot go further than the form offers.
What each kind records is `Activity.FIELDS`, checked here by `figure_errors` so the message
sits next to the right box; the form's script only hides what the kind does not use.
"""

from __future__ import annotations

import json

from django import forms
from django.db.models import F, Q, QuerySet
from django.forms.models import ModelChoiceIteratorValue
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Club, Person
from outreach.models import Activity, Partner, figure_errors
from outreach.unseen import RELATIONS, unseen
from wards.access import access_for
from wards.forms import (
    DateField,
    DateInput,
    ModelMultipleChoiceField,
    NotesField,
    TextField,
    not_in_future,
)
from wards.models import AdminUnit, Member
from wards.versions import Versioned, VersionField

NUMBER = {"inputmode": "numeric", "min": "0"}


def count_field(label, help_text="") -> forms.IntegerField:
    """An optional figure: a whole number, zero or more (participants, items, minutes)."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text=help_text,
        error_messages={"min_value": _("Số này không được âm.")},
    )


def kind_choices(blank: bool = False) -> list:
    """The kinds grouped as the menu shows them (optgroups)."""
    groups = [(group, [(k.value, k.label) for k in kinds]) for group, kinds in Activity.MENU]
    return [("", _("— Chọn loại hoạt động —")), *groups] if blank else groups


def kind_spec() -> str:
    """What each kind asks for, for the form's script: {kind: {required, optional, labels}}."""
    spec = {}
    for kind, figures in Activity.FIELDS.items():
        spec[kind] = {
            "required": sorted(figures.required),
            "optional": sorted(figures.optional),
            "participants": str(figures.participants_label or _("Số người tham dự")),
            "items": str(figures.items_label or _("Số lượng")),
        }
    return json.dumps(spec, ensure_ascii=False)


def activity_units(user) -> list[AdminUnit]:
    """The communes where the user records activities: their wards and the wards merged into
    them (a leader typing in the notebook of a ward before the merger), current ones first."""
    ids = access_for(user).unit_ids("casework")
    units = AdminUnit.objects.filter(pk__in=ids, level=AdminUnit.Level.COMMUNE)
    return sorted(units, key=lambda u: (u.valid_until is not None, u.name))


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit: AdminUnit) -> str:
        if unit.valid_until:
            return _("%(name)s (đến %(date)s)") % {
                "name": unit.name,
                "date": unit.valid_until.strftime("%d/%m/%Y"),
            }
        return unit.name

    def offer(self, units: list[AdminUnit]) -> int:
        """Offer `units` in their order; how many there are (one: the form hides the field)."""
        self.queryset = AdminUnit.objects.filter(pk__in=[u.pk for u in units])
        self.choices = [(u.pk, self.label_from_instance(u)) for u in units]
        return len(units)


class ClubSelect(forms.Select):
    """A club's founding and last day on its option, so the form's script offers only the
    clubs holding on the chosen date (the server checks it again)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        club = getattr(value, "instance", None)
        if club is not None:
            option["attrs"]["data-founded"] = club.founded_on.isoformat()
            if club.closed_on:
                option["attrs"]["data-closed"] = club.closed_on.isoformat()
        return option


class ClubChoiceField(forms.ModelChoiceField):
    widget = ClubSelect

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Club.objects.none(),
            required=False,
            label=_("Câu lạc bộ"),
            empty_label=_("— Không ghi câu lạc bộ —"),
            help_text=_("Chỉ với sinh hoạt câu lạc bộ: câu lạc bộ đang hoạt động vào ngày đó."),
            error_messages={"invalid_choice": _("Hãy chọn một câu lạc bộ của xã, phường này.")},
            **kwargs,
        )

    def offer(self, clubs: list[Club]) -> bool:
        """Offer `clubs`, read once (the page asks whether there are any, then draws them);
        whether there are any."""
        self.choices = [
            ("", self.empty_label),
            *((ModelChoiceIteratorValue(c.pk, c), self.label_from_instance(c)) for c in clubs),
        ]
        return bool(clubs)

    def label_from_instance(self, club: Club) -> str:
        if club.closed_on:
            return _("%(name)s (đến %(date)s)") % {
                "name": club.name,
                "date": club.closed_on.strftime("%d/%m/%Y"),
            }
        return club.name


def club_choices(scope: frozenset[int], keep: int | None = None) -> QuerySet:
    """The clubs a session of the unit may belong to: those of the unit and of the wards merged
    into it, founded by today (and `keep`, the club already on the entry); open ones first.
    Whether a club holds on the session's own day is checked when the form is cleaned."""
    wanted = Q(ward__in=scope, founded_on__lte=timezone.localdate())
    if keep is not None:
        wanted |= Q(pk=keep)
    return Club.objects.filter(wanted).order_by(F("closed_on").desc(nulls_first=True), "name", "pk")


def check_club(form: forms.Form, cleaned: dict) -> None:
    """The chosen club belongs to the chosen unit and holds on the session's day."""
    club, unit, day = cleaned.get("club"), cleaned.get("unit"), cleaned.get("occurred_on")
    if club is None or day is None:
        return
    if unit is not None and club.ward_id not in AdminUnit.objects.scope_ids([unit]):
        form.add_error("club", _("Câu lạc bộ không thuộc %(unit)s.") % {"unit": unit.name})
    elif not (club.founded_on <= day and (club.closed_on is None or day <= club.closed_on)):
        form.add_error(
            "club",
            _("Câu lạc bộ «%(club)s» không hoạt động vào ngày %(date)s.")
            % {"club": club.name, "date": day.strftime("%d/%m/%Y")},
        )


class FiguresMixin:
    """The figure fields shared by the full form and the notebook grid, and their check."""

    def _clean_figures(self, cleaned: dict, persons: list | tuple = ()) -> None:
        kind = cleaned.get("kind")
        if not kind:
            return
        sessions = cleaned.get("sessions") or 1
        each = cleaned.get("minutes_each")
        if persons and cleaned.get("participants") is None:
            cleaned["participants"] = len(persons)
        values = {
            "participants": cleaned.get("participants"),
            "items": cleaned.get("items"),
            "minutes": each * sessions if each is not None else None,
            "place": cleaned.get("place", ""),
            "title": cleaned.get("title", ""),
            "sessions": sessions,
        }
        if "persons" in self.fields:
            values["persons"] = list(persons)
        if "club" in self.fields:
            values["club"] = cleaned.get("club")
        for name, message in figure_errors(kind, values).items():
            name = "minutes_each" if name == "minutes" else name
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
            elif name not in self.fields:
                self.add_error(None, message)

    def activity_fields(self) -> dict:
        """The cleaned data as the services take it (minutes as the line's total)."""
        c = self.cleaned_data
        each = c.get("minutes_each")
        fields = {
            "occurred_on": c["occurred_on"],
            "kind": c["kind"],
            "title": c.get("title", ""),
            "sessions": c.get("sessions") or 1,
            "participants": c.get("participants"),
            "items": c.get("items"),
            "minutes": each * (c.get("sessions") or 1) if each is not None else None,
            "place": c.get("place", ""),
        }
        for name in ("audience", "note"):
            if name in self.fields:
                fields[name] = c.get(name, "")
        if "club" in self.fields:
            fields["club"] = c.get("club")
        return fields


class ActivityForm(Versioned, FiguresMixin, forms.Form):
    """One activity, new or corrected.

    On a correction, what is already on the activity stays choosable when the user may see it
    (a member who left since, a file closed since). What they may not see (a person of the
    ward a leader added to a volunteer's club session, who is not assigned to her) is never
    offered or named: the page says only how many others there are («và 3 người khác»), her
    save keeps them (services.activity_update) and she cannot untick them. Nor can she delete
    the activity: that would erase records she cannot see, so the page sends her to the
    leader instead (services.activity_delete refuses too). She still corrects its date, place
    and figures, which are her own entry.

    A correction carries the version it was built on (`version`, wards.versions).
    """

    unit = UnitChoiceField(
        label=_("Xã, phường"),
        queryset=AdminUnit.objects.none(),
        empty_label=None,
        help_text=_("Chọn phường cũ khi ghi hoạt động trước ngày sáp nhập."),
    )
    kind = forms.ChoiceField(
        label=_("Loại hoạt động"),
        error_messages={"required": _("Hãy chọn loại hoạt động.")},
    )
    occurred_on = DateField(
        label=_("Ngày"),
        error_messages={"required": _("Hãy nhập ngày."), "invalid": _("Ngày không hợp lệ.")},
    )
    sessions = forms.IntegerField(
        label=_("Số cuộc, buổi, lần"),
        min_value=1,
        initial=1,
        widget=forms.NumberInput(attrs={**NUMBER, "min": "1"}),
        help_text=_("Ghi gộp nhiều buổi giống nhau thành một dòng, ví dụ 35 lần phát thanh."),
        error_messages={
            "min_value": _("Số cuộc, buổi phải từ 1 trở lên."),
            "required": _("Hãy nhập số cuộc, buổi."),
        },
    )
    participants = count_field(
        _("Số người tham dự"), help_text=_("Tổng số lượt người của tất cả các buổi.")
    )
    items = count_field(_("Số lượng"))
    minutes_each = count_field(_("Thời lượng mỗi lần (phút)"))
    place = TextField(
        label=_("Địa điểm, trường học"),
        required=False,
        max_length=200,
        help_text=_("Với buổi tại trường học, ghi tên trường."),
    )
    title = TextField(label=_("Nội dung, chủ đề"), required=False, max_length=255)
    audience = TextField(
        label=_("Đối tượng tham dự"),
        required=False,
        max_length=200,
        help_text=_("Ví dụ: học sinh THCS, hội viên phụ nữ, thanh niên."),
    )
    members = ModelMultipleChoiceField(
        label=_("Thành viên Đội tham gia"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    persons = ModelMultipleChoiceField(
        label=_("Người được hỗ trợ tham dự"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chỉ với sinh hoạt câu lạc bộ, nhóm."),
    )
    club = ClubChoiceField()
    partners = ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = NotesField(
        label=_("Ghi chú"),
        required=False,
        max_length=Activity._meta.get_field("note").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def __init__(
        self,
        *args,
        user,
        unit: AdminUnit,
        scope_ids: frozenset[int] | None = None,
        activity: Activity | None = None,
        **kwargs,
    ):
        """`scope_ids`: the unit and the units merged into it, when the caller has them."""
        # what is on the activity that the user may not see: kept, counted, never named
        hidden = {
            name: set(unseen(user, activity, name).values_list("pk", flat=True))
            if activity
            else set()
            for name in RELATIONS
        }
        if activity is not None:
            kwargs.setdefault("initial", _initial(activity, hidden))
        else:
            defaults = {"occurred_on": timezone.localdate(), "unit": unit.pk}
            kwargs["initial"] = {**defaults, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.single_unit = self.fields["unit"].offer(activity_units(user)) == 1
        if activity is None:
            del self.fields["version"]
        self.fields["kind"].choices = kind_choices(blank=True)
        scope = AdminUnit.objects.scope_ids([unit]) if scope_ids is None else scope_ids
        members = Member.objects.visible_to(user).filter(team__ward__in=scope).active()
        persons = Person.objects.visible_to(user).filter(ward__in=scope).active()
        partners = Partner.objects.visible_to(user).active().serving(unit, scope_ids=scope)
        self.fields["members"].queryset = _choosable(members, activity, "members", user)
        self.fields["persons"].queryset = _choosable(persons, activity, "persons", user)
        self.fields["partners"].queryset = _choosable(partners, activity, "partners", user)
        self._offer_clubs(user, scope, activity)
        self.unseen = {name: len(ids) for name, ids in hidden.items()}
        self.kind_spec = kind_spec()

    def _offer_clubs(self, user, scope: frozenset[int], activity: Activity | None) -> None:
        """The clubs the user may see (cases.Club.visible_to: leaders and officers). A club
        already on the entry that the user may not see is kept: the field is dropped, so a
        save leaves it as it is (services.activity_update changes only what it is given)."""
        keep = activity.club_id if activity else None
        visible = Club.objects.visible_to(user)
        if keep is not None and not visible.filter(pk=keep).exists():
            del self.fields["club"]
            self.has_clubs = False
            return
        field = self.fields["club"]
        field.queryset = club_choices(scope, keep).filter(pk__in=visible.values("pk"))
        self.has_clubs = field.offer(list(field.queryset))

    def clean_occurred_on(self):
        return not_in_future(self.cleaned_data["occurred_on"])

    @property
    def has_unseen(self) -> bool:
        return any(self.unseen.values())

    def clean(self):
        cleaned = super().clean()
        kind, kept = cleaned.get("kind"), self.unseen["persons"]
        if kept and kind in Activity.FIELDS and "persons" not in Activity.FIELDS[kind].allowed:
            self.add_error(
                "persons",
                _(
                    "Hoạt động này có người tham dự do người khác ghi, nên không đổi được sang "
                    "loại «%(kind)s». Hãy nhờ đội trưởng hoặc cán bộ xã, phường sửa."
                )
                % {"kind": Activity.Kind(kind).label},
            )
        # the attendees kept count too (a club session's participants default to them all)
        self._clean_figures(cleaned, [*(cleaned.get("persons") or ()), *([None] * kept)])
        if "club" not in self.errors:
            check_club(self, cleaned)
        return cleaned


def _choosable(queryset: QuerySet, activity: Activity | None, relation: str, user) -> QuerySet:
    """The choices, plus the rows already on the activity that the user may see (a member who
    left since, a file closed since) so that editing an old entry does not drop them. Rows the
    user may not see are not offered: the service keeps them (outreach.unseen)."""
    if activity is None:
        return queryset
    current = getattr(activity, relation).values("pk")
    seen = queryset.model.objects.visible_to(user).filter(pk__in=current)
    return (queryset | seen).distinct()


def _initial(activity: Activity, hidden: dict[str, set[int]]) -> dict:
    return {
        "unit": activity.unit_id,
        "kind": activity.kind,
        "occurred_on": activity.occurred_on,
        "sessions": activity.sessions,
        "participants": activity.participants,
        "items": activity.items,
        "minutes_each": activity.minutes_each,
        "place": activity.place,
        "title": activity.title,
        "audience": activity.audience,
        "note": activity.note,
        "club": activity.club_id,
        "version": activity.version,
        **{
            name: [
                pk
                for pk in getattr(activity, name).values_list("pk", flat=True)
                if pk not in hidden[name]
            ]
            for name in RELATIONS
        },
    }


class ActivityDeleteForm(Versioned, forms.Form):
    """Deleting an activity: the version the confirmation page showed (wards.versions)."""

    version = VersionField()


class ActivityRowForm(FiguresMixin, forms.Form):
    """One line of the notebook grid: the figures, without lists of people."""

    occurred_on = DateField(label=_("Ngày"))
    kind = forms.ChoiceField(label=_("Loại hoạt động"))
    sessions = forms.IntegerField(
        label=_("Số buổi"),
        min_value=1,
        required=False,
        widget=forms.NumberInput(attrs={**NUMBER, "min": "1", "placeholder": "1"}),
        error_messages={"min_value": _("Số cuộc, buổi phải từ 1 trở lên.")},
    )
    participants = count_field(_("Số người"))
    items = count_field(_("Số lượng"))
    minutes_each = count_field(_("Phút mỗi lần"))
    place = TextField(label=_("Địa điểm, trường"), required=False, max_length=200)
    title = TextField(label=_("Nội dung"), required=False, max_length=255)
    club = ClubChoiceField()

    def __init__(self, *args, clubs: QuerySet | None = None, offered: list | None = None, **kwargs):
        """`clubs`: the clubs a line may name and `offered`, the same read once for every line
        of the grid (batch_clubs); none: the grid has no club column."""
        super().__init__(*args, **kwargs)
        if offered:
            self.fields["club"].queryset = clubs
            self.fields["club"].offer(offered)
        else:
            del self.fields["club"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = css
        self.fields["kind"].choices = kind_choices(blank=True)
        self.fields["kind"].error_messages["required"] = _("Hãy chọn loại hoạt động.")
        self.fields["occurred_on"].error_messages["required"] = _("Hãy nhập ngày.")
        self.fields["occurred_on"].error_messages["invalid"] = _("Ngày không hợp lệ.")

    def clean_occurred_on(self):
        return not_in_future(self.cleaned_data["occurred_on"])

    def clean(self):
        cleaned = super().clean()
        self._clean_figures(cleaned)
        if "club" in self.fields and "club" not in self.errors:
            check_club(self, cleaned)  # the unit's own clubs: the choices and the service
        return cleaned


def batch_clubs(user, scope: frozenset[int]) -> dict:
    """The notebook grid's clubs, read once for all its lines (form_kwargs of row_formset)."""
    clubs = club_choices(scope).filter(pk__in=Club.objects.visible_to(user).values("pk"))
    return {"clubs": clubs, "offered": list(clubs)}


class BaseRowFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Chưa có dòng nào được nhập."))


def row_formset(rows: int) -> type[BaseRowFormSet]:
    """The grid with `rows` blank lines (more can be posted, up to `max_rows`)."""
    return forms.formset_factory(
        ActivityRowForm, formset=BaseRowFormSet, extra=rows, max_num=MAX_ROWS, absolute_max=MAX_ROWS
    )


MAX_ROWS = 96


class BatchUnitForm(forms.Form):
    unit = UnitChoiceField(
        label=_("Xã, phường"),
        queryset=AdminUnit.objects.none(),
        empty_label=None,
        help_text=_("Chọn phường cũ khi nhập sổ của thời gian trước ngày sáp nhập."),
    )

    def __init__(self, *args, user, unit: AdminUnit, **kwargs):
        kwargs.setdefault("initial", {"unit": unit.pk})
        super().__init__(*args, **kwargs)
        self.single_unit = self.fields["unit"].offer(activity_units(user)) == 1


class ActivityFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Loại hoạt động"), required=False)
    start = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput())
    member = forms.ModelChoiceField(
        label=_("Thành viên tham gia"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("Tất cả"),
    )

    def __init__(self, *args, user, unit_ids: frozenset[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Tất cả")), *kind_choices()]
        members = Member.objects.visible_to(user).filter(team__ward__in=unit_ids)
        self.fields["member"].queryset = members.order_by("left_on", "full_name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Ngày kết thúc không được trước ngày bắt đầu."))
        return cleaned
