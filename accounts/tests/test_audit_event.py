"""audit_event(): what it records about actor, subject and request, and that it never breaks the request."""

import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from accounts.audit import (
    MongoAuditTrail,
    RelationalAuditTrail,
    audit_counts,
    audit_event,
    audit_trail,
)
from accounts.models import AuditEvent, Role
from accounts.services import user_set_role
from config import docstore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _relational_unless_told(settings):
    """The relational store by default, whatever MONGO_URL the run has; tests that want MongoDB say so."""
    settings.MONGO_URL = ""
    docstore.reset()
    yield
    docstore.reset()


@pytest.fixture
def unreachable_mongo(settings):
    settings.MONGO_URL = "mongodb://127.0.0.1:1"
    settings.MONGO_TIMEOUT_MS = 200
    docstore.reset()


def a_request(user=None, **meta):
    request = RequestFactory().get("/patient/", REMOTE_ADDR="198.51.100.4", **meta)
    if user is not None:
        request.user = user
    return request


def test_it_picks_the_relational_store_without_mongo_url():
    assert isinstance(audit_trail(), RelationalAuditTrail)


def test_it_picks_the_pymongo_store_with_mongo_url(settings):
    settings.MONGO_URL = "mongomock://"
    store = audit_trail()
    assert isinstance(store, MongoAuditTrail)
    assert store is audit_trail()  # built once per process


def test_it_builds_a_real_pymongo_client_for_a_mongodb_url(settings):
    from pymongo.database import Database

    settings.MONGO_URL = "mongodb://127.0.0.1:1/medora_x"
    settings.MONGO_DB_NAME = "medora_x"
    assert isinstance(docstore.mongo_database(), Database)  # lazy: no connection yet
    assert docstore.mongo_database().name == "medora_x"


def test_it_records_the_actor_and_subject_by_public_id(patient, admin_user):
    audit_event("user.viewed", actor=admin_user, subject=patient, details={"section": "profile"})

    [event] = audit_trail().for_subject("accounts.user", str(patient.public_id))
    assert event.action == "user.viewed"
    assert (event.actor_id, event.actor_email) == (str(admin_user.public_id), admin_user.email)
    assert event.subject_id == str(patient.public_id) != str(patient.pk)
    assert event.details == {"section": "profile"}


def test_it_records_where_the_request_came_from(patient):
    audit_event("auth.login", request=a_request(patient, HTTP_USER_AGENT="UA/" + "z" * 500))

    [event] = audit_trail().for_actor(str(patient.public_id))
    assert event.actor_email == patient.email  # the acting user comes from the request
    assert event.ip_address == "198.51.100.4"
    assert event.user_agent.startswith("UA/") and len(event.user_agent) == 256


def test_it_records_anonymous_events_without_an_actor():
    from django.contrib.auth.models import AnonymousUser

    audit_event("auth.login_failed", request=a_request(AnonymousUser()), details={"password": "x"})

    [event] = audit_trail().recent(limit=1)
    assert (event.action, event.actor_id, event.actor_email) == ("auth.login_failed", "", "")
    assert event.details == {}


def test_it_audits_a_role_change(patient, admin_user):
    user_set_role(user=patient, role=Role.PROVIDER, by=admin_user)

    [event] = audit_trail().for_subject("accounts.user", str(patient.public_id))
    assert event.action == "user.role_changed"
    assert event.actor_id == str(admin_user.public_id)
    assert event.details == {"from": "patient", "to": "provider"}


def test_it_counts_events_for_the_dashboard(patient):
    since = datetime.now(UTC) - timedelta(minutes=1)
    audit_event("auth.login", actor=patient)
    audit_event("auth.login", actor=patient)
    audit_event("auth.logout", actor=patient)
    assert audit_counts(["auth.login", "auth.login_failed"], since) == {
        "auth.login": 2,
        "auth.login_failed": 0,
    }


def test_it_uses_mongo_for_audit_event_when_configured(settings, patient):
    settings.MONGO_URL = "mongomock://"
    audit_event("auth.login", actor=patient)
    assert [e.action for e in audit_trail().for_actor(str(patient.public_id))] == ["auth.login"]
    assert AuditEvent.objects.count() == 0


def test_it_keeps_events_append_only(patient):
    audit_event("auth.login", actor=patient)
    row = AuditEvent.objects.get()
    row.action = "auth.logout"
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.update(action="x")
    assert AuditEvent.objects.get().action == "auth.login"


def test_it_reports_an_unreachable_mongo_quickly(unreachable_mongo):
    started = time.monotonic()
    with pytest.raises(docstore.DocumentStoreUnavailable):
        docstore.ping()
    assert time.monotonic() - started < 2


def test_it_logs_and_carries_on_when_the_store_is_down(unreachable_mongo, patient, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="accounts.audit"):
        audit_event("record.viewed", actor=patient, details={"section": "allergies"})
    assert time.monotonic() - started < 2
    [message] = [r.getMessage() for r in caplog.records if r.name == "accounts.audit"]
    assert message == "Audit event not recorded: record.viewed"
    assert AuditEvent.objects.count() == 0


def test_it_leaves_the_callers_transaction_usable_when_the_insert_fails(
    monkeypatch, patient, caplog
):
    from django.db import IntegrityError

    def failing_create(**fields):
        raise IntegrityError("boom")

    monkeypatch.setattr(AuditEvent.objects, "create", failing_create)
    with transaction.atomic():
        audit_event("auth.login", actor=patient)
        patient.refresh_from_db()  # the transaction still works
    assert "Audit event not recorded: auth.login" in caplog.text


def test_it_has_the_database_refuse_to_rewrite_an_event(patient):
    audit_event("auth.login", actor=patient)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditevent SET action = 'auth.logout'")
    assert AuditEvent.objects.get().action == "auth.login"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite allows DELETE (Django's flush)"
)
def test_it_has_postgresql_refuse_to_delete_an_event(patient):
    audit_event("auth.login", actor=patient)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_still_lets_django_empty_the_table_between_transactional_tests(patient):
    # Browser and live-server tests flush the database afterwards; the append-only guard must allow it.
    audit_event("auth.login", actor=patient)
    assert AuditEvent.objects.count() == 1


def test_it_records_the_peer_address_when_no_proxy_is_trusted(rf, patient, settings):
    from accounts.audit import audit_event, audit_trail

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="10.0.0.2")
    audit_event("user.viewed", subject=patient, request=request)
    assert audit_trail().recent(limit=1, action="user.viewed")[0].ip_address == "10.0.0.2"


def test_it_records_the_client_address_behind_a_trusted_proxy(rf, patient, settings):
    from accounts.audit import audit_event, audit_trail

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    audit_event("user.viewed", subject=patient, request=request)
    assert audit_trail().recent(limit=1, action="user.viewed")[0].ip_address == "203.0.113.9"
