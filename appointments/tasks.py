"""Thin Celery tasks: load by id, call the service, done. Queued with transaction.on_commit.

Ids are public ids (UUID strings). Each task is safe to run twice: the notifications dedupe on
Notification.dedupe_key, and the waitlist services re-check state under a lock.
"""

import datetime
import logging
import smtplib

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError

from appointments import notifications
from appointments.models import Appointment, WaitlistOffer

logger = logging.getLogger(__name__)


# A failed send frees its dedupe claim and re-raises (appointments.notifications), so retrying is safe.
_EMAIL_RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": 5,
}


@shared_task(name="appointments.appointment_notify", **_EMAIL_RETRY)
def appointment_notify(appointment_id: str, event: str) -> None:
    appointment = (
        Appointment.objects.select_related("patient__user", "provider__user", "visit_type")
        .filter(public_id=appointment_id)
        .first()
    )
    if appointment is not None:
        notifications.appointment_event_notify(appointment=appointment, event=event)


@shared_task(name="appointments.waitlist_offer_notify", **_EMAIL_RETRY)
def waitlist_offer_notify(offer_id: str) -> None:
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__patient__user", "entry__provider", "entry__visit_type"
        )
        .filter(public_id=offer_id)
        .first()
    )
    if offer is not None:
        notifications.waitlist_offer_notify(offer=offer)


@shared_task(name="appointments.send_reminders")
def appointments_send_reminders() -> int:
    return notifications.reminders_send_due(now=timezone.now())


@shared_task(name="appointments.waitlist_expire_holds")
def waitlist_expire_holds() -> int:
    from appointments.services import waitlist_expire_holds as expire

    return expire(now=timezone.now())


@shared_task(name="appointments.waitlist_offer_freed_time")
def waitlist_offer_freed_time(
    provider_id: str, start: str, end: str, now: str | None = None
) -> None:
    """Offer time freed by a cancellation or removed time off to the waitlist."""
    from appointments.services import waitlist_offer_next
    from providers.models import Provider

    provider = Provider.objects.filter(public_id=provider_id).first()
    if provider is not None:
        waitlist_offer_next(
            provider=provider,
            start=datetime.datetime.fromisoformat(start),
            end=datetime.datetime.fromisoformat(end),
            now=datetime.datetime.fromisoformat(now) if now else None,
        )


def enqueue_on_commit(task, *args) -> None:
    """Queue `task` once the transaction commits. The write has happened by then: a broker
    outage is logged (task name only, no PHI) instead of turning a success into a 500.

    Without a broker (embedded defaults) the task runs right here, inside the request; its
    failure is then what a worker's failure would be, logged, not the user's error.
    """

    def send():
        try:
            task.delay(*args)
        except (OperationalError, ConnectionError):
            logger.exception("Could not queue %s", task.name)
        except Exception as error:
            if not task.app.conf.task_always_eager:
                raise
            # The type only: the exception's text may name the recipient (an SMTP refusal does).
            logger.error("Task %s failed (%s)", task.name, type(error).__name__)

    from django.db import transaction

    transaction.on_commit(send)
