"""With Redis unreachable, signed-in people keep working on the database (the cache misses)."""

import pytest

pytestmark = pytest.mark.django_db

CLOSED_REDIS = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
            "IGNORE_EXCEPTIONS": True,
        },
    }
}


@pytest.fixture
def redis_down(settings):
    # Django rebuilds its cache handlers when CACHES changes in a test.
    settings.CACHES = CLOSED_REDIS
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_it_configures_redis_failures_as_cache_misses():
    import subprocess
    import sys

    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES['default']['OPTIONS'].get('IGNORE_EXCEPTIONS'))"
    )
    out = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", code],
        env={"DJANGO_SETTINGS_MODULE": "config.settings", "REDIS_URL": "redis://127.0.0.1:1/0",
             "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip() == "True"


def test_it_serves_a_signed_in_patient_while_redis_is_down(redis_down, client_for, patient):
    client = client_for(patient)
    assert client.get("/api/v1/me/").status_code == 200
    assert client.get("/patient/").status_code in (200, 302)


def test_it_serves_a_provider_with_mfa_while_redis_is_down(redis_down, client_for, provider):
    response = client_for(provider).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["mfa_enrolled"] is True


def test_it_lists_appointments_from_the_database_while_redis_is_down(
    redis_down, client_for, patient, visit_type
):
    from appointments.tests.factories import AppointmentFactory

    booked = AppointmentFactory(patient=patient.patient_profile, visit_type=visit_type)
    client = client_for(patient)
    for _ in range(2):
        response = client.get("/api/v1/appointments/")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [str(booked.public_id)]
