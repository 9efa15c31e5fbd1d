from rest_framework import authentication, exceptions

from accounts.mfa import user_has_mfa
from accounts.models import Role


class MFARequired(exceptions.PermissionDenied):
    default_detail = "Set up two-factor authentication before using the API."
    default_code = "mfa_required"


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF token auth that, like RequireMFAMiddleware for sessions, refuses staff without MFA."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.role in (Role.PROVIDER, Role.ADMIN) and not user_has_mfa(user=user):
            raise MFARequired()
        return user, token
