"""Re-encrypt every stored MFA secret under the first MFA_ENCRYPTION_KEY.

Key rotation: put the new key first in MFA_ENCRYPTION_KEY (keep the old ones after it), deploy, run
this command, then drop the old keys.
"""

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import mfa_crypto


class Command(BaseCommand):
    help = (
        "Re-encrypt every stored TOTP secret and recovery seed under the first MFA_ENCRYPTION_KEY."
    )

    def handle(self, *args, **options):
        changed = 0
        with transaction.atomic():
            authenticators = Authenticator.objects.select_for_update().filter(
                type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
            )
            for authenticator in authenticators:
                data = mfa_crypto.authenticator_data_reencrypt(authenticator.data)
                if data != authenticator.data:
                    authenticator.data = data
                    authenticator.save(update_fields=["data"])
                    changed += 1
        self.stdout.write(f"Re-encrypted the secrets of {changed} authenticator(s).")
