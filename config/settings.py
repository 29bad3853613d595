"""Settings for Đồng Hành, read from environment variables (see README and .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# openpyxl parses a workbook through defusedxml (no entity expansion: imports/reading.py) only
# while it does not use lxml, which python-docx (the Word report) installs. Read before openpyxl
# is first imported, which is always after the settings.
os.environ["OPENPYXL_LXML"] = "False"

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "False") -> bool:
    value = os.getenv(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.getenv(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")

SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (for development, set DEBUG=1)."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "wards.apps.AdminConfig",  # django.contrib.admin, audited (wards/admin_site.py)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "wards",
    "cases",
    "outreach",
    "reports",
    "imports",
]

MIDDLEWARE = [
    # First: /healthz answers load balancers by address, over HTTP, without a session.
    "config.health.HealthCheckMiddleware",
    "wards.middleware.UncountedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wards.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wards.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "wards.middleware.DeniedAccessAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # With DEBUG on, a page not found is the app's own 404 page, not Django's technical one.
    "wards.middleware.AppErrorPagesMiddleware",
    "wards.sessions.SessionExpiryMiddleware",
    # A login that opens nothing any more is logged out; one with a temporary password goes to
    # the page that replaces it (before the second factor, which needs no password).
    "wards.middleware.AccountMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wards.twofactor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged by the login view into the page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wards.context_processors.access",
                "config.navigation.navigation",
            ],
        },
    },
]

# Every connection gives up connecting after DB_CONNECT_TIMEOUT seconds and has each statement
# cancelled by the server after DB_STATEMENT_TIMEOUT milliseconds (0: no limit), so a database
# that hangs or a runaway query cannot hold a worker until gunicorn kills it (GUNICORN_TIMEOUT,
# 60 s): the slowest report, a province's quarter, takes about 2.4 s cold (bench/README.md).
# The replica connects within REPLICA_CONNECT_TIMEOUT seconds: when it is down the report reads
# the primary instead (reports/routers.py), so waiting for it longer only delays the page.
DB_CONNECT_TIMEOUT = envint("DB_CONNECT_TIMEOUT", 5)
DB_STATEMENT_TIMEOUT = envint("DB_STATEMENT_TIMEOUT", 30_000)
REPLICA_CONNECT_TIMEOUT = envint("REPLICA_CONNECT_TIMEOUT", 2)
# How long a replica that failed is left alone before it is tried again.
REPLICA_RETRY_SECONDS = envint("REPLICA_RETRY_SECONDS", 30)
DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", "") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A streaming replica of the primary for the report queries (reports/routers.py,
# docs/deploy.md). Tests treat it as a mirror of the test database.
if os.getenv("REPLICA_DATABASE_URL", ""):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["REPLICA_DATABASE_URL"],
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# PostgreSQL settings for every connection: the timeouts above, and the planner's
# (docs/deploy.md). No JIT compilation: the report's queries are costed high enough to trigger
# it, and compiling took 65-160 ms of each 100-280 ms query on the province data set, while no
# query here runs long enough to win it back. Random reads priced as on SSDs: with the default
# (4) the planner scanned all 250,000 referrals of the province for one ward's list rather than
# read its 94 by index.
for _alias, _db in DATABASES.items():
    if _db["ENGINE"] == "django.db.backends.postgresql":
        _db.setdefault("OPTIONS", {})["options"] = (
            f"-c jit=off -c random_page_cost=1.1 -c statement_timeout={DB_STATEMENT_TIMEOUT}"
        )
        _db["OPTIONS"]["connect_timeout"] = (
            REPLICA_CONNECT_TIMEOUT if _alias == "replica" else DB_CONNECT_TIMEOUT
        )
DATABASE_ROUTERS = ["reports.routers.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Argon2 for every new or changed password; the PBKDF2 hashers stay so that older hashes still
# verify, and Django rewrites each with Argon2 at its owner's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# django-axes first: it refuses a locked-out username and address before a password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: 5 failures of one username from one address -> 15 minutes' cool-off, never
# a permanent lock-out. Tries during the cool-off do not prolong it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "wards.account_views.lockout_response"
AXES_CLIENT_IP_CALLABLE = "wards.account_views.client_ip"
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1); 0 means the
# client's address is REMOTE_ADDR. Without it every login behind a proxy shares one address.
AXES_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
# Successful logins are in the audit trail already; axes keeps only the failures it counts.
AXES_DISABLE_ACCESS_LOG = True
# The TOTP second factor of supervisors and administrators (wards/twofactor.py).
OTP_TOTP_ISSUER = "Đồng Hành"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Logins the team runs (wards/logins.py): a password a leader, officer or supervisor gives
# works for this many days and must be replaced at the first login; one person may create or
# reset at most this many logins an hour.
TEMPORARY_PASSWORD_DAYS = envint("TEMPORARY_PASSWORD_DAYS", 7)
ACCOUNT_ACTIONS_PER_HOUR = envint("ACCOUNT_ACTIONS_PER_HOUR", 30)

# A form posted with a stale CSRF token gets the app's page saying to reload, not Django's.
CSRF_FAILURE_VIEW = "wards.account_views.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Language, time and number formats
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

# Static files, served by whitenoise from STATIC_ROOT
STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", "") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files browsers ask for at the site's root (/favicon.ico), served by whitenoise without a
# session or a login; and the web app manifest's media type, which whitenoise does not know.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
WHITENOISE_MIMETYPES = {".webmanifest": "application/manifest+json"}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security: secure defaults; SECURE_SSL off only where TLS ends before us (see README)
SECURE_SSL = envbool("SECURE_SSL", "False" if DEBUG else "True")
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL and envbool("SECURE_SSL_REDIRECT", "True")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE_SSL else None
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
# Joining the HSTS preload list is the domain owner's decision, not the app's.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# SQLite (make run, the tests without DATABASE_URL) has no covering index: it builds the
# contacts' report index without its INCLUDE columns, which only PostgreSQL reads (models.W040).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS.append("models.W040")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 12 * 60 * 60
# Sessions end after 30 minutes without a request and 12 hours after login, whatever the
# activity (wards/sessions.py).
SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True

# Logging: to stderr, never request bodies or personal data
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "config.logfilters.WithholdPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["personal_data"]},
    },
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "WARNING")},
    # Django's own loggers go to the root's handler alone: its default console handler printed
    # every line twice in DEBUG, and without the personal-data filter.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}

# Domain settings
# Days until the next contact is due when a volunteer does not pick a date.
CONTACT_DUE_DAYS = envint("CONTACT_DUE_DAYS", 30)
# Team size outside this range is shown as a warning (Joint Circular 24/2012).
TEAM_SIZE_MIN = envint("TEAM_SIZE_MIN", 5)
TEAM_SIZE_MAX = envint("TEAM_SIZE_MAX", 10)
# A volunteer may correct or delete an activity they wrote for this many days; leaders always.
ACTIVITY_EDIT_DAYS = envint("ACTIVITY_EDIT_DAYS", 7)
# Loans for post-rehab persons (QĐ 08/2026/QĐ-TTg): who is eligible, and the ceiling shown.
LOAN_MIN_AGE = envint("LOAN_MIN_AGE", 12)
LOAN_MAX_YEARS_SINCE_DECISION = envint("LOAN_MAX_YEARS_SINCE_DECISION", 10)
LOAN_MAX_AMOUNT = envint("LOAN_MAX_AMOUNT", 200_000_000)
# A ward's period report is late when it has not been submitted this many days after the
# period's last day.
REPORT_DUE_DAYS = envint("REPORT_DUE_DAYS", 5)
# Imports (imports/jobs.py): a file of more rows than this is checked and committed beside the
# request, the preview page following it; work that has not finished after the stale minutes is
# shown as interrupted (its transaction left nothing behind).
IMPORT_INLINE_ROWS = envint("IMPORT_INLINE_ROWS", 1000)
IMPORT_STALE_MINUTES = envint("IMPORT_STALE_MINUTES", 15)
# Looks per user per day at other communes' registers for a person being registered; each is
# audited, and past the limit none is made (cases/duplicates.py).
DUPLICATE_CHECKS_PER_DAY = envint("DUPLICATE_CHECKS_PER_DAY", 20)
