from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WardsConfig(AppConfig):
    name = "wards"
    verbose_name = _("Đơn vị, đội và tài khoản")
    default = True


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the audited site (wards/admin_site.py); in INSTALLED_APPS as
    "wards.apps.AdminConfig"."""

    default = False
    default_site = "wards.admin_site.Site"
