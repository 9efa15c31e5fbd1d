"""What cached appointment lists depend on (config.response_cache scopes)."""

from accounts.models import Role

# Names, MRNs, credentials and visit types shown beside each appointment.
NAMES_SCOPE = "appointments:names"


def appointments_of_user_scope(user_id: int) -> str:
    """The appointments a patient or provider user sees."""
    return f"appointments:user:{user_id}"


def appointment_list_scopes_of_user(user_id: int) -> list[str]:
    return [appointments_of_user_scope(user_id), NAMES_SCOPE]


def appointment_list_scopes(user) -> list[str] | None:
    """The scopes of `user`'s appointment list; None (not cached) for anyone else, such as
    an admin, whose list changes with every appointment of the clinic."""
    if user.role in (Role.PATIENT, Role.PROVIDER):
        return appointment_list_scopes_of_user(user.pk)
    return None
