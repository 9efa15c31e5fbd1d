"""Appointment and waitlist notifications (emails with .ics, reminders).

STUB: the notifications work replaces this module. The services and tasks call these three
functions; each must be idempotent (use appointments.models.Notification.dedupe_key).
"""

from __future__ import annotations

import datetime


def appointment_event_notify(*, appointment, event: str) -> None:
    """Tell the patient and/or provider about `event` (requested, booked, confirmed, declined,
    cancelled, rescheduled) on `appointment`."""


def waitlist_offer_notify(*, offer) -> None:
    """Tell a waitlisted patient that a slot is held for them until `offer.hold_until`."""


def reminders_send_due(*, now: datetime.datetime) -> int:
    """Send the reminders that are due at `now`, each once only; returns how many were sent."""
    return 0
