"""Cache upkeep only: a change to a provider's schedule forgets their cached next free slot.

A signal rather than a call in each service because every path must be covered, the admin's
inline edits included; no business rule lives here.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save

from appointments.models import Appointment
from appointments.slots import next_free_slot_forget
from providers.models import AvailabilityWindow, TimeOff, VisitType


def _forget(sender, instance, **kwargs):
    next_free_slot_forget(instance.provider_id)


def connect() -> None:
    for model in (Appointment, AvailabilityWindow, TimeOff, VisitType):
        post_save.connect(_forget, sender=model, dispatch_uid=f"next-free-slot:{model.__name__}")
        post_delete.connect(
            _forget, sender=model, dispatch_uid=f"next-free-slot-del:{model.__name__}"
        )
    m2m_changed.connect(
        _forget,
        sender=AvailabilityWindow.visit_types.through,
        dispatch_uid="next-free-slot:window-visit-types",
    )
