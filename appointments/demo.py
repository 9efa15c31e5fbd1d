"""Demo appointments: past visits (completed, a no-show, a cancellation), upcoming bookings, a
pending request and a waitlist entry (idempotent: nothing is added once demo appointments exist)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from appointments import services
from appointments.models import Appointment, AppointmentStatus, Via
from appointments.slots import slot_list
from patients import demo as patients_demo
from patients.models import Patient
from patients.services import care_team_grant
from providers import demo as providers_demo
from providers.models import Provider

PATIENT_EMAILS = ["alice@medora.demo", "bob@medora.demo", "carol@medora.demo"]
PROVIDER_EMAILS = ["dr.lee@medora.demo", "dr.patel@medora.demo"]


def _free_slots(provider, visit_type, *, days_ahead: int, patient=None):
    start = timezone.now().astimezone(provider.zone).date() + datetime.timedelta(days=days_ahead)
    return slot_list(
        provider=provider,
        visit_type=visit_type,
        start_date=start,
        end_date=start + datetime.timedelta(days=7),
        patient=patient,
    )


def _past(provider, patient, visit_type, *, days_ago: int, hour: int, status: str, created_by):
    """A past visit written directly: the booking rules (notice) do not apply to history."""
    day = timezone.now().astimezone(provider.zone).date() - datetime.timedelta(days=days_ago)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(hour), tzinfo=provider.zone).astimezone(
        datetime.UTC
    )
    Appointment.objects.create(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        start=start,
        end=start + datetime.timedelta(minutes=visit_type.duration_minutes),
        reason="Routine follow-up",
        status=status,
        created_by=created_by,
        via=Via.PORTAL,
        cancelled_by=created_by if status == AppointmentStatus.CANCELLED else None,
        cancelled_at=start - datetime.timedelta(days=2)
        if status == AppointmentStatus.CANCELLED
        else None,
        cancel_reason="Feeling better" if status == AppointmentStatus.CANCELLED else "",
    )
    care_team_grant(patient=patient, provider=provider, reason="appointment")


@transaction.atomic
def seed(*, stdout) -> None:
    patients_demo.seed(stdout=stdout)
    providers_demo.seed(stdout=stdout)
    patients = list(
        Patient.objects.filter(user__email__in=PATIENT_EMAILS)
        .select_related("user")
        .order_by("user__email")
    )
    providers = list(
        Provider.objects.filter(user__email__in=PROVIDER_EMAILS).order_by("user__email")
    )
    if len(patients) < 3 or len(providers) < 2:
        stdout.write("appointments: demo patients or providers missing, skipped")
        return
    if Appointment.objects.filter(patient__in=patients).exists():
        stdout.write("appointments: demo appointments already present")
        return
    alice, bob, carol = patients
    lee, patel = providers
    types = {
        (vt.provider_id, vt.name): vt for vt in lee.visit_types.all() | patel.visit_types.all()
    }
    follow_up_lee = types[(lee.pk, "Follow-up visit")]
    follow_up_patel = types[(patel.pk, "Follow-up visit")]
    new_patient_patel = types[(patel.pk, "New patient consultation")]
    video_lee = types[(lee.pk, "Video check-in")]

    # History: the last few weeks.
    _past(
        lee,
        alice,
        follow_up_lee,
        days_ago=21,
        hour=9,
        status=AppointmentStatus.COMPLETED,
        created_by=alice.user,
    )
    _past(
        lee,
        bob,
        follow_up_lee,
        days_ago=14,
        hour=10,
        status=AppointmentStatus.COMPLETED,
        created_by=bob.user,
    )
    _past(
        lee,
        carol,
        follow_up_lee,
        days_ago=10,
        hour=11,
        status=AppointmentStatus.NO_SHOW,
        created_by=carol.user,
    )
    _past(
        patel,
        alice,
        follow_up_patel,
        days_ago=7,
        hour=14,
        status=AppointmentStatus.COMPLETED,
        created_by=alice.user,
    )
    _past(
        patel,
        bob,
        follow_up_patel,
        days_ago=3,
        hour=15,
        status=AppointmentStatus.CANCELLED,
        created_by=bob.user,
    )

    # Upcoming, through the booking service so every rule holds.
    services.appointment_book(
        patient=alice, provider=lee, visit_type=follow_up_lee,
        start=_free_slots(lee, follow_up_lee, days_ahead=2)[0].start,
        reason="Blood pressure review", by=alice.user, via=Via.PORTAL,
    )  # fmt: skip
    services.appointment_book(
        patient=bob, provider=lee, visit_type=video_lee,
        start=_free_slots(lee, video_lee, days_ahead=3)[2].start,
        reason="Test results", by=bob.user, via=Via.PORTAL,
    )  # fmt: skip
    services.appointment_book(
        patient=alice, provider=patel, visit_type=follow_up_patel,
        start=_free_slots(patel, follow_up_patel, days_ahead=5)[4].start,
        reason="Cardiology follow-up", by=alice.user, via=Via.PORTAL,
    )  # fmt: skip
    # A pending request for Dr. Patel to confirm.
    services.appointment_book(
        patient=carol, provider=patel, visit_type=new_patient_patel,
        start=_free_slots(patel, new_patient_patel, days_ahead=4)[0].start,
        reason="Palpitations", by=carol.user, via=Via.PORTAL,
    )  # fmt: skip
    # Carol would like an earlier follow-up with Dr. Lee.
    today = timezone.now().astimezone(lee.zone).date()
    services.waitlist_join(
        patient=carol, provider=lee, visit_type=follow_up_lee,
        earliest_date=today, latest_date=today + datetime.timedelta(days=14), by=carol.user,
    )  # fmt: skip
    stdout.write(
        "appointments: demo history, bookings, a pending request and a waitlist entry created"
    )
