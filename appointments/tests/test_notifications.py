import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone
from icalendar import Calendar

from appointments import services, tasks
from appointments.models import AppointmentStatus, Notification, WaitlistOffer
from appointments.notifications import waitlist_offer_notify
from appointments.tests.factories import AppointmentFactory, WaitlistEntryFactory
from patients.tests.factories import PatientFactory
from providers.tests.factories import ProviderFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db

# A Tuesday in winter: 14:00 UTC is 9:00 AM EST in New York.
START = datetime.datetime(2030, 1, 15, 14, 0, tzinfo=datetime.UTC)
REASON = "Embarrassing rash"


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
        patient=patient.patient_profile, visit_type=visit_type, start=START, reason=REASON
    )


def notify(appointment, event):
    """Run the task as a worker would: it loads the appointment by public id."""
    tasks.appointment_notify(str(appointment.public_id), event)


def emails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def invitation(message):
    ((filename, content, mimetype),) = message.attachments
    assert filename.endswith(".ics")
    calendar = Calendar.from_ical(content)
    (event,) = calendar.walk("VEVENT")
    return mimetype, calendar, event


def html_of(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def assert_no_phi(message, appointment):
    text = " ".join(
        [message.subject, message.body, html_of(message)]
        + [str(content) for _name, content, _type in message.attachments]
    ).lower()
    assert "rash" not in text
    assert appointment.patient.legal_last_name.lower() not in text
    assert appointment.patient.mrn.lower() not in text
    for private in (appointment.provider.display_name, appointment.visit_type.name):
        assert private.lower() not in message.subject.lower()


class FailingOnceBackend(EmailBackend):
    """The SMTP server is down for the first message, then back."""

    failures_left = 1

    def send_messages(self, messages):
        if FailingOnceBackend.failures_left:
            FailingOnceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


@pytest.fixture
def smtp_fails_once(settings):
    FailingOnceBackend.failures_left = 1
    settings.EMAIL_BACKEND = f"{__name__}.FailingOnceBackend"


# --- Booked ------------------------------------------------------------------------------


def test_it_emails_the_patient_a_booking_confirmation_with_an_invitation(patient, appointment):
    notify(appointment, "booked")

    (message,) = emails_to(patient.email)
    assert message.subject == "[Medora] Your appointment is booked"
    mimetype, calendar, event = invitation(message)
    assert mimetype.startswith("text/calendar")
    assert "method=REQUEST" in mimetype
    assert calendar["method"] == "REQUEST"
    assert event["uid"] == f"{appointment.public_id}@127.0.0.1"
    assert event["status"] == "CONFIRMED"
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == START
    assert str(event["attendee"]) == f"mailto:{patient.email}"


def test_it_shows_the_time_in_the_providers_zone_with_its_name(patient, appointment):
    notify(appointment, "booked")

    (message,) = emails_to(patient.email)
    when = "Tuesday, January 15, 2030, 9:00 AM – 9:30 AM EST (America/New_York)"
    assert when in message.body
    assert when in html_of(message)
    assert appointment.provider.title in message.body
    assert "Consultation" in message.body
    assert "Main clinic" in message.body


def test_it_uses_the_providers_zone_not_the_clinics(settings, patient):
    settings.TIME_ZONE = "America/Los_Angeles"
    berlin = ProviderFactory(time_zone="Europe/Berlin")
    appointment = AppointmentFactory(
        patient=patient.patient_profile, visit_type=VisitTypeFactory(provider=berlin), start=START
    )

    notify(appointment, "booked")

    (message,) = emails_to(patient.email)
    assert "3:00 PM – 3:30 PM CET (Europe/Berlin)" in message.body


def test_it_gives_the_video_link_instead_of_a_location_for_a_video_visit(patient, provider):
    video = VisitTypeFactory(provider=provider.provider_profile, mode="video", name="Video call")
    appointment = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=video,
        start=START,
        video_link="https://video.example.test/visit/xyz",
    )

    notify(appointment, "booked")

    (message,) = emails_to(patient.email)
    assert "https://video.example.test/visit/xyz" in message.body
    assert "Main clinic" not in message.body


def test_it_notifies_the_provider_of_a_booking_without_an_invitation(provider, appointment):
    notify(appointment, "booked")

    (message,) = emails_to(provider.email)
    assert message.subject == "[Medora] New appointment booked"
    assert "9:00 AM – 9:30 AM EST" in message.body
    assert "/provider/" in message.body
    assert message.attachments == []
    assert_no_phi(message, appointment)


def test_it_does_not_notify_the_provider_of_a_booking_they_made(patient, provider, visit_type):
    appointment = AppointmentFactory(
        patient=patient.patient_profile, visit_type=visit_type, start=START, created_by=provider
    )

    notify(appointment, "booked")

    assert emails_to(provider.email) == []
    assert len(emails_to(patient.email)) == 1


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (AppointmentStatus.BOOKED, "booked"),
        (AppointmentStatus.REQUESTED, "requested"),
        (AppointmentStatus.BOOKED, "confirmed"),
        (AppointmentStatus.CANCELLED, "declined"),
        (AppointmentStatus.CANCELLED, "cancelled"),
    ],
)
def test_it_keeps_the_reason_and_the_patient_out_of_every_email(appointment, status, event):
    appointment.status = status
    appointment.save()

    notify(appointment, event)

    assert mail.outbox
    for message in mail.outbox:
        assert_no_phi(message, appointment)


# --- Requests ----------------------------------------------------------------------------


def test_it_notifies_only_the_provider_of_a_request(patient, provider, appointment):
    appointment.status = AppointmentStatus.REQUESTED
    appointment.save()

    notify(appointment, "requested")

    (message,) = mail.outbox
    assert message.to == [provider.email]
    assert message.subject == "[Medora] New appointment request to review"
    assert "9:00 AM – 9:30 AM EST" in message.body


def test_it_emails_the_patient_when_their_request_is_confirmed(patient, provider, appointment):
    notify(appointment, "confirmed")

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "[Medora] Your appointment request is confirmed"
    _mimetype, calendar, event = invitation(message)
    assert calendar["method"] == "REQUEST"
    assert event["status"] == "CONFIRMED"


def test_it_emails_the_patient_when_their_request_is_declined(patient, appointment):
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save()

    notify(appointment, "declined")

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "[Medora] Your appointment request could not be confirmed"
    assert "9:00 AM" in message.body
    # Nothing was in their calendar: a request never sent them an invitation.
    assert message.attachments == []


# --- Cancelled and rescheduled -----------------------------------------------------------


def test_it_emails_a_cancellation_that_withdraws_the_same_calendar_event(
    patient, provider, appointment
):
    notify(appointment, "booked")
    _mimetype, _calendar, booked_event = invitation(emails_to(patient.email)[0])
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = patient
    appointment.save()
    mail.outbox.clear()

    notify(appointment, "cancelled")

    (message,) = emails_to(patient.email)
    assert message.subject == "[Medora] Your appointment is cancelled"
    mimetype, calendar, event = invitation(message)
    assert "method=CANCEL" in mimetype
    assert calendar["method"] == "CANCEL"
    assert event["status"] == "CANCELLED"
    assert event["uid"] == booked_event["uid"]
    assert event["sequence"] > booked_event["sequence"]
    assert event.decoded("dtstart") == START
    (to_provider,) = emails_to(provider.email)
    assert to_provider.subject == "[Medora] An appointment was cancelled"


def test_it_does_not_tell_the_provider_of_a_cancellation_they_made(provider, appointment):
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancelled_by = provider
    appointment.save()

    notify(appointment, "cancelled")

    assert emails_to(provider.email) == []


def test_it_emails_each_reschedule_as_an_update_of_the_same_calendar_event(
    patient, provider, appointment
):
    notify(appointment, "booked")
    _mimetype, _calendar, booked = invitation(emails_to(patient.email)[0])
    sequences = [booked["sequence"]]
    current = appointment
    for days in (1, 2):
        current.status = AppointmentStatus.CANCELLED
        current.save()
        current = AppointmentFactory(
            patient=current.patient,
            visit_type=current.visit_type,
            start=START + datetime.timedelta(days=days),
            reason=REASON,
            rescheduled_from=current,
        )
        mail.outbox.clear()

        notify(current, "rescheduled")

        (message,) = emails_to(patient.email)
        assert message.subject == "[Medora] Your appointment is rescheduled"
        assert "It was:" in message.body
        _mimetype, calendar, event = invitation(message)
        assert calendar["method"] == "REQUEST"
        assert event["uid"] == booked["uid"]
        assert event.decoded("dtstart") == START + datetime.timedelta(days=days)
        sequences.append(event["sequence"])
        assert len(emails_to(provider.email)) == 1
        assert_no_phi(message, current)

    assert sequences == sorted(set(sequences))


def test_it_skips_a_booking_email_whose_appointment_was_cancelled_meanwhile(appointment):
    appointment.status = AppointmentStatus.CANCELLED
    appointment.save()

    notify(appointment, "booked")

    assert mail.outbox == []


def test_it_ignores_an_unknown_event(appointment):
    notify(appointment, "exploded")

    assert mail.outbox == []


# --- Exactly once ------------------------------------------------------------------------


def test_it_sends_an_event_email_once_when_the_task_runs_twice(patient, provider, appointment):
    notify(appointment, "booked")
    notify(appointment, "booked")

    assert len(emails_to(patient.email)) == 1
    assert len(emails_to(provider.email)) == 1
    claims = Notification.objects.filter(appointment=appointment)
    assert claims.count() == 2
    assert all(claim.sent_at is not None for claim in claims)


def test_it_retries_a_failed_send_and_then_sends_exactly_once(smtp_fails_once, patient, visit_type):
    # Booked by the provider: only the patient is emailed.
    appointment = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=START,
        created_by=visit_type.provider.user,
    )

    with pytest.raises(smtplib.SMTPServerDisconnected):
        notify(appointment, "booked")
    assert mail.outbox == []
    assert not Notification.objects.exists()

    notify(appointment, "booked")
    notify(appointment, "booked")

    assert len(emails_to(patient.email)) == 1
    assert Notification.objects.get().sent_at is not None


def test_it_leaves_no_claim_behind_when_the_email_cannot_be_rendered(
    monkeypatch, patient, provider, appointment
):
    from appointments import notifications

    def broken(*args, **kwargs):
        raise RuntimeError("template missing")

    with monkeypatch.context() as patch:
        patch.setattr(notifications, "render_to_string", broken)
        with pytest.raises(RuntimeError):
            notify(appointment, "booked")
    assert not Notification.objects.exists()

    notify(appointment, "booked")

    assert len(emails_to(patient.email)) == 1


def test_it_takes_over_a_claim_left_by_a_worker_that_died(patient, provider, appointment):
    notify(appointment, "booked")
    key = Notification.objects.get(recipient=patient).dedupe_key
    Notification.objects.filter(dedupe_key=key).update(
        sent_at=None, created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    mail.outbox.clear()

    notify(appointment, "booked")

    assert len(emails_to(patient.email)) == 1
    assert emails_to(provider.email) == []


def test_it_leaves_a_claim_being_sent_right_now_alone(patient, appointment):
    notify(appointment, "booked")
    Notification.objects.filter(recipient=patient).update(sent_at=None)
    mail.outbox.clear()

    notify(appointment, "booked")

    assert mail.outbox == []


# --- Waitlist offer ----------------------------------------------------------------------


@pytest.fixture
def offer(patient, visit_type):
    entry = WaitlistEntryFactory(patient=patient.patient_profile, visit_type=visit_type)
    return WaitlistOffer.objects.create(
        entry=entry,
        start=START,
        end=START + datetime.timedelta(minutes=30),
        hold_until=timezone.now() + datetime.timedelta(minutes=30),
    )


def test_it_emails_the_waitlist_offer_with_the_hold_end_and_the_claim_link(patient, offer):
    tasks.waitlist_offer_notify(str(offer.public_id))

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "[Medora] A time is being held for you"
    hold_until = offer.hold_until.astimezone(offer.entry.provider.zone)
    assert f"{hold_until:%I:%M %p}".lstrip("0") in message.body
    assert "(America/New_York)" in message.body
    assert "9:00 AM – 9:30 AM EST" in message.body
    assert "http://127.0.0.1:8000/patient/waitlist/" in message.body
    assert 'href="http://127.0.0.1:8000/patient/waitlist/"' in html_of(message)


def test_it_emails_a_waitlist_offer_once(offer):
    tasks.waitlist_offer_notify(str(offer.public_id))
    tasks.waitlist_offer_notify(str(offer.public_id))

    assert len(mail.outbox) == 1


def test_it_does_not_email_an_offer_whose_hold_has_ended(offer):
    offer.hold_until = timezone.now() - datetime.timedelta(minutes=1)
    offer.save()

    waitlist_offer_notify(offer=offer)

    assert mail.outbox == []


def test_it_does_not_email_an_offer_already_claimed(offer):
    offer.status = WaitlistOffer.Status.CLAIMED
    offer.save()

    waitlist_offer_notify(offer=offer)

    assert mail.outbox == []


# --- Through the services, with Celery eager (end to end) --------------------------------


def book(patient, doctor, visit_type, start, now):
    return services.appointment_book(
        patient=patient.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        start=start,
        reason=REASON,
        by=patient,
        now=now,
    )


def test_booking_through_the_service_emails_the_confirmation_with_the_invitation(
    patient, provider, doctor, visit_type, tuesday_10am, now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(patient, doctor, visit_type, tuesday_10am, now)

    (message,) = emails_to(patient.email)
    assert "Tuesday, March 3, 2026, 10:00 AM – 10:30 AM EST (America/New_York)" in message.body
    _mimetype, calendar, event = invitation(message)
    assert calendar["method"] == "REQUEST"
    assert event["uid"] == f"{appointment.public_id}@127.0.0.1"
    assert event.decoded("dtstart") == tuesday_10am
    assert_no_phi(message, appointment)
    assert len(emails_to(provider.email)) == 1


def test_a_reschedule_and_a_cancellation_through_the_services_update_one_calendar_event(
    patient, provider, doctor, visit_type, tuesday_10am, now, django_capture_on_commit_callbacks
):
    wednesday_10am = tuesday_10am + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        booked = book(patient, doctor, visit_type, tuesday_10am, now)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.appointment_reschedule(
            appointment=booked, start=wednesday_10am, by=patient, now=now
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=moved, by=patient, now=now)

    invitations = [invitation(message) for message in emails_to(patient.email)]
    assert [calendar["method"] for _type, calendar, _event in invitations] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    events = [event for _type, _calendar, event in invitations]
    assert {event["uid"] for event in events} == {f"{booked.public_id}@127.0.0.1"}
    assert [event.decoded("dtstart") for event in events] == [
        tuesday_10am,
        wednesday_10am,
        wednesday_10am,
    ]
    sequences = [event["sequence"] for event in events]
    assert sequences == sorted(set(sequences))
    assert "It was: Tuesday, March 3, 2026, 10:00 AM" in emails_to(patient.email)[1].body
    assert [message.subject for message in emails_to(provider.email)] == [
        "[Medora] New appointment booked",
        "[Medora] An appointment was rescheduled",
        "[Medora] An appointment was cancelled",
    ]


def test_a_request_through_the_services_tells_the_provider_then_the_patient_once_confirmed(
    patient, provider, doctor, tuesday_10am, now, django_capture_on_commit_callbacks
):
    request_only = VisitTypeFactory(provider=doctor, booking_policy="request_only")
    with django_capture_on_commit_callbacks(execute=True):
        requested = book(patient, doctor, request_only, tuesday_10am, now)
    assert [message.to for message in mail.outbox] == [[provider.email]]

    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_confirm(appointment=requested, by=provider)

    (message,) = emails_to(patient.email)
    assert message.subject == "[Medora] Your appointment request is confirmed"
    _mimetype, _calendar, event = invitation(message)
    assert event["status"] == "CONFIRMED"
    assert len(emails_to(provider.email)) == 1


def test_a_cancellation_through_the_services_emails_the_waitlist_offer(
    patient, other_patient, doctor, visit_type, django_capture_on_commit_callbacks
):
    zone = doctor.zone
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=3)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=zone)
    taken = AppointmentFactory(
        patient=other_patient.patient_profile, visit_type=visit_type, start=start
    )
    services.waitlist_join(
        patient=patient.patient_profile,
        provider=doctor,
        visit_type=visit_type,
        earliest_date=day,
        latest_date=day,
        by=patient,
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=taken, by=other_patient)

    (offer_email,) = emails_to(patient.email)
    assert offer_email.subject == "[Medora] A time is being held for you"
    assert "10:00 AM – 10:30 AM" in offer_email.body
    assert "/patient/waitlist/" in offer_email.body
    (cancellation,) = emails_to(other_patient.email)
    assert cancellation.subject == "[Medora] Your appointment is cancelled"
