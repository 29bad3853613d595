from django.contrib import admin

from reports.models import Submission


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: a submitted report can be read here, never changed or removed."""

    list_display = ["unit", "period_label", "cutoff", "submitted_by", "submitted_at"]
    list_filter = ["cutoff", "period_spec"]
    list_select_related = ["unit", "submitted_by"]
    search_fields = ["unit__code", "unit__name", "period_spec"]
    date_hierarchy = "submitted_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
