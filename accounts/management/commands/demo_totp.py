from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.demo import demo_totp_code
from accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-factor code of a demo staff account (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG=1.")
        from allauth.mfa.models import Authenticator

        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No account {email}.")
        try:
            code = demo_totp_code(user=user)
        except Authenticator.DoesNotExist:
            raise CommandError(f"{email} has no authenticator app enrolled.") from None
        self.stdout.write(code)
