import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the no-overlap exclusion constraints exist on PostgreSQL only",
)


@needs_postgresql
def test_it_refuses_two_overlapping_live_appointments_of_a_provider_in_the_database(visit_type):
    first = AppointmentFactory(visit_type=visit_type)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(
            visit_type=visit_type, start=first.start + datetime.timedelta(minutes=10)
        )


@needs_postgresql
def test_it_refuses_two_overlapping_live_appointments_of_a_patient_in_the_database(visit_type):
    patient = PatientFactory()
    first = AppointmentFactory(patient=patient)
    with pytest.raises(IntegrityError), transaction.atomic():
        AppointmentFactory(patient=patient, visit_type=visit_type, start=first.start)


@needs_postgresql
def test_it_lets_a_cancelled_appointment_free_its_time_in_the_database(visit_type):
    first = AppointmentFactory(visit_type=visit_type, status=AppointmentStatus.CANCELLED)
    AppointmentFactory(visit_type=visit_type, start=first.start)


def test_it_lets_back_to_back_appointments_touch(visit_type):
    first = AppointmentFactory(visit_type=visit_type)
    AppointmentFactory(visit_type=visit_type, start=first.end)
