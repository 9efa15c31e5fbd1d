from django.http import JsonResponse
from django.shortcuts import redirect

from accounts.mfa import user_has_mfa
from accounts.models import Role

# Paths a provider or admin without MFA may still reach: sign-in/out, MFA enrolment, static, health.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/status/")


class RequireMFAMiddleware:
    """Providers and admins must enrol MFA before any portal, admin or API page.

    Enrolment is cached (accounts.mfa), so the check is free on most requests and still
    notices at once when an authenticator is removed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role in (Role.PROVIDER, Role.ADMIN)
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
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
