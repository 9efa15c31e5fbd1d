import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from accounts.local_apps import local_app_modules


class Command(BaseCommand):
    help = "Create the demo accounts and each app's demo data (idempotent; DEBUG only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates known passwords: it only runs with DEBUG=1.")
        # Demo bookings go through the real services, which notify people: keep those emails in
        # memory rather than mailing (or printing) confirmations to the demo addresses.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            for _, module_name in local_app_modules("demo"):
                importlib.import_module(module_name).seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
