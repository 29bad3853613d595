"""Outreach activities, partners and referrals.

An `Activity` is one line of a team's notebook: a kind (a broadcast, a school talk, a patrol…),
a date, how many sessions the line records and the figures that kind has (participants, items
or minutes). What each kind asks for is declared once, in `Activity.FIELDS`; the forms, the
services and the database constraints all follow it.

A `Referral` sends a person (or their household) to a partner for a loan, training, a job or
support; its status moves along `Referral.TRANSITIONS`, each step kept in
`ReferralStatusChange` with its date and who made it.

Reads are QuerySet methods; writes go through `outreach.services`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import Club, Person
from wards.access import access_for, department_grants
from wards.models import AdminUnit, Authored, Member, Timestamped
from wards.versions import version_field


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> PartnerQuerySet:
        """National partners, the partners of the user's units, and those of the units above
        them (a district's employment centre serves its wards)."""
        access = access_for(user)
        codes = {
            code for g in access.grants if g.unit for code in g.unit.path.strip("/").split("/")
        }
        return self.filter(
            Q(unit__isnull=True)
            | Q(unit__in=access.unit_ids("aggregate"))
            | Q(unit__code__in=codes)
        )

    def editable_by(self, user) -> PartnerQuerySet:
        return self.filter(unit__in=access_for(user).unit_ids("outreach_manage"))

    def serving(
        self, unit: AdminUnit, *, scope_ids: frozenset[int] | None = None
    ) -> PartnerQuerySet:
        """The partners a team at `unit` works with: national ones, those of the unit and of
        the units merged into it (`scope_ids`, when the caller has them), and those of the
        units above it."""
        codes = [code for code in unit.path.strip("/").split("/") if code]
        scope = AdminUnit.objects.scope_ids([unit]) if scope_ids is None else scope_ids
        return self.filter(Q(unit__isnull=True) | Q(unit__in=scope) | Q(unit__code__in=codes))

    def active(self) -> PartnerQuerySet:
        return self.filter(active=True)


class Partner(Authored):
    """An organisation the team refers people to or works with. A partner without a unit is
    national (shared by every team): the bank for social policies, the employment fund."""

    class Kind(models.TextChoices):
        BANK = "bank", _("Ngân hàng (NHCSXH)")
        FUND = "fund", _("Quỹ (Quỹ quốc gia về việc làm…)")
        EMPLOYER = "employer", _("Doanh nghiệp, cơ sở sử dụng lao động")
        TRAINING = "training", _("Cơ sở đào tạo nghề")
        METHADONE = "methadone", _("Cơ sở điều trị methadone")
        HEALTH = "health", _("Cơ sở y tế")
        LEGAL = "legal", _("Trợ giúp pháp lý")
        NGO = "ngo", _("Tổ chức xã hội")
        OFFICE = "office", _("Cơ quan nhà nước")
        OTHER = "other", _("Khác")

    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
        help_text=_("Để trống: đối tác toàn quốc, mọi Đội đều dùng được."),
    )
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True, default="")
    contact_person = models.CharField(_("người liên hệ"), max_length=120, blank=True, default="")
    note = models.TextField(_("ghi chú"), max_length=2_000, blank=True, default="")
    active = models.BooleanField(_("đang hợp tác"), default=True)
    version = version_field()  # wards.versions

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("đối tác")
        verbose_name_plural = pgettext_lazy("plural", "đối tác")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "name"],
                name="outreach_partner_unique_name_per_unit",
                violation_error_message=_("Đơn vị đã có đối tác trùng tên."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(unit__isnull=True),
                name="outreach_partner_unique_national_name",
                violation_error_message=_("Đã có đối tác toàn quốc trùng tên."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_national(self) -> bool:
        return self.unit_id is None


@dataclass(frozen=True)
class Figures:
    """What an activity kind records besides its sessions: the figures it must have, the ones
    it may have, and the words its form uses for them."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    participants_label: str = ""
    items_label: str = ""

    @property
    def allowed(self) -> frozenset[str]:
        return self.required | self.optional


class ActivityQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActivityQuerySet:
        """The activities of the teams the user works in (casework over the unit)."""
        return self.filter(unit__in=access_for(user).unit_ids("casework"))

    def editable_by(self, user, *, now: datetime.datetime | None = None) -> ActivityQuerySet:
        """Leaders and officers change any activity of their units; a volunteer changes what
        they wrote, for settings.ACTIVITY_EDIT_DAYS after writing it."""
        access = access_for(user)
        now = now or timezone.now()
        window = now - datetime.timedelta(days=settings.ACTIVITY_EDIT_DAYS)
        own = Q(unit__in=access.unit_ids("casework"), created_by=user.pk, created_at__gte=window)
        return self.filter(Q(unit__in=access.unit_ids("outreach_manage")) | own)

    def of_departments(self, user) -> ActivityQuerySet:
        """The activities a supervisor's department ran at the unit of their post, or at a unit
        of the same level merged into it: never a ward's, nor a unit's below the post."""
        condition = Q(pk__in=[])
        for grant in department_grants(user):
            condition |= Q(unit__in=grant.unit_ids, unit__level=grant.unit.level)
        return self.filter(condition)

    def for_list(self) -> ActivityQuerySet:
        return self.select_related("unit", "club").prefetch_related("members")


class Activity(Authored):
    """One line of a team's activity notebook (DESIGN.md, outreach)."""

    class Kind(models.TextChoices):
        COMMUNITY_MEETING = "community_meeting", _("Tuyên truyền tại họp tổ dân phố, đoàn thể")
        SCHOOL_TALK = "school_talk", _("Tuyên truyền tại trường học")
        RADIO = "radio", _("Phát thanh trên đài truyền thanh")
        LOUDSPEAKER = "loudspeaker", _("Tuyên truyền bằng loa di động")
        SEMINAR = "seminar", _("Tọa đàm, đối thoại")
        FILM = "film", _("Chiếu phim, phóng sự")
        LEAFLETS = "leaflets", _("Phát tờ rơi")
        ARTICLE = "article", _("Viết tin, bài")
        BANNER = "banner", _("Băng rôn, áp phích, pano")
        PLEDGE = "pledge", _("Ký cam kết")
        TRAINING = "training", _("Tập huấn")
        TEAM_MEETING = "team_meeting", _("Sinh hoạt, giao ban Đội")
        CLUB_SESSION = "club_session", _("Sinh hoạt câu lạc bộ, nhóm")
        PATROL = "patrol", _("Tuần tra, rà soát địa bàn")
        INSPECTION = "inspection", _("Kiểm tra cơ sở kinh doanh dịch vụ")
        POLICE_TIP = "police_tip", _("Cung cấp tin báo cho công an")
        OTHER = "other", _("Hoạt động khác")

    # The communication activities counted by outreach.sessions / outreach.participants.
    COMMUNICATION = frozenset(
        {
            Kind.COMMUNITY_MEETING,
            Kind.SCHOOL_TALK,
            Kind.RADIO,
            Kind.LOUDSPEAKER,
            Kind.SEMINAR,
            Kind.FILM,
        }
    )
    BROADCASTS = frozenset({Kind.RADIO, Kind.LOUDSPEAKER})
    ITEM_KINDS = frozenset({Kind.LEAFLETS, Kind.ARTICLE, Kind.BANNER, Kind.PLEDGE})
    # How the kinds are grouped in the form's menu.
    MENU = (
        (
            _("Tuyên truyền"),
            (
                Kind.COMMUNITY_MEETING,
                Kind.SCHOOL_TALK,
                Kind.RADIO,
                Kind.LOUDSPEAKER,
                Kind.SEMINAR,
                Kind.FILM,
                Kind.LEAFLETS,
                Kind.ARTICLE,
                Kind.BANNER,
                Kind.PLEDGE,
            ),
        ),
        (_("Phát hiện, phối hợp"), (Kind.PATROL, Kind.INSPECTION, Kind.POLICE_TIP)),
        (_("Đội và câu lạc bộ"), (Kind.TEAM_MEETING, Kind.TRAINING, Kind.CLUB_SESSION)),
        (_("Khác"), (Kind.OTHER,)),
    )

    _attending = _("Số người tham dự")
    # Offices publish the estimated audience of broadcasts («khoảng 1.535 lượt người»).
    _listening = _("Số lượt người nghe (ước tính)")
    FIELDS: dict[str, Figures] = {
        Kind.COMMUNITY_MEETING: Figures(
            frozenset({"participants"}), frozenset({"place"}), _attending
        ),
        Kind.SCHOOL_TALK: Figures(
            frozenset({"participants", "place"}), participants_label=_("Số học sinh tham dự")
        ),
        Kind.RADIO: Figures(frozenset({"minutes"}), frozenset({"participants"}), _listening),
        Kind.LOUDSPEAKER: Figures(
            frozenset({"minutes"}), frozenset({"participants", "place"}), _listening
        ),
        Kind.SEMINAR: Figures(frozenset({"participants"}), frozenset({"place"}), _attending),
        Kind.FILM: Figures(frozenset({"participants"}), frozenset({"place"}), _attending),
        Kind.LEAFLETS: Figures(frozenset({"items"}), frozenset({"place"}), "", _("Số tờ rơi")),
        Kind.ARTICLE: Figures(frozenset({"items"}), items_label=_("Số tin, bài")),
        Kind.BANNER: Figures(
            frozenset({"items"}), frozenset({"place"}), "", _("Số băng rôn, áp phích, pano")
        ),
        Kind.PLEDGE: Figures(frozenset({"items"}), items_label=_("Số bản cam kết được ký")),
        Kind.TRAINING: Figures(
            frozenset({"participants"}),
            frozenset({"place"}),
            participants_label=_("Số người được tập huấn"),
        ),
        Kind.TEAM_MEETING: Figures(optional=frozenset({"place"})),
        Kind.CLUB_SESSION: Figures(
            frozenset({"participants"}),
            frozenset({"persons", "place", "club"}),
            participants_label=_("Tổng số người tham gia (để trống: đếm người được chọn)"),
        ),
        Kind.PATROL: Figures(optional=frozenset({"place"})),
        Kind.INSPECTION: Figures(optional=frozenset({"place"})),
        Kind.POLICE_TIP: Figures(),
        Kind.OTHER: Figures(
            frozenset({"title"}),
            frozenset({"participants", "items", "place"}),
            _attending,
            _("Số lượng"),
        ),
    }
    # What a province or district department records at its own unit (the trainings and
    # seminars it runs: team.trainings, outreach.sessions.seminar); a ward's team records the
    # rest. An activity at a unit above a ward has no team members, persons or club.
    UNIT_KINDS = (Kind.TRAINING, Kind.SEMINAR)
    # Figures beyond these are typing mistakes, not activities (per session for minutes).
    LIMITS = {"sessions": 1000, "participants": 100_000, "items": 1_000_000, "minutes": 600}

    # Usually a ward; a district or province for its department's own trainings (UNIT_KINDS).
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    occurred_on = models.DateField(_("ngày"))
    kind = models.CharField(_("loại hoạt động"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("nội dung, chủ đề"), max_length=255, blank=True, default="")
    sessions = models.PositiveIntegerField(
        _("số cuộc, buổi, lần"),
        default=1,
        help_text=_("Ghi gộp nhiều buổi giống nhau thành một dòng, ví dụ 35 lần phát thanh."),
    )
    participants = models.PositiveIntegerField(_("số lượt người tham dự"), null=True, blank=True)
    items = models.PositiveIntegerField(_("số lượng"), null=True, blank=True)
    # The total over all the entry's sessions: "35 broadcasts of 15 minutes" is 525.
    minutes = models.PositiveIntegerField(_("tổng thời lượng (phút)"), null=True, blank=True)
    place = models.CharField(_("địa điểm, trường học"), max_length=200, blank=True, default="")
    audience = models.CharField(_("đối tượng tham dự"), max_length=200, blank=True, default="")
    note = models.TextField(_("ghi chú"), max_length=5_000, blank=True, default="")
    partners = models.ManyToManyField(
        Partner, verbose_name=_("đơn vị phối hợp"), blank=True, related_name="activities"
    )
    members = models.ManyToManyField(
        Member, verbose_name=_("thành viên tham gia"), blank=True, related_name="activities"
    )
    persons = models.ManyToManyField(
        Person, verbose_name=_("người được hỗ trợ tham dự"), blank=True, related_name="activities"
    )
    # The club whose session this is (club_session activities of a ward with clubs).
    club = models.ForeignKey(
        Club,
        verbose_name=_("câu lạc bộ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
    )
    version = version_field()  # wards.versions

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoạt động")
        verbose_name_plural = pgettext_lazy("plural", "hoạt động")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # the activity list and every outreach/enforcement/team figure: a unit's
            # activities in a period, by kind
            models.Index(fields=["unit", "occurred_on", "kind"], name="outreach_act_unit_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1),
                name="outreach_activity_sessions_positive",
                violation_error_message=_("Số cuộc, buổi phải từ 1 trở lên."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(kind__in=["radio", "loudspeaker"]),
                name="outreach_activity_minutes_only_broadcasts",
                violation_error_message=_("Chỉ ghi thời lượng cho phát thanh, loa di động."),
            ),
            models.CheckConstraint(
                condition=Q(items__isnull=True)
                | Q(kind__in=["leaflets", "article", "banner", "pledge", "other"]),
                name="outreach_activity_items_only_material",
                violation_error_message=_(
                    "Chỉ ghi số lượng cho tờ rơi, tin bài, băng rôn, cam kết."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:activity_edit", args=[self.pk])

    @property
    def figures(self) -> Figures:
        return self.FIELDS[self.kind]

    @property
    def minutes_each(self) -> int | None:
        """Minutes per session, as the notebook says it ("15 phút mỗi lần")."""
        if self.minutes is None:
            return None
        return self.minutes // self.sessions if self.sessions else self.minutes

    def clean(self) -> None:
        errors = figure_errors(
            self.kind,
            {
                "participants": self.participants,
                "items": self.items,
                "minutes": self.minutes,
                "place": self.place,
                "title": self.title,
                "sessions": self.sessions,
                "club": self.club_id,
            },
        )
        if errors:
            raise ValidationError(errors)


_FIGURE_NAMES = {
    "participants": _("số người tham dự"),
    "items": _("số lượng"),
    "minutes": _("thời lượng"),
    "place": _("địa điểm, trường học"),
    "title": _("nội dung, chủ đề"),
    "persons": _("người được hỗ trợ tham dự"),
    "club": _("câu lạc bộ"),
}


def figure_errors(kind: str, values: dict) -> dict[str, str]:
    """What is wrong with an activity's figures for its kind: {field: message}.

    A figure the kind does not have must be left empty (minutes on a leaflet drop); a figure it
    must have must be given; numbers are checked against `Activity.LIMITS`. `minutes` here is
    the total; the per-session limit is scaled by the number of sessions.
    """
    if kind not in Activity.FIELDS:
        return {"kind": str(_("Hãy chọn loại hoạt động."))}
    figures = Activity.FIELDS[kind]
    label = Activity.Kind(kind).label
    errors: dict[str, str] = {}
    sessions = values.get("sessions") or 1
    for name, value in values.items():
        if name == "sessions":
            continue
        given = value not in (None, "", (), [])
        if given and name not in figures.allowed and name != "title":
            errors[name] = str(
                _("Hoạt động «%(kind)s» không ghi %(field)s: hãy để trống ô này.")
                % {"kind": label, "field": _FIGURE_NAMES[name]}
            )
        elif not given and name in figures.required:
            errors[name] = str(
                _("Hãy nhập %(field)s cho hoạt động «%(kind)s».")
                % {"kind": label, "field": _FIGURE_NAMES[name]}
            )
    limits = dict(Activity.LIMITS, minutes=Activity.LIMITS["minutes"] * sessions)
    for name, limit in limits.items():
        value = values.get(name)
        if isinstance(value, int) and name not in errors:
            if name == "sessions" and value < 1:
                errors[name] = str(_("Số cuộc, buổi phải từ 1 trở lên."))
            elif value < 0:
                errors[name] = str(_("Số này không được âm."))
            elif value > limit:
                errors[name] = str(_("Số quá lớn, hãy kiểm tra lại."))
    return errors


class ReferralQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReferralQuerySet:
        """Referrals of the persons the user may see."""
        return self.filter(person__in=Person.objects.visible_to(user).values("pk"))

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=Referral.OPEN)


class Referral(Authored):
    """A person (or their household) sent to a partner for a loan, training, a job or support.

    `status` and `status_on` are the latest step of the history in `ReferralStatusChange`;
    the services keep them in step.
    """

    class Kind(models.TextChoices):
        LOAN = "loan", _("Vay vốn")
        VOCATIONAL_TRAINING = "vocational_training", _("Học nghề")
        JOB = "job", _("Việc làm")
        EDUCATION = "education", _("Học văn hóa")
        HARDSHIP_SUPPORT = "hardship_support", _("Hỗ trợ khó khăn đột xuất")
        GIFT = "gift", _("Tặng quà")
        HEALTH = "health", _("Y tế, điều trị")
        LEGAL = "legal", _("Trợ giúp pháp lý")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        REFERRED = "referred", _("Đã giới thiệu")
        APPROVED = "approved", _("Đã được chấp thuận")
        COMPLETED = "completed", _("Đã hoàn thành")
        DECLINED = "declined", _("Bị từ chối")
        WITHDRAWN = "withdrawn", _("Đã rút")

    S = Status
    # The only moves a referral's status can make; the last three are final.
    TRANSITIONS: dict[str, frozenset[str]] = {
        S.REFERRED: frozenset({S.APPROVED, S.DECLINED, S.WITHDRAWN}),
        S.APPROVED: frozenset({S.COMPLETED, S.DECLINED, S.WITHDRAWN}),
        S.COMPLETED: frozenset(),
        S.DECLINED: frozenset(),
        S.WITHDRAWN: frozenset(),
    }
    OPEN = frozenset({S.REFERRED, S.APPROVED})
    # Kinds that carry money (support.loan_amount, support.gift_amount) and may be for a
    # household rather than a person.
    MONEY_KINDS = frozenset({Kind.LOAN, Kind.HARDSHIP_SUPPORT, Kind.GIFT})
    HOUSEHOLD_KINDS = MONEY_KINDS

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="referrals"
    )
    for_household = models.BooleanField(
        _("cho hộ gia đình"),
        default=False,
        help_text=_("Đánh dấu khi hỗ trợ dành cho cả hộ gia đình của người này."),
    )
    ward = models.ForeignKey(
        AdminUnit, verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="referrals"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("thành viên giới thiệu"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    kind = models.CharField(_("loại hỗ trợ"), max_length=20, choices=Kind.choices)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("đối tác"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
    )
    referred_on = models.DateField(_("ngày giới thiệu"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.REFERRED
    )
    status_on = models.DateField(_("ngày của trạng thái"))
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), max_length=2_000, blank=True, default="")
    version = version_field()  # wards.versions

    objects = ReferralQuerySet.as_manager()

    class Meta:
        verbose_name = _("giới thiệu, chuyển gửi")
        verbose_name_plural = pgettext_lazy("plural", "giới thiệu, chuyển gửi")
        ordering = ["-referred_on", "-pk"]
        indexes = [
            # support.referrals: a ward's referrals made in a period
            models.Index(fields=["ward", "referred_on"], name="outreach_ref_ward_idx"),
            # support.*: completed referrals by status date; the open-referrals list
            models.Index(fields=["ward", "status", "status_on"], name="outreach_ref_status_idx"),
            # a person's referrals on their timeline
            models.Index(fields=["person", "-referred_on"], name="outreach_ref_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status_on__gte=models.F("referred_on")),
                name="outreach_referral_status_after_referred",
                violation_error_message=_("Ngày của trạng thái không được trước ngày giới thiệu."),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(kind__in=["loan", "hardship_support", "gift"]),
                name="outreach_referral_amount_only_money",
                violation_error_message=_("Chỉ ghi số tiền cho vay vốn, hỗ trợ khó khăn, quà."),
            ),
            models.CheckConstraint(
                condition=Q(for_household=False) | Q(kind__in=["loan", "hardship_support", "gift"]),
                name="outreach_referral_household_only_money",
                violation_error_message=_(
                    "Chỉ vay vốn, hỗ trợ khó khăn và quà mới dành cho hộ gia đình."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.referred_on:%d/%m/%Y})"

    def get_absolute_url(self) -> str:
        return reverse("outreach:referral_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def next_statuses(self) -> list[Referral.Status]:
        return [s for s in self.Status if s in self.TRANSITIONS[self.status]]


class ReferralStatusChange(Timestamped):
    """One step of a referral's history: the status it reached, on which day, by whom."""

    referral = models.ForeignKey(
        Referral, verbose_name=_("giới thiệu"), on_delete=models.CASCADE, related_name="changes"
    )
    status = models.CharField(_("trạng thái"), max_length=10, choices=Referral.Status.choices)
    changed_on = models.DateField(_("ngày"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True, default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bước trạng thái")
        verbose_name_plural = pgettext_lazy("plural", "bước trạng thái")
        ordering = ["changed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "status"], name="outreach_referralchange_status_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} {self.changed_on:%d/%m/%Y}"
