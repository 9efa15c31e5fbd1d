"""Liveness of Celery workers and beat, kept in the cache.

Each worker refreshes `status:worker:<hostname>` (with a TTL) from a timer thread started when it is ready; a worker
is up while its key is fresh. Beat runs `status.beat_tick` on a schedule; a worker records the tick time, so beat is
up while the last tick is recent (a stale tick also means no worker picks up scheduled work).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache

WORKER_KEY = "status:worker:{hostname}"
WORKER_REGISTRY_KEY = "status:workers"
BEAT_TICK_KEY = "status:beat:last_tick"


def heartbeat_ttl() -> int:
    return int(settings.STATUS_HEARTBEAT_INTERVAL * 3)


def worker_heartbeat(*, hostname: str, now: float | None = None) -> None:
    """Record that the worker `hostname` is alive now."""
    now = time.time() if now is None else now
    cache.set(WORKER_KEY.format(hostname=hostname), now, timeout=heartbeat_ttl())
    registry = cache.get(WORKER_REGISTRY_KEY) or []
    if hostname not in registry:
        # A lost race only drops a name until that worker's next beat.
        cache.set(WORKER_REGISTRY_KEY, sorted({*registry, hostname}), timeout=7 * 24 * 3600)


def worker_gone(*, hostname: str) -> None:
    cache.delete(WORKER_KEY.format(hostname=hostname))


def fresh_workers(*, now: float | None = None) -> list[str]:
    """Hostnames whose heartbeat is younger than the heartbeat TTL."""
    now = time.time() if now is None else now
    registry = cache.get(WORKER_REGISTRY_KEY) or []
    beats = cache.get_many([WORKER_KEY.format(hostname=name) for name in registry])
    return [
        name
        for name in registry
        if (beat := beats.get(WORKER_KEY.format(hostname=name))) is not None
        and now - float(beat) < heartbeat_ttl()
    ]


def beat_tick_record(*, now: float | None = None) -> None:
    cache.set(BEAT_TICK_KEY, time.time() if now is None else now, timeout=7 * 24 * 3600)


def beat_tick_age(*, now: float | None = None) -> float | None:
    """Seconds since the last beat tick, or None when beat never ticked."""
    tick = cache.get(BEAT_TICK_KEY)
    if tick is None:
        return None
    return (time.time() if now is None else now) - float(tick)


class HeartbeatThread(threading.Thread):
    """Refreshes one worker's heartbeat until stopped (started by the worker_ready signal)."""

    def __init__(self, hostname: str) -> None:
        super().__init__(name="status-heartbeat", daemon=True)
        self.hostname = hostname
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                worker_heartbeat(hostname=self.hostname)
            except Exception:  # noqa: S110 - Redis away: the probe reports the worker down, as it should
                pass
            self.stopped.wait(settings.STATUS_HEARTBEAT_INTERVAL)

    def stop(self) -> None:
        self.stopped.set()
