"""One probe per component kind. A probe returns when the service answered and raises otherwise.

The cycle (services.status_probe_cycle) runs them concurrently under one deadline, so a probe's own driver
timeout is only a second line of defence. Probes never write anything but their own check keys.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection

from config import docstore
from status.heartbeat import beat_tick_age, fresh_workers
from status.models import ComponentKind


class ProbeFailed(Exception):
    """The service answered, but not as a healthy one does."""


def probe_web() -> None:
    """An internal request to /healthz through the real HTTP stack."""
    url = settings.STATUS_WEB_URL
    if not url.startswith(("http://", "https://")):
        raise ProbeFailed("STATUS_WEB_URL must be http(s)")
    # Inside docker compose the probe calls http://web:8000/healthz; the Host header names the
    # public site so that ALLOWED_HOSTS accepts it without listing internal names.
    site_host = urllib.parse.urlsplit(settings.SITE_URL).netloc
    request = urllib.request.Request(url, headers={"Host": site_host} if site_host else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=settings.STATUS_PROBE_TIMEOUT) as response:  # noqa: S310
        if response.status != 200:
            raise ProbeFailed(f"HTTP {response.status}")


def probe_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def probe_document_store() -> None:
    docstore.ping()


def probe_redis() -> None:
    import redis

    timeout = settings.STATUS_PROBE_TIMEOUT
    client = redis.Redis.from_url(
        settings.STATUS_REDIS_URL, socket_timeout=timeout, socket_connect_timeout=timeout
    )
    try:
        if not client.ping():
            raise ProbeFailed("no PONG")
    finally:
        client.close()


def probe_workers() -> None:
    if not fresh_workers():
        raise ProbeFailed("no fresh worker heartbeat")


def probe_beat() -> None:
    age = beat_tick_age()
    if age is None or age > settings.STATUS_BEAT_TICK_INTERVAL * 3:
        raise ProbeFailed("no recent beat tick")


def probe_email() -> None:
    """Opens (and closes) an SMTP session; local backends (console, file, locmem) have nothing to reach."""
    backend = get_connection(fail_silently=False)
    if not hasattr(backend, "host"):
        return
    backend.timeout = settings.STATUS_PROBE_TIMEOUT
    try:
        backend.open()
        backend.connection.noop()
    finally:
        backend.close()


PROBES: dict[str, Callable[[], None]] = {
    ComponentKind.WEB: probe_web,
    ComponentKind.DATABASE: probe_database,
    ComponentKind.DOCUMENT_STORE: probe_document_store,
    ComponentKind.REDIS: probe_redis,
    ComponentKind.WORKERS: probe_workers,
    ComponentKind.BEAT: probe_beat,
    ComponentKind.EMAIL: probe_email,
}


def is_monitored(kind: str) -> bool:
    """Embedded mode (no REDIS_URL) has no Redis, no workers and no beat: tasks run in-process.

    Those components are shown as "not monitored" rather than as a permanent outage.
    """
    if kind == ComponentKind.REDIS:
        return bool(settings.STATUS_REDIS_URL)
    if kind in (ComponentKind.WORKERS, ComponentKind.BEAT):
        return not settings.CELERY_TASK_ALWAYS_EAGER
    return True
