"""Every write on appointments and the waitlist. The one place the booking rules live.

Rules: a patient books only for themselves and only visit types they may book online; a
provider books, confirms and runs visits on their own schedule (booking only for patients on
their care team); an admin may do everything. A booking lies inside the provider's availability
(or extra hours), not in time off, at least APPOINTMENT_MIN_NOTICE_MINUTES ahead (for patients)
and within APPOINTMENT_HORIZON_DAYS. No provider and no patient holds two overlapping live
appointments: checked under a row lock on the provider and the patient (works on SQLite too);
on PostgreSQL the exclusion constraints are the final guard (IntegrityError → 409).
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from accounts.audit import audit_event
from accounts.models import Role, User
from appointments import slots as slot_engine
from appointments.models import (
    LIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    Via,
    WaitlistEntry,
    WaitlistOffer,
)
from appointments.tasks import (
    appointment_notify,
    enqueue_on_commit,
    waitlist_offer_freed_time,
    waitlist_offer_notify,
)
from config.api import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from patients.models import Patient
from patients.services import care_team_grant, care_team_has
from providers.models import BookingPolicy, Provider, VisitMode, VisitType

CONFLICT_MESSAGES = {
    "slot_taken": "This time is no longer available. Please pick another slot.",
    "patient_busy": "The patient already has an appointment at this time.",
    "slot_held": "This time is being held for someone on the waitlist. Please pick another slot.",
}


def _queue_notification(appointment: Appointment, event: str) -> None:
    enqueue_on_commit(appointment_notify, str(appointment.public_id), event)


def waitlist_offer_freed_time_queue(
    *,
    provider: Provider,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None,
) -> None:
    """After commit, offer [start, end) to the waitlist (a Celery task: the request that freed
    the time does not wait for it, and cannot fail because of it). Other apps that free a
    provider's time (time off removed) call this too."""
    enqueue_on_commit(
        waitlist_offer_freed_time,
        str(provider.public_id),
        start.isoformat(),
        end.isoformat(),
        now.isoformat() if now else None,
    )


def _is_staff_for(by: User, provider: Provider) -> bool:
    """Whether `by` acts for the clinic on this provider's schedule (the provider or an admin)."""
    return by.role == Role.ADMIN or (by.role == Role.PROVIDER and provider.user_id == by.pk)


def _check_may_book(*, by: User, patient: Patient, provider: Provider) -> None:
    if by.role == Role.ADMIN:
        return
    if by.role == Role.PATIENT:
        if patient.user_id != by.pk:
            raise NotFoundError("Patient not found.")
        return
    if by.role == Role.PROVIDER:
        if provider.user_id != by.pk:
            raise ForbiddenError(
                "Providers book only on their own schedule.", code="not_your_schedule"
            )
        if not care_team_has(patient=patient, provider=provider):
            raise NotFoundError("Patient not found.")
        return
    raise ForbiddenError("Not allowed.")


def _check_visit_type(*, provider: Provider, visit_type: VisitType, by: User) -> None:
    if visit_type.provider_id != provider.pk or not visit_type.active:
        raise ApplicationError(
            "This visit type is not offered by this provider.", code="invalid_visit_type"
        )
    if by.role == Role.PATIENT and visit_type.booking_policy == BookingPolicy.NOT_ONLINE:
        raise ApplicationError(
            "This visit type cannot be booked online. Please call the clinic.",
            code="not_bookable_online",
        )


def _lock(provider: Provider, patient: Patient) -> None:
    # Always provider first, then patient: one order, so two bookings never deadlock.
    Provider.objects.select_for_update().only("pk").get(pk=provider.pk)
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)


def _check_time(
    *,
    provider: Provider,
    patient: Patient,
    visit_type: VisitType,
    start: datetime.datetime,
    end: datetime.datetime,
    by: User,
    now: datetime.datetime,
    ignore_appointment_ids: set[int] = frozenset(),
    ignore_offer_id: int | None = None,
    enforce_notice: bool = True,
) -> None:
    """Raise the first broken rule for booking [start, end): 400 for rules, 409 for conflicts."""
    if timezone.is_naive(start):
        raise ApplicationError("Give the start time with its UTC offset.", code="naive_datetime")
    # The clinic may fit someone in at short notice; patients book at least the notice ahead.
    needs_notice = enforce_notice and by.role == Role.PATIENT
    min_start = now + (slot_engine.notice() if needs_notice else datetime.timedelta(0))
    if start < min_start:
        raise ApplicationError(
            "This time is too soon to book online."
            if needs_notice
            else "This time is in the past.",
            code="too_soon",
        )
    if start > now + slot_engine.horizon():
        raise ApplicationError(
            f"Appointments can be booked up to {settings.APPOINTMENT_HORIZON_DAYS} days ahead.",
            code="beyond_horizon",
        )
    local_day = start.astimezone(provider.zone).date()
    schedule = slot_engine.schedule_load(
        provider=provider,
        start_date=local_day - datetime.timedelta(days=1),
        end_date=local_day + datetime.timedelta(days=1),
        now=now,
    )
    reason = slot_engine.blocking_reason(
        schedule,
        visit_type=visit_type,
        start=start,
        end=end,
        patient_id=patient.pk,
        ignore_appointment_ids=ignore_appointment_ids,
        ignore_offer_id=ignore_offer_id,
    )
    if reason == "time_off":
        raise ApplicationError("The provider is away at this time.", code="time_off")
    if not slot_engine.within_availability(schedule, visit_type=visit_type, start=start, end=end):
        raise ApplicationError(
            "This time is outside the provider's availability for this visit type.",
            code="outside_availability",
        )
    if reason:
        raise ConflictError(CONFLICT_MESSAGES[reason], code=reason)
    patient_busy = (
        Appointment.objects.filter(
            patient=patient, status__in=LIVE_STATUSES, start__lt=end, end__gt=start
        )
        .exclude(pk__in=ignore_appointment_ids)
        .exists()
    )
    if patient_busy:
        raise ConflictError(CONFLICT_MESSAGES["patient_busy"], code="patient_busy")


def _video_link(visit_type: VisitType) -> str:
    if visit_type.mode != VisitMode.VIDEO:
        return ""
    return f"{settings.APPOINTMENT_VIDEO_URL_BASE.rstrip('/')}/{secrets.token_urlsafe(16)}"


def _appointment_create(
    *,
    patient: Patient,
    provider: Provider,
    visit_type: VisitType,
    start: datetime.datetime,
    reason: str,
    by: User,
    via: str,
    status: str,
    now: datetime.datetime,
    ignore_appointment_ids: set[int] = frozenset(),
    ignore_offer_id: int | None = None,
    rescheduled_from: Appointment | None = None,
    enforce_notice: bool = True,
) -> Appointment:
    """Check the rules and insert, inside the caller's transaction and locks."""
    if timezone.is_naive(start):
        raise ApplicationError("Give the start time with its UTC offset.", code="naive_datetime")
    start = start.astimezone(datetime.UTC)
    end = start + datetime.timedelta(minutes=visit_type.duration_minutes)
    if (
        by.role == Role.PATIENT
        and not provider.accepting_new_patients
        and not care_team_has(patient=patient, provider=provider)
    ):
        raise ApplicationError(
            "This provider is not accepting new patients.", code="not_accepting_new_patients"
        )
    _check_time(
        provider=provider,
        patient=patient,
        visit_type=visit_type,
        start=start,
        end=end,
        by=by,
        now=now,
        ignore_appointment_ids=ignore_appointment_ids,
        ignore_offer_id=ignore_offer_id,
        enforce_notice=enforce_notice,
    )
    appointment = Appointment(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        start=start,
        end=end,
        reason=reason,
        status=status,
        video_link=_video_link(visit_type),
        created_by=by,
        via=via,
        rescheduled_from=rescheduled_from,
    )
    try:
        with transaction.atomic():
            appointment.save()
    except IntegrityError:
        # The exclusion constraint caught a concurrent booking that the lock did not.
        raise ConflictError(CONFLICT_MESSAGES["slot_taken"], code="slot_taken") from None
    care_team_grant(patient=patient, provider=provider, by=by, reason="appointment")
    return appointment


def _policy_status(*, visit_type: VisitType, by: User) -> str:
    if by.role == Role.PATIENT and visit_type.booking_policy == BookingPolicy.REQUEST_ONLY:
        return AppointmentStatus.REQUESTED
    return AppointmentStatus.BOOKED


def _appointment_enter(
    *,
    patient: Patient,
    provider: Provider,
    visit_type: VisitType,
    start: datetime.datetime,
    reason: str,
    by: User,
    via: str,
    status: str,
    now: datetime.datetime,
) -> Appointment:
    """Insert a checked booking or request under the locks, audit it and queue its emails."""
    _lock(provider, patient)
    appointment = _appointment_create(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        start=start,
        reason=reason,
        by=by,
        via=via,
        status=status,
        now=now,
    )
    event = "requested" if status == AppointmentStatus.REQUESTED else "booked"
    audit_event(f"appointment.{event}", actor=by, subject=appointment, details={"via": via})
    _queue_notification(appointment, event)
    return appointment


@transaction.atomic
def appointment_request(
    *,
    patient: Patient,
    provider: Provider,
    visit_type: VisitType,
    start: datetime.datetime,
    reason: str = "",
    by: User,
    via: str = Via.PORTAL,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Ask for a time: the appointment holds it as "requested" until the provider confirms."""
    _check_may_book(by=by, patient=patient, provider=provider)
    _check_visit_type(provider=provider, visit_type=visit_type, by=by)
    return _appointment_enter(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        start=start,
        reason=reason,
        by=by,
        via=via,
        status=AppointmentStatus.REQUESTED,
        now=now or timezone.now(),
    )


@transaction.atomic
def appointment_book(
    *,
    patient: Patient,
    provider: Provider,
    visit_type: VisitType,
    start: datetime.datetime,
    reason: str = "",
    by: User,
    via: str = Via.PORTAL,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Book a visit (or, for a patient and a request-only visit type, request it).

    Patients may not book "not online" visit types; providers and admins may book any type.
    The patient's care team gains the provider in the same transaction.
    """
    _check_may_book(by=by, patient=patient, provider=provider)
    _check_visit_type(provider=provider, visit_type=visit_type, by=by)
    return _appointment_enter(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        start=start,
        reason=reason,
        by=by,
        via=via,
        status=_policy_status(visit_type=visit_type, by=by),
        now=now or timezone.now(),
    )


def _locked(appointment: Appointment) -> Appointment:
    """Re-read the appointment under a row lock so that two transitions never race."""
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("provider", "patient", "visit_type")
        .get(pk=appointment.pk)
    )


def _transition(
    appointment: Appointment,
    *,
    by: User,
    allowed_from: tuple[str, ...],
    action: str,
) -> Appointment:
    if not _is_staff_for(by, appointment.provider):
        if by.role == Role.PATIENT and appointment.patient.user_id == by.pk:
            raise ForbiddenError(
                f"Only the clinic can do this (appointment {action}).", code="permission_denied"
            )
        raise NotFoundError("Appointment not found.")
    if appointment.status not in allowed_from:
        raise ConflictError(
            f"This appointment is {appointment.get_status_display().lower()}: "
            f"it cannot be {action}.",
            code="invalid_status",
        )
    return appointment


@transaction.atomic
def appointment_confirm(*, appointment: Appointment, by: User) -> Appointment:
    """The provider (or an admin) accepts a requested appointment."""
    appointment = _locked(appointment)
    _transition(appointment, by=by, allowed_from=(AppointmentStatus.REQUESTED,), action="confirmed")
    appointment.status = AppointmentStatus.BOOKED
    appointment.save(update_fields=["status", "updated_at"])
    audit_event("appointment.confirmed", actor=by, subject=appointment)
    _queue_notification(appointment, "confirmed")
    return appointment


def _release(appointment: Appointment, *, by: User, reason: str, now: datetime.datetime) -> None:
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = by
    appointment.cancel_reason = reason[:200]
    appointment.cancelled_at = now
    appointment.save(
        update_fields=["status", "cancelled_by", "cancel_reason", "cancelled_at", "updated_at"]
    )


def _offer_freed_time(appointment: Appointment, *, now: datetime.datetime) -> None:
    if appointment.start > now:
        waitlist_offer_freed_time_queue(
            provider=appointment.provider, start=appointment.start, end=appointment.end, now=now
        )


@transaction.atomic
def appointment_decline(
    *, appointment: Appointment, by: User, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """The provider (or an admin) turns down a requested appointment; its time is freed."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _transition(appointment, by=by, allowed_from=(AppointmentStatus.REQUESTED,), action="declined")
    _release(appointment, by=by, reason=reason or "declined", now=now)
    audit_event("appointment.declined", actor=by, subject=appointment)
    _queue_notification(appointment, "declined")
    _offer_freed_time(appointment, now=now)
    return appointment


# What a patient may still cancel or reschedule online (until the deadline below).
CHANGEABLE_STATUSES = (AppointmentStatus.REQUESTED, AppointmentStatus.BOOKED)


def appointment_change_deadline(*, appointment: Appointment) -> datetime.datetime | None:
    """Until when the patient may cancel or reschedule online; None when it cannot change."""
    if appointment.status not in CHANGEABLE_STATUSES:
        return None
    return appointment.start - datetime.timedelta(hours=settings.APPOINTMENT_CANCEL_CUTOFF_HOURS)


def _check_patient_cutoff(appointment: Appointment, *, by: User, now, action: str) -> None:
    """Patients may cancel or reschedule only up to the cut-off; the clinic any time."""
    if _is_staff_for(by, appointment.provider):
        return
    if by.role != Role.PATIENT or appointment.patient.user_id != by.pk:
        raise NotFoundError("Appointment not found.")
    deadline = appointment_change_deadline(appointment=appointment)
    if deadline is not None and now > deadline:
        raise ApplicationError(
            f"Appointments can be {action} online up to {settings.APPOINTMENT_CANCEL_CUTOFF_HOURS} "
            "hours before they start. Please call the clinic.",
            code="past_cutoff",
        )


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by: User, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """Cancel a requested or booked appointment; its time goes to the waitlist.

    Patients may cancel their own up to APPOINTMENT_CANCEL_CUTOFF_HOURS before the start.
    """
    now = now or timezone.now()
    appointment = _locked(appointment)
    _check_patient_cutoff(appointment, by=by, now=now, action="cancelled")
    if appointment.status not in CHANGEABLE_STATUSES:
        raise ConflictError(
            f"An appointment that is {appointment.get_status_display().lower()} cannot be cancelled.",
            code="invalid_status",
        )
    _release(appointment, by=by, reason=reason, now=now)
    audit_event("appointment.cancelled", actor=by, subject=appointment)
    _queue_notification(appointment, "cancelled")
    _offer_freed_time(appointment, now=now)
    return appointment


@transaction.atomic
def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime.datetime,
    by: User,
    now: datetime.datetime | None = None,
) -> Appointment:
    """Move an appointment to a new start in one step: the old time is released only if the new
    one is booked (any refusal leaves everything as it was). Returns the new appointment."""
    now = now or timezone.now()
    old = _locked(appointment)
    _check_patient_cutoff(old, by=by, now=now, action="rescheduled")
    if old.status not in CHANGEABLE_STATUSES:
        raise ConflictError(
            f"An appointment that is {old.get_status_display().lower()} cannot be rescheduled.",
            code="invalid_status",
        )
    _check_visit_type(provider=old.provider, visit_type=old.visit_type, by=by)
    _lock(old.provider, old.patient)
    status = (
        AppointmentStatus.REQUESTED
        if old.status == AppointmentStatus.REQUESTED
        else _policy_status(visit_type=old.visit_type, by=by)
    )
    # Free the old time first (the database would otherwise see the new time overlap it); any
    # refusal below raises and rolls the whole transaction back, so the old booking stays.
    _release(old, by=by, reason="rescheduled", now=now)
    new = _appointment_create(
        patient=old.patient,
        provider=old.provider,
        visit_type=old.visit_type,
        start=start,
        reason=old.reason,
        by=by,
        via=old.via,
        status=status,
        now=now,
        ignore_appointment_ids={old.pk},
        rescheduled_from=old,
    )
    audit_event(
        "appointment.rescheduled", actor=by, subject=new, details={"from": str(old.public_id)}
    )
    _queue_notification(new, "rescheduled")
    _offer_freed_time(old, now=now)
    return new


# When the clinic's visit steps open: check-in on the day (from this long before the start);
# complete and no-show once the visit has started.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=12)
VISIT_STEPS = {
    AppointmentStatus.REQUESTED: ("confirm", "decline"),
    AppointmentStatus.BOOKED: ("check-in", "complete", "no-show"),
    AppointmentStatus.CHECKED_IN: ("complete",),
}


def appointment_visit_steps(*, appointment: Appointment, now: datetime.datetime) -> tuple[str, ...]:
    """The steps the clinic may take on `appointment` at `now`: the same rules the services
    below enforce, so that pages offer only buttons that will work."""
    steps = VISIT_STEPS.get(appointment.status, ())
    if appointment.start - now > CHECK_IN_OPENS_BEFORE:
        steps = tuple(step for step in steps if step != "check-in")
    if appointment.start > now:
        steps = tuple(step for step in steps if step not in ("complete", "no-show"))
    return steps


@transaction.atomic
def appointment_check_in(
    *, appointment: Appointment, by: User, now: datetime.datetime | None = None
) -> Appointment:
    """The patient has arrived (the same local day as the visit, or later)."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _transition(appointment, by=by, allowed_from=(AppointmentStatus.BOOKED,), action="checked in")
    if appointment.start - now > CHECK_IN_OPENS_BEFORE:
        raise ApplicationError("Check-in opens on the day of the visit.", code="too_early")
    appointment.status = AppointmentStatus.CHECKED_IN
    appointment.save(update_fields=["status", "updated_at"])
    audit_event("appointment.checked_in", actor=by, subject=appointment)
    return appointment


@transaction.atomic
def appointment_complete(
    *, appointment: Appointment, by: User, now: datetime.datetime | None = None
) -> Appointment:
    """The visit took place (from checked in, or booked when check-in was skipped)."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _transition(
        appointment,
        by=by,
        allowed_from=(AppointmentStatus.CHECKED_IN, AppointmentStatus.BOOKED),
        action="completed",
    )
    if appointment.start > now:
        raise ApplicationError("A visit can be completed once it has started.", code="too_early")
    appointment.status = AppointmentStatus.COMPLETED
    appointment.save(update_fields=["status", "updated_at"])
    audit_event("appointment.completed", actor=by, subject=appointment)
    return appointment


@transaction.atomic
def appointment_mark_no_show(
    *, appointment: Appointment, by: User, now: datetime.datetime | None = None
) -> Appointment:
    """The patient did not come: only a booked appointment whose start has passed."""
    now = now or timezone.now()
    appointment = _locked(appointment)
    _transition(
        appointment, by=by, allowed_from=(AppointmentStatus.BOOKED,), action="marked as a no-show"
    )
    if appointment.start > now:
        raise ApplicationError(
            "A no-show can be recorded once the visit has started.", code="too_early"
        )
    appointment.status = AppointmentStatus.NO_SHOW
    appointment.save(update_fields=["status", "updated_at"])
    audit_event("appointment.no_show", actor=by, subject=appointment)
    return appointment


# --- Waitlist ---------------------------------------------------------------------------


@transaction.atomic
def waitlist_join(
    *,
    patient: Patient,
    provider: Provider,
    visit_type: VisitType,
    earliest_date: datetime.date,
    latest_date: datetime.date,
    by: User,
    now: datetime.datetime | None = None,
) -> WaitlistEntry:
    """Ask to be offered a time with this provider between two dates when one frees up."""
    now = now or timezone.now()
    if by.role == Role.PATIENT and patient.user_id != by.pk:
        raise NotFoundError("Patient not found.")
    if by.role == Role.PROVIDER:
        _check_may_book(by=by, patient=patient, provider=provider)
    _check_visit_type(provider=provider, visit_type=visit_type, by=by)
    today = now.astimezone(provider.zone).date()
    if latest_date < earliest_date:
        raise ApplicationError(
            "The latest date must be on or after the earliest date.",
            code="invalid_dates",
            fields={"latest_date": ["Must be on or after the earliest date."]},
        )
    if latest_date < today:
        raise ApplicationError("These dates are in the past.", code="invalid_dates")
    if earliest_date > (now + slot_engine.horizon()).date():
        raise ApplicationError(
            f"The waitlist covers up to {settings.APPOINTMENT_HORIZON_DAYS} days ahead.",
            code="beyond_horizon",
        )
    Patient.objects.select_for_update().only("pk").get(pk=patient.pk)
    if WaitlistEntry.objects.filter(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED),
    ).exists():
        raise ConflictError(
            "You are already on this provider's waitlist for this visit type.",
            code="already_waitlisted",
        )
    entry = WaitlistEntry.objects.create(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        earliest_date=max(earliest_date, today),
        latest_date=latest_date,
    )
    audit_event("waitlist.joined", actor=by, subject=entry)
    return entry


@transaction.atomic
def waitlist_leave(
    *, entry: WaitlistEntry, by: User, now: datetime.datetime | None = None
) -> WaitlistEntry:
    """Leave the waitlist; a slot held for this entry passes to the next in line."""
    now = now or timezone.now()
    entry = (
        WaitlistEntry.objects.select_for_update()
        .select_related("patient", "provider")
        .get(pk=entry.pk)
    )
    if not (
        by.role == Role.ADMIN
        or entry.patient.user_id == by.pk
        or (by.role == Role.PROVIDER and entry.provider.user_id == by.pk)
    ):
        raise NotFoundError("Waitlist entry not found.")
    if entry.status not in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
        raise ConflictError("This waitlist entry is no longer active.", code="invalid_status")
    entry.status = WaitlistEntry.Status.CANCELLED
    entry.save(update_fields=["status", "updated_at"])
    for offer in entry.offers.filter(status=WaitlistOffer.Status.OFFERED):
        offer.status = WaitlistOffer.Status.DECLINED
        offer.save(update_fields=["status"])
        waitlist_offer_freed_time_queue(
            provider=entry.provider, start=offer.start, end=offer.end, now=now
        )
    audit_event("waitlist.left", actor=by, subject=entry)
    return entry


def waitlist_offer_next(
    *,
    provider: Provider,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime | None = None,
) -> WaitlistOffer | None:
    """Offer freed time [start, end) to the earliest waiting patient it suits.

    The first free slot of the entry's visit type inside [start, end) and inside the entry's
    dates is held for WAITLIST_HOLD_MINUTES; nobody else can book it meanwhile. An entry is never
    offered the same start twice (so an expired hold passes on to the next in line).
    """
    now = now or timezone.now()
    with transaction.atomic():
        Provider.objects.select_for_update().only("pk").get(pk=provider.pk)
        entries = list(
            WaitlistEntry.objects.filter(provider=provider, status=WaitlistEntry.Status.WAITING)
            .select_related("visit_type", "patient")
            .prefetch_related(
                Prefetch(
                    "offers",
                    queryset=WaitlistOffer.objects.filter(start__gte=start, start__lt=end),
                    to_attr="offers_of_this_time",
                )
            )
            .order_by("created_at", "id")[:50]
        )
        zone = provider.zone
        first_day = max(start, now).astimezone(zone).date()
        last_day = end.astimezone(zone).date()
        if not entries or first_day > last_day:
            return None
        # One schedule and one busy-list for every entry: the queries do not grow with the list.
        schedule = slot_engine.schedule_load(
            provider=provider, start_date=first_day, end_date=last_day, now=now
        )
        patient_busy: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {}
        for patient_id, busy_start, busy_end in Appointment.objects.filter(
            patient__in=[entry.patient_id for entry in entries],
            status__in=LIVE_STATUSES,
            start__lt=end,
            end__gt=start,
        ).values_list("patient_id", "start", "end"):
            patient_busy.setdefault(patient_id, []).append((busy_start, busy_end))
        for entry in entries:
            from_day = max(first_day, entry.earliest_date)
            to_day = min(last_day, entry.latest_date)
            if from_day > to_day or not entry.visit_type.active:
                continue
            if entry.offers_of_this_time:
                continue  # already offered (and let go) this time
            busy = patient_busy.get(entry.patient_id, [])
            free = [
                slot
                for slot in slot_engine.slots_compute(
                    schedule,
                    visit_type=entry.visit_type,
                    start_date=from_day,
                    end_date=to_day,
                    now=now,
                )
                if start <= slot.start
                and slot.end <= end
                and not any(slot.start < b_end and b_start < slot.end for b_start, b_end in busy)
            ]
            if not free:
                continue
            slot = free[0]
            offer = WaitlistOffer.objects.create(
                entry=entry,
                start=slot.start,
                end=slot.end,
                hold_until=now + datetime.timedelta(minutes=settings.WAITLIST_HOLD_MINUTES),
            )
            entry.status = WaitlistEntry.Status.OFFERED
            entry.save(update_fields=["status", "updated_at"])
            audit_event("waitlist.offered", subject=entry, details={"offer": str(offer.public_id)})
            enqueue_on_commit(waitlist_offer_notify, str(offer.public_id))
            return offer
    return None


@transaction.atomic
def waitlist_claim(
    *, offer: WaitlistOffer, by: User, reason: str = "", now: datetime.datetime | None = None
) -> Appointment:
    """Book the held slot for the waitlisted patient (before the hold runs out)."""
    now = now or timezone.now()
    offer = (
        WaitlistOffer.objects.select_for_update(of=("self",))
        .select_related("entry__patient", "entry__provider", "entry__visit_type")
        .get(pk=offer.pk)
    )
    entry = offer.entry
    if not (by.role == Role.ADMIN or entry.patient.user_id == by.pk):
        raise NotFoundError("Offer not found.")
    if offer.status != WaitlistOffer.Status.OFFERED or offer.hold_until <= now:
        raise ConflictError("This offer has expired.", code="offer_expired")
    _lock(entry.provider, entry.patient)
    appointment = _appointment_create(
        patient=entry.patient,
        provider=entry.provider,
        visit_type=entry.visit_type,
        start=offer.start,
        reason=reason,
        by=by,
        via=Via.PORTAL if by.role == Role.PATIENT else Via.ADMIN,
        status=AppointmentStatus.BOOKED,
        now=now,
        ignore_offer_id=offer.pk,
        # The slot met the notice when it was offered; the hold keeps it claimable until expiry.
        enforce_notice=False,
    )
    offer.status = WaitlistOffer.Status.CLAIMED
    offer.appointment = appointment
    offer.save(update_fields=["status", "appointment"])
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status", "updated_at"])
    audit_event("waitlist.claimed", actor=by, subject=appointment)
    _queue_notification(appointment, "booked")
    return appointment


def waitlist_expire_holds(*, now: datetime.datetime | None = None) -> int:
    """Let unclaimed holds go and offer each slot to the next in line. Returns how many expired."""
    now = now or timezone.now()
    expired = 0
    offers = WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.OFFERED, hold_until__lte=now
    ).select_related("entry__provider")
    for offer in offers:
        with transaction.atomic():
            updated = WaitlistOffer.objects.filter(
                pk=offer.pk, status=WaitlistOffer.Status.OFFERED
            ).update(status=WaitlistOffer.Status.EXPIRED)
            if not updated:
                continue  # claimed or expired by a concurrent run
            entry = offer.entry
            today = now.astimezone(entry.provider.zone).date()
            entry.status = (
                WaitlistEntry.Status.EXPIRED
                if entry.latest_date < today
                else WaitlistEntry.Status.WAITING
            )
            entry.save(update_fields=["status", "updated_at"])
            expired += 1
        waitlist_offer_next(provider=entry.provider, start=offer.start, end=offer.end, now=now)
    # Entries whose dates have passed leave the list.
    WaitlistEntry.objects.filter(
        status=WaitlistEntry.Status.WAITING, latest_date__lt=now.date() - datetime.timedelta(days=1)
    ).update(status=WaitlistEntry.Status.EXPIRED, updated_at=now)
    return expired
