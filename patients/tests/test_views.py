import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistOffer
from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory
from patients.models import Patient
from patients.tests.factories import PatientFactory
from providers.tests.factories import ProviderFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db


def _next_weekday_at(hour_local: int, zone, *, days_ahead: int = 3) -> datetime.datetime:
    """A weekday at least `days_ahead` days ahead, at `hour_local` o'clock in `zone`, in UTC."""
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour_local), tzinfo=zone).astimezone(
        datetime.UTC
    )


@pytest.fixture
def doctor(provider, weekday_availability):
    return provider.provider_profile


@pytest.fixture
def appointment(patient, visit_type):
    return AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=_next_weekday_at(10, visit_type.provider.zone, days_ahead=3),
    )


def _pages(patient, visit_type, appointment):
    provider = visit_type.provider
    start = _next_weekday_at(11, provider.zone)
    return [
        reverse("patient_portal:home"),
        reverse("patient_portal:provider_find"),
        reverse("patient_portal:provider_slots", args=[provider.public_id]),
        reverse("patient_portal:book")
        + f"?provider={provider.public_id}&visit_type={visit_type.public_id}"
        + f"&start={start.isoformat().replace('+', '%2B')}",
        reverse("patient_portal:appointments"),
        reverse("patient_portal:appointment", args=[appointment.public_id]),
        reverse("patient_portal:profile"),
        reverse("patient_portal:waitlist"),
    ]


def test_it_shows_every_patient_page_to_the_patient(
    client_for, patient, visit_type, doctor, appointment
):
    client = client_for(patient)
    for path in _pages(patient, visit_type, appointment):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("outsider", ["provider", "admin_user"])
def test_it_refuses_patient_pages_to_other_roles(
    client_for, request, patient, visit_type, appointment, outsider
):
    client = client_for(request.getfixturevalue(outsider))
    for path in _pages(patient, visit_type, appointment):
        assert client.get(path).status_code == 403, path


def test_it_sends_anonymous_visitors_to_sign_in(client, patient, visit_type, appointment):
    for path in _pages(patient, visit_type, appointment):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("account_login"))


def test_it_hides_another_patients_appointment(client_for, other_patient, appointment):
    url = reverse("patient_portal:appointment", args=[appointment.public_id])
    assert client_for(other_patient).get(url).status_code == 404


def test_it_shows_the_next_appointment_on_home_in_the_providers_zone(
    client_for, patient, appointment
):
    body = client_for(patient).get(reverse("patient_portal:home")).content.decode()
    local = appointment.start.astimezone(appointment.provider.zone)
    assert local.strftime("%H:%M") in body
    assert "America/New_York" in body
    assert f"/api/v1/appointments/{appointment.public_id}/ics/" in body


def test_it_finds_providers_by_name_with_their_next_free_slot(
    client_for, patient, doctor, visit_type
):
    ProviderFactory(display_name="Dr. Someone Else")
    body = (
        client_for(patient)
        .get(reverse("patient_portal:provider_find"), {"name": doctor.display_name})
        .content.decode()
    )
    assert doctor.display_name in body
    assert "Someone Else" not in body
    assert "Next free:" in body


def test_it_shows_a_week_of_free_slots_with_booking_links(client_for, patient, doctor, visit_type):
    response = client_for(patient).get(
        reverse("patient_portal:provider_slots", args=[doctor.public_id]),
        {"visit_type": str(visit_type.public_id)},
    )
    assert response.status_code == 200
    days = response.context["days"]
    assert len(days) == 7
    assert sum(len(day["slots"]) for day in days) > 0
    assert reverse("patient_portal:book") in response.content.decode()


def test_it_books_through_the_service_without_javascript(client_for, patient, doctor, visit_type):
    start = _next_weekday_at(11, doctor.zone)
    response = client_for(patient).post(
        reverse("patient_portal:book"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "start": start.isoformat(),
            "reason": "Knee pain",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302
    assert str(appointment.public_id) in response["Location"]
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.reason == "Knee pain"
    assert appointment.start == start


def test_it_shows_a_booking_refusal_and_books_nothing(client_for, patient, doctor, visit_type):
    # Saturday at 11:00: outside the provider's weekday availability.
    start = _next_weekday_at(11, doctor.zone)
    start += datetime.timedelta(days=(5 - start.astimezone(doctor.zone).weekday()) % 7)
    response = client_for(patient).post(
        reverse("patient_portal:book"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "start": start.isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.context["error"].code == "outside_availability"
    assert not Appointment.objects.exists()


def test_it_sends_a_request_for_a_request_only_visit_type(client_for, patient, doctor):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    start = _next_weekday_at(11, doctor.zone)
    client_for(patient).post(
        reverse("patient_portal:book"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(request_only.public_id),
            "start": start.isoformat(),
        },
    )
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.REQUESTED
    body = (
        client_for(patient)
        .get(reverse("patient_portal:appointment", args=[appointment.public_id]) + "?done=1")
        .content.decode()
    )
    assert "Pending confirmation" in body


def test_it_cancels_without_javascript(client_for, patient, appointment):
    url = reverse("patient_portal:appointment", args=[appointment.public_id])
    response = client_for(patient).post(url, {"action": "cancel", "reason": "Better"})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_it_explains_the_cutoff_and_refuses_a_late_cancel(client_for, patient, visit_type):
    soon = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=timezone.now() + datetime.timedelta(hours=5),
    )
    url = reverse("patient_portal:appointment", args=[soon.public_id])
    client = client_for(patient)
    assert "has passed" in client.get(url).content.decode()
    response = client.post(url, {"action": "cancel"})
    assert response.status_code == 400
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.BOOKED


def test_it_shows_the_cutoff_in_the_providers_zone(client_for, patient, appointment):
    body = (
        client_for(patient)
        .get(reverse("patient_portal:appointment", args=[appointment.public_id]))
        .content.decode()
    )
    cutoff = (appointment.start - datetime.timedelta(hours=24)).astimezone(
        appointment.provider.zone
    )
    assert cutoff.strftime("%H:%M") in body
    assert "America/New_York" in body


def test_it_lists_upcoming_and_past_appointments(client_for, patient, visit_type, appointment):
    past = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=timezone.now() - datetime.timedelta(days=10),
        status=AppointmentStatus.COMPLETED,
    )
    response = client_for(patient).get(reverse("patient_portal:appointments"))
    assert [a.pk for a in response.context["upcoming"]] == [appointment.pk]
    assert [a.pk for a in response.context["past"]] == [past.pk]


@pytest.mark.parametrize("rows", [2, 12])
def test_it_lists_appointments_in_a_constant_number_of_queries(
    client_for, patient, visit_type, django_assert_max_num_queries, rows
):
    for n in range(rows):
        AppointmentFactory(
            patient=patient.patient_profile,
            visit_type=VisitTypeFactory(),
            start=timezone.now() + datetime.timedelta(days=2 + n),
        )
        AppointmentFactory(
            patient=patient.patient_profile,
            visit_type=visit_type,
            start=timezone.now() - datetime.timedelta(days=2 + n),
        )
    client = client_for(patient)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("patient_portal:appointments")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("patient_portal:home")).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_it_searches_providers_in_a_constant_number_of_queries(
    client_for, patient, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        VisitTypeFactory()
    client = client_for(patient)
    with django_assert_max_num_queries(23):
        response = client.get(reverse("patient_portal:provider_find"))
    assert len(response.context["providers"]) == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_it_lists_the_waitlist_in_a_constant_number_of_queries(
    client_for, patient, django_assert_max_num_queries, rows
):
    for _ in range(rows):
        entry = WaitlistEntryFactory(patient=patient.patient_profile)
        WaitlistOffer.objects.create(
            entry=entry,
            start=timezone.now() + datetime.timedelta(days=2),
            end=timezone.now() + datetime.timedelta(days=2, minutes=30),
            hold_until=timezone.now() + datetime.timedelta(minutes=20),
        )
    client = client_for(patient)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("patient_portal:waitlist"))
    assert len(response.context["offers"]) == rows
    assert len(response.context["entries"]) == rows


def test_it_saves_contact_details_through_the_service(client_for, patient):
    profile = patient.patient_profile
    data = {"phone": "+1 555 0199", "preferred_language": "es", "country": "US"}
    response = client_for(patient).post(reverse("patient_portal:profile"), data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.phone == "+1 555 0199"
    assert profile.preferred_language == "es"


def test_it_never_changes_mrn_or_date_of_birth_from_the_profile_form(client_for, patient):
    profile = patient.patient_profile
    mrn, dob = profile.mrn, profile.date_of_birth
    client_for(patient).post(
        reverse("patient_portal:profile"),
        {"mrn": "MRN-00000000", "date_of_birth": "2000-01-01", "preferred_language": "en"},
    )
    profile.refresh_from_db()
    assert (profile.mrn, profile.date_of_birth) == (mrn, dob)


def test_it_shows_profile_errors_and_changes_nothing(client_for, patient):
    profile = patient.patient_profile
    before = profile.phone
    response = client_for(patient).post(
        reverse("patient_portal:profile"), {"phone": "x" * 40, "preferred_language": "en"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["phone"]
    profile.refresh_from_db()
    assert profile.phone == before


def test_it_joins_the_waitlist_without_javascript(client_for, patient, doctor, visit_type):
    today = timezone.now().astimezone(doctor.zone).date()
    response = client_for(patient).post(
        reverse("patient_portal:waitlist"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "earliest_date": today.isoformat(),
            "latest_date": (today + datetime.timedelta(days=14)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert WaitlistEntry.objects.get().patient == patient.patient_profile


def test_it_shows_a_held_offer_with_its_countdown(client_for, patient):
    entry = WaitlistEntryFactory(patient=patient.patient_profile, status="offered")
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=timezone.now() + datetime.timedelta(days=2),
        end=timezone.now() + datetime.timedelta(days=2, minutes=30),
        hold_until=timezone.now() + datetime.timedelta(minutes=20),
    )
    body = client_for(patient).get(reverse("patient_portal:waitlist")).content.decode()
    assert f'data-offer="{offer.public_id}"' in body
    assert "data-countdown" in body


def test_it_hides_other_patients_waitlist_offers(client_for, other_patient):
    entry = WaitlistEntryFactory(patient=PatientFactory(), status="offered")
    WaitlistOffer.objects.create(
        entry=entry,
        start=timezone.now() + datetime.timedelta(days=2),
        end=timezone.now() + datetime.timedelta(days=2, minutes=30),
        hold_until=timezone.now() + datetime.timedelta(minutes=20),
    )
    response = client_for(other_patient).get(reverse("patient_portal:waitlist"))
    assert response.context["offers"] == []


def test_it_asks_a_new_patient_account_to_complete_its_profile(client_for):
    from accounts.tests.factories import PatientUserFactory

    user = PatientUserFactory()
    client = client_for(user)
    response = client.get(reverse("patient_portal:home"))
    assert "Complete your patient profile" in response.content.decode()
    assert client.get(reverse("patient_portal:appointments"))["Location"] == reverse(
        "patient_portal:home"
    )
    response = client.post(
        reverse("patient_portal:home"),
        {"legal_first_name": "Nia", "legal_last_name": "Okoro", "date_of_birth": "1990-05-01"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.patient_profile.legal_last_name == "Okoro"
    assert user.patient_profile.mrn


def test_it_refuses_an_incomplete_new_profile(client_for):
    from accounts.tests.factories import PatientUserFactory

    user = PatientUserFactory()
    response = client_for(user).post(
        reverse("patient_portal:home"), {"legal_first_name": "Nia", "date_of_birth": "2999-01-01"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"legal_last_name", "date_of_birth"}
    assert not Patient.objects.filter(user=user).exists()


def test_it_reschedules_in_one_step_without_javascript(
    client_for, patient, doctor, visit_type, appointment
):
    client = client_for(patient)
    slots_page = client.get(
        reverse("patient_portal:provider_slots", args=[doctor.public_id]),
        {"reschedule": str(appointment.public_id)},
    )
    assert slots_page.status_code == 200
    assert "Move your appointment" in slots_page.content.decode()
    new_start = appointment.start + datetime.timedelta(hours=2)
    response = client.post(
        reverse("patient_portal:book"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "start": new_start.isoformat(),
            "reschedule": str(appointment.public_id),
        },
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    moved = Appointment.objects.get(status=AppointmentStatus.BOOKED)
    assert moved.start == new_start


def test_it_cannot_reschedule_another_patients_appointment(
    client_for, other_patient, doctor, appointment
):
    response = client_for(other_patient).get(
        reverse("patient_portal:provider_slots", args=[doctor.public_id]),
        {"reschedule": str(appointment.public_id)},
    )
    assert response.status_code == 404


def test_it_claims_a_held_offer_without_javascript(client_for, patient, doctor, visit_type):
    entry = WaitlistEntryFactory(
        patient=patient.patient_profile, visit_type=visit_type, status="offered"
    )
    start = _next_weekday_at(11, doctor.zone)
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=start,
        end=start + datetime.timedelta(minutes=30),
        hold_until=timezone.now() + datetime.timedelta(minutes=20),
    )
    response = client_for(patient).post(
        reverse("patient_portal:waitlist"), {"action": "claim", "offer": str(offer.public_id)}
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.CLAIMED
    assert offer.appointment.start == start


def test_it_leaves_the_waitlist_without_javascript(client_for, patient):
    entry = WaitlistEntryFactory(patient=patient.patient_profile)
    client_for(patient).post(
        reverse("patient_portal:waitlist"), {"action": "leave", "entry": str(entry.public_id)}
    )
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.CANCELLED


def test_it_cannot_leave_another_patients_waitlist_entry(client_for, other_patient, patient):
    entry = WaitlistEntryFactory(patient=patient.patient_profile)
    response = client_for(other_patient).post(
        reverse("patient_portal:waitlist"), {"action": "leave", "entry": str(entry.public_id)}
    )
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.status == WaitlistEntry.Status.WAITING


@pytest.mark.parametrize(
    "start", ["", "not-a-time", "2026-13-45T10:00:00+00:00", "2026-03-03T10:00:00"]
)
def test_it_treats_a_malformed_booking_link_as_not_found(
    client_for, patient, doctor, visit_type, start
):
    response = client_for(patient).get(
        reverse("patient_portal:book"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "start": start,
        },
    )
    assert response.status_code == 404


@pytest.mark.parametrize("rows", [2, 12])
def test_it_shows_the_week_of_slots_in_a_constant_number_of_queries(
    client_for, patient, doctor, visit_type, django_assert_max_num_queries, rows
):
    first = _next_weekday_at(9, doctor.zone, days_ahead=1)
    for n in range(rows):
        AppointmentFactory(visit_type=visit_type, start=first + datetime.timedelta(minutes=30 * n))
    client = client_for(patient)
    url = reverse("patient_portal:provider_slots", args=[doctor.public_id])
    with django_assert_max_num_queries(14):
        assert client.get(url, {"visit_type": str(visit_type.public_id)}).status_code == 200


# --- malformed input: a clear answer that changes nothing, never a 500 ----------------------


@pytest.mark.parametrize("week", ["9999-12-31", "9999-12-25", "0001-01-01"])
def test_it_shows_this_week_for_a_week_far_outside_the_calendar(
    client_for, patient, doctor, visit_type, week
):
    response = client_for(patient).get(
        reverse("patient_portal:provider_slots", args=[doctor.public_id]),
        {"week": week, "visit_type": str(visit_type.public_id)},
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"]
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_404_for_a_booking_time_far_outside_the_calendar_and_books_nothing(
    client_for, patient, doctor, visit_type, start, method
):
    data = {"provider": str(doctor.public_id), "visit_type": str(visit_type.public_id)}
    response = getattr(client_for(patient), method)(
        reverse("patient_portal:book"), {**data, "start": start}
    )
    assert response.status_code == 404
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("earliest", "latest"), [("2026-12-10", "9999-12-31"), ("9999-12-31", "9999-12-31")]
)
def test_it_refuses_waitlist_dates_far_outside_the_calendar_and_adds_nothing(
    client_for, patient, doctor, visit_type, earliest, latest
):
    response = client_for(patient).post(
        reverse("patient_portal:waitlist"),
        {
            "provider": str(doctor.public_id),
            "visit_type": str(visit_type.public_id),
            "earliest_date": earliest,
            "latest_date": latest,
        },
    )
    assert response.status_code == 400
    assert "Choose dates in the calendar." in response.content.decode()
    assert not WaitlistEntry.objects.exists()
