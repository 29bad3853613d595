from django.contrib import admin
from django.urls import include, path

from wards import views as ward_views

urlpatterns = [
    path("", ward_views.home, name="home"),
    path("tai-khoan/", include("wards.account_urls")),
    path("doi/", include("wards.urls")),
    path("ho-so/", include("cases.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]
