"""Encrypt the TOTP secrets and recovery seeds stored in the clear before MFAAdapter (idempotent).

Reversing decrypts them again, for a rollback to code that stores them in the clear.
"""

from django.db import migrations

from accounts import mfa_crypto

SECRET_TYPES = ("totp", "recovery_codes")


def _convert(apps, convert) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=SECRET_TYPES).iterator():
        data = convert(authenticator.data)
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])


def encrypt_secrets(apps, schema_editor) -> None:
    _convert(apps, mfa_crypto.authenticator_data_encrypt)


def decrypt_secrets(apps, schema_editor) -> None:
    _convert(apps, mfa_crypto.authenticator_data_decrypt)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_event"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(encrypt_secrets, decrypt_secrets)]
