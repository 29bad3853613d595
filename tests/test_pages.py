"""Every page needs a login; pages render in Vietnamese and in English."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC = {"login", "set_language"}


def _named_urls(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_urls(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + pattern.name, pattern


def test_every_page_except_login_redirects_anonymous_users_to_login(world):
    from django.test import Client

    client = Client()
    checked = 0
    for name, pattern in _named_urls():
        if name in PUBLIC:
            continue
        args = [1] * len(pattern.pattern.regex.groupindex)
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
        checked += 1
    assert checked >= 6


def test_login_page_is_in_vietnamese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert 'lang="vi"' in html
    assert "Đăng nhập" in html
    assert "Tên đăng nhập" in html


@pytest.mark.parametrize("persona", ["leader", "supervisor"])
def test_pages_switch_to_english_and_back(world, personas, persona):
    client = personas[persona]
    url = reverse("wards:team_detail", args=[world.team_a.pk])
    assert "Thêm thành viên" in client.get(url).content.decode() or persona == "supervisor"
    client.post(reverse("set_language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert 'lang="en"' in html
    assert "Log out" in html
    assert "Đăng xuất" not in html
    client.post(reverse("set_language"), {"language": "vi", "next": url})
    html = client.get(url).content.decode()
    assert "Đăng xuất" in html


def test_footer_names_the_unit_and_role_of_the_logged_in_user(world, personas):
    html = personas["leader"].get(reverse("home")).content.decode()
    assert "Đội trưởng" in html and "Phường A" in html
    html = personas["volunteer"].get(reverse("home")).content.decode()
    assert "Thành viên · Phường A" in html
    html = personas["supervisor"].get(reverse("home")).content.decode()
    assert "Cán bộ giám sát" in html and "Quận A" in html


def test_navigation_shows_each_role_only_what_it_may_use(world, personas):
    overview = reverse("wards:team_overview")
    admin = reverse("admin:index")
    assert overview not in personas["leader"].get(reverse("home")).content.decode()
    assert overview in personas["supervisor"].get(reverse("home")).content.decode()
    assert admin not in personas["supervisor"].get(reverse("home")).content.decode()
    assert admin in personas["admin"].get(reverse("home")).content.decode()
    team = reverse("wards:team_detail", args=[world.team_a.pk])
    assert team in personas["officer"].get(reverse("home")).content.decode()
    trainings = reverse("outreach:unit_activity_list")  # a department's own trainings
    assert trainings in personas["supervisor"].get(reverse("home")).content.decode()
    assert trainings not in personas["leader"].get(reverse("home")).content.decode()


def test_login_and_failed_login_are_audited(world, client):
    from tests.factories import PASSWORD
    from wards.models import AuditEvent

    client.post(reverse("login"), {"username": "tnv_a", "password": "sai"})
    assert AuditEvent.objects.filter(action="login_failed").count() == 1
    response = client.post(reverse("login"), {"username": "tnv_a", "password": PASSWORD})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="login", actor=world.volunteer).exists()
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action="logout", actor=world.volunteer).exists()


def test_a_phone_set_to_english_still_gets_vietnamese_until_english_is_chosen(world, personas):
    client = personas["volunteer"]
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html and "Đăng xuất" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in html and "Log out" in html
