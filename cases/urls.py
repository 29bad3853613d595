from django.urls import path  # noqa: F401

app_name = "cases"

urlpatterns: list = []

# --- volunteer work: the work list, contacts, the person page (cases/views/work.py)

# --- register, person forms, enrolments, assignments, ward dashboard (cases/views/register.py)
