from django.shortcuts import redirect
from django.urls import reverse

from accounts.models import Role

# Paths a provider or admin without MFA may still reach: sign-in/out, MFA enrolment, static, health.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/readyz", "/status/")


class RequireMFAMiddleware:
    """Providers and admins must enrol MFA before any portal, admin or API page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.role in (Role.PROVIDER, Role.ADMIN)
            and not request.path.startswith(_MFA_EXEMPT_PREFIXES)
            and not _has_mfa(user)
        ):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse(
                    {
                        "detail": "Set up two-factor authentication before using the API.",
                        "code": "mfa_required",
                        "fields": {},
                    },
                    status=403,
                )
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
