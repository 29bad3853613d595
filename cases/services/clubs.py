"""Writes of a ward's clubs: founding one, correcting its name or founding day, closing it.

A club (INDICATORS.md, programmes) is a named group of one ward running one programme of the
club category. Its members are the persons enrolled through it (`Enrollment.club`, set by
`enrollment_start`); its sessions are `club_session` activities linked to it. Unlike the other
casework services, these check the actor's access themselves: a club belongs to a ward, not to
a person whose file the caller has already looked up, so only leaders and commune officers of
the club's ward (`person_edit`) may found, correct or close it (PermissionDenied otherwise).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Club, Enrollment, Programme
from cases.rules import dmy, refuse_future
from cases.services._common import _refuse_unknown
from wards.access import access_for
from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent
from wards.versions import bump, refuse_stale

if TYPE_CHECKING:
    from django.contrib.auth.models import User

CLUB_FIELDS = ("name", "founded_on")


def _require_manager(actor: User, ward_id: int) -> None:
    if not access_for(actor).can("person_edit", ward_id):
        raise PermissionDenied


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if len(name) < 2:
        raise ValidationError({"name": _("Nhập tên câu lạc bộ.")})
    return name


def _refuse_taken_name(ward_id: int, name: str, *, exclude: int | None = None) -> None:
    """One name per ward, whatever its letter case: two «CLB B93» would be counted apart."""
    names = Club.objects.filter(ward_id=ward_id).exclude(pk=exclude).values_list("name", flat=True)
    # compared here: SQLite's case-insensitive match knows only ASCII letters («TỔ», «tổ»)
    if name.casefold() in {other.casefold() for other in names}:
        raise ValidationError({"name": _duplicate_name(name)})


def _duplicate_name(name: str) -> ValidationError:
    return ValidationError(
        _("Xã, phường đã có câu lạc bộ tên «%(name)s»; hãy đặt tên khác.") % {"name": name},
        code="unique",
    )


def _save(club: Club, **kwargs) -> None:
    """Save, turning the unique name's violation by a concurrent writer into the message."""
    try:
        with transaction.atomic():
            club.save(**kwargs)
    except IntegrityError:
        raise ValidationError({"name": _duplicate_name(club.name)}) from None


def _stale() -> str:
    return _("Người khác vừa sửa câu lạc bộ này. Hãy tải lại trang để xem thay đổi rồi sửa lại.")


def _lock(club: Club) -> Club:
    """The club row, locked until the transaction ends. FOR NO KEY UPDATE, as for persons
    (cases.services._common._lock): enrolments and sessions referring to the club take FOR KEY
    SHARE on it, which this lock lets through; `enrollment_start` takes the same lock, so a
    member cannot join while the club is being closed."""
    return Club.objects.select_for_update(no_key=True).get(pk=club.pk)


@service
def club_create(
    *,
    actor: User,
    ward: AdminUnit,
    programme: Programme,
    name: str,
    founded_on: datetime.date,
) -> Club:
    """Found a club of `ward` running `programme` (a programme of the club category)."""
    _require_manager(actor, ward.pk)
    if programme.category != Programme.Category.CLUB:
        raise ValidationError(
            {"programme": _("Chỉ chọn được chương trình câu lạc bộ, nhóm hỗ trợ.")}
        )
    if not programme.active:
        raise ValidationError({"programme": _("Chương trình, biện pháp này không còn áp dụng.")})
    name = _clean_name(name)
    refuse_future(founded_on, "founded_on")
    _refuse_outside_ward(ward, founded_on)
    _refuse_taken_name(ward.pk, name)
    club = Club(ward=ward, programme=programme, name=name, founded_on=founded_on, created_by=actor)
    club.full_clean(validate_constraints=False)
    _save(club)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=club,
        unit=ward.pk,
        changes={"programme": programme.pk, "name": name, "founded_on": founded_on},
    )
    return club


def _refuse_outside_ward(ward: AdminUnit, founded_on: datetime.date) -> None:
    """A club is founded in a ward that exists that day: not before a merger formed it, not
    after it was merged into another (the club then belongs to the successor)."""
    if ward.valid_from is not None and founded_on < ward.valid_from:
        raise ValidationError(
            {
                "founded_on": _(
                    "%(ward)s được thành lập từ ngày %(date)s: ngày thành lập câu lạc bộ không "
                    "được trước ngày đó."
                )
                % {"ward": ward.name, "date": dmy(ward.valid_from)}
            }
        )
    if ward.valid_until is not None and founded_on > ward.valid_until:
        raise ValidationError(
            {
                "founded_on": _(
                    "%(ward)s chỉ tồn tại đến ngày %(date)s: hãy thành lập câu lạc bộ ở xã, "
                    "phường sau sắp xếp."
                )
                % {"ward": ward.name, "date": dmy(ward.valid_until)}
            }
        )


def _first_dates(club: Club) -> tuple[datetime.date | None, datetime.date | None]:
    """The first day a member joined the club, and the day of its first session."""
    from outreach.models import Activity

    joined = Enrollment.objects.filter(club=club).aggregate(day=Min("started_on"))["day"]
    met = Activity.objects.filter(club=club).aggregate(day=Min("occurred_on"))["day"]
    return joined, met


@service
def club_update(
    *, actor: User, club: Club, expected_version: int | None = None, **fields: Any
) -> Club:
    """Correct a club's name or founding day; with `expected_version`, not over someone
    else's change (wards.versions). The founding day stays before every member's joining and
    every session."""
    _refuse_unknown(fields, CLUB_FIELDS)
    _require_manager(actor, club.ward_id)
    club = _lock(club)
    refuse_stale(club, expected_version, _stale())
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    changes = diff(club, fields, keep={"founded_on"})
    if not changes:
        return club
    if "name" in changes:
        _refuse_taken_name(club.ward_id, fields["name"], exclude=club.pk)
    if "founded_on" in changes:
        founded_on = fields["founded_on"]
        refuse_future(founded_on, "founded_on")
        _refuse_outside_ward(club.ward, founded_on)
        joined, met = _first_dates(club)
        if joined is not None and founded_on > joined:
            raise ValidationError(
                {
                    "founded_on": _(
                        "Đã có thành viên tham gia câu lạc bộ từ ngày %(date)s: ngày thành lập "
                        "không được sau ngày đó."
                    )
                    % {"date": dmy(joined)}
                }
            )
        if met is not None and founded_on > met:
            raise ValidationError(
                {
                    "founded_on": _(
                        "Câu lạc bộ đã sinh hoạt từ ngày %(date)s: ngày thành lập không được "
                        "sau ngày đó."
                    )
                    % {"date": dmy(met)}
                }
            )
        if club.closed_on is not None and founded_on > club.closed_on:
            raise ValidationError(
                {
                    "founded_on": _(
                        "Ngày thành lập không được sau ngày ngừng hoạt động (%(date)s)."
                    )
                    % {"date": dmy(club.closed_on)}
                }
            )
    for name, value in fields.items():
        setattr(club, name, value)
    club.full_clean(validate_constraints=False)
    _save(club, update_fields=[*changes, bump(club), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=club,
        unit=club.ward_id,
        changes=changes,
    )
    return club


@service
def club_close(
    *,
    actor: User,
    club: Club,
    closed_on: datetime.date,
    expected_version: int | None = None,
) -> Club:
    """Record that a club stopped meeting: `closed_on` is its last day.

    Refused while members still take part in it after that day (enrolments through the club
    open, or ended later): their enrolments are ended first, each with its own reason, so
    that no one is counted a member of a club that no longer exists. Refused, too, when a
    session of the club is recorded after that day.
    """
    from outreach.models import Activity

    _require_manager(actor, club.ward_id)
    club = _lock(club)
    if club.closed_on is not None:
        raise ValidationError(
            _("Câu lạc bộ này đã ngừng hoạt động từ ngày %(date)s.") % {"date": dmy(club.closed_on)}
        )
    refuse_stale(club, expected_version, _stale())
    if closed_on < club.founded_on:
        raise ValidationError(
            {
                "closed_on": _("Ngày ngừng hoạt động không được trước ngày thành lập (%(date)s).")
                % {"date": dmy(club.founded_on)}
            }
        )
    refuse_future(closed_on, "closed_on")
    staying = (
        Enrollment.objects.filter(club=club)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=closed_on))
        .values("person")
        .distinct()
        .count()
    )
    if staying:
        raise ValidationError(
            {
                "closed_on": ngettext(
                    "Còn %(count)s thành viên tham gia câu lạc bộ sau ngày %(date)s. Hãy kết "
                    "thúc lượt tham gia của từng người trước, rồi mới ghi ngừng hoạt động.",
                    "Còn %(count)s thành viên tham gia câu lạc bộ sau ngày %(date)s. Hãy kết "
                    "thúc lượt tham gia của từng người trước, rồi mới ghi ngừng hoạt động.",
                    staying,
                )
                % {"count": staying, "date": dmy(closed_on)}
            }
        )
    later = Activity.objects.filter(club=club, occurred_on__gt=closed_on).count()
    if later:
        raise ValidationError(
            {
                "closed_on": ngettext(
                    "Đã ghi %(count)s buổi sinh hoạt của câu lạc bộ sau ngày %(date)s.",
                    "Đã ghi %(count)s buổi sinh hoạt của câu lạc bộ sau ngày %(date)s.",
                    later,
                )
                % {"count": later, "date": dmy(closed_on)}
            }
        )
    club.closed_on = closed_on
    club.full_clean(validate_constraints=False)
    club.save(update_fields=["closed_on", bump(club), "updated_at"])
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=club,
        unit=club.ward_id,
        changes={"closed_on": closed_on},
    )
    return club
