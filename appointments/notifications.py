"""Appointment and waitlist emails (with .ics invitations) and reminders, each sent exactly once.

Called by the thin tasks in appointments/tasks.py (queued by the services with
transaction.on_commit), and by `manage.py send_reminders`.

Exactly once, with `Notification.dedupe_key` (unique). The order matters:
1. Claim: insert the key in its own short transaction and commit it *before* sending. A second
   run (a retried task, a repeated beat run, a concurrent worker) hits the unique index and skips.
   Sending first and recording afterwards would let two concurrent runs both send; holding the
   insert's transaction open over the send would block the other run on the index for the whole
   SMTP exchange and, if that commit failed after the send, let the retry send again.
2. Send, outside any transaction (no lock held during SMTP).
3. Success: stamp `sent_at`. Failure: delete the claim and re-raise, so the retry can send.
So call these from tasks or commands, never inside a transaction (the claim would then only be
visible to others once that transaction commits).

A worker that dies between 1 and 3 leaves a claim without `sent_at`: after CLAIM_STALE_AFTER (far
longer than an SMTP timeout) one later run takes it over (a conditional UPDATE: only one does).
The one duplicate left possible is a crash in the instant between the SMTP server accepting the
message and `sent_at` being written.

PHI stays minimal: no reason for the visit and no patient name in any email; subjects say only
what kind of message it is (emails are read on shared devices and lock screens). Times are shown
in the provider's time zone, with the zone's name.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from appointments.ics import (
    METHOD_CANCEL,
    METHOD_REQUEST,
    appointment_calendar_identity,
    appointment_to_ics,
)
from appointments.models import (
    Appointment,
    AppointmentStatus,
    Notification,
    WaitlistOffer,
)
from providers.models import Provider, VisitMode

log = logging.getLogger(__name__)

CLAIM_STALE_AFTER = datetime.timedelta(minutes=15)
PATIENT = "patient"
PROVIDER = "provider"


@dataclass(frozen=True)
class EmailKind:
    subject: str
    template: str
    ics_method: str | None = None


# Which event tells whom what. The provider is not told about what they did themselves.
EVENT_EMAILS: dict[str, dict[str, EmailKind]] = {
    "requested": {
        PROVIDER: EmailKind("New appointment request to review", "provider_requested"),
    },
    "booked": {
        PATIENT: EmailKind("Your appointment is booked", "patient_booked", METHOD_REQUEST),
        PROVIDER: EmailKind("New appointment booked", "provider_booked"),
    },
    "confirmed": {
        PATIENT: EmailKind(
            "Your appointment request is confirmed", "patient_confirmed", METHOD_REQUEST
        ),
    },
    "declined": {
        PATIENT: EmailKind(
            "Your appointment request could not be confirmed", "patient_declined", METHOD_CANCEL
        ),
    },
    "cancelled": {
        PATIENT: EmailKind("Your appointment is cancelled", "patient_cancelled", METHOD_CANCEL),
        PROVIDER: EmailKind("An appointment was cancelled", "provider_cancelled"),
    },
    "rescheduled": {
        PATIENT: EmailKind(
            "Your appointment is rescheduled", "patient_rescheduled", METHOD_REQUEST
        ),
        PROVIDER: EmailKind("An appointment was rescheduled", "provider_rescheduled"),
    },
}
# Events that announce a live appointment: stale once it is cancelled (the cancellation email
# supersedes them), e.g. a queued "booked" whose appointment was cancelled a moment later.
_LIVE_EVENTS = {"requested", "booked", "confirmed", "rescheduled"}
REMINDER = EmailKind("Reminder: you have an upcoming appointment", "patient_reminder")
WAITLIST_OFFER = EmailKind("A time is being held for you", "patient_waitlist_offer")


# --- Exactly-once delivery ---------------------------------------------------------------


def _claim(*, key: str, kind: str, recipient, appointment=None, offer=None) -> Notification | None:
    """Insert the dedupe key (committed before the send); None when someone else holds it."""
    try:
        with transaction.atomic():
            return Notification.objects.create(
                dedupe_key=key,
                kind=kind,
                recipient=recipient,
                appointment=appointment,
                offer=offer,
            )
    except IntegrityError:
        pass
    # Already sent, or being sent right now, or left behind by a worker that died mid-send.
    now = timezone.now()
    taken_over = Notification.objects.filter(
        dedupe_key=key, sent_at__isnull=True, created_at__lt=now - CLAIM_STALE_AFTER
    ).update(created_at=now)
    if taken_over:
        return Notification.objects.get(dedupe_key=key)
    return None


def _deliver(message: EmailMultiAlternatives, *, claim: Notification) -> None:
    try:
        message.send()
    except Exception:
        # Free the key so that the retry (the task's, or the next beat run) can send it.
        Notification.objects.filter(pk=claim.pk, sent_at__isnull=True).delete()
        raise
    Notification.objects.filter(pk=claim.pk).update(sent_at=timezone.now())


def _send_once(
    *,
    key: str,
    kind: EmailKind,
    recipient,
    context: dict,
    appointment: Appointment | None = None,
    offer: WaitlistOffer | None = None,
    ics: bytes | None = None,
) -> bool:
    """Send one email unless its key was already claimed. True when this call sent it."""
    if not recipient.email:
        return False
    # Rendered before the claim: a template error must not leave a claim that blocks the retry.
    message = _message(kind=kind, to=recipient.email, context=context, ics=ics)
    claim = _claim(
        key=key, kind=kind.template, recipient=recipient, appointment=appointment, offer=offer
    )
    if claim is None:
        return False
    _deliver(message, claim=claim)
    return True


# --- Rendering ---------------------------------------------------------------------------


def _clock(moment: datetime.datetime) -> str:
    return moment.strftime("%I:%M %p").lstrip("0")


def _local(moment: datetime.datetime, provider: Provider) -> datetime.datetime:
    return moment.astimezone(provider.zone)


def _day(moment: datetime.datetime) -> str:
    return f"{moment:%A}, {moment:%B} {moment.day}, {moment.year}"


def _zone_label(moment: datetime.datetime, provider: Provider) -> str:
    return f"{moment.tzname()} ({provider.time_zone})"


def format_when(start: datetime.datetime, end: datetime.datetime, provider: Provider) -> str:
    """ "Tuesday, December 8, 2026, 9:00 AM – 9:30 AM EST (America/New_York)"."""
    local_start, local_end = _local(start, provider), _local(end, provider)
    return (
        f"{_day(local_start)}, {_clock(local_start)} – {_clock(local_end)} "
        f"{_zone_label(local_start, provider)}"
    )


def format_moment(moment: datetime.datetime, provider: Provider) -> str:
    local = _local(moment, provider)
    return f"{_day(local)}, {_clock(local)} {_zone_label(local, provider)}"


def _details(*, provider: Provider, visit_type, start, end, video_link: str = "") -> dict:
    is_video = visit_type.mode == VisitMode.VIDEO
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "provider_name": provider.title,
        "visit_type": visit_type.name,
        "is_video": is_video,
        "video_link": video_link if is_video else "",
        "location": "" if is_video else provider.location,
        "when": format_when(start, end, provider),
    }


def _appointment_context(appointment: Appointment) -> dict:
    return _details(
        provider=appointment.provider,
        visit_type=appointment.visit_type,
        start=appointment.start,
        end=appointment.end,
        video_link=appointment.video_link,
    ) | {
        "is_request": appointment.status == AppointmentStatus.REQUESTED,
        "patient_portal_url": f"{settings.SITE_URL}/patient/",
        "provider_portal_url": f"{settings.SITE_URL}/provider/",
    }


def _message(
    *, kind: EmailKind, to: str, context: dict, ics: bytes | None
) -> EmailMultiAlternatives:
    text = render_to_string(f"appointments/email/{kind.template}.txt", context)
    html = render_to_string(f"appointments/email/{kind.template}.html", context)
    message = EmailMultiAlternatives(
        subject=f"[{settings.SITE_NAME}] {kind.subject}",
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    message.attach_alternative(html, "text/html")
    if ics is not None:
        # "method" in the Content-Type is what makes Outlook treat it as an invitation.
        message.attach("appointment.ics", ics, f"text/calendar; method={kind.ics_method}")
    return message


# --- What the tasks call -----------------------------------------------------------------


def appointment_event_notify(*, appointment: Appointment, event: str) -> None:
    """Tell the patient and/or provider about `event` (requested, booked, confirmed, declined,
    cancelled, rescheduled) on `appointment`, each email once only."""
    emails = EVENT_EMAILS.get(event)
    if emails is None:
        log.warning("unknown appointment event %r for appointment %s", event, appointment.public_id)
        return
    cancelled = appointment.status == AppointmentStatus.CANCELLED
    if (event in _LIVE_EVENTS and cancelled) or (event not in _LIVE_EVENTS and not cancelled):
        log.info("skipped stale %s notification of appointment %s", event, appointment.public_id)
        return
    _uid, sequence = appointment_calendar_identity(appointment)
    context = _appointment_context(appointment)
    rescheduled_from = appointment.rescheduled_from
    if event == "rescheduled" and rescheduled_from is not None:
        context["previous_when"] = format_when(
            rescheduled_from.start, rescheduled_from.end, appointment.provider
        )
    provider_user = appointment.provider.user
    actor_id = appointment.cancelled_by_id if cancelled else appointment.created_by_id
    for audience, kind in emails.items():
        if audience == PROVIDER and actor_id == provider_user.pk:
            continue
        recipient = appointment.patient.user if audience == PATIENT else provider_user
        # A declined request has no invitation to withdraw, unless it came from a reschedule.
        with_ics = kind.ics_method is not None and (
            event != "declined" or rescheduled_from is not None
        )
        _send_once(
            key=f"appointment:{appointment.public_id}:{event}:{sequence}:{audience}",
            kind=kind,
            recipient=recipient,
            context=context | {"for_provider": audience == PROVIDER},
            appointment=appointment,
            ics=appointment_to_ics(
                appointment, method=kind.ics_method, attendee_email=recipient.email
            )
            if with_ics
            else None,
        )


def waitlist_offer_notify(*, offer: WaitlistOffer) -> None:
    """Tell a waitlisted patient that a slot is held for them until `offer.hold_until`."""
    if offer.status != WaitlistOffer.Status.OFFERED or offer.hold_until <= timezone.now():
        return
    entry = offer.entry
    context = _details(
        provider=entry.provider, visit_type=entry.visit_type, start=offer.start, end=offer.end
    ) | {
        "hold_until": format_moment(offer.hold_until, entry.provider),
        "claim_url": f"{settings.SITE_URL}/patient/waitlist/",
    }
    _send_once(
        key=f"waitlist_offer:{offer.public_id}:{PATIENT}",
        kind=WAITLIST_OFFER,
        recipient=entry.patient.user,
        context=context,
        offer=offer,
    )


def _reminder_send(appointment: Appointment, *, now: datetime.datetime) -> bool:
    sent = _send_once(
        key=f"appointment:{appointment.public_id}:reminder:{PATIENT}",
        kind=REMINDER,
        recipient=appointment.patient.user,
        context=_appointment_context(appointment),
        appointment=appointment,
    )
    if sent:
        Appointment.objects.filter(pk=appointment.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        )
    return sent


def reminders_due(*, now: datetime.datetime):
    """Booked appointments starting within APPOINTMENT_REMINDER_HOURS and not reminded yet."""
    until = now + datetime.timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS)
    return (
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED,
            reminder_sent_at__isnull=True,
            start__gt=now,
            start__lte=until,
        )
        .select_related("patient__user", "provider", "visit_type")
        .order_by("start")
    )


def reminders_send_due(*, now: datetime.datetime) -> int:
    """Send the reminders that are due at `now`, each once only; returns how many were sent.

    A failed send is logged (without the address or any PHI) and left for the next run.
    """
    sent = 0
    for appointment in reminders_due(now=now):
        try:
            sent += _reminder_send(appointment, now=now)
        except Exception as error:
            log.warning(
                "reminder for appointment %s not sent (%s); the next run retries it",
                appointment.public_id,
                type(error).__name__,
            )
    return sent
