"""Status reads. The public page and summary.json read the published summary: process memory (a few seconds),
then the cache, then the file under var/ while it is fresh, then the database (bounded by the probe timeout), then
a stale file. They never read the session or the user.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Prefetch
from django.utils import timezone

from status.deadline import run_with_deadline
from status.models import Component, DailyRollup, Incident, IncidentStatus, IncidentUpdate
from status.summary_file import summary_file_read

MEMO_SECONDS = 5.0
_memo_lock = threading.Lock()
_memo: dict = {}


def status_memo_clear() -> None:
    with _memo_lock:
        _memo.clear()


def status_memo_get(key: str):
    """A value derived from the current payload (rendered page, summary.json), or None."""
    with _memo_lock:
        entry = _memo.get("derived", {}).get(key)
    return entry


def status_memo_put(key: str, value) -> None:
    with _memo_lock:
        _memo.setdefault("derived", {})[key] = value


def status_payload() -> dict:
    """The last published summary, from the cheapest place that has a usable copy."""
    with _memo_lock:
        if _memo.get("payload") is not None and time.monotonic() - _memo["at"] < MEMO_SECONDS:
            return _memo["payload"]
    payload, source = _payload_load()
    with _memo_lock:
        _memo.clear()
        _memo.update(payload=payload, at=time.monotonic(), source=source, derived={})
    return payload


def status_payload_source() -> str:
    with _memo_lock:
        return _memo.get("source", "")


def _payload_load() -> tuple[dict, str]:
    from status.services import SUMMARY_CACHE_KEY

    try:
        payload = cache.get(SUMMARY_CACHE_KEY)
    except Exception:
        payload = None
    if payload:
        return payload, "cache"
    on_disk = summary_file_read()
    if on_disk and _is_fresh(on_disk):
        return on_disk, "file"
    built = _payload_from_database()
    if built is not None:
        return built, "database"
    if on_disk:
        return on_disk, "file"
    return _payload_empty(), "none"


def _is_fresh(payload: dict) -> bool:
    generated = payload.get("generated_at")
    if not generated:
        return False
    age = timezone.now() - datetime.fromisoformat(generated)
    return age < timedelta(seconds=settings.STATUS_PROBE_INTERVAL * 3)


def _payload_from_database() -> dict | None:
    """Rebuild from PostgreSQL without waiting past the probe timeout.

    Built in a helper thread under a deadline; inside a transaction (tests) in place, since another thread
    could not see this one's uncommitted rows.
    """
    from status.services import status_summary_refresh

    if connection.in_atomic_block:
        try:
            return status_summary_refresh()
        except Exception:
            return None
    outcome = run_with_deadline(
        {"build": status_summary_refresh}, timeout=settings.STATUS_PROBE_TIMEOUT
    )["build"]
    return outcome.value if outcome.ok else None


def _payload_empty() -> dict:
    from status.services import overall_status

    return {
        "version": 1,
        "generated_at": None,
        "database_up": None,
        "overall": overall_status(states=[], impacts=[])
        | {"indicator": "none", "description": "Status not yet known"},
        "components": [],
        "incidents": [],
        "maintenance": [],
    }


def public_components(payload: dict) -> list[dict]:
    return [c for c in payload.get("components", []) if c.get("is_public")]


def public_groups(payload: dict) -> list[tuple[str, list[dict]]]:
    groups: OrderedDict[str, list[dict]] = OrderedDict()
    for component in public_components(payload):
        groups.setdefault(component["group"] or "Services", []).append(component)
    return list(groups.items())


def public_summary(payload: dict) -> dict:
    """summary.json: in the spirit of Atlassian Statuspage's /api/v2/summary.json."""
    public = public_components(payload)
    public_slugs = {c["slug"] for c in public}
    return {
        "page": {
            "name": f"{settings.SITE_NAME} status",
            "url": f"{settings.SITE_URL}/status/",
            "updated_at": payload.get("generated_at"),
        },
        "status": payload["overall"],
        "components": [
            {
                "id": c["slug"],
                "name": c["name"],
                "description": c["description"],
                "group": c["group"],
                "status": c["display_state"],
                "updated_at": c["state_changed_at"] or c["last_checked_at"],
                "checked_at": c["last_checked_at"],
                "latency_ms": c["latency_ms"],
                "uptime_90d": c["uptime_90d"],
            }
            for c in public
        ],
        "incidents": [
            {
                **incident,
                "url": f"{settings.SITE_URL}/status/incidents/{incident['id']}/",
                "components": [s for s in incident["components"] if s in public_slugs],
            }
            for incident in payload.get("incidents", [])
        ],
        "scheduled_maintenances": [
            {
                **window,
                "status": "in_progress" if window["in_progress"] else "scheduled",
                "components": [s for s in window["components"] if s in public_slugs],
            }
            for window in payload.get("maintenance", [])
        ],
    }


# --- database reads (history, one incident, uptime) ------------------------------------------


def incident_get_public(*, public_id) -> Incident | None:
    return (
        Incident.objects.filter(public_id=public_id)
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.filter(is_public=True)),
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-posted_at", "-id")),
        )
        .first()
    )


def incident_history(*, months: int = 12, now: datetime | None = None) -> list[tuple[str, list]]:
    """Incidents of the last `months` months grouped by month, newest first (3 queries)."""
    now = now or timezone.now()
    since = now - timedelta(days=31 * months)
    incidents = (
        Incident.objects.filter(started_at__gte=since)
        .prefetch_related(
            Prefetch("components", queryset=Component.objects.filter(is_public=True)),
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-posted_at", "-id")),
        )
        .order_by("-started_at")
    )
    months_seen: OrderedDict[str, list] = OrderedDict()
    for incident in incidents:
        label = incident.started_at.astimezone(UTC).strftime("%B %Y")
        months_seen.setdefault(label, []).append(incident)
    return list(months_seen.items())


def component_get_public(*, slug: str) -> Component | None:
    return Component.objects.filter(slug=slug, is_public=True).first()


def component_uptime(*, component: Component, days: int, now: datetime | None = None) -> dict:
    """Daily uptime for the last `days` days (2 queries); days without samples have null figures."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=days - 1)
    rows = {
        row.day: row
        for row in DailyRollup.objects.filter(
            component=component, day__gte=first_day, day__lte=today
        )
    }
    window_start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC)
    incidents = list(
        component.incidents.exclude(resolved_at__lt=window_start).values(
            "started_at", "resolved_at"
        )
    )
    series = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        row = rows.get(day)
        series.append(
            {
                "date": day.isoformat(),
                "uptime_pct": None if row is None else float(row.uptime_pct),
                "samples": 0 if row is None else row.sample_count,
                "p50_ms": None if row is None else row.p50_ms,
                "p95_ms": None if row is None else row.p95_ms,
                "worst_state": None if row is None else row.worst_state,
                "incidents": sum(
                    1
                    for incident in incidents
                    if incident["started_at"].astimezone(UTC).date()
                    <= day
                    <= (incident["resolved_at"] or now).astimezone(UTC).date()
                ),
            }
        )
    measured = [entry for entry in series if entry["samples"]]
    total = sum(entry["samples"] for entry in measured)
    return {
        "component": component.slug,
        "name": component.name,
        "days": days,
        "uptime_pct": (
            round(sum(e["uptime_pct"] * e["samples"] for e in measured) / total, 3)
            if total
            else None
        ),
        "daily": series,
    }


def open_incidents_for_admin() -> list[Incident]:
    return list(
        Incident.objects.exclude(status=IncidentStatus.RESOLVED)
        .prefetch_related("components")
        .order_by("-started_at")
    )
