"""Demo patient profiles for the seeded patient accounts (idempotent)."""

from __future__ import annotations

import datetime

from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create
from patients.models import Patient
from patients.services import patient_create

DEMO_PASSWORD = "Medora-demo-2026"  # noqa: S105 - demo only; seed_demo refuses when DEBUG=0

DEMO_PATIENTS = [
    {
        "email": "alice@medora.demo",
        "legal_first_name": "Alice",
        "legal_last_name": "Martin",
        "date_of_birth": datetime.date(1985, 4, 12),
        "sex_at_birth": "female",
        "phone": "+1 555 0101",
        "city": "Springfield",
        "preferred_language": "en",
        "emergency_contact_name": "Paul Martin",
        "emergency_contact_phone": "+1 555 0102",
        "emergency_contact_relationship": "Spouse",
        "insurance_provider": "Acme Health",
        "insurance_member_id": "AH-100200",
    },
    {
        "email": "bob@medora.demo",
        "legal_first_name": "Bob",
        "legal_last_name": "Nguyen",
        "date_of_birth": datetime.date(1972, 11, 3),
        "sex_at_birth": "male",
        "phone": "+1 555 0111",
        "city": "Shelbyville",
        "preferred_language": "en",
    },
    {
        "email": "carol@medora.demo",
        "legal_first_name": "Carol",
        "legal_last_name": "Smith",
        "preferred_name": "Caz",
        "date_of_birth": datetime.date(1996, 7, 30),
        "sex_at_birth": "female",
        "phone": "+1 555 0121",
        "city": "Springfield",
        "preferred_language": "es",
    },
]


def demo_user(*, email: str, role: str, first_name: str = "", last_name: str = "") -> User:
    """The demo account with this email, created (with the demo password) if missing."""
    user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(
            email=email,
            role=role,
            password=DEMO_PASSWORD,
            first_name=first_name,
            last_name=last_name,
        )
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
    return user


@transaction.atomic
def seed(*, stdout) -> None:
    created = 0
    for details in DEMO_PATIENTS:
        details = dict(details)
        email = details.pop("email")
        user = demo_user(
            email=email,
            role=Role.PATIENT,
            first_name=details["legal_first_name"],
            last_name=details["legal_last_name"],
        )
        if Patient.objects.filter(user=user).exists() or user.role != Role.PATIENT:
            continue
        patient_create(user=user, **details)
        created += 1
    stdout.write(f"patients: {created} demo patient profile(s) created")
