"""Login, logout and password change, audited. Failed logins record the attempt, never the
password; the username typed is not stored either, as it may be a mistyped password.

Login throttling is django-axes' (settings.AXES_*): five failures of one username from one
address cool that pair off for 15 minutes. `lockout_response` is the page axes shows then.
"""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.hashers import check_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import formats, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from wards import logins, services, sessions
from wards.access import Role, access_for
from wards.audit import audit
from wards.models import AdminUnit, AuditEvent, Member, TemporaryPassword

# A signed cookie remembering, on this device, whose login was last used here: the kind of
# role and its unit, never a name. The login page uses it to say who can reset a password.
HELP_COOKIE = "donghanh_help"
HELP_COOKIE_SALT = "wards.account_views.help"
HELP_COOKIE_AGE = 400 * 24 * 3600


class LoginForm(AuthenticationForm):
    """Django's, refusing a username longer than a username can be before it is looked up.

    Django only sets the box's maxlength in the browser; a 10,000-character username reached
    django-axes, which stores the failed username in a 255-character column: a server error
    on PostgreSQL."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def confirm_login_allowed(self, user):
        """The password was right; refuse a temporary password past its date and a login that
        opens nothing any more (its holder left the team or the post), saying why and who can
        help. Only the holder of the password sees these."""
        super().confirm_login_allowed(user)
        temporary = TemporaryPassword.objects.filter(user=user).first()
        if temporary is not None and temporary.expired:
            raise ValidationError(
                _(
                    "Mật khẩu tạm này đã hết hạn từ %(date)s. Hãy nhờ người đã cấp tài khoản "
                    "cấp mật khẩu mới."
                )
                % {
                    "date": formats.date_format(
                        timezone.localtime(temporary.expires_at), "SHORT_DATE_FORMAT"
                    )
                },
                code="temporary_expired",
            )
        if not logins.has_access(user):
            raise ValidationError(logins.closed_message(user), code="no_access")


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["who_helps"] = who_helps(self.request)
        return ctx

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        sessions.start(self.request.session)
        if TemporaryPassword.objects.filter(user=user).exists():
            self.request.session[logins.MUST_SET_PASSWORD] = True
            response = redirect("password_set")
        remember_helpers(response, user)
        audit(
            actor=user,
            action=AuditEvent.Action.LOGIN,
            object_type="auth.user",
            object_id=user.pk,
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


class OwnPasswordForm(SetPasswordForm):
    """Django's form, refusing the temporary password itself: whoever gave it knows it, so
    keeping it would leave the login open to them."""

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("new_password1")
        temporary = bool(password) and check_password(password, self.user.password)
        if temporary and not self.has_error("new_password2"):
            self.add_error(
                "new_password2",
                ValidationError(
                    _("Mật khẩu mới phải khác mật khẩu tạm đã được cấp cho bạn."),
                    code="password_is_temporary",
                ),
            )
        return cleaned


@never_cache
def password_set(request):
    """The first page after a login with a temporary password: choose your own (Django's
    validators). Nothing else answers until it is set (AccountMiddleware)."""
    if not request.session.get(logins.MUST_SET_PASSWORD):
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = OwnPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.own_password_set(user=request.user, password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, request.user)
        del request.session[logins.MUST_SET_PASSWORD]
        messages.success(
            request,
            _("Đã lưu mật khẩu của bạn. Lần sau hãy đăng nhập bằng mật khẩu này."),
        )
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "registration/password_set.html", {"form": form})


def csrf_failure(request, reason=""):
    """A form posted with a stale or missing CSRF token (a login page left open on a phone, a
    form from before logging in again): the app's own page saying what to do, never Django's
    (CSRF_FAILURE_VIEW). The reason stays out of the page and the logs."""
    return render(request, "403_csrf.html", status=403)


def _help_value(user) -> str:
    """What the help cookie keeps for `user`: "kind:unit id" of their most local role."""
    grant = access_for(user).primary
    if grant is None or grant.unit is None:
        return ""
    kind = grant.member.role if grant.member is not None else grant.role
    return f"{kind}:{grant.unit.pk}"


def remember_helpers(response, user) -> None:
    value = _help_value(user)
    if value:
        response.set_signed_cookie(
            HELP_COOKIE,
            value,
            salt=HELP_COOKIE_SALT,
            max_age=HELP_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def who_helps(request) -> str:
    """Who can reset a forgotten password, for whoever last logged in on this device (the help
    cookie): their own ward's leaders or officers, or the supervisors above. Without the
    cookie, who helps whom."""
    try:
        kind, unit_id = request.get_signed_cookie(HELP_COOKIE, salt=HELP_COOKIE_SALT).split(":")
        unit = AdminUnit.objects.select_related("parent").get(pk=int(unit_id))
    except (KeyError, signing.BadSignature, ValueError, AdminUnit.DoesNotExist):
        return _(
            "Quên mật khẩu? Tình nguyện viên hãy nhờ đội trưởng, đội phó hoặc cán bộ UBND xã, "
            "phường; đội trưởng hãy nhờ cán bộ UBND xã, phường; cán bộ xã, phường và cán bộ "
            "giám sát hãy nhờ cán bộ giám sát cấp trên đặt lại mật khẩu."
        )
    place = unit.name
    above = unit.parent.name if unit.parent else place
    if kind == Member.Role.MEMBER:
        text = _("Hãy nhờ đội trưởng, đội phó của Đội hoặc cán bộ UBND %(place)s đặt lại.")
    elif kind == Member.Role.DEPUTY:
        text = _("Hãy nhờ đội trưởng của Đội hoặc cán bộ UBND %(place)s đặt lại.")
    elif kind == Member.Role.LEADER:
        text = _("Hãy nhờ cán bộ UBND %(place)s đặt lại.")
    elif kind == Role.OFFICER:
        text = _("Hãy nhờ cán bộ giám sát của %(above)s đặt lại.")
    elif unit.parent is None:
        # a supervisor of the province: nobody is above them in the app
        text = _("Hãy nhờ một cán bộ giám sát khác của %(place)s đặt lại.")
    else:
        text = _("Hãy nhờ một cán bộ giám sát khác của %(place)s hoặc của %(above)s đặt lại.")
    return _("Quên mật khẩu? %(who)s") % {"who": text % {"place": place, "above": above}}


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
    until = locked_until(request, (credentials or {}).get("username", ""))
    minutes = max(1, int((until - timezone.now()).total_seconds() + 59) // 60)
    message = ngettext(
        "Đăng nhập sai quá nhiều lần nên tạm thời bị chặn. Vui lòng thử lại sau %(time)s "
        "(%(minutes)d phút nữa), hoặc nhờ người cấp tài khoản đặt lại mật khẩu.",
        "Đăng nhập sai quá nhiều lần nên tạm thời bị chặn. Vui lòng thử lại sau %(time)s "
        "(%(minutes)d phút nữa), hoặc nhờ người cấp tài khoản đặt lại mật khẩu.",
        minutes,
    ) % {"minutes": minutes, "time": formats.time_format(timezone.localtime(until), "H:i")}
    ctx = {
        "form": AuthenticationForm(request),
        "locked_out": message,
        "next": request.POST.get("next", ""),
        "who_helps": who_helps(request),
    }
    # 429 Too Many Requests, as axes answers by default.
    return render(request, "registration/login.html", ctx, status=429)


def locked_until(request, username: str) -> datetime.datetime:
    """When the lock-out of `username` from this address ends: the cool-off after the failure
    that started it (failures during it do not prolong it)."""
    attempt = (
        AccessAttempt.objects.filter(username=username[:255], ip_address=client_ip(request))
        .order_by("-attempt_time")
        .first()
    )
    start = attempt.attempt_time if attempt is not None else timezone.now()
    return start + settings.AXES_COOLOFF_TIME


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
