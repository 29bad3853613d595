"""Login and logout, audited. Failed logins record the attempt, never the password."""

from django.contrib.auth import views as auth_views
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from wards.audit import audit
from wards.models import AuditEvent


@method_decorator(never_cache, name="dispatch")
class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        audit(
            actor=self.request.user,
            action=AuditEvent.Action.LOGIN,
            object_type="auth.user",
            object_id=self.request.user.pk,
        )
        return response

    def form_invalid(self, form):
        # The username typed is not stored: it may be a mistyped password.
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
