"""Accounts' posts, units, teams and areas; the audit trail, read-only. Every ModelAdmin here
is audited by the site (wards/admin_site.py)."""

from django.contrib import admin

from wards.models import AdminUnit, Area, AuditEvent, Member, Post, Team


@admin.register(AdminUnit)
class AdminUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "division_type", "parent", "valid_until", "successor"]
    list_filter = ["level", "division_type"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent", "successor"]

    def get_readonly_fields(self, request, obj=None):
        # A unit's code and parent make the paths of its whole subtree: fixed once created.
        return ["path", "code", "parent"] if obj else ["path"]


class MemberInline(admin.TabularInline):
    model = Member
    extra = 0
    fields = ["full_name", "role", "organisation", "joined_on", "left_on", "user"]
    raw_id_fields = ["user"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "ward", "established_on", "decision_no", "dissolved_on"]
    search_fields = ["name", "ward__name", "ward__code"]
    raw_id_fields = ["ward"]
    exclude = ["created_by"]
    # dissolving ends the memberships too: only wards.services.team_dissolve (the officer's
    # «Giải thể Đội» page) sets it
    readonly_fields = ["dissolved_on"]
    inlines = [MemberInline]


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    """To link a member to their account; the rest of a member's details (phone, birth year)
    are the team's, edited in the app. Every page and change here is audited (admin_site)."""

    list_display = ["full_name", "team", "role", "organisation", "joined_on", "left_on", "user"]
    list_filter = ["role", "organisation"]
    search_fields = ["full_name", "team__name"]
    raw_id_fields = ["team", "user"]
    fields = ["team", "full_name", "role", "organisation", "joined_on", "left_on", "user"]


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "ward"]
    search_fields = ["name", "ward__name"]
    raw_id_fields = ["ward"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "unit", "title", "started_on", "ended_on"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__code"]
    raw_id_fields = ["user", "unit"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be read here, never changed."""

    list_display = ["created_at", "actor", "action", "object_type", "object_id", "unit"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
