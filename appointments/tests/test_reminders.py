import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appointments import tasks
from appointments.models import AppointmentStatus, Notification
from appointments.notifications import reminders_send_due
from appointments.tests.factories import AppointmentFactory
from appointments.tests.test_notifications import FailingOnceBackend
from patients.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def appointment_in(hours: float, *, now, **fields):
    return AppointmentFactory(start=now + hours * HOUR, **fields)


def test_it_reminds_a_booked_appointment_starting_within_the_window(now, patient):
    appointment = appointment_in(
        20, now=now, patient=patient.patient_profile, reason="Embarrassing rash"
    )

    assert reminders_send_due(now=now) == 1

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "[Medora] Reminder: you have an upcoming appointment"
    local = appointment.start.astimezone(appointment.provider.zone)
    assert f"{local:%I:%M %p}".lstrip("0") in message.body
    assert "(America/New_York)" in message.body
    assert "rash" not in message.body.lower()
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at == now


def test_it_reminds_each_appointment_once_over_repeated_runs(now):
    appointment_in(2, now=now)
    appointment_in(23, now=now)

    assert reminders_send_due(now=now) == 2
    assert reminders_send_due(now=now) == 0
    assert reminders_send_due(now=now + HOUR) == 0

    assert len(mail.outbox) == 2


def test_it_sends_once_even_if_reminder_sent_at_was_not_recorded(now):
    """The claim alone holds: e.g. the worker died after the send, before the update."""
    appointment = appointment_in(5, now=now)
    reminders_send_due(now=now)
    appointment.__class__.objects.filter(pk=appointment.pk).update(reminder_sent_at=None)

    assert reminders_send_due(now=now) == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("hours", "status"),
    [
        (5, AppointmentStatus.CANCELLED),
        (5, AppointmentStatus.REQUESTED),
        (5, AppointmentStatus.CHECKED_IN),
        (-1, AppointmentStatus.BOOKED),
        (25, AppointmentStatus.BOOKED),
        (72, AppointmentStatus.BOOKED),
    ],
)
def test_it_does_not_remind_cancelled_pending_past_or_far_appointments(now, hours, status):
    appointment_in(hours, now=now, status=status)

    assert reminders_send_due(now=now) == 0
    assert mail.outbox == []


def test_it_does_not_remind_an_appointment_reminded_before(now):
    appointment_in(5, now=now, reminder_sent_at=now - HOUR)

    assert reminders_send_due(now=now) == 0


def test_it_reads_the_window_from_the_setting(settings, now):
    settings.APPOINTMENT_REMINDER_HOURS = 48
    appointment_in(40, now=now)

    assert reminders_send_due(now=now) == 1


def test_it_reminds_a_rescheduled_appointment_again(now):
    """A reschedule makes a new appointment, so its reminder is its own."""
    first = appointment_in(5, now=now)
    reminders_send_due(now=now)
    first.status = AppointmentStatus.CANCELLED
    first.save()
    appointment_in(8, now=now, patient=first.patient, visit_type=first.visit_type)

    assert reminders_send_due(now=now) == 1


def test_it_finds_the_due_appointments_in_one_query(now):
    def selects(count):
        for _ in range(count):
            appointment_in(3, now=now + count * 24 * HOUR, patient=PatientFactory())
        with CaptureQueriesContext(connection) as queries:
            assert reminders_send_due(now=now + count * 24 * HOUR) == count
        return [query["sql"] for query in queries if query["sql"].startswith("SELECT")]

    assert len(selects(2)) == 1
    assert len(selects(8)) == 1


def test_it_retries_a_failed_reminder_on_the_next_run(settings, now):
    FailingOnceBackend.failures_left = 1
    settings.EMAIL_BACKEND = "appointments.tests.test_notifications.FailingOnceBackend"
    appointment = appointment_in(5, now=now)

    assert reminders_send_due(now=now) == 0
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None
    assert not Notification.objects.exists()

    assert reminders_send_due(now=now) == 1
    assert reminders_send_due(now=now) == 0
    assert len(mail.outbox) == 1


def test_it_keeps_sending_the_others_when_one_fails(settings, now):
    FailingOnceBackend.failures_left = 1
    settings.EMAIL_BACKEND = "appointments.tests.test_notifications.FailingOnceBackend"
    appointment_in(5, now=now)
    appointment_in(6, now=now)

    assert reminders_send_due(now=now) == 1
    assert reminders_send_due(now=now) == 1
    assert len(mail.outbox) == 2


def test_it_logs_a_failure_without_the_address(settings, now, caplog, patient):
    FailingOnceBackend.failures_left = 1
    settings.EMAIL_BACKEND = "appointments.tests.test_notifications.FailingOnceBackend"
    appointment_in(5, now=now, patient=patient.patient_profile)

    reminders_send_due(now=now)

    assert "SMTPServerDisconnected" in caplog.text
    assert patient.email not in caplog.text


def test_the_beat_task_sends_once_when_run_twice(now):
    appointment_in(5, now=now)

    assert tasks.appointments_send_reminders() == 1
    assert tasks.appointments_send_reminders() == 0
    assert len(mail.outbox) == 1


def test_the_command_sends_the_due_reminders_and_prints_the_count(capsys, now):
    appointment_in(5, now=now)
    appointment_in(6, now=now)

    call_command("send_reminders")
    assert capsys.readouterr().out.strip() == "Sent 2 reminders."

    call_command("send_reminders")
    assert capsys.readouterr().out.strip() == "Sent 0 reminders."
    assert len(mail.outbox) == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers on one file lock; two concurrent runs need PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_each_reminder_once(now):
    due = [appointment_in(1 + index, now=now, patient=PatientFactory()) for index in range(6)]
    start_together = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start_together.wait(timeout=10)
            results.append(reminders_send_due(now=now))
        except Exception as error:  # surfaced by the assertions below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(results) == len(due)
    assert len(mail.outbox) == len(due)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        appointment.patient.user.email for appointment in due
    )
