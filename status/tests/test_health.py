import time

import pytest
from django.urls import reverse

from config import docstore

from .conftest import CLOSED_REDIS_CACHE

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_mongo(settings):
    docstore.reset()
    settings.MONGO_URL = "mongodb://127.0.0.1:1"
    settings.MONGO_TIMEOUT_MS = 300
    yield
    docstore.reset()


def test_it_answers_healthz_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies


def test_it_answers_healthz_when_the_cache_is_gone(client, settings):
    settings.CACHES = CLOSED_REDIS_CACHE
    assert client.get("/healthz").status_code == 200


def test_it_reports_ready_when_everything_answers(client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failed"] == []
    assert set(body["checks"]) == {"database", "cache", "document_store"}
    assert all(check["ok"] for check in body["checks"].values())


def test_it_names_the_cache_when_redis_is_unreachable(client, settings):
    settings.CACHES = CLOSED_REDIS_CACHE
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < settings.STATUS_PROBE_TIMEOUT + 0.5
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_it_names_the_document_store_when_mongo_is_unreachable(client, closed_mongo, settings):
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < settings.STATUS_PROBE_TIMEOUT + 0.5
    assert response.status_code == 503
    assert response.json()["failed"] == ["document_store"]


def test_it_gives_up_on_a_hanging_check_at_the_deadline(client, settings, monkeypatch):
    from status import health

    settings.STATUS_PROBE_TIMEOUT = 0.3
    monkeypatch.setitem(health.READINESS_CHECKS, "cache", lambda: time.sleep(2))
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.0
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["error"] == "timeout"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_it_is_exempt_from_the_ssl_redirect(client, settings, path):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_it_is_exempt_from_the_mfa_requirement(client_for, admin_user, path):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=admin_user).delete()
    assert client_for(admin_user).get(path).status_code == 200


def test_it_answers_healthz_for_a_signed_in_user_without_saving_the_session(
    client_for, patient, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(patient)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]


def test_it_answers_healthz_for_a_signed_in_user_without_any_query(
    client_for, patient, django_assert_num_queries
):
    client = client_for(patient)
    with django_assert_num_queries(0):
        assert client.get("/healthz").status_code == 200
