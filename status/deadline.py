"""Run a few blocking checks at once and stop waiting for them at a deadline.

A check that hangs (a firewalled host, a half-open socket) must not hold up /readyz or a probe cycle: each check
runs in its own daemon thread and is reported as timed out when the deadline passes. The thread is left to finish
on its own; it closes its database connection when it does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections


@dataclass
class Outcome:
    ok: bool
    latency_ms: float
    value: Any = None
    error: str = ""


def run_with_deadline(
    checks: dict[str, Callable[[], Any]], *, timeout: float
) -> dict[str, Outcome]:
    """Run every check concurrently; a check that raises or outlives `timeout` seconds is not ok."""
    results: dict[str, Outcome] = {}
    lock = threading.Lock()

    def run(name: str, check: Callable[[], Any]) -> None:
        started = time.perf_counter()
        try:
            value = check()
            outcome = Outcome(ok=True, latency_ms=_ms_since(started), value=value)
        except Exception as exc:  # every failure means "not ready"; the type names it
            outcome = Outcome(ok=False, latency_ms=_ms_since(started), error=_describe(exc))
        finally:
            connections.close_all()
        with lock:
            results.setdefault(name, outcome)

    started = time.perf_counter()
    threads = [
        threading.Thread(target=run, args=(name, check), name=f"check-{name}", daemon=True)
        for name, check in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = started + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.perf_counter()))
    with lock:
        for name in checks:
            results.setdefault(
                name, Outcome(ok=False, latency_ms=_ms_since(started), error="timeout")
            )
        return {name: results[name] for name in checks}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _describe(exc: Exception) -> str:
    # The type only: messages from drivers can carry hosts, users or query text.
    return type(exc).__name__
