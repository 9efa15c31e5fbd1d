"""Whether a user has MFA enrolled, cached so the MFA gate costs no query on most requests.

The cache entry is dropped whenever one of the user's authenticators is saved or deleted
(allauth's pages, the admin, the shell), so removing an authenticator takes effect on the
next request. The short timeout bounds staleness on a per-process cache (no REDIS_URL).
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save

ENROLMENT_CACHE_SECONDS = 300


def _cache_key(user_id) -> str:
    return f"accounts:mfa-enrolled:{user_id}"


def user_has_mfa(*, user) -> bool:
    """True when the user has a TOTP authenticator (recovery codes alone do not count)."""
    from allauth.mfa.models import Authenticator

    # Set by accounts.backends on the signed-in user: no cache round trip of its own.
    enrolled = getattr(user, "mfa_enrolled", None)
    if enrolled is not None:
        return enrolled
    key = _cache_key(user.pk)
    enrolled = cache.get(key)
    if enrolled is None:
        enrolled = Authenticator.objects.filter(
            user_id=user.pk, type=Authenticator.Type.TOTP
        ).exists()
        cache.set(key, enrolled, ENROLMENT_CACHE_SECONDS)
    return enrolled


def forget_mfa_enrolment(sender, instance, **kwargs) -> None:
    from accounts.backends import user_cache_forget

    cache.delete(_cache_key(instance.user_id))
    user_cache_forget(instance.user_id)  # its snapshot carries the enrolment too


def connect() -> None:
    from allauth.mfa.models import Authenticator

    post_save.connect(forget_mfa_enrolment, sender=Authenticator, dispatch_uid="mfa-cache-save")
    post_delete.connect(forget_mfa_enrolment, sender=Authenticator, dispatch_uid="mfa-cache-del")
