"""The form a supervisor uses for the trainings and seminars their department runs at its own
unit (a district or a province): the date, the kind, the figures, the place and a note. No team
members, persons or club: those are a ward's (services._check_department), and a supervisor
never sees names.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outreach.forms.activities import ActivityForm, FiguresMixin, UnitChoiceField
from outreach.models import Activity
from wards.access import Grant
from wards.forms import not_in_future
from wards.models import AdminUnit
from wards.versions import Versioned, VersionField


def department_units(grant: Grant) -> list[AdminUnit]:
    """The units where the department records: the unit of the post and the units of its level
    merged into it (a province formed by a merger keeps its predecessors' notebook), current
    ones first."""
    units = AdminUnit.objects.filter(pk__in=grant.unit_ids, level=grant.unit.level)
    return sorted(units, key=lambda u: (u.valid_until is not None, u.name))


def _shared(name: str) -> forms.Field:
    """A field as the team's form declares it (forms copy their fields on every instance)."""
    return ActivityForm.base_fields[name]


class DepartmentActivityForm(Versioned, FiguresMixin, forms.Form):
    """One training or seminar of the department, new or corrected (with its version)."""

    unit = UnitChoiceField(label=_("Đơn vị"), queryset=AdminUnit.objects.none(), empty_label=None)
    kind = forms.ChoiceField(
        label=_("Loại hoạt động"),
        choices=[(k.value, k.label) for k in Activity.UNIT_KINDS],
        error_messages={
            "required": _("Hãy chọn loại hoạt động."),
            "invalid_choice": _("Đơn vị chỉ ghi được tập huấn hoặc tọa đàm, đối thoại."),
        },
    )
    occurred_on = _shared("occurred_on")
    title = _shared("title")
    sessions = _shared("sessions")
    participants = _shared("participants")
    place = _shared("place")
    note = _shared("note")
    version = VersionField()

    def __init__(self, *args, grant: Grant, activity: Activity | None = None, **kwargs):
        if activity is not None:
            kwargs.setdefault(
                "initial",
                {
                    name: getattr(activity, name)
                    for name in (
                        "kind",
                        "occurred_on",
                        "title",
                        "sessions",
                        "participants",
                        "place",
                        "note",
                        "version",
                    )
                }
                | {"unit": activity.unit_id},
            )
        else:
            defaults = {"occurred_on": timezone.localdate(), "unit": grant.unit.pk}
            kwargs["initial"] = {**defaults, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.single_unit = self.fields["unit"].offer(department_units(grant)) == 1
        if activity is None:
            del self.fields["version"]

    def clean_occurred_on(self):
        return not_in_future(self.cleaned_data["occurred_on"])

    def clean(self):
        cleaned = super().clean()
        self._clean_figures(cleaned)
        return cleaned
