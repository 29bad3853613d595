import logging
import threading

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose English with the switch.

    Django's LocaleMiddleware also follows the browser's Accept-Language; many phones here
    are set to English without their owners reading it, so only the language cookie counts.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


# What the browser may load: our own files only, no inline script or style attribute. Bootstrap's
# form controls draw their arrows and ticks from data: SVGs, hence `img-src data:`.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, on every page the app renders.

    Every dynamic page is `no-store`: most of them show a person, a caseload or a figure built
    from them, and a shared phone's back button or a proxy must not keep any of it. Static files
    are served by whitenoise before this middleware is reached and stay cacheable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response


class DeniedAccessAuditMiddleware:
    """Audit every refusal a logged-in user meets: a 403, or a 404 on a page that exists.

    Out of scope is 404 (DESIGN.md), so a 404 from a real route is how a denied look at another
    ward's person shows. The event names the route and the id in it, never what was asked for.
    Anonymous visitors are sent to the login page and are not audited here (failed logins are).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        if (
            response.status_code in (403, 404)
            and match is not None
            and user is not None
            and user.is_authenticated
        ):
            from wards.audit import audit
            from wards.models import AuditEvent

            ids = [str(v) for v in match.kwargs.values() if isinstance(v, int)]
            audit(
                actor=user,
                action=AuditEvent.Action.DENIED,
                object_type=(match.view_name or "")[:60],
                object_id=ids[0] if ids else "",
                changes={"status": response.status_code, "method": request.method},
            )
        return response


logger = logging.getLogger(__name__)
_proxy_warned = threading.Event()


class UncountedProxyMiddleware:
    """Warn once per process when requests come through proxies TRUSTED_PROXY_COUNT ignores.

    With the count at 0 the client's address is REMOTE_ADDR (wards.account_views.client_ip):
    behind nginx that is nginx's own, so login failures of every user count against one address
    and the logs show no user's. A request carrying X-Forwarded-For is the sign; its addresses
    are not logged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not _proxy_warned.is_set()
            and "HTTP_X_FORWARDED_FOR" in request.META
            and not settings.AXES_TRUSTED_PROXY_COUNT
        ):
            _proxy_warned.set()
            logger.warning(
                "Requests carry X-Forwarded-For but TRUSTED_PROXY_COUNT is 0: every client is "
                "taken to be the proxy's address, for login throttling and the logs. Set it to "
                "the number of proxies in front of gunicorn (docs/deploy.md)."
            )
        return self.get_response(request)


class AccountMiddleware:
    """End the session of a login that opens nothing any more, and hold a login made with a
    temporary password on the page that replaces it (wards.logins).

    A member who left the team, a post that ended, a team dissolved: the next request of any
    session of theirs logs them out with a message, the same day. The temporary-password flag is
    in the session (set at login), so an ordinary page costs no query for it.
    """

    # What a login holding a temporary password may still open.
    OPEN_VIEWS = frozenset({"login", "logout", "password_set", "set_language"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from wards import logins

        user = request.user
        if user.is_authenticated and not logins.has_access(user):
            return self._end(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from wards import logins

        if not request.user.is_authenticated or not request.session.get(logins.MUST_SET_PASSWORD):
            return None
        if request.resolver_match.view_name in self.OPEN_VIEWS:
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        from django.shortcuts import redirect

        return redirect("password_set")

    @staticmethod
    def _end(request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.contrib.auth.views import redirect_to_login

        from wards.audit import audit
        from wards.models import AuditEvent

        audit(
            actor=request.user,
            action=AuditEvent.Action.LOGOUT,
            object_type="auth.user",
            object_id=request.user.pk,
            changes={"ended": "no_access"},
        )
        from wards.logins import closed_message

        message = closed_message(request.user)
        logout(request)
        messages.warning(request, message)
        if request.method != "GET":
            # What was posted is not resent after logging in again (logout and the language
            # switch are posts: a `next` to them would answer 405).
            from django.shortcuts import redirect

            return redirect(settings.LOGIN_URL)
        return redirect_to_login(request.get_full_path())


class AppErrorPagesMiddleware:
    """With DEBUG on (make run), answer a page that is not there with the app's own Vietnamese
    404 page (templates/404.html), as production does, not Django's technical page.

    Django shows its technical 404 in DEBUG, listing every URL pattern: a leader trying the demo
    who follows a link to another ward's person (out of scope is 404, DESIGN.md) or mistypes an
    address would read a developer's page. Two ways lead there: a view raising Http404
    (`process_exception`) and an address no route matches (the resolver raises before any view
    runs, so the response is replaced on its way out). Both are answered by the project's
    handler404, exactly as with DEBUG off; the response still passes DeniedAccessAuditMiddleware,
    which audits a logged-in user's 404 on a real route. A 403 needs nothing here: Django
    answers PermissionDenied with handler403 (templates/403.html) whatever DEBUG is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            from django.http import Http404

            page = self._not_found(request, Http404())
            # Django logged the technical page's 404 already; log the request once.
            page._has_been_logged = getattr(response, "_has_been_logged", False)
            return page
        return response

    def process_exception(self, request, exception):
        from django.http import Http404

        if settings.DEBUG and isinstance(exception, Http404):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request, exception):
        from django.core.handlers.exception import get_exception_response
        from django.urls import get_resolver, get_urlconf

        return get_exception_response(request, get_resolver(get_urlconf()), 404, exception)
