"""The audit-trail contract: every adapter (relational, mongomock, real MongoDB) behaves the same.

To write the contract of another document store, copy the `store` fixture: it builds the adapter under
test for each of `backend_params()` with the helpers in config/docstore_testing.py.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from accounts.audit import (
    DETAIL_TEXT_MAX,
    USER_AGENT_MAX,
    AuditRecord,
    MongoAuditTrail,
    RelationalAuditTrail,
)
from config.docstore_testing import RELATIONAL, backend_params, mongo_database_for

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
ALICE = "8f7a1f0e-2f4b-4a55-9a4e-2d1c7b1f0a01"
BOB = "0b5e2b8c-3c1d-4d0e-8b8a-6a3c2e4d5f02"
CHART = "c3a4e5f6-0718-4293-a4b5-c6d7e8f90a03"


@pytest.fixture(params=backend_params())
def store(request):
    if request.param == RELATIONAL:
        yield RelationalAuditTrail()
    else:
        with mongo_database_for(request.param) as database:
            yield MongoAuditTrail(database).ensure_indexes()


@pytest.fixture
def mongo_database(request):
    with mongo_database_for(request.param) as database:
        yield database


def record(store, action="record.viewed", minutes=0, **fields):
    return store.record(action=action, at=T0 + timedelta(minutes=minutes), **fields)


def test_it_returns_the_recorded_event_with_an_id(store):
    event = store.record(
        action="auth.login",
        at=T0,
        actor_id=ALICE,
        actor_email="alice@example.test",
        subject_type="accounts.user",
        subject_id=ALICE,
        ip_address="203.0.113.7",
        user_agent="Firefox",
        details={"method": "password"},
    )
    assert isinstance(event, AuditRecord)
    assert event.id
    assert (event.action, event.at, event.actor_id, event.actor_email) == (
        "auth.login",
        T0,
        ALICE,
        "alice@example.test",
    )
    assert (event.subject_type, event.subject_id) == ("accounts.user", ALICE)
    assert (event.ip_address, event.user_agent, event.details) == (
        "203.0.113.7",
        "Firefox",
        {"method": "password"},
    )


def test_it_reads_back_every_field_as_recorded(store):
    written = store.record(
        action="auth.login",
        at=T0 + timedelta(microseconds=123456),
        actor_id=ALICE,
        actor_email="alice@example.test",
        subject_type="accounts.user",
        subject_id=ALICE,
        ip_address="2001:db8::1",
        user_agent="Firefox",
        details={"method": "password", "attempt": 2, "remember": False, "scopes": ["a", "b"]},
    )
    [read] = store.for_actor(ALICE)
    assert read == written
    assert read.at == T0 + timedelta(microseconds=123000)  # both stores keep milliseconds
    assert read.at.utcoffset() == timedelta(0)


def test_it_stamps_the_event_now_in_utc_when_no_time_is_given(store):
    before = datetime.now(UTC) - timedelta(seconds=1)
    event = store.record(action="auth.logout")
    assert before <= event.at <= datetime.now(UTC)
    assert store.recent(limit=1)[0].at == event.at


def test_it_gives_every_event_its_own_id(store):
    ids = {record(store, minutes=n).id for n in range(5)}
    assert len(ids) == 5


def test_it_refuses_an_event_without_an_action(store):
    with pytest.raises(ValueError):
        store.record(action="")


def test_it_lists_the_events_of_one_subject_newest_first(store):
    record(store, "record.viewed", 0, subject_type="records.chart", subject_id=CHART)
    record(store, "record.viewed", 5, subject_type="records.chart", subject_id=BOB)
    record(store, "record.updated", 10, subject_type="records.chart", subject_id=CHART)
    record(store, "user.updated", 15, subject_type="accounts.user", subject_id=CHART)

    events = store.for_subject("records.chart", CHART)
    assert [(e.action, e.at) for e in events] == [
        ("record.updated", T0 + timedelta(minutes=10)),
        ("record.viewed", T0),
    ]


def test_it_limits_the_events_of_a_subject(store):
    for n in range(4):
        record(store, minutes=n, subject_type="records.chart", subject_id=CHART)
    events = store.for_subject("records.chart", CHART, limit=2)
    assert [e.at for e in events] == [T0 + timedelta(minutes=3), T0 + timedelta(minutes=2)]


def test_it_lists_the_events_of_one_actor_newest_first(store):
    record(store, "auth.login", 0, actor_id=ALICE)
    record(store, "auth.login", 1, actor_id=BOB)
    record(store, "record.viewed", 2, actor_id=ALICE)
    events = store.for_actor(ALICE, limit=10)
    assert [e.action for e in events] == ["record.viewed", "auth.login"]
    assert {e.actor_id for e in events} == {ALICE}


def test_it_keeps_insertion_order_between_events_at_the_same_time(store):
    first = record(store, "auth.login", 0, actor_id=ALICE)
    second = record(store, "auth.logout", 0, actor_id=ALICE)
    assert [e.id for e in store.for_actor(ALICE)] == [second.id, first.id]


def test_it_lists_recent_events_newest_first_within_the_limit(store):
    for n, action in enumerate(["a.one", "a.two", "a.three", "a.four"]):
        record(store, action, n)
    assert [e.action for e in store.recent(limit=3)] == ["a.four", "a.three", "a.two"]


def test_it_filters_recent_events_by_action(store):
    record(store, "auth.login", 0)
    record(store, "auth.failed", 1)
    record(store, "auth.login", 2)
    events = store.recent(limit=10, action="auth.login")
    assert [e.at for e in events] == [T0 + timedelta(minutes=2), T0]


def test_it_counts_events_per_action_since_a_moment(store):
    record(store, "auth.login", -1)  # before `since`: not counted
    record(store, "auth.login", 0)
    record(store, "auth.login", 1)
    record(store, "auth.failed", 2)
    record(store, "record.viewed", 3)  # not asked for
    counts = store.count(["auth.login", "auth.failed", "auth.locked"], T0)
    assert counts == {"auth.login": 2, "auth.failed": 1, "auth.locked": 0}


def test_it_counts_nothing_when_no_action_is_asked(store):
    record(store, "auth.login", 0)
    assert store.count([], T0) == {}


def test_it_strips_secret_looking_keys_from_details(store):
    event = record(
        store,
        details={
            "password": "hunter2",
            "new_password1": "hunter3",
            "token": "abc",
            "api_key": "k",
            "client_secret": "s",
            "totp_code": "123456",
            "method": "password",
        },
    )
    assert event.details == {"method": "password"}
    assert store.recent(limit=1)[0].details == {"method": "password"}


def test_it_drops_detail_values_that_are_not_plain_data(store, patient):
    event = record(store, details={"patient": patient, "count": 3, "mixed": ["a", patient]})
    assert event.details == {"count": 3}


def test_it_truncates_long_text(store):
    event = record(store, user_agent="x" * 1000, details={"reason": "y" * 1000})
    [read] = store.recent(limit=1)
    assert len(read.user_agent) == USER_AGENT_MAX
    assert len(read.details["reason"]) == DETAIL_TEXT_MAX
    assert read == event


def test_it_stores_no_address_when_the_ip_is_not_valid(store):
    event = record(store, ip_address="not-an-ip")
    assert event.ip_address is None
    assert store.recent(limit=1)[0].ip_address is None


@pytest.mark.parametrize("mongo_database", ["mongomock", "mongodb"], indirect=True)
def test_it_creates_the_mongo_indexes_idempotently(mongo_database):
    MongoAuditTrail(mongo_database).ensure_indexes()
    first = mongo_database["audit_events"].index_information()
    MongoAuditTrail(mongo_database).ensure_indexes()
    second = mongo_database["audit_events"].index_information()
    assert first == second
    keys = {name: info["key"] for name, info in second.items()}
    assert keys["subject_at"] == [("subject_type", 1), ("subject_id", 1), ("at", -1)]
    assert keys["actor_at"] == [("actor_id", 1), ("at", -1)]
    assert keys["action_at"] == [("action", 1), ("at", -1)]


def test_it_has_the_same_indexes_in_the_relational_table():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "accounts_auditevent")
    indexes = {name: info["columns"] for name, info in constraints.items() if info["index"]}
    assert indexes["audit_subject_at"] == ["subject_type", "subject_id", "at"]
    assert indexes["audit_actor_at"] == ["actor_id", "at"]
    assert indexes["audit_action_at"] == ["action", "at"]
