"""MFA secrets at rest: encrypted by MFAAdapter, legacy plaintext still accepted, keys rotated."""

import importlib
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from accounts import mfa_crypto
from accounts.tests.factories import ProviderUserFactory, enrol_totp
from accounts.tests.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db

migration = importlib.import_module("accounts.migrations.0004_encrypt_mfa_secrets")


@pytest.fixture
def enrolling_provider():
    return ProviderUserFactory(mfa=False)


def totp_of(user) -> Authenticator:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def legacy_totp(user) -> str:
    """A TOTP authenticator stored in the clear, as before MFAAdapter; returns the secret."""
    secret = generate_totp_secret()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": secret})
    return secret


def test_it_stores_the_totp_secret_encrypted(enrolling_provider):
    secret = enrol_totp(enrolling_provider)
    stored = totp_of(enrolling_provider).data["secret"]
    assert stored.startswith(mfa_crypto.PREFIX)
    assert secret not in stored
    assert mfa_crypto.decrypt(stored) == secret


def test_it_stores_the_recovery_seed_encrypted(enrolling_provider):
    enrol_totp(enrolling_provider)
    codes = RecoveryCodes.activate(enrolling_provider)
    seed = codes.instance.data["seed"]
    assert seed.startswith(mfa_crypto.PREFIX)
    assert len(codes.generate_codes()) > 0


def test_it_accepts_a_code_of_the_encrypted_secret(enrolling_provider):
    secret = enrol_totp(enrolling_provider)
    assert TOTP(totp_of(enrolling_provider)).validate_code(totp_code(secret))


def test_it_signs_in_with_a_code_of_the_encrypted_secret(client, enrolling_provider):
    secret = enrol_totp(enrolling_provider)
    sign_in(client, enrolling_provider.email)
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/provider/").status_code == 200


def test_it_signs_in_with_a_recovery_code(client, enrolling_provider):
    enrol_totp(enrolling_provider)
    code = RecoveryCodes.activate(enrolling_provider).generate_codes()[0]
    sign_in(client, enrolling_provider.email)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/provider/").status_code == 200


def test_it_still_accepts_a_legacy_plaintext_secret(enrolling_provider):
    secret = legacy_totp(enrolling_provider)
    assert TOTP(totp_of(enrolling_provider)).validate_code(totp_code(secret))


def test_the_migration_encrypts_plaintext_secrets_once(enrolling_provider):
    secret = legacy_totp(enrolling_provider)
    migration.encrypt_secrets(apps, None)
    stored = totp_of(enrolling_provider).data["secret"]
    assert stored.startswith(mfa_crypto.PREFIX)
    assert mfa_crypto.decrypt(stored) == secret

    migration.encrypt_secrets(apps, None)
    assert totp_of(enrolling_provider).data["secret"] == stored
    assert TOTP(totp_of(enrolling_provider)).validate_code(totp_code(secret))


def test_the_migration_encrypts_recovery_seeds_and_reverses(enrolling_provider):
    enrol_totp(enrolling_provider)
    codes = RecoveryCodes.activate(enrolling_provider)
    seed = mfa_crypto.decrypt(codes.instance.data["seed"])
    migration.decrypt_secrets(apps, None)
    codes.instance.refresh_from_db()
    assert codes.instance.data["seed"] == seed
    assert totp_of(enrolling_provider).data["secret"].isalnum()

    migration.encrypt_secrets(apps, None)
    codes.instance.refresh_from_db()
    assert codes.instance.data["seed"].startswith(mfa_crypto.PREFIX)
    assert mfa_crypto.decrypt(codes.instance.data["seed"]) == seed


def test_it_decrypts_with_an_old_key_after_rotation(settings, enrolling_provider):
    settings.MFA_ENCRYPTION_KEY = ["old-key-0123456789abcdefghijklmnop"]
    secret = enrol_totp(enrolling_provider)
    settings.MFA_ENCRYPTION_KEY = [
        "new-key-0123456789abcdefghijklmnop",
        *settings.MFA_ENCRYPTION_KEY,
    ]
    assert TOTP(totp_of(enrolling_provider)).validate_code(totp_code(secret))

    settings.MFA_ENCRYPTION_KEY = ["new-key-0123456789abcdefghijklmnop"]
    stored = mfa_crypto.encrypt(secret)
    assert mfa_crypto.decrypt(stored) == secret


def test_it_refuses_a_secret_no_configured_key_decrypts(settings, enrolling_provider):
    settings.MFA_ENCRYPTION_KEY = ["old-key-0123456789abcdefghijklmnop"]
    enrol_totp(enrolling_provider)
    settings.MFA_ENCRYPTION_KEY = ["new-key-0123456789abcdefghijklmnop"]
    with pytest.raises(mfa_crypto.MFASecretUndecryptable):
        TOTP(totp_of(enrolling_provider)).validate_code("123456")


def test_it_derives_the_key_from_secret_key_when_unset(settings):
    settings.MFA_ENCRYPTION_KEY = []
    stored = mfa_crypto.encrypt("JBSWY3DPEHPK3PXP")
    settings.SECRET_KEY = "another-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
    with pytest.raises(mfa_crypto.MFASecretUndecryptable):
        mfa_crypto.decrypt(stored)


def test_it_prints_a_demo_code_that_allauth_accepts(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "dr.lee@medora.demo", stdout=out)
    authenticator = Authenticator.objects.get(
        user__email="dr.lee@medora.demo", type=Authenticator.Type.TOTP
    )
    assert authenticator.data["secret"].startswith(mfa_crypto.PREFIX)
    assert TOTP(authenticator).validate_code(out.getvalue().strip())


def test_it_reencrypts_every_secret_under_the_new_key_so_the_old_can_go(
    settings, enrolling_provider
):
    from io import StringIO

    from django.core.management import call_command

    settings.MFA_ENCRYPTION_KEY = ["old-key-0123456789abcdefghijklmnop"]
    secret = enrol_totp(enrolling_provider)
    settings.MFA_ENCRYPTION_KEY = [
        "new-key-0123456789abcdefghijklmnop",
        "old-key-0123456789abcdefghijklmnop",
    ]
    out = StringIO()
    call_command("mfa_rotate_key", stdout=out)
    assert "1 authenticator" in out.getvalue()

    settings.MFA_ENCRYPTION_KEY = ["new-key-0123456789abcdefghijklmnop"]
    assert TOTP(totp_of(enrolling_provider)).validate_code(totp_code(secret))
