"""The team runs its own logins (DESIGN.md, "People, accounts and moves"): from the team page, a
leader, deputy or commune officer gives a member a login, resets a forgotten password, and lets
a former member rejoin (wards.logins decides who may manage whom; wards.services writes).

A password given here is shown once, on the page the POST answers with (never a redirect to a
page that could show it again, never stored in clear), with a slip to print. Every page is
no-store (wards.middleware and `never_cache`).

A member out of the viewer's units is 404; one in them the viewer may not manage (a higher or
equal rank, their own login, a supervisor's look) is 403, as the team's other edit pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from wards import logins, services
from wards.forms import LoginCreateForm, MemberRejoinForm, add_service_errors
from wards.models import Member, TemporaryPassword
from wards.once import AlreadySubmitted, submit_once, was_submitted


def _member(request: HttpRequest, pk: int) -> Member:
    """The member `pk` in the viewer's units (else 404), whose login the viewer may manage
    (else 403)."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("team__ward", "user"), pk=pk
    )
    allowed = (
        logins.may_rejoin(request.user, member)
        if member.left_on is not None
        else logins.may_manage_member(request.user, member)
    )
    if not allowed:
        raise PermissionDenied
    return member


def _shown_once(request: HttpRequest, member: Member, password: str, *, created: bool):
    """The page that shows a new password, once: the answer to the POST that made it."""
    ctx = {
        "member": member,
        "team": member.team,
        "created": created,
        "slip": logins.slip(
            request, member.user, password, holder=f"{member.full_name} · {member.team.name}"
        ),
    }
    return render(request, "wards/login_result.html", ctx)


def _created_before(request: HttpRequest, member: Member) -> HttpResponse:
    """A second tap, or a reload, of a create form already saved: no second password."""
    messages.info(
        request,
        _(
            "Tài khoản của %(name)s đã được cấp ở lần gửi trước; mật khẩu chỉ hiện một lần. "
            "Nếu chưa kịp ghi lại, hãy bấm «Đặt lại mật khẩu»."
        )
        % {"name": member.full_name},
    )
    return redirect(member.team)


def _reset_before(request: HttpRequest, member: Member) -> HttpResponse:
    """A second tap, a reload or the back button resending a reset already made: no second
    reset, which would silently void the password just written down or printed."""
    messages.info(
        request,
        _(
            "Mật khẩu của %(name)s đã được đặt lại ở lần gửi trước; mật khẩu chỉ hiện một lần. "
            "Nếu chưa kịp ghi lại, hãy bấm «Đặt lại mật khẩu» lần nữa."
        )
        % {"name": member.full_name},
    )
    return redirect(member.team)


@never_cache
def login_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if member.left_on is not None:
        raise PermissionDenied
    if member.user_id is not None and request.method != "POST":
        messages.info(
            request,
            _("%(name)s đã có tài khoản. Nếu họ quên mật khẩu, hãy bấm «Đặt lại mật khẩu».")
            % {"name": member.full_name},
        )
        return redirect(member.team)
    form = LoginCreateForm(
        request.POST or None, initial={"username": logins.suggest_username(member.full_name)}
    )
    if request.method == "POST" and was_submitted(request):
        return _created_before(request, member)
    if request.method == "POST" and form.is_valid():
        try:
            member, password = submit_once(
                request,
                lambda: services.login_create(
                    actor=request.user, member=member, username=form.cleaned_data["username"]
                ),
            )
        except AlreadySubmitted:
            return _created_before(request, member)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _shown_once(request, member, password, created=True)
    return render(request, "wards/login_form.html", {"member": member, "form": form})


@never_cache
def login_reset(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if member.left_on is not None:
        raise PermissionDenied
    if member.user_id is None:
        return redirect("wards:login_create", member.pk)
    if request.method == "POST" and was_submitted(request):
        return _reset_before(request, member)
    errors: list[str] = []
    if request.method == "POST":
        try:
            password = submit_once(
                request, lambda: services.login_reset(actor=request.user, member=member)
            )
        except AlreadySubmitted:
            return _reset_before(request, member)
        except ValidationError as error:
            errors = error.messages
        else:
            member.user.refresh_from_db()
            return _shown_once(request, member, password, created=False)
    temporary = TemporaryPassword.objects.filter(user_id=member.user_id).first()
    ctx = {"member": member, "errors": errors, "temporary": temporary}
    return render(request, "wards/login_reset.html", ctx)


@never_cache
def member_rejoin(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    if member.left_on is None:
        messages.info(request, _("%(name)s đang tham gia Đội.") % {"name": member.full_name})
        return redirect(member.team)
    if member.team.dissolved_on is not None:
        raise PermissionDenied
    form = MemberRejoinForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            again = submit_once(
                request,
                lambda: services.member_rejoin(
                    actor=request.user, member=member, joined_on=form.cleaned_data["joined_on"]
                ),
            )
        except AlreadySubmitted:
            messages.info(
                request,
                _("Biểu mẫu này đã được lưu ở lần gửi trước; không lưu thêm lần nữa."),
            )
            return redirect(member.team)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            text = _("%(name)s đã tham gia lại Đội từ %(date)s.") % {
                "name": again.full_name,
                "date": f"{again.joined_on:%d/%m/%Y}",
            }
            if again.user_id:
                text += " " + _("Tài khoản %(username)s dùng được trở lại.") % {
                    "username": member.user.get_username()
                }
            messages.success(request, text)
            return redirect(member.team)
    ctx = {"member": member, "form": form, "today": timezone.localdate()}
    return render(request, "wards/member_rejoin.html", ctx)
