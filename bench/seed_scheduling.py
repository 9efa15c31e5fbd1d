"""Bulk data for the scheduling benchmarks: 200 providers, 5,000 patients, 100,000 appointments.

    DATABASE_URL=postgres://... .venv/bin/python bench/seed_scheduling.py [--reset]

Everything it creates belongs to users whose email ends in `@medora.bench`, so it sits beside the demo
data without touching it. Idempotent: when the full set is already there it does nothing; `--reset`
deletes the bench rows first (and whatever the benchmarks booked on them). Rows go in with
bulk_create in batches (about 20 s on two CPUs, most of it the exclusion constraints' GiST indexes).

The appointments are laid on an hourly grid inside each provider's windows (Mon–Fri 09–12 and 13–17,
local time), 150 days back to 60 days ahead, about half the grid taken: no provider ever holds two at
once, and at one instant every appointment has a different patient, so the PostgreSQL exclusion
constraints accept them all. Past ones are mostly completed (some no-shows and cancellations),
future ones booked (some requested). Free slots stay plentiful, as in a real clinic.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
import zoneinfo
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

PROVIDERS = 200
PATIENTS = 5_000
APPOINTMENTS = 100_000
DOMAIN = "medora.bench"
BATCH = 5_000
DAYS_BACK = 150
DAYS_AHEAD = 60
ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]
LANGUAGES = ["en", "en,es", "en,fr", "en,hi", "en,zh", "en,es,pt"]
SPECIALTIES = ["Family medicine", "Cardiology", "Dermatology", "Pediatrics", "Psychiatry"]
# (name, minutes, buffer after, mode, policy) — the demo providers' set.
VISIT_TYPES = [
    ("Follow-up visit", 30, 10, "in_person", "self_book"),
    ("New patient consultation", 60, 0, "in_person", "request_only"),
    ("Video check-in", 20, 0, "video", "self_book"),
]
WINDOWS = [(datetime.time(9), datetime.time(12)), (datetime.time(13), datetime.time(17))]
HOURS = [9, 10, 11, 13, 14, 15, 16]  # hourly grid starts inside the windows


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if str(BASE_DIR) not in sys.path:
        sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def provider_email(index: int) -> str:
    return f"bench-provider-{index:03d}@{DOMAIN}"


def patient_email(index: int) -> str:
    return f"bench-patient-{index:05d}@{DOMAIN}"


def bench_users():
    from accounts.models import User

    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def is_seeded() -> bool:
    from appointments.models import Appointment
    from patients.models import Patient
    from providers.models import Provider

    return (
        Provider.objects.filter(user__email__endswith=f"@{DOMAIN}").count() >= PROVIDERS
        and Patient.objects.filter(user__email__endswith=f"@{DOMAIN}").count() >= PATIENTS
        and Appointment.objects.filter(provider__user__email__endswith=f"@{DOMAIN}").count()
        >= APPOINTMENTS
    )


def reset() -> None:
    """Delete every bench row (raw SQL for the big tables: the ORM's collector is too slow)."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.sessions.models import Session
    from django.db import connection, transaction
    from guardian.models import UserObjectPermission

    from appointments.models import Appointment, Notification, WaitlistEntry
    from patients.models import CareTeamChange, Patient
    from providers.models import AvailabilityWindow, Provider, TimeOff, VisitType

    users = bench_users()
    user, provider, patient, appointment, notification = (
        model._meta.db_table
        for model in (users.model, Provider, Patient, Appointment, Notification)
    )
    # Table names come from the models and the one value is bound: nothing here is user input.
    user_ids = f"SELECT id FROM {user} WHERE email LIKE %s"  # noqa: S608
    bench = (
        f"SELECT id FROM {appointment} WHERE "  # noqa: S608
        f"provider_id IN (SELECT id FROM {provider} WHERE user_id IN ({user_ids})) "
        f"OR patient_id IN (SELECT id FROM {patient} WHERE user_id IN ({user_ids}))"
    )
    like = [f"%@{DOMAIN}"] * 2
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {notification} WHERE appointment_id IN ({bench})", like)  # noqa: S608
        cursor.execute(
            f"UPDATE {appointment} SET rescheduled_from_id = NULL "  # noqa: S608
            f"WHERE rescheduled_from_id IN ({bench})",
            like,
        )
        cursor.execute(f"DELETE FROM {appointment} WHERE id IN ({bench})", like)  # noqa: S608
        WaitlistEntry.objects.filter(provider__user__in=users).delete()
        WaitlistEntry.objects.filter(patient__user__in=users).delete()
        CareTeamChange.objects.filter(provider__user__in=users).delete()
        CareTeamChange.objects.filter(patient__user__in=users).delete()
        UserObjectPermission.objects.filter(user__in=users).delete()
        AvailabilityWindow.visit_types.through.objects.filter(
            availabilitywindow__provider__user__in=users
        ).delete()
        AvailabilityWindow.objects.filter(provider__user__in=users).delete()
        TimeOff.objects.filter(provider__user__in=users).delete()
        VisitType.objects.filter(provider__user__in=users).delete()
        Provider.objects.filter(user__in=users).delete()
        Patient.objects.filter(user__in=users).delete()
        EmailAddress.objects.filter(user__in=users).delete()
        Authenticator.objects.filter(user__in=users).delete()
        users.model.groups.through.objects.filter(user__in=users).delete()
        cursor.execute(f"DELETE FROM {user} WHERE email LIKE %s", like[:1])  # noqa: S608
        # Sessions are not linked by a foreign key; the benchmarks' ones expire on their own.
        Session.objects.filter(expire_date__lt=datetime.datetime.now(datetime.UTC)).delete()


def npi_for(index: int) -> str:
    from providers.validators import npi_check_digit

    first_nine = f"98{index:07d}"
    return f"{first_nine}{npi_check_digit(first_nine)}"


def unique_mrns(count: int, rng: random.Random) -> list[str]:
    """`count` valid MRNs (the service's format) that no existing patient has."""
    from patients.models import Patient
    from providers.validators import luhn_check_digit

    taken = {mrn.removeprefix("MRN-")[:7] for mrn in Patient.objects.values_list("mrn", flat=True)}
    bodies = [
        body for body in rng.sample(range(10**7), count + len(taken)) if f"{body:07d}" not in taken
    ]
    return [f"MRN-{body:07d}{luhn_check_digit(f'{body:07d}')}" for body in bodies[:count]]


def create_users(role: str, emails: list[str], names: list[tuple[str, str]]):
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from accounts.models import ROLE_GROUPS, User

    # Nobody signs in with a password: the benchmarks create sessions directly.
    unusable = make_password(None)
    User.objects.bulk_create(
        (
            User(email=email, role=role, password=unusable, first_name=first, last_name=last)
            for email, (first, last) in zip(emails, names, strict=True)
        ),
        batch_size=BATCH,
    )
    users = list(User.objects.filter(email__in=emails).order_by("email"))
    group, _ = Group.objects.get_or_create(name=ROLE_GROUPS[role])
    User.groups.through.objects.bulk_create(
        (User.groups.through(user_id=user.pk, group_id=group.pk) for user in users),
        batch_size=BATCH,
    )
    return users


def seed(*, stdout=sys.stdout) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.db import connection, transaction
    from django.utils.text import slugify

    from accounts.models import Role
    from appointments.models import Appointment, AppointmentStatus, Via
    from patients.models import Patient
    from providers.models import AvailabilityWindow, Provider, Specialty, VisitType

    rng = random.Random(2026)  # the same data every time
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"  [{time.monotonic() - started:5.1f}s] {message}", file=stdout)

    with transaction.atomic():
        specialties = [
            Specialty.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in SPECIALTIES
        ]
        provider_users = create_users(
            Role.PROVIDER,
            [provider_email(i) for i in range(PROVIDERS)],
            [("Bench", f"Provider {i:03d}") for i in range(PROVIDERS)],
        )
        Provider.objects.bulk_create(
            Provider(
                user=user,
                display_name=f"Dr. Bench Provider {i:03d}",
                credentials="MD",
                specialty=specialties[i % len(specialties)],
                npi=npi_for(i),
                time_zone=ZONES[i % len(ZONES)],
                languages=LANGUAGES[i % len(LANGUAGES)],
                location=f"Bench Clinic, room {i % 40 + 1}",
            )
            for i, user in enumerate(provider_users)
        )
        providers = list(Provider.objects.filter(user__in=provider_users).order_by("user__email"))
        VisitType.objects.bulk_create(
            VisitType(
                provider=provider,
                name=name,
                duration_minutes=minutes,
                buffer_after_minutes=buffer,
                mode=mode,
                booking_policy=policy,
            )
            for provider in providers
            for name, minutes, buffer, mode, policy in VISIT_TYPES
        )
        AvailabilityWindow.objects.bulk_create(
            AvailabilityWindow(
                provider=provider,
                weekday=weekday,
                start_time=start,
                end_time=end,
                location=provider.location,
            )
            for provider in providers
            for weekday in range(5)
            for start, end in WINDOWS
        )
        # Providers pass the MFA gate only with an authenticator, as after a real enrolment.
        for user in provider_users:
            TOTP.activate(user, generate_totp_secret())
        say(f"{len(providers)} providers with visit types, weekday availability and TOTP")

        patient_users = create_users(
            Role.PATIENT,
            [patient_email(i) for i in range(PATIENTS)],
            [("Bench", f"Patient {i:05d}") for i in range(PATIENTS)],
        )
        mrns = unique_mrns(PATIENTS, rng)
        Patient.objects.bulk_create(
            (
                Patient(
                    user=user,
                    mrn=mrn,
                    legal_first_name="Bench",
                    legal_last_name=f"Patient {i:05d}",
                    date_of_birth=datetime.date(1940, 1, 1) + datetime.timedelta(days=i * 5),
                    preferred_language="en",
                )
                for i, (user, mrn) in enumerate(zip(patient_users, mrns, strict=True))
            ),
            batch_size=BATCH,
        )
        patients = list(
            Patient.objects.filter(user__in=patient_users)
            .order_by("user__email")
            .values_list("pk", flat=True)
        )
        say(f"{len(patients)} patients")

        visit_types = {}
        for visit_type in VisitType.objects.filter(provider__in=providers):
            visit_types.setdefault(visit_type.provider_id, {})[visit_type.name] = visit_type
        appointments = plan_appointments(providers, rng)
        say(f"{len(appointments)} appointments planned")

        now = datetime.datetime.now(datetime.UTC)
        # Distinct patients at each instant: the next ones in a rotation over all patients.
        by_instant: dict[datetime.datetime, list[tuple[Provider, datetime.datetime]]] = {}
        for provider, start in appointments:
            by_instant.setdefault(start, []).append((provider, start))
        rows = []
        rotation = 0
        for start in sorted(by_instant):
            for provider, _ in by_instant[start]:
                patient_id = patients[rotation % len(patients)]
                rotation += 1
                roll = rng.random()
                name = (
                    "Follow-up visit"
                    if roll < 0.7
                    else "Video check-in"
                    if roll < 0.9
                    else "New patient consultation"
                )
                visit_type = visit_types[provider.pk][name]
                if start < now:
                    status = (
                        AppointmentStatus.COMPLETED
                        if roll < 0.85
                        else AppointmentStatus.NO_SHOW
                        if roll < 0.93
                        else AppointmentStatus.CANCELLED
                    )
                else:
                    status = (
                        AppointmentStatus.REQUESTED
                        if name == "New patient consultation"
                        else AppointmentStatus.CANCELLED
                        if roll < 0.05
                        else AppointmentStatus.BOOKED
                    )
                rows.append(
                    Appointment(
                        patient_id=patient_id,
                        provider=provider,
                        visit_type=visit_type,
                        start=start,
                        end=start + datetime.timedelta(minutes=visit_type.duration_minutes),
                        reason="Bench visit",
                        status=status,
                        via=Via.PORTAL,
                        cancelled_at=start - datetime.timedelta(days=1)
                        if status == AppointmentStatus.CANCELLED
                        else None,
                        cancel_reason="Bench" if status == AppointmentStatus.CANCELLED else "",
                    )
                )
        for offset in range(0, len(rows), BATCH):
            Appointment.objects.bulk_create(rows[offset : offset + BATCH])
            say(f"appointments {offset + len(rows[offset : offset + BATCH])}/{len(rows)}")
    with connection.cursor() as cursor:
        # Fresh planner statistics (users, patients, appointments...), as autovacuum would give
        # tables that grew slowly: stale ones make PostgreSQL hash-join all patients per list.
        cursor.execute("ANALYZE")
    say("done")


def plan_appointments(providers, rng: random.Random) -> list[tuple[object, datetime.datetime]]:
    """(provider, UTC start) pairs: APPOINTMENTS spread evenly over the providers' hourly grids."""
    today = datetime.date.today()
    days = [
        today + datetime.timedelta(days=offset)
        for offset in range(-DAYS_BACK, DAYS_AHEAD + 1)
        if (today + datetime.timedelta(days=offset)).weekday() < 5
    ]
    per_provider, extra = divmod(APPOINTMENTS, len(providers))
    planned = []
    for index, provider in enumerate(providers):
        zone = zoneinfo.ZoneInfo(provider.time_zone)
        cells = [(day, hour) for day in days for hour in HOURS]
        wanted = per_provider + (1 if index < extra else 0)
        for day, hour in rng.sample(cells, wanted):
            local = datetime.datetime.combine(day, datetime.time(hour), tzinfo=zone)
            planned.append((provider, local.astimezone(datetime.UTC)))
    return planned


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reset", action="store_true", help="delete the bench rows first")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        print(
            "The scheduling benchmarks are defined on PostgreSQL: set DATABASE_URL.",
            file=sys.stderr,
        )
        return 2
    if args.reset:
        started = time.monotonic()
        reset()
        print(f"  bench rows deleted in {time.monotonic() - started:.1f}s", file=sys.stderr)
    elif bench_users().exists():
        if is_seeded():
            print(
                "  scheduling bench data already present (use --reset to rebuild)", file=sys.stderr
            )
            return 0
        print("  partial bench data found: resetting it first", file=sys.stderr)
        reset()
    seed(stdout=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
