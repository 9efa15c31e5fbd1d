"""Reads on appointments and the waitlist, always scoped to the user asking."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet, Subquery

from accounts.models import Role, User
from appointments.models import Appointment, WaitlistEntry, WaitlistOffer
from providers.models import Provider


def visible_appointments(user: User) -> QuerySet[Appointment]:
    """A patient sees their own; a provider their own schedule; an admin everything."""
    if not user.is_authenticated or not user.is_active:
        return Appointment.objects.none()
    if user.role == Role.ADMIN:
        return Appointment.objects.all()
    if user.role == Role.PATIENT:
        return Appointment.objects.filter(patient__user=user)
    if user.role == Role.PROVIDER:
        # The provider's id as a scalar subquery, not a join on their user: PostgreSQL then reads
        # a page of the schedule in start order straight from the (provider, start) index,
        # instead of joining and sorting every appointment the provider ever had.
        return Appointment.objects.filter(
            provider=Subquery(Provider.objects.filter(user=user).order_by().values("pk")[:1])
        )
    return Appointment.objects.none()


def appointment_list_for(
    *,
    user: User,
    status: str | list[str] | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> QuerySet[Appointment]:
    """Visible appointments (optionally by status and starting in [start, end)), ready to show
    in a list without further queries."""
    appointments = visible_appointments(user).select_related(
        "patient", "patient__user", "provider", "provider__specialty", "visit_type"
    )
    if status:
        appointments = appointments.filter(
            status__in=[status] if isinstance(status, str) else status
        )
    if start is not None:
        appointments = appointments.filter(start__gte=start)
    if end is not None:
        appointments = appointments.filter(start__lt=end)
    return appointments.order_by("start", "pk")


def visible_waitlist_entries(user: User) -> QuerySet[WaitlistEntry]:
    if not user.is_authenticated or not user.is_active:
        return WaitlistEntry.objects.none()
    if user.role == Role.ADMIN:
        entries = WaitlistEntry.objects.all()
    elif user.role == Role.PATIENT:
        entries = WaitlistEntry.objects.filter(patient__user=user)
    elif user.role == Role.PROVIDER:
        entries = WaitlistEntry.objects.filter(provider__user=user)
    else:
        return WaitlistEntry.objects.none()
    return entries.select_related("patient", "provider", "visit_type").order_by("created_at", "pk")


def waitlist_offers_for(user: User) -> QuerySet[WaitlistOffer]:
    """Offers the user may claim: a patient their own; an admin all."""
    if not user.is_authenticated or not user.is_active:
        return WaitlistOffer.objects.none()
    offers = WaitlistOffer.objects.select_related(
        "entry__patient", "entry__provider", "entry__visit_type"
    )
    if user.role == Role.ADMIN:
        return offers
    if user.role == Role.PATIENT:
        return offers.filter(entry__patient__user=user)
    return WaitlistOffer.objects.none()
