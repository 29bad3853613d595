"""Every choice a form offers or keeps is one the user may see (issue 19, Build 4).

For every persona of tests/conftest.py and every page of the site they can open (each named
URL of tests/test_pages.py, with the records of tests/security/test_fuzz_forms.py and their
out-of-scope twins as arguments: create and edit forms alike), the page is fetched and:

- every value offered by its selects, checkbox and radio lists, and every hidden input of a
  model choice (parsed from the HTML), is a row of that persona's `visible_to` set for the
  field's model;
- every model choice field of every form the page was built with accepts only such rows
  (its queryset: what a crafted POST could pick) and keeps only such rows (its value:
  what is already on the record);
- no person, member or partner the persona may not see is named anywhere on the page.

The data has rows out of scope on purpose: ward B's person, member, partner, area, activity
and referral; a person of ward A assigned to another volunteer and one assigned to nobody;
the volunteer's club session to which the leader added both (issue 19: «A volunteer sees
persons not assigned to her»).

The same test fails when a form class with choices is added to one of the apps that the walk
does not open, until it is opened (a page and its records below) or excluded with a reason; when a
choice field stops being looked at; and when a plain choice field offers different values to
different users (built from rows, then) without saying which rows in ROW_CHOICES.
"""

from __future__ import annotations

import datetime
import importlib
import pkgutil
from collections import defaultdict
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django import forms
from django.apps import apps
from django.db.models import Model, QuerySet
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils import timezone

from cases.models import Person, Programme
from outreach import services as outreach
from outreach.models import Activity, Partner
from tests import factories as f
from tests.conftest import login
from tests.security.test_fuzz_forms import objs  # noqa: F401 (the fixture the fuzzing uses)
from tests.test_pages import _named_urls
from wards.access import access_for
from wards.models import AdminUnit, Area, Member, Post

APPS = ("wards", "cases", "outreach", "reports", "imports")
PERSONAS = ("volunteer", "leader", "officer", "supervisor", "outsider", "admin")


# The data: the fuzzing's records, and rows each persona must not see -------------------------


@pytest.fixture
def scene(objs) -> SimpleNamespace:  # noqa: F811 (the fixture imported above)
    w, today = objs.w, timezone.localdate()
    # ward A: a person another volunteer helps, and the volunteer's club session to which the
    # leader added them and the person nobody helps yet (objs.other)
    helped_by_other = f.person(ward=w.ward_a, full_name="Lý Thị Người Khác")
    f.assignment(person=helped_by_other, member=objs.plain_member)
    club = outreach.activity_record(
        actor=w.volunteer,
        unit=w.ward_a,
        occurred_on=today - datetime.timedelta(days=1),
        kind=Activity.Kind.CLUB_SESSION,
        persons=[objs.person],
        members=[w.volunteer_member],
        partners=[objs.partner],
    )
    outreach.activity_update(
        actor=w.leader,
        activity=club,
        persons=[objs.person, objs.other, helped_by_other],
        participants=9,
    )
    # ward B: an activity with its person, member and partner, a referral and an enrolment
    activity_b = outreach.activity_record(
        actor=w.outsider,
        unit=w.ward_b,
        occurred_on=today - datetime.timedelta(days=2),
        kind=Activity.Kind.CLUB_SESSION,
        persons=[objs.person_b],
        members=[w.outsider_member],
        partners=[objs.partner_b],
    )
    referral_b = outreach.referral_create(
        actor=w.outsider,
        person=objs.person_b,
        kind="job",
        referred_on=datetime.date(2024, 5, 1),
        partner=objs.partner_b,
    )
    return SimpleNamespace(
        **vars(objs),
        helped_by_other=helped_by_other,
        club=club,
        activity_b=activity_b,
        referral_b=referral_b,
        enrollment_b=f.enrollment(person=objs.person_b),
        member_b=f.member(team=w.team_b, full_name="Cao Văn Đội Bê"),
        # a former member of ward A with a login, whom the leader may have rejoin
        former=f.member(
            team=w.team_a,
            full_name="Cao Thị Đã Thôi",
            joined_on=datetime.date(2020, 1, 1),
            left_on=datetime.date(2024, 1, 1),
            user=f.user("dathoi.ct"),
        ),
    )


# The pages: every named URL, with each record of its kind as argument ------------------------


def _persons(s):
    return [[p.pk] for p in (s.person, s.other, s.helped_by_other, s.closed, s.person_b)]


ARGS = {
    "wards:team_detail": lambda s: [[t.pk] for t in (s.w.team_a, s.w.team_b, s.w.team_a_old)],
    "wards:team_edit": lambda s: [[t.pk] for t in (s.w.team_a, s.w.team_b)],
    "wards:team_dissolve": lambda s: [[t.pk] for t in (s.w.team_a, s.w.team_b)],
    "wards:member_add": lambda s: [[t.pk] for t in (s.w.team_a, s.w.team_b)],
    "wards:member_edit": lambda s: [[m.pk] for m in (s.plain_member, s.w.outsider_member)],
    "wards:member_leave": lambda s: [[m.pk] for m in (s.plain_member, s.w.outsider_member)],
    "wards:login_create": lambda s: [[m.pk] for m in (s.plain_member, s.w.outsider_member)],
    "wards:login_reset": lambda s: [[m.pk] for m in (s.w.volunteer_member, s.w.outsider_member)],
    "wards:member_rejoin": lambda s: [[m.pk] for m in (s.former, s.w.outsider_member)],
    "post_end": lambda s: [[p.pk] for p in Post.objects.filter(user=s.w.officer)],
    "post_reset": lambda s: [[p.pk] for p in Post.objects.filter(user=s.w.officer)],
    "post_second_factor_reset": lambda s: [[p.pk] for p in Post.objects.filter(user=s.w.officer)],
    "cases:person_detail": _persons,
    "cases:contact_add": _persons,
    "cases:assessment_add": _persons,
    "cases:person_edit": _persons,
    "cases:person_close": _persons,
    "cases:person_reopen": lambda s: [[s.closed.pk]],
    "cases:enrollment_add": _persons,
    "cases:enrollment_end": lambda s: [[e.pk] for e in (s.enrollment, s.enrollment_b)],
    "cases:subject_copy": _persons,
    "outreach:activity_edit": lambda s: [[a.pk] for a in (s.activity, s.club, s.activity_b)],
    "outreach:activity_delete": lambda s: [[a.pk] for a in (s.activity, s.club, s.activity_b)],
    "outreach:partner_edit": lambda s: [[p.pk] for p in (s.partner, s.partner_b)],
    "outreach:unit_activity_edit": lambda s: [[s.unit_activity.pk]],
    "outreach:unit_activity_delete": lambda s: [[s.unit_activity.pk]],
    "outreach:referral_add": _persons,
    "outreach:referral_detail": lambda s: [[r.pk] for r in (s.referral, s.referral_b)],
    "cases:club_detail": lambda s: [[c.pk] for c in (s.club_a, s.club_b)],
    "cases:club_edit": lambda s: [[c.pk] for c in (s.club_a, s.club_b)],
    "cases:club_close": lambda s: [[c.pk] for c in (s.club_a, s.club_b)],
    "reports:submission_detail": lambda s: [[1]],
    "imports:upload": lambda s: [["people"]],
    "imports:preview": lambda s: [[s.batch.pk]],
    "imports:mapping": lambda s: [[s.batch.pk]],
    "imports:commit": lambda s: [[s.batch.pk]],
    "imports:cancel": lambda s: [[s.batch.pk]],
}
# Named URLs the walk does not fetch, and why.
SKIP = {
    "login": "anonymous only: a username and a password",
    "logout": "fetching it would end the persona's session",
    "set_language": "POST only: the language, no rows",
    "cases:contact_log_export": "a download (its form is on cases:ward_dashboard)",
    "outreach:eligibility_export": "a download",
    "reports:report_export": "a download (its form is the report page's picker)",
    "reports:submission_export": "a download of a submission (no form)",
    "reports:submission_review": "POST only: approve or return, no rows (on submission_detail)",
    "imports:template": "a download",
}


def _pages(s) -> list[str]:
    urls = []
    for name, pattern in _named_urls():
        if name in SKIP:
            continue
        for args in ARGS[name](s) if pattern.pattern.regex.groupindex else [[]]:
            urls.append(reverse(name, args=args))
    return urls


# Reading a page: the choices in its HTML, the forms in its context ----------------------------


class Choices(HTMLParser):
    """{name: values} of the page's options, checkboxes, radios and hidden inputs."""

    def __init__(self):
        super().__init__()
        self.offered: dict[str, set[str]] = defaultdict(set)
        self.hidden: dict[str, set[str]] = defaultdict(set)
        self._select: str | None = None
        self._option: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            self._option = a.get("value")
            if self._option is not None:
                self.offered[self._select].add(self._option)
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                self.offered[a["name"]].add(a.get("value") or "on")
            elif kind == "hidden":
                self.hidden[a["name"]].add(a.get("value") or "")

    def handle_data(self, data):
        # an option without a value attribute posts its text
        if self._option is None and self._select and self.lasttag == "option" and data.strip():
            self.offered[self._select].add(data.strip())

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None


def _forms_in(value, depth: int = 0):
    """The forms a template context holds, directly or in a list, a dict or a bound field."""
    if isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, forms.BaseFormSet):
        yield from value.forms
    elif isinstance(value, BoundField):
        yield value.form
    elif depth < 2 and isinstance(value, list | tuple):
        for item in value:
            yield from _forms_in(item, depth + 1)
    elif depth < 2 and isinstance(value, dict):
        for item in value.values():
            yield from _forms_in(item, depth + 1)


def page_forms(response) -> list[forms.BaseForm]:
    found: dict[int, forms.BaseForm] = {}
    for context in response.context or []:
        for layer in context.dicts:
            for value in layer.values():
                for form in _forms_in(value):
                    found[id(form)] = form
    return list(found.values())


# What each persona may see -------------------------------------------------------------------


def visible(model: type[Model], user) -> QuerySet:
    """The rows of `model` that `user` may see: the model's own `visible_to`, or, for the
    reference rows without one, the units of the user's grants."""
    if hasattr(model.objects, "visible_to"):
        return model.objects.visible_to(user)
    units = access_for(user).unit_ids("aggregate")
    if model is AdminUnit:
        return AdminUnit.objects.filter(pk__in=units)
    if model is Area:
        return Area.objects.filter(ward__in=units)
    if model is Programme:
        return Programme.objects.all()  # the national list of programmes, the same for all
    raise AssertionError(f"say here which {model.__name__} rows a user may see")


# Choice fields built from rows without being model choice fields: (form, field) → the model,
# the attribute their values carry and the values that are not rows.
ROW_CHOICES = {
    ("RegisterFilterForm", "tnv"): (Member, "pk", {"", "chua"}),
    ("PickerForm", "don-vi"): (AdminUnit, "code", {""}),
}
# Choice fields whose values change with the page without being rows, and why.
VARYING_CHOICES: dict[str, str] = {}
# Choices a template draws itself, outside any form field: name → the same.
RAW_CHOICES = {
    "tnv": (Member, "pk", {"", "chua"}),  # the assignment board's helper filter
    "don-vi": (AdminUnit, "code", {""}),  # the unit picker of the submission pages
}
# ... and those that offer no rows, and why.
STATIC_RAW_CHOICES = {
    "ky": "periods (2024-Q2), not rows",
    "cach-tinh": "calendar or official cut-off",
}


class Walk:
    def __init__(self, user):
        self.user = user
        self.problems: list[str] = []
        self.checked: set[str] = set()  # the choice fields looked at, as Form.field
        # the other choice fields, Form.field → the sets of values they offered
        self.static: dict[str, set[frozenset[str]]] = defaultdict(set)
        self._allowed: dict[tuple, set[str]] = {}

    def allowed(self, model, key: str) -> set[str]:
        if (model, key) not in self._allowed:
            values = visible(model, self.user).values_list(key, flat=True)
            self._allowed[model, key] = {str(v) for v in values}
        return self._allowed[model, key]

    def expect(self, where: str, values, model, key: str, extra=frozenset()) -> None:
        wrong = {str(v) for v in values} - self.allowed(model, key) - set(extra)
        if wrong:
            self.problems.append(f"{where}: {model.__name__} {sorted(wrong)} out of scope")

    def field_spec(self, form, name: str, field):
        if isinstance(field, forms.ModelChoiceField):
            return field.queryset.model, field.to_field_name or "pk", {""}
        return ROW_CHOICES.get((type(form).__name__, name))

    def check_page(self, url: str, response) -> None:
        parsed = Choices()
        parsed.feed(response.content.decode())
        named: dict[str, tuple] = {}
        for form in page_forms(response):
            for name, field in form.fields.items():
                spec = self.field_spec(form, name, field)
                if spec is None:
                    if isinstance(field, forms.ChoiceField):
                        values = frozenset(str(v) for v, _label in _flat(field.choices))
                        self.static[f"{type(form).__name__}.{name}"].add(values)
                    continue
                model, key, extra = spec
                where = f"{url} {type(form).__name__}.{name}"
                named[form[name].html_name] = spec
                self.checked.add(f"{type(form).__name__}.{name}")
                if isinstance(field, forms.ModelChoiceField):
                    # what a POST could pick
                    self.expect(f"{where} accepts", _keys(field.queryset, key), model, key)
                else:
                    offered = [value for value, _label in _flat(field.choices)]
                    self.expect(f"{where} offers", offered, model, key, extra)
                # what is already on the record, or set as the form's start
                value = form[name].value()
                kept = value if isinstance(value, list | tuple) else [value]
                kept = [v.pk if isinstance(v, Model) else v for v in kept if v not in (None, "")]
                self.expect(f"{where} keeps", kept, model, key, extra)
        fields = {form[name].html_name for form in page_forms(response) for name in form.fields}
        for name, values in parsed.offered.items():
            spec = named.get(name) or (None if name in fields else RAW_CHOICES.get(name))
            if spec is not None:
                model, key, extra = spec
                self.expect(f"{url} <{name}> shows", values, model, key, extra)
                self.checked.add(f"<{name}>")
            elif name not in fields and name not in STATIC_RAW_CHOICES:
                self.problems.append(f"{url} <{name}>: say in RAW_CHOICES which rows it offers")
        for name, values in parsed.hidden.items():
            if name in named:
                model, key, extra = named[name]
                self.expect(f"{url} hidden <{name}> keeps", values, model, key, extra)

    def check_names(self, url: str, html: str, rows) -> None:
        for row, name in rows:
            if name in html:
                self.problems.append(f"{url} names {type(row).__name__} #{row.pk} out of scope")


def _keys(queryset: QuerySet, key: str) -> list:
    return list(queryset.values_list(key, flat=True))


def _flat(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat(label)
        else:
            yield value, label


def _unseen_names(user) -> list[tuple[Model, str]]:
    """Every person, member and partner `user` may not see, with the name a page would show."""
    rows: list[tuple[Model, str]] = []
    for model, attr in ((Person, "full_name"), (Member, "full_name"), (Partner, "name")):
        seen = visible(model, user)
        shown = list(seen.values_list(attr, flat=True))
        for row in model.objects.exclude(pk__in=seen.values("pk")):
            name = getattr(row, attr)
            # a ward's «Ngân hàng Chính sách xã hội» is part of the national partner's name
            if not any(name in other for other in shown):
                rows.append((row, name))
    return rows


def walk(user, s) -> tuple[Walk, set[type]]:
    """Open every page as `user`: the checker with its problems, and the forms opened."""
    client = login(user)
    checker = Walk(user)
    unseen = _unseen_names(user)
    opened: set[type] = set()
    for url in _pages(s):
        response = client.get(url)
        # (not response.close(): its request_finished would close the test's connection)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        checker.check_page(url, response)
        checker.check_names(url, response.content.decode(), unseen)
        opened |= {type(form) for form in page_forms(response)}
    return checker, opened


# The tests -----------------------------------------------------------------------------------


def test_the_scene_has_rows_each_persona_may_not_see(scene):
    volunteer = Person.objects.visible_to(scene.w.volunteer)
    assert set(volunteer) == {scene.person}
    assert set(scene.club.persons.all()) == {scene.person, scene.other, scene.helped_by_other}
    for persona in PERSONAS:
        user = getattr(scene.w, persona)
        assert _unseen_names(user), persona


def test_every_choice_offered_or_kept_is_visible_to_the_user(scene):
    problems, opened, checked = [], set(), set()
    static: dict[str, set[frozenset[str]]] = defaultdict(set)
    for persona in PERSONAS:
        checker, forms_opened = walk(getattr(scene.w, persona), scene)
        problems += [f"{persona}: {problem}" for problem in checker.problems]
        opened |= forms_opened
        checked |= checker.checked
        for name, offered in checker.static.items():
            static[name] |= offered
    assert not problems, "\n".join(problems)
    # a choice field whose choices change with the user or the page is built from rows: say
    # in ROW_CHOICES which, or in VARYING_CHOICES why its values are not rows
    varying = {name for name, offered in static.items() if len(offered) > 1}
    assert varying - set(VARYING_CHOICES) == set(), "declare these in ROW_CHOICES"
    assert CHOICE_FIELDS - checked == set(), "the walk no longer looks at these choices"
    # the guard: every form of the apps was opened by some persona, or is excluded
    labels = {_label(cls) for cls in app_forms()}
    choosing = {_label(cls) for cls in app_forms() if may_offer_choices(cls)}
    missing = choosing - {_label(cls) for cls in opened} - set(NOT_WALKED)
    assert missing == set(), "open these forms in the walk (ARGS), or say in NOT_WALKED why not"
    assert set(NOT_WALKED) <= labels, "remove the forms that no longer exist from NOT_WALKED"


# Choice fields the walk must have looked at (it would pass, looking at nothing, if the forms
# or the HTML stopped being read).
CHOICE_FIELDS = {
    "ActivityFilterForm.member",
    "ActivityForm.members",
    "ActivityForm.partners",
    "ActivityForm.persons",
    "ActivityForm.unit",
    "ActivityForm.club",
    "ActivityRowForm.club",
    "DepartmentActivityForm.unit",
    "BatchUnitForm.unit",
    "ClubForm.programme",
    "EnrollmentForm.programme",
    "EnrollmentForm.club",
    "HandoverForm.from_member",
    "HandoverForm.to_member",
    "PersonEditForm.area",
    "PersonForm.area",
    "PickerForm.don-vi",
    "ReassignForm.member",
    "ReassignForm.persons",
    "ReferralForm.partner",
    "RegisterFilterForm.chuong_trinh",
    "RegisterFilterForm.tnv",
    "WardAuditFilterForm.actor",
    # the same, read from the HTML
    *(f"<{name}>" for name in ("persons", "members", "partners", "unit", "partner", "tnv")),
    *(f"<{name}>" for name in ("member", "from_member", "to_member", "actor", "don-vi")),
    "<club>",  # the enrolment form's club (cases.forms.register.EnrollmentForm)
}


# The guard: every form of the apps is opened by the walk, or excluded with a reason ----------

# Forms with choices that no persona's GET of a page builds, and why they need no walk.
NOT_WALKED = {
    "wards.account_views.LoginForm": "anonymous only: a username and a password",
    "cases.views.subject.CopyForm": "PDF or JSON, no rows: the page draws its two buttons",
    "reports.forms.ReviewForm": "approve or return, no rows: the page draws its two buttons",
}


def app_forms() -> set[type]:
    """Every form class defined in a module of the apps."""
    for label in APPS:
        package = importlib.import_module(apps.get_app_config(label).name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            if ".migrations" not in info.name and ".management" not in info.name:
                importlib.import_module(info.name)
    found: set[type] = set()
    todo = [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.split(".")[0] in APPS:
                found.add(sub)
    return found


def may_offer_choices(cls: type) -> bool:
    """Whether a form class has a choice field, or an `__init__` of the apps that may add one
    or change its choices (a form of plain fields, such as a version alone, needs no walk)."""
    if any(isinstance(field, forms.ChoiceField) for field in cls.base_fields.values()):
        return True
    return any("__init__" in vars(c) for c in cls.__mro__ if c.__module__.split(".")[0] in APPS)


def _label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def test_the_guard_finds_the_forms_of_the_apps():
    labels = {_label(cls) for cls in app_forms()}
    assert {
        "outreach.forms.activities.ActivityForm",
        "cases.forms.register.ReassignForm",
        "wards.audit_views.WardAuditFilterForm",
        "reports.views.page.PickerForm",
    } <= labels
    assert not may_offer_choices(forms.Form)


def test_every_named_url_is_walked_or_skipped_with_a_reason():
    names = {name: pattern for name, pattern in _named_urls()}
    needs_args = {name for name, pattern in names.items() if pattern.pattern.regex.groupindex}
    assert needs_args - set(ARGS) - set(SKIP) == set(), "give the new page its records in ARGS"
    assert (set(ARGS) | set(SKIP)) - set(names) == set(), "remove URLs that no longer exist"
