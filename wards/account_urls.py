from django.contrib.auth import views as auth_views
from django.urls import path

from wards import account_views, post_views, twofactor

urlpatterns = [
    path("dang-nhap/", account_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", account_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("dat-mat-khau/", account_views.password_set, name="password_set"),
    path("xac-thuc-2-lop/", twofactor.verify, name="otp_verify"),
    path("xac-thuc-2-lop/dang-ky/", twofactor.enrol, name="otp_enrol"),
    # «Tài khoản cán bộ»: the officer and supervisor posts a supervisor manages
    path("can-bo/", post_views.posts, name="posts"),
    path("can-bo/them/", post_views.post_add, name="post_add"),
    path("can-bo/<int:pk>/ket-thuc/", post_views.post_end, name="post_end"),
    path("can-bo/<int:pk>/dat-lai-mat-khau/", post_views.post_reset, name="post_reset"),
    path(
        "can-bo/<int:pk>/dat-lai-xac-thuc/",
        post_views.post_second_factor_reset,
        name="post_second_factor_reset",
    ),
]
