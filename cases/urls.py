from django.urls import path  # noqa: F401

app_name = "cases"

urlpatterns: list = []

# --- volunteer work: the work list, contacts, the person page (cases/views/work.py)
from cases.views import work  # noqa: E402

urlpatterns += [
    path("viec-cua-toi/", work.my_work, name="my_work"),
    path("nguoi/<int:pk>/", work.person_detail, name="person_detail"),
    path("nguoi/<int:pk>/tiep-can/", work.contact_add, name="contact_add"),
    path("nguoi/<int:pk>/danh-gia/", work.assessment_add, name="assessment_add"),
]

# --- register, person forms, enrolments, assignments, ward dashboard (cases/views/register.py)
from cases.views import register  # noqa: E402

urlpatterns += [
    path("danh-sach/", register.register, name="register"),
    path("danh-sach/dang-ky/", register.person_add, name="person_add"),
    path("nguoi/<int:pk>/sua/", register.person_edit, name="person_edit"),
    path("nguoi/<int:pk>/dong-ho-so/", register.person_close, name="person_close"),
    path("nguoi/<int:pk>/mo-lai/", register.person_reopen, name="person_reopen"),
    path("nguoi/<int:pk>/chuong-trinh/", register.enrollment_add, name="enrollment_add"),
    path("chuong-trinh/<int:pk>/ket-thuc/", register.enrollment_end, name="enrollment_end"),
    path("phan-cong/", register.assignment_board, name="assignment_board"),
    path("phan-cong/chuyen/", register.assignment_reassign, name="assignment_reassign"),
    path("phan-cong/ban-giao/", register.assignment_handover, name="assignment_handover"),
    path("tong-quan/", register.ward_dashboard, name="ward_dashboard"),
]

# --- the data-subject copy of a person's file (cases/views/subject.py)
from cases.views import subject  # noqa: E402

urlpatterns += [
    path("nguoi/<int:pk>/ban-sao/", subject.subject_copy, name="subject_copy"),
]

# --- the ward's contact log as XLSX or CSV (cases/views/contact_log.py)
from cases.views import contact_log  # noqa: E402

urlpatterns += [
    path("so-tiep-xuc/tai-ve/", contact_log.contact_log_export, name="contact_log_export"),
]

# --- a ward's clubs: list, founding, correcting, closing, the club page (cases/views/clubs.py)
from cases.views import clubs  # noqa: E402

urlpatterns += [
    path("cau-lac-bo/", clubs.club_list, name="club_list"),
    path("cau-lac-bo/them/", clubs.club_add, name="club_add"),
    path("cau-lac-bo/<int:pk>/", clubs.club_detail, name="club_detail"),
    path("cau-lac-bo/<int:pk>/sua/", clubs.club_edit, name="club_edit"),
    path("cau-lac-bo/<int:pk>/ngung-hoat-dong/", clubs.club_close, name="club_close"),
]
