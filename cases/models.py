"""Supervised persons and the casework around them.

A `Person` is on a ward's register; `Enrollment` records a legal or programme measure
(post-rehab management, methadone, a club…) by reference to its decision; `Assignment` names
the volunteer who follows the person; `Contact`, `Milestone` and `Assessment` are the team's
working record, each storing the ward it happened in so reports count it where it happened.

Date ranges: both ends are inclusive (INDICATORS.md). `started_on` is the first day and an
enrolment's or an assignment's `ended_on`, a person's `closed_on`, the last day it holds: a
range holds on day d when it started on or before d and ended on or after d (or not at all).
Each model says so once, in its queryset's `holding_on`.

Reads are QuerySet methods; writes go through `cases.services`.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.lookups import IsNull, LessThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.text import fold
from wards.access import access_for
from wards.models import AdminUnit, Area, Authored, Member, Timestamped, holds_on
from wards.versions import version_field


def _visible_persons(user, *, via: str = "") -> Q:
    """The persons `user` may see, as a condition on a model that reaches them through `via`.

    Leaders and commune officers see every person of the units where they hold
    `person_view` (their ward and the wards merged into it); a member of a team also sees the
    persons currently assigned to them. `via` is "" for `Person`, "person" for a model with a
    `person` foreign key. One condition, one subquery: no rows are loaded here.
    """
    access = access_for(user)
    prefix = f"{via}__" if via else ""
    condition = Q(**{f"{prefix}ward__in": access.unit_ids("person_view")})
    member_ids = [member.pk for member in access.members]
    if member_ids:
        assigned = Assignment.objects.open().filter(member__in=member_ids).values("person_id")
        condition |= Q(**{f"{via}__in" if via else "pk__in": assigned})
    return condition


def _own_records(user) -> Q:
    """Records a member of the user wrote themselves (a past contact with someone they helped)."""
    member_ids = [member.pk for member in access_for(user).members]
    return Q(member__in=member_ids) if member_ids else Q(pk__in=[])


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user) -> PersonQuerySet:
        return self.filter(_visible_persons(user))

    def editable_by(self, user) -> PersonQuerySet:
        return self.filter(ward__in=access_for(user).unit_ids("person_edit"))

    def active(self) -> PersonQuerySet:
        return self.filter(status=Person.Status.ACTIVE)

    def closed(self) -> PersonQuerySet:
        return self.filter(status=Person.Status.CLOSED)

    def holding_on(self, day: datetime.date) -> PersonQuerySet:
        """On the register on `day`: registered by then, the file not closed before it
        (`closed_on` is the file's last day)."""
        return self.filter(holds_on(day, start="registered_on", end="closed_on"))

    on_register = holding_on

    def search(self, text: str) -> PersonQuerySet:
        """Persons whose name or alias has a word starting with each word of `text`, in any
        order, diacritics ignored: "nguyen van a" finds "Nguyễn Văn Anh", not "Nguyễn Văn
        Bình" (whose "van" merely contains an "a")."""
        qs = self
        for word in fold(text).split():
            qs = qs.filter(Q(search_key__startswith=word) | Q(search_key__contains=f" {word}"))
        return qs

    def with_last_contact(self, *, today: datetime.date, due_days: int) -> PersonQuerySet:
        """Annotate `last_contact_on` and `overdue` (see `overdue_condition`)."""
        latest = Contact.objects.latest_of(OuterRef("pk"))
        return self.annotate(
            last_contact_on=Subquery(latest.values("occurred_on")[:1]),
            overdue=Case(
                When(overdue_condition(today=today, due_days=due_days), then=Value(True)),
                default=Value(False),
                output_field=models.BooleanField(),
            ),
        )

    def for_list(self) -> PersonQuerySet:
        """What a register page shows: ward, area and the current helper, in two queries."""
        open_assignments = Assignment.objects.open().select_related("member")
        return self.select_related("ward", "area").prefetch_related(
            Prefetch("assignments", queryset=open_assignments, to_attr="open_assignments")
        )


class Person(Authored):
    """Someone on a ward's register (người được hỗ trợ)."""

    class Sex(models.TextChoices):
        MALE = "male", _("Nam")
        FEMALE = "female", _("Nữ")

    class Group(models.TextChoices):
        HIGH_RISK = "high_risk", _("Người có nguy cơ cao")
        DRUG_USER = "drug_user", _("Người sử dụng trái phép chất ma túy")
        ADDICTED = "addicted", _("Người nghiện ma túy")
        POST_REHAB = "post_rehab", _("Người sau cai nghiện")
        SEX_WORK = "sex_work", _("Người bán dâm hoàn lương")
        TRAFFICKING = "trafficking", _("Nạn nhân bị mua bán")
        OTHER = "other", _("Khác")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Đang theo dõi")
        CLOSED = "closed", _("Đã đóng hồ sơ")

    class ClosedReason(models.TextChoices):
        COMPLETED = "completed", _("Hoàn thành hỗ trợ")
        MOVED_AWAY = "moved_away", _("Chuyển nơi cư trú")
        DIED = "died", _("Đã mất")
        TRANSFERRED = "transferred", _("Chuyển giao đơn vị khác quản lý")
        OTHER = "other", _("Khác")

    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="persons",
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )
    # The ward the person was registered in. `ward` follows the person when their ward is
    # merged into a new one; reports for a time before the new ward existed count the person
    # here (reports.rollup). Set from `ward` when the person is registered.
    registered_ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường nơi đăng ký"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("địa bàn dân cư"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="persons",
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    alias = models.CharField(_("tên gọi khác"), max_length=120, blank=True, default="")
    # fold(full_name + " " + alias), written by the services; see cases.text.
    search_key = models.CharField(
        _("khóa tìm kiếm"), max_length=255, blank=True, default="", editable=False
    )
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    id_number = models.CharField(_("số định danh, CCCD"), max_length=20, blank=True, default="")
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True, default="")
    address = models.CharField(_("nơi ở"), max_length=255, blank=True, default="")
    family_contact = models.CharField(
        _("người thân liên hệ"), max_length=255, blank=True, default=""
    )
    group = models.CharField(_("nhóm"), max_length=12, choices=Group.choices)
    substances = models.CharField(_("chất sử dụng"), max_length=200, blank=True, default="")
    history_notes = models.TextField(
        _("quá trình, tiền sử"), max_length=10_000, blank=True, default=""
    )
    registered_on = models.DateField(_("ngày đưa vào danh sách"))
    consent_on = models.DateField(_("ngày đồng ý cung cấp thông tin"))
    consent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận sự đồng ý"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("tình trạng"), max_length=6, choices=Status.choices, default=Status.ACTIVE
    )
    closed_on = models.DateField(_("ngày đóng hồ sơ"), null=True, blank=True)
    closed_reason = models.CharField(
        _("lý do đóng hồ sơ"), max_length=12, choices=ClosedReason.choices, blank=True, default=""
    )
    # Incremented by every change, so a form can tell that someone else saved in between.
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)
    # The day `anonymise_closed` stripped what identifies the person (cases.anonymise).
    anonymised_on = models.DateField(_("ngày ẩn danh"), null=True, blank=True, editable=False)

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("người được hỗ trợ")
        verbose_name_plural = pgettext_lazy("plural", "người được hỗ trợ")
        # The folded name: "Đ" sorts with "D" and accents do not scatter one family name.
        ordering = ["search_key", "pk"]
        indexes = [
            # a ward's register: visible_to(user).active(), by ward
            models.Index(fields=["ward", "status"], name="cases_person_ward_idx"),
            # casework.on_list: persons of a ward by registration date
            models.Index(fields=["ward", "registered_on"], name="cases_person_registered_idx"),
            # casework.new_persons: persons registered in a ward within a period
            models.Index(
                fields=["registered_ward", "registered_on"], name="cases_person_reg_ward_idx"
            ),
            # find_duplicates(): search_key LIKE 'nguyen van a%' for one birth year
            models.Index(
                fields=["search_key"],
                name="cases_person_search_key_idx",
                opclasses=["varchar_pattern_ops"],
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__isnull=False) | Q(birth_year__isnull=False),
                name="cases_person_birth_date_or_year",
                violation_error_message=_("Cần nhập ngày sinh hoặc năm sinh."),
            ),
            models.CheckConstraint(
                condition=Q(status="active", closed_on__isnull=True, closed_reason="")
                | (Q(status="closed", closed_on__isnull=False) & ~Q(closed_reason="")),
                name="cases_person_closed_iff_closed_on",
                violation_error_message=_(
                    "Hồ sơ đã đóng phải có ngày và lý do đóng; hồ sơ đang theo dõi thì không."
                ),
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("registered_on")),
                name="cases_person_closed_after_registered",
                violation_error_message=_(
                    "Ngày đóng hồ sơ không được trước ngày đưa vào danh sách."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("cases:person_detail", args=[self.pk])

    def save(self, *args, **kwargs) -> None:
        if self.registered_ward_id is None:
            self.registered_ward_id = self.ward_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.area_id and self.ward_id and self.area.ward_id != self.ward_id:
            raise ValidationError({"area": _("Địa bàn dân cư không thuộc xã, phường này.")})

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def current_assignment(self) -> Assignment | None:
        """The open assignment: free after `for_list()`, one query otherwise."""
        if hasattr(self, "open_assignments"):
            return self.open_assignments[0] if self.open_assignments else None
        return self.assignments.open().select_related("member").first()


class GroupChangeQuerySet(models.QuerySet):
    def visible_to(self, user) -> GroupChangeQuerySet:
        return self.filter(_visible_persons(user, via="person"))

    def on(self, day) -> GroupChangeQuerySet:
        """The entries in force on `day` (a date or an expression): the latest entry of each
        person that started on or before it. Use `.filter(person=...)` and take the first."""
        return self.filter(since__lte=day).order_by("-since", "-pk")


class GroupChange(Authored):
    """One dated entry of a person's group history (DESIGN.md, "People, accounts and moves").

    The person was in `group` from `since` until the day before their next entry. The first
    entry starts on the day they were registered; `Person.group` is always the group of their
    latest entry. Every record that carries the facts of its day (a contact's
    `person_group`) takes the group in force on its date, so a correction dated today moves
    nothing that happened before today. Written only by `cases.services`.
    """

    person = models.ForeignKey(
        "Person", verbose_name=_("người"), on_delete=models.PROTECT, related_name="group_changes"
    )
    group = models.CharField(_("nhóm"), max_length=12, choices=Person.Group.choices)
    since = models.DateField(_("từ ngày"))
    reason = models.CharField(_("lý do"), max_length=300, blank=True, default="")

    objects = GroupChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("thay đổi nhóm")
        verbose_name_plural = pgettext_lazy("plural", "thay đổi nhóm")
        ordering = ["person", "since", "pk"]
        constraints = [
            # One entry per person and day: a second change on a day replaces the first.
            models.UniqueConstraint(fields=["person", "since"], name="cases_groupchange_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.get_group_display()} ({self.since:%d/%m/%Y})"


class ProgrammeQuerySet(models.QuerySet):
    def active(self) -> ProgrammeQuerySet:
        return self.filter(active=True)


class Programme(Timestamped):
    """A measure or programme a person can be enrolled in. Reference data: law changes are
    data changes, made in the admin."""

    class Category(models.TextChoices):
        POST_REHAB = "post_rehab", _("Quản lý sau cai nghiện")
        ILLEGAL_USE = "illegal_use", _("Quản lý người sử dụng trái phép chất ma túy")
        VOLUNTARY_TREATMENT = "voluntary_treatment", _("Cai nghiện tự nguyện")
        COMPULSORY_TREATMENT = "compulsory_treatment", _("Cai nghiện bắt buộc")
        METHADONE = "methadone", _("Điều trị thay thế (methadone)")
        CLUB = "club", _("Câu lạc bộ, nhóm hỗ trợ")
        OTHER = "other", _("Khác")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    category = models.CharField(_("loại"), max_length=20, choices=Category.choices)
    default_months = models.PositiveSmallIntegerField(
        _("thời hạn mặc định (tháng)"),
        null=True,
        blank=True,
        help_text=_("Để trống nếu không có thời hạn."),
    )
    min_months = models.PositiveSmallIntegerField(_("tối thiểu (tháng)"), null=True, blank=True)
    max_months = models.PositiveSmallIntegerField(_("tối đa (tháng)"), null=True, blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), max_length=2_000, blank=True, default="")
    active = models.BooleanField(
        _("đang áp dụng"),
        default=True,
        help_text=_("Chương trình không còn áp dụng vẫn giữ các lượt tham gia cũ."),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("chương trình, biện pháp")
        verbose_name_plural = pgettext_lazy("plural", "chương trình, biện pháp")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_months__isnull=True)
                | Q(max_months__isnull=True)
                | Q(max_months__gte=models.F("min_months")),
                name="cases_programme_min_le_max",
                violation_error_message=_("Thời hạn tối đa không được nhỏ hơn tối thiểu."),
            ),
            models.CheckConstraint(
                condition=Q(default_months__isnull=True)
                | (
                    (Q(min_months__isnull=True) | Q(default_months__gte=models.F("min_months")))
                    & (Q(max_months__isnull=True) | Q(default_months__lte=models.F("max_months")))
                ),
                name="cases_programme_default_in_range",
                violation_error_message=_(
                    "Thời hạn mặc định phải nằm trong khoảng tối thiểu – tối đa."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClubQuerySet(models.QuerySet):
    def visible_to(self, user) -> ClubQuerySet:
        """The clubs of the wards where the user works with persons' files."""
        return self.filter(ward__in=access_for(user).unit_ids("person_view"))

    def holding_on(self, day: datetime.date) -> ClubQuerySet:
        """Clubs active on `day`: founded by then, `closed_on` (the last day) empty or later."""
        return self.filter(holds_on(day, start="founded_on", end="closed_on"))


class Club(Authored):
    """A named group of one ward running one programme: a B93 club, an early-intervention
    club («câu lạc bộ can thiệp sớm»), a family club. Its members are the persons enrolled in
    its programme through it (`Enrollment.club`); its sessions are `club_session` activities
    linked to it. `closed_on` is its last day."""

    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="clubs",
        limit_choices_to={"level": AdminUnit.Level.COMMUNE},
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="clubs",
        limit_choices_to={"category": Programme.Category.CLUB},
    )
    name = models.CharField(_("tên câu lạc bộ"), max_length=200)
    founded_on = models.DateField(_("ngày thành lập"))
    closed_on = models.DateField(_("ngày ngừng hoạt động"), null=True, blank=True)
    version = version_field()  # wards.versions

    objects = ClubQuerySet.as_manager()

    class Meta:
        verbose_name = _("câu lạc bộ")
        verbose_name_plural = pgettext_lazy("plural", "câu lạc bộ")
        ordering = ["ward", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ward", "name"], name="cases_club_unique_name"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("founded_on")),
                name="cases_club_closed_after_founded",
                violation_error_message=_("Ngày ngừng hoạt động không được trước ngày thành lập."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EnrollmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> EnrollmentQuerySet:
        return self.filter(_visible_persons(user, via="person"))

    def open(self) -> EnrollmentQuerySet:
        return self.filter(ended_on__isnull=True)

    def holding_on(self, day: datetime.date) -> EnrollmentQuerySet:
        """Enrolments that hold on `day` (post_rehab.managed): `ended_on` is the last day."""
        return self.filter(holds_on(day))

    current_on = holding_on

    def post_rehab(self) -> EnrollmentQuerySet:
        return self.filter(programme__category=Programme.Category.POST_REHAB)


class Enrollment(Authored):
    """A person's time in a programme, by reference to the decision that placed them there.

    On PostgreSQL an exclusion constraint, `cases_enrollment_no_overlap`, refuses two
    overlapping enrolments of one person in one programme (both ends inclusive, an open
    enrolment runs forever). It is created by migration 0003 because SQLite has no such
    constraint; `services.enrollment_start` checks the same rule on every backend.
    """

    class EndReason(models.TextChoices):
        COMPLETED = "completed", _("Hoàn thành")
        RELAPSED = "relapsed", _("Tái nghiện")
        MOVED_AWAY = "moved_away", _("Chuyển nơi cư trú")
        DIED = "died", _("Đã mất")
        TRANSFERRED = "transferred", _("Chuyển giao đơn vị khác quản lý")
        OTHER = "other", _("Khác")

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="enrollments"
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("chương trình, biện pháp"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    started_on = models.DateField(_("ngày bắt đầu"))
    due_on = models.DateField(_("ngày dự kiến kết thúc"), null=True, blank=True)
    ended_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    end_reason = models.CharField(
        _("lý do kết thúc"), max_length=12, choices=EndReason.choices, blank=True, default=""
    )
    decision_no = models.CharField(_("số quyết định"), max_length=60, blank=True, default="")
    decision_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    # The club the person takes part in through this enrolment (a club's programme only).
    club = models.ForeignKey(
        Club,
        verbose_name=_("câu lạc bộ"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enrollments",
    )
    version = version_field()  # wards.versions

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt tham gia chương trình")
        verbose_name_plural = pgettext_lazy("plural", "lượt tham gia chương trình")
        ordering = ["-started_on", "-pk"]
        indexes = [
            # a person's enrolments, newest first; the overlap check of enrollment_start()
            models.Index(fields=["person", "programme", "started_on"], name="cases_enr_person_idx"),
            # post_rehab.new / managed: a ward's enrolments by start date
            models.Index(fields=["ward", "started_on"], name="cases_enr_ward_started_idx"),
            # post_rehab.completed: a ward's enrolments by end date
            models.Index(fields=["ward", "ended_on"], name="cases_enr_ward_ended_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="cases_enrollment_ended_after_started",
                violation_error_message=_("Ngày kết thúc không được trước ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(due_on__gte=models.F("started_on")),
                name="cases_enrollment_due_after_started",
                violation_error_message=_("Ngày dự kiến kết thúc không được trước ngày bắt đầu."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="cases_enrollment_ended_iff_reason",
                violation_error_message=_("Ngày kết thúc và lý do kết thúc phải đi cùng nhau."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.started_on:%d/%m/%Y})"


class AssignmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssignmentQuerySet:
        return self.filter(_visible_persons(user, via="person") | _own_records(user))

    def open(self) -> AssignmentQuerySet:
        return self.filter(ended_on__isnull=True)

    def holding_on(self, day: datetime.date) -> AssignmentQuerySet:
        """Assignments that hold on `day` (team.caseload): `ended_on` is the last day."""
        return self.filter(holds_on(day))

    held_on = holding_on


class Assignment(Timestamped):
    """A team member appointed to follow a person (phân công giúp đỡ).

    `ended_on` is the assignment's last day: a reassignment on day D ends the old one on D - 1
    and starts the new one on D (one started on D itself is corrected to the new member), so
    exactly one helper holds the person each day (services.assignment_assign).
    """

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="assignments"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("thành viên giúp đỡ"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    started_on = models.DateField(_("ngày phân công"))
    ended_on = models.DateField(_("ngày thôi phân công"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phân công"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người kết thúc phân công"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công giúp đỡ")
        verbose_name_plural = pgettext_lazy("plural", "phân công giúp đỡ")
        ordering = ["-started_on", "-pk"]
        indexes = [
            # visible_to(): the persons currently assigned to a member; a member's caseload
            models.Index(
                fields=["member"], condition=Q(ended_on__isnull=True), name="cases_asg_open_idx"
            ),
            # a person's assignment history, newest first
            models.Index(fields=["person", "-started_on"], name="cases_asg_person_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="cases_assignment_one_open_per_person",
                violation_error_message=_("Người này đang được phân công cho một thành viên."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="cases_assignment_ended_after_started",
                violation_error_message=_("Ngày thôi phân công không được trước ngày phân công."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} ({self.started_on:%d/%m/%Y})"


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> ContactQuerySet:
        """Contacts of visible persons, plus the ones the user's memberships recorded."""
        return self.filter(_visible_persons(user, via="person") | _own_records(user))

    def latest_of(self, person) -> ContactQuerySet:
        """The contacts of `person` (a pk or an OuterRef), newest first."""
        return self.filter(person=person).order_by("-occurred_on", "-pk")


def overdue_condition(*, today: datetime.date, due_days: int) -> Q:
    """A person whose contact is overdue: active and never contacted for `due_days` since
    being registered, or whose last appointment has passed, or, without an appointment,
    whose last contact is older than `due_days` (the ward's rhythm,
    services.contact_due_days).

    Built from subqueries rather than annotations, so that an aggregate can filter on it."""
    latest = Contact.objects.latest_of(OuterRef("pk"))
    last_on = Subquery(latest.values("occurred_on")[:1])
    last_due = Subquery(latest.values("next_due_on")[:1])
    cutoff = today - datetime.timedelta(days=due_days)
    return Q(status=Person.Status.ACTIVE) & (
        (IsNull(last_on, True) & Q(registered_on__lt=cutoff))
        | LessThan(last_due, today)
        | (IsNull(last_due, True) & LessThan(last_on, cutoff))
    )


class Contact(Authored):
    """One contact with a person: a visit, a meeting, a call, a group session, a drug test.

    `ward` is copied from the person when the contact is recorded and `person_group` is the
    group in force on `occurred_on` (`GroupChange`), so a report counts the contact where and
    as what it happened, whatever is corrected later.
    """

    class Kind(models.TextChoices):
        HOME_VISIT = "home_visit", _("Thăm tại nhà")
        MEETING = "meeting", _("Gặp trực tiếp")
        PHONE = "phone", _("Gọi điện")
        VIA_FAMILY = "via_family", _("Qua gia đình")
        GROUP_SESSION = "group_session", _("Sinh hoạt nhóm")
        DRUG_TEST = "drug_test", _("Phối hợp xét nghiệm")

    class Topic(models.TextChoices):
        """What the counselling was about (casework.counselled.<topic>); several per contact."""

        PSYCHOLOGICAL = "psychological", _("Tâm lý")
        CAREER = "career", _("Hướng nghiệp")
        LEGAL = "legal", _("Pháp luật")
        HEALTH = "health", _("Sức khỏe")
        FAMILY = "family", _("Gia đình")

    class DrugTestResult(models.TextChoices):
        NEGATIVE = "negative", _("Âm tính")
        POSITIVE = "positive", _("Dương tính")
        REFUSED = "refused", _("Không đồng ý xét nghiệm")

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="contacts"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    ward = models.ForeignKey(
        AdminUnit, verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="contacts"
    )
    person_group = models.CharField(_("nhóm"), max_length=12, choices=Person.Group.choices)
    occurred_on = models.DateField(_("ngày"))
    kind = models.CharField(_("hình thức"), max_length=14, choices=Kind.choices)
    summary = models.TextField(_("nội dung"), max_length=5_000, blank=True, default="")
    drug_test_result = models.CharField(
        _("kết quả xét nghiệm"),
        max_length=8,
        choices=DrugTestResult.choices,
        blank=True,
        default="",
    )
    next_due_on = models.DateField(_("hẹn lần tới"), null=True, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("lượt tiếp cận, giúp đỡ")
        verbose_name_plural = pgettext_lazy("plural", "lượt tiếp cận, giúp đỡ")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # a person's timeline, newest first
            models.Index(fields=["person", "-occurred_on"], name="cases_contact_person_idx"),
            # reports: a scope's contacts in a period (reports.rollup._contacts and
            # _post_rehab_contacts, casework.* and post_rehab.contacts; reports.trend) and a
            # ward's contact log. Covering: the report reads it alone, never the table (EXPLAIN
            # on the province set: Index Only Scan, 134,469 rows of 2026-Q3 in 23 ms).
            models.Index(
                fields=["ward", "occurred_on"],
                include=["person", "kind", "person_group"],
                name="cases_contact_report_idx",
            ),
            # a member's own contacts, newest first (volunteer's history, visible_to)
            models.Index(fields=["member", "-occurred_on"], name="cases_contact_member_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(drug_test_result="") | Q(kind="drug_test"),
                name="cases_contact_test_result_only_for_tests",
                violation_error_message=_("Chỉ ghi kết quả xét nghiệm cho lượt xét nghiệm."),
            ),
            models.CheckConstraint(
                condition=Q(next_due_on__isnull=True) | Q(next_due_on__gte=models.F("occurred_on")),
                name="cases_contact_next_due_after_occurred",
                violation_error_message=_("Ngày hẹn lần tới không được trước ngày tiếp cận."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d/%m/%Y}"


class ContactTopic(Timestamped):
    """One topic a contact's counselling covered (Contact.Topic). Written with the contact by
    `cases.services`; a contact has at most one row per topic."""

    contact = models.ForeignKey(
        Contact, verbose_name=_("lượt tiếp cận"), on_delete=models.CASCADE, related_name="topics"
    )
    topic = models.CharField(_("nội dung tư vấn"), max_length=14, choices=Contact.Topic.choices)

    class Meta:
        verbose_name = _("nội dung tư vấn")
        verbose_name_plural = pgettext_lazy("plural", "nội dung tư vấn")
        ordering = ["contact", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "topic"], name="cases_contacttopic_once")
        ]

    def __str__(self) -> str:
        return self.get_topic_display()


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user) -> MilestoneQuerySet:
        return self.filter(_visible_persons(user, via="person"))

    def positive(self) -> MilestoneQuerySet:
        """Milestones that count as positive change (casework.positive_change)."""
        return self.filter(kind__in=Milestone.POSITIVE)


class Milestone(Authored):
    """A dated change in a person's life that the reports count."""

    class Kind(models.TextChoices):
        VOLUNTARY_REHAB = "voluntary_rehab", _("Đi cai nghiện tự nguyện")
        METHADONE = "methadone", _("Tham gia điều trị methadone")
        COMPULSORY_REHAB = "compulsory_rehab", _("Lập hồ sơ cai nghiện bắt buộc")
        JOB = "job", _("Có việc làm")
        TRAINING_DONE = "training_done", _("Hoàn thành học nghề")
        NO_RELAPSE_1Y = "no_relapse_1y", _("Không tái nghiện sau 1 năm")
        RELAPSED = "relapsed", _("Tái nghiện")
        SELF_DECLARED = "self_declared", _("Tự giác khai báo")
        MOVED_AWAY = "moved_away", _("Chuyển đi nơi khác")
        DIED = "died", _("Đã mất")

    # Kinds counted as "chuyển biến tích cực" (INDICATORS.md casework.positive_change).
    POSITIVE = frozenset(
        {
            Kind.VOLUNTARY_REHAB,
            Kind.METHADONE,
            Kind.JOB,
            Kind.TRAINING_DONE,
            Kind.NO_RELAPSE_1Y,
        }
    )

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="milestones"
    )
    ward = models.ForeignKey(
        AdminUnit, verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="milestones"
    )
    occurred_on = models.DateField(_("ngày"))
    kind = models.CharField(_("sự kiện"), max_length=16, choices=Kind.choices)
    note = models.TextField(_("ghi chú"), max_length=2_000, blank=True, default="")

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển biến")
        verbose_name_plural = pgettext_lazy("plural", "chuyển biến")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # a person's timeline, newest first
            models.Index(fields=["person", "-occurred_on"], name="cases_milestone_person_idx"),
            # reports: a ward's milestones of some kinds in a period (casework.positive_change…)
            models.Index(fields=["ward", "occurred_on", "kind"], name="cases_milestone_ward_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on:%d/%m/%Y}"

    @property
    def is_positive(self) -> bool:
        return self.kind in self.POSITIVE


class AssessmentQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssessmentQuerySet:
        return self.filter(_visible_persons(user, via="person") | _own_records(user))


class Assessment(Authored):
    """A periodic classification of a person's progress, as early-intervention clubs keep."""

    class Result(models.TextChoices):
        PROGRESSING = "progressing", _("Tiến bộ")
        NOT_PROGRESSING = "not_progressing", _("Chưa tiến bộ")
        RELAPSED = "relapsed", _("Tái nghiện")

    person = models.ForeignKey(
        Person, verbose_name=_("người"), on_delete=models.PROTECT, related_name="assessments"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("thành viên đánh giá"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
    )
    ward = models.ForeignKey(
        AdminUnit,
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    assessed_on = models.DateField(_("ngày đánh giá"))
    result = models.CharField(_("kết quả"), max_length=16, choices=Result.choices)
    note = models.TextField(_("ghi chú"), max_length=2_000, blank=True, default="")

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá tiến bộ")
        verbose_name_plural = pgettext_lazy("plural", "đánh giá tiến bộ")
        ordering = ["-assessed_on", "-pk"]
        indexes = [
            # a person's assessments, latest first
            models.Index(fields=["person", "-assessed_on"], name="cases_assessment_person_idx"),
            # a ward's assessments in a period
            models.Index(fields=["ward", "assessed_on"], name="cases_assessment_ward_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.assessed_on:%d/%m/%Y}"
