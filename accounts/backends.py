"""Authentication backends that read the signed-in user from the cache.

Every signed-in request loads its user; with Django's backends that is a query on each one,
plus the MFA gate's enrolment lookup for staff. These backends keep a snapshot of the user row
and their MFA enrolment in the cache instead, and drop it whenever the user or one of their
authenticators is saved or deleted (`connect` below, accounts.mfa), at once and again when the
transaction commits. Deactivating a user, changing their role or password takes effect on
their next request; the timeout only bounds what a change made outside the ORM's save() (a
raw UPDATE) could leave behind.

The snapshot holds the user row as the database has it (password hash included), in the same
cache that already holds the sessions, so it adds nothing an attacker of the cache lacks.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.cache import cache
from django.db import transaction

from accounts.mfa import user_has_mfa
from accounts.models import Role
from config.cache_readahead import cache_get, readahead_for_user
from config.response_cache import response_cache_forget, response_user_scope

USER_CACHE_SECONDS = 300


def _cache_key(user_id) -> str:
    return f"accounts:user:{user_id}"


def user_cache_forget(user_id) -> None:
    """Drop a user's cached snapshot now and once the current transaction commits (a request
    that read the old row before the commit may have cached it again meanwhile), and the
    responses cached for them (a new role shows a different list)."""
    key = _cache_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
    response_cache_forget(response_user_scope(user_id))


class CachedUserMixin:
    def get_user(self, user_id):
        key = _cache_key(user_id)
        snapshot = cache_get(key)  # read ahead with the request's other keys when it can be
        if snapshot is not None:
            user, mfa_enrolled = snapshot
            user.mfa_enrolled = mfa_enrolled
            return user if self.user_can_authenticate(user) else None
        user = super().get_user(user_id)
        if user is None:
            return None
        # Only staff pass the MFA gate on every request; a patient's enrolment is read when asked.
        mfa_enrolled = user_has_mfa(user=user) if user.role in (Role.PROVIDER, Role.ADMIN) else None
        cache.set(key, (user, mfa_enrolled), USER_CACHE_SECONDS)
        user.mfa_enrolled = mfa_enrolled
        return user


def _forget_user(sender, instance, **kwargs) -> None:
    user_cache_forget(instance.pk)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    user_model = get_user_model()
    post_save.connect(_forget_user, sender=user_model, dispatch_uid="user-cache-save")
    post_delete.connect(_forget_user, sender=user_model, dispatch_uid="user-cache-delete")
    readahead_for_user(lambda user_id: [_cache_key(user_id)])


class ModelBackend(CachedUserMixin, DjangoModelBackend):
    """Django's ModelBackend (the admin's sign-in), with the cached user."""


class AuthenticationBackend(CachedUserMixin, AllauthBackend):
    """allauth's backend (sign-in by email), with the cached user."""
