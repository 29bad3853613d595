"""Login, logout and password change, audited. Failed logins record the attempt, never the
password; the username typed is not stored either, as it may be a mistyped password.

Login throttling is django-axes' (settings.AXES_*): five failures of one username from one
address cool that pair off for 15 minutes. `lockout_response` is the page axes shows then.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from wards import sessions
from wards.audit import audit
from wards.models import AuditEvent


class LoginForm(AuthenticationForm):
    """Django's, refusing a username longer than a username can be before it is looked up.

    Django only sets the box's maxlength in the browser; a 10,000-character username reached
    django-axes, which stores the failed username in a 255-character column: a server error
    on PostgreSQL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.start(self.request.session)
        audit(
            actor=self.request.user,
            action=AuditEvent.Action.LOGIN,
            object_type="auth.user",
            object_id=self.request.user.pk,
        )
        return response

    def form_invalid(self, form):
        audit(actor=None, action=AuditEvent.Action.LOGIN_FAILED, object_type="auth.user")
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            audit(
                actor=request.user,
                action=AuditEvent.Action.LOGOUT,
                object_type="auth.user",
                object_id=request.user.pk,
            )
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: the validators of AUTH_PASSWORD_VALIDATORS, and the session hash updated
    so this session stays while every other session of the user ends."""

    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        audit(
            actor=self.request.user,
            action=AuditEvent.Action.UPDATE,
            obj=self.request.user,
            changes={"password": "changed"},
        )
        return response


def cool_off_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_response(request, original_response=None, credentials=None):
    """The login page, answered 429, saying how long to wait (AXES_LOCKOUT_CALLABLE).

    django-axes calls this when a login attempt hits the limit or comes during the cool-off. The
    refusal is audited without the username typed.
    """
    audit(
        actor=None,
        action=AuditEvent.Action.DENIED,
        object_type="auth.user",
        changes={"reason": "too_many_failed_logins"},
    )
    minutes = cool_off_minutes()
    message = ngettext(
        "Đăng nhập sai quá nhiều lần nên tạm thời bị chặn. Vui lòng đợi %(minutes)d phút "
        "rồi thử lại.",
        "Đăng nhập sai quá nhiều lần nên tạm thời bị chặn. Vui lòng đợi %(minutes)d phút "
        "rồi thử lại.",
        minutes,
    ) % {"minutes": minutes}
    ctx = {
        "form": AuthenticationForm(request),
        "locked_out": message,
        "next": request.POST.get("next", ""),
    }
    # 429 Too Many Requests, as axes answers by default.
    return render(request, "registration/login.html", ctx, status=429)


def client_ip(request) -> str | None:
    """The address login failures are counted by (AXES_CLIENT_IP_CALLABLE).

    Behind AXES_TRUSTED_PROXY_COUNT reverse proxies, each appending the address it saw to
    X-Forwarded-For, the client is the entry that the outermost of them appended; entries before
    it are whatever the client chose to send. With no proxy it is REMOTE_ADDR.
    """
    hops = settings.AXES_TRUSTED_PROXY_COUNT
    if hops:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR")
