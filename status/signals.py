"""Celery worker lifecycle hooks for the worker heartbeat (connected in StatusConfig.ready)."""

from __future__ import annotations

from celery.signals import worker_ready, worker_shutdown

from status.heartbeat import HeartbeatThread, worker_gone

_threads: dict[str, HeartbeatThread] = {}


@worker_ready.connect
def start_heartbeat(sender=None, **kwargs) -> None:
    hostname = getattr(sender, "hostname", None) or "worker"
    thread = HeartbeatThread(hostname)
    _threads[hostname] = thread
    thread.start()


@worker_shutdown.connect
def stop_heartbeat(sender=None, **kwargs) -> None:
    for hostname, thread in list(_threads.items()):
        thread.stop()
        thread.join(timeout=2)  # its last write must not land after the key is deleted
        try:
            worker_gone(hostname=hostname)
        except Exception:  # noqa: S110 - the TTL expires it anyway
            pass
        _threads.pop(hostname, None)
