"""`manage.py anonymise_closed` (cases/anonymise.py): what it strips, whom it spares, that every
report figure stays the same, and that it refuses bad input and half-done work.

The town: three wards (A, its predecessor A-old merged into it in 2025, and B in another
district), persons of six groups in each, some closed in 2021 (to be anonymised), some closed
in 2025 and some still open (to be kept), each with an assignment, enrolments, contacts,
milestones, assessments, referrals with status histories and club sessions over 2019-2025.
Everything a person to be anonymised owns carries the marker SECRET in its text; everything
the others own carries KEEPME, so a scan of every text column of the database shows what went.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection, models, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases import anonymise, services
from cases.anonymise import ANONYMOUS_NAME, PERSON_CLEARED, RECORD_TEXT
from cases.models import Enrollment, Person
from outreach import services as outreach
from outreach.models import ReferralStatusChange
from reports.indicators import catalogue
from reports.periods import parse
from reports.report import as_json, build
from tests import factories as f
from tests.conftest import login
from wards.models import AdminUnit, AuditEvent, Member

pytestmark = pytest.mark.django_db

D = datetime.date
DAY = datetime.timedelta(days=1)
GROUPS = ["high_risk", "drug_user", "addicted", "post_rehab", "sex_work", "trafficking"]
# fate -> (first registration, closing day or None)
FATES = {
    "old": (D(2019, 3, 1), D(2021, 6, 15)),
    "recent": (D(2020, 2, 1), D(2025, 3, 1)),
    "open": (D(2021, 5, 1), None),
}
CLUB_DAYS = [D(2019, 10, 5), D(2020, 10, 5), D(2022, 10, 5), D(2024, 10, 5)]
PERIODS = [str(y) for y in range(2019, 2027)] + [
    "2019..2026",
    "2020-Q2",
    "2021-H1",
    "2021-06",
    "2019-03-15..2021-06-20",
]
OFFICIAL = ["2020", "2021-H1"]


def years_back() -> int:
    """A --older-than that puts the cut-off in 2023 whatever today is: the 2021 closings are
    older, the 2025 ones are not."""
    return timezone.localdate().year - 2023


# The town ----------------------------------------------------------------------------------


def _text(fate: str, what: str, n: int) -> str:
    marker = "SECRET" if fate == "old" else "KEEPME"
    return f"{what} {marker}{n}"


def _person(ward, member, group: str, fate: str, n: int, leader) -> Person:
    registered, closed = FATES[fate]
    registered += (n % 12) * 9 * DAY
    person = f.person(
        ward=ward,
        full_name=_text(fate, "Nguyễn Văn", n),
        alias=_text(fate, "Tí", n),
        sex=["male", "female"][n % 2],
        group=group,
        birth_date=D(1980 + n % 20, 1 + n % 12, 1 + n % 28),
        id_number=f"{'9' if fate == 'old' else '8'}{n:011d}",
        phone=f"09{'7' if fate == 'old' else '6'}{n:07d}",
        address=_text(fate, "Số nhà", n),
        family_contact=_text(fate, "Mẹ", n),
        substances=_text(fate, "Chất", n),
        history_notes=_text(fate, "Tiền sử", n),
        area=f.area(ward=ward, name=f"Tổ {n}"),
        registered_on=registered,
        status="closed" if closed else "active",
        closed_on=closed + n * DAY if closed else None,
        closed_reason="completed" if closed else "",
    )
    f.assignment(person=person, member=member, ended_on=person.closed_on)
    _casework(person, member, fate, n, leader)
    return person


def _casework(person: Person, member: Member, fate: str, n: int, leader) -> None:
    start, end = person.registered_on, person.closed_on or D(2025, 12, 31)
    if person.group in ("addicted", "post_rehab", "drug_user"):
        f.enrollment(
            person=person,
            started_on=start + 20 * DAY,
            due_on=start + 385 * DAY,
            ended_on=start + 385 * DAY,
            end_reason="completed",
            decision_no=_text(fate, "QĐ", n),
            decision_on=start + 19 * DAY,
        )
    kinds = [("home_visit", ""), ("drug_test", ["negative", "positive"][n % 2]), ("phone", "")]
    for days, (kind, result) in zip((30, 200, 400), kinds, strict=True):
        f.contact(
            person=person,
            member=member,
            occurred_on=start + days * DAY,
            kind=kind,
            drug_test_result=result,
            summary=_text(fate, "Thăm", n),
        )
    f.milestone(person=person, occurred_on=start + 100 * DAY, note=_text(fate, "Việc", n))
    if person.group == "addicted":
        f.milestone(
            person=person, occurred_on=start + 300 * DAY, kind="relapsed", note=_text(fate, "T", n)
        )
    services.assessment_record(
        actor=leader,
        person=person,
        assessed_on=start + 150 * DAY,
        result=["progressing", "not_progressing"][n % 2],
        note=_text(fate, "Đánh giá", n),
    )
    _referrals(person, fate, n, leader)
    assert start + 400 * DAY < end


def _referrals(person: Person, fate: str, n: int, leader) -> None:
    start = person.registered_on
    loan = outreach.referral_create(
        actor=leader,
        person=person,
        kind="loan",
        referred_on=start + 60 * DAY,
        amount=10_000_000 * (1 + n % 5),
        for_household=n % 3 == 0,
        note=_text(fate, "Vay", n),
    )
    for status, days in (("approved", 90), ("completed", 120)):
        outreach.referral_advance(
            actor=leader,
            referral=loan,
            status=status,
            changed_on=start + days * DAY,
            note=_text(fate, "Bước", n),
        )
    job = outreach.referral_create(
        actor=leader, person=person, kind="job", referred_on=start + 70 * DAY
    )
    steps = [("approved", 75), ("completed", 80)] if n % 2 else [("declined", 80)]
    for status, days in steps:
        outreach.referral_advance(
            actor=leader, referral=job, status=status, changed_on=start + days * DAY
        )


def _clubs(ward, leader) -> None:
    """A club session a year in the ward, with every person on its register that day."""
    for day in CLUB_DAYS:
        persons = list(Person.objects.filter(ward=ward).on_register(day))
        if persons:
            outreach.activity_record(
                actor=leader,
                unit=ward,
                occurred_on=day,
                kind="club_session",
                persons=persons,
                title="Sinh hoạt câu lạc bộ KEEPME",
                note="Ghi chú của Đội KEEPME",
            )


@dataclass
class Town:
    province: AdminUnit
    district_a: AdminUnit
    district_b: AdminUnit
    ward_a: AdminUnit
    ward_a_old: AdminUnit
    ward_b: AdminUnit
    leader: object
    persons: dict[str, list[Person]] = field(default_factory=dict)

    def ward_a_person(self, fate: str) -> Person:
        return next(p for p in self.persons[fate] if p.ward_id == self.ward_a.pk)


def _build_town() -> Town:
    province = f.unit(code="77", level="province", name="Tỉnh Ẩn Danh")
    district_a = f.unit(code="771", level="district", parent=province, name="Huyện Một")
    district_b = f.unit(code="772", level="district", parent=province, name="Huyện Hai")
    ward_a = f.unit(code="77001", parent=district_a, name="Phường Một")
    ward_b = f.unit(code="77002", parent=district_b, name="Phường Hai")
    ward_a_old = f.unit(
        code="77003-2025", parent=district_a, valid_until=D(2025, 6, 30), successor=ward_a
    )
    leader = f.user("doitruong_mot", first_name="Lê Thị Một")
    team_a = f.team(ward=ward_a)
    f.member(team=team_a, role="leader", user=leader)
    members = [
        f.member(team=f.team(ward=ward_a_old, dissolved_on=D(2025, 6, 30))),
        f.member(team=team_a),
        f.member(team=f.team(ward=ward_b)),
    ]
    town = Town(province, district_a, district_b, ward_a, ward_a_old, ward_b, leader)
    plan = [(ward_a_old, ["old", "recent"]), (ward_a, list(FATES)), (ward_b, list(FATES))]
    town.persons = {fate: [] for fate in FATES}
    n = 0
    for (ward, fates), member in zip(plan, members, strict=True):
        for fate in fates:
            for group in GROUPS:
                n += 1
                town.persons[fate].append(_person(ward, member, group, fate, n, leader))
    for ward, _fates in plan:
        _clubs(ward, leader)
    return town


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    """The town of this module's docstring, written once for the module inside a transaction
    rolled back at its end; each test's own writes are rolled back after the test."""
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        yield _build_town()
        transaction.set_rollback(True)


def all_figures(town: Town) -> dict:
    """Every report of the province, both districts and ward A for every period. A report
    holds its child units' figures too, so wards A-old and B are compared as children."""
    units = [town.province, town.district_a, town.district_b, town.ward_a]
    out = {}
    for unit in units:
        for spec in PERIODS:
            out[unit.code, spec, "calendar"] = as_json(build(unit, parse(spec)))
        for spec in OFFICIAL:
            out[unit.code, spec, "official"] = as_json(build(unit, parse(spec, "official")))
    return out


def run(*args: str) -> str:
    out = StringIO()
    call_command("anonymise_closed", *args, stdout=out)
    return out.getvalue()


def marked(marker: str) -> dict[str, int]:
    """{table.column: rows} of every text column of every model whose value holds `marker`,
    read with raw SQL (what a copy of the database would show)."""
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            for text_field in model._meta.concrete_fields:
                kinds = models.CharField | models.TextField | models.JSONField
                if not isinstance(text_field, kinds):
                    continue
                table, column = model._meta.db_table, text_field.column
                q = connection.ops.quote_name
                text = f"CAST({q(column)} AS TEXT)"
                cursor.execute(
                    f"SELECT COUNT(*) FROM {q(table)} WHERE UPPER({text}) LIKE %s",  # noqa: S608
                    [f"%{marker}%"],
                )
                (count,) = cursor.fetchone()
                if count:
                    found[f"{table}.{column}"] = count
    return found


# Every figure ------------------------------------------------------------------------------


def test_every_report_figure_is_the_same_after_anonymising(town):
    before = all_figures(town)
    whole = before["77", "2019..2026", "calendar"]["indicators"]
    counted = {code for code, value in whole.items() if value}
    # Not a world of zeros: the casework, post-rehab and support figures are all there.
    assert len(counted) >= 20, sorted(set(catalogue().codes) - counted)
    assert before["77", "2019", "calendar"]["indicators"]["casework.new_persons"] == 18

    output = run("--older-than", str(years_back()))

    assert f"Đã ẩn danh {len(town.persons['old'])} người" in output
    assert (
        Person.objects.filter(anonymised_on__isnull=False).count() == len(town.persons["old"]) == 18
    )
    after = all_figures(town)
    changed = [key for key in before if before[key] != after[key]]
    assert changed == []


def test_names_phones_and_notes_are_gone_from_every_column_of_the_database(town):
    before = marked("SECRET")
    assert set(before) >= {
        "cases_person.full_name",
        "cases_person.alias",
        "cases_person.search_key",
        "cases_person.address",
        "cases_person.family_contact",
        "cases_person.substances",
        "cases_person.history_notes",
        "cases_contact.summary",
        "cases_milestone.note",
        "cases_assessment.note",
        "cases_enrollment.decision_no",
        "outreach_referral.note",
        "outreach_referralstatuschange.note",
    }
    run("--older-than", str(years_back()))
    assert marked("SECRET") == {}
    # The others keep all of theirs, and the shared club sessions keep their text.
    assert marked("KEEPME").keys() >= before.keys() | {"outreach_activity.title"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT full_name, id_number, phone, address, birth_date, area_id, search_key "
            "FROM cases_person WHERE anonymised_on IS NOT NULL"
        )
        rows = cursor.fetchall()
    assert len(rows) == 18
    assert set(rows) == {(ANONYMOUS_NAME, "", "", "", None, None, "")}


def test_what_reports_count_is_kept_on_the_person(town):
    old = town.persons["old"][0]
    run("--older-than", str(years_back()))
    old_after = Person.objects.get(pk=old.pk)
    kept = ["ward_id", "registered_ward_id", "group", "sex", "registered_on", "consent_on"]
    kept += ["status", "closed_on", "closed_reason"]
    assert {k: getattr(old_after, k) for k in kept} == {k: getattr(old, k) for k in kept}
    assert old_after.birth_year == old.birth_date.year
    assert old_after.anonymised_on == timezone.localdate()
    assert old_after.version == old.version + 1
    assert old_after.contacts.count() == 3
    assert old_after.activities.count() == old.activities.count() > 0
    steps = ReferralStatusChange.objects.filter(referral__person=old)
    assert steps.count() == 6 and not steps.exclude(note="").exists()


# Who is spared -----------------------------------------------------------------------------


def test_open_recently_closed_and_already_anonymised_persons_are_left_alone(town):
    kept = town.persons["recent"] + town.persons["open"]
    before = list(Person.objects.filter(pk__in=[p.pk for p in kept]).values())
    run("--older-than", str(years_back()))
    assert list(Person.objects.filter(pk__in=[p.pk for p in kept]).values()) == before

    # A second run finds nobody: no change, no audit event.
    events = AuditEvent.objects.count()
    anonymised = list(Person.objects.filter(anonymised_on__isnull=False).values())
    assert "Đã ẩn danh 0 người" in run("--older-than", str(years_back()))
    assert AuditEvent.objects.count() == events
    assert list(Person.objects.filter(anonymised_on__isnull=False).values()) == anonymised


def test_the_cutoff_is_the_same_day_years_ago_and_that_day_itself_is_spared(world):
    today = timezone.localdate()
    cutoff = anonymise.cutoff_for(2, today)
    on_cutoff = f.person(
        ward=world.ward_a,
        registered_on=cutoff - 400 * DAY,
        status="closed",
        closed_on=cutoff,
        closed_reason="other",
    )
    day_before = f.person(
        ward=world.ward_a,
        registered_on=cutoff - 400 * DAY,
        status="closed",
        closed_on=cutoff - DAY,
        closed_reason="other",
    )
    result = anonymise.anonymise_closed(years=2)
    assert day_before.pk in result.persons
    assert on_cutoff.pk not in result.persons
    assert Person.objects.get(pk=day_before.pk).anonymised_on == today
    assert Person.objects.get(pk=on_cutoff.pk).anonymised_on is None


def test_29_february_steps_back_to_the_28th():
    assert anonymise.cutoff_for(1, D(2024, 2, 29)) == D(2023, 2, 28)
    assert anonymise.cutoff_for(4, D(2024, 2, 29)) == D(2020, 2, 29)


# Dry run, audit, all or nothing ------------------------------------------------------------


def snapshot() -> dict[str, list[dict]]:
    """Every row of the casework and outreach tables, and of the audit trail."""
    models_ = [*apps.get_app_config("cases").get_models()]
    models_ += [*apps.get_app_config("outreach").get_models(), AuditEvent]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models_}


def test_a_dry_run_counts_and_changes_nothing(town):
    before = snapshot()
    output = run("--older-than", str(years_back()), "--dry-run")
    assert output.startswith("Chạy thử, không ghi gì: sẽ ẩn danh 18 người")
    assert "Người được hỗ trợ, Họ và tên: 18" in output
    assert "Người được hỗ trợ, Số định danh, CCCD: 18" in output
    assert "Lượt tiếp cận, giúp đỡ, nội dung: 54" in output
    assert "Bước trạng thái, ghi chú: 36" in output
    assert snapshot() == before


def test_each_person_gets_one_audit_event_by_the_system_naming_fields_only(town):
    start = AuditEvent.objects.count()
    run("--older-than", str(years_back()))
    events = AuditEvent.objects.order_by("pk")[start:]
    by_person = {e.object_id: e for e in events}
    assert len(events) == len(by_person) == 18
    old = town.persons["old"][0]
    event = by_person[str(old.pk)]
    assert event.actor is None
    assert event.action == AuditEvent.Action.UPDATE
    assert event.object_type == "cases.person"
    assert event.unit_id == old.ward_id
    assert event.changes["anonymised_on"] == timezone.localdate().isoformat()
    assert set(event.changes["cleared"]) >= {
        "full_name",
        "id_number",
        "phone",
        "address",
        "area",
        "birth_date",
        "contacts.summary",
        "referrals.changes.note",
    }
    assert "SECRET" not in str([e.changes for e in events])


def test_a_failure_half_way_leaves_everything_as_it_was(town, monkeypatch):
    before = snapshot()
    calls = []

    def failing_audit(**kwargs):
        calls.append(kwargs)
        if len(calls) == 5:
            raise RuntimeError("disk full")

    monkeypatch.setattr(anonymise, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        run("--older-than", str(years_back()))
    assert len(calls) == 5
    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "Hãy cho biết số năm: --older-than SỐ_NĂM"),
        (["--older-than", "0"], "Số năm phải từ 1 đến 100"),
        (["--older-than", "-3"], "Số năm phải từ 1 đến 100"),
        (["--older-than", "101"], "Số năm phải từ 1 đến 100"),
        (["--older-than", "năm"], "«năm» không phải là một số năm"),
        (["--older-than", "2.5"], "«2.5» không phải là một số năm"),
    ],
)
def test_the_command_refuses_a_bad_number_of_years_in_vietnamese(world, args, message):
    person = f.person(
        ward=world.ward_a,
        registered_on=D(2010, 1, 1),
        status="closed",
        closed_on=D(2011, 1, 1),
        closed_reason="other",
    )
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert Person.objects.get(pk=person.pk).anonymised_on is None


# What people see afterwards ----------------------------------------------------------------


def test_anonymised_persons_show_as_anonymised_on_the_register_and_their_page(town):
    old = town.ward_a_person("old")
    run("--older-than", str(years_back()))
    client = login(town.leader)
    register = client.get(reverse("cases:register"), {"tinh_trang": "da_dong"})
    html = register.content.decode()
    assert ANONYMOUS_NAME in html
    assert "SECRET" not in html
    assert "KEEPME" in html  # the recently closed keep their names
    page = client.get(reverse("cases:person_detail", args=[old.pk])).content.decode()
    assert ANONYMOUS_NAME in page and "SECRET" not in page
    assert not Person.objects.search(old.full_name).exists()


def test_the_copy_of_an_anonymised_person_holds_no_personal_data(town):
    old = town.ward_a_person("old")
    run("--older-than", str(years_back()))
    client = login(town.leader)
    page = client.get(reverse("cases:subject_copy", args=[old.pk])).content.decode()
    assert "đã được ẩn danh" in page
    copy = client.post(reverse("cases:subject_copy", args=[old.pk]), {"format": "json"})
    text = copy.content.decode()
    assert ANONYMOUS_NAME in text
    assert timezone.localdate().isoformat() in text
    assert "SECRET" not in text
    for gone in (old.id_number, old.phone, old.birth_date.isoformat()):
        assert gone not in text


# The rules keep up with the models ---------------------------------------------------------


def _free_text(model) -> set[str]:
    return {
        text_field.name
        for text_field in model._meta.concrete_fields
        if isinstance(text_field, models.CharField | models.TextField) and not text_field.choices
    }


def test_every_free_text_field_of_a_person_is_cleared():
    assert _free_text(Person) == {n for n in PERSON_CLEARED if n not in ("area", "birth_date")}


def _owned_paths(model, prefix: str = "") -> dict[str, type]:
    """Every model reached from `model` through reverse foreign keys: what a person owns."""
    found = {}
    for relation in model._meta.related_objects:
        if isinstance(relation, models.ManyToOneRel) and not relation.one_to_one:
            path = f"{prefix}{relation.get_accessor_name()}"
            found[path] = relation.related_model
            found |= _owned_paths(relation.related_model, f"{path}.")
    return found


def test_every_free_text_field_of_the_records_a_person_owns_is_cleared():
    """A new note on a person's records must be cleared too (or kept, with a reason here)."""
    owned = _owned_paths(Person)
    expected = {path: _free_text(model) for path, model in owned.items() if _free_text(model)}
    assert {path: set(names) for path, names in RECORD_TEXT.items()} == expected


def test_enrolments_keep_their_dates_and_programme(town):
    old = town.persons["old"][2]  # addicted: has an enrolment
    before = list(Enrollment.objects.filter(person=old).values())
    run("--older-than", str(years_back()))
    after = list(Enrollment.objects.filter(person=old).values())
    assert len(after) == 1
    assert after[0]["decision_no"] == ""
    changed = {k for k in after[0] if after[0][k] != before[0][k]}
    assert changed == {"decision_no", "updated_at"}


def test_an_anonymised_file_can_be_neither_corrected_nor_reopened(world):
    from django.core.exceptions import ValidationError

    person = f.person(
        ward=world.ward_a,
        status="closed",
        registered_on=datetime.date(2012, 1, 1),
        closed_on=datetime.date(2015, 1, 1),
        closed_reason="moved_away",
        anonymised_on=datetime.date(2026, 1, 1),
        full_name="Đã ẩn danh",
    )
    for call in (
        lambda: services.person_update(actor=world.leader, person=person, full_name="Tên Cũ"),
        lambda: services.person_reopen(actor=world.leader, person=person),
    ):
        with pytest.raises(ValidationError) as error:
            call()
        assert error.value.code == "anonymised"
    person.refresh_from_db()
    assert (person.full_name, person.status) == ("Đã ẩn danh", "closed")
