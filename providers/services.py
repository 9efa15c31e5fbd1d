"""Writes on providers: profile, visit types, weekly availability, time off / extra hours.

Every function takes `by` (the acting user): the provider themself or an admin; anyone else is
refused. The portal forms and the admin call these; they validate and raise ApplicationError.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.audit import audit_event
from accounts.models import Role, User
from config.api import ApplicationError, ConflictError, NotFoundError
from providers.models import (
    AvailabilityWindow,
    Provider,
    Specialty,
    TimeOff,
    VisitType,
    calendar_token_new,
)

PROVIDER_PROFILE_FIELDS = (
    "display_name",
    "credentials",
    "specialty",
    "licence_number",
    "npi",
    "bio",
    "accepting_new_patients",
    "time_zone",
    "location",
    "languages",
)
# What a provider may change on their own profile (identity and licensing: admins only).
PROVIDER_SELF_EDITABLE_FIELDS = (
    "bio",
    "accepting_new_patients",
    "time_zone",
    "location",
    "languages",
)
VISIT_TYPE_FIELDS = (
    "name",
    "duration_minutes",
    "buffer_after_minutes",
    "mode",
    "booking_policy",
    "active",
)


def _check_manages(*, provider: Provider, by: User) -> None:
    if by.role == Role.ADMIN or (by.role == Role.PROVIDER and provider.user_id == by.pk):
        return
    raise NotFoundError("Provider not found.")


def _validated_save(instance, *, exclude: list[str] | None = None, update_fields=None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "Please correct the highlighted fields.", code="invalid", fields=error.message_dict
        ) from None
    try:
        with transaction.atomic():
            instance.save(update_fields=update_fields)
    except IntegrityError:
        raise ConflictError("This conflicts with an existing record.", code="duplicate") from None


def _normalise_languages(value) -> str:
    if isinstance(value, list | tuple):
        value = ",".join(value)
    return ",".join(code.strip().lower() for code in str(value).split(",") if code.strip())


def specialty_create(*, name: str, by: User | None = None) -> Specialty:
    specialty = Specialty(name=name.strip(), slug=slugify(name))
    _validated_save(specialty)
    return specialty


@transaction.atomic
def provider_create(
    *, user: User, display_name: str, npi: str, by: User | None = None, **fields
) -> Provider:
    """Create the profile of a provider user (admins)."""
    if user.role != Role.PROVIDER:
        raise ApplicationError(
            "Only a provider account can have a provider profile.", code="not_a_provider"
        )
    if Provider.objects.filter(user=user).exists():
        raise ConflictError("This account already has a provider profile.", code="profile_exists")
    unknown = sorted(set(fields) - set(PROVIDER_PROFILE_FIELDS))
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Unknown field."] for name in unknown}
        )
    if "languages" in fields:
        fields["languages"] = _normalise_languages(fields["languages"])
    provider = Provider(user=user, display_name=display_name, npi=npi, **fields)
    _validated_save(provider)
    audit_event("provider.created", actor=by, subject=provider)
    return provider


@transaction.atomic
def provider_update(*, provider: Provider, by: User, **fields) -> Provider:
    """Update a provider profile; a provider may change only PROVIDER_SELF_EDITABLE_FIELDS."""
    _check_manages(provider=provider, by=by)
    allowed = PROVIDER_PROFILE_FIELDS if by.role == Role.ADMIN else PROVIDER_SELF_EDITABLE_FIELDS
    refused = sorted(set(fields) - set(allowed))
    if refused:
        raise ApplicationError(
            "Some fields cannot be changed here.",
            code="read_only_field",
            fields={name: ["This field cannot be changed here."] for name in refused},
        )
    if "languages" in fields:
        fields["languages"] = _normalise_languages(fields["languages"])
    for name, value in fields.items():
        setattr(provider, name, value)
    _validated_save(provider)
    audit_event("provider.updated", actor=by, subject=provider, details={"fields": sorted(fields)})
    return provider


@transaction.atomic
def provider_calendar_token_rotate(*, provider: Provider, by: User | None = None) -> Provider:
    """Issue a new private iCal feed token: the old feed URL stops working at once."""
    if by is not None:
        _check_manages(provider=provider, by=by)
    provider.calendar_token = calendar_token_new()
    provider.save(update_fields=["calendar_token", "updated_at"])
    audit_event("provider.calendar_token_rotated", actor=by, subject=provider)
    return provider


def _check_visit_type_fields(fields: dict) -> None:
    unknown = sorted(set(fields) - set(VISIT_TYPE_FIELDS))
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Unknown field."] for name in unknown}
        )


@transaction.atomic
def visit_type_create(
    *, provider: Provider, by: User, name: str, duration_minutes: int, **fields
) -> VisitType:
    _check_manages(provider=provider, by=by)
    _check_visit_type_fields(fields)
    visit_type = VisitType(
        provider=provider, name=name, duration_minutes=duration_minutes, **fields
    )
    _validated_save(visit_type)
    audit_event("visit_type.created", actor=by, subject=visit_type)
    return visit_type


@transaction.atomic
def visit_type_update(*, visit_type: VisitType, by: User, **fields) -> VisitType:
    """Change a visit type. Booked appointments keep their times (their end does not move)."""
    _check_manages(provider=visit_type.provider, by=by)
    _check_visit_type_fields(fields)
    for name, value in fields.items():
        setattr(visit_type, name, value)
    _validated_save(visit_type)
    audit_event("visit_type.updated", actor=by, subject=visit_type)
    return visit_type


@transaction.atomic
def visit_type_delete(*, visit_type: VisitType, by: User) -> None:
    """Delete a visit type never used; one with appointments is deactivated instead."""
    _check_manages(provider=visit_type.provider, by=by)
    if visit_type.appointments.exists() or visit_type.waitlist_entries.exists():
        visit_type.active = False
        visit_type.save(update_fields=["active"])
        audit_event("visit_type.deactivated", actor=by, subject=visit_type)
        return
    audit_event("visit_type.deleted", actor=by, subject=visit_type)
    visit_type.delete()


def _check_window_visit_types(provider: Provider, visit_types) -> list[VisitType]:
    visit_types = list(visit_types or [])
    if any(visit_type.provider_id != provider.pk for visit_type in visit_types):
        raise ApplicationError(
            "A window can only list this provider's visit types.",
            code="invalid_visit_type",
            fields={"visit_types": ["Not a visit type of this provider."]},
        )
    return visit_types


def _check_window_overlap(window: AvailabilityWindow) -> None:
    clash = (
        AvailabilityWindow.objects.filter(
            provider=window.provider,
            weekday=window.weekday,
            start_time__lt=window.end_time,
            end_time__gt=window.start_time,
        )
        .exclude(pk=window.pk)
        .exists()
    )
    if clash:
        raise ConflictError(
            "This window overlaps another window on the same day.", code="window_overlap"
        )


@transaction.atomic
def availability_window_create(
    *,
    provider: Provider,
    by: User,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    location: str = "",
    visit_types=None,
) -> AvailabilityWindow:
    """Add a weekly window (local wall-clock time). Windows on one day may not overlap."""
    _check_manages(provider=provider, by=by)
    visit_types = _check_window_visit_types(provider, visit_types)
    if end_time <= start_time:
        raise ApplicationError(
            "The end must be after the start.",
            code="invalid_times",
            fields={"end_time": ["Must be after the start time."]},
        )
    window = AvailabilityWindow(
        provider=provider,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        location=location or provider.location,
    )
    _check_window_overlap(window)
    _validated_save(window)
    window.visit_types.set(visit_types)
    audit_event("availability.created", actor=by, subject=provider)
    return window


@transaction.atomic
def availability_window_update(
    *, window: AvailabilityWindow, by: User, visit_types=None, **fields
) -> AvailabilityWindow:
    """Change a weekly window; appointments already booked in it stay booked."""
    _check_manages(provider=window.provider, by=by)
    unknown = sorted(set(fields) - {"weekday", "start_time", "end_time", "location"})
    if unknown:
        raise ApplicationError(
            "Unknown fields.", fields={name: ["Unknown field."] for name in unknown}
        )
    if "location" in fields and not fields["location"]:
        fields["location"] = window.provider.location  # as when the window was added
    for name, value in fields.items():
        setattr(window, name, value)
    if window.end_time <= window.start_time:
        raise ApplicationError(
            "The end must be after the start.",
            code="invalid_times",
            fields={"end_time": ["Must be after the start time."]},
        )
    _check_window_overlap(window)
    _validated_save(window)
    if visit_types is not None:
        window.visit_types.set(_check_window_visit_types(window.provider, visit_types))
    audit_event("availability.updated", actor=by, subject=window.provider)
    return window


@transaction.atomic
def availability_window_delete(*, window: AvailabilityWindow, by: User) -> None:
    """Remove a weekly window. Appointments already booked in it stay booked."""
    _check_manages(provider=window.provider, by=by)
    audit_event("availability.deleted", actor=by, subject=window.provider)
    window.delete()


@transaction.atomic
def time_off_create(
    *,
    provider: Provider,
    by: User,
    start: datetime.datetime,
    end: datetime.datetime,
    kind: str = TimeOff.Kind.TIME_OFF,
    reason: str = "",
) -> TimeOff:
    """Block time off (or add extra hours). Booked appointments in it are left for the
    provider to move: the result's `.clashing_appointments` counts them."""
    _check_manages(provider=provider, by=by)
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ApplicationError("Give times with their UTC offset.", code="naive_datetime")
    if end <= start:
        raise ApplicationError(
            "The end must be after the start.",
            code="invalid_times",
            fields={"end": ["Must be after the start."]},
        )
    block = TimeOff(provider=provider, start=start, end=end, kind=kind, reason=reason)
    _validated_save(block)
    from appointments.models import LIVE_STATUSES

    block.clashing_appointments = (
        provider.appointments.filter(status__in=LIVE_STATUSES, start__lt=end, end__gt=start).count()
        if kind == TimeOff.Kind.TIME_OFF
        else 0
    )
    audit_event("time_off.created", actor=by, subject=provider, details={"kind": kind})
    return block


@transaction.atomic
def time_off_delete(*, time_off: TimeOff, by: User, now: datetime.datetime | None = None) -> None:
    """Remove a block. Freed time off goes to the waitlist; removed extra hours keep bookings."""
    now = now or timezone.now()
    _check_manages(provider=time_off.provider, by=by)
    provider, start, end, kind = time_off.provider, time_off.start, time_off.end, time_off.kind
    time_off.delete()
    audit_event("time_off.deleted", actor=by, subject=provider, details={"kind": kind})
    if kind == TimeOff.Kind.TIME_OFF and end > now:
        from appointments.services import waitlist_offer_freed_time_queue

        waitlist_offer_freed_time_queue(provider=provider, start=start, end=end, now=now)
