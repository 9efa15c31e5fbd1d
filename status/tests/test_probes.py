"""Each probe up and down; a dependency on a closed port is reported down within the timeout."""

import os
import time

import pytest

from config import docstore
from status import heartbeat, probes
from status.deadline import run_with_deadline
from status.models import ComponentKind

from .conftest import CLOSED_REDIS_CACHE, database_unreachable

pytestmark = pytest.mark.django_db


def outcome_of(probe, timeout=2.0):
    started = time.monotonic()
    result = run_with_deadline({"probe": probe}, timeout=timeout)["probe"]
    assert time.monotonic() - started < timeout + 0.5
    return result


def test_it_finds_the_web_process_up(healthz_url, settings):
    settings.STATUS_WEB_URL = healthz_url
    assert outcome_of(probes.probe_web).ok


def test_it_asks_the_web_process_for_the_public_site_host(healthz_url, settings):
    from .conftest import _Healthz

    settings.STATUS_WEB_URL = healthz_url
    settings.SITE_URL = "https://clinic.example.org"
    _Healthz.hosts_seen.clear()
    assert outcome_of(probes.probe_web).ok
    assert _Healthz.hosts_seen == ["clinic.example.org"]


def test_it_finds_the_web_process_down_on_a_closed_port(settings):
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    result = outcome_of(probes.probe_web)
    assert not result.ok and result.error == "URLError"


def test_it_finds_the_database_up():
    assert outcome_of(probes.probe_database).ok


def test_it_finds_the_database_down_on_a_closed_port():
    with database_unreachable():
        result = outcome_of(probes.probe_database)
    assert not result.ok
    assert result.error == "OperationalError"


def test_it_finds_the_document_store_up():
    assert outcome_of(probes.probe_document_store).ok


def test_it_finds_the_mongo_document_store_up_on_mongomock(settings):
    docstore.reset()
    settings.MONGO_URL = "mongomock://"
    try:
        assert outcome_of(probes.probe_document_store).ok
    finally:
        docstore.reset()


def test_it_finds_the_document_store_down_on_a_closed_port(settings):
    docstore.reset()
    settings.MONGO_URL = "mongodb://127.0.0.1:1"
    settings.MONGO_TIMEOUT_MS = 300
    try:
        result = outcome_of(probes.probe_document_store)
    finally:
        docstore.reset()
    assert not result.ok and result.error == "DocumentStoreUnavailable"


def test_it_finds_redis_up(settings):
    url = os.environ.get("REDIS_URL", "")
    if not url:
        pytest.skip("REDIS_URL is not set: no Redis server to PING")
    settings.STATUS_REDIS_URL = url
    assert outcome_of(probes.probe_redis).ok


def test_it_finds_redis_down_on_a_closed_port(settings):
    settings.STATUS_REDIS_URL = "redis://127.0.0.1:1/0"
    result = outcome_of(probes.probe_redis)
    assert not result.ok and result.error == "ConnectionError"


def test_it_finds_workers_up_while_a_heartbeat_is_fresh():
    heartbeat.worker_heartbeat(hostname="celery@a")
    assert outcome_of(probes.probe_workers).ok


def test_it_finds_workers_down_when_the_heartbeat_is_stale(settings):
    heartbeat.worker_heartbeat(hostname="celery@a", now=time.time() - heartbeat.heartbeat_ttl() - 1)
    assert not outcome_of(probes.probe_workers).ok


def test_it_finds_workers_down_when_none_ever_beat():
    assert not outcome_of(probes.probe_workers).ok


def test_it_finds_workers_down_when_redis_is_unreachable(settings):
    settings.CACHES = CLOSED_REDIS_CACHE
    assert not outcome_of(probes.probe_workers).ok


def test_it_refreshes_a_worker_heartbeat_from_the_worker_ready_signal(settings):
    from status import signals

    settings.STATUS_HEARTBEAT_INTERVAL = 1

    class Worker:
        hostname = "celery@signal"

    signals.start_heartbeat(sender=Worker())
    try:
        deadline = time.monotonic() + 3
        while not heartbeat.fresh_workers() and time.monotonic() < deadline:
            time.sleep(0.05)  # the heartbeat thread writes its first beat as it starts
        assert heartbeat.fresh_workers() == ["celery@signal"]
    finally:
        signals.stop_heartbeat(sender=Worker())
    assert heartbeat.fresh_workers() == []


def test_it_finds_beat_up_after_a_recent_tick():
    from status.tasks import status_beat_tick

    status_beat_tick.delay()
    assert outcome_of(probes.probe_beat).ok


def test_it_finds_beat_down_when_the_last_tick_is_old(settings):
    heartbeat.beat_tick_record(now=time.time() - settings.STATUS_BEAT_TICK_INTERVAL * 3 - 1)
    assert not outcome_of(probes.probe_beat).ok


def test_it_finds_email_up_with_a_local_backend():
    assert outcome_of(probes.probe_email).ok


def test_it_finds_email_down_when_the_smtp_server_is_unreachable(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1
    result = outcome_of(probes.probe_email)
    assert not result.ok and result.error == "ConnectionRefusedError"


def test_it_does_not_monitor_redis_workers_or_beat_in_embedded_mode(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STATUS_REDIS_URL = ""
    assert not probes.is_monitored(ComponentKind.REDIS)
    assert not probes.is_monitored(ComponentKind.WORKERS)
    assert not probes.is_monitored(ComponentKind.BEAT)
    assert probes.is_monitored(ComponentKind.DATABASE)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.STATUS_REDIS_URL = "redis://127.0.0.1:6379/0"
    assert all(probes.is_monitored(kind) for kind in ComponentKind)
