import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from appointments import tasks
from appointments.models import WaitlistOffer
from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


def test_it_hands_the_appointment_and_event_to_the_notifications(monkeypatch, visit_type):
    appointment = AppointmentFactory(visit_type=visit_type)
    seen = []
    monkeypatch.setattr(
        "appointments.notifications.appointment_event_notify",
        lambda *, appointment, event: seen.append((appointment.pk, event)),
    )
    tasks.appointment_notify.delay(str(appointment.public_id), "cancelled")
    assert seen == [(appointment.pk, "cancelled")]


def test_it_ignores_an_unknown_appointment(monkeypatch):
    monkeypatch.setattr(
        "appointments.notifications.appointment_event_notify",
        lambda **kwargs: pytest.fail("called"),
    )
    tasks.appointment_notify.delay("00000000-0000-0000-0000-000000000000", "booked")


def test_it_hands_the_offer_to_the_notifications(monkeypatch, visit_type):
    entry = WaitlistEntryFactory(visit_type=visit_type)
    start = timezone.now() + datetime.timedelta(days=2)
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=start,
        end=start + datetime.timedelta(minutes=30),
        hold_until=timezone.now(),
    )
    seen = []
    monkeypatch.setattr(
        "appointments.notifications.waitlist_offer_notify", lambda *, offer: seen.append(offer.pk)
    )
    tasks.waitlist_offer_notify.delay(str(offer.public_id))
    assert seen == [offer.pk]


def test_it_runs_the_reminders_with_the_current_time(monkeypatch):
    monkeypatch.setattr("appointments.notifications.reminders_send_due", lambda *, now: 3)
    assert tasks.appointments_send_reminders.delay().get() == 3


def test_it_expires_holds_from_the_task_and_the_command(visit_type):
    entry = WaitlistEntryFactory(visit_type=visit_type, status="offered")
    start = timezone.now() + datetime.timedelta(days=2)
    offer = WaitlistOffer.objects.create(
        entry=entry, start=start, end=start + datetime.timedelta(minutes=30),
        hold_until=timezone.now() - datetime.timedelta(minutes=1),
    )  # fmt: skip
    assert tasks.waitlist_expire_holds.delay().get() == 1
    offer.refresh_from_db()
    assert offer.status == "expired"
    call_command("expire_waitlist_holds", stdout=__import__("io").StringIO())


def test_it_schedules_the_beat_tasks(settings):
    tasks_by_name = {
        entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }
    assert tasks_by_name["appointments.send_reminders"] == 15 * 60
    assert tasks_by_name["appointments.waitlist_expire_holds"] == 60
