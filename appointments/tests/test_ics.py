import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from appointments.ics import appointment_calendar_identity, appointment_to_ics, provider_feed_ics
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from patients.tests.factories import PatientFactory
from providers.tests.factories import VisitTypeFactory

pytestmark = pytest.mark.django_db

START = datetime.datetime(2030, 1, 15, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture
def patient(db):
    """The owner, with names that cannot occur in an email by chance (the PHI checks look for them)."""
    return PatientFactory(
        user__email="pat@example.test",
        legal_first_name="Zephyrine",
        legal_last_name="Quillfeather",
    ).user


@pytest.fixture
def appointment(patient, visit_type):
    return AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=START,
        reason="Embarrassing rash",
    )


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_it_builds_a_calendar_with_prodid_version_and_a_request_method(appointment):
    calendar, _event = parse(appointment_to_ics(appointment))

    assert calendar["version"] == "2.0"
    assert "Medora" in str(calendar["prodid"])
    assert calendar["method"] == "REQUEST"


def test_it_puts_the_times_in_utc(appointment):
    _calendar, event = parse(appointment_to_ics(appointment))

    assert event.decoded("dtstart") == START
    assert event.decoded("dtstart").utcoffset() == datetime.timedelta(0)
    assert event.decoded("dtend") == START + datetime.timedelta(minutes=30)
    assert b"DTSTART:20300115T140000Z" in appointment_to_ics(appointment)
    assert "dtstamp" in event


def test_it_identifies_the_event_by_public_id_at_the_site_host(settings, appointment):
    settings.SITE_URL = "https://clinic.example.org"

    _calendar, event = parse(appointment_to_ics(appointment))

    assert event["uid"] == f"{appointment.public_id}@clinic.example.org"


def test_it_names_the_provider_in_the_summary_and_never_the_reason(appointment):
    ics = appointment_to_ics(appointment)
    _calendar, event = parse(ics)

    assert event["summary"] == f"Visit with {appointment.provider.display_name}"
    assert b"rash" not in ics.lower()
    assert appointment.patient.legal_last_name.encode() not in ics


def test_it_gives_the_clinic_location_of_an_in_person_visit(appointment):
    _calendar, event = parse(appointment_to_ics(appointment))

    assert event["location"] == "Main clinic"


def test_it_gives_the_video_link_of_a_video_visit(provider):
    video = VisitTypeFactory(provider=provider.provider_profile, mode="video")
    appointment = AppointmentFactory(
        visit_type=video, start=START, video_link="https://video.example.test/v/abc"
    )

    _calendar, event = parse(appointment_to_ics(appointment))

    assert event["location"] == "https://video.example.test/v/abc"
    assert event["url"] == "https://video.example.test/v/abc"


def test_it_marks_the_organizer_from_the_default_from_email(settings, appointment):
    settings.DEFAULT_FROM_EMAIL = "Sunny Clinic <hello@sunny.example.org>"

    _calendar, event = parse(appointment_to_ics(appointment))

    assert str(event["organizer"]) == "mailto:hello@sunny.example.org"
    assert event["organizer"].params["CN"] == "Sunny Clinic"


@pytest.mark.parametrize(
    ("status", "ics_status", "method"),
    [
        (AppointmentStatus.REQUESTED, "TENTATIVE", "REQUEST"),
        (AppointmentStatus.BOOKED, "CONFIRMED", "REQUEST"),
        (AppointmentStatus.CANCELLED, "CANCELLED", "CANCEL"),
    ],
)
def test_it_maps_the_status_and_method(appointment, status, ics_status, method):
    appointment.status = status

    calendar, event = parse(appointment_to_ics(appointment))

    assert event["status"] == ics_status
    assert calendar["method"] == method


def test_it_raises_the_sequence_from_request_to_booking_to_cancellation(appointment):
    sequences = []
    for status in (
        AppointmentStatus.REQUESTED,
        AppointmentStatus.BOOKED,
        AppointmentStatus.CANCELLED,
    ):
        appointment.status = status
        _calendar, event = parse(appointment_to_ics(appointment))
        sequences.append(event["sequence"])

    assert sequences == sorted(set(sequences))


def test_it_keeps_the_uid_and_raises_the_sequence_along_a_reschedule_chain(appointment):
    first = appointment
    first.status = AppointmentStatus.CANCELLED
    first.save()
    second = AppointmentFactory(
        patient=first.patient,
        visit_type=first.visit_type,
        start=START + datetime.timedelta(days=1),
        rescheduled_from=first,
    )

    first_uid, first_sequence = appointment_calendar_identity(first)
    second_uid, second_sequence = appointment_calendar_identity(second)
    second.status = AppointmentStatus.CANCELLED
    _uid, cancelled_sequence = appointment_calendar_identity(second)

    assert second_uid == first_uid == f"{first.public_id}@127.0.0.1"
    assert first_sequence < second_sequence < cancelled_sequence
    _calendar, event = parse(appointment_to_ics(second))
    assert event["uid"] == first_uid
    assert event.decoded("dtstart") == START + datetime.timedelta(days=1)


def test_it_lists_the_provider_schedule_as_a_published_calendar(provider, visit_type):
    appointments = [
        AppointmentFactory(
            visit_type=visit_type,
            patient=PatientFactory(legal_last_name=f"Quillfeather{hour}"),
            start=START + datetime.timedelta(hours=hour),
        )
        for hour in range(3)
    ]

    ics = provider_feed_ics(provider.provider_profile, appointments)
    calendar = Calendar.from_ical(ics)

    assert calendar["method"] == "PUBLISH"
    events = calendar.walk("VEVENT")
    assert [str(event["uid"]).split("@")[0] for event in events] == [
        str(appointment.public_id) for appointment in appointments
    ]
    assert all(event["summary"] == "Consultation" for event in events)
    for appointment in appointments:
        assert appointment.patient.legal_last_name.encode() not in ics
        assert appointment.reason.encode() not in ics


def test_the_download_endpoint_serves_this_invitation(api_client_for, patient, appointment):
    response = api_client_for(patient).get(
        reverse("api:appointments:appointment-ics", args=[appointment.public_id])
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar, event = parse(response.content)
    expected_calendar, expected = parse(appointment_to_ics(appointment))
    assert calendar["method"] == expected_calendar["method"] == "REQUEST"
    for field in ("uid", "sequence", "status", "summary", "location"):
        assert event[field] == expected[field]
    assert event.decoded("dtstart") == START
    assert b"rash" not in response.content.lower()
