"""What outreach adds to a person's timeline (cases.views.work.person_timeline): referrals
with their latest status, and the club sessions the person attended."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from cases.models import Person
from cases.views.work import TimelineItem
from outreach.models import Activity, Referral


def money(amount: int) -> str:
    """«110.000.000 đồng», grouped as the interface language groups numbers."""
    return _("%(amount)s đồng") % {"amount": number_format(amount, force_grouping=True)}


def referral_items(user, person: Person) -> Iterable[TimelineItem]:
    referrals = Referral.objects.visible_to(user).filter(person=person).select_related("partner")
    for r in referrals:
        text = _("Giới thiệu %(kind)s") % {"kind": r.get_kind_display().lower()}
        details = [
            _("Trạng thái: %(status)s (%(date)s)")
            % {
                "status": r.get_status_display(),
                "date": date_format(r.status_on, "SHORT_DATE_FORMAT"),
            }
        ]
        if r.partner:
            details.append(_("Đối tác: %(name)s") % {"name": r.partner.name})
        if r.for_household:
            details.append(_("Cho hộ gia đình"))
        if r.amount:
            details.append(_("Số tiền: %(amount)s") % {"amount": money(r.amount)})
        yield TimelineItem(
            r.referred_on, "referral", text, tuple(details), r.created_at, r.get_absolute_url()
        )


def activity_items(user, person: Person) -> Iterable[TimelineItem]:
    activities = Activity.objects.visible_to(user).filter(persons=person)
    for a in activities:
        details = (a.title,) if a.title else ()
        yield TimelineItem(a.occurred_on, "activity", a.get_kind_display(), details, a.created_at)
