import time

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect

from accounts.mfa import user_has_mfa
from accounts.models import Role

# Paths a provider or admin without MFA may still reach: sign-in/out, MFA enrolment, static, health.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/status/", "/calendar/")


class RequireMFAMiddleware:
    """Providers and admins must enrol MFA before any portal, admin or API page.

    Enrolment is cached (accounts.mfa), so the check is free on most requests and still
    notices at once when an authenticator is removed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The path test comes first: exempt pages (health, status) must not load the session or
        # the user, so they keep answering while the database is down.
        if request.path.startswith(_MFA_EXEMPT_PREFIXES):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role in (Role.PROVIDER, Role.ADMIN)
            and not user_has_mfa(user=user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {
                        "detail": "Set up two-factor authentication before using the API.",
                        "code": "mfa_required",
                        "fields": {},
                    },
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)


class SessionIdleTimeoutMiddleware:
    """Slide a session's expiry forward while its owner is active, without a write per request.

    The session ends SESSION_COOKIE_AGE (the idle timeout) after it was last saved. Saving on
    every request (SESSION_SAVE_EVERY_REQUEST) costs a database write each time; instead the
    session is re-saved once 1/15 of the timeout has passed since the last save (a minute of a
    15-minute timeout), so an idle session still ends within the timeout.
    Requests that never touch the session (health, the status page) neither load nor extend it.
    """

    KEY = "_idle_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.modified or session.is_empty():
            return response
        now = time.time()
        if now - session.get(self.KEY, 0) >= settings.SESSION_COOKIE_AGE / 15:
            session[self.KEY] = now
        return response
