from django.contrib import admin

from outreach.models import Activity, Partner, Referral, ReferralStatusChange


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    raw_id_fields = ["unit"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "kind", "unit", "sessions", "participants", "items", "minutes"]
    list_filter = ["kind"]
    date_hierarchy = "occurred_on"
    raw_id_fields = ["unit", "members", "persons", "partners"]


class ReferralStatusChangeInline(admin.TabularInline):
    model = ReferralStatusChange
    extra = 0
    readonly_fields = ["status", "changed_on", "note", "changed_by"]
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ["referred_on", "kind", "ward", "status", "status_on", "amount"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["person", "ward", "member", "partner"]
    inlines = [ReferralStatusChangeInline]
