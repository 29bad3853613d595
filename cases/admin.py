"""Only the reference data is administered here, and the wards' clubs shown.

Supervised persons and their casework are deliberately not registered, and the site refuses
them (wards/admin_site.py): an administrator sees aggregates only (wards.access), and the
Django admin would show names, notes and test results to every superuser.
"""

from django.contrib import admin

from cases.models import Club, Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "category",
        "default_months",
        "min_months",
        "max_months",
        "active",
    ]
    list_filter = ["category", "active"]
    search_fields = ["code", "name", "legal_basis"]
    fields = [
        "code",
        "name",
        "category",
        ("default_months", "min_months", "max_months"),
        "legal_basis",
        "active",
    ]

    def get_readonly_fields(self, request, obj=None):
        # Exports and the demo data refer to programmes by code: fixed once created.
        return ["code"] if obj else []

    def has_delete_permission(self, request, obj=None):
        # A programme that was ever used stays (PROTECT); retire it by unticking "active".
        if obj is not None and obj.enrollments.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Club)
class ClubAdmin(admin.ModelAdmin):
    """A ward's clubs, to look at: they are founded, corrected and closed in the app
    (cases.services.clubs), where the version check and the rules on members and sessions hold.
    Their members (enrolments) are not shown here."""

    list_display = ["name", "ward", "programme", "founded_on", "closed_on"]
    list_filter = ["programme"]
    search_fields = ["name", "ward__name", "ward__code"]
    list_select_related = ["ward", "programme"]
    fields = ["ward", "programme", "name", "founded_on", "closed_on", "version"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
