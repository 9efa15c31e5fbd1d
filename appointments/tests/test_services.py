import datetime

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.audit import audit_trail
from appointments import services
from appointments.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistOffer
from appointments.tests.factories import AppointmentFactory
from config.api import ApplicationError, ConflictError, ForbiddenError, NotFoundError
from patients.models import CareTeamChange
from patients.services import care_team_grant, care_team_has
from patients.tests.factories import PatientFactory
from providers.models import TimeOff
from providers.tests.factories import ProviderFactory, TimeOffFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
H = datetime.timedelta(hours=1)
M = datetime.timedelta(minutes=1)


def book(patient_user, doctor, visit_type, start, now, **kwargs):
    return services.appointment_book(
        patient=patient_user.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        start=start,
        reason="Headache",
        by=kwargs.pop("by", patient_user),
        now=now,
        **kwargs,
    )


def test_it_books_a_free_slot(patient, doctor, visit_type, tuesday_10am, now):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.end == tuesday_10am + 30 * M
    assert appointment.created_by == patient
    assert appointment.video_link == ""


@pytest.mark.parametrize(
    ("policy", "event"), [("self_book", "booked"), ("request_only", "requested")]
)
def test_it_audits_and_announces_a_booking_or_a_request_once(
    patient, doctor, visit_type, tuesday_10am, now, policy, event, monkeypatch
):
    visit_type.booking_policy = policy
    visit_type.save()
    queued = []
    monkeypatch.setattr(services, "enqueue_on_commit", lambda task, *args: queued.append(args))
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    assert appointment.status == event
    assert queued == [(str(appointment.public_id), event)]
    records = [
        record
        for record in audit_trail().recent(limit=50)
        if record.action.startswith("appointment.")
    ]
    assert [(record.action, record.details) for record in records] == [
        (f"appointment.{event}", {"via": "portal"})
    ]


def test_it_grants_the_care_team_when_booking(patient, doctor, visit_type, tuesday_10am, now):
    book(patient, doctor, visit_type, tuesday_10am, now)
    assert care_team_has(patient=patient.patient_profile, provider=doctor)
    change = CareTeamChange.objects.get()
    assert (change.action, change.provider, change.by) == ("grant", doctor, patient)


def test_it_gives_video_visits_a_link(patient, doctor, tuesday_10am, now):
    video = VisitTypeFactory(provider=doctor, mode="video")
    assert book(patient, doctor, video, tuesday_10am, now).video_link.startswith("https://")


def test_it_turns_a_request_only_booking_into_a_request(patient, doctor, tuesday_10am, now):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    assert (
        book(patient, doctor, request_only, tuesday_10am, now).status == AppointmentStatus.REQUESTED
    )


def test_it_lets_the_provider_book_a_request_only_type_directly(
    patient, provider, doctor, tuesday_10am, now
):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    care_team_grant(patient=patient.patient_profile, provider=doctor)
    appointment = book(patient, doctor, request_only, tuesday_10am, now, by=provider)
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (datetime.datetime(2026, 3, 2, 13, 0, tzinfo=UTC), "too_soon"),  # 1 h ahead
        (datetime.datetime(2026, 6, 2, 14, 0, tzinfo=UTC), "beyond_horizon"),  # 92 days ahead
        (datetime.datetime(2026, 3, 3, 12, 0, tzinfo=UTC), "outside_availability"),  # 07:00 local
        (
            datetime.datetime(2026, 3, 3, 21, 45, tzinfo=UTC),
            "outside_availability",
        ),  # runs past 17:00
        (datetime.datetime(2026, 3, 7, 15, 0, tzinfo=UTC), "outside_availability"),  # Saturday
    ],
)
def test_it_refuses_a_time_that_breaks_a_rule(patient, doctor, visit_type, now, start, code):
    with pytest.raises(ApplicationError) as error:
        book(patient, doctor, visit_type, start, now)
    assert error.value.code == code
    assert error.value.status_code == 400
    assert not Appointment.objects.exists()


def test_it_refuses_time_off(patient, doctor, visit_type, tuesday_10am, now):
    TimeOffFactory(provider=doctor, start=tuesday_10am - H, end=tuesday_10am + 2 * H)
    with pytest.raises(ApplicationError) as error:
        book(patient, doctor, visit_type, tuesday_10am, now)
    assert error.value.code == "time_off"


def test_it_allows_booking_in_extra_hours(patient, doctor, visit_type, now):
    saturday = datetime.datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
    TimeOffFactory(
        provider=doctor, kind=TimeOff.Kind.EXTRA_HOURS, start=saturday, end=saturday + 2 * H
    )
    assert book(patient, doctor, visit_type, saturday, now).status == AppointmentStatus.BOOKED


def test_it_refuses_not_online_visit_types_to_patients(patient, doctor, tuesday_10am, now):
    by_phone = VisitTypeFactory(provider=doctor, booking_policy="not_online")
    with pytest.raises(ApplicationError) as error:
        book(patient, doctor, by_phone, tuesday_10am, now)
    assert error.value.code == "not_bookable_online"


def test_it_lets_an_admin_book_a_not_online_visit_type(
    patient, admin_user, doctor, tuesday_10am, now
):
    by_phone = VisitTypeFactory(provider=doctor, booking_policy="not_online")
    assert book(patient, doctor, by_phone, tuesday_10am, now, by=admin_user).status == "booked"


def test_it_refuses_another_providers_visit_type(
    patient, doctor, other_provider, tuesday_10am, now
):
    foreign = VisitTypeFactory(provider=other_provider.provider_profile)
    with pytest.raises(ApplicationError) as error:
        book(patient, doctor, foreign, tuesday_10am, now)
    assert error.value.code == "invalid_visit_type"


def test_it_refuses_a_taken_slot_with_a_conflict(
    patient, other_patient, doctor, visit_type, tuesday_10am, now
):
    book(other_patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ConflictError) as error:
        book(patient, doctor, visit_type, tuesday_10am + 15 * M, now)
    assert error.value.code == "slot_taken"
    assert error.value.status_code == 409
    assert Appointment.objects.count() == 1


def test_it_refuses_a_slot_inside_the_buffer(patient, other_patient, doctor, tuesday_10am, now):
    buffered = VisitTypeFactory(provider=doctor, buffer_after_minutes=15)
    book(other_patient, doctor, buffered, tuesday_10am, now)
    with pytest.raises(ConflictError):
        book(patient, doctor, buffered, tuesday_10am + 35 * M, now)
    assert book(patient, doctor, buffered, tuesday_10am + 45 * M, now)


def test_it_refuses_a_patient_two_overlapping_appointments(
    patient, doctor, visit_type, other_provider, tuesday_10am, now
):
    AppointmentFactory(
        patient=patient.patient_profile,
        start=tuesday_10am,
        visit_type=VisitTypeFactory(provider=other_provider.provider_profile),
    )
    with pytest.raises(ConflictError) as error:
        book(patient, doctor, visit_type, tuesday_10am, now)
    assert error.value.code == "patient_busy"


def test_it_lets_a_cancelled_slot_be_booked_again(
    patient, other_patient, doctor, visit_type, tuesday_10am, now
):
    first = book(other_patient, doctor, visit_type, tuesday_10am, now)
    services.appointment_cancel(appointment=first, by=other_patient, now=now)
    assert book(patient, doctor, visit_type, tuesday_10am, now).status == "booked"


def test_it_refuses_a_patient_booking_for_someone_else(
    patient, other_patient, doctor, visit_type, tuesday_10am, now
):
    with pytest.raises(NotFoundError):
        book(other_patient, doctor, visit_type, tuesday_10am, now, by=patient)


def test_it_refuses_a_provider_booking_a_patient_off_their_care_team(
    patient, provider, doctor, visit_type, tuesday_10am, now
):
    with pytest.raises(NotFoundError):
        book(patient, doctor, visit_type, tuesday_10am, now, by=provider)


def test_it_refuses_a_provider_booking_on_another_schedule(
    patient, other_provider, doctor, visit_type, tuesday_10am, now
):
    with pytest.raises(ForbiddenError):
        book(patient, doctor, visit_type, tuesday_10am, now, by=other_provider)


def test_it_refuses_new_patients_when_the_provider_is_not_accepting(
    patient, doctor, visit_type, tuesday_10am, now
):
    doctor.accepting_new_patients = False
    doctor.save()
    with pytest.raises(ApplicationError) as error:
        book(patient, doctor, visit_type, tuesday_10am, now)
    assert error.value.code == "not_accepting_new_patients"


def test_it_lets_the_provider_book_with_less_notice(patient, provider, doctor, visit_type, now):
    care_team_grant(patient=patient.patient_profile, provider=doctor)
    nine_am = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    with pytest.raises(ApplicationError):
        book(patient, doctor, visit_type, nine_am, nine_am - 30 * M)
    assert (
        book(patient, doctor, visit_type, nine_am, nine_am - 30 * M, by=provider).status == "booked"
    )


def test_it_queues_the_notification_after_commit(
    patient, doctor, visit_type, tuesday_10am, now, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "appointments.notifications.appointment_event_notify",
        lambda *, appointment, event: sent.append((appointment.public_id, event)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    assert sent == [(appointment.public_id, "booked")]


# --- lifecycle -----------------------------------------------------------------------------


def test_it_confirms_a_request(patient, provider, doctor, tuesday_10am, now):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    appointment = book(patient, doctor, request_only, tuesday_10am, now)
    assert services.appointment_confirm(appointment=appointment, by=provider).status == "booked"


def test_it_declines_a_request_and_frees_the_time(patient, provider, doctor, tuesday_10am, now):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    appointment = book(patient, doctor, request_only, tuesday_10am, now)
    declined = services.appointment_decline(appointment=appointment, by=provider, now=now)
    assert (declined.status, declined.cancelled_by) == ("cancelled", provider)


def test_it_refuses_a_patient_confirming(patient, doctor, tuesday_10am, now):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    appointment = book(patient, doctor, request_only, tuesday_10am, now)
    with pytest.raises(ForbiddenError):
        services.appointment_confirm(appointment=appointment, by=patient)


def test_it_refuses_another_provider_confirming(patient, other_provider, doctor, tuesday_10am, now):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    appointment = book(patient, doctor, request_only, tuesday_10am, now)
    with pytest.raises(NotFoundError):
        services.appointment_confirm(appointment=appointment, by=other_provider)


def test_it_refuses_confirming_a_booked_appointment(
    patient, provider, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ConflictError) as error:
        services.appointment_confirm(appointment=appointment, by=provider)
    assert error.value.code == "invalid_status"


def test_it_lets_a_patient_cancel_before_the_cutoff(patient, doctor, visit_type, now):
    start = datetime.datetime(2026, 3, 4, 15, tzinfo=UTC)
    appointment = book(patient, doctor, visit_type, start, now)
    cancelled = services.appointment_cancel(
        appointment=appointment, by=patient, reason="Better", now=now
    )
    assert (cancelled.status, cancelled.cancel_reason, cancelled.cancelled_at) == (
        "cancelled",
        "Better",
        now,
    )


def test_it_refuses_a_patient_cancelling_after_the_cutoff(
    patient, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ApplicationError) as error:
        services.appointment_cancel(appointment=appointment, by=patient, now=tuesday_10am - 23 * H)
    assert error.value.code == "past_cutoff"


def test_it_lets_the_provider_cancel_any_time(
    patient, provider, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    cancelled = services.appointment_cancel(
        appointment=appointment, by=provider, now=tuesday_10am - H
    )
    assert cancelled.status == "cancelled"


def test_it_refuses_another_patient_cancelling(
    patient, other_patient, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(NotFoundError):
        services.appointment_cancel(appointment=appointment, by=other_patient, now=now)


def test_it_runs_a_visit_through_check_in_and_completion(
    patient, provider, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ApplicationError):
        services.appointment_check_in(appointment=appointment, by=provider, now=now)
    services.appointment_check_in(appointment=appointment, by=provider, now=tuesday_10am - 10 * M)
    with pytest.raises(ApplicationError):
        services.appointment_complete(
            appointment=appointment, by=provider, now=tuesday_10am - 5 * M
        )
    done = services.appointment_complete(
        appointment=appointment, by=provider, now=tuesday_10am + 20 * M
    )
    assert done.status == "completed"


STEP_SERVICES = {
    "confirm": services.appointment_confirm,
    "decline": services.appointment_decline,
    "check-in": services.appointment_check_in,
    "complete": services.appointment_complete,
    "no-show": services.appointment_mark_no_show,
}


@pytest.mark.parametrize("status", ["requested", "booked", "checked_in", "completed"])
@pytest.mark.parametrize(
    "starts_in", [-5 * M, 3 * H, 11 * H + 59 * M, 12 * H + M, 2 * 24 * H], ids=str
)
@pytest.mark.parametrize("step", sorted(STEP_SERVICES))
def test_it_offers_a_visit_step_exactly_when_its_service_accepts_it(
    doctor, visit_type, provider, status, starts_in, step
):
    now = datetime.datetime(2026, 3, 3, 12, tzinfo=UTC)
    appointment = AppointmentFactory(
        provider=doctor, visit_type=visit_type, start=now + starts_in, status=status
    )
    offered = step in services.appointment_visit_steps(appointment=appointment, now=now)
    kwargs = {} if step == "confirm" else {"now": now}
    try:
        STEP_SERVICES[step](appointment=appointment, by=provider, **kwargs)
    except ApplicationError:
        accepted = False
    else:
        accepted = True
    assert offered == accepted


def test_it_marks_a_no_show_only_after_the_start(
    patient, provider, doctor, visit_type, tuesday_10am, now
):
    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ApplicationError):
        services.appointment_mark_no_show(appointment=appointment, by=provider, now=now)
    marked = services.appointment_mark_no_show(
        appointment=appointment, by=provider, now=tuesday_10am + 20 * M
    )
    assert marked.status == "no_show"
    with pytest.raises(ConflictError):
        services.appointment_check_in(appointment=marked, by=provider, now=tuesday_10am + 21 * M)


# --- reschedule --------------------------------------------------------------------------


def test_it_reschedules_in_one_step(patient, doctor, visit_type, now):
    start = datetime.datetime(2026, 3, 4, 15, tzinfo=UTC)
    old = book(patient, doctor, visit_type, start, now)
    new = services.appointment_reschedule(
        appointment=old, start=start + 15 * M, by=patient, now=now
    )
    old.refresh_from_db()
    assert (old.status, old.cancel_reason) == ("cancelled", "rescheduled")
    assert (new.status, new.start, new.rescheduled_from, new.reason) == (
        "booked",
        start + 15 * M,
        old,
        "Headache",
    )


def test_it_leaves_everything_unchanged_when_the_new_time_is_taken(
    patient, other_patient, doctor, visit_type, now
):
    start = datetime.datetime(2026, 3, 4, 15, tzinfo=UTC)
    old = book(patient, doctor, visit_type, start, now)
    book(other_patient, doctor, visit_type, start + 2 * H, now)
    with pytest.raises(ConflictError):
        services.appointment_reschedule(appointment=old, start=start + 2 * H, by=patient, now=now)
    old.refresh_from_db()
    assert old.status == "booked"
    assert Appointment.objects.filter(status="booked").count() == 2


def test_it_leaves_everything_unchanged_when_the_new_time_breaks_a_rule(
    patient, doctor, visit_type, now
):
    start = datetime.datetime(2026, 3, 4, 15, tzinfo=UTC)
    old = book(patient, doctor, visit_type, start, now)
    with pytest.raises(ApplicationError) as error:
        services.appointment_reschedule(
            appointment=old, start=start.replace(hour=3), by=patient, now=now
        )
    assert error.value.code == "outside_availability"
    old.refresh_from_db()
    assert old.status == "booked"
    assert Appointment.objects.count() == 1


def test_it_lets_a_patient_cancel_until_the_deadline_it_shows_and_not_after(
    patient, doctor, visit_type, tuesday_10am, now
):
    from appointments.serializers import AppointmentOutputSerializer

    appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    shown = AppointmentOutputSerializer(appointment).data["patient_can_change_until"]
    deadline = services.appointment_change_deadline(appointment=appointment)
    assert shown == deadline
    with pytest.raises(ApplicationError) as error:
        services.appointment_cancel(
            appointment=appointment, by=patient, now=deadline + datetime.timedelta(seconds=1)
        )
    assert error.value.code == "past_cutoff"
    services.appointment_cancel(appointment=appointment, by=patient, now=deadline)
    appointment.refresh_from_db()
    assert services.appointment_change_deadline(appointment=appointment) is None
    assert AppointmentOutputSerializer(appointment).data["patient_can_change_until"] is None


def test_it_refuses_a_patient_rescheduling_after_the_cutoff(
    patient, doctor, visit_type, tuesday_10am, now
):
    old = book(patient, doctor, visit_type, tuesday_10am, now)
    with pytest.raises(ApplicationError) as error:
        services.appointment_reschedule(
            appointment=old, start=tuesday_10am + 2 * H, by=patient, now=tuesday_10am - 2 * H
        )
    assert error.value.code == "past_cutoff"


# --- waitlist ----------------------------------------------------------------------------


@pytest.fixture
def full_day(doctor, visit_type, now, other_patient):
    """Tuesday's 10:00 booked by `other_patient`, and two patients waiting for Tuesday."""
    taken = book(
        other_patient, doctor, visit_type, datetime.datetime(2026, 3, 3, 15, tzinfo=UTC), now
    )
    tuesday = datetime.date(2026, 3, 3)
    first, second = PatientFactory(), PatientFactory()
    entries = [
        services.waitlist_join(
            patient=waiting, provider=doctor, visit_type=visit_type, earliest_date=tuesday,
            latest_date=tuesday, by=waiting.user, now=now,
        )
        for waiting in (first, second)
    ]  # fmt: skip
    return taken, entries


def test_it_offers_a_freed_slot_to_the_earliest_waiting_patient(full_day, other_patient, now):
    taken, (first, _second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(
        provider=taken.provider, start=taken.start, end=taken.end, now=now
    )
    assert offer.entry == first
    assert (offer.start, offer.end) == (taken.start, taken.end)
    assert offer.hold_until == now + 30 * M
    first.refresh_from_db()
    assert first.status == WaitlistEntry.Status.OFFERED


def test_it_makes_the_offer_on_cancellation(
    full_day, other_patient, django_capture_on_commit_callbacks, now
):
    taken, (first, _second) = full_day
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    assert WaitlistOffer.objects.get().entry == first


def test_it_blocks_others_from_booking_a_held_slot(
    full_day, other_patient, patient, doctor, visit_type, now
):
    taken, _entries = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    with pytest.raises(ConflictError) as error:
        book(patient, doctor, visit_type, taken.start, now)
    assert error.value.code == "slot_held"


def test_it_books_the_held_slot_when_claimed(full_day, other_patient, doctor, now):
    taken, (first, _second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    appointment = services.waitlist_claim(offer=offer, by=first.patient.user, now=now + 5 * M)
    assert (appointment.patient, appointment.start, appointment.status) == (
        first.patient,
        taken.start,
        "booked",
    )
    offer.refresh_from_db()
    first.refresh_from_db()
    assert (offer.status, first.status) == ("claimed", "booked")


def test_it_refuses_a_claim_after_the_hold(full_day, other_patient, doctor, now):
    taken, (first, _second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    with pytest.raises(ConflictError) as error:
        services.waitlist_claim(offer=offer, by=first.patient.user, now=now + 31 * M)
    assert error.value.code == "offer_expired"


def test_it_refuses_a_claim_by_someone_else(full_day, other_patient, patient, doctor, now):
    taken, _entries = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    with pytest.raises(NotFoundError):
        services.waitlist_claim(offer=offer, by=patient, now=now)


def test_it_passes_an_expired_hold_to_the_next_in_line(full_day, other_patient, doctor, now):
    taken, (first, second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    assert services.waitlist_expire_holds(now=now + 31 * M) == 1
    offer.refresh_from_db()
    first.refresh_from_db()
    assert (offer.status, first.status) == ("expired", "waiting")
    handed_on = WaitlistOffer.objects.get(status="offered")
    assert handed_on.entry == second
    assert handed_on.start == taken.start


def test_it_expires_each_hold_once_when_run_twice(full_day, other_patient, doctor, now):
    taken, _entries = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    assert services.waitlist_expire_holds(now=now + 31 * M) == 1
    assert services.waitlist_expire_holds(now=now + 32 * M) == 0


def test_it_offers_time_freed_by_removed_time_off(
    doctor, provider, visit_type, patient, now, django_capture_on_commit_callbacks
):
    from providers.services import time_off_delete

    tuesday = datetime.date(2026, 3, 3)
    block = TimeOffFactory(
        provider=doctor,
        start=datetime.datetime(2026, 3, 3, 14, tzinfo=UTC),
        end=datetime.datetime(2026, 3, 3, 22, tzinfo=UTC),
    )
    services.waitlist_join(
        patient=patient.patient_profile, provider=doctor, visit_type=visit_type,
        earliest_date=tuesday, latest_date=tuesday, by=patient, now=now,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        time_off_delete(time_off=block, by=provider, now=now)
    assert WaitlistOffer.objects.filter(entry__patient=patient.patient_profile).exists()


def _offer_queries_with_waiting(count, doctor, visit_type, taken, now):
    tuesday = datetime.date(2026, 3, 3)
    for _ in range(count):
        waiting = PatientFactory()
        services.waitlist_join(
            patient=waiting, provider=doctor, visit_type=visit_type, earliest_date=tuesday,
            latest_date=tuesday, by=waiting.user, now=now,
        )  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        # The time is still booked: every waiting entry is looked at, and none gets it.
        assert (
            services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
            is None
        )
    WaitlistEntry.objects.all().delete()
    return len(queries)


def test_it_looks_through_the_waitlist_in_a_constant_number_of_queries(
    other_patient, doctor, visit_type, now
):
    taken = book(
        other_patient, doctor, visit_type, datetime.datetime(2026, 3, 3, 15, tzinfo=UTC), now
    )
    assert _offer_queries_with_waiting(
        2, doctor, visit_type, taken, now
    ) == _offer_queries_with_waiting(20, doctor, visit_type, taken, now)


def test_it_skips_a_waiting_patient_who_is_busy_at_the_freed_time(
    full_day, other_patient, doctor, now
):
    taken, (first, second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    AppointmentFactory(
        patient=first.patient,
        visit_type=VisitTypeFactory(provider=ProviderFactory()),
        start=taken.start,
        end=taken.end,
    )
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    assert offer.entry == second


def test_it_refuses_joining_the_same_waitlist_twice(patient, doctor, visit_type, now):
    tuesday = datetime.date(2026, 3, 3)
    kwargs = dict(
        patient=patient.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        earliest_date=tuesday,
        latest_date=tuesday,
        by=patient,
        now=now,
    )
    services.waitlist_join(**kwargs)
    with pytest.raises(ConflictError):
        services.waitlist_join(**kwargs)


def test_it_leaves_the_waitlist(patient, doctor, visit_type, now):
    tuesday = datetime.date(2026, 3, 3)
    entry = services.waitlist_join(
        patient=patient.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        earliest_date=tuesday,
        latest_date=tuesday,
        by=patient,
        now=now,
    )
    assert services.waitlist_leave(entry=entry, by=patient).status == "cancelled"


def test_it_deletes_nothing_else_when_a_patient_leaves(
    patient, other_patient, doctor, visit_type, now
):
    tuesday = datetime.date(2026, 3, 3)
    entry = services.waitlist_join(
        patient=patient.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        earliest_date=tuesday,
        latest_date=tuesday,
        by=patient,
        now=now,
    )
    with pytest.raises(NotFoundError):
        services.waitlist_leave(entry=entry, by=other_patient)
    with pytest.raises(ObjectDoesNotExist):
        WaitlistEntry.objects.get(status="cancelled")


def test_it_keeps_a_booking_when_the_broker_is_down(
    patient, doctor, visit_type, tuesday_10am, now, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from appointments import tasks

    def refuse(*args):
        raise OperationalError("broker down")

    monkeypatch.setattr(tasks.appointment_notify, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, doctor, visit_type, tuesday_10am, now)
    assert Appointment.objects.get().pk == appointment.pk


def test_it_lets_a_hold_be_claimed_inside_the_notice(full_day, other_patient, doctor, now):
    taken, (first, _second) = full_day
    services.appointment_cancel(appointment=taken, by=other_patient, now=now)
    offer = services.waitlist_offer_next(provider=doctor, start=taken.start, end=taken.end, now=now)
    # 20 minutes later the slot is under two hours away; the hold still lets the patient claim it.
    late = taken.start - 110 * M
    offer.hold_until = late + 10 * M
    offer.save()
    assert services.waitlist_claim(offer=offer, by=first.patient.user, now=late).status == "booked"
