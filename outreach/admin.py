"""Partners only: activities (their attendees) and referrals hold persons' data and are kept
out of the admin site (wards/admin_site.py); they are read and changed in the app, audited."""

from django.contrib import admin

from outreach.models import Partner


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    raw_id_fields = ["unit"]
