from django.contrib import admin
from django.urls import include, path

from cases.views import work as work_views

urlpatterns = [
    path("", work_views.home, name="home"),
    path("tai-khoan/", include("wards.account_urls")),
    path("doi/", include("wards.urls")),
    path("ho-so/", include("cases.urls")),
    path("", include("outreach.urls")),
    path("", include("reports.urls")),
    path("nhap-du-lieu/", include("imports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]
