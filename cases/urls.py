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
