"""Demo accounts (DEBUG only): one admin, two providers, three patients, all with one password.

Staff get TOTP enrolled with a secret derived from SECRET_KEY and their email, so a re-seed on
the same machine keeps working authenticator apps; `manage.py demo_totp EMAIL` prints the code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create, user_sync_role_group, user_verify_email

DEMO_PASSWORD = "Medora-demo-2026"  # noqa: S105 - demo only; seed_demo refuses when DEBUG=0

DEMO_USERS = [
    ("admin@medora.demo", Role.ADMIN, "Morgan", "Reyes"),
    ("dr.lee@medora.demo", Role.PROVIDER, "Jordan", "Lee"),
    ("dr.patel@medora.demo", Role.PROVIDER, "Priya", "Patel"),
    ("alice@medora.demo", Role.PATIENT, "Alice", "Martin"),
    ("bob@medora.demo", Role.PATIENT, "Bob", "Nguyen"),
    ("carol@medora.demo", Role.PATIENT, "Carol", "Smith"),
]


def demo_totp_secret(*, email: str) -> str:
    """A stable base32 TOTP secret for a demo account."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"medora-demo-totp:{email}".encode(), hashlib.sha1
    ).digest()
    return base64.b32encode(digest).decode("ascii")


def demo_totp_code(*, user: User, at: float | None = None) -> str:
    """The current code of the user's stored TOTP authenticator."""
    from allauth.mfa import app_settings

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    counter = int(at if at is not None else time.time()) // app_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@transaction.atomic
def seed(*, stdout) -> None:
    for email, role, first_name, last_name in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(
                email=email,
                role=role,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                is_superuser=role == Role.ADMIN,
            )
        user_sync_role_group(user=user)
        user_verify_email(user=user)
        if (
            role in (Role.PROVIDER, Role.ADMIN)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            TOTP.activate(user, demo_totp_secret(email=email))

    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
    for email, role, _, _ in DEMO_USERS:
        mfa = "  MFA: manage.py demo_totp " + email if role != Role.PATIENT else ""
        stdout.write(f"  {role.label:<8} {email}{mfa}")
