from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("mau/<slug:kind>/", views.template, name="template"),
    path("tai-len/<slug:kind>/", views.upload, name="upload"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/cot/", views.mapping, name="mapping"),
    path("<int:pk>/nhap/", views.commit, name="commit"),
    path("<int:pk>/huy/", views.cancel, name="cancel"),
]
