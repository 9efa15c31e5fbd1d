"""Encryption of the MFA secrets allauth stores in `Authenticator.data` (TOTP secret, recovery seed).

Used by `accounts.mfa_adapter.MFAAdapter` (allauth calls its encrypt/decrypt) and by the data
migration that encrypts rows stored before; this module imports no models, so migrations can use it.

Keys: `settings.MFA_ENCRYPTION_KEY`, a list of strings (env var, comma-separated): the first
encrypts, every one decrypts: to rotate, put the new key first and keep the old ones after it
(rows encrypted with an old key keep working). Unset, the key is derived from SECRET_KEY (and
SECRET_KEY_FALLBACKS decrypt), so rotating SECRET_KEY alone makes enrolled authenticators unusable.

Ciphertext carries PREFIX so that a legacy plaintext value (base32 TOTP secret, hex seed; never
containing ':') passes through decrypt unchanged and keeps working until it is encrypted.
"""

from __future__ import annotations

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"
_HKDF_INFO = b"medora:mfa-secrets:v1"


class MFASecretUndecryptable(Exception):
    """A stored MFA secret does not decrypt with any configured key (wrong or rotated key)."""


def _derive_fernet_key(material: str) -> bytes:
    # HKDF, not the raw string: any high-entropy value works as a key, and the SECRET_KEY
    # fallback gives a key that is useless for anything SECRET_KEY itself signs.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        material.encode()
    )
    return base64.urlsafe_b64encode(derived)


@functools.lru_cache(maxsize=8)
def _fernet_for(materials: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_derive_fernet_key(material)) for material in materials])


def _fernet() -> MultiFernet:
    materials = [key for key in getattr(settings, "MFA_ENCRYPTION_KEY", []) if key]
    if not materials:
        materials = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return _fernet_for(tuple(materials))


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt(text: str) -> str:
    """Ciphertext of `text` under the first key; an already encrypted value is returned as is."""
    if is_encrypted(text):
        return text
    return PREFIX + _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(stored: str) -> str:
    """The plaintext of `stored`; a legacy plaintext value passes through unchanged."""
    if not is_encrypted(stored):
        return stored
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken:
        raise MFASecretUndecryptable(
            "An MFA secret does not decrypt with MFA_ENCRYPTION_KEY (or SECRET_KEY when unset)."
        ) from None


def reencrypt(stored: str) -> str:
    """`stored` encrypted under the first key (after MFA_ENCRYPTION_KEY gained a new first key)."""
    return encrypt(decrypt(stored))


def authenticator_data_reencrypt(data: dict) -> dict:
    return _map_secrets(data, reencrypt)


def authenticator_data_encrypt(data: dict) -> dict:
    """`Authenticator.data` with every secret allauth passes through encrypt() encrypted."""
    return _map_secrets(data, encrypt)


def authenticator_data_decrypt(data: dict) -> dict:
    """`Authenticator.data` with every secret in plaintext (what allauth stores unencrypted)."""
    return _map_secrets(data, decrypt)


def _map_secrets(data: dict, convert) -> dict:
    # The keys allauth.mfa encrypts: totp "secret", recovery_codes "seed" and "migrated_codes".
    data = dict(data)
    for name in ("secret", "seed"):
        if isinstance(data.get(name), str):
            data[name] = convert(data[name])
    if isinstance(data.get("migrated_codes"), list):
        data["migrated_codes"] = [convert(code) for code in data["migrated_codes"]]
    return data
