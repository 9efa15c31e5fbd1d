"""A patient's or provider's appointment list comes from the cache, and never shows stale data."""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from appointments import services
from appointments.models import Appointment
from appointments.tests.factories import AppointmentFactory
from config.response_cache import RESPONSE_CACHE_SECONDS, _entry_key
from patients.services import patient_update
from patients.tests.factories import PatientFactory
from providers.tests.factories import VisitTypeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("api:appointments:appointment-list")


def in_days(days: int, hour: int = 15) -> datetime.datetime:
    day = timezone.now().date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


@pytest.fixture
def schedule(patient, other_patient, provider, visit_type):
    """Two appointments of `patient` and one of `other_patient`, all with `provider`."""
    return [
        AppointmentFactory(
            patient=patient.patient_profile, visit_type=visit_type, start=in_days(3)
        ),
        AppointmentFactory(
            patient=patient.patient_profile, visit_type=visit_type, start=in_days(4)
        ),
        AppointmentFactory(
            patient=other_patient.patient_profile, visit_type=visit_type, start=in_days(5)
        ),
    ]


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("who", ["patient", "provider"])
def test_it_answers_a_repeated_list_request_without_a_query(
    who, request, schedule, api_client_for, django_assert_num_queries
):
    client = api_client_for(request.getfixturevalue(who))
    first = client.get(LIST)
    with django_assert_num_queries(0):
        again = client.get(LIST)
    assert again.status_code == 200
    assert again["Content-Type"] == "application/json"
    assert again.content == first.content
    assert len(again.json()["results"]) == (2 if who == "patient" else 3)


def test_it_keeps_each_persons_list_their_own(schedule, patient, other_patient, api_client_for):
    mine = ids(api_client_for(patient).get(LIST))
    theirs = ids(api_client_for(other_patient).get(LIST))
    assert mine == [str(a.public_id) for a in schedule[:2]]
    assert theirs == [str(schedule[2].public_id)]
    assert ids(api_client_for(patient).get(LIST)) == mine


def test_it_keeps_each_query_apart(schedule, provider, api_client_for):
    client = api_client_for(provider)
    everything = ids(client.get(LIST))
    later = ids(client.get(LIST, {"start": in_days(4).isoformat()}))
    small_pages = ids(client.get(LIST, {"page_size": 1, "page": 2}))
    assert len(everything) == 3
    assert later == everything[1:]
    assert small_pages == everything[1:2]
    # The same query with its parameters in another order is the same entry.
    assert ids(client.get(LIST + "?page=2&page_size=1")) == small_pages
    assert ids(client.get(LIST + "?page_size=1&page=2")) == small_pages


def test_it_shows_a_new_booking_and_a_cancellation_at_once(
    schedule, patient, provider, visit_type, weekday_availability, api_client_for
):
    provider_client = api_client_for(provider)
    before = ids(provider_client.get(LIST))
    start = in_days(6, hour=15)
    while start.weekday() >= 5:
        start += datetime.timedelta(days=1)
    booked = services.appointment_book(
        patient=patient.patient_profile,
        provider=provider.provider_profile,
        visit_type=visit_type,
        start=start,
        by=patient,
    )
    after_booking = api_client_for(provider).get(LIST).json()["results"]
    assert [row["id"] for row in after_booking] == [*before, str(booked.public_id)]

    patient_client = api_client_for(patient)
    assert str(booked.public_id) in ids(patient_client.get(LIST))
    services.appointment_cancel(appointment=booked, by=provider, reason="Clinic closed")
    rows = {row["id"]: row for row in patient_client.get(LIST).json()["results"]}
    assert rows[str(booked.public_id)]["status"] == "cancelled"
    rows = {row["id"]: row for row in api_client_for(provider).get(LIST).json()["results"]}
    assert rows[str(booked.public_id)]["status"] == "cancelled"


def test_it_forgets_a_deleted_appointment(schedule, patient, api_client_for):
    client = api_client_for(patient)
    assert len(ids(client.get(LIST))) == 2
    Appointment.objects.filter(pk=schedule[0].pk).delete()
    assert ids(client.get(LIST)) == [str(schedule[1].public_id)]


def test_it_shows_a_changed_name_and_visit_type(
    schedule, patient, provider, visit_type, admin_user, api_client_for
):
    client = api_client_for(provider)
    client.get(LIST)
    patient_update(patient=patient.patient_profile, by=admin_user, legal_last_name="Renamed")
    visit_type.name = "Long consultation"
    visit_type.save()
    rows = client.get(LIST).json()["results"]
    assert rows[0]["patient"]["display_name"].endswith("Renamed")
    assert {row["visit_type"]["name"] for row in rows} == {"Long consultation"}


def test_it_does_not_let_a_change_elsewhere_empty_a_list(
    schedule, patient, other_provider, api_client_for, django_assert_num_queries
):
    """Another provider's new appointment leaves this patient's cached list in place."""
    client = api_client_for(patient)
    client.get(LIST)
    AppointmentFactory(
        patient=PatientFactory(),
        visit_type=VisitTypeFactory(provider=other_provider.provider_profile),
        start=in_days(7),
    )
    with django_assert_num_queries(0):
        assert len(ids(client.get(LIST))) == 2


def test_it_refuses_a_bad_filter_every_time(schedule, provider, api_client_for):
    client = api_client_for(provider)
    for _ in range(2):
        response = client.get(LIST, {"status": "nonsense"})
        assert response.status_code == 400
        assert "status" in response.json()["fields"]


def test_it_serves_the_browsable_api_uncached(schedule, provider, client_for):
    client = client_for(provider)
    for _ in range(2):
        response = client.get(LIST, HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")


def test_it_does_not_cache_an_admins_list(schedule, admin_user, api_client_for, provider):
    client = api_client_for(admin_user)
    assert len(ids(client.get(LIST))) == 3
    AppointmentFactory(visit_type=VisitTypeFactory(), start=in_days(8))
    assert len(ids(client.get(LIST))) == 4


def test_it_drops_a_list_cached_before_the_change_committed(
    schedule, patient, api_client_for, django_capture_on_commit_callbacks
):
    """A request that read the list before a change committed, and stored it after the change
    was made, must not have its copy served once the change commits."""
    client = api_client_for(patient)
    stale = client.get(LIST)
    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(appointment=schedule[0], by=patient.patient_profile.user)
        # The racing request stores what it read, under the version it found.
        request = client.get(LIST).wsgi_request
        versions, _ = cache.get(_entry_key(request, patient.pk))
        cache.set(
            _entry_key(request, patient.pk), (versions, stale.content), RESPONSE_CACHE_SECONDS
        )
    rows = {row["id"]: row for row in client.get(LIST).json()["results"]}
    assert rows[str(schedule[0].public_id)]["status"] == "cancelled"


def test_it_forgets_every_cached_list_when_a_release_migrates(
    schedule, patient, provider, api_client_for
):
    """A new release may shape the JSON differently; stand-in for that: a change no signal saw."""
    from django.core.management import call_command

    clients = [api_client_for(patient), api_client_for(provider)]
    for client in clients:
        assert client.get(LIST).json()["results"][0]["reason"] == "Check-up"
    Appointment.objects.filter(pk=schedule[0].pk).update(reason="Changed")  # sends no signal
    for client in clients:
        assert client.get(LIST).json()["results"][0]["reason"] == "Check-up"  # cached
    call_command("migrate", verbosity=0)  # what a deploy runs, even with nothing to apply
    for client in clients:
        assert client.get(LIST).json()["results"][0]["reason"] == "Changed"
