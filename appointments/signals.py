"""Cache upkeep only: a change to a provider's schedule forgets their cached next free slot;
a change to an appointment, or to the names shown beside it, makes the cached appointment lists
of the people concerned stale (appointments.caching).

A signal rather than a call in each service because every path must be covered, the admin's
inline edits included; no business rule lives here.
"""

from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from appointments.caching import NAMES_SCOPE, appointments_of_user_scope
from appointments.models import Appointment
from appointments.slots import next_free_slot_forget
from config.response_cache import RELEASE_SCOPE, response_cache_forget
from patients.models import Patient
from providers.models import AvailabilityWindow, Provider, TimeOff, VisitType


def _forget(sender, instance, **kwargs):
    next_free_slot_forget(instance.provider_id)


def _user_id_of(instance, relation: str, model) -> int | None:
    """The user id behind instance.<relation>, without a query when the relation is loaded."""
    if getattr(type(instance), relation).is_cached(instance):
        return getattr(instance, relation).user_id
    return (
        model.objects.filter(pk=getattr(instance, f"{relation}_id"))
        .values_list("user_id", flat=True)
        .first()
    )


def _forget_appointment_lists(sender, instance, **kwargs):
    user_ids = {
        _user_id_of(instance, "patient", Patient),
        _user_id_of(instance, "provider", Provider),
    }
    response_cache_forget(*(appointments_of_user_scope(pk) for pk in user_ids if pk is not None))


def _forget_all_lists(sender, **kwargs):
    # A deploy runs migrate: lists cached by the previous release may be shaped differently.
    response_cache_forget(RELEASE_SCOPE)


def _forget_names(sender, instance, created=False, **kwargs):
    if not created:  # a new patient, provider or visit type is in no list yet
        response_cache_forget(NAMES_SCOPE)


def connect() -> None:
    for model in (Appointment, AvailabilityWindow, TimeOff, VisitType):
        post_save.connect(_forget, sender=model, dispatch_uid=f"next-free-slot:{model.__name__}")
        post_delete.connect(
            _forget, sender=model, dispatch_uid=f"next-free-slot-del:{model.__name__}"
        )
    post_save.connect(_forget_appointment_lists, sender=Appointment, dispatch_uid="lists:appt")
    post_delete.connect(
        _forget_appointment_lists, sender=Appointment, dispatch_uid="lists:appt-del"
    )
    for model in (Patient, Provider, VisitType):
        post_save.connect(_forget_names, sender=model, dispatch_uid=f"lists:{model.__name__}")
        post_delete.connect(_forget_names, sender=model, dispatch_uid=f"lists-del:{model.__name__}")
    post_migrate.connect(_forget_all_lists, dispatch_uid="lists:release")
    m2m_changed.connect(
        _forget,
        sender=AvailabilityWindow.visit_types.through,
        dispatch_uid="next-free-slot:window-visit-types",
    )
