import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from appointments.calendar_feed import FeedTokenRedactingFilter
from appointments.feeds import provider_feed_url
from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from patients.tests.factories import PatientFactory
from providers.models import calendar_token_new
from providers.services import provider_calendar_token_rotate

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def feed_path(provider_user) -> str:
    return reverse("calendar:provider_feed", args=[provider_user.provider_profile.calendar_token])


def rotate(provider_user):
    provider_calendar_token_rotate(provider=provider_user.provider_profile, by=provider_user)


def uids(response) -> set[str]:
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]).split("@")[0] for event in calendar.walk("VEVENT")}


def test_it_serves_the_providers_schedule_as_a_calendar(client, provider, visit_type):
    booked = AppointmentFactory(
        visit_type=visit_type,
        patient=PatientFactory(legal_last_name="Quillfeather"),
        reason="Embarrassing rash",
    )
    requested = AppointmentFactory(visit_type=visit_type, status=AppointmentStatus.REQUESTED)

    response = client.get(feed_path(provider))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["method"] == "PUBLISH"
    assert uids(response) == {str(booked.public_id), str(requested.public_id)}
    assert b"rash" not in response.content
    assert booked.patient.legal_last_name.encode() not in response.content


def test_it_lists_live_appointments_from_30_days_back_to_the_horizon(
    settings, client, provider, visit_type
):
    now = timezone.now()
    patient = PatientFactory()
    shown = [
        AppointmentFactory(visit_type=visit_type, patient=patient, start=now - 29 * DAY),
        AppointmentFactory(
            visit_type=visit_type,
            patient=patient,
            start=now - 2 * DAY,
            status=AppointmentStatus.COMPLETED,
        ),
        AppointmentFactory(visit_type=visit_type, patient=patient, start=now + 89 * DAY),
    ]
    AppointmentFactory(visit_type=visit_type, patient=patient, start=now - 31 * DAY)
    AppointmentFactory(visit_type=visit_type, patient=patient, start=now + 91 * DAY)
    AppointmentFactory(
        visit_type=visit_type,
        patient=patient,
        start=now + 3 * DAY,
        status=AppointmentStatus.CANCELLED,
    )

    response = client.get(feed_path(provider))

    assert uids(response) == {str(appointment.public_id) for appointment in shown}


def test_it_shows_a_provider_only_their_own_schedule(client, provider, other_provider, visit_type):
    mine = AppointmentFactory(visit_type=visit_type)
    AppointmentFactory(
        visit_type__provider=other_provider.provider_profile,
        start=mine.start,
        patient=PatientFactory(),
    )

    response = client.get(feed_path(provider))

    assert uids(response) == {str(mine.public_id)}


def test_it_answers_404_to_an_unknown_token(client, provider):
    response = client.get(reverse("calendar:provider_feed", args=[calendar_token_new()]))

    assert response.status_code == 404


def test_it_answers_404_to_the_old_url_once_the_token_is_rotated(client, provider):
    old_path = feed_path(provider)
    assert client.get(old_path).status_code == 200

    rotate(provider)

    assert client.get(old_path).status_code == 404
    provider.provider_profile.refresh_from_db()
    assert client.get(feed_path(provider)).status_code == 200


def test_it_needs_no_session_and_sets_no_cookie(client, provider):
    response = client.get(feed_path(provider))

    assert response.status_code == 200
    assert not response.cookies


def test_it_refuses_writes(client, provider):
    assert client.post(feed_path(provider)).status_code == 405


def test_it_lets_calendar_apps_cache_and_revalidate(client, provider, visit_type):
    AppointmentFactory(visit_type=visit_type)

    first = client.get(feed_path(provider))
    again = client.get(feed_path(provider), HTTP_IF_NONE_MATCH=first["ETag"])

    assert "max-age=" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    assert again.status_code == 304
    assert again.content == b""


def test_it_changes_the_etag_when_the_schedule_changes(client, provider, visit_type):
    first = client.get(feed_path(provider))
    AppointmentFactory(visit_type=visit_type)

    again = client.get(feed_path(provider), HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


def test_it_keeps_the_token_out_of_the_logs(client, provider, caplog):
    token = provider.provider_profile.calendar_token
    rotate(provider)

    with caplog.at_level(logging.DEBUG):
        assert client.get(reverse("calendar:provider_feed", args=[token])).status_code == 404

    assert token not in caplog.text


@pytest.mark.parametrize("count", [10, 200])
def test_it_serves_the_feed_in_constant_queries(
    client, provider, visit_type, count, django_assert_num_queries
):
    patient = PatientFactory()
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + DAY
    for hour in range(count):
        AppointmentFactory(
            visit_type=visit_type, patient=patient, start=start + datetime.timedelta(hours=hour)
        )

    with django_assert_num_queries(2):
        response = client.get(feed_path(provider))

    assert len(uids(response)) == count


def test_it_builds_the_absolute_url_to_show_the_provider(settings, provider):
    settings.SITE_URL = "https://clinic.example.org"
    token = provider.provider_profile.calendar_token

    assert provider_feed_url(provider.provider_profile) == (
        f"https://clinic.example.org/calendar/{token}.ics"
    )


def test_the_logging_filter_blanks_feed_tokens_in_other_log_lines():
    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"GET %s HTTP/1.1" %s %s',
        ("/calendar/abcDEF_-123.ics", 500, 512),
        None,
    )

    assert FeedTokenRedactingFilter().filter(record) is True
    assert record.getMessage() == '"GET /calendar/[token].ics HTTP/1.1" 500 512'


def test_the_logging_filter_loads_before_the_apps(settings):
    """LOGGING builds its filters before the app registry is ready: no model imports allowed."""
    import subprocess
    import sys

    code = (
        "import logging.config;"
        "logging.config.dictConfig({'version': 1, 'filters': {'t': "
        "{'()': 'appointments.calendar_feed.FeedTokenRedactingFilter'}}})"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30, cwd=settings.BASE_DIR)  # noqa: S603
