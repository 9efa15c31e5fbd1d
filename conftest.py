"""Shared fixtures: the people of every test (owner, other patient, providers, admin) and clients."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AdminUserFactory, PatientUserFactory, ProviderUserFactory


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
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def patient(db):
    return PatientUserFactory(email="pat@example.test")


@pytest.fixture
def other_patient(db):
    return PatientUserFactory(email="other.pat@example.test")


@pytest.fixture
def provider(db):
    return ProviderUserFactory(email="doc@example.test")


@pytest.fixture
def other_provider(db):
    return ProviderUserFactory(email="other.doc@example.test")


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
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture
def api_client_for(api_client):
    def login(user):
        api_client.force_authenticate(user=user)
        return api_client

    return login
