from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Hoạt động, đối tác và giới thiệu hỗ trợ")

    def ready(self) -> None:
        from cases.views.work import add_timeline_source
        from outreach.timeline import activity_items, referral_items

        add_timeline_source(referral_items)
        add_timeline_source(activity_items)
