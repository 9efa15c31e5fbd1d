from django.contrib.auth.models import Group
from django.db import transaction

from accounts.backends import user_cache_forget
from accounts.models import ROLE_GROUPS, Role, User


def user_sync_role_group(*, user: User) -> None:
    """Keep the user in exactly the one group that mirrors their role, and staff iff admin."""
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLE_GROUPS.values()}
    wanted = groups[ROLE_GROUPS[Role(user.role)]]
    user.groups.remove(*[group for group in groups.values() if group != wanted])
    user.groups.add(wanted)
    is_staff = user.role == Role.ADMIN or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        User.objects.filter(pk=user.pk).update(is_staff=is_staff)
        user_cache_forget(user.pk)  # an UPDATE sends no post_save


def _check_not_last_admin(user: User) -> None:
    """The clinic must keep one active admin: nobody else can manage users and roles."""
    from config.api import ApplicationError

    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise ApplicationError(
            "This is the last active admin: make someone else an admin first.", code="last_admin"
        )


@transaction.atomic
def user_set_role(*, user: User, role: str, by: User | None = None) -> User:
    """Change a user's role; the role group and staff flag follow."""
    role = Role(role)
    old_role = user.role
    if old_role == Role.ADMIN and role != Role.ADMIN:
        _check_not_last_admin(user)
    user.role = role
    user.save(update_fields=["role"])
    user_sync_role_group(user=user)
    if old_role != role:
        from accounts.audit import audit_role_changed

        audit_role_changed(user=user, old_role=old_role, new_role=role, by=by)
    return user


@transaction.atomic
def user_create(
    *, email: str, role: str = Role.PATIENT, password: str | None = None, **fields
) -> User:
    """Create an account with its role group. No password means an unusable one (invited)."""
    user = User.objects.create_user(email=email, password=password, role=Role(role), **fields)
    user_sync_role_group(user=user)
    return user


@transaction.atomic
def user_deactivate(*, user: User, by: User | None = None, request=None) -> User:
    """Stop a user signing in; their records stay. Deactivating yourself is refused."""
    from config.api import ApplicationError

    if by is not None and by.pk == user.pk:
        raise ApplicationError("You cannot deactivate your own account.", code="self_deactivate")
    if user.is_active and user.role == Role.ADMIN:
        _check_not_last_admin(user)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        from accounts import audit

        audit.audit_event("user.deactivated", actor=by, subject=user, request=request)
    return user


def user_set_password_url(*, user: User, base_url: str) -> str:
    """The one-time link (allauth's reset-from-key page) where `user` chooses a password."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.urls import reverse

    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return base_url.rstrip("/") + path


def user_send_set_password_email(*, user: User, base_url: str) -> None:
    """Email an invited user the link to choose their password (the link expires like a reset)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "set_password_url": user_set_password_url(user=user, base_url=base_url),
    }
    subject = render_to_string("account/email/invite_subject.txt", context).strip()
    body = render_to_string("account/email/invite_message.txt", context)
    send_mail(subject, body, None, [user.email])


@transaction.atomic
def user_invite(
    *,
    email: str,
    role: str = Role.PROVIDER,
    by: User | None = None,
    base_url: str,
    request=None,
    **fields,
) -> User:
    """Create a staff account without a usable password and email it a set-password link.

    The address counts as verified: an admin vouched for it and only its owner can use the link.
    """
    from accounts import audit

    user = user_create(email=email, role=role, password=None, **fields)
    user_verify_email(user=user)
    audit.audit_event(
        "user.invited", actor=by, subject=user, request=request, details={"role": user.role}
    )
    transaction.on_commit(lambda: user_send_set_password_email(user=user, base_url=base_url))
    return user


@transaction.atomic
def user_verify_email(*, user: User) -> None:
    """Mark the user's address verified (an admin created the account and vouches for it)."""
    from allauth.account.models import EmailAddress

    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


@transaction.atomic
def user_update_profile(
    *, user: User, first_name: str | None = None, last_name: str | None = None
) -> User:
    """Change the user's own name (what others see); other fields are not theirs to change."""
    changed = []
    if first_name is not None and first_name != user.first_name:
        user.first_name = first_name
        changed.append("first_name")
    if last_name is not None and last_name != user.last_name:
        user.last_name = last_name
        changed.append("last_name")
    if changed:
        user.save(update_fields=changed)
    return user
