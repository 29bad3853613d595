import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.reports.test_replica_faults import silent_server

ROOT = Path(__file__).resolve().parent.parent


def _import_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_settings_refuse_to_start_without_secret_key_outside_debug():
    result = _import_settings()
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_settings_start_without_secret_key_in_debug():
    assert _import_settings(DEBUG="1").returncode == 0


def test_settings_start_with_secret_key_outside_debug():
    assert _import_settings(SECRET_KEY="x" * 50).returncode == 0


def test_a_boolean_variable_that_is_not_a_boolean_is_refused():
    result = _import_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_debug_is_off_and_language_is_vietnamese_by_default(settings):
    assert settings.DEBUG is False
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"


def test_every_environment_variable_is_documented_in_configuration_and_env_example():
    import re

    names = set()
    for source in ("config/settings.py", "config/gunicorn.py"):
        text = (ROOT / source).read_text()
        names |= set(re.findall(r'(?:getenv|env\w*)\(\s*"([A-Z_]+)"', text))
    assert "SECRET_KEY" in names and "DATABASE_URL" in names
    documented = (ROOT / "docs" / "configuration.md").read_text()
    example = (ROOT / ".env.example").read_text()
    for name in names:
        assert f"`{name}`" in documented, f"{name} missing from docs/configuration.md"
        assert f"{name}=" in example, f"{name} missing from .env.example"


def test_deploy_checks_are_clean_with_production_settings():
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECURE_SSL_REDIRECT")}
    clean.update(
        SECRET_KEY="p" * 20 + "production-like-secret-key-0123456789", ALLOWED_HOSTS="x.vn"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_replica_url_adds_the_replica_alias_as_a_test_mirror():
    code = (
        "import json, config.settings as s; "
        "print(json.dumps([sorted(s.DATABASES), s.DATABASES.get('replica', {}).get('HOST'), "
        "s.DATABASES.get('replica', {}).get('TEST'), s.DATABASE_ROUTERS]))"
    )

    def databases(**env):
        clean = {k: v for k, v in os.environ.items() if k != "REPLICA_DATABASE_URL"}
        clean.update(DEBUG="1", **env)
        result = subprocess.run(  # noqa: S603 (a constant command)
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=clean,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    router = ["reports.routers.ReplicaRouter"]
    assert databases() == [["default"], None, None, router]
    url = "postgres://donghanh@10.0.0.2:5432/donghanh"
    assert databases(REPLICA_DATABASE_URL=url) == [
        ["default", "replica"],
        "10.0.0.2",
        {"MIRROR": "default"},
        router,
    ]


def _database_options(**env) -> dict:
    code = (
        "import json, config.settings as s; "
        "print(json.dumps({a: d.get('OPTIONS', {}) for a, d in s.DATABASES.items()}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DB_", "REPLICA_"))}
    clean.update(DEBUG="1", **env)
    result = subprocess.run(  # noqa: S603 (a constant command)
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_every_postgresql_connection_has_a_connect_and_a_statement_timeout():
    primary = "postgres://donghanh@10.0.0.1:5432/donghanh"
    replica = "postgres://donghanh@10.0.0.2:5432/donghanh"
    options = _database_options(DATABASE_URL=primary, REPLICA_DATABASE_URL=replica)
    assert options["default"]["connect_timeout"] == 5
    assert options["replica"]["connect_timeout"] == 2
    for alias in ("default", "replica"):
        assert "-c statement_timeout=30000" in options[alias]["options"]
        assert "-c jit=off" in options[alias]["options"]
    options = _database_options(
        DATABASE_URL=primary,
        REPLICA_DATABASE_URL=replica,
        DB_CONNECT_TIMEOUT="3",
        DB_STATEMENT_TIMEOUT="0",
        REPLICA_CONNECT_TIMEOUT="4",
    )
    assert options["default"]["connect_timeout"] == 3
    assert options["replica"]["connect_timeout"] == 4
    assert "-c statement_timeout=0" in options["default"]["options"]


def test_a_primary_that_never_answers_fails_within_the_connect_timeout():
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DB_")}
    clean.update(
        DEBUG="1",
        DB_CONNECT_TIMEOUT="2",
    )
    code = (
        "import django, time; django.setup(); from django.db import connection\n"
        "start = time.monotonic()\n"
        "try:\n    connection.ensure_connection()\n"
        "except Exception as e:\n    print(type(e).__name__, round(time.monotonic() - start, 1))"
    )
    with silent_server() as port:
        clean["DATABASE_URL"] = f"postgres://donghanh@127.0.0.1:{port}/donghanh"
        result = subprocess.run(  # noqa: S603 (a constant command)
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    name, seconds = result.stdout.split()
    assert name == "OperationalError"
    assert 1.5 <= float(seconds) < 4


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_cancels_a_statement_after_the_statement_timeout():
    from django.db import OperationalError, connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"
        cursor.execute("SET LOCAL statement_timeout = 100")
        with pytest.raises(OperationalError):
            cursor.execute("SELECT pg_sleep(2)")


@pytest.fixture
def proxy_log(monkeypatch, caplog):
    from wards import middleware

    monkeypatch.setattr(middleware, "_proxy_warned", threading.Event())
    caplog.set_level(logging.WARNING, logger="wards.middleware")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "wards.middleware"]


@pytest.mark.django_db
def test_a_proxy_the_settings_do_not_count_is_warned_of_once(proxy_log, client, settings):
    settings.AXES_TRUSTED_PROXY_COUNT = 0
    client.get("/tai-khoan/dang-nhap/")
    assert proxy_log() == []
    for address in ("203.0.113.7", "203.0.113.8"):
        client.get("/tai-khoan/dang-nhap/", HTTP_X_FORWARDED_FOR=address)
    (line,) = proxy_log()
    assert "TRUSTED_PROXY_COUNT is 0" in line
    assert "203.0.113" not in line


@pytest.mark.django_db
def test_a_counted_proxy_is_not_warned_of(proxy_log, client, settings):
    settings.AXES_TRUSTED_PROXY_COUNT = 1
    client.get("/tai-khoan/dang-nhap/", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert proxy_log() == []
