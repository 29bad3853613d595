from django.urls import path

from wards import audit_views, login_views, views

app_name = "wards"

urlpatterns = [
    path("tong-hop/", views.team_overview, name="team_overview"),
    path("<int:pk>/", views.team_detail, name="team_detail"),
    path("<int:pk>/sua/", views.team_edit, name="team_edit"),
    path("<int:pk>/giai-the/", views.team_dissolve, name="team_dissolve"),
    path("<int:pk>/them-thanh-vien/", views.member_add, name="member_add"),
    path("thanh-vien/<int:pk>/sua/", views.member_edit, name="member_edit"),
    path("thanh-vien/<int:pk>/thoi-tham-gia/", views.member_leave, name="member_leave"),
    path("thanh-vien/<int:pk>/tai-khoan/", login_views.login_create, name="login_create"),
    path("thanh-vien/<int:pk>/tai-khoan/dat-lai/", login_views.login_reset, name="login_reset"),
    path("thanh-vien/<int:pk>/tham-gia-lai/", login_views.member_rejoin, name="member_rejoin"),
    path("nhat-ky/", audit_views.audit_trail, name="audit_trail"),
    path("nhat-ky/xuat-va-dang-nhap/", audit_views.audit_exports, name="audit_exports"),
]
