"""Sessions end after 30 minutes without a request and 12 hours after login, whatever the activity.

Phones are shared and left on tables in ward offices; a session open on one must not outlive the
work it was opened for. Django only knows one lifetime (SESSION_COOKIE_AGE, renewed whenever the
session is saved), so this middleware keeps two times in the session itself: when the user
logged in, and when they were last seen. Last-seen is written at most once a minute, so an
ordinary page view costs no session write; the idle limit is therefore kept to within a minute.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.utils import timezone
from django.utils.translation import gettext as _

from wards.audit import audit
from wards.models import AuditEvent

LOGIN_AT = "donghanh_login_at"
SEEN_AT = "donghanh_seen_at"
# Last-seen is rewritten only when it is older than this many seconds.
SEEN_RESOLUTION = 60


def _now() -> float:
    return timezone.now().timestamp()


def start(session) -> None:
    """Start both clocks; the login view calls this right after logging the user in."""
    session[LOGIN_AT] = session[SEEN_AT] = _now()


def expiry_reason(session, now: float) -> str:
    """'absolute' or 'idle' when the session has run out, '' while it is still good."""
    started, seen = session.get(LOGIN_AT), session.get(SEEN_AT)
    if started is None or seen is None:
        return ""
    if now - started > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        return "absolute"
    if now - seen > settings.SESSION_IDLE_TIMEOUT.total_seconds():
        return "idle"
    return ""


class SessionExpiryMiddleware:
    """Log out a user whose session is idle or too old, and send them to the login page.

    A session without the two times (logged in by the admin site, or before this middleware
    existed) starts its clocks at its first request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = _now()
            reason = expiry_reason(request.session, now)
            if reason:
                return self._end(request, reason)
            if LOGIN_AT not in request.session:
                start(request.session)
            elif now - request.session[SEEN_AT] >= SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return self.get_response(request)

    @staticmethod
    def _end(request, reason: str):
        audit(
            actor=request.user,
            action=AuditEvent.Action.LOGOUT,
            object_type="auth.user",
            object_id=request.user.pk,
            changes={"expired": reason},
        )
        logout(request)
        # Stored in the message cookie: the session it would have gone into is gone.
        messages.warning(request, _("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."))
        return redirect_to_login(request.get_full_path())
