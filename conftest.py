"""Shared fixtures: the people of every test (owner, other patient, providers, admin) and clients."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AdminUserFactory


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tests run tasks in-process even when REDIS_URL is set; the worker round trip has its own test."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _isolated_media_and_email(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """PBKDF2's deliberate slowness costs ~0.3 s per factory user; tests don't need it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


# `patient`, `other_patient`, `provider`, `other_provider` are Users that also have their profile
# (user.patient_profile / user.provider_profile).
@pytest.fixture
def patient(db):
    from patients.tests.factories import PatientFactory

    return PatientFactory(user__email="pat@example.test").user


@pytest.fixture
def other_patient(db):
    from patients.tests.factories import PatientFactory

    return PatientFactory(user__email="other.pat@example.test").user


@pytest.fixture
def provider(db):
    from providers.tests.factories import ProviderFactory

    return ProviderFactory(user__email="doc@example.test").user


@pytest.fixture
def other_provider(db):
    from providers.tests.factories import ProviderFactory

    return ProviderFactory(user__email="other.doc@example.test").user


@pytest.fixture
def visit_type(provider):
    """A 30-minute self-bookable in-person visit type of `provider`."""
    from providers.tests.factories import VisitTypeFactory

    return VisitTypeFactory(provider=provider.provider_profile, name="Consultation")


@pytest.fixture
def weekday_availability(provider):
    """`provider` works 09:00–17:00 (their local time) Monday to Friday."""
    import datetime

    from providers.tests.factories import AvailabilityWindowFactory

    return [
        AvailabilityWindowFactory(
            provider=provider.provider_profile,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
        for weekday in range(5)
    ]


@pytest.fixture
def admin_user(db):
    return AdminUserFactory(email="admin@example.test")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(client):
    """Log a user into the Django test client (session auth, as the portals use)."""

    def login(user):
        client.force_login(user, backend="accounts.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def api_client_for(api_client):
    def login(user):
        api_client.force_authenticate(user=user)
        return api_client

    return login
