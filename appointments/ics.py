"""Appointments as iCalendar (RFC 5545): the invitation a patient gets by email or downloads, and
the provider's private feed.

What goes in: provider, times (UTC), visit type, location or video link, status. Never the reason
for the visit and never the patient's name: calendars sync to third-party services and show on
lock screens.

A reschedule creates a new appointment row (`rescheduled_from` points at the old one), so the
patient's calendar entry is identified by the *first* appointment of the chain: every invitation
of the chain carries the same UID and a SEQUENCE that only goes up, and the calendar moves the
event in place instead of adding a second one. SEQUENCE = 3 × (reschedules so far) + 0 for a
request, 1 once booked, 2 once cancelled: requested → booked → cancelled, and every reschedule,
each give a higher number, with no counter to store.
"""

from __future__ import annotations

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from appointments.models import Appointment, AppointmentStatus
from providers.models import Provider, VisitMode

METHOD_REQUEST = "REQUEST"
METHOD_CANCEL = "CANCEL"
METHOD_PUBLISH = "PUBLISH"

ICS_STATUS = {
    AppointmentStatus.REQUESTED: "TENTATIVE",
    AppointmentStatus.BOOKED: "CONFIRMED",
    AppointmentStatus.CHECKED_IN: "CONFIRMED",
    AppointmentStatus.COMPLETED: "CONFIRMED",
    AppointmentStatus.NO_SHOW: "CONFIRMED",
    AppointmentStatus.CANCELLED: "CANCELLED",
}
_SEQUENCE_STEP = {AppointmentStatus.REQUESTED: 0, AppointmentStatus.CANCELLED: 2}
# A runaway chain (it cannot cycle: each row points at an older one) must not become a long loop.
_MAX_CHAIN = 50


def _site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "medora.local"


def _prodid() -> str:
    return f"-//{settings.SITE_NAME}//Scheduling//EN"


def _organizer() -> vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or 'no-reply@' + _site_host()}")
    organizer.params["cn"] = vText(name or settings.SITE_NAME)
    return organizer


def _status_step(appointment: Appointment) -> int:
    return _SEQUENCE_STEP.get(appointment.status, 1)


def appointment_calendar_identity(appointment: Appointment) -> tuple[str, int]:
    """(UID, SEQUENCE) of the appointment's calendar entry, shared along a reschedule chain.

    Walks `rescheduled_from` back to the first appointment: one query per reschedule.
    """
    first, reschedules = appointment, 0
    while first.rescheduled_from_id and reschedules < _MAX_CHAIN:
        first = first.rescheduled_from
        reschedules += 1
    return f"{first.public_id}@{_site_host()}", 3 * reschedules + _status_step(appointment)


def _where(appointment: Appointment, provider: Provider, event: Event) -> None:
    if appointment.visit_type.mode == VisitMode.VIDEO and appointment.video_link:
        event.add("location", appointment.video_link)
        event.add("url", appointment.video_link)
    elif provider.location:
        event.add("location", provider.location)


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", _prodid())
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def appointment_to_ics(
    appointment: Appointment,
    *,
    method: str | None = None,
    attendee_email: str | None = None,
    now: datetime.datetime | None = None,
) -> bytes:
    """The appointment as a one-event calendar for the patient.

    `method` defaults to CANCEL for a cancelled appointment and REQUEST otherwise, so that a
    downloaded file and an emailed invitation update the same calendar entry.
    """
    if method is None:
        method = (
            METHOD_CANCEL if appointment.status == AppointmentStatus.CANCELLED else METHOD_REQUEST
        )
    uid, sequence = appointment_calendar_identity(appointment)
    provider = appointment.provider
    calendar = _calendar(method)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", (now or timezone.now()).astimezone(datetime.UTC))
    event.add("dtstart", appointment.start.astimezone(datetime.UTC))
    event.add("dtend", appointment.end.astimezone(datetime.UTC))
    event.add("summary", f"Visit with {provider.display_name}")
    event.add(
        "description",
        f"{appointment.visit_type.name} with {provider.title}.\n"
        f"Manage your appointments: {settings.SITE_URL}/patient/",
    )
    _where(appointment, provider, event)
    event.add("status", ICS_STATUS.get(appointment.status, "CONFIRMED"))
    event.add("sequence", sequence)
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    event.add("organizer", _organizer())
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("ACCEPTED")
        attendee.params["rsvp"] = vText("FALSE")
        event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()


def provider_feed_ics(provider: Provider, appointments) -> bytes:
    """The provider's schedule as a subscribable calendar (METHOD:PUBLISH).

    `appointments` must have `visit_type` loaded (select_related) so this makes no query. The
    subscriber replaces the whole calendar on each poll, so each row is its own event (UID = its
    public id) and DTSTAMP is the row's last change, which keeps the body (and its ETag) stable
    between changes. No patient names: feeds end up in third-party calendar services.
    """
    calendar = _calendar(METHOD_PUBLISH)
    calendar.add("x-wr-calname", f"{settings.SITE_NAME} – {provider.display_name}")
    calendar.add("x-wr-timezone", provider.time_zone)
    calendar.add(
        "refresh-interval", datetime.timedelta(minutes=15), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT15M")
    host = _site_host()
    for appointment in appointments:
        event = Event()
        event.add("uid", f"{appointment.public_id}@{host}")
        event.add("dtstamp", appointment.updated_at.astimezone(datetime.UTC))
        event.add("dtstart", appointment.start.astimezone(datetime.UTC))
        event.add("dtend", appointment.end.astimezone(datetime.UTC))
        summary = appointment.visit_type.name
        if appointment.status == AppointmentStatus.REQUESTED:
            summary += " (request to confirm)"
        event.add("summary", summary)
        event.add("description", f"Open in {settings.SITE_NAME}: {settings.SITE_URL}/provider/")
        _where(appointment, provider, event)
        event.add("status", ICS_STATUS.get(appointment.status, "CONFIRMED"))
        event.add("sequence", _status_step(appointment))
        event.add("class", "PRIVATE")
        calendar.add_component(event)
    return calendar.to_ical()
