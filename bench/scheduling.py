"""Scheduling benchmarks (a) and (b) of the Scheduling issue, in process (no HTTP):

(a) free slots of one provider over 30 days, (b) provider search with the next free slot of 200 providers,
on 200 providers, 5,000 patients and 100,000 appointments.

    DATABASE_URL=postgres://... .venv/bin/python bench/scheduling.py [--runs 30]

It fills the configured database once (rows marked with the "bench" specialty and @bench.medora emails;
re-runs reuse them) and prints the median and p95 of each measure. Use a database of your own: the rows stay.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from appointments.models import Appointment, AppointmentStatus, Via  # noqa: E402
from appointments.slots import slot_list  # noqa: E402
from patients.models import Patient  # noqa: E402
from providers.models import AvailabilityWindow, Provider, Specialty, VisitType  # noqa: E402
from providers.selectors import provider_queryset, provider_search  # noqa: E402
from providers.validators import npi_check_digit  # noqa: E402

PROVIDERS, PATIENTS, PER_PROVIDER = 200, 5_000, 500  # 200 x 500 = 100,000 appointments
SLOTS_PER_DAY = 6


@transaction.atomic
def _fill() -> Specialty:
    specialty, created = Specialty.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    if not created and Provider.objects.filter(specialty=specialty).count() == PROVIDERS:
        return specialty
    provider_users = User.objects.bulk_create(
        User(
            email=f"provider{n}@bench.medora", role=Role.PROVIDER, password=UNUSABLE_PASSWORD_PREFIX
        )
        for n in range(PROVIDERS)
    )
    providers = Provider.objects.bulk_create(
        Provider(
            user=user,
            display_name=f"Dr. Bench {n:03d}",
            specialty=specialty,
            licence_number=f"BENCH-{n:05d}",
            npi=f"{190000000 + n:09d}{npi_check_digit(f'{190000000 + n:09d}')}",
            time_zone="America/New_York",
            location="Bench clinic",
        )
        for n, user in enumerate(provider_users)
    )
    visit_types = VisitType.objects.bulk_create(
        VisitType(provider=provider, name="Consultation", duration_minutes=30)
        for provider in providers
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(
            provider=provider,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
        for provider in providers
        for weekday in range(5)
    )
    patient_users = User.objects.bulk_create(
        User(email=f"patient{n}@bench.medora", role=Role.PATIENT, password=UNUSABLE_PASSWORD_PREFIX)
        for n in range(PATIENTS)
    )
    patients = Patient.objects.bulk_create(
        Patient(
            user=user,
            mrn=f"MRN-B{n:07d}",
            legal_first_name="Bench",
            legal_last_name=f"Patient {n}",
            date_of_birth=datetime.date(1980, 1, 1),
        )
        for n, user in enumerate(patient_users)
    )
    # Six 30-minute visits a day per provider, from 42 days ago. Slot k of provider p goes to
    # patient (p + 200 k) mod 5000: a patient's visits all have distinct k, so never overlap.
    first_day = timezone.now().replace(hour=14, minute=0, second=0, microsecond=0)
    first_day -= datetime.timedelta(days=42)
    now = timezone.now()
    rows = []
    for p, (provider, visit_type) in enumerate(zip(providers, visit_types, strict=True)):
        for k in range(PER_PROVIDER):
            start = first_day + datetime.timedelta(days=k // SLOTS_PER_DAY, hours=k % SLOTS_PER_DAY)
            rows.append(
                Appointment(
                    patient=patients[(p + PROVIDERS * k) % PATIENTS],
                    provider=provider,
                    visit_type=visit_type,
                    start=start,
                    end=start + datetime.timedelta(minutes=30),
                    status=AppointmentStatus.BOOKED if start > now else AppointmentStatus.COMPLETED,
                    via=Via.ADMIN,
                )
            )
    Appointment.objects.bulk_create(rows, batch_size=5_000)
    if connection.vendor == "postgresql":
        # Fresh bulk rows have no planner statistics yet (autovacuum would gather them later).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return specialty


def _timed(call, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    specialty = _fill()
    print(f"data ready in {time.perf_counter() - started:.1f} s on {connection.vendor}")
    print(
        f"{Provider.objects.count()} providers, {Patient.objects.count()} patients, "
        f"{Appointment.objects.count()} appointments"
    )
    provider = Provider.objects.filter(specialty=specialty).order_by("pk").first()
    visit_type = provider.visit_types.get()
    today = timezone.now().astimezone(provider.zone).date()
    slots = slot_list(
        provider=provider,
        visit_type=visit_type,
        start_date=today,
        end_date=today + datetime.timedelta(days=29),
    )
    median, p95 = _timed(
        lambda: slot_list(
            provider=provider,
            visit_type=visit_type,
            start_date=today,
            end_date=today + datetime.timedelta(days=29),
        ),
        args.runs,
    )
    print(
        f"(a) free slots, 1 provider, 30 days ({len(slots)} slots): median {median:.1f} ms, p95 {p95:.1f} ms"
    )
    providers = provider_queryset().filter(specialty=specialty)
    found = provider_search(providers=providers)
    with_slot = sum(1 for each in found if each.next_free_slot is not None)
    median, p95 = _timed(lambda: provider_search(providers=providers), max(3, args.runs // 5))
    print(
        f"(b) provider search with next free slot, {len(found)} providers ({with_slot} with a slot): "
        f"median {median:.1f} ms, p95 {p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
