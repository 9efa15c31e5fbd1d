"""Liveness and readiness for load balancers and orchestrators.

/healthz says the process answers and touches nothing else, so a database outage never restarts healthy web
processes. /readyz checks the dependencies a request needs, each bounded by a deadline.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import docstore
from status.deadline import run_with_deadline
from status.public import detached_session


@never_cache
@require_GET
@detached_session
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    key = "readyz:probe"
    token = uuid.uuid4().hex
    cache.set(key, token, timeout=30)
    if cache.get(key) != token:
        raise RuntimeError("cache did not return the value just written")


READINESS_CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "document_store": docstore.ping,
}


@never_cache
@require_GET
@detached_session
def readyz(request):
    outcomes = run_with_deadline(READINESS_CHECKS, timeout=settings.STATUS_PROBE_TIMEOUT)
    failed = [name for name, outcome in outcomes.items() if not outcome.ok]
    body = {
        "status": "unavailable" if failed else "ok",
        "checks": {
            name: {"ok": outcome.ok, "latency_ms": outcome.latency_ms}
            | ({"error": outcome.error} if outcome.error else {})
            for name, outcome in outcomes.items()
        },
        "failed": failed,
    }
    return JsonResponse(body, status=503 if failed else 200)
