import datetime

from django.conf import settings
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.mfa import user_has_mfa
from accounts.models import Role


class MFARequired(exceptions.PermissionDenied):
    default_detail = "Set up two-factor authentication before using the API."
    default_code = "mfa_required"


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "This API token has expired: ask an admin for a new one."
    default_code = "token_expired"


def token_expires_at(token) -> datetime.datetime | None:
    """When `token` stops working (API_TOKEN_MAX_AGE_DAYS after it was issued; None: never)."""
    days = settings.API_TOKEN_MAX_AGE_DAYS
    return token.created + datetime.timedelta(days=days) if days else None


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF token auth that refuses expired tokens and, like RequireMFAMiddleware for sessions,
    staff without MFA."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires_at = token_expires_at(token)
        if expires_at is not None and timezone.now() >= expires_at:
            raise TokenExpired()
        if user.role in (Role.PROVIDER, Role.ADMIN) and not user_has_mfa(user=user):
            raise MFARequired()
        return user, token
