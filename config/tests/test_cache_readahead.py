"""A cached list request reads its user and its response from the cache in one round trip."""

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from config.cache_readahead import cache_get, cache_get_many

pytestmark = pytest.mark.django_db

LIST = reverse("api:appointments:appointment-list")


@pytest.fixture
def cache_reads(monkeypatch):
    """Every read of the default cache, as (method, keys), while the test runs."""
    backend = caches["default"]
    reads = []
    inside = []  # the local-memory cache's get_many calls its own get: count the outer call only
    real_get, real_get_many = backend.get, backend.get_many

    def get(key, *args, **kwargs):
        if not inside:
            reads.append(("get", [key]))
        return real_get(key, *args, **kwargs)

    def get_many(keys, *args, **kwargs):
        reads.append(("get_many", list(keys)))
        inside.append(True)
        try:
            return real_get_many(keys, *args, **kwargs)
        finally:
            inside.pop()

    monkeypatch.setattr(backend, "get", get)
    monkeypatch.setattr(backend, "get_many", get_many)
    return reads


def _reads_except_the_session(reads):
    """Without the session's own read and the API throttle's (its state, read and written by
    DRF on every request while throttles are on)."""
    return [
        read
        for read in reads
        if not any("session" in key or key.startswith("throttle_") for key in read[1])
    ]


@pytest.mark.parametrize("who", ["patient", "provider"])
def test_it_reads_the_user_and_the_cached_list_in_one_round_trip(
    who, request, visit_type, client_for, cache_reads, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    if who == "patient":
        AppointmentFactory(patient=user.patient_profile, visit_type=visit_type)
    else:
        AppointmentFactory(visit_type=visit_type)
    client = client_for(user)
    first = client.get(LIST)
    assert first.status_code == 200 and len(first.json()["results"]) == 1
    cache_reads.clear()
    with django_assert_num_queries(1 if _session_engine() == "db" else 0):  # the session row
        again = client.get(LIST)
    assert again.content == first.content
    reads = _reads_except_the_session(cache_reads)
    assert len(reads) == 1, reads
    method, keys = reads[0]
    assert method == "get_many"
    assert f"accounts:user:{user.pk}" in keys
    assert any(key.startswith(f"responses:{user.pk}:") for key in keys)


def _session_engine():
    from django.conf import settings

    return settings.SESSION_ENGINE.rsplit(".", 1)[-1]


def test_it_reads_nothing_ahead_where_nothing_is_registered(patient, client_for, cache_reads):
    client = client_for(patient)
    assert client.get(reverse("api:accounts:me")).status_code == 200
    assert not any(
        method == "get_many" and any(key.startswith("responses:") for key in keys)
        for method, keys in cache_reads
    )
    cache_reads.clear()
    assert client.get("/healthz").status_code == 200
    assert cache_reads == []  # health checks never load the session


def test_it_reads_nothing_ahead_for_a_token_or_an_anonymous_request(
    api_client, patient, cache_reads
):
    from rest_framework.authtoken.models import Token

    assert api_client.get(LIST).status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=patient).key}")
    assert api_client.get(LIST).status_code == 200
    assert api_client.get(LIST).status_code == 200
    assert not any(f"accounts:user:{patient.pk}" in keys for _, keys in cache_reads)


def test_it_forgets_a_users_cached_lists_when_the_user_changes(
    patient, visit_type, client_for, django_assert_max_num_queries
):
    AppointmentFactory(patient=patient.patient_profile, visit_type=visit_type)
    client = client_for(patient)
    client.get(LIST)
    patient.first_name = "Renamed"
    patient.save()
    with django_assert_max_num_queries(10) as rebuilt:
        assert client.get(LIST).status_code == 200
    assert any("appointments_appointment" in query["sql"] for query in rebuilt.captured_queries)


def test_it_reads_the_cache_itself_outside_a_read_ahead_request():
    cache.set("readahead-test", "value")
    assert cache_get("readahead-test") == "value"
    assert cache_get_many(["readahead-test", "absent"]) == {"readahead-test": "value"}
