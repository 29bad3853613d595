from django.contrib import admin

from reports.models import Review, Submission


class ReadOnly(admin.ModelAdmin):
    """Read-only: a submitted report and its review can be read here, never changed or
    removed (both are frozen, down to the database)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnly):
    list_display = ["unit", "period_label", "cutoff", "version", "submitted_by", "submitted_at"]
    list_filter = ["cutoff", "period_spec"]
    list_select_related = ["unit", "submitted_by"]
    search_fields = ["unit__code", "unit__name", "period_spec"]
    date_hierarchy = "submitted_at"


@admin.register(Review)
class ReviewAdmin(ReadOnly):
    list_display = ["submission", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    list_select_related = ["submission__unit", "reviewed_by"]
    search_fields = ["submission__unit__code", "submission__unit__name"]
    date_hierarchy = "reviewed_at"
