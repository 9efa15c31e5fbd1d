"""The status-sample store contract, run against every adapter."""

from datetime import UTC, datetime, timedelta

import mongomock
import pytest

from config.docstore_testing import RELATIONAL, backend_params, mongo_database_for
from status.storage import MongoSampleStore, RelationalSampleStore

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=backend_params())
def store(request):
    if request.param == RELATIONAL:
        yield RelationalSampleStore()
    else:
        with mongo_database_for(request.param) as database:
            yield MongoSampleStore(database)


def sample(component="web", minutes=0, state="operational", latency=10.0):
    return {
        "component": component,
        "at": T0 + timedelta(minutes=minutes),
        "state": state,
        "latency_ms": latency,
    }


def test_it_returns_samples_between_two_times_oldest_first(store):
    store.add_many([sample(minutes=m) for m in (5, 0, 10, 20)])
    found = store.between("web", T0, T0 + timedelta(minutes=20))
    assert [s["at"] for s in found] == [T0, T0 + timedelta(minutes=5), T0 + timedelta(minutes=10)]
    assert found[0] == {"component": "web", "at": T0, "state": "operational", "latency_ms": 10.0}


def test_it_keeps_components_apart(store):
    store.add(sample(component="web"))
    store.add(sample(component="redis", state="down", latency=None))
    assert [s["state"] for s in store.between("redis", T0, T0 + timedelta(hours=1))] == ["down"]
    assert store.between("redis", T0, T0 + timedelta(hours=1))[0]["latency_ms"] is None


def test_it_returns_the_latest_n_oldest_first(store):
    store.add_many([sample(minutes=m, latency=float(m)) for m in range(10)])
    assert [s["latency_ms"] for s in store.latest("web", 3)] == [7.0, 8.0, 9.0]


def test_it_returns_aware_utc_times(store):
    store.add(sample())
    (found,) = store.latest("web", 1)
    assert found["at"].utcoffset() == timedelta(0)
    assert found["at"] == T0


def test_it_reads_back_the_same_instant_on_every_adapter(store):
    # MongoDB keeps milliseconds: the relational adapter must not keep more, or the two disagree.
    store.add({**sample(), "at": T0 + timedelta(microseconds=123_456)})
    (found,) = store.latest("web", 1)
    assert found["at"] == T0 + timedelta(microseconds=123_000)


def test_it_prunes_samples_before_a_time(store):
    store.add_many([sample(minutes=m) for m in (0, 1, 2)])
    assert store.prune(T0 + timedelta(minutes=2)) == 2
    assert [s["at"] for s in store.latest("web", 10)] == [T0 + timedelta(minutes=2)]


def test_it_creates_a_ttl_index_of_90_days_and_a_component_time_index():
    database = mongomock.MongoClient(tz_aware=True)["test"]
    MongoSampleStore(database)
    MongoSampleStore(database)  # idempotent
    indexes = database["status_samples"].index_information()
    assert indexes["at_ttl"]["expireAfterSeconds"] == 90 * 24 * 3600
    assert indexes["component_at"]["key"] == [("component", 1), ("at", 1)]


def test_it_builds_the_adapter_the_settings_ask_for(settings):
    from config import docstore
    from status.storage import status_samples

    docstore.reset()
    settings.MONGO_URL = ""
    assert isinstance(status_samples(), RelationalSampleStore)
    settings.MONGO_URL = "mongomock://"
    docstore.reset()
    try:
        assert isinstance(status_samples(), MongoSampleStore)
    finally:
        docstore.reset()


def test_it_returns_samples_of_several_components_at_once(store):
    store.add_many(
        [sample(component=c, minutes=m) for c in ("web", "redis", "email") for m in (0, 1)]
    )
    found = store.between_many(["web", "redis"], T0, T0 + timedelta(minutes=5))
    assert sorted((s["component"], s["at"]) for s in found) == [
        ("redis", T0),
        ("redis", T0 + timedelta(minutes=1)),
        ("web", T0),
        ("web", T0 + timedelta(minutes=1)),
    ]
