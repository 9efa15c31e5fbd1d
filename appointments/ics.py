"""One appointment as an iCalendar file. STUB: the notifications work replaces this module."""

from __future__ import annotations


def appointment_to_ics(appointment) -> bytes:
    stamp = "%Y%m%dT%H%M%SZ"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Medora//Scheduling//EN",
        "BEGIN:VEVENT",
        f"UID:{appointment.public_id}@medora",
        f"DTSTART:{appointment.start.strftime(stamp)}",
        f"DTEND:{appointment.end.strftime(stamp)}",
        "SUMMARY:Appointment",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()
