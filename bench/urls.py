"""The URLconf of the load run (bench/settings.py): the application's URLs, unchanged, and two
bare views to tell the framework's cost from the application's on the same gunicorn.

- `/bench/bare/` answers 2 bytes: no session, no user, no database (sent without a cookie);
  what is left is gunicorn, WSGI and the middleware stack.
- `/bench/login-required/` answers the user's id behind the login: the session and user rows
  and what the middleware does for a logged-in user (session expiry, the second-factor check,
  which asks the access function for the user's roles), but no page.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from config.urls import urlpatterns as app_urlpatterns


@login_not_required
@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def login_required_bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.user.pk).encode(), content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("bench/login-required/", login_required_bare, name="bench_login_required"),
    *app_urlpatterns,
]
