import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from appointments.selectors import appointment_list_for, visible_appointments
from appointments.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(patient, visit_type):
    return AppointmentFactory(patient=patient.patient_profile, visit_type=visit_type)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("patient", True),
        ("other_patient", False),
        ("provider", True),
        ("other_provider", False),
        ("admin_user", True),
    ],
)
def test_it_scopes_appointments_to_the_user(request, booked, role, sees):
    assert (booked in visible_appointments(request.getfixturevalue(role))) is sees


def test_it_shows_nothing_to_anonymous_or_inactive_users(booked, patient):
    assert not visible_appointments(AnonymousUser()).exists()
    patient.is_active = False
    assert not visible_appointments(patient).exists()


def test_it_filters_by_status_and_start(patient, booked, visit_type):
    cancelled = AppointmentFactory(
        patient=patient.patient_profile, visit_type=visit_type, status="cancelled",
        start=booked.start + datetime.timedelta(days=2),
    )  # fmt: skip
    assert list(appointment_list_for(user=patient, status="booked")) == [booked]
    assert list(appointment_list_for(user=patient, status=["booked", "cancelled"])) == [
        booked,
        cancelled,
    ]
    assert list(
        appointment_list_for(user=patient, start=booked.start + datetime.timedelta(days=1))
    ) == [cancelled]
    assert list(
        appointment_list_for(user=patient, end=booked.start + datetime.timedelta(hours=1))
    ) == [booked]


def test_it_reads_a_providers_schedule_without_joining_their_user(provider, booked):
    # A join on the provider's user kept PostgreSQL from paging through the (provider, start)
    # index: every appointment the provider ever had was joined and sorted for each page.
    appointments = visible_appointments(provider)
    sql = str(appointments.query)
    assert " JOIN " not in sql
    assert '"appointments_appointment"."provider_id" = (SELECT' in sql
    assert list(appointments) == [booked]
