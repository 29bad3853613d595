"""The second factor (TOTP, django-otp) that supervisors and administrators pass after the password.

A supervisor sees every ward of a district or a province, an administrator the whole
installation: a password alone, guessed or read over a shoulder, must not open that much. Anyone
whose access holds the supervisor or administrator role, and any staff account (the admin site),
is therefore sent, right after the password, to enter the 6-digit code of an authenticator app —
or, the first time, to enrol one. Until then only logging in and out, these two pages and the
language switch answer. Volunteers, leaders and officers are never asked.

Codes are checked by django-otp under a row lock, a code is never accepted twice, and wrong codes
slow further tries down exponentially (django-otp's throttling).
"""

from __future__ import annotations

import math
import re
from base64 import b32encode
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wards.access import Role, access_for
from wards.audit import audit
from wards.models import AuditEvent

SECOND_FACTOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
# What a user who still owes the second factor may open.
OPEN_VIEWS = frozenset(
    {"login", "logout", "otp_verify", "otp_enrol", "set_language", "password_set"}
)
DEVICE_NAME = "Ứng dụng xác thực"


def required(user) -> bool:
    """Whether `user` must pass the second factor: supervisors, administrators, staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return bool(access_for(user).roles & SECOND_FACTOR_ROLES)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def _with_next(name: str, next_url: str) -> str:
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


class SecondFactorMiddleware:
    """Send a user who owes the second factor to the enrolment or the verification page.

    Placed after django-otp's OTPMiddleware, which tells whether this session was verified.
    Runs per view (as LoginRequiredMiddleware does), so the admin site is covered too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in OPEN_VIEWS:
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        user = request.user
        if not required(user) or user.is_verified():
            return None
        page = "otp_verify" if confirmed_device(user) else "otp_enrol"
        return redirect(_with_next(page, request.get_full_path()))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực (6 chữ số)"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        # Authenticator apps show the code as "123 456"; people type it that way.
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Mã xác thực gồm đúng 6 chữ số."))
        return code


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only: redirect() would take "abc" for a view name and fail with a 500.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _check_code(form: CodeForm, device: TOTPDevice) -> bool:
    """Verify the form's code against `device` under a row lock; explain a refusal on the form."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, info = locked.verify_is_allowed()
        if allowed and locked.verify_token(form.cleaned_data["code"]):
            return True
    if not allowed:
        wait = math.ceil((info["locked_until"] - timezone.now()).total_seconds())
        form.add_error(
            "code",
            _(
                "Đã nhập sai mã %(count)d lần liên tiếp. Vui lòng đợi %(seconds)d giây "
                "rồi nhập mã mới nhất."
            )
            % {"count": info["failure_count"], "seconds": max(wait, 1)},
        )
    else:
        form.add_error(
            "code",
            _("Mã không đúng. Hãy nhập mã đang hiện trong ứng dụng xác thực (mã đổi mỗi 30 giây)."),
        )
    return False


def _passed(request, device: TOTPDevice):
    """Mark this session verified with `device`, audit it and go on to where the user was going."""
    # A new session key for the raised privilege, as Django does at login.
    request.session.cycle_key()
    otp_login(request, device)
    audit(
        actor=request.user,
        action=AuditEvent.Action.LOGIN,
        object_type="auth.user",
        object_id=request.user.pk,
        changes={"second_factor": True},
    )
    return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)


def _nothing_owed(request):
    """Where to send a user who has nothing to do here (not asked, or verified already)."""
    if not required(request.user) or request.user.is_verified():
        return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
    return None


@never_cache
def verify(request):
    """Ask for the current code of the user's authenticator app."""
    elsewhere = _nothing_owed(request)
    if elsewhere:
        return elsewhere
    device = confirmed_device(request.user)
    if device is None:
        return redirect(_with_next("otp_enrol", _next_url(request)))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(form, device):
        return _passed(request, device)
    ctx = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/otp_verify.html", ctx)


def _pending_device(user) -> TOTPDevice:
    """The user's unconfirmed device, created once so that reloading keeps the scanned key."""
    with transaction.atomic():
        # One enrolment at a time per user, even from two tabs.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def grouped_secret(device: TOTPDevice) -> str:
    """The key in base32, in groups of four letters, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code: no script, no style attribute."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="otp-qr", title=_("Mã QR")
    )


@never_cache
def enrol(request):
    """First time: show the key as a QR code and as text, and confirm it with a first code."""
    elsewhere = _nothing_owed(request)
    if elsewhere:
        return elsewhere
    user = request.user
    if confirmed_device(user):
        return redirect(_with_next("otp_verify", _next_url(request)))
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(form, device):
        with transaction.atomic():
            device.refresh_from_db()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            audit(
                actor=user,
                action=AuditEvent.Action.UPDATE,
                object_type="auth.user",
                object_id=user.pk,
                changes={"second_factor": "enrolled"},
            )
        messages.success(
            request,
            _(
                "Đã bật xác thực 2 lớp. Từ nay, mỗi lần đăng nhập hãy mở ứng dụng xác thực "
                "trên điện thoại và gõ mã 6 chữ số."
            ),
        )
        return _passed(request, device)
    ctx = {
        "form": form,
        "next": _next_url(request),
        "qr": qr_svg(device),
        "secret": grouped_secret(device),
    }
    return render(request, "accounts/otp_enrol.html", ctx)
