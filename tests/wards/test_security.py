"""Transport, headers, refusals, the audit's own protection, logs and forms sent twice.

Each measure of issue 6 that is not about accounts is proven here, or named where it is proven.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import secrets
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone

from cases.models import Contact, Person
from config.logfilters import WithholdPersonalData
from outreach.models import Activity, Referral
from tests import factories as f
from tests.test_access_matrix import MATRIX
from wards.middleware import CONTENT_SECURITY_POLICY
from wards.models import AuditEvent, Member, Post, UsedFormToken

ROOT = Path(__file__).resolve().parents[2]
TODAY = timezone.localdate()


@pytest.fixture
def person(world):
    person = f.person(
        ward=world.ward_a,
        full_name="Nguyễn Văn Bảo Mật",
        registered_on=TODAY - datetime.timedelta(days=30),
    )
    f.assignment(person=person, member=world.volunteer_member)
    return person


# check --deploy -----------------------------------------------------------------------------


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECURE_SSL_REDIRECT")}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="donghanh.example.vn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_https_hsts_and_secure_cookies(settings):
    # pytest runs with the production defaults (DEBUG off); only the redirect is off, so the
    # test client can speak plain http.
    assert settings.SECURE_HSTS_SECONDS >= 31536000 and settings.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_REFERRER_POLICY == "same-origin"


# Headers ------------------------------------------------------------------------------------


def test_every_page_has_the_security_headers(world, personas, person):
    client = personas["leader"]
    for url in [
        reverse("login"),
        reverse("home"),
        reverse("cases:person_detail", args=[person.pk]),
        reverse("reports:report"),
    ]:
        response = (Client() if url == reverse("login") else client).get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]


def test_hsts_is_sent_over_https(world, personas):
    response = personas["leader"].get(reverse("home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_hold_no_inline_script_or_style_attribute():
    """The CSP forbids them; a template that used one would break in the browser."""
    found = []
    for template in (ROOT / "templates").rglob("*.html"):
        if "pdf" in template.name:  # rendered by WeasyPrint, never by a browser
            continue
        text = template.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            if 'type="application/json"' not in match.group(0):
                found.append(f"{template.name}: {match.group(0)}")
        found += [f"{template.name}: style=" for _ in re.finditer(r"\sstyle=", text)]
        found += [f"{template.name}: {m}" for m in re.findall(r"\son[a-z]+=", text)]
    assert found == []


def test_every_page_a_logged_in_user_sees_is_never_stored(world, personas, person):
    """Person pages above all: a shared phone's back button or a proxy must keep nothing."""
    client = personas["leader"]
    urls = [
        reverse(name, args=build({"person": person}) if build else [])
        for name, (build, _get, _post) in MATRIX.items()
        if build is None or name.startswith("cases:person") or name == "cases:contact_add"
    ]
    checked = 0
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            assert "no-store" in response["Cache-Control"], url
            checked += 1
    assert checked >= 10


# Looks at personal data are audited ----------------------------------------------------------


def test_opening_a_persons_edit_form_is_audited_as_a_view_and_saving_it_is_not(
    world, personas, person
):
    url = reverse("cases:person_edit", args=[person.pk])
    assert personas["leader"].get(url).status_code == 200
    event = AuditEvent.objects.get(action="view")
    assert (event.actor, event.object_type, event.object_id, event.unit) == (
        world.leader,
        "cases.person",
        str(person.pk),
        world.ward_a,
    )
    personas["leader"].post(url, {"full_name": ""})  # refused: the form shows what was typed
    assert AuditEvent.objects.filter(action="view").count() == 1


# Denied access is audited -------------------------------------------------------------------


def test_a_look_at_another_wards_person_is_a_404_and_is_audited(world, personas):
    other = f.person(ward=world.ward_b, full_name="Đinh Văn Phường B")
    response = personas["leader"].get(reverse("cases:person_detail", args=[other.pk]))
    assert response.status_code == 404
    assert "Đinh Văn Phường B" not in response.content.decode()
    event = AuditEvent.objects.get(action="denied")
    assert (event.actor, event.object_type, event.object_id) == (
        world.leader,
        "cases:person_detail",
        str(other.pk),
    )
    assert event.changes == {"status": 404, "method": "GET"}


def test_a_forbidden_post_is_audited(world, personas):
    url = reverse("wards:team_edit", args=[world.team_a.pk])
    assert personas["volunteer"].post(url, {"name": "Đổi tên"}).status_code == 403
    event = AuditEvent.objects.get(action="denied")
    assert event.actor == world.volunteer
    assert event.changes == {"status": 403, "method": "POST"}


def test_anonymous_visitors_and_unknown_addresses_are_not_audited_as_denials(world, personas):
    Client().get(reverse("cases:person_detail", args=[1]))
    personas["leader"].get("/khong-co-trang-nay/")
    assert not AuditEvent.objects.filter(action="denied").exists()


# The audit trail cannot be rewritten --------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_an_audit_event(world):
    event = AuditEvent.objects.create(action="view", object_type="cases.person", object_id="1")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="export")
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE wards_auditevent SET action = 'export' WHERE id = %s",
        "DELETE FROM wards_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_any_client_that_changes_or_deletes_an_audit_event(world, sql):
    event = AuditEvent.objects.create(action="view", object_type="cases.person", object_id="1")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


# Error pages and logs -----------------------------------------------------------------------


@login_not_required
def _boom(request):
    # Built from the request, as real data would be: the traceback's source line shows only code.
    raise ValueError(", ".join(SECRETS))


SECRETS = ("Nguyễn Văn Lỗi", "0912345678", "CCCD 001090012345")
urlpatterns = [path("boom/", _boom)]


@pytest.mark.urls("tests.wards.test_security")
def test_a_server_error_shows_no_personal_data_on_the_page_or_in_the_log(db, caplog):
    client = Client(raise_request_exception=False)
    handler = logging.StreamHandler()
    handler.addFilter(WithholdPersonalData())
    records: list[str] = []
    handler.emit = lambda record: records.append(handler.format(record))  # type: ignore
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/boom/?ten=Nguyen+Van+Loi")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 500
    page = response.content.decode()
    assert "Đã có lỗi xảy ra" in page
    for secret in ("Nguyễn Văn Lỗi", "0912345678", "001090012345", "Traceback", "ten="):
        assert secret not in page
    logged = "\n".join(records)
    assert "ValueError: [message withheld" in logged and "_boom" in logged
    for secret in ("Nguyễn Văn Lỗi", "0912345678", "001090012345", "ten="):
        assert secret not in logged


def test_the_console_log_handler_withholds_personal_data():
    from django.conf import settings

    assert "personal_data" in settings.LOGGING["handlers"]["console"]["filters"]


# A form sent twice saves once ---------------------------------------------------------------


def _contact_form(**fields) -> dict:
    return {
        "occurred_on": TODAY.isoformat(),
        "kind": "home_visit",
        "summary": "Gia đình hợp tác",
        "drug_test_result": "",
        "milestone_kind": "",
        "next_due_on": "",
        **fields,
    }


def test_the_form_carries_a_one_time_token(world, personas, person):
    url = reverse("cases:contact_add", args=[person.pk])
    html = personas["volunteer"].get(url).content.decode()
    assert re.search(r'name="_once" value="[0-9a-f-]{36}"', html)


def test_a_contact_form_sent_twice_saves_one_contact(world, personas, person):
    url = reverse("cases:contact_add", args=[person.pk])
    data = _contact_form(_once=str(uuid.uuid4()))
    first = personas["volunteer"].post(url, data)
    second = personas["volunteer"].post(url, data, follow=True)
    assert first.status_code == 302
    assert Contact.objects.filter(person=person).count() == 1
    assert "đã được lưu ở lần gửi trước" in second.content.decode()
    assert AuditEvent.objects.filter(action="create", object_type="cases.contact").count() == 1


def test_a_refused_form_keeps_its_token_usable(world, personas, person):
    url = reverse("cases:contact_add", args=[person.pk])
    token = str(uuid.uuid4())
    future = (TODAY + datetime.timedelta(days=3)).isoformat()
    refused = personas["volunteer"].post(url, _contact_form(_once=token, occurred_on=future))
    assert refused.status_code == 200
    assert f'value="{token}"' in refused.content.decode()  # the same form, the same token
    assert not UsedFormToken.objects.exists()
    fixed = personas["volunteer"].post(url, _contact_form(_once=token))
    assert fixed.status_code == 302
    assert Contact.objects.filter(person=person).count() == 1


@pytest.mark.parametrize(
    "name, data, model",
    [
        (
            "cases:person_add",
            {
                "full_name": "Hoàng Văn Gửi Hai Lần",
                "sex": "male",
                "birth_year": "1990",
                "group": "post_rehab",
                "registered_on": TODAY.isoformat(),
                "consent": "on",
                "consent_on": TODAY.isoformat(),
            },
            Person,
        ),
        (
            "outreach:activity_add",
            {"kind": "patrol", "occurred_on": TODAY.isoformat(), "sessions": "1"},
            Activity,
        ),
    ],
)
def test_other_create_forms_sent_twice_save_once(world, personas, name, data, model):
    if name == "outreach:activity_add":
        data = {**data, "unit": str(world.ward_a.pk)}
    before = model.objects.count()
    data = {**data, "_once": str(uuid.uuid4())}
    first = personas["leader"].post(reverse(name), data)
    assert first.status_code == 302, first.context and first.context["form"].errors
    second = personas["leader"].post(reverse(name), data)
    assert second.status_code == 302
    assert model.objects.count() == before + 1


def test_a_referral_form_sent_twice_saves_one_referral(world, personas, person):
    url = reverse("outreach:referral_add", args=[person.pk])
    data = {"kind": "job", "beneficiary": "person", "referred_on": TODAY.isoformat()}
    data["_once"] = str(uuid.uuid4())
    assert personas["leader"].post(url, data).status_code == 302
    assert personas["leader"].post(url, data).status_code == 302
    assert Referral.objects.filter(person=person).count() == 1


@pytest.mark.postgres
def test_two_racing_submissions_of_one_form_save_one_contact(transactional_db, world, person):
    """Two workers receive the same form at the same moment: the token's unique index makes
    the second wait for the first and then find it used."""
    url = reverse("cases:contact_add", args=[person.pk])
    data = _contact_form(_once=str(uuid.uuid4()))
    start = threading.Barrier(2)
    answers: list[int] = []

    def send():
        client = Client()
        client.force_login(world.volunteer)
        start.wait(10)
        answers.append(client.post(url, data).status_code)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [302, 302]
    assert Contact.objects.filter(person=person).count() == 1
    assert UsedFormToken.objects.count() == 1


# The admin site: no persons' data, every look and change audited, the app's login ------------

# Every model on the admin site, reviewed: a new registration fails here until someone decides
# whether it holds personal data (then it belongs in wards.admin_site.KEPT_OUT) or not.
ADMIN_MODELS = {
    "auth.group",
    "auth.user",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "otp_totp.totpdevice",
    "wards.adminunit",
    "wards.team",
    "wards.member",
    "wards.area",
    "wards.post",
    "wards.auditevent",
    "cases.programme",
    "cases.club",
    "outreach.partner",
    "reports.submission",
    "reports.review",  # read-only, as submissions: a unit's decision and its reason
}


def test_the_admin_site_holds_no_persons_data_and_audits_every_model_it_shows():
    from django.apps import apps
    from django.contrib import admin

    from wards.admin_site import AuditedAdmin, kept_out

    registered = {model._meta.label_lower: ma for model, ma in admin.site._registry.items()}
    assert set(registered) == ADMIN_MODELS
    assert all(isinstance(ma, AuditedAdmin) for ma in registered.values())
    for label in ["cases.person", "cases.contact", "outreach.referral", "outreach.activity"]:
        assert kept_out(apps.get_model(label))
    assert not any(kept_out(model) for model in admin.site._registry)
    with pytest.raises(ImproperlyConfigured, match="kept out"):
        admin.site.register(Person)
    with pytest.raises(ImproperlyConfigured, match="kept out"):
        admin.site.register([Contact, Referral])


def test_the_admin_login_is_the_apps_login_with_its_audit_and_throttle(world, client):
    admin_login = reverse("admin:login")
    response = client.get(f"{admin_login}?next=/quan-tri/auth/user/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fquan-tri%2Fauth%2Fuser%2F"
    # Its own form is gone: a password posted there logs nobody in and is not counted.
    client.post(admin_login, {"username": "quantri", "password": f.PASSWORD})
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"))["Location"].startswith(admin_login)

    client.post(reverse("login"), {"username": "quantri", "password": "sai"})
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    response = client.post(
        reverse("login"), {"username": "quantri", "password": f.PASSWORD, "next": "/quan-tri/"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=world.admin).count() == 1


def test_the_admin_login_page_refuses_a_logged_in_user_who_is_not_staff(world, personas):
    assert personas["leader"].get(reverse("admin:login")).status_code == 403


def test_the_admin_logout_and_password_change_are_the_apps_audited_ones(world, personas):
    response = personas["admin"].get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
    assert personas["admin"].post(reverse("admin:logout")).status_code == 302
    assert AuditEvent.objects.filter(action="logout", actor=world.admin).count() == 1


def test_every_admin_look_at_a_member_or_an_account_is_audited(world, personas):
    client = personas["admin"]
    member = world.volunteer_member
    assert client.get(reverse("admin:wards_member_changelist")).status_code == 200
    listed = AuditEvent.objects.get(action="view", object_type="wards.member")
    assert member.pk in listed.changes["ids"] and listed.actor == world.admin

    url = reverse("admin:wards_member_change", args=[member.pk])
    assert client.get(url).status_code == 200
    seen = AuditEvent.objects.get(action="view", object_type="wards.member", object_id=member.pk)
    assert seen.unit_id == world.team_a.ward_id
    html = client.get(url).content.decode()
    assert "phone" not in html  # a member's phone is the team's, edited in the app

    for page in ["change", "history", "delete"]:
        name = f"admin:auth_user_{page}"
        assert client.get(reverse(name, args=[world.leader.pk])).status_code == 200
    events = AuditEvent.objects.filter(
        action="view", object_type="auth.user", object_id=world.leader.pk
    )
    assert sorted(e.changes["page"] for e in events) == ["change", "delete", "history"]


def test_an_admin_autocomplete_lookup_of_accounts_is_audited(world, personas):
    # Django answers the autocomplete of any registered foreign key whose target admin has
    # search fields: the accounts' names and e-mails, as a list page would show them.
    url = reverse("admin:autocomplete")
    query = {"app_label": "wards", "model_name": "post", "field_name": "user", "term": ""}
    response = personas["admin"].get(url, query)
    assert response.status_code == 200
    listed = {int(row["id"]) for row in response.json()["results"]}
    assert world.leader.pk in listed
    seen = AuditEvent.objects.get(action="view", object_type="auth.user", actor=world.admin)
    assert seen.changes["page"] == "autocomplete" and str(world.leader.pk) in seen.changes["ids"]
    assert "term" not in seen.changes


def test_every_admin_change_is_audited_with_field_names_only(world, personas):
    client = personas["admin"]
    user = f.user("canbo.moi")
    response = client.post(
        reverse("admin:wards_post_add"),
        {
            "user": user.pk,
            "role": Post.Role.SUPERVISOR,
            "unit": world.district_a.pk,
            "title": "Chuyên viên",
            "started_on": "01/01/2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    post = Post.objects.get(user=user)
    created = AuditEvent.objects.get(action="create", object_type="wards.post")
    assert (created.actor, created.object_id, created.unit_id) == (
        world.admin,
        str(post.pk),
        world.district_a.pk,
    )
    assert "role" in created.changes["fields"]

    member = world.volunteer_member
    data = {
        "team": member.team_id,
        "full_name": "Tên Mới Bí Mật",
        "role": member.role,
        "organisation": member.organisation,
        "joined_on": member.joined_on.strftime("%d/%m/%Y"),
        "left_on": "",
        "user": member.user_id or "",
    }
    client.post(reverse("admin:wards_member_change", args=[member.pk]), data)
    changed = AuditEvent.objects.get(action="update", object_type="wards.member")
    assert changed.changes == {"admin": True, "fields": ["full_name"]}
    assert "Bí Mật" not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))

    response = client.post(reverse("admin:wards_post_delete", args=[post.pk]), {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditEvent.objects.get(action="delete", object_type="wards.post")
    assert deleted.object_id == str(post.pk)


def test_a_member_added_in_a_teams_admin_page_is_audited(world, personas):
    client = personas["admin"]
    team = world.team_b
    page = client.get(reverse("admin:wards_team_change", args=[team.pk]))
    form = page.context["adminform"].form
    inline = page.context["inline_admin_formsets"][0].formset
    data = {name: form[name].value() or "" for name in form.fields}
    data["established_on"] = team.established_on.strftime("%d/%m/%Y")
    data.update(
        {
            f"{inline.prefix}-TOTAL_FORMS": inline.total_form_count() + 1,
            f"{inline.prefix}-INITIAL_FORMS": inline.initial_form_count(),
            f"{inline.prefix}-MIN_NUM_FORMS": 0,
            f"{inline.prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    for i, existing in enumerate(inline.forms[: inline.initial_form_count()]):
        for name in existing.fields:
            value = existing[name].value()
            if hasattr(value, "strftime"):
                value = value.strftime("%d/%m/%Y")
            data[f"{inline.prefix}-{i}-{name}"] = "" if value is None else value
    new = inline.initial_form_count()
    data.update(
        {
            f"{inline.prefix}-{new}-full_name": "Người Mới Bí Mật",
            f"{inline.prefix}-{new}-role": "member",
            f"{inline.prefix}-{new}-organisation": Member.Organisation.YOUTH,
            f"{inline.prefix}-{new}-joined_on": "01/02/2026",
        }
    )
    response = client.post(reverse("admin:wards_team_change", args=[team.pk]), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    added = AuditEvent.objects.get(action="create", object_type="wards.member")
    assert added.unit_id == team.ward_id and added.changes == {"admin": True}
    assert "Bí Mật" not in json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_the_admin_delete_page_never_names_a_person_it_would_take_along(world, personas):
    user = f.user("nguoi.dang.ky")
    person = f.person(ward=world.ward_a, full_name="Người Không Được Nêu Tên", consent_by=user)

    page = personas["admin"].get(reverse("admin:auth_user_delete", args=[user.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Người Không Được Nêu Tên" not in html
    assert f"#{person.pk}" in html


def test_an_admin_list_action_is_audited_with_what_it_was_run_on(world, personas, monkeypatch):
    from django.contrib import admin

    from outreach.models import Partner

    def retire(modeladmin, request, queryset):
        queryset.update(active=False)

    monkeypatch.setattr(admin.site.get_model_admin(Partner), "actions", [retire])
    partner = f.partner(unit=world.ward_a)
    response = personas["admin"].post(
        reverse("admin:outreach_partner_changelist"),
        {"action": "retire", "_selected_action": [partner.pk]},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="update", object_type="outreach.partner")
    assert event.actor == world.admin
    assert event.changes == {"admin": True, "admin_action": "retire", "ids": [str(partner.pk)]}
