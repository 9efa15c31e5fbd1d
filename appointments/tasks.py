"""Thin Celery tasks: load by id, call the service, done. Queued with transaction.on_commit."""

from celery import shared_task
from django.utils import timezone

from appointments import notifications
from appointments.models import Appointment, WaitlistOffer


@shared_task(name="appointments.appointment_notify")
def appointment_notify(appointment_id: str, event: str) -> None:
    appointment = (
        Appointment.objects.select_related("patient__user", "provider__user", "visit_type")
        .filter(public_id=appointment_id)
        .first()
    )
    if appointment is not None:
        notifications.appointment_event_notify(appointment=appointment, event=event)


@shared_task(name="appointments.waitlist_offer_notify")
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
