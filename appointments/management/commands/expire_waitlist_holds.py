from django.core.management.base import BaseCommand

from appointments.services import waitlist_expire_holds


class Command(BaseCommand):
    help = "Let unclaimed waitlist holds go and offer each slot to the next in line (as beat does every minute)."

    def handle(self, *args, **options):
        expired = waitlist_expire_holds()
        self.stdout.write(f"{expired} hold(s) expired and passed on.")
