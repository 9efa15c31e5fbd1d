import io

import pytest

from appointments import demo
from appointments.models import Appointment, AppointmentStatus, WaitlistEntry
from patients.models import Patient
from providers.models import AvailabilityWindow, Provider, VisitType

pytestmark = pytest.mark.django_db


def test_it_seeds_scheduling_demo_data_from_nothing():
    demo.seed(stdout=io.StringIO())
    assert Patient.objects.filter(user__email__endswith="@medora.demo").count() == 3
    assert Provider.objects.filter(user__email__endswith="@medora.demo").count() == 2
    assert set(VisitType.objects.values_list("booking_policy", flat=True)) >= {
        "self_book",
        "request_only",
        "not_online",
    }
    assert VisitType.objects.filter(mode="video").exists()
    assert AvailabilityWindow.objects.count() == 20
    statuses = set(Appointment.objects.values_list("status", flat=True))
    assert {
        AppointmentStatus.COMPLETED,
        AppointmentStatus.BOOKED,
        AppointmentStatus.REQUESTED,
    } <= statuses
    assert WaitlistEntry.objects.count() == 1


def test_it_seeds_idempotently():
    demo.seed(stdout=io.StringIO())
    counts = (
        Patient.objects.count(),
        Provider.objects.count(),
        Appointment.objects.count(),
        AvailabilityWindow.objects.count(),
    )
    demo.seed(stdout=io.StringIO())
    assert counts == (
        Patient.objects.count(),
        Provider.objects.count(),
        Appointment.objects.count(),
        AvailabilityWindow.objects.count(),
    )
