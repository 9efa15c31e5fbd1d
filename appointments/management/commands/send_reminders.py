"""Send the due appointment reminders once, by hand (Celery beat runs the same every 15 minutes)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from appointments.notifications import reminders_send_due


class Command(BaseCommand):
    help = (
        "Email a reminder for every booked appointment starting within "
        "APPOINTMENT_REMINDER_HOURS that has not had one; safe to run at any time, any number of times."
    )

    def handle(self, *args, **options):
        sent = reminders_send_due(now=timezone.now())
        self.stdout.write(f"Sent {sent} reminder{'' if sent == 1 else 's'}.")
