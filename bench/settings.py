"""Settings of the load run (bench/load_setup.py), never of an installation.

The production settings, read from the same environment, with one change: the URLconf is
bench/urls.py, which adds two bare views beside the application's own pages. Nothing in the
application imports this module; gunicorn loads it only when DJANGO_SETTINGS_MODULE names it,
and it refuses any database but a bench copy (a name starting with `dh_bench`).
"""

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403
from config.settings import DATABASES

ROOT_URLCONF = "bench.urls"

if not str(DATABASES["default"].get("NAME", "")).startswith("dh_bench"):
    raise ImproperlyConfigured("bench.settings runs only on a bench database (dh_bench...).")
