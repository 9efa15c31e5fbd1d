import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.tests.factories import AppointmentFactory
from providers.tests.factories import (
    AvailabilityWindowFactory,
    ProviderFactory,
    SpecialtyFactory,
    VisitTypeFactory,
)

pytestmark = pytest.mark.django_db
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def url(name, *args):
    return reverse(f"api:providers:{name}", args=args)


@pytest.fixture
def cardiology():
    return SpecialtyFactory(name="Cardiology", slug="cardiology")


@pytest.fixture
def doctor(provider, cardiology, visit_type, weekday_availability):
    profile = provider.provider_profile
    profile.display_name = "Dr. Ada Lee"
    profile.specialty = cardiology
    profile.languages = "en,es"
    profile.save()
    return profile


@pytest.mark.parametrize("role", ["patient", "provider", "admin_user"])
def test_it_lists_providers_with_their_next_free_slot(request, api_client, doctor, role):
    api_client.force_authenticate(request.getfixturevalue(role))
    response = api_client.get(url("provider-list"))
    assert response.status_code == 200
    [found] = [p for p in response.json()["results"] if p["id"] == str(doctor.public_id)]
    assert found["specialty"] == {"name": "Cardiology", "slug": "cardiology"}
    assert found["languages"] == ["en", "es"]
    slot = found["next_free_slot"]
    assert slot["visit_type"]["name"] == "Consultation"
    start = datetime.datetime.fromisoformat(slot["start"])
    assert start >= timezone.now() + datetime.timedelta(hours=2)
    assert start.astimezone(NEW_YORK).weekday() < 5


def test_it_refuses_the_provider_list_to_anonymous(api_client):
    assert api_client.get(url("provider-list")).status_code == 401


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ({"specialty": "cardiology"}, True),
        ({"specialty": "Cardiology"}, True),
        ({"specialty": "dermatology"}, False),
        ({"name": "ada"}, True),
        ({"name": "lee ada"}, True),
        ({"name": "zed"}, False),
        ({"language": "es"}, True),
        ({"language": "e"}, False),
        ({"language": "fr"}, False),
    ],
)
def test_it_searches_providers(api_client, patient, doctor, query, found):
    api_client.force_authenticate(patient)
    ids = [p["id"] for p in api_client.get(url("provider-list"), query).json()["results"]]
    assert (str(doctor.public_id) in ids) is found


def test_it_shows_no_next_slot_for_a_provider_without_availability(
    api_client, patient, other_provider
):
    VisitTypeFactory(provider=other_provider.provider_profile)
    api_client.force_authenticate(patient)
    [found] = api_client.get(url("provider-list")).json()["results"]
    assert found["next_free_slot"] is None


@pytest.mark.parametrize("size", [3, 25])
def test_it_searches_in_a_constant_number_of_queries(
    api_client, patient, size, django_assert_max_num_queries
):
    for _ in range(size):
        profile = ProviderFactory()
        visit_type = VisitTypeFactory(provider=profile)
        AvailabilityWindowFactory(provider=profile, weekday=2, visit_types=[visit_type])
        AppointmentFactory(visit_type=visit_type)
    api_client.force_authenticate(patient)
    # At most two rounds of loading (first week, then the rest for providers still without a slot).
    # Cold cache: every provider's next free slot is computed (one more query than a warm search).
    with django_assert_max_num_queries(17):
        response = api_client.get(url("provider-list"), {"page_size": 100})
    assert response.json()["count"] == size


def test_it_shows_each_page_of_providers_with_their_own_next_free_slot(
    api_client, patient, doctor, other_provider
):
    VisitTypeFactory(provider=other_provider.provider_profile)  # no availability: no slot
    api_client.force_authenticate(patient)
    pages = [
        api_client.get(url("provider-list"), {"page_size": 1, "page": page}).json()["results"]
        for page in (1, 2)
    ]
    names = sorted([doctor.display_name, other_provider.provider_profile.display_name])
    assert [found["display_name"] for [found] in pages] == names
    slots = {found["display_name"]: found["next_free_slot"] for [found] in pages}
    assert slots[doctor.display_name]["visit_type"]["name"] == "Consultation"
    assert slots[other_provider.provider_profile.display_name] is None


def test_it_shows_a_provider_and_their_visit_types(api_client, patient, doctor):
    VisitTypeFactory(provider=doctor, name="Old", active=False)
    api_client.force_authenticate(patient)
    assert (
        api_client.get(url("provider-detail", doctor.public_id)).json()["display_name"]
        == "Dr. Ada Lee"
    )
    names = [
        v["name"] for v in api_client.get(url("provider-visit-types", doctor.public_id)).json()
    ]
    assert names == ["Consultation"]


def test_it_answers_404_for_an_unknown_provider(api_client, patient):
    api_client.force_authenticate(patient)
    assert (
        api_client.get(url("provider-detail", "00000000-0000-0000-0000-000000000000")).status_code
        == 404
    )


def test_it_lists_free_slots(api_client, patient, doctor, visit_type):
    api_client.force_authenticate(patient)
    today = timezone.now().astimezone(NEW_YORK).date()
    start = today + datetime.timedelta(days=7 - today.weekday())  # next Monday
    response = api_client.get(
        url("provider-slots", doctor.public_id),
        {
            "visit_type": str(visit_type.public_id),
            "start": start.isoformat(),
            "end": start.isoformat(),
        },
    )
    assert response.status_code == 200
    slots = response.json()
    assert len(slots) == 31  # 09:00 to 16:30 every 15 minutes
    assert datetime.datetime.fromisoformat(slots[0]["start"]).astimezone(NEW_YORK).hour == 9


@pytest.mark.parametrize(("role", "status_code"), [("patient", 404), ("admin_user", 200)])
def test_it_shows_slots_of_a_visit_type_not_bookable_online_only_to_the_clinic(
    request, api_client, doctor, role, status_code
):
    by_phone = VisitTypeFactory(provider=doctor, booking_policy="not_online")
    api_client.force_authenticate(request.getfixturevalue(role))
    response = api_client.get(
        url("provider-slots", doctor.public_id), {"visit_type": str(by_phone.public_id)}
    )
    assert response.status_code == status_code


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"visit_type": "not-a-uuid"},
        {"visit_type": "VT", "start": "2026-01-10", "end": "2026-01-01"},
        {"visit_type": "VT", "start": "2026-01-01", "end": "2026-06-01"},
    ],
)
def test_it_answers_400_for_bad_slot_queries(api_client, patient, doctor, visit_type, query):
    api_client.force_authenticate(patient)
    query = {k: (str(visit_type.public_id) if v == "VT" else v) for k, v in query.items()}
    assert api_client.get(url("provider-slots", doctor.public_id), query).status_code == 400


def test_it_answers_404_for_another_providers_visit_type(
    api_client, patient, doctor, other_provider
):
    foreign = VisitTypeFactory(provider=other_provider.provider_profile)
    api_client.force_authenticate(patient)
    response = api_client.get(
        url("provider-slots", doctor.public_id), {"visit_type": str(foreign.public_id)}
    )
    assert response.status_code == 404


def test_it_finds_a_next_slot_beyond_the_first_week(api_client, patient, doctor):
    from providers.tests.factories import TimeOffFactory

    now = timezone.now()
    TimeOffFactory(provider=doctor, start=now, end=now + datetime.timedelta(days=12))
    api_client.force_authenticate(patient)
    [found] = api_client.get(url("provider-list")).json()["results"]
    start = datetime.datetime.fromisoformat(found["next_free_slot"]["start"])
    assert start >= now + datetime.timedelta(days=12)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "9999-12-31"}, "start"),  # start + 6 days overflowed
        ({"start": "9999-12-30", "end": "9999-12-31"}, "start"),
        ({"start": "0001-01-01", "end": "0001-01-03"}, "start"),
        ({"end": "9999-12-31"}, "end"),
    ],
)
def test_it_answers_400_for_slot_dates_far_outside_the_calendar(
    api_client, patient, doctor, visit_type, query, field
):
    api_client.force_authenticate(patient)
    response = api_client.get(
        url("provider-slots", doctor.public_id), {"visit_type": str(visit_type.public_id), **query}
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert field in body["fields"]
