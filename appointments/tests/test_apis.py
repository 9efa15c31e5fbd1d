import datetime
import smtplib
import zoneinfo

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus, WaitlistEntry, WaitlistOffer
from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory
from patients.services import care_team_grant
from patients.tests.factories import PatientFactory
from providers.tests.factories import VisitTypeFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
ROLES = ["owner", "other_patient", "provider", "other_provider", "admin", "anonymous"]


def weekday_at(hour: int, *, days_ahead: int = 3) -> datetime.datetime:
    """A weekday at `hour`:00 New York time, at least `days_ahead` days from the real now."""
    day = timezone.now().astimezone(NEW_YORK).date() + datetime.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=NEW_YORK).astimezone(
        datetime.UTC
    )


@pytest.fixture
def people(patient, other_patient, provider, other_provider, admin_user):
    return {
        "owner": patient,
        "other_patient": other_patient,
        "provider": provider,
        "other_provider": other_provider,
        "admin": admin_user,
        "anonymous": None,
    }


@pytest.fixture
def as_role(people, api_client):
    def login(role):
        if people[role] is not None:
            api_client.force_authenticate(user=people[role])
        return api_client

    return login


@pytest.fixture
def appointment(patient, provider, visit_type, weekday_availability):
    booked = AppointmentFactory(
        patient=patient.patient_profile, visit_type=visit_type, start=weekday_at(10)
    )
    care_team_grant(patient=patient.patient_profile, provider=provider.provider_profile)
    return booked


def url(name, *args):
    return reverse(f"api:appointments:{name}", args=args)


# --- list / detail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 1), ("other_patient", 0), ("provider", 1), ("other_provider", 0), ("admin", 1)],
)
def test_it_lists_only_the_appointments_a_role_may_see(as_role, appointment, role, expected):
    response = as_role(role).get(url("appointment-list"))
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_it_refuses_the_list_to_anonymous(as_role):
    assert as_role("anonymous").get(url("appointment-list")).status_code == 401


def test_it_filters_the_list_by_status_and_dates(as_role, appointment, patient, visit_type):
    AppointmentFactory(
        patient=patient.patient_profile, visit_type=visit_type, start=weekday_at(10, days_ahead=10),
        status=AppointmentStatus.CANCELLED,
    )  # fmt: skip
    client = as_role("owner")
    assert client.get(url("appointment-list"), {"status": "cancelled"}).json()["count"] == 1
    assert (
        client.get(url("appointment-list"), {"status": ["booked", "cancelled"]}).json()["count"]
        == 2
    )
    before = (appointment.start + datetime.timedelta(days=1)).isoformat()
    assert client.get(url("appointment-list"), {"end": before}).json()["count"] == 1
    assert client.get(url("appointment-list"), {"status": "nonsense"}).status_code == 400


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 200),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
def test_it_shows_an_appointment_to_those_who_may_see_it(as_role, appointment, role, status_code):
    response = as_role(role).get(url("appointment-detail", appointment.public_id))
    assert response.status_code == status_code
    if status_code == 200:
        body = response.json()
        assert body["id"] == str(appointment.public_id)
        assert body["visit_type"]["name"] == "Consultation"


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 200),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
def test_it_downloads_the_ics(as_role, appointment, role, status_code):
    response = as_role(role).get(url("appointment-ics", appointment.public_id))
    assert response.status_code == status_code
    if status_code == 200:
        assert response["Content-Type"].startswith("text/calendar")
        assert ".ics" in response["Content-Disposition"]
        assert b"BEGIN:VCALENDAR" in response.content


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", ["owner", "provider", "admin"])
def test_it_lists_in_a_constant_number_of_queries(
    as_role, patient, visit_type, role, size, django_assert_max_num_queries
):
    start = weekday_at(8)
    previous = None
    for n in range(size):
        previous = AppointmentFactory(
            patient=patient.patient_profile, visit_type=visit_type,
            start=start + datetime.timedelta(hours=n), status="completed",
            rescheduled_from=previous if n % 2 else None,  # rows that show where they came from
        )  # fmt: skip
    client = as_role(role)
    with django_assert_max_num_queries(8):
        response = client.get(url("appointment-list"), {"page_size": 100})
    assert len(response.json()["results"]) == min(size, 100)


# --- create ------------------------------------------------------------------------------


def booking(provider, visit_type, start, **extra):
    return {
        "provider": str(provider.provider_profile.public_id),
        "visit_type": str(visit_type.public_id),
        "start": start.isoformat(),
        "reason": "Sore throat",
        **extra,
    }


def test_it_books_for_a_patient(as_role, provider, visit_type, weekday_availability, patient):
    response = as_role("owner").post(
        url("appointment-list"), booking(provider, visit_type, weekday_at(10)), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "booked"
    assert body["patient"]["id"] == str(patient.patient_profile.public_id)
    assert Appointment.objects.get().via == "portal"


class RefusingEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses every message."""

    def send_messages(self, email_messages):
        refused = {to: (550, b"mailbox unavailable") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(refused)


def test_it_keeps_a_booking_when_the_confirmation_email_fails_without_a_broker(
    as_role,
    provider,
    visit_type,
    weekday_availability,
    settings,
    caplog,
    django_capture_on_commit_callbacks,
):
    # Embedded defaults run tasks inside the request: a mail outage must not turn the booking into a 500.
    settings.EMAIL_BACKEND = f"{__name__}.RefusingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = as_role("owner").post(
            url("appointment-list"), booking(provider, visit_type, weekday_at(10)), format="json"
        )
    assert callbacks, "the confirmation was queued on commit"
    assert response.status_code == 201
    assert Appointment.objects.get().status == "booked"
    assert "Task appointments.appointment_notify failed" in caplog.text
    assert "@" not in caplog.text  # no email address of the patient in the logs


def test_it_requests_a_request_only_visit(as_role, provider, weekday_availability):
    request_only = VisitTypeFactory(
        provider=provider.provider_profile, booking_policy="request_only"
    )
    response = as_role("owner").post(
        url("appointment-list"), booking(provider, request_only, weekday_at(10)), format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == "requested"


def test_it_answers_409_when_the_slot_is_taken(as_role, appointment, provider, visit_type):
    response = as_role("other_patient").post(
        url("appointment-list"), booking(provider, visit_type, appointment.start), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (lambda: weekday_at(7), "outside_availability"),
        (lambda: timezone.now() + datetime.timedelta(minutes=30), "too_soon"),
        (lambda: weekday_at(10, days_ahead=120), "beyond_horizon"),
    ],
)
def test_it_answers_400_with_the_rule_broken(
    as_role, provider, visit_type, weekday_availability, start, code
):
    response = as_role("owner").post(
        url("appointment-list"), booking(provider, visit_type, start()), format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_it_answers_400_for_a_visit_type_not_bookable_online(
    as_role, provider, weekday_availability
):
    by_phone = VisitTypeFactory(provider=provider.provider_profile, booking_policy="not_online")
    response = as_role("owner").post(
        url("appointment-list"), booking(provider, by_phone, weekday_at(10)), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (400, "not_bookable_online")


def test_it_rejects_unknown_fields(as_role, provider, visit_type, weekday_availability):
    response = as_role("owner").post(
        url("appointment-list"),
        booking(provider, visit_type, weekday_at(10), status="completed"),
        format="json",
    )
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_it_lets_a_provider_book_for_a_patient_on_their_care_team(
    as_role, provider, visit_type, weekday_availability, patient
):
    care_team_grant(patient=patient.patient_profile, provider=provider.provider_profile)
    data = booking(
        provider, visit_type, weekday_at(10), patient=str(patient.patient_profile.public_id)
    )
    response = as_role("provider").post(url("appointment-list"), data, format="json")
    assert response.status_code == 201
    assert Appointment.objects.get().via == "provider"


def test_it_hides_patients_off_the_care_team_from_a_provider_booking(
    as_role, provider, visit_type, weekday_availability, patient
):
    data = booking(
        provider, visit_type, weekday_at(10), patient=str(patient.patient_profile.public_id)
    )
    assert as_role("provider").post(url("appointment-list"), data, format="json").status_code == 404


def test_it_needs_the_patient_when_the_clinic_books(
    as_role, provider, visit_type, weekday_availability
):
    response = as_role("admin").post(
        url("appointment-list"), booking(provider, visit_type, weekday_at(10)), format="json"
    )
    assert response.status_code == 400
    assert "patient" in response.json()["fields"]


def test_it_refuses_booking_to_anonymous(as_role, provider, visit_type):
    response = as_role("anonymous").post(
        url("appointment-list"), booking(provider, visit_type, weekday_at(10)), format="json"
    )
    assert response.status_code == 401


# --- lifecycle actions -------------------------------------------------------------------


@pytest.fixture
def requested(patient, provider, weekday_availability):
    request_only = VisitTypeFactory(
        provider=provider.provider_profile, booking_policy="request_only"
    )
    care_team_grant(patient=patient.patient_profile, provider=provider.provider_profile)
    return AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=request_only,
        start=weekday_at(11),
        status="requested",
    )


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 403),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
@pytest.mark.parametrize(
    ("action", "after"), [("appointment-confirm", "booked"), ("appointment-decline", "cancelled")]
)
def test_it_lets_only_the_clinic_answer_a_request(
    as_role, requested, role, status_code, action, after
):
    response = as_role(role).post(url(action, requested.public_id), format="json")
    assert response.status_code == status_code
    requested.refresh_from_db()
    assert requested.status == (after if status_code == 200 else "requested")


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 200),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
def test_it_cancels_for_those_allowed(as_role, appointment, role, status_code):
    response = as_role(role).post(
        url("appointment-cancel", appointment.public_id), {"reason": "Away"}, format="json"
    )
    assert response.status_code == status_code
    appointment.refresh_from_db()
    assert appointment.status == ("cancelled" if status_code == 200 else "booked")


def test_it_refuses_a_patient_cancelling_inside_the_cutoff(as_role, patient, visit_type):
    soon = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=timezone.now() + datetime.timedelta(hours=5),
    )
    response = as_role("owner").post(url("appointment-cancel", soon.public_id), format="json")
    assert (response.status_code, response.json()["code"]) == (400, "past_cutoff")


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 200),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
def test_it_reschedules_for_those_allowed(as_role, appointment, role, status_code):
    new_start = appointment.start + datetime.timedelta(hours=2)
    response = as_role(role).post(
        url("appointment-reschedule", appointment.public_id),
        {"start": new_start.isoformat()},
        format="json",
    )
    assert response.status_code == status_code
    if status_code == 200:
        body = response.json()
        assert body["rescheduled_from"] == str(appointment.public_id)
        assert body["start"].startswith(new_start.strftime("%Y-%m-%dT%H:%M"))


def test_it_answers_409_and_changes_nothing_when_the_new_time_is_taken(
    as_role, appointment, other_patient, visit_type
):
    other = AppointmentFactory(
        patient=other_patient.patient_profile,
        visit_type=visit_type,
        start=appointment.start + datetime.timedelta(hours=2),
    )
    response = as_role("owner").post(
        url("appointment-reschedule", appointment.public_id),
        {"start": other.start.isoformat()},
        format="json",
    )
    assert response.status_code == 409
    appointment.refresh_from_db()
    assert appointment.status == "booked"


@pytest.fixture
def started(patient, provider, visit_type):
    """A booked appointment that started 10 minutes ago."""
    care_team_grant(patient=patient.patient_profile, provider=provider.provider_profile)
    return AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=timezone.now() - datetime.timedelta(minutes=10),
    )


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 403),
        ("other_patient", 404),
        ("provider", 200),
        ("other_provider", 404),
        ("admin", 200),
        ("anonymous", 401),
    ],
)
@pytest.mark.parametrize(
    ("action", "after"),
    [
        ("appointment-check-in", "checked_in"),
        ("appointment-complete", "completed"),
        ("appointment-no-show", "no_show"),
    ],
)
def test_it_lets_only_the_clinic_run_the_visit(as_role, started, role, status_code, action, after):
    response = as_role(role).post(url(action, started.public_id))
    assert response.status_code == status_code
    started.refresh_from_db()
    assert started.status == (after if status_code == 200 else "booked")


def test_it_answers_409_for_a_transition_from_the_wrong_status(as_role, started):
    started.status = "cancelled"
    started.save()
    response = as_role("provider").post(url("appointment-complete", started.public_id))
    assert (response.status_code, response.json()["code"]) == (409, "invalid_status")


# --- waitlist ----------------------------------------------------------------------------


def test_it_joins_the_waitlist(as_role, provider, visit_type, patient):
    day = weekday_at(10).date()
    response = as_role("owner").post(
        url("waitlist-list"),
        {
            "provider": str(provider.provider_profile.public_id),
            "visit_type": str(visit_type.public_id),
            "earliest_date": day.isoformat(),
            "latest_date": (day + datetime.timedelta(days=7)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "waiting"


@pytest.fixture
def entry(patient, visit_type):
    return WaitlistEntryFactory(patient=patient.patient_profile, visit_type=visit_type)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("owner", 1), ("other_patient", 0), ("provider", 1), ("other_provider", 0), ("admin", 1)],
)
def test_it_lists_waitlist_entries_a_role_may_see(as_role, entry, role, expected):
    assert as_role(role).get(url("waitlist-list")).json()["count"] == expected


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 204),
        ("other_patient", 404),
        ("provider", 204),
        ("other_provider", 404),
        ("admin", 204),
        ("anonymous", 401),
    ],
)
def test_it_lets_those_allowed_remove_a_waitlist_entry(as_role, entry, role, status_code):
    assert as_role(role).delete(url("waitlist-detail", entry.public_id)).status_code == status_code


@pytest.fixture
def offer(entry, weekday_availability):
    start = weekday_at(10)
    return WaitlistOffer.objects.create(
        entry=entry, start=start, end=start + datetime.timedelta(minutes=30),
        hold_until=timezone.now() + datetime.timedelta(minutes=30),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("role", "status_code"),
    [
        ("owner", 201),
        ("other_patient", 404),
        ("provider", 404),
        ("other_provider", 404),
        ("admin", 201),
        ("anonymous", 401),
    ],
)
def test_it_lets_the_waitlisted_patient_claim_an_offer(as_role, offer, role, status_code):
    response = as_role(role).post(url("waitlist-offer-claim", offer.public_id), format="json")
    assert response.status_code == status_code
    if status_code == 201:
        assert response.json()["start"].startswith(offer.start.strftime("%Y-%m-%dT%H:%M"))


def test_it_blocks_others_from_a_held_slot_over_the_api(as_role, offer, provider, visit_type):
    response = as_role("other_patient").post(
        url("appointment-list"), booking(provider, visit_type, offer.start), format="json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "slot_held")


def test_it_lists_my_offers(as_role, offer):
    assert as_role("owner").get(url("waitlist-offer-list")).json()["count"] == 1
    assert as_role("other_patient").get(url("waitlist-offer-list")).json()["count"] == 0


def test_it_keeps_phi_out_of_error_messages(as_role, appointment, provider, visit_type):
    response = as_role("other_patient").post(
        url("appointment-list"), booking(provider, visit_type, appointment.start), format="json"
    )
    assert "Check-up" not in response.content.decode()
    assert (
        PatientFactory._meta.model.objects.get(user__email="pat@example.test").legal_last_name
        not in response.content.decode()
    )


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", ["owner", "provider", "admin"])
def test_it_lists_the_waitlist_in_a_constant_number_of_queries(
    as_role, patient, visit_type, role, size, django_assert_max_num_queries
):
    WaitlistEntryFactory.create_batch(size, patient=patient.patient_profile, visit_type=visit_type)
    client = as_role(role)
    with django_assert_max_num_queries(6):
        response = client.get(url("waitlist-list"), {"page_size": 100})
    assert response.json()["count"] == size


# --- malformed input: a 400 with the error shape that changes nothing, never a 500 ---------


def assert_error_shape(body: dict) -> None:
    assert set(body) == {"detail", "code", "fields"}
    assert isinstance(body["detail"], str)
    assert isinstance(body["fields"], dict)


FAR_STARTS = [
    "9999-12-31T23:59:59Z",  # adding the visit's length overflowed
    "9999-12-31T23:59:59-05:00",
    "0001-01-01T00:00:00+05:00",
    "1800-03-02T14:00:00Z",
]


@pytest.mark.parametrize("start", FAR_STARTS)
def test_it_refuses_a_booking_far_outside_the_calendar_and_books_nothing(
    as_role, provider, visit_type, weekday_availability, start
):
    body = {**booking(provider, visit_type, weekday_at(10)), "start": start}
    response = as_role("owner").post(url("appointment-list"), body, format="json")
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert list(response.json()["fields"]) == ["start"]
    assert not Appointment.objects.exists()


def test_it_refuses_a_booking_time_without_its_utc_offset(
    as_role, provider, visit_type, weekday_availability
):
    local = weekday_at(10).replace(tzinfo=None).isoformat()
    body = {**booking(provider, visit_type, weekday_at(10)), "start": local}
    response = as_role("owner").post(url("appointment-list"), body, format="json")
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert "UTC offset" in response.json()["fields"]["start"][0]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", [*FAR_STARTS, "2026-12-20T10:00:00"])
def test_it_refuses_a_reschedule_far_outside_the_calendar_and_changes_nothing(
    as_role, appointment, start
):
    response = as_role("owner").post(
        url("appointment-reschedule", appointment.public_id), {"start": start}, format="json"
    )
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert list(response.json()["fields"]) == ["start"]
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    ("earliest", "latest", "field"),
    [("2026-12-01", "9999-12-31", "latest_date"), ("0001-01-01", "2026-12-01", "earliest_date")],
)
def test_it_refuses_waitlist_dates_far_outside_the_calendar_and_adds_nothing(
    as_role, provider, visit_type, earliest, latest, field
):
    response = as_role("owner").post(
        url("waitlist-list"),
        {
            "provider": str(provider.provider_profile.public_id),
            "visit_type": str(visit_type.public_id),
            "earliest_date": earliest,
            "latest_date": latest,
        },
        format="json",
    )
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert list(response.json()["fields"]) == [field]
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(
    "query", [{"start": "0001-01-01T00:00:00+05:00"}, {"end": "9999-12-31T23:59:59Z"}]
)
def test_it_refuses_a_list_filter_far_outside_the_calendar(as_role, appointment, query):
    response = as_role("owner").get(url("appointment-list"), query)
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert list(response.json()["fields"]) == list(query)
