from django.urls import path

from reports.views import exports, page, status, submissions

app_name = "reports"

urlpatterns = [
    # the report page (reports/views/page.py)
    path("bao-cao/", page.report_page, name="report"),
    # downloads: xlsx, csv, pdf, json (reports/views/exports.py)
    path("bao-cao/tai-ve/<str:fmt>/", exports.report_export, name="report_export"),
    # submissions (reports/views/submissions.py)
    path("bao-cao/nop/", submissions.submission_add, name="submission_add"),
    path("bao-cao/tinh-hinh-nop/", status.submission_status, name="submission_status"),
    path("bao-cao/da-nop/<int:pk>/", submissions.submission_detail, name="submission_detail"),
    path(
        "bao-cao/da-nop/<int:pk>/tai-ve/<str:fmt>/",
        exports.submission_export,
        name="submission_export",
    ),
    path(
        "bao-cao/da-nop/<int:pk>/xem-xet/", submissions.submission_review, name="submission_review"
    ),
]
