"""Every form, fed at least 200 generated inputs each: never a server error, never a partial
write (issue 6, «Bad input»).

Each input goes through the whole stack — the real URL, middleware, view, form, service and
database — with the test client, as the persona who uses the form. The inputs
(tests/security/strategies.py) start from a valid form and spoil a few fields: empty, 10,000
characters, Vietnamese with and without diacritics, combining marks, right-to-left text,
emoji, NUL and control characters, numbers such as "1e309", "NaN" or 2**63, dates in
dd/mm/yyyy, yyyy-mm-dd and neither, another ward's ids and ids that do not exist, a field
left out or sent twice, unknown extra fields, a tampered formset management form.

For every input:
- the answer is below 500 (a form shown again, a redirect, 400, 403 or 404), and any redirect
  stays on this site;
- no partial write: the row count of every model of wards, cases, outreach, reports and
  imports (audit events aside) is unchanged unless the form redirected after success, and then only
  the rows that action creates changed (one contact, and a milestone if one was ticked...);
  for a form that edits a record, the record is unchanged unless the form succeeded.
Each input runs in a savepoint that is rolled back, so every input meets the same data.

Forms covered (URL name → persona), 48 in all:
  accounts: login → anonymous (unknown usernames mostly; the throttle is reset between
  inputs); password_change, logout, set_language → volunteer; otp_verify → supervisor;
  otp_enrol → a supervisor without an authenticator yet;
  cases: register (the name search, POST), person_add, person_edit, person_close,
  person_reopen, enrollment_end, assignment_reassign, subject_copy → leader; enrollment_add,
  assignment_handover → officer; contact_add, assessment_add → volunteer; club_add,
  club_edit, club_close → leader;
  wards: team_edit, team_dissolve, member_add → officer; member_edit, member_leave → leader;
  login_create, member_rejoin → leader; login_reset → officer;
  outreach: activity_add, referral_add, referral_detail (the next step) → volunteer;
  activity_batch (the notebook grid, a formset: TOTAL_FORMS tampered too), activity_edit,
  activity_delete, partner_edit → leader; partner_add → officer;
  unit_activity_add, unit_activity_edit, unit_activity_delete (a district's own trainings)
  → supervisor;
  reports: submission_add → leader; submission_review → supervisor;
  imports (the leader's own batch): upload (files good and hostile: random bytes, truncated
  and damaged workbooks, zip bombs, macros, entities, CSVs with odd delimiters and encodings,
  hostile cells, huge and crafted file names), mapping (hostile col-N choices), commit (the
  batch's cells hostile: every row written or none), cancel → leader;
  filters read from GET: register, assignment_board, audit_trail, report, imports preview,
  the contact log's download (contact_log_export) → leader;
  activity_list → volunteer; referral_list → officer; submission_status, team_overview,
  audit_exports, unit_activity_list → supervisor.
`test_every_url_is_fuzzed_or_has_no_form` fails when a URL is added without a decision here.

Run: `DEBUG= .venv/bin/python -m pytest -q tests/security/test_fuzz_forms.py -s` (-s prints
the inputs and CPU time per form and the total); on PostgreSQL with DATABASE_URL set. The
inputs are derandomised, so CI repeats the run on a laptop. FUZZ_EXAMPLES=20 runs fewer
inputs per form while working on one; CI leaves it unset (200).
"""

from __future__ import annotations

import datetime
import io
import os
import time
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Assessment, Club, Contact, Enrollment, Milestone, Person, Programme
from imports import reading
from imports.jobs import check as import_check
from imports.kinds import KINDS
from imports.matching import Match, columns_of, match
from imports.models import ImportBatch
from outreach import services as outreach
from outreach.models import Activity, Partner, Referral
from reports import checks
from reports.choice import default_period
from reports.models import Submission
from reports.periods import parse
from reports.report import build
from reports.services import fingerprint, freeze
from tests import factories as f
from tests.imports.helpers import cp1258, csv_bytes, xlsx
from tests.security.strategies import (
    Field,
    any_hostile,
    checkbox_field,
    choice_field,
    date_field,
    date_text,
    form_data,
    hostile_choice,
    hostile_date,
    hostile_number,
    hostile_period,
    hostile_text,
    number_field,
    pk_field,
    pk_text,
    pks_field,
    text_field,
)
from tests.test_pages import _named_urls
from wards.logins import MUST_SET_PASSWORD
from wards.models import AuditEvent, Member, Post, Team, TemporaryPassword

# At least 200 inputs per form (issue 6). FUZZ_EXAMPLES may ask for more, or for fewer while
# working on a form; CI leaves it unset.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 200)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
APPS = ("wards", "cases", "outreach", "reports", "imports")
NOT_COUNTED = {"wards.auditevent"}  # every refusal may be audited (denied access, failed login)
TOKEN = "wards.usedformtoken"  # the one-time form token (wards.once) kept with a saved form
RUNS: Counter[str] = Counter()  # inputs actually sent, per form, over the session


# The data every input meets -----------------------------------------------------------------


@pytest.fixture
def objs(world) -> SimpleNamespace:
    """Ward A's records the forms work on, and ward B's twins for crafted ids."""
    today = timezone.localdate()
    a, b = world.ward_a, world.ward_b
    person = f.person(ward=a, full_name="Nguyễn Văn Thử", registered_on=datetime.date(2024, 1, 10))
    other = f.person(ward=a, full_name="Trần Thị Hai", registered_on=datetime.date(2024, 1, 10))
    closed = f.person(
        ward=a,
        full_name="Phạm Văn Đóng",
        status=Person.Status.CLOSED,
        closed_on=datetime.date(2024, 6, 1),
        closed_reason=Person.ClosedReason.MOVED_AWAY,
    )
    f.assignment(person=person, member=world.volunteer_member)
    person_b = f.person(ward=b, full_name="Đỗ Thị Bê")
    f.assignment(person=person_b, member=world.outsider_member)
    partner = outreach.partner_create(
        actor=world.leader, unit=a, name="Ngân hàng Chính sách xã hội", kind="bank"
    )
    partner_b = outreach.partner_create(
        actor=world.outsider, unit=b, name="Công ty May Bê", kind="employer"
    )
    period = parse(default_period())
    enrolling = f.user("giamsat_moi")  # a supervisor who has not set up the second factor yet
    f.post(user=enrolling, unit=world.district_b, role=Post.Role.SUPERVISOR)
    # a new member whose leader gave them a temporary password: password_set is their first page
    newcomer = f.user("moi.tnv")
    f.member(team=world.team_a, full_name="Người Mới Vào", user=newcomer)
    TemporaryPassword.objects.create(
        user=newcomer, expires_at=timezone.now() + datetime.timedelta(days=7)
    )
    return SimpleNamespace(
        newcomer=newcomer,
        w=world,
        # the supervisor's authenticator (the personas fixture logs in with it), and the one
        # being set up: their keys give the codes a valid input types
        device=TOTPDevice.objects.create(user=world.supervisor, name="Điện thoại", confirmed=True),
        enrolling=enrolling,
        pending=TOTPDevice.objects.create(user=enrolling, name="Điện thoại", confirmed=False),
        today=today,
        person=person,
        other=other,
        closed=closed,
        person_b=person_b,
        area=f.area(ward=a),
        area_b=f.area(ward=b, name="Tổ dân phố 9"),
        enrollment=f.enrollment(person=person),
        inactive_programme=f.programme("fuzz_retired", active=False),
        programmes=list(Programme.objects.active().values_list("pk", flat=True)),
        members=list(
            Member.objects.active().filter(team=world.team_a).values_list("pk", flat=True)
        ),
        plain_member=Member.objects.get(full_name="Phạm Văn Thành Viên 0"),
        partner=partner,
        partner_b=partner_b,
        activity=outreach.activity_record(
            actor=world.leader,
            unit=a,
            occurred_on=today - datetime.timedelta(days=3),
            kind=Activity.Kind.PATROL,
            members=[world.volunteer_member],
            partners=[partner],
        ),
        unit_activity=outreach.activity_record(
            actor=world.supervisor,
            unit=world.district_a,
            occurred_on=today - datetime.timedelta(days=3),
            kind=Activity.Kind.TRAINING,
            participants=30,
        ),
        referral=outreach.referral_create(
            actor=world.leader,
            person=person,
            kind=Referral.Kind.LOAN,
            referred_on=datetime.date(2024, 5, 1),
            partner=partner,
        ),
        club_a=Club.objects.create(
            ward=a,
            programme=f.club_programme("club_b93"),
            name="CLB B93 tổ 5",
            founded_on=datetime.date(2024, 1, 10),
        ),
        club_b=Club.objects.create(
            ward=b,
            programme=f.club_programme("club_b93"),
            name="CLB B93 phường B",
            founded_on=datetime.date(2024, 1, 10),
        ),
        period=period,
        # last: the fingerprint of the figures once everything above is written
        seen=fingerprint(freeze(build(a, period))),
        batch=_leader_batch(world),
    )


def _to_review(o) -> Submission:
    """Ward A's report of 2024-Q1 as the leader filed it, awaiting review (made once, outside
    the inputs' savepoints)."""
    period = parse("2024-Q1")
    submission, _created = Submission.objects.get_or_create(
        unit=o.w.ward_a,
        period_spec=period.spec,
        cutoff=period.cutoff,
        version=1,
        defaults={
            "start": period.start,
            "end": period.end,
            "period_label": period.label_vi,
            "figures": {"indicators": {}},
            "submitted_by": o.w.leader,
        },
    )
    return submission


IMPORT_HEADERS = [
    "Họ và tên",
    "Giới tính",
    "Năm sinh",
    "Nhóm",
    "Ngày đồng ý cung cấp thông tin",
    "Ghi chú của đội",  # a column the kind does not know
    "",  # a column without a header
]


def _leader_batch(world) -> ImportBatch:
    """The leader's upload of a two-row people list, as the upload page stores it, with its
    columns confirmed (as «Lưu cách ghép cột» leaves them) and checked."""
    rows = [
        IMPORT_HEADERS,
        ["Nguyễn Văn Nhập", "Nam", "1988", "Người sau cai nghiện", "05/03/2024", "", "x"],
        ["Trần Thị Nhập", "Nữ", "1991", "Khác", "2024-03-06", "Hay vắng nhà", ""],
    ]
    sheet = reading.Sheet(rows=rows, numbers=[1, 2, 3])
    batch = ImportBatch.objects.create(
        kind="people",
        ward=world.ward_a,
        created_by=world.leader,
        file_name="danh-sach.xlsx",
        rows=sheet.rows,
        numbers=sheet.numbers,
        mapping=Match(0, match(KINDS["people"], sheet).fields, set()).as_json(),
    )
    import_check(batch)
    assert [r["status"] for r in batch.results] == ["new", "new"]
    return batch


# Counting rows, cheaply ---------------------------------------------------------------------


@cache
def _tables() -> dict[str, str]:
    """model label → table, for every concrete model (and many-to-many table) of the apps."""
    tables = {}
    for app in APPS:
        for model in apps.get_app_config(app).get_models(include_auto_created=True):
            meta = model._meta
            if meta.proxy or not meta.managed or meta.label_lower in NOT_COUNTED:
                continue
            tables[meta.label_lower] = meta.db_table
    return tables


def row_counts() -> dict[str, int]:
    """Every table's row count, in one query."""
    q = connection.ops.quote_name
    # table names come from the models, quoted: nothing from an input reaches this SQL
    tables = _tables().values()
    selects = ", ".join(f"(SELECT COUNT(*) FROM {q(table)})" for table in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        return dict(zip(_tables(), cursor.fetchone(), strict=True))


# The forms ----------------------------------------------------------------------------------

Fields = dict[str, Field]
# The version an edit form was built on (wards.versions): every record starts at 1.
VERSION = Field(st.just("1"), st.one_of(hostile_number(), st.sampled_from(["0", "2", ""])))
ONCE = Field(st.uuids().map(str), st.sampled_from(["", "not-a-uuid", str(uuid.UUID(int=0))]))
XA = Field(st.just(None), st.sampled_from(["99001", "99002", "99003-2025", "991", "", "\x00"]))
NEXT = Field(
    st.just(None),
    st.sampled_from(
        [
            "/",
            "/ho-so/danh-sach/",
            "http://evil.example/",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "\\\\evil.example",
            "javascript:alert(1)",
            "http:///evil.example",
            "/%0d%0aSet-Cookie:x=1",
        ]
    ),
)
NAMES = ["Nguyễn Văn Thử", "Lê Thị Hoa", "Đặng Văn Mới", "Hà Thị Thu"]


def _choices(choices) -> list[str]:
    return [value for value, _label in choices]


def _person_fields(o) -> Fields:
    return {
        "full_name": Field(st.sampled_from(NAMES), hostile_text()),
        "alias": text_field(),
        "sex": choice_field(_choices(Person.Sex.choices)),
        "birth_date": date_field(
            datetime.date(1950, 1, 1), datetime.date(2005, 12, 31), optional=True
        ),
        "birth_year": Field(st.sampled_from(["", "1985", "1990"]), hostile_number()),
        "id_number": Field(
            st.sampled_from(["", "001085012345", "123456789"]),
            st.one_of(hostile_number(), st.sampled_from(["²" * 12, "١" * 9, "0" * 12 + " "])),
        ),
        "phone": Field(st.sampled_from(["", "0912345678", "0912 345 678"]), hostile_number()),
        "address": text_field(),
        "area": pk_field([o.area.pk], [o.area_b.pk], optional=True),
        "family_contact": text_field(),
        "group": choice_field(_choices(Person.Group.choices)),
        "substances": text_field(st.sampled_from(["", "heroin", "ma túy tổng hợp"])),
        "history_notes": text_field(),
        "registered_on": date_field(datetime.date(2024, 1, 1), o.today),
        "consent_on": date_field(datetime.date(2024, 1, 1), o.today),
    }


def person_add_fields(o) -> Fields:
    return {
        **_person_fields(o),
        "consent": Field(st.just("on"), st.sampled_from(["", "0", "false"])),
        "confirm": checkbox_field(),
        "_once": ONCE,
    }


def person_edit_fields(o) -> Fields:
    version = str(o.person.version)
    return {
        **_person_fields(o),
        # a change of group is dated and explained (cases.services.groups)
        "group_since": date_field(o.person.registered_on, o.today, optional=True),
        "group_reason": text_field(st.sampled_from(["", "Kết quả xét nghiệm"])),
        "version": Field(st.just(version), hostile_number()),
    }


def _member_fields(o) -> Fields:
    return {
        "full_name": Field(st.sampled_from(NAMES), hostile_text()),
        "sex": choice_field(_choices(Member.Sex.choices)),
        "birth_year": number_field(1945, 1995),
        "phone": Field(st.sampled_from(["", "0912345678"]), hostile_number()),
        "role": choice_field(_choices(Member.Role.choices)),
        "organisation": choice_field(_choices(Member.Organisation.choices)),
        "joined_on": date_field(datetime.date(2014, 1, 1), o.today),
    }


KIND_VALUES = _choices(Activity.Kind.choices)
# Kinds that need no figure: a valid-looking line that the service accepts as it stands.
PLAIN_KINDS = ["patrol", "police_tip", "inspection", "team_meeting"]


def _kind() -> Field:
    return Field(
        st.sampled_from(PLAIN_KINDS),
        st.one_of(st.sampled_from(KIND_VALUES), hostile_choice(KIND_VALUES)),
    )


def _figure() -> Field:
    return Field(st.just(""), hostile_number())


def activity_fields(o) -> Fields:
    w = o.w
    return {
        "unit": pk_field([w.ward_a.pk], [w.ward_b.pk, w.district_a.pk]),
        "kind": _kind(),
        "occurred_on": date_field(datetime.date(2025, 7, 1), o.today),
        "sessions": number_field(1, 40),
        "participants": _figure(),
        "items": _figure(),
        "minutes_each": _figure(),
        "place": text_field(),
        "title": text_field(),
        "audience": text_field(),
        "members": pks_field(o.members, [w.outsider_member.pk]),
        "persons": Field(
            st.just([]), st.lists(pk_text([o.person.pk], [o.person_b.pk, o.closed.pk]), max_size=3)
        ),
        "partners": pks_field([o.partner.pk], [o.partner_b.pk]),
        # a club session's club: none by default (the volunteer is offered none; on a patrol a
        # club is refused); ward A's club, ward B's and made-up ids as spoiled values
        "club": Field(st.just(""), pk_text([o.club_a.pk], [o.club_b.pk])),
        "note": text_field(),
        "_once": ONCE,
    }


DV = Field(st.just(None), st.sampled_from(["991", "992", "99", "99001", "", "\x00"]))


def unit_activity_fields(o) -> Fields:
    """A district department's own training (outreach/views/departments.py)."""
    w = o.w
    kinds = [k.value for k in Activity.UNIT_KINDS]
    return {
        "unit": pk_field([w.district_a.pk], [w.ward_a.pk, w.district_b.pk, w.province.pk]),
        "kind": Field(
            st.sampled_from(kinds),
            st.one_of(st.sampled_from(KIND_VALUES), hostile_choice(KIND_VALUES)),
        ),
        "occurred_on": date_field(datetime.date(2024, 1, 1), o.today),
        "title": text_field(),
        "sessions": number_field(1, 40),
        "participants": number_field(1, 500),
        "place": text_field(),
        "note": text_field(),
        "_once": ONCE,
    }


ROWS = 3  # lines of the notebook grid filled by a valid-looking input
TOTAL = Field(
    st.sampled_from([str(n) for n in range(1, ROWS + 1)]),
    st.one_of(
        st.sampled_from(["-1", "0", "96", "97", "1000", "100000000", "abc", "", "1e3", "3.0"]),
        hostile_number(),
    ),
)


def activity_batch_fields(o) -> Fields:
    fields: Fields = {
        "unit": pk_field([o.w.ward_a.pk], [o.w.ward_b.pk]),
        "dong-TOTAL_FORMS": TOTAL,
        "dong-INITIAL_FORMS": Field(st.just("0"), hostile_number()),
        "dong-MIN_NUM_FORMS": Field(st.just(None), hostile_number()),
        "dong-MAX_NUM_FORMS": Field(st.just(None), hostile_number()),
        "_once": ONCE,
    }
    for i in range(ROWS):
        fields |= {
            f"dong-{i}-occurred_on": date_field(datetime.date(2025, 7, 1), o.today),
            f"dong-{i}-kind": _kind(),
            f"dong-{i}-sessions": number_field(1, 40, optional=True),
            f"dong-{i}-participants": _figure(),
            f"dong-{i}-items": _figure(),
            f"dong-{i}-minutes_each": _figure(),
            f"dong-{i}-place": text_field(),
            f"dong-{i}-title": text_field(),
            f"dong-{i}-club": Field(st.just(""), pk_text([o.club_a.pk], [o.club_b.pk])),
        }
    fields["dong-99-kind"] = Field(st.just(None), st.sampled_from(KIND_VALUES))  # past TOTAL
    return fields


def _amount() -> Field:
    return Field(
        st.sampled_from(["", "30.000.000", "30000000", "5 000 000 đ", "1.500.000 vnđ"]),
        st.one_of(
            hostile_number(),
            st.sampled_from(["-5", "0", "1,5", "10.000.000.001", "9" * 30, "30.000.000đồng"]),
        ),
    )


def referral_fields(o) -> Fields:
    return {
        "kind": choice_field(_choices(Referral.Kind.choices)),
        "referred_on": date_field(datetime.date(2024, 1, 10), o.today),
        "partner": pk_field([o.partner.pk], [o.partner_b.pk], optional=True),
        "for_household": checkbox_field(),
        "amount": _amount(),
        "note": text_field(),
        "_once": ONCE,
    }


def referral_advance_fields(o) -> Fields:
    steps = [s.value for s in o.referral.next_statuses]
    return {
        "status": Field(st.sampled_from(steps), hostile_choice(_choices(Referral.Status.choices))),
        "changed_on": date_field(datetime.date(2024, 5, 1), o.today),
        "amount": _amount(),
        "note": text_field(),
        "expected_status": Field(st.just(o.referral.status), hostile_choice(steps)),
        "version": VERSION,
        "_once": ONCE,
    }


UNIT_CODE = Field(
    st.just(None),
    st.one_of(
        st.sampled_from(["99001", "99002", "99003-2025", "991", "992", "99", "\x00"]),
        hostile_text(),
    ),
)
PERIOD = Field(st.just(None), hostile_period())
CUTOFF = Field(
    st.sampled_from([None, "calendar", "official"]), hostile_choice(["calendar", "official"])
)
PAGE = Field(st.sampled_from([None, "1", "2"]), st.one_of(hostile_number(), st.just("last")))


def _any_members(o) -> Field:
    return pk_field(o.members, [o.w.outsider_member.pk], optional=True)


@dataclass(frozen=True)
class Case:
    """One form: where it is, who uses it, how it is filled and what a success may write."""

    name: str  # the URL name
    persona: str
    fields: Callable[[SimpleNamespace], Fields]
    args: Callable[[SimpleNamespace], list] = lambda o: []
    method: str = "post"
    # what a success may change: model label → allowed changes in its row count; a label
    # without 0 among its changes must change (the action's own record)
    creates: dict[str, frozenset[int]] = field(default_factory=dict)
    # rows a refused input must leave exactly as they were
    watch: Callable[[SimpleNamespace], list[QuerySet]] | None = None
    query: Callable[[SimpleNamespace], Fields] | None = None  # query string of a POST
    login_each_time: bool = False  # a fresh client per input (login, logout, password)
    # completes an input just before it is sent (a one-time code is only valid for 30 s)
    fill: Callable[[dict, SimpleNamespace], dict] | None = None
    # what a success looks like when it is not just any redirect (a download; the commit's
    # redirect to the register, not back to the preview): anything else must write nothing
    ok: Callable[[object], bool] | None = None
    # a success that answers with a page rather than a redirect (a one-time password shown
    # once, wards/login_views.py): a 200 this accepts may write what `creates` allows
    shows: Callable[[object], bool] | None = None
    id: str = ""

    def __str__(self) -> str:
        return self.id or self.name


CODE = "<mã hiện tại>"  # stands for the authenticator's current code


def _with_code(device_name: str):
    def fill(data: dict, o) -> dict:
        key = getattr(o, device_name).bin_key
        code = f"{totp(key):06d}"
        swap = lambda v: code if v == CODE else v  # noqa: E731
        return {
            k: [swap(x) for x in v] if isinstance(v, list) else swap(v) for k, v in data.items()
        }

    return fill


def _code_fields(o) -> Fields:
    return {
        "code": Field(
            st.sampled_from([CODE, "123456", "000000"]),
            st.one_of(
                st.sampled_from(["12345", "1234567", "12 34 56", "１２３４５６"]), hostile_number()
            ),
        ),
        "next": NEXT,
    }


def _shows_password(response) -> bool:
    """The page a login's new password is shown on, once (wards/login_result.html)."""
    return b"data-login-password" in response.content


def _former_with_login(o) -> int:
    """A former member of ward A's team whose login a rejoin would reopen."""
    former = f.former_member(team=o.w.team_a, full_name="Ngô Thị Đã Thôi", username="dathoi.nt")
    return former.pk


def writes(changes: dict[str, set[int]] | None = None) -> dict[str, frozenset[int]]:
    """What a success may change: these tables, and the form's one-time token."""
    return {TOKEN: frozenset({0, 1}), **{k: frozenset(v) for k, v in (changes or {}).items()}}


def links(changes: range) -> dict[str, range]:
    """An activity's members, persons and partners (many-to-many tables)."""
    return {f"outreach.activity_{name}": changes for name in ("members", "persons", "partners")}


def _person_rows(o) -> list[QuerySet]:
    return [
        Person.objects.filter(pk=o.person.pk).values(),
        Enrollment.objects.filter(person=o.person).values(),
        o.person.assignments.values(),
    ]


def _activity_rows(o) -> list[QuerySet]:
    return [
        Activity.objects.filter(pk=o.activity.pk).values(),
        *(
            getattr(Activity, name).through.objects.filter(activity=o.activity).values()
            for name in ("members", "persons", "partners")
        ),
    ]


# Imports: files as a browser sends them, good and hostile ------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file to upload; printed short when Hypothesis shows a failing input."""

    name: str
    content: bytes

    def __repr__(self) -> str:
        return f"Upload({self.name[:80]!r}, {len(self.content)} bytes, {self.content[:60]!r})"


SEXES = [str(label) for _value, label in Person.Sex.choices]
GROUPS = [str(label) for _value, label in Person.Group.choices]
PEOPLE_HEADERS = IMPORT_HEADERS[:5]
PLAIN_HEADERS = ["HO VA TEN", "gioi tinh", "nam sinh", "nhom", "ngay dong y"]
YEAR = st.integers(1950, 2005).map(str)
CONSENT = date_text(datetime.date(2024, 1, 1))
PERSON_ROW = st.tuples(
    st.sampled_from(NAMES), st.sampled_from(SEXES), YEAR, st.sampled_from(GROUPS), CONSENT
).map(list)
FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "danh-sach.xlsx",
            "danh-sach.csv",
            "Danh sách người sau cai 2024.XLSX",
            "ds.xlsm",
            "ds.xls",
            "ds.xltm",
            "ds",
            ".xlsx",
            "x" * 10_000 + ".xlsx",
            "y" * 300 + ".csv",
            "../../../../etc/passwd.csv",
            "C:\\Users\\doi\\Desktop\\ds.xlsx",
            "ds.csv\x00.xlsx",
            "\u202exslx.csv",
            'ds".xlsx',
            "ds\r\nContent-Type: text/html.csv",
            "%2e%2e%2fds.csv",
            "&#46;&#46;/ds.xlsx",
            "CON.csv",
        ]
    ),
    hostile_text().map(lambda t: t + ".csv"),
    hostile_text().map(lambda t: t + ".xlsx"),
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "cp1258":
        try:
            return cp1258(text)
        except UnicodeEncodeError:  # a character Windows-1258 has no way to write
            return text.encode("cp1258", errors="replace")
    if encoding == "utf-8-sig":
        return "\ufeff".encode() + text.encode("utf-8")
    return text.encode(encoding, errors="replace")


@st.composite
def good_upload(draw) -> Upload:
    """One to three people under the template's headers (or without diacritics), as an XLSX or
    a CSV in UTF-8, UTF-8 with BOM or Windows-1258, with commas, semicolons or tabs."""
    rows = [
        draw(st.sampled_from([PEOPLE_HEADERS, PLAIN_HEADERS])),
        *draw(st.lists(PERSON_ROW, min_size=1, max_size=3)),
    ]
    how = draw(st.sampled_from(["xlsx", "utf-8", "utf-8-sig", "cp1258", ";", "\t"]))
    if how == "xlsx":
        return Upload("danh-sach.xlsx", xlsx(rows))
    if how in (";", "\t"):
        return Upload("danh-sach.csv", csv_bytes(rows, delimiter=how))
    return Upload("danh-sach.csv", csv_bytes(rows, encoding=how))


def _zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


def _parts(content: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row>'
    b"</sheetData></worksheet>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&e;</t></is></c></row>'
    b"</sheetData></worksheet>"
)


@cache
def good_xlsx() -> bytes:
    return xlsx([PEOPLE_HEADERS, ["Nguyễn Văn Thử", "Nam", 1985, "Khác", "05/03/2024"]])


@cache
def hostile_files() -> dict[str, bytes]:
    """Files built once: what a damaged disk, an old Excel or an attacker hands over."""
    good = _parts(good_xlsx())
    sheet = "xl/worksheets/sheet1.xml"
    types = "[Content_Types].xml"
    many = {f"xl/media/{i}.xml": b"x" for i in range(reading.MAX_ZIP_ENTRIES + 1)}
    header = ",".join(PEOPLE_HEADERS).encode()
    return {
        "zip bomb": _zipped({**good, sheet: b" " * (3 * 1024 * 1024)}),
        "too many parts": _zipped({**good, **many}),
        "macro part": _zipped({**good, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 60}),
        "macro type": _zipped(
            {**good, types: good[types].replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")}
        ),
        "no content types": _zipped({k: v for k, v in good.items() if k != types}),
        "no sheet": _zipped({k: v for k, v in good.items() if k != sheet}),
        "sheet not xml": _zipped({**good, sheet: b"<worksheet><sheetData><row><c>"}),
        "billion laughs": _zipped({**good, sheet: LAUGHS}),
        "external entity": _zipped({**good, sheet: EXTERNAL}),
        "a plain zip": _zipped({"ds.csv": header}),
        "100 columns": xlsx([PEOPLE_HEADERS + [f"Cột {i}" for i in range(100)]]),
        "too big": b"a," * (reading.MAX_BYTES // 2 + 1),
        "too many rows": header + b"\n" + b"a,Nam,1990,Khac,05/03/2024\n" * 20_020,
        "a field past the csv limit": b'"' + b"x" * 200_000 + b'"\n',
        "unclosed quote": header + '\n"Nguyễn Văn Thử,Nam,1985\n'.encode(),
        "carriage returns only": header + b"\rA,Nam,1985,Khac,05/03/2024\r",
        "utf-16": (",".join(PEOPLE_HEADERS) + "\nA,Nam,1985,Khác,05/03/2024\n").encode("utf-16"),
        "header only": header,
        "no header": b"1,2,3\n4,5,6\n",
        "blank": b" \r\n\t\n",
        "empty": b"",
        "old excel": reading.OLE_MAGIC + b"\x00" * 500,
        "html saved as xls": b"<html><table><tr><td>H\xe1\xbb\x8d v\xc3\xa0 t\xc3\xaan</td></tr>",
    }


@st.composite
def truncated_xlsx(draw) -> bytes:
    content = good_xlsx()
    return content[: draw(st.integers(0, len(content) - 1))]


@st.composite
def flipped_xlsx(draw) -> bytes:
    content = bytearray(good_xlsx())
    for _ in range(draw(st.integers(1, 8))):
        content[draw(st.integers(0, len(content) - 1))] = draw(st.integers(0, 255))
    return bytes(content)


CELLS = st.lists(st.lists(any_hostile(), min_size=1, max_size=8), min_size=1, max_size=3)


@st.composite
def hostile_csv(draw) -> bytes:
    """The template's headers over rows of hostile cells, with an odd delimiter (or none that
    the sniffer expects), unquoted, in one of several encodings."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " ", ":", "\x1f", '"', "\n", ", "]))
    rows = [PEOPLE_HEADERS, *draw(CELLS)]
    text = draw(st.sampled_from(["\n", "\r\n", "\r"])).join(delimiter.join(r) for r in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "utf-16", "latin-1"]))
    return _encode(text, encoding)


@st.composite
def hostile_xlsx(draw) -> bytes:
    """The template's headers over rows of hostile cells in a real workbook (text starting with
    "=" becomes a formula)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    rows = [[ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row] for row in draw(CELLS)]
    return xlsx([PEOPLE_HEADERS, *rows])


HOSTILE_UPLOAD = st.one_of(
    st.builds(Upload, FILE_NAMES, st.binary(max_size=2048)),
    st.builds(Upload, FILE_NAMES, st.binary(max_size=1024).map(reading.XLSX_MAGIC.__add__)),
    st.builds(Upload, FILE_NAMES, truncated_xlsx()),
    st.builds(Upload, FILE_NAMES, flipped_xlsx()),
    st.builds(Upload, FILE_NAMES, hostile_csv()),
    st.builds(Upload, FILE_NAMES, hostile_xlsx()),
    st.builds(Upload, FILE_NAMES, good_upload().map(lambda u: u.content)),
    st.deferred(
        lambda: st.builds(
            Upload,
            st.sampled_from(["danh-sach.xlsx", "danh-sach.csv"]),
            st.sampled_from(sorted(hostile_files())).map(hostile_files().__getitem__),
        )
    ),
)


def upload_fields(o) -> Fields:
    return {"file": Field(good_upload(), HOSTILE_UPLOAD)}


def _as_files(data: dict, o) -> dict:
    """Each drawn Upload becomes a file of the multipart body (text drawn stays a text field)."""

    def as_file(value):
        if isinstance(value, Upload):
            return SimpleUploadedFile(value.name, value.content)
        return value

    return {
        k: [as_file(x) for x in v] if isinstance(v, list) else as_file(v) for k, v in data.items()
    }


PEOPLE_KEYS = [column.key for column in columns_of(KINDS["people"])]


def mapping_fields(o) -> Fields:
    """One choice per column of the file: the column it was matched to, or another, twice, or
    junk; and columns the file does not have."""
    found = Match.from_json(o.batch.mapping).fields
    hostile = st.one_of(st.sampled_from(PEOPLE_KEYS), hostile_choice(PEOPLE_KEYS))
    fields = {
        f"col-{i}": Field(st.just(found.get(i, "")), hostile) for i in range(len(IMPORT_HEADERS))
    }
    for name in (f"col-{len(IMPORT_HEADERS)}", "col--1", "col-01", "col-9223372036854775808"):
        fields[name] = Field(st.just(None), st.sampled_from(PEOPLE_KEYS))
    return fields


CELL_VALID = [
    st.sampled_from(NAMES),
    st.sampled_from(SEXES),
    st.one_of(YEAR, st.just("")),
    st.sampled_from(GROUPS),
    CONSENT,
    st.sampled_from(["", "Hay vắng nhà"]),
    st.just(""),
]
CELL_HOSTILE = [
    hostile_text(),
    hostile_choice(SEXES),
    hostile_number(),
    hostile_choice(GROUPS),
    hostile_date(),
    hostile_text(),
    hostile_text(),
]
BATCH_ROWS = 2


def commit_fields(o) -> Fields:
    """The cells of the batch's two rows (put into the batch by `_cells_into_batch`, not
    posted): a commit of hostile cells writes every row or none."""
    return {
        f"cell-{r}-{c}": Field(CELL_VALID[c], CELL_HOSTILE[c])
        for r in range(BATCH_ROWS)
        for c in range(len(IMPORT_HEADERS))
    }


def _cells_into_batch(data: dict, o) -> dict:
    """Store the drawn cells as the batch's rows, as the reader would have read them (NFC, NUL
    removed, trimmed; a blank row left out), and post the rest."""
    posted = {k: v for k, v in data.items() if not k.startswith("cell-")}

    def cell(r: int, c: int) -> str:
        value = data.get(f"cell-{r}-{c}")
        value = value[-1] if isinstance(value, list) and value else value
        return reading._clean(str(value)) if isinstance(value, str) else ""

    rows, numbers = [IMPORT_HEADERS], [1]
    for r in range(BATCH_ROWS):
        cells = [cell(r, c) for c in range(len(IMPORT_HEADERS))]
        if any(cells):
            rows.append(cells)
            numbers.append(r + 2)
    ImportBatch.objects.filter(pk=o.batch.pk).update(rows=rows, numbers=numbers, results=[])
    return posted


def _committed(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("cases:register")


CASES = [
    # accounts
    Case(
        "login",
        "anonymous",
        lambda o: {
            "username": Field(
                st.sampled_from(["khong_ton_tai", "nguoi_la_01", "tnv_a"]), hostile_text()
            ),
            "password": Field(st.sampled_from([f.PASSWORD, "sai-mat-khau"]), hostile_text()),
            "next": NEXT,
        },
        login_each_time=True,
    ),
    Case(
        "password_change",
        "volunteer",
        lambda o: {
            "old_password": Field(st.sampled_from([f.PASSWORD, "sai-mat-khau"]), hostile_text()),
            "new_password1": Field(st.just("Mật-khẩu-mới-2026!"), hostile_text()),
            "new_password2": Field(st.sampled_from(["Mật-khẩu-mới-2026!", "khác"]), hostile_text()),
        },
        login_each_time=True,
    ),
    Case("logout", "volunteer", lambda o: {"next": NEXT}, login_each_time=True),
    Case("otp_verify", "supervisor", _code_fields, login_each_time=True, fill=_with_code("device")),
    Case("otp_enrol", "enrolling", _code_fields, login_each_time=True, fill=_with_code("pending")),
    # the first page after a login with a temporary password (_client sets the session's flag)
    Case(
        "password_set",
        "newcomer",
        lambda o: {
            "new_password1": Field(st.just("Mật-khẩu-riêng-2026!"), hostile_text()),
            "new_password2": Field(
                st.sampled_from(["Mật-khẩu-riêng-2026!", "khác"]), hostile_text()
            ),
        },
        login_each_time=True,
        creates=writes({"wards.temporarypassword": {-1}}),
    ),
    Case(
        "set_language",
        "volunteer",
        lambda o: {"language": choice_field(["vi", "en"]), "next": NEXT},
    ),
    # cases: the register and person files
    Case(
        "cases:register",
        "leader",
        lambda o: {
            "q": Field(st.sampled_from(["Nguyễn", "nguyen van", "THU", ""]), hostile_text()),
            "xoa": Field(st.just(None), st.sampled_from(["1", "", "\x00"])),
        },
        query=lambda o: {"xa": XA, "page": PAGE},
        id="cases:register (search)",
    ),
    Case(
        "cases:person_add",
        "leader",
        person_add_fields,
        creates=writes({"cases.person": {1}, "cases.groupchange": {1}}),
        query=lambda o: {"xa": XA},
    ),
    Case(
        "cases:person_edit",
        "leader",
        person_edit_fields,
        args=lambda o: [o.person.pk],
        # a new group: its entry, and the first one for a file written before the history
        creates=writes({"cases.groupchange": {0, 1, 2}}),
        watch=_person_rows,
    ),
    Case(
        "cases:person_close",
        "leader",
        lambda o: {
            "closed_on": date_field(datetime.date(2024, 1, 10), o.today),
            "reason": choice_field(_choices(Person.ClosedReason.choices)),
            "version": Field(st.just(str(o.person.version)), VERSION.hostile),
        },
        args=lambda o: [o.person.pk],
        creates=writes(),
        watch=_person_rows,
    ),
    Case(
        "cases:person_reopen",
        "leader",
        lambda o: {"version": Field(st.just(str(o.closed.version)), VERSION.hostile)},
        args=lambda o: [o.closed.pk],
        creates=writes(),
        watch=lambda o: [Person.objects.filter(pk=o.closed.pk).values()],
    ),
    Case(
        "cases:enrollment_add",
        "officer",
        lambda o: {
            "programme": pk_field(o.programmes, [o.inactive_programme.pk]),
            "club": pk_field([o.club_a.pk], [o.club_b.pk], optional=True),
            "started_on": date_field(datetime.date(2024, 1, 10), o.today),
            "due_on": date_field(o.today, datetime.date(2030, 1, 1), optional=True),
            "decision_no": text_field(st.sampled_from(["", "123/QĐ-UBND"])),
            "decision_on": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "_once": ONCE,
        },
        args=lambda o: [o.person.pk],
        creates=writes({"cases.enrollment": {1}}),
    ),
    Case(
        "cases:enrollment_end",
        "leader",
        lambda o: {
            "ended_on": date_field(datetime.date(2024, 2, 1), o.today),
            "reason": choice_field(_choices(Enrollment.EndReason.choices)),
            "version": VERSION,
        },
        args=lambda o: [o.enrollment.pk],
        creates=writes(),
        watch=lambda o: [Enrollment.objects.filter(pk=o.enrollment.pk).values()],
    ),
    Case(
        "cases:assignment_reassign",
        "leader",
        lambda o: {
            "persons": pks_field([o.person.pk, o.other.pk], [o.person_b.pk, o.closed.pk]),
            "member": pk_field(o.members, [o.w.outsider_member.pk]),
            "started_on": date_field(datetime.date(2024, 6, 1), o.today),
            "_once": ONCE,
        },
        # 0: the ticked persons' helper already was the member (nothing to change), or their
        # assignment started that day and is corrected in place (INDICATORS.md, end dates)
        creates=writes({"cases.assignment": {0, 1, 2}}),
        watch=lambda o: [o.person.assignments.values(), o.other.assignments.values()],
        query=lambda o: {"xa": XA},
    ),
    Case(
        "cases:assignment_handover",
        "officer",
        lambda o: {
            "from_member": pk_field([o.w.volunteer_member.pk], [o.w.outsider_member.pk]),
            "to_member": pk_field(o.members, [o.w.outsider_member.pk]),
            "started_on": date_field(datetime.date(2024, 6, 1), o.today),
            "_once": ONCE,
        },
        creates=writes({"cases.assignment": {1}}),
        watch=lambda o: [o.person.assignments.values()],
        query=lambda o: {"xa": XA},
    ),
    Case(
        "cases:contact_add",
        "volunteer",
        lambda o: {
            "occurred_on": date_field(datetime.date(2024, 1, 10), o.today),
            "kind": choice_field(_choices(Contact.Kind.choices)),
            "summary": text_field(),
            "drug_test_result": choice_field(
                _choices(Contact.DrugTestResult.choices), optional=True
            ),
            "milestone_kind": choice_field(_choices(Milestone.Kind.choices), optional=True),
            "next_due_on": date_field(o.today, datetime.date(2030, 1, 1), optional=True),
            "topics": Field(  # counselling topics: tick boxes, any number (issue 20)
                st.lists(st.sampled_from(_choices(Contact.Topic.choices)), unique=True),
                st.lists(hostile_choice(_choices(Contact.Topic.choices)), min_size=1, max_size=3),
            ),
            "_once": ONCE,
        },
        args=lambda o: [o.person.pk],
        creates=writes(
            {"cases.contact": {1}, "cases.milestone": {0, 1}, "cases.contacttopic": set(range(6))}
        ),
    ),
    Case(
        "cases:assessment_add",
        "volunteer",
        lambda o: {
            "assessed_on": date_field(datetime.date(2024, 1, 10), o.today),
            "result": choice_field(_choices(Assessment.Result.choices)),
            "note": text_field(),
            "_once": ONCE,
        },
        args=lambda o: [o.person.pk],
        creates=writes({"cases.assessment": {1}}),
    ),
    Case(
        "cases:subject_copy",
        "leader",
        # PDF is left to the copy's own tests: WeasyPrint takes a second a file
        lambda o: {"format": Field(st.just("json"), hostile_choice(["json", "pdf"]))},
        args=lambda o: [o.person.pk],
        ok=lambda r: "attachment" in r.get("Content-Disposition", ""),
    ),
    # cases: the ward's clubs
    Case(
        "cases:club_add",
        "leader",
        lambda o: {
            "name": Field(st.sampled_from(["CLB can thiệp sớm", "CLB B93 tổ 5"]), hostile_text()),
            "programme": pk_field(
                Programme.objects.filter(category="club").values_list("pk", flat=True),
                [o.inactive_programme.pk, *o.programmes],
            ),
            "founded_on": date_field(datetime.date(2024, 1, 1), o.today),
            "_once": ONCE,
        },
        creates=writes({"cases.club": {1}}),
        query=lambda o: {"xa": XA},
    ),
    Case(
        "cases:club_edit",
        "leader",
        lambda o: {
            "name": Field(
                st.sampled_from(["CLB B93 tổ 5 mới", "CLB B93 phường B"]), hostile_text()
            ),
            "founded_on": date_field(datetime.date(2024, 1, 1), o.today),
            "version": VERSION,
        },
        args=lambda o: [o.club_a.pk],
        creates=writes(),
        watch=lambda o: [Club.objects.filter(pk=o.club_a.pk).values()],
    ),
    Case(
        "cases:club_close",
        "leader",
        lambda o: {
            "closed_on": date_field(datetime.date(2024, 1, 1), o.today),
            "version": VERSION,
        },
        args=lambda o: [o.club_a.pk],
        creates=writes(),
        watch=lambda o: [Club.objects.filter(pk=o.club_a.pk).values()],
    ),
    # wards: the team and its members
    Case(
        "wards:team_edit",
        "officer",
        lambda o: {
            "name": Field(st.sampled_from(["Đội CTXHTN phường A"]), hostile_text()),
            "established_on": date_field(datetime.date(2000, 1, 1), datetime.date(2014, 1, 1)),
            "decision_no": text_field(st.sampled_from(["", "45/QĐ-UBND"])),
            "contact_due_days": number_field(1, 365, optional=True),
            "version": VERSION,
        },
        args=lambda o: [o.w.team_a.pk],
        creates=writes(),
        watch=lambda o: [o.w.team_a.__class__.objects.filter(pk=o.w.team_a.pk).values()],
    ),
    Case(
        "wards:team_dissolve",
        "officer",
        lambda o: {
            "dissolved_on": date_field(datetime.date(2014, 3, 1), o.today),
            "confirm": Field(st.just("on"), st.sampled_from(["", "0", "false"])),
            "version": Field(st.just(str(o.w.team_a.version)), hostile_number()),
            "_once": ONCE,
        },
        args=lambda o: [o.w.team_a.pk],
        creates=writes(),
        watch=lambda o: [
            Team.objects.filter(pk=o.w.team_a.pk).values(),
            Member.objects.filter(team=o.w.team_a).values(),
        ],
    ),
    Case(
        "wards:member_add",
        "officer",
        lambda o: {**_member_fields(o), "_once": ONCE},
        args=lambda o: [o.w.team_a.pk],
        creates=writes({"wards.member": {1}}),
        watch=lambda o: [Member.objects.filter(team=o.w.team_a).values()],
    ),
    Case(
        "wards:member_edit",
        "leader",
        lambda o: {**_member_fields(o), "version": VERSION},
        args=lambda o: [o.plain_member.pk],
        creates=writes(),
        watch=lambda o: [Member.objects.filter(team=o.w.team_a).values()],
    ),
    Case(
        "wards:member_leave",
        "leader",
        lambda o: {
            "left_on": date_field(datetime.date(2014, 3, 1), o.today),
            "reason": text_field(st.sampled_from(["", "Chuyển nơi ở"])),
            "version": VERSION,
        },
        args=lambda o: [o.plain_member.pk],
        creates=writes(),
        watch=lambda o: [Member.objects.filter(pk=o.plain_member.pk).values()],
    ),
    # wards: the members' logins (wards/login_views.py): the new password shown once
    Case(
        "wards:login_create",
        "leader",
        lambda o: {
            "username": Field(
                st.sampled_from(["thanhvien.pv", "lan.nt", "a-b_c.9"]), hostile_text()
            ),
            "_once": ONCE,
        },
        args=lambda o: [o.plain_member.pk],
        creates=writes({"wards.temporarypassword": {1}}),
        watch=lambda o: [Member.objects.filter(pk=o.plain_member.pk).values()],
        shows=_shows_password,
    ),
    Case(
        "wards:login_reset",
        "officer",
        lambda o: {"username": Field(st.just(None), hostile_text())},
        args=lambda o: [o.w.volunteer_member.pk],
        creates=writes({"wards.temporarypassword": {1}}),
        shows=_shows_password,
    ),
    Case(
        "wards:member_rejoin",
        "leader",
        lambda o: {"joined_on": date_field(datetime.date(2014, 3, 1), o.today), "_once": ONCE},
        args=lambda o: [_former_with_login(o)],
        creates=writes({"wards.member": {1}}),
        watch=lambda o: [Member.objects.filter(team=o.w.team_a).values()],
    ),
    # «Tài khoản cán bộ» (wards/post_views.py): the district supervisor's posts; a new login's
    # password is shown once (200), an end or a second-factor reset redirects to the list
    Case(
        "post_add",
        "supervisor",
        lambda o: {
            "role": choice_field(["officer", "supervisor"]),
            "unit": pk_field(
                [o.w.ward_a.pk, o.w.district_a.pk],
                [o.w.ward_b.pk, o.w.province.pk, o.w.ward_a_old.pk],
            ),
            "full_name": text_field(st.sampled_from(["Nguyễn Thị Lan", "Trần Văn Bình"])),
            "username": Field(
                st.sampled_from(["", "lan.nt", "binh.tv", "canbo_a"]), hostile_text()
            ),
            "title": text_field(st.sampled_from(["", "Công chức Văn hóa - Xã hội"])),
            "started_on": date_field(datetime.date(2020, 1, 1), o.today),
            "goi_y": Field(st.just(None), st.sampled_from(["1", ""])),
            "_once": ONCE,
        },
        creates=writes({"wards.post": {1}, "wards.temporarypassword": {1}}),
        shows=_shows_password,
    ),
    Case(
        "post_end",
        "supervisor",
        lambda o: {"ended_on": date_field(datetime.date(2024, 1, 1), o.today)},
        args=lambda o: [Post.objects.get(user=o.w.officer).pk],
        creates=writes(),
        watch=lambda o: [Post.objects.filter(user=o.w.officer).values()],
    ),
    Case(
        "post_reset",
        "supervisor",
        lambda o: {"confirm": Field(st.just(None), hostile_text())},
        args=lambda o: [Post.objects.get(user=o.w.officer).pk],
        creates=writes({"wards.temporarypassword": {1}}),
        shows=_shows_password,
    ),
    Case(
        "post_second_factor_reset",
        "supervisor",
        lambda o: {"confirm": Field(st.just(None), hostile_text())},
        args=lambda o: [Post.objects.get(user=o.w.officer).pk],
        creates=writes(),
    ),
    Case(
        "posts",
        "supervisor",
        lambda o: {
            "don_vi": choice_field([o.w.district_a.code, o.w.ward_a.code], optional=True),
            "q": text_field(st.sampled_from(["", "canbo", "Lan"])),
        },
        method="get",
    ),
    # outreach: activities, partners, referrals
    Case(
        "outreach:activity_add",
        "volunteer",
        activity_fields,
        creates=writes({"outreach.activity": {1}, **links(range(0, 10))}),
        query=lambda o: {"xa": XA},
    ),
    Case(
        "outreach:activity_batch",
        "leader",
        activity_batch_fields,
        creates=writes({"outreach.activity": set(range(1, ROWS + 1))}),
        query=lambda o: {"xa": XA, "dong": Field(st.just(None), hostile_number())},
    ),
    Case(
        "outreach:activity_edit",
        "leader",
        lambda o: {**activity_fields(o), "version": VERSION},
        args=lambda o: [o.activity.pk],
        creates=writes(links(range(-10, 10))),
        watch=_activity_rows,
    ),
    Case(
        "outreach:activity_delete",
        "leader",
        lambda o: {"version": VERSION},
        args=lambda o: [o.activity.pk],
        creates=writes({"outreach.activity": {-1}, **links(range(-10, 1))}),
    ),
    Case(
        "outreach:unit_activity_add",
        "supervisor",
        unit_activity_fields,
        creates=writes({"outreach.activity": {1}}),
        query=lambda o: {"dv": DV},
    ),
    Case(
        "outreach:unit_activity_edit",
        "supervisor",
        lambda o: {**unit_activity_fields(o), "version": VERSION},
        args=lambda o: [o.unit_activity.pk],
        creates=writes(),
        watch=lambda o: [Activity.objects.filter(pk=o.unit_activity.pk).values()],
    ),
    Case(
        "outreach:unit_activity_delete",
        "supervisor",
        lambda o: {"version": VERSION},
        args=lambda o: [o.unit_activity.pk],
        creates=writes({"outreach.activity": {-1}}),
    ),
    Case(
        "outreach:partner_add",
        "officer",
        lambda o: {
            "name": Field(
                st.sampled_from(["Trung tâm Dạy nghề", "Công ty Giày Việt"]), hostile_text()
            ),
            "kind": choice_field(_choices(Partner.Kind.choices)),
            "phone": Field(st.sampled_from(["", "02438123456"]), hostile_number()),
            "address": text_field(),
            "contact_person": text_field(),
            "note": text_field(),
            "active": checkbox_field(),
            "_once": ONCE,
        },
        creates=writes({"outreach.partner": {1}}),
        query=lambda o: {"xa": XA},
    ),
    Case(
        "outreach:partner_edit",
        "leader",
        lambda o: {
            "name": Field(st.sampled_from(["Ngân hàng CSXH phường A"]), hostile_text()),
            "kind": choice_field(_choices(Partner.Kind.choices)),
            "phone": Field(st.sampled_from(["", "02438123456"]), hostile_number()),
            "address": text_field(),
            "contact_person": text_field(),
            "note": text_field(),
            "active": checkbox_field(),
            "version": VERSION,
        },
        args=lambda o: [o.partner.pk],
        creates=writes(),
        watch=lambda o: [Partner.objects.filter(pk=o.partner.pk).values()],
    ),
    Case(
        "outreach:referral_add",
        "volunteer",
        referral_fields,
        args=lambda o: [o.person.pk],
        creates=writes({"outreach.referral": {1}, "outreach.referralstatuschange": {1}}),
    ),
    Case(
        "outreach:referral_detail",
        "volunteer",
        referral_advance_fields,
        args=lambda o: [o.referral.pk],
        creates=writes({"outreach.referralstatuschange": {1}}),
        watch=lambda o: [Referral.objects.filter(pk=o.referral.pk).values()],
    ),
    # reports
    Case(
        "reports:submission_add",
        "leader",
        lambda o: {
            "narrative": text_field(st.sampled_from(["", "Đội đã hoàn thành kế hoạch quý."])),
            "confirm": Field(st.just("on"), st.sampled_from(["", "0", "false"])),
            "so-lieu": Field(st.just(o.seen), hostile_text()),
            "lan-nop": Field(st.just("0"), hostile_number()),
            "number": text_field(st.sampled_from(["", "12/BC-ĐCTXHTN"])),
            "recipients": text_field(st.sampled_from(["", "- Quận A;\n- Lưu: VT."])),
            "evaluation": text_field(st.sampled_from(["", "Đạt kế hoạch."])),
            # one line for each finding of the checks on the period (reports.checks)
            **{
                f"giai-trinh-{c.code}": text_field(st.just("Đội mới thành lập."))
                for c in checks.run(o.w.ward_a, o.period)
            },
            "_once": ONCE,
        },
        creates=writes({"reports.submission": {1}}),
        query=lambda o: {
            "don-vi": UNIT_CODE,
            "ky": Field(st.just(o.period.spec), hostile_period()),
            "cach-tinh": CUTOFF,
        },
    ),
    # the review of ward A's report by the district's supervisor: approved, or returned
    Case(
        "reports:submission_review",
        "supervisor",
        lambda o: {
            "decision": choice_field(["duyet", "tra-lai"]),
            "reason": text_field(st.sampled_from(["", "Thiếu lời văn."])),
            "_once": ONCE,
        },
        args=lambda o: [_to_review(o).pk],
        creates=writes({"reports.review": {1}}),
    ),
    # imports: the upload (hostile files), the column mapping, the commit (hostile cells), the
    # cancel, all by the leader who uploaded
    Case(
        "imports:upload",
        "leader",
        upload_fields,
        args=lambda o: ["people"],
        creates=writes({"imports.importbatch": {1}}),
        query=lambda o: {"xa": XA},
        fill=_as_files,
    ),
    Case(
        "imports:mapping",
        "leader",
        mapping_fields,
        args=lambda o: [o.batch.pk],
        creates=writes(),
        watch=lambda o: [ImportBatch.objects.filter(pk=o.batch.pk).values()],
    ),
    Case(
        "imports:commit",
        "leader",
        commit_fields,
        args=lambda o: [o.batch.pk],
        creates=writes(
            {
                "cases.person": set(range(BATCH_ROWS + 1)),
                "cases.groupchange": set(range(BATCH_ROWS + 1)),  # each person's first entry
            }
        ),
        fill=_cells_into_batch,
        ok=_committed,
    ),
    Case(
        "imports:cancel",
        "leader",
        lambda o: {},
        args=lambda o: [o.batch.pk],
        creates=writes({"imports.importbatch": {-1}}),
    ),
    # filters, read from GET
    Case(
        "imports:preview",
        "leader",
        lambda o: {"loc": choice_field(["", "loi", "bo-qua", "moi"]), "page": PAGE},
        args=lambda o: [o.batch.pk],
        method="get",
    ),
    Case(
        "cases:register",
        "leader",
        lambda o: {
            "tinh_trang": choice_field(["", "da_dong", "tat_ca"]),
            "nhom": choice_field(_choices(Person.Group.choices), optional=True),
            "chuong_trinh": pk_field(o.programmes, [o.inactive_programme.pk], optional=True),
            "tnv": Field(
                st.sampled_from(["", "chua", str(o.w.volunteer_member.pk)]),
                pk_text([], [o.w.outsider_member.pk]),
            ),
            "qua_han": checkbox_field(),
            "het_han": choice_field(["", "thang_nay", "30_ngay"]),
            "tiep_can": choice_field(["", "thang_nay", "thang_truoc"]),
            "moi": checkbox_field(),
            "page": PAGE,
            "xa": XA,
        },
        method="get",
        id="cases:register (filters)",
    ),
    Case(
        "cases:contact_log_export",
        "leader",
        lambda o: {
            "tu_ngay": date_field(datetime.date(2012, 1, 1), o.today, optional=True),
            "den_ngay": date_field(datetime.date(2012, 1, 1), o.today, optional=True),
            "dinh_dang": choice_field(["xlsx", "csv"], optional=True),
            "xa": XA,
        },
        method="get",
        # a download, read to its end (the CSV's rows are read while it streams)
        ok=lambda r: r.status_code == 200 and r.streaming and _drained(r),
    ),
    Case(
        "cases:assignment_board",
        "leader",
        lambda o: {
            "tnv": Field(
                st.sampled_from(["", "chua", str(o.w.volunteer_member.pk)]),
                pk_text([], [o.w.outsider_member.pk]),
            ),
            "xa": XA,
        },
        method="get",
    ),
    Case(
        "outreach:activity_list",
        "volunteer",
        lambda o: {
            "kind": choice_field(KIND_VALUES, optional=True),
            "start": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "end": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "member": _any_members(o),
            "page": PAGE,
            "xa": XA,
        },
        method="get",
    ),
    Case(
        "outreach:unit_activity_list",
        "supervisor",
        lambda o: {"page": PAGE, "dv": DV},
        method="get",
    ),
    Case(
        "outreach:referral_list",
        "officer",
        lambda o: {
            "trang_thai": choice_field(["", "hoan_thanh", "tu_choi", "da_rut", "tat_ca"]),
            "loai": choice_field(_choices(Referral.Kind.choices), optional=True),
            "page": PAGE,
            "xa": XA,
        },
        method="get",
    ),
    Case(
        "reports:report",
        "leader",
        lambda o: {
            "don-vi": UNIT_CODE,
            "ky": Field(
                st.sampled_from([None, o.period.spec, "2025-H1", "2024"]), hostile_period()
            ),
            "cach-tinh": CUTOFF,
            "ky-khac": Field(st.sampled_from([None, "", "2024-03"]), hostile_period()),
        },
        method="get",
    ),
    Case(
        "reports:submission_status",
        "supervisor",
        lambda o: {
            "don-vi": Field(st.sampled_from([None, "991"]), UNIT_CODE.hostile),
            "ky": Field(st.sampled_from([None, o.period.spec]), hostile_period()),
            "cach-tinh": CUTOFF,
        },
        method="get",
    ),
    Case(
        "wards:team_overview",
        "supervisor",
        lambda o: {
            "don_vi": Field(st.sampled_from([None, "991"]), UNIT_CODE.hostile),
            "ngay": date_field(datetime.date(2014, 1, 1), o.today, optional=True),
        },
        method="get",
    ),
    Case(
        "wards:audit_trail",
        "leader",
        lambda o: {
            "action": choice_field(_choices(AuditEvent.Action.choices), optional=True),
            "start": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "end": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "actor": pk_field(
                [o.w.leader_member.pk, o.w.volunteer_member.pk],
                [o.w.outsider_member.pk],
                optional=True,
            ),
            "page": PAGE,
            "xa": XA,
        },
        method="get",
    ),
    Case(
        "wards:audit_exports",
        "supervisor",
        lambda o: {
            "action": choice_field(["export", "login", "logout", "login_failed"], optional=True),
            "start": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "end": date_field(datetime.date(2024, 1, 1), o.today, optional=True),
            "page": PAGE,
        },
        method="get",
    ),
]


def _drained(response) -> bool:
    for _chunk in response.streaming_content:
        pass
    return True


# Named URLs with nothing to fill in: pages that only read (their query string, if any, is
# fuzzed above through the same view), and downloads.
NO_FORM = {
    "home",
    "password_change_done",
    "cases:my_work",
    "cases:person_detail",
    "cases:ward_dashboard",
    "cases:club_list",
    "cases:club_detail",
    "wards:team_detail",
    "outreach:partner_list",
    "outreach:eligibility_list",
    "outreach:eligibility_export",
    "reports:report_export",  # the report page's own query string, fuzzed with reports:report
    "reports:submission_detail",
    "reports:submission_export",  # a download of a submission: no form
    "imports:start",  # links and upload forms, posted to imports:upload (fuzzed above)
    "imports:template",  # a download
}


def test_every_url_is_fuzzed_or_has_no_form():
    names = {name for name, _pattern in _named_urls()}
    fuzzed = {case.name for case in CASES}
    assert names - fuzzed - NO_FORM == set(), "fuzz the new form here, or list it in NO_FORM"
    assert (fuzzed | NO_FORM) - names == set(), "remove the URL that no longer exists"


# One input ----------------------------------------------------------------------------------


@dataclass
class Stats:
    runs: int = 0
    reached: int = 0  # answered by the form itself, not refused by access control
    succeeded: int = 0  # did what the form does: saved, shown (GET) or downloaded
    statuses: Counter = field(default_factory=Counter)


def _client(case: Case, personas, o) -> Client:
    if not case.login_each_time:
        return personas[case.persona]
    client = Client()
    if case.persona != "anonymous":
        client.force_login(getattr(o, case.persona, None) or getattr(o.w, case.persona))
    if case.name == "password_set":  # as the login view marks a login with a temporary password
        session = client.session
        session[MUST_SET_PASSWORD] = True
        session.save()
    return client


def _has_file(data: dict) -> bool:
    values = [x for v in data.values() for x in (v if isinstance(v, list) else [v])]
    return any(isinstance(x, SimpleUploadedFile) for x in values)


def _send(client: Client, case: Case, url: str, data: dict, urlencoded: bool):
    if case.method == "get":
        return client.get(url, data)
    if urlencoded and not _has_file(data):  # a file goes in a multipart body
        body = urlencode(data, doseq=True)
        return client.post(url, body, content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


def _reset_login_throttle() -> None:
    if "axes" in django_settings.INSTALLED_APPS:
        from axes.utils import reset

        reset()


def _compiled(case: Case, o) -> list[tuple[str, tuple]]:
    """The watched rows' queries as SQL, built once: the ORM would cost more than the POST."""
    queries = case.watch(o) if case.watch else []
    return [qs.order_by("pk").query.get_compiler(qs.db).as_sql() for qs in queries]


def _rows(compiled: list[tuple[str, tuple]]) -> list[list[tuple]]:
    with connection.cursor() as cursor:
        out = []
        for sql, params in compiled:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
        return out


def _check_redirect(response) -> None:
    location = response.headers.get("Location", "")
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), (
        f"redirect off the site: {location!r}"
    )


def _check_writes(case: Case, response, changed: dict[str, int], rows_changed: bool) -> None:
    """Nothing written unless the form redirected after success, and then only its rows."""
    if case.shows and response.status_code == 200 and case.shows(response):
        wrong = {k: v for k, v in changed.items() if v not in case.creates.get(k, {0})}
        assert not wrong, f"a success wrote what the form does not: {changed}"
        missing = {k for k, v in case.creates.items() if 0 not in v and k not in changed}
        assert not missing, f"partial write: {changed} without {missing}"
        return
    if response.status_code != 302 or case.method == "get" or (case.ok and not case.ok(response)):
        assert not changed, f"refused with {response.status_code} but wrote {changed}"
        assert not rows_changed, f"refused with {response.status_code} but changed a record"
        return
    if not changed:
        return
    allowed = case.creates
    wrong = {k: v for k, v in changed.items() if v not in allowed.get(k, {0})}
    assert not wrong, f"a success wrote what the form does not: {changed}"
    missing = {k for k, v in allowed.items() if 0 not in v and k not in changed}
    assert not missing, f"partial write: {changed} without {missing}"


def _succeeded(case: Case, response, changed: dict, rows_changed: bool) -> bool:
    """Whether the input went all the way: shown (GET), or did what the form does."""
    if case.shows and response.status_code == 200:
        return case.shows(response)
    if case.ok:
        return case.ok(response)
    if case.method == "get":
        return response.status_code == 200
    if any(0 not in allowed for allowed in case.creates.values()):
        return bool(changed)
    return rows_changed if case.watch else response.status_code == 302


def _refused(case: Case, response) -> bool:
    """Refused at the door (out of scope, not allowed, not logged in), before the form."""
    if response.status_code in (403, 404):
        return True
    login = reverse("login")
    location = response.headers.get("Location", "")
    return case.persona != "anonymous" and location.startswith(login)


def fuzz_one(case: Case, o, personas, stats: Stats, send: dict, watched: list) -> None:
    """Send one input in a savepoint, check it, and roll it back for the next one."""
    url = reverse(case.name, args=case.args(o))
    if send["query"]:
        url += "?" + urlencode(send["query"], doseq=True)
    with transaction.atomic():
        # inside the savepoint: a fill may write (the commit's cells into its batch)
        data = case.fill(send["data"], o) if case.fill else send["data"]
        client = _client(case, personas, o)
        if case.name == "login":
            _reset_login_throttle()
        before, rows = row_counts(), _rows(watched)
        response = _send(client, case, url, data, send["urlencoded"])
        after = row_counts()
        changed = {k: after[k] - before[k] for k in before if after[k] != before[k]}
        rows_changed = _rows(watched) != rows
        stats.runs += 1
        stats.statuses[response.status_code] += 1
        assert response.status_code < 500
        if response.status_code in (301, 302):
            _check_redirect(response)
        _check_writes(case, response, changed, rows_changed)
        stats.reached += not _refused(case, response)
        stats.succeeded += _succeeded(case, response, changed, rows_changed)
        transaction.set_rollback(True)


@pytest.fixture(scope="module", autouse=True)
def _total():
    """The number of inputs fuzzed, for the issue's closing note (shown with -s)."""
    yield
    print(f"\nfuzzed inputs: {sum(RUNS.values())} over {len(RUNS)} forms")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_form_never_fails_and_never_writes_half(case, objs, personas):
    stats = Stats()
    query_fields = case.query(objs) if case.query else {}
    watched = _compiled(case, objs)
    inputs = st.fixed_dictionaries(
        {
            "data": form_data(case.fields(objs)),
            "query": form_data(query_fields, extras=False) if query_fields else st.just({}),
            "urlencoded": st.booleans(),
        }
    )

    @FUZZ
    @given(send=inputs)
    def fuzz(send):
        fuzz_one(case, objs, personas, stats, send, watched)

    started = time.process_time()
    fuzz()
    RUNS[str(case)] += stats.runs
    seconds = time.process_time() - started
    print(
        f"{case}: {stats.runs} inputs in {seconds:.1f} s CPU, answers {dict(stats.statuses)}, "
        f"{stats.succeeded} succeeded"
    )
    assert stats.runs >= EXAMPLES
    # The inputs reached the form (not all refused at the door) and some went all the way, so
    # the properties above were checked on both paths.
    assert stats.reached >= stats.runs // 4, stats
    assert stats.succeeded >= 1, stats


def test_a_ticked_id_too_large_for_the_database_is_refused_by_the_form(objs, personas):
    """Found by the fuzzing above: Django's multiple choice looked the id up with `pk__in`,
    which SQLite answered with OverflowError and PostgreSQL with an out-of-range error."""
    url = reverse("cases:assignment_reassign")
    data = {
        "persons": ["9223372036854775808"],
        "member": objs.members[0],
        "started_on": "2025-01-02",
    }
    response = personas["leader"].post(url, data)
    assert response.status_code == 200
    assert "Có người được chọn không thuộc danh sách" in response.content.decode()
    response = personas["volunteer"].post(reverse("outreach:activity_add"), {"members": "1" * 30})
    assert response.status_code == 200


def test_a_next_address_that_is_not_a_path_is_ignored_by_the_second_factor_pages(personas):
    """Found by the fuzzing above: `next=abc` went to redirect(), which took it for the name of
    a view and failed with a server error."""
    response = personas["volunteer"].get(reverse("otp_verify"), {"next": "abc"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("spec", ["1990", "1990-01", "1990..1991", "1990-01-01..1990-01-05"])
def test_a_report_of_the_first_year_compares_with_the_year_before(personas, spec):
    """Found by the fuzzing above: the comparison period (1989) was refused by the parser that
    reads what users type, and the report page failed with a server error."""
    response = personas["leader"].get(reverse("reports:report"), {"ky": spec})
    assert response.status_code == 200
    assert "ngoài khoảng" not in response.content.decode()


def test_a_range_of_dates_outside_the_years_is_refused_with_a_message(personas):
    """Found by the fuzzing above: 0001-01-01..9999-12-31 overflowed a date computation."""
    response = personas["leader"].get(
        reverse("reports:submission_add"), {"ky": "0001-01-01..9999-12-31"}
    )
    assert response.status_code == 400
    assert "Năm 1 nằm ngoài khoảng 1990 – 2100." in response.content.decode()


@pytest.mark.parametrize(
    "name, persona", [("wards:audit_trail", "leader"), ("wards:audit_exports", "supervisor")]
)
def test_an_audit_filter_date_far_off_is_refused_with_a_message(personas, name, persona):
    """Found by the fuzzing above: 01/01/0001 and 31/12/9999 overflowed turning a local day
    into the UTC times the events are stored in."""
    response = personas[persona].get(reverse(name), {"start": "0001-01-01", "end": "9999-12-31"})
    assert response.status_code == 200
    assert "Chọn một ngày từ năm 2000 đến năm 2100." in response.content.decode()


def test_a_username_longer_than_any_username_is_refused_before_it_is_looked_up(world, client):
    """Found by the fuzzing above on PostgreSQL: Django does not check the username's length
    on the server, and django-axes failed storing a 10,000-character one as a failed login."""
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "x" * 10_000, "password": "sai"})
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    client.post(reverse("login"), {"username": "x" * 150, "password": "sai"})
    assert AccessAttempt.objects.count() == 1


@pytest.mark.parametrize(
    "name, key, persona",
    [
        ("reports:report", "don-vi", "leader"),
        ("reports:submission_add", "don-vi", "leader"),
        ("wards:team_overview", "don_vi", "supervisor"),
    ],
)
def test_a_unit_code_with_a_nul_character_is_not_found(personas, name, key, persona):
    """Found by the fuzzing above on PostgreSQL, which refuses NUL in a query: a server error."""
    assert personas[persona].get(reverse(name), {key: "99\x00001"}).status_code == 404


# Every hostile file and kind at least once (the fuzzing above samples among them) -----------


@pytest.mark.parametrize("which", sorted(hostile_files()))
def test_each_hostile_file_is_refused_with_a_message_and_nothing_is_kept(world, personas, which):
    """Each named file, sent as an .xlsx: refused on the upload page with its message beside
    the file field, and no batch kept; only a sheet of 100 columns (its first 60 read) reaches
    the preview."""
    file = SimpleUploadedFile("danh-sach.xlsx", hostile_files()[which])
    response = personas["leader"].post(reverse("imports:upload", args=["people"]), {"file": file})
    if which == "100 columns":
        assert response.status_code == 302
        batch = ImportBatch.objects.get()
        assert len(batch.rows[0]) == reading.MAX_COLUMNS
        return
    assert response.status_code == 200
    assert 'class="invalid-feedback" id="file-people-error"' in response.content.decode()
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    "kind", ["PEOPLE", "nguoi", "base", "kinds", "__class__", "people-", "0", "x" * 300, "%00"]
)
def test_a_kind_that_does_not_exist_is_404_for_the_template_and_the_upload(personas, kind):
    template = reverse("imports:template", args=["people"]).replace("people", kind)
    upload = reverse("imports:upload", args=["people"]).replace("people", kind)
    file = SimpleUploadedFile("danh-sach.xlsx", good_xlsx())
    assert personas["leader"].get(template).status_code == 404
    assert personas["leader"].post(upload, {"file": file}).status_code == 404
    assert not ImportBatch.objects.exists()
