from django.contrib.auth.models import Group
from django.db import transaction

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


@transaction.atomic
def user_set_role(*, user: User, role: str, by: User | None = None) -> User:
    """Change a user's role; the role group and staff flag follow."""
    role = Role(role)
    old_role = user.role
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
