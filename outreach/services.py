"""Writes for activities, partners and referrals. Each is atomic, validated and audited.

Audit rows carry ids, dates, kinds, figures and statuses: never the names of the persons who
attended a club session or were referred (their ids only).

Whether the actor may touch the unit or the person at all is the caller's business, through
`visible_to(user)` / `editable_by(user)` and the forms' narrowed choices; the services check
the rules of the domain (dates, figures, who can take part) on every path, so a crafted call
cannot record a person of another ward in an activity.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Club, Person
from cases.services import refuse_future, refuse_outside_file, ward_on
from outreach.models import Activity, Partner, Referral, ReferralStatusChange
from outreach.unseen import has_unseen, unseen
from wards.atomic import service
from wards.audit import audit, diff
from wards.models import AdminUnit, AuditEvent, Member
from wards.versions import bump, refuse_stale

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ACTIVITY_FIELDS = (
    "occurred_on",
    "kind",
    "title",
    "sessions",
    "participants",
    "items",
    "minutes",
    "place",
    "audience",
    "note",
    "club",
)
# Activity fields whose values may enter the audit trail (the rest show as "changed").
AUDITED_ACTIVITY = frozenset(
    {"occurred_on", "kind", "sessions", "participants", "items", "minutes", "unit", "club"}
)
PARTNER_FIELDS = ("name", "kind", "phone", "address", "contact_person", "note", "active")


def _d(day: datetime.date) -> str:
    return day.strftime("%d/%m/%Y")


# Activities ---------------------------------------------------------------------------------


def _check_unit_on(unit: AdminUnit, day: datetime.date, field: str = "occurred_on") -> None:
    """An activity happens in a unit that exists that day: not before it was formed, not after
    it was merged into another (then it belongs to the successor)."""
    if unit.valid_from is not None and day < unit.valid_from:
        raise ValidationError(
            {
                field: _("%(unit)s được thành lập từ ngày %(date)s; không ghi hoạt động trước đó.")
                % {"unit": unit.name, "date": _d(unit.valid_from)}
            }
        )
    if unit.valid_until is not None and day > unit.valid_until:
        successor = unit.successor.name if unit.successor_id else ""
        message = _("%(unit)s chỉ tồn tại đến ngày %(date)s.") % {
            "unit": unit.name,
            "date": _d(unit.valid_until),
        }
        if successor:
            message += " " + _("Hãy ghi hoạt động cho %(successor)s.") % {"successor": successor}
        raise ValidationError({field: message})


def _check_members(unit: AdminUnit, members: Sequence[Member], day: datetime.date) -> None:
    """Members who took part belong to the team of the unit (or of a unit merged into it) and
    were on the team that day."""
    scope = AdminUnit.objects.scope(unit).values("pk")
    ok = set(
        Member.objects.filter(pk__in=[m.pk for m in members], team__ward__in=scope)
        .active(day)
        .values_list("pk", flat=True)
    )
    wrong = [m.full_name for m in members if m.pk not in ok]
    if wrong:
        raise ValidationError(
            {
                "members": _("Không thuộc Đội của %(unit)s vào ngày %(date)s: %(names)s.")
                % {"unit": unit.name, "date": _d(day), "names": ", ".join(wrong)}
            }
        )


def _check_persons(unit: AdminUnit, persons: Sequence[Person], day: datetime.date) -> None:
    """Persons who attended were on the register that day, of the unit or of a ward that is one
    with it today (a ward merged into the same successor: a person who moved with the merger
    keeps only the new ward). The message names nobody: a crafted id must not reveal who it
    belongs to."""
    scope = AdminUnit.objects.scope(ward_on(unit, datetime.date.max)).values("pk")
    ok = (
        Person.objects.filter(pk__in=[p.pk for p in persons], ward__in=scope)
        .on_register(day)
        .count()
    )
    if ok != len({p.pk for p in persons}):
        raise ValidationError(
            {
                "persons": _(
                    "Chỉ chọn được người có trong danh sách quản lý của %(unit)s vào ngày %(date)s."
                )
                % {"unit": unit.name, "date": _d(day)}
            }
        )


def _check_partners(unit: AdminUnit, partners: Sequence[Partner], field: str = "partners") -> None:
    ok = Partner.objects.serving(unit).filter(pk__in=[p.pk for p in partners]).count()
    if ok != len({p.pk for p in partners}):
        raise ValidationError({field: _("Đối tác không thuộc địa phương này.")})


def _check_club(unit: AdminUnit, club: Club, day: datetime.date) -> None:
    """A club session's club is a club of the unit (or of a ward merged into it) that holds on
    the session's day."""
    scope = AdminUnit.objects.scope(unit).values("pk")
    if not Club.objects.filter(pk=club.pk, ward__in=scope).exists():
        raise ValidationError({"club": _("Câu lạc bộ không thuộc %(unit)s.") % {"unit": unit.name}})
    if not Club.objects.filter(pk=club.pk).holding_on(day).exists():
        raise ValidationError(
            {
                "club": _("Câu lạc bộ «%(club)s» không hoạt động vào ngày %(date)s.")
                % {"club": club.name, "date": _d(day)}
            }
        )


def _check_department(activity: Activity, *, members: Sequence, persons: Sequence) -> None:
    """An activity at a district or a province is its department's own training or seminar:
    no team members, persons or club (those are a ward's)."""
    if activity.unit.is_commune:
        return
    if activity.kind not in Activity.UNIT_KINDS:
        raise ValidationError(
            {
                "kind": _("Ở %(unit)s chỉ ghi được: %(kinds)s.")
                % {
                    "unit": activity.unit.name,
                    "kinds": ", ".join(str(Activity.Kind(k).label) for k in Activity.UNIT_KINDS),
                }
            }
        )
    if members or persons or activity.club_id:
        raise ValidationError(
            _("Hoạt động của %(unit)s không ghi thành viên Đội, người được hỗ trợ hay câu lạc bộ.")
            % {"unit": activity.unit.name}
        )


def _validate_activity(
    activity: Activity,
    *,
    members: Sequence[Member],
    persons: Sequence[Person],
    partners: Sequence[Partner],
) -> None:
    refuse_future(activity.occurred_on, "occurred_on")
    _check_unit_on(activity.unit, activity.occurred_on)
    _check_department(activity, members=members, persons=persons)
    if persons and "persons" not in activity.figures.allowed:
        raise ValidationError(
            {
                "persons": _("Hoạt động «%(kind)s» không ghi người được hỗ trợ tham dự.")
                % {"kind": activity.get_kind_display()}
            }
        )
    if persons and activity.participants is not None and activity.participants < len(persons):
        raise ValidationError(
            {
                "participants": _(
                    "Tổng số người tham gia (%(total)s) ít hơn số người được hỗ trợ đã chọn "
                    "(%(chosen)s)."
                )
                % {"total": activity.participants, "chosen": len(persons)}
            }
        )
    activity.full_clean()
    if activity.club_id:
        _check_club(activity.unit, activity.club, activity.occurred_on)
    if members:
        _check_members(activity.unit, members, activity.occurred_on)
    if persons:
        _check_persons(activity.unit, persons, activity.occurred_on)
    if partners:
        _check_partners(activity.unit, partners)


def _with_unseen(actor: User, activity: Activity, relation: str, chosen: list) -> list:
    """`chosen`, plus the rows of the relation that `actor` may not see (outreach.unseen)."""
    ids = {row.pk for row in chosen}
    return [*chosen, *(row for row in unseen(actor, activity, relation) if row.pk not in ids)]


def _activity_stale() -> str:
    return _("Người khác vừa sửa hoạt động này. Hãy tải lại trang để xem thay đổi rồi sửa lại.")


def _activity_changes(activity: Activity, persons: Sequence[Person]) -> dict[str, Any]:
    changes: dict[str, Any] = {
        name: getattr(activity, name)
        for name in ("kind", "occurred_on", "sessions", "participants", "items", "minutes")
        if getattr(activity, name) is not None
    }
    if activity.club_id:
        changes["club"] = activity.club_id
    if persons:
        changes["persons"] = len(persons)
    return changes


@service
def activity_record(
    *,
    actor: User,
    unit: AdminUnit,
    occurred_on: datetime.date,
    kind: str,
    members: Iterable[Member] = (),
    persons: Iterable[Person] = (),
    partners: Iterable[Partner] = (),
    **fields: Any,
) -> Activity:
    """Record one line of the notebook. `minutes` is the total over the line's sessions; for a
    club session without `participants`, the number of persons chosen is used."""
    unknown = set(fields) - set(ACTIVITY_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    members, persons, partners = list(members), list(persons), list(partners)
    activity = Activity(unit=unit, occurred_on=occurred_on, kind=kind, created_by=actor, **fields)
    if persons and activity.participants is None:
        activity.participants = len(persons)
    _validate_activity(activity, members=members, persons=persons, partners=partners)
    activity.save()
    activity.members.set(members)
    activity.persons.set(persons)
    activity.partners.set(partners)
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=activity,
        unit=unit,
        changes=_activity_changes(activity, persons),
    )
    return activity


class RowErrors(ValidationError):
    """Some lines of a batch were wrong; `rows` maps each line's index to its error."""

    def __init__(self, rows: dict[int, ValidationError]):
        super().__init__(
            ngettext(
                "%(count)s dòng chưa đúng, chưa dòng nào được lưu. Hãy sửa các dòng được đánh dấu.",
                "%(count)s dòng chưa đúng, chưa dòng nào được lưu. Hãy sửa các dòng được đánh dấu.",
                len(rows),
            )
            % {"count": len(rows)}
        )
        self.rows = rows


@service
def activity_record_many(
    *, actor: User, unit: AdminUnit, rows: Sequence[dict[str, Any]]
) -> list[Activity]:
    """Record several lines at once (a notebook typed in on a desktop): all of them or none.

    When lines fail, RowErrors is raised after every line was checked, so the form can show
    each mistake at once."""
    saved: list[Activity] = []
    errors: dict[int, ValidationError] = {}
    for index, row in enumerate(rows):
        try:
            saved.append(activity_record(actor=actor, unit=unit, **row))
        except ValidationError as error:
            errors[index] = error
    if errors:
        raise RowErrors(errors)
    return saved


@service
def activity_update(
    *,
    actor: User,
    activity: Activity,
    members: Iterable[Member] | None = None,
    persons: Iterable[Person] | None = None,
    partners: Iterable[Partner] | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Activity:
    """Correct an activity; with `expected_version` (the version the form was built on), not
    over someone else's change (wards.versions)."""
    unknown = set(fields) - set(ACTIVITY_FIELDS) - {"unit"}
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    refuse_stale(activity, expected_version, _activity_stale())
    changed = diff(activity, fields, keep=AUDITED_ACTIVITY)
    for name, value in fields.items():
        setattr(activity, name, value)
    members = list(activity.members.all()) if members is None else list(members)
    persons = list(activity.persons.all()) if persons is None else list(persons)
    partners = list(activity.partners.all()) if partners is None else list(partners)
    # What the actor may not see stays whatever the call says (they cannot untick it).
    members = _with_unseen(actor, activity, "members", members)
    persons = _with_unseen(actor, activity, "persons", persons)
    partners = _with_unseen(actor, activity, "partners", partners)
    if persons and activity.participants is None:
        activity.participants = len(persons)
    _validate_activity(activity, members=members, persons=persons, partners=partners)
    bump(activity)
    activity.save()
    for name, values in (("members", members), ("persons", persons), ("partners", partners)):
        before = set(getattr(activity, name).values_list("pk", flat=True))
        after = {v.pk for v in values}
        if before != after:
            getattr(activity, name).set(values)
            changed[name] = [len(before), len(after)]
    if changed:
        safe = {
            k: v if k in AUDITED_ACTIVITY or k in ("members", "persons", "partners") else "changed"
            for k, v in changed.items()
        }
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=activity,
            unit=activity.unit_id,
            changes=safe,
        )
    return activity


@service
def activity_delete(
    *, actor: User, activity: Activity, expected_version: int | None = None
) -> None:
    """Delete an entry made in error. The audit row keeps what it counted.

    Refused to an actor who may not see all of its attendees, members or partners: deleting
    would erase records they cannot see (PermissionDenied); and, with `expected_version`, when
    the activity changed since the user saw it (wards.versions)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if has_unseen(actor, activity):
        raise PermissionDenied
    refuse_stale(
        activity,
        expected_version,
        _(
            "Người khác vừa sửa hoạt động này nên chưa xóa. Hãy xem lại hoạt động rồi quyết "
            "định có xóa không."
        ),
    )
    changes = _activity_changes(activity, list(activity.persons.all()))
    pk, unit_id = activity.pk, activity.unit_id
    activity.members.clear()
    activity.persons.clear()
    activity.partners.clear()
    activity.delete()
    audit(
        actor=actor,
        action=AuditEvent.Action.DELETE,
        object_type="outreach.activity",
        object_id=pk,
        unit=unit_id,
        changes=changes,
    )


# Partners -----------------------------------------------------------------------------------


@service
def partner_create(*, actor: User, unit: AdminUnit | None, **fields: Any) -> Partner:
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    partner = Partner(unit=unit, created_by=actor, **fields)
    partner.full_clean()
    partner.save()
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=partner,
        unit=unit,
        changes={"kind": partner.kind},
    )
    return partner


@service
def partner_update(
    *, actor: User, partner: Partner, expected_version: int | None = None, **fields: Any
) -> Partner:
    """Correct a partner; with `expected_version`, not over someone else's change."""
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    refuse_stale(
        partner,
        expected_version,
        _("Người khác vừa sửa đối tác này. Hãy tải lại trang để xem thay đổi rồi sửa lại."),
    )
    changed = diff(partner, fields, keep=("kind", "active"))
    for name, value in fields.items():
        setattr(partner, name, value)
    partner.full_clean()
    if changed:
        bump(partner)
    partner.save()
    if changed:
        audit(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=partner,
            unit=partner.unit_id,
            changes=changed,
        )
    return partner


# Referrals ----------------------------------------------------------------------------------


def _check_amount(kind: str, amount: int | None, *, status: str) -> None:
    if amount is not None and kind not in Referral.MONEY_KINDS:
        raise ValidationError(
            {"amount": _("Chỉ ghi số tiền cho vay vốn, hỗ trợ khó khăn đột xuất và tặng quà.")}
        )
    if amount is not None and amount > 10_000_000_000:
        raise ValidationError({"amount": _("Số tiền quá lớn, hãy kiểm tra lại.")})
    if status == Referral.Status.COMPLETED and kind == Referral.Kind.LOAN and not amount:
        raise ValidationError({"amount": _("Hãy nhập số tiền được vay khi ghi nhận đã giải ngân.")})


@service
def referral_create(
    *,
    actor: User,
    person: Person,
    kind: str,
    referred_on: datetime.date,
    partner: Partner | None = None,
    for_household: bool = False,
    amount: int | None = None,
    note: str = "",
    member: Member | None = None,
) -> Referral:
    """Refer a person (or their household) to a partner. The ward is where the person lives on
    that day, so the referral counts there."""
    person = Person.objects.select_related("ward").get(pk=person.pk)
    refuse_future(referred_on, "referred_on")
    refuse_outside_file(person, referred_on, "referred_on")
    if for_household and kind not in Referral.HOUSEHOLD_KINDS:
        raise ValidationError(
            {
                "for_household": _(
                    "Chỉ vay vốn, hỗ trợ khó khăn đột xuất và tặng quà mới dành cho hộ gia đình."
                )
            }
        )
    _check_amount(kind, amount, status=Referral.Status.REFERRED)
    ward = ward_on(person.ward, referred_on)
    if partner is not None:
        _check_partners(ward, [partner], "partner")
    referral = Referral(
        person=person,
        ward=ward,
        member=member,
        kind=kind,
        partner=partner,
        referred_on=referred_on,
        status=Referral.Status.REFERRED,
        status_on=referred_on,
        for_household=for_household,
        amount=amount,
        note=note,
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral,
        status=Referral.Status.REFERRED,
        changed_on=referred_on,
        changed_by=actor,
    )
    audit(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=referral,
        unit=ward,
        changes={
            "person": person.pk,
            "kind": kind,
            "referred_on": referred_on,
            "for_household": for_household,
            "amount": amount,
        },
    )
    return referral


@service
def referral_advance(
    *,
    actor: User,
    referral: Referral,
    status: str,
    changed_on: datetime.date,
    amount: int | None = None,
    note: str = "",
    expected_status: str | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Move a referral to its next status (Referral.TRANSITIONS), dated, with who did it.

    `expected_status` is the status the user saw and `expected_version` the version: if
    someone else moved the referral in between, nothing changes and the user is told.
    `amount`, when given, replaces the amount (the sum actually approved or disbursed)."""
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=referral.pk)
    )
    if expected_status is not None and referral.status != expected_status:
        raise ValidationError(
            _(
                "Người khác vừa cập nhật giới thiệu này sang «%(status)s». Hãy xem lại trước khi "
                "cập nhật tiếp."
            )
            % {"status": referral.get_status_display()},
            code="stale",
        )
    refuse_stale(
        referral,
        expected_version,
        _("Người khác vừa cập nhật giới thiệu này. Hãy tải lại trang để xem rồi cập nhật tiếp."),
    )
    if status not in referral.TRANSITIONS.get(referral.status, ()):
        raise ValidationError(
            {
                "status": _("Không thể chuyển từ «%(old)s» sang «%(new)s».")
                % {
                    "old": referral.get_status_display(),
                    "new": Referral.Status(status).label
                    if status in Referral.Status.values
                    else status,
                }
            }
        )
    refuse_future(changed_on, "changed_on")
    refuse_outside_file(referral.person, changed_on, "changed_on")
    if changed_on < referral.status_on:
        raise ValidationError(
            {
                "changed_on": _("Không được trước ngày của trạng thái hiện tại (%(date)s).")
                % {"date": _d(referral.status_on)}
            }
        )
    new_amount = referral.amount if amount is None else amount
    _check_amount(referral.kind, new_amount, status=status)
    old = {"status": referral.status, "amount": referral.amount}
    referral.status, referral.status_on, referral.amount = status, changed_on, new_amount
    referral.full_clean()
    referral.save(update_fields=["status", "status_on", "amount", bump(referral), "updated_at"])
    ReferralStatusChange.objects.create(
        referral=referral, status=status, changed_on=changed_on, note=note, changed_by=actor
    )
    changes: dict[str, Any] = {"status": [old["status"], status], "changed_on": changed_on}
    if old["amount"] != new_amount:
        changes["amount"] = [old["amount"], new_amount]
    audit(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=referral,
        unit=referral.ward_id,
        changes=changes,
    )
    return referral
