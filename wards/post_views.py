"""«Tài khoản cán bộ»: a supervisor manages the officer and supervisor posts at and under their
unit (wards.logins decides, wards.services writes).

A post outside the actor's units answers 404; one inside that they may not manage (their own, an
officer post at a district) answers 403. A password is shown once, on the page that answers the
POST that made it, and never stored in clear: it cannot be shown again, only reset.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, Exists, OuterRef, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from wards import logins, services
from wards.forms import add_service_errors
from wards.models import AdminUnit, Post, TemporaryPassword
from wards.once import AlreadySubmitted, already_saved, submit_once, was_submitted
from wards.post_forms import PostCreateForm, PostEndForm, PostFilterForm, post_units

# Posts a page: a province's communes have one or two officers each.
PER_PAGE = 100


def _unit_ids(request: HttpRequest) -> frozenset[int]:
    ids = logins.post_unit_ids(request.user)
    if not ids:
        raise Http404
    return ids


def _get_post(request: HttpRequest, pk: int) -> Post:
    """A post the actor may manage: 404 outside their units, 403 inside when not theirs to
    manage (their own post, a role that does not belong at its unit)."""
    post = get_object_or_404(
        Post.objects.filter(unit_id__in=_unit_ids(request)).select_related("unit", "user"), pk=pk
    )
    if not logins.may_manage_post(request.user, post):
        raise PermissionDenied
    return post


def _ended(post: Post) -> bool:
    return post.ended_on is not None and post.ended_on <= timezone.localdate()


@require_safe
@never_cache
def posts(request: HttpRequest) -> HttpResponse:
    """The posts at and under the actor's units, those still open first, with each login's last
    use, pending temporary password and authenticator."""
    ids = _unit_ids(request)
    units = list(
        AdminUnit.objects.filter(pk__in=ids)
        .filter(~Q(level=AdminUnit.Level.COMMUNE) | Q(posts__isnull=False))
        .distinct()
        .select_related("parent")
        .order_by("path")
    )
    form = PostFilterForm(request.GET or None, units=units)
    rows = Post.objects.filter(unit_id__in=ids)
    if form.is_valid():
        chosen = next((u for u in units if u.code == form.cleaned_data["don_vi"]), None)
        if chosen is not None:
            rows = rows.filter(unit__path__startswith=chosen.path)
        if q := form.cleaned_data["q"]:
            rows = rows.filter(Q(user__first_name__icontains=q) | Q(user__username__icontains=q))
    now, today = timezone.now(), timezone.localdate()
    rows = rows.select_related("unit", "unit__parent", "user").annotate(
        enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("user_id"), confirmed=True)),
        temporary=Exists(
            TemporaryPassword.objects.filter(user=OuterRef("user_id"), expires_at__gt=now)
        ),
        # a post gives access until the day its end is recorded for (wards.access)
        done=Case(When(ended_on__lte=today, then=Value(True)), default=Value(False)),
    )
    rows = rows.order_by("done", "unit__path", "role", "user__first_name", "pk")
    counts = rows.aggregate(all=Count("pk"), ended=Count("pk", filter=Q(ended_on__lte=today)))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    active, ended = [], []
    for post in page:
        post.manageable = not post.done and logins.may_manage_post(request.user, post)
        (ended if post.done else active).append(post)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "page_query": f"?{query.urlencode()}&" if query else "?",
        "active": active,
        "ended": ended,
        "active_count": counts["all"] - counts["ended"],
        "ended_count": counts["ended"],
        "can_create": bool(post_units(request.user)),
        "filtered": bool(request.GET.get("don_vi") or request.GET.get("q")),
    }
    return render(request, "wards/posts_list.html", ctx)


@never_cache
def post_add(request: HttpRequest) -> HttpResponse:
    """Create a login with a post; the answer shows its temporary password once. «Gợi ý» posts
    the form back with the login name suggested from the full name, creating nothing."""
    _unit_ids(request)
    units = post_units(request.user)
    suggest = request.method == "POST" and "goi_y" in request.POST
    if request.method == "POST" and not suggest and was_submitted(request):
        # A second tap: the login name is taken by the first, which showed the password.
        already_saved(request)
        return redirect("posts")
    form = PostCreateForm(request.POST or None, actor=request.user, units=units)
    if suggest:
        form = _with_suggestion(request, units)
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post, password = submit_once(
                request,
                lambda: services.post_create(
                    actor=request.user,
                    unit=data["unit"],
                    role=data["role"],
                    full_name=data["full_name"],
                    username=data["username"],
                    title=data["title"],
                    started_on=data["started_on"],
                ),
            )
        except AlreadySubmitted:
            already_saved(request)
            return redirect("posts")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _result(request, post, password, created=True)
    return render(request, "wards/posts_form.html", {"form": form, "units": units})


def _with_suggestion(request: HttpRequest, units) -> PostCreateForm:
    """The form as posted, unchecked, with the login name suggested from the full name."""
    initial = {name: request.POST.get(name, "") for name in PostCreateForm.base_fields}
    name = " ".join(initial["full_name"].split())[:150]
    if name:
        initial["username"] = logins.suggest_username(name)
    return PostCreateForm(initial=initial, actor=request.user, units=units)


def _result(request: HttpRequest, post: Post, password: str, *, created: bool) -> HttpResponse:
    holder = f"{post.user.first_name} · {post.get_role_display()} · {post.unit.name}"
    ctx = {
        "post": post,
        "created": created,
        "slip": logins.slip(
            request,
            post.user,
            password,
            holder=holder,
            second_factor=post.role == Post.Role.SUPERVISOR,
        ),
    }
    return render(request, "wards/post_result.html", ctx)


@never_cache
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    post = _get_post(request, pk)
    if _ended(post):
        messages.info(
            request,
            _("Chức vụ này đã kết thúc từ ngày %(date)s.") % {"date": f"{post.ended_on:%d/%m/%Y}"},
        )
        return redirect("posts")
    form = PostEndForm(request.POST or None, post=post)
    if request.method == "POST" and form.is_valid():
        try:
            services.post_end(actor=request.user, post=post, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Đã kết thúc chức vụ của %(name)s từ ngày %(date)s; tài khoản %(username)s "
                    "không dùng được nữa."
                )
                % {
                    "name": post.user.first_name or post.user.username,
                    "date": f"{form.cleaned_data['ended_on']:%d/%m/%Y}",
                    "username": post.user.username,
                },
            )
            return redirect("posts")
    return render(request, "wards/posts_end.html", {"post": post, "form": form})


def _done_before(request: HttpRequest, post: Post, template: str) -> HttpResponse:
    """A second tap, a reload or the back button resending an action already done: nothing
    again (a second password reset would void the one just written down or printed)."""
    if template == "wards/posts_reset.html":
        messages.info(
            request,
            _(
                "Mật khẩu của tài khoản %(username)s đã được đặt lại ở lần gửi trước; mật khẩu "
                "chỉ hiện một lần. Nếu chưa kịp ghi lại, hãy bấm «Đặt lại mật khẩu» lần nữa."
            )
            % {"username": post.user.username},
        )
    else:
        already_saved(request)
    return redirect("posts")


def _confirmed_action(request: HttpRequest, pk: int, template: str, action):
    """A confirm page (GET) whose button runs `action(post)` (POST); a refusal of the service
    (the hourly limit, an ended post) is shown on the same page."""
    post = _get_post(request, pk)
    if request.method == "POST" and was_submitted(request):
        return _done_before(request, post, template)
    error = None
    if request.method == "POST":
        try:
            return submit_once(request, lambda: action(post))
        except AlreadySubmitted:
            return _done_before(request, post, template)
        except ValidationError as refused:
            error = " ".join(refused.messages)
    return render(request, template, {"post": post, "error": error})


@never_cache
def post_reset(request: HttpRequest, pk: int) -> HttpResponse:
    def reset(post: Post) -> HttpResponse:
        password = services.post_reset(actor=request.user, post=post)
        return _result(request, post, password, created=False)

    return _confirmed_action(request, pk, "wards/posts_reset.html", reset)


@never_cache
def post_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    def reset(post: Post) -> HttpResponse:
        services.second_factor_reset(actor=request.user, post=post)
        messages.success(
            request,
            _(
                "Đã xóa ứng dụng xác thực của tài khoản %(username)s. Lần đăng nhập tới, người "
                "này sẽ đăng ký ứng dụng xác thực mới."
            )
            % {"username": post.user.username},
        )
        return redirect("posts")

    return _confirmed_action(request, pk, "wards/posts_second_factor.html", reset)
