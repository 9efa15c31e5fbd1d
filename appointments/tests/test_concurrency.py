"""Many simultaneous bookings of one slot: exactly one wins (PostgreSQL: locks + exclusion)."""

import datetime
import threading

import pytest
from django.db import connection, connections

from appointments import services
from appointments.models import Appointment
from config.api import ConflictError
from patients.tests.factories import PatientFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises writers, so there is no real concurrency to test",
    ),
]

THREADS = 10


def _race(doctor, visit_type, patients, start):
    barrier = threading.Barrier(len(patients))
    outcomes = []

    def attempt(patient):
        try:
            barrier.wait(timeout=10)
            services.appointment_book(
                patient=patient,
                provider=doctor,
                visit_type=visit_type,
                start=start,
                by=patient.user,
            )
            outcomes.append("booked")
        except ConflictError:
            outcomes.append("conflict")
        except Exception as error:  # noqa: BLE001 - any other outcome fails the test below
            outcomes.append(repr(error))
        finally:
            connections.close_all()  # each thread had its own connection

    threads = [threading.Thread(target=attempt, args=(patient,)) for patient in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _next_weekday_10am():
    import zoneinfo

    from django.utils import timezone

    zone = zoneinfo.ZoneInfo("America/New_York")
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=3)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=zone)


@pytest.mark.django_db(transaction=True)
def test_it_books_a_contested_slot_exactly_once(provider, visit_type, weekday_availability):
    patients = [PatientFactory() for _ in range(THREADS)]
    outcomes = _race(provider.provider_profile, visit_type, patients, _next_weekday_10am())
    assert sorted(outcomes) == ["booked"] + ["conflict"] * (THREADS - 1)
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_still_books_once_when_only_the_database_constraint_guards(
    provider, visit_type, weekday_availability, monkeypatch
):
    monkeypatch.setattr(services, "_lock", lambda provider, patient: None)
    patients = [PatientFactory() for _ in range(THREADS)]
    outcomes = _race(provider.provider_profile, visit_type, patients, _next_weekday_10am())
    assert sorted(outcomes) == ["booked"] + ["conflict"] * (THREADS - 1)
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_books_overlapping_times_of_one_patient_once(
    provider, other_provider, weekday_availability
):
    """The same patient booking two providers at once: the patient lock and constraint hold."""
    from providers.tests.factories import AvailabilityWindowFactory, VisitTypeFactory

    patient = PatientFactory()
    doctors = [provider.provider_profile, other_provider.provider_profile]
    for weekday in range(5):
        AvailabilityWindowFactory(provider=doctors[1], weekday=weekday)
    visit_types = [VisitTypeFactory(provider=doctor) for doctor in doctors]
    start = _next_weekday_10am()
    barrier = threading.Barrier(2)
    outcomes = []

    def attempt(doctor, visit_type):
        try:
            barrier.wait(timeout=10)
            services.appointment_book(
                patient=patient,
                provider=doctor,
                visit_type=visit_type,
                start=start,
                by=patient.user,
            )
            outcomes.append("booked")
        except ConflictError:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=pair)
        for pair in zip(doctors, visit_types, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["booked", "conflict"]
