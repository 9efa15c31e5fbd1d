"""Demo specialties, provider profiles, visit types and weekly availability (idempotent)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.text import slugify

from accounts.models import Role
from patients.demo import demo_user
from providers.models import AvailabilityWindow, Provider, Specialty, VisitType

SPECIALTIES = ["Family medicine", "Cardiology", "Dermatology", "Pediatrics", "Psychiatry"]

DEMO_PROVIDERS = [
    {
        "email": "dr.lee@medora.demo",
        "first_name": "Jordan",
        "last_name": "Lee",
        "display_name": "Dr. Jordan Lee",
        "credentials": "MD",
        "specialty": "Family medicine",
        "npi": "9900112233",
        "licence_number": "NY-MD-204511",
        "bio": "Family physician with a focus on preventive care and chronic conditions.",
        "languages": "en,es",
        "location": "Medora Clinic, 2nd floor",
    },
    {
        "email": "dr.patel@medora.demo",
        "first_name": "Priya",
        "last_name": "Patel",
        "display_name": "Dr. Priya Patel",
        "credentials": "MD, FACC",
        "specialty": "Cardiology",
        "npi": "9900112241",
        "licence_number": "NY-MD-318822",
        "bio": "Cardiologist: hypertension, heart failure, preventive cardiology.",
        "languages": "en,hi,gu",
        "location": "Medora Clinic, Heart Centre",
    },
]

# (name, minutes, buffer after, mode, policy): one self-book, one request-only, one video.
VISIT_TYPES = [
    ("Follow-up visit", 30, 10, "in_person", "self_book"),
    ("New patient consultation", 60, 15, "in_person", "request_only"),
    ("Video check-in", 20, 0, "video", "self_book"),
    ("Procedure", 90, 30, "in_person", "not_online"),
]

# Monday to Friday, 09:00–12:00 and 13:00–17:00 (provider's local time).
WINDOWS = [(datetime.time(9), datetime.time(12)), (datetime.time(13), datetime.time(17))]


@transaction.atomic
def seed(*, stdout) -> None:
    specialties = {
        name: Specialty.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
        for name in SPECIALTIES
    }
    for details in DEMO_PROVIDERS:
        details = dict(details)
        user = demo_user(
            email=details.pop("email"),
            role=Role.PROVIDER,
            first_name=details.pop("first_name"),
            last_name=details.pop("last_name"),
        )
        if user.role != Role.PROVIDER:
            continue
        details["specialty"] = specialties[details["specialty"]]
        provider, _ = Provider.objects.get_or_create(
            user=user, defaults={**details, "time_zone": "America/New_York"}
        )
        for name, minutes, buffer, mode, policy in VISIT_TYPES:
            VisitType.objects.get_or_create(
                provider=provider,
                name=name,
                defaults={
                    "duration_minutes": minutes,
                    "buffer_after_minutes": buffer,
                    "mode": mode,
                    "booking_policy": policy,
                },
            )
        if not provider.availability_windows.exists():
            AvailabilityWindow.objects.bulk_create(
                AvailabilityWindow(
                    provider=provider,
                    weekday=weekday,
                    start_time=start,
                    end_time=end,
                    location=provider.location,
                )
                for weekday in range(5)
                for start, end in WINDOWS
            )
    stdout.write(f"providers: {Provider.objects.count()} provider profile(s) with availability")
