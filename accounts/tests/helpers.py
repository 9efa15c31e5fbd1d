import re
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.urls import reverse

from accounts.tests.factories import DEFAULT_PASSWORD


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now for `secret`."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD):
    """Post allauth's login form (no MFA step)."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


def link_in(body: str) -> str:
    """The first http(s) link of an email body, as a path."""
    url = re.search(r"https?://[^\s]+", body).group(0)
    return re.sub(r"^https?://[^/]+", "", url)
