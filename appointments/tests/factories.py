import datetime

import factory
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, Via, WaitlistEntry
from patients.tests.factories import PatientFactory
from providers.tests.factories import VisitTypeFactory


def _next_hour(days: int) -> datetime.datetime:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    return now + datetime.timedelta(days=days)


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment written directly (no rules checked): for fixtures and lists."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    visit_type = factory.SubFactory(VisitTypeFactory)
    provider = factory.LazyAttribute(lambda o: o.visit_type.provider)
    start = factory.Sequence(lambda n: _next_hour(3) + datetime.timedelta(hours=n))
    end = factory.LazyAttribute(
        lambda o: o.start + datetime.timedelta(minutes=o.visit_type.duration_minutes)
    )
    reason = "Check-up"
    status = AppointmentStatus.BOOKED
    via = Via.PORTAL
    created_by = factory.LazyAttribute(lambda o: o.patient.user)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WaitlistEntry

    patient = factory.SubFactory(PatientFactory)
    visit_type = factory.SubFactory(VisitTypeFactory)
    provider = factory.LazyAttribute(lambda o: o.visit_type.provider)
    earliest_date = factory.LazyFunction(lambda: timezone.localdate())
    latest_date = factory.LazyAttribute(lambda o: o.earliest_date + datetime.timedelta(days=30))
