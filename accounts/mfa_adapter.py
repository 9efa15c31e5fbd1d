"""allauth's MFA adapter for Medora: the secrets allauth keeps in `Authenticator.data` are encrypted.

allauth passes the TOTP secret and the recovery-code seed through `encrypt()` before saving and
`decrypt()` before use; the default adapter stores them in the clear. See accounts/mfa_crypto.py
for the keys and the format.
"""

from allauth.mfa.adapter import DefaultMFAAdapter

from accounts import mfa_crypto


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return mfa_crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_crypto.decrypt(encrypted_text)
