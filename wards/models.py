from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wards.text import clean_text
from wards.versions import version_field

# The first day a date field takes: a birth date of 01/01/0001 is a typing slip, and date
# arithmetic near year 1 overflows.
EARLIEST_DATE = datetime.date(1900, 1, 1)


def clean_text_fields(instance: models.Model) -> None:
    """Clean every text field of `instance` in place (wards.text): a text field is multi-line,
    a char field single-line."""
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.CharField | models.TextField):
            value = getattr(instance, field.attname)
            if isinstance(value, str) and value:
                multiline = isinstance(field, models.TextField)
                setattr(instance, field.attname, clean_text(value, multiline=multiline))


def date_errors(value) -> list[str]:
    """A date before 1900 (a date-time field's values are not dates: left alone)."""
    is_date = isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
    if is_date and value < EARLIEST_DATE:
        return [_("Ngày không hợp lệ: chỉ nhận ngày từ 01/01/1900 trở đi.")]
    return []


class MaxLength(MaxLengthValidator):
    """Django's, in the app's words, the numbers grouped as Vietnamese writes them."""

    message = _("Tối đa %(limit)s ký tự (đang có %(count)s ký tự).")

    def __call__(self, value) -> None:
        if len(value) > self.limit_value:
            raise ValidationError(
                self.message,
                code=self.code,
                params={"limit": _thousands(self.limit_value), "count": _thousands(len(value))},
            )


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def length_errors(field: models.Field, value) -> list[str]:
    """Django checks a char field's max_length, not a text field's: check it here."""
    limit = field.max_length if isinstance(field, models.TextField) else None
    if limit and isinstance(value, str):
        try:
            MaxLength(limit)(value)
        except ValidationError as error:
            return error.messages
    return []


class Timestamped(models.Model):
    """The base of every model people write into: when it was created and changed, and its
    text as `wards.text.clean_text` leaves it, on every path (forms, services, imports, the
    admin, scripts). `full_clean` also refuses what Django lets through: a text field longer
    than its max_length and a date before 1900."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        clean_text_fields(self)
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        clean_text_fields(self)
        errors: dict = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self._meta.concrete_fields:
            if field.name in errors or (exclude and field.name in exclude):
                continue
            value = getattr(self, field.attname)
            problems = date_errors(value) if isinstance(field, models.DateField) else []
            problems += length_errors(field, value)
            if problems:
                errors[field.name] = problems
        if errors:
            raise ValidationError(errors)


class Authored(Timestamped):
    """A record a user writes: who created it, beside when."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class AdminUnitQuerySet(models.QuerySet):
    def subtree(self, unit: AdminUnit) -> AdminUnitQuerySet:
        """The unit and every unit below it: one range query on the materialised path."""
        return self.filter(path__startswith=unit.path)

    def subtrees(self, units) -> AdminUnitQuerySet:
        """The union of several units' subtrees, in one query."""
        condition = Q(pk__in=[])
        for unit in units:
            condition |= Q(path__startswith=unit.path)
        return self.filter(condition)

    def scope_ids(self, units) -> frozenset[int]:
        """Ids of the units' subtrees plus every unit merged into them or below them.

        Follows `successor` backwards until nothing new is found; each step is one query
        for the merged units and one for their subtrees (merges are rarely more than two
        deep, so this is a handful of queries whatever the size of the tree).
        """
        units = list(units)
        ids = set(AdminUnit.objects.subtrees(units).values_list("pk", flat=True))
        frontier = set(ids)
        while frontier:
            merged = list(
                AdminUnit.objects.filter(successor_id__in=frontier)
                .exclude(pk__in=ids)
                .only("pk", "path")
            )
            if not merged:
                break
            new = set(AdminUnit.objects.subtrees(merged).values_list("pk", flat=True)) - ids
            ids |= new
            frontier = new
        return frozenset(ids)

    def with_predecessors(self, units) -> AdminUnitQuerySet:
        """The units' subtrees plus every unit merged into them or into a unit below them."""
        return self.filter(pk__in=self.scope_ids(units))

    def scope(self, unit: AdminUnit) -> AdminUnitQuerySet:
        """What a report or a role at `unit` covers: subtree plus merged predecessors."""
        return self.with_predecessors([unit])

    def current(self, on: datetime.date | None = None) -> AdminUnitQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        )

    def wards(self) -> AdminUnitQuerySet:
        return self.filter(level=AdminUnit.Level.COMMUNE)


class AdminUnit(Timestamped):
    """A province, a district (before July 2025) or a commune/ward/township."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Quận, huyện")
        COMMUNE = "commune", _("Xã, phường, thị trấn")

    class DivisionType(models.TextChoices):
        TINH = "tinh", _("Tỉnh")
        THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
        THANH_PHO = "thanh_pho", _("Thành phố")
        QUAN = "quan", _("Quận")
        HUYEN = "huyen", _("Huyện")
        THI_XA = "thi_xa", _("Thị xã")
        PHUONG = "phuong", _("Phường")
        XA = "xa", _("Xã")
        THI_TRAN = "thi_tran", _("Thị trấn")
        DAC_KHU = "dac_khu", _("Đặc khu")

    code = models.CharField(
        _("mã"),
        max_length=20,
        unique=True,
        help_text=_(
            "Mã đơn vị hành chính chính thức. Đơn vị đã thôi tồn tại khi sắp xếp năm 2025 "
            "mang mã cũ kèm hậu tố -2025 (mã cũ có thể đã được dùng lại), ví dụ 00190-2025."
        ),
    )
    name = models.CharField(_("tên"), max_length=120)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    division_type = models.CharField(_("loại"), max_length=15, choices=DivisionType.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("thuộc"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("sáp nhập vào"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="predecessors",
    )
    # Codes of the ancestors and the unit, "/01/006/00190-2025/": a subtree is one prefix query.
    path = models.CharField(_("đường dẫn"), max_length=255, editable=False, db_index=False)

    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = pgettext_lazy("plural", "đơn vị hành chính")
        ordering = ["path"]
        indexes = [
            # AdminUnitQuerySet.subtree(): path LIKE '/01/006/%'
            models.Index(
                fields=["path"], name="wards_unit_path_idx", opclasses=["varchar_pattern_ops"]
            ),
            # AdminUnitQuerySet.with_predecessors(): units merged into a set of units
            models.Index(fields=["successor"], name="wards_unit_successor_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="wards_adminunit_valid_range",
            ),
            models.CheckConstraint(
                condition=~Q(successor=models.F("pk")), name="wards_adminunit_not_own_successor"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.path = self.build_path()
        super().save(*args, **kwargs)

    def build_path(self) -> str:
        prefix = self.parent.path if self.parent_id else "/"
        return f"{prefix}{self.code}/"

    @property
    def is_commune(self) -> bool:
        return self.level == self.Level.COMMUNE

    def is_current(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or self.valid_until >= on
        )


class TeamQuerySet(models.QuerySet):
    def active(self) -> TeamQuerySet:
        return self.filter(dissolved_on__isnull=True)

    def visible_to(self, user) -> TeamQuerySet:
        from wards.access import access_for

        return self.filter(ward_id__in=access_for(user).unit_ids("team_view"))

    def editable_by(self, user) -> TeamQuerySet:
        from wards.access import access_for

        return self.filter(ward_id__in=access_for(user).unit_ids("team_edit"))

    def holding_on(self, day: datetime.date) -> TeamQuerySet:
        """Teams that hold on `day`: established by then, not dissolved before it
        (`dissolved_on` is the team's last day, INDICATORS.md)."""
        return self.filter(team_holds_on(day))

    active_on = holding_on

    def with_composition(self, on: datetime.date) -> TeamQuerySet:
        """Annotate each team with its members on `on`: total, per role, per organisation
        (none once the team no longer holds on `on`).

        One grouped query whatever the number of teams (conditional aggregation).
        """
        active = member_holds_on(on, prefix="members__") & team_holds_on(on)
        annotations = {"size": models.Count("members", filter=active)}
        for role in Member.Role:
            annotations[f"n_{role.value}"] = models.Count(
                "members", filter=active & Q(members__role=role.value)
            )
        for org in Member.Organisation:
            annotations[f"org_{org.value}"] = models.Count(
                "members", filter=active & Q(members__organisation=org.value)
            )
        return self.annotate(**annotations)


class Team(Authored):
    """The Đội công tác xã hội tình nguyện of one commune/ward."""

    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="teams",
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )
    name = models.CharField(_("tên đội"), max_length=200)
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    decision_no = models.CharField(
        _("số quyết định thành lập"), max_length=60, blank=True, default=""
    )
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    contact_due_days = models.PositiveSmallIntegerField(
        _("số ngày đến lần tiếp cận sau"),
        null=True,
        blank=True,
        help_text=_("Để trống để dùng mặc định của hệ thống (30 ngày)."),
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    version = version_field()  # wards.versions: an edit form saves over what it showed

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("đội công tác xã hội tình nguyện")
        verbose_name_plural = pgettext_lazy("plural", "đội công tác xã hội tình nguyện")
        ordering = ["ward__path", "-established_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["ward"],
                condition=Q(dissolved_on__isnull=True),
                name="wards_team_one_active_per_ward",
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True)
                | Q(established_on__isnull=True)
                | Q(dissolved_on__gte=models.F("established_on")),
                name="wards_team_dissolved_after_established",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("wards:team_detail", args=[self.pk])


def team_holds_on(day: datetime.date, prefix: str = "") -> Q:
    """A team holds on `day` when established by then (or undated) and `dissolved_on` is
    empty or on or after `day`: the day of dissolution is the team's last day."""
    established = Q(**{f"{prefix}established_on__isnull": True}) | Q(
        **{f"{prefix}established_on__lte": day}
    )
    return established & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gte": day})
    )


def holds_on(day, *, start: str = "started_on", end: str = "ended_on", prefix: str = "") -> Q:
    """A dated range holds on `day` (a date or an expression such as `OuterRef`) when
    `start` ≤ day and `end` is empty or ≥ day: an end date is the range's last day."""
    return Q(**{f"{prefix}{start}__lte": day}) & (
        Q(**{f"{prefix}{end}__isnull": True}) | Q(**{f"{prefix}{end}__gte": day})
    )


def member_holds_on(day: datetime.date, prefix: str = "") -> Q:
    """A membership holds on `day` when joined by then and `left_on` (its last day) is empty
    or on or after `day`. The team must hold too: see `MemberQuerySet.holding_on`."""
    return holds_on(day, start="joined_on", end="left_on", prefix=prefix)


class MemberQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> MemberQuerySet:
        """Open memberships (none left), or, given a day, those holding on it."""
        if on is None:
            return self.filter(left_on__isnull=True)
        return self.holding_on(on)

    def holding_on(self, day: datetime.date) -> MemberQuerySet:
        """Members on `day`: the membership holds and so does the team (a member of a team
        dissolved before `day` is never counted, even if their membership was left open)."""
        return self.filter(member_holds_on(day) & team_holds_on(day, prefix="team__"))

    def visible_to(self, user) -> MemberQuerySet:
        from wards.access import access_for

        return self.filter(team__ward_id__in=access_for(user).unit_ids("team_view"))

    def editable_by(self, user) -> MemberQuerySet:
        from wards.access import access_for

        return self.filter(team__ward_id__in=access_for(user).unit_ids("team_edit"))


class Member(Authored):
    """A member of a team. Leaving sets `left_on`; the row stays for history."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Đội trưởng")
        DEPUTY = "deputy", _("Đội phó")
        MEMBER = "member", _("Thành viên")

    class Sex(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Organisation(models.TextChoices):
        FRONT = "front", _("Mặt trận Tổ quốc")
        YOUTH = "youth", _("Đoàn Thanh niên")
        WOMEN = "women", _("Hội Liên hiệp Phụ nữ")
        VETERANS = "veterans", _("Hội Cựu chiến binh")
        FARMERS = "farmers", _("Hội Nông dân")
        POLICE = "police", _("Công an")
        HEALTH = "health", _("Y tế")
        OTHER = "other", _("Khác")

    team = models.ForeignKey(
        Team, verbose_name=_("đội"), on_delete=models.PROTECT, related_name="members"
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    role = models.CharField(
        _("chức danh"), max_length=10, choices=Role.choices, default=Role.MEMBER
    )
    organisation = models.CharField(
        _("tổ chức cử tham gia"),
        max_length=10,
        choices=Organisation.choices,
        default=Organisation.OTHER,
    )
    joined_on = models.DateField(_("ngày tham gia"))
    left_on = models.DateField(_("ngày thôi tham gia"), null=True, blank=True)
    left_reason = models.CharField(_("lý do thôi"), max_length=200, blank=True, default="")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản đăng nhập"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    version = version_field()  # wards.versions

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên đội")
        verbose_name_plural = pgettext_lazy("plural", "thành viên đội")
        ordering = ["team", "left_on", "role", "full_name"]
        indexes = [
            # access_for(): the active memberships of a login
            models.Index(
                fields=["user"], condition=Q(left_on__isnull=True), name="wards_member_user_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(role="leader", left_on__isnull=True),
                name="wards_member_one_active_leader",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(left_on__isnull=True, user__isnull=False),
                name="wards_member_one_active_membership_per_login",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="wards_member_left_after_joined",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["leader", "deputy", "member"]),
                name="wards_member_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class Area(Timestamped):
    """A residential group inside a ward: tổ dân phố, thôn, ấp, khu phố."""

    class Kind(models.TextChoices):
        TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
        THON = "thon", _("Thôn")
        AP = "ap", _("Ấp")
        KHU_PHO = "khu_pho", _("Khu phố")
        OTHER = "other", _("Khác")

    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="areas",
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )
    name = models.CharField(_("tên"), max_length=120)
    kind = models.CharField(_("loại"), max_length=12, choices=Kind.choices, default=Kind.TO_DAN_PHO)

    class Meta:
        verbose_name = _("địa bàn dân cư")
        verbose_name_plural = pgettext_lazy("plural", "địa bàn dân cư")
        ordering = ["ward", "name"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "name"], name="wards_area_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PostQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> PostQuerySet:
        on = on or timezone.localdate()
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=on),
            Q(ended_on__isnull=True) | Q(ended_on__gte=on),
        )


class Post(Timestamped):
    """A login's non-member role at a unit: commune officer or supervisor."""

    class Role(models.TextChoices):
        OFFICER = "officer", _("Cán bộ UBND xã, phường")
        SUPERVISOR = "supervisor", _("Cán bộ giám sát")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    unit = models.ForeignKey(
        AdminUnit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="posts"
    )
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices)
    title = models.CharField(_("chức vụ"), max_length=120, blank=True, default="")
    started_on = models.DateField(_("từ ngày"), null=True, blank=True)
    ended_on = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("chức vụ")
        verbose_name_plural = pgettext_lazy("plural", "chức vụ")
        indexes = [
            # access_for(): the posts of a login
            models.Index(fields=["user", "ended_on"], name="wards_post_user_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="wards_post_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["officer", "supervisor"]), name="wards_post_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.unit}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only.")

    def delete(self):
        raise TypeError("Audit events are append-only.")

    def visible_to(self, user) -> AuditEventQuerySet:
        from wards.access import access_for

        return self.filter(unit_id__in=access_for(user).unit_ids("audit_view"))

    def of_ward(self, ward_id: int, unit_ids) -> AuditEventQuerySet:
        """A ward's trail: events at its units (the ward and the wards merged into it), plus
        the unit-less events (logins, logouts, refusals) of the ward's current members."""
        members = Member.objects.active().filter(
            team__ward_id=ward_id, team__dissolved_on__isnull=True, user__isnull=False
        )
        return self.filter(
            Q(unit_id__in=unit_ids) | Q(unit__isnull=True, actor_id__in=members.values("user_id"))
        )

    def exports_and_logins(self) -> AuditEventQuerySet:
        """What a supervisor may follow: exports and account events, never a look at a person
        (a refusal counts only when it concerns an account, not a page naming an object)."""
        account = [
            AuditEvent.Action.LOGIN,
            AuditEvent.Action.LOGOUT,
            AuditEvent.Action.LOGIN_FAILED,
        ]
        return self.filter(
            Q(action=AuditEvent.Action.EXPORT)
            | Q(action__in=account)
            | Q(action=AuditEvent.Action.DENIED, object_type="auth.user")
        )

    def under(self, unit_ids) -> AuditEventQuerySet:
        """Events at the units, plus unit-less ones (logins) of users working there today."""
        member, post = _works_at(unit_ids)
        works_there = Q(models.Exists(member)) | Q(models.Exists(post))
        return self.filter(Q(unit_id__in=unit_ids) | (Q(unit__isnull=True) & works_there))

    def with_actor_unit(self, unit_ids) -> AuditEventQuerySet:
        """`actor_unit`: the name of the ward or unit (among `unit_ids`) the actor works at."""
        member, post = _works_at(unit_ids)
        return self.annotate(
            actor_unit=models.functions.Coalesce(
                models.Subquery(member.order_by("pk").values("team__ward__name")[:1]),
                models.Subquery(post.order_by("pk").values("unit__name")[:1]),
            )
        )

    def between(self, start: datetime.date | None, end: datetime.date | None) -> AuditEventQuerySet:
        """Events from the start of `start` to the end of `end`, local days (either may be
        None); a range on `created_at` itself, so the index serves it."""
        qs = self
        if start:
            qs = qs.filter(created_at__gte=_local_midnight(start))
        if end:
            qs = qs.filter(created_at__lt=_local_midnight(end + datetime.timedelta(days=1)))
        return qs


def _works_at(unit_ids) -> tuple[MemberQuerySet, PostQuerySet]:
    """The event's actor's active memberships and posts at the units, as querysets to correlate
    on `actor_id` (subqueries: no rows are loaded)."""
    member = Member.objects.active().filter(
        user_id=models.OuterRef("actor_id"),
        team__dissolved_on__isnull=True,
        team__ward_id__in=unit_ids,
    )
    post = Post.objects.active().filter(user_id=models.OuterRef("actor_id"), unit_id__in=unit_ids)
    return member, post


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEvent(models.Model):
    """Append-only record of who did what to which object. Never updated, never deleted."""

    class Action(models.TextChoices):
        VIEW = "view", _("Xem")
        CREATE = "create", _("Tạo")
        UPDATE = "update", _("Sửa")
        DELETE = "delete", _("Xóa")
        EXPORT = "export", _("Xuất dữ liệu")
        LOGIN = "login", _("Đăng nhập")
        LOGOUT = "logout", _("Đăng xuất")
        LOGIN_FAILED = "login_failed", _("Đăng nhập sai")
        DENIED = "denied", _("Bị từ chối")
        IMPORT = "import", _("Nhập dữ liệu")

    created_at = models.DateTimeField(_("lúc"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    action = models.CharField(_("hành động"), max_length=15, choices=Action.choices)
    object_type = models.CharField(_("loại đối tượng"), max_length=60, blank=True, default="")
    object_id = models.CharField(_("mã đối tượng"), max_length=40, blank=True, default="")
    unit = models.ForeignKey(
        AdminUnit,
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Changed field names with old/new values for non-sensitive fields; never free text.
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký hoạt động")
        verbose_name_plural = pgettext_lazy("plural", "nhật ký hoạt động")
        ordering = ["-created_at"]
        indexes = [
            # audit trail of a unit, newest first
            models.Index(fields=["unit", "-created_at"], name="wards_audit_unit_idx"),
            # "who looked at this person": object lookup
            models.Index(fields=["object_type", "object_id"], name="wards_audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError("Audit events are append-only.")
        # An INSERT, always: a new object carrying an existing id must not overwrite a row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only.")


class UsedFormToken(models.Model):
    """The one-time token of a form that created a record (wards.once). No personal data."""

    token = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("biểu mẫu đã gửi")
        verbose_name_plural = pgettext_lazy("plural", "biểu mẫu đã gửi")

    def __str__(self) -> str:
        return str(self.token)


class TemporaryPassword(Timestamped):
    """A password a leader, officer or supervisor gave a login (wards.logins), not yet replaced.

    Its holder must choose their own at the first login with it; it stops working after
    `expires_at`. The row goes when the holder sets their own password. The password itself is
    only in the user's hash; nobody can read it back."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="temporary_password",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("cấp lúc"), default=timezone.now)
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        verbose_name = _("mật khẩu tạm")
        verbose_name_plural = pgettext_lazy("plural", "mật khẩu tạm")

    def __str__(self) -> str:
        return f"{self.user_id} {self.expires_at:%Y-%m-%d}"

    @property
    def expired(self) -> bool:
        return timezone.now() > self.expires_at
