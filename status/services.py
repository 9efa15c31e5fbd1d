"""Status writes: the probe cycle and its state machine, the daily rollup, the published summary, alerts.

The summary (states, incidents, maintenance, 90-day bars, 24-hour response times) is built here and published to
the cache and to a JSON file under var/; the public page reads it from there (status/selectors.py) so it keeps
answering when PostgreSQL or Redis is down. A cycle that finds PostgreSQL down keeps its memory of states in the
published summary and writes the database again once it is back.
"""

from __future__ import annotations

import logging
import math
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from status.deadline import run_with_deadline
from status.models import (
    STATE_SEVERITY,
    Component,
    DailyRollup,
    Incident,
    IncidentStatus,
    IncidentUpdate,
    Maintenance,
    State,
)
from status.probes import PROBES, is_monitored
from status.storage import RETENTION, status_samples
from status.summary_file import summary_file_read, summary_file_write

logger = logging.getLogger(__name__)

SUMMARY_CACHE_KEY = "status:summary:v1"
SUMMARY_CACHE_TTL = 7 * 24 * 3600
BAR_DAYS = 90
CHART_HOURS = 24
CHART_BUCKET_MINUTES = 15
MAINTENANCE = "maintenance"  # a display state, never a probe result
UPCOMING_MAINTENANCE_DAYS = 30

COMPONENT_FIELDS = (
    "id",
    "slug",
    "name",
    "kind",
    "description",
    "group",
    "display_order",
    "is_public",
    "degraded_after_ms",
    "state",
    "state_changed_at",
    "last_sample_state",
    "last_checked_at",
    "last_latency_ms",
)


# --- the state machine ---------------------------------------------------------------------


def sample_state(*, ok: bool, latency_ms: float, degraded_after_ms: int) -> str:
    if not ok:
        return State.DOWN
    return State.DEGRADED if latency_ms > degraded_after_ms else State.OPERATIONAL


def state_next(*, current: str, last_sample: str, sample: str) -> str:
    """A state changes only when two consecutive samples agree on the new one (no flapping)."""
    if sample == State.NOT_MONITORED:
        return State.NOT_MONITORED
    if sample != current and sample == last_sample:
        return sample
    return current


# --- the probe cycle -----------------------------------------------------------------------


def status_probe_cycle(*, now: datetime | None = None) -> dict:
    """Probe every kind concurrently, advance each component's state, store samples, publish the summary.

    Ends within about STATUS_PROBE_TIMEOUT even when a dependency hangs. Database writes happen only when the
    database probe just succeeded; samples are stored only when the document store did.
    """
    kinds = [kind for kind in PROBES if is_monitored(kind)]
    outcomes = run_with_deadline(
        {kind: PROBES[kind] for kind in kinds}, timeout=settings.STATUS_PROBE_TIMEOUT
    )
    now = now or timezone.now()
    database_up = bool(outcomes.get("database") and outcomes["database"].ok)
    store_up = bool(outcomes.get("document_store") and outcomes["document_store"].ok)
    previous = _previous_payload()
    components = _components_known(database_up=database_up, previous=previous)

    samples, transitions = [], []
    for component in components:
        outcome = outcomes.get(component["kind"])
        if outcome is None:
            new_sample = State.NOT_MONITORED
        else:
            new_sample = sample_state(
                ok=outcome.ok,
                latency_ms=outcome.latency_ms,
                degraded_after_ms=component["degraded_after_ms"],
            )
            samples.append(
                {
                    "component": component["slug"],
                    "at": now,
                    "state": new_sample,
                    "latency_ms": outcome.latency_ms if outcome.ok else None,
                }
            )
        old_state = component["state"]
        new_state = state_next(
            current=old_state, last_sample=component["last_sample_state"], sample=new_sample
        )
        if new_state != old_state:
            component["state_changed_at"] = now
            if old_state in _ALERTABLE and new_state in _ALERTABLE:
                transitions.append((component, old_state, new_state))
        component["state"] = new_state
        component["last_sample_state"] = new_sample
        component["last_checked_at"] = now
        component["last_latency_ms"] = (
            outcome.latency_ms if outcome is not None and outcome.ok else None
        )

    if store_up and samples:
        try:
            status_samples().add_many(samples)
        except Exception:
            logger.warning("status: could not store probe samples", exc_info=True)
    if database_up:
        _components_save(components)

    payload = status_summary_build(
        components=components,
        now=now,
        database_up=database_up,
        store_up=store_up,
        previous=previous,
    )
    status_summary_publish(payload=payload)
    under_maintenance = {
        slug
        for window in payload["maintenance"]
        if window["in_progress"]
        for slug in window["components"]
    }
    for component, old_state, new_state in transitions:
        if component["slug"] not in under_maintenance:
            status_alert_state_change(
                component=component,
                old_state=old_state,
                new_state=new_state,
                at=now,
                database_up=database_up,
            )
    return payload


_ALERTABLE = {State.OPERATIONAL, State.DEGRADED, State.DOWN}


def _previous_payload() -> dict | None:
    try:
        payload = cache.get(SUMMARY_CACHE_KEY)
    except Exception:
        payload = None
    return payload or summary_file_read()


def _components_known(*, database_up: bool, previous: dict | None) -> list[dict]:
    """The components and their remembered states: database rows, unless the summary is newer."""
    remembered = {c["slug"]: c for c in (previous or {}).get("components", [])}
    if not database_up:
        return [_component_from_payload(entry) for entry in remembered.values()]
    rows = list(Component.objects.values(*COMPONENT_FIELDS))
    for row in rows:
        entry = remembered.get(row["slug"])
        if (
            entry
            and _parse(entry.get("last_checked_at"))
            and (
                row["last_checked_at"] is None
                or _parse(entry["last_checked_at"]) > row["last_checked_at"]
            )
        ):
            row["state"] = entry["state"]
            row["last_sample_state"] = entry.get("last_sample_state", "")
            row["state_changed_at"] = _parse(entry.get("state_changed_at"))
    return rows


def _component_from_payload(entry: dict) -> dict:
    component = {field: entry.get(field) for field in COMPONENT_FIELDS}
    component["last_sample_state"] = entry.get("last_sample_state") or ""
    component["state_changed_at"] = _parse(entry.get("state_changed_at"))
    component["last_checked_at"] = _parse(entry.get("last_checked_at"))
    component["last_latency_ms"] = entry.get("latency_ms")
    return component


def _components_save(components: list[dict]) -> None:
    fields = [
        "state",
        "state_changed_at",
        "last_sample_state",
        "last_checked_at",
        "last_latency_ms",
    ]
    rows = [Component(id=c["id"], **{field: c[field] for field in fields}) for c in components]
    try:
        Component.objects.bulk_update(rows, fields)
    except Exception:
        logger.warning("status: could not save component states", exc_info=True)


# --- alerts ----------------------------------------------------------------------------------


def status_alert_state_change(
    *, component: dict, old_state: str, new_state: str, at: datetime, database_up: bool = True
) -> int:
    """Email admins (and STATUS_ALERT_EMAILS) that a component changed state; returns recipients told."""
    recipients = set(settings.STATUS_ALERT_EMAILS)
    if database_up:
        from accounts.models import Role, User

        try:
            recipients.update(
                User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
            )
        except Exception:
            logger.warning("status: could not list admins for an alert", exc_info=True)
    if not recipients:
        return 0
    labels = dict(State.choices)
    subject = f"[{settings.SITE_NAME} status] {component['name']} is {labels[new_state].lower()}"
    body = (
        f"{component['name']} changed from {labels[old_state].lower()} to {labels[new_state].lower()} "
        f"at {at:%Y-%m-%d %H:%M:%S} UTC (confirmed by two consecutive probes).\n\n"
        f"Status page: {settings.SITE_URL}/status/\n"
    )
    try:
        send_mail(subject, body, None, sorted(recipients))
    except Exception:
        logger.warning("status: could not send a state-change alert", exc_info=True)
        return 0
    return len(recipients)


# --- rollups ---------------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `fraction` of values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def rollup_compute(samples: list[dict]) -> dict | None:
    """One day of samples → counts, uptime % (share of samples not down), p50/p95 latency, worst state.

    Uptime is over the samples taken: hours with no sample (a gap) count neither for nor against.
    """
    if not samples:
        return None
    counts = defaultdict(int)
    for sample in samples:
        counts[sample["state"]] += 1
    total = len(samples)
    latencies = [
        s["latency_ms"] for s in samples if s["state"] != State.DOWN and s["latency_ms"] is not None
    ]
    up = counts[State.OPERATIONAL] + counts[State.DEGRADED]
    worst = max((s["state"] for s in samples), key=lambda state: STATE_SEVERITY.get(state, 0))
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    return {
        "sample_count": total,
        "operational_count": counts[State.OPERATIONAL],
        "degraded_count": counts[State.DEGRADED],
        "down_count": counts[State.DOWN],
        "uptime_pct": (Decimal(up * 100) / Decimal(total)).quantize(Decimal("0.001")),
        "p50_ms": None if p50 is None else round(p50, 1),
        "p95_ms": None if p95 is None else round(p95, 1),
        "worst_state": worst,
    }


def status_rollup_day(*, day: date) -> int:
    """Roll up one UTC day for every component (idempotent: reruns replace the day's rows)."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    end = start + timedelta(days=1)
    store = status_samples()
    written = 0
    for component in Component.objects.only("id", "slug"):
        figures = rollup_compute(store.between(component.slug, start, end))
        if figures is None:
            continue
        DailyRollup.objects.update_or_create(component=component, day=day, defaults=figures)
        written += 1
    return written


def status_rollup(*, now: datetime | None = None) -> dict:
    """Roll up yesterday (final after midnight UTC) and today so far, prune old samples, republish."""
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    written = sum(status_rollup_day(day=day) for day in (today - timedelta(days=1), today))
    pruned = status_samples().prune(now - RETENTION)
    DailyRollup.objects.filter(day__lt=today - timedelta(days=BAR_DAYS + 275)).delete()
    status_summary_refresh(now=now)
    return {"rollups": written, "pruned": pruned}


# --- the summary -----------------------------------------------------------------------------


def status_summary_refresh(*, now: datetime | None = None) -> dict:
    """Rebuild and publish the summary from the database without probing (after admin edits, rollups)."""
    now = now or timezone.now()
    previous = _previous_payload()
    components = _components_known(database_up=True, previous=previous)
    payload = status_summary_build(
        components=components, now=now, database_up=True, store_up=True, previous=previous
    )
    status_summary_publish(payload=payload)
    return payload


def status_summary_publish(*, payload: dict) -> None:
    """Cache and file; either may fail alone (Redis down, read-only disk) and the other still serves."""
    try:
        cache.set(SUMMARY_CACHE_KEY, payload, timeout=SUMMARY_CACHE_TTL)
    except Exception:
        logger.warning("status: could not cache the summary", exc_info=True)
    try:
        summary_file_write(payload)
    except Exception:
        logger.warning("status: could not write the summary file", exc_info=True)
    from status.selectors import status_memo_clear

    status_memo_clear()


def status_summary_build(
    *,
    components: list[dict],
    now: datetime,
    database_up: bool,
    store_up: bool,
    previous: dict | None,
) -> dict:
    """The whole page as JSON-ready data. Without the database, incidents and bars come from `previous`."""
    previous = previous or {}
    remembered = {c["slug"]: c for c in previous.get("components", [])}
    if database_up:
        incidents = _active_incidents()
        maintenance = _maintenance_windows(now=now)
        bars = _bars(components=components, now=now)
    else:
        incidents = previous.get("incidents", [])
        maintenance = _maintenance_refreshed(previous.get("maintenance", []), now=now)
        bars = {slug: entry.get("bars", []) for slug, entry in remembered.items()}
    in_maintenance = {
        slug for window in maintenance if window["in_progress"] for slug in window["components"]
    }

    charts = _charts(slugs=[c["slug"] for c in components], now=now) if store_up else None
    entries = []
    for component in sorted(components, key=lambda c: (c["display_order"], c["name"])):
        slug = component["slug"]
        chart = (
            (charts or {}).get(slug)
            or remembered.get(slug, {}).get("chart")
            or _empty_chart(now=now)
        )
        component_bars = bars.get(slug, [])
        measured = [bar for bar in component_bars if bar["uptime_pct"] is not None]
        entries.append(
            {
                "id": component["id"],
                "slug": slug,
                "name": component["name"],
                "kind": component["kind"],
                "description": component["description"],
                "group": component["group"],
                "display_order": component["display_order"],
                "is_public": component["is_public"],
                "degraded_after_ms": component["degraded_after_ms"],
                "state": component["state"],
                "display_state": MAINTENANCE if slug in in_maintenance else component["state"],
                "state_changed_at": _iso(component["state_changed_at"]),
                "last_sample_state": component["last_sample_state"],
                "last_checked_at": _iso(component["last_checked_at"]),
                "latency_ms": component["last_latency_ms"],
                "uptime_90d": _uptime_of(measured),
                "uptime_30d": _uptime_of(measured[-30:]),
                "bars": component_bars,
                "chart": chart,
            }
        )
    return {
        "version": 1,
        "generated_at": _iso(now),
        "database_up": database_up,
        "overall": overall_status(
            states=[e["display_state"] for e in entries if e["is_public"]],
            impacts=[incident["impact"] for incident in incidents],
        ),
        "components": entries,
        "incidents": incidents,
        "maintenance": maintenance,
    }


OVERALL_DESCRIPTIONS = {
    "none": "All systems operational",
    "maintenance": "Service under maintenance",
    "minor": "Minor service disruption",
    "major": "Partial system outage",
    "critical": "Major system outage",
}
INDICATOR_ORDER = ["none", "maintenance", "minor", "major", "critical"]
INDICATOR_STATE = {
    "none": State.OPERATIONAL,
    "maintenance": MAINTENANCE,
    "minor": State.DEGRADED,
    "major": State.DOWN,
    "critical": State.DOWN,
}


def overall_status(*, states: list[str], impacts: list[str]) -> dict:
    """The banner: the worst of the public components' states and the active incidents' impacts."""
    monitored = [s for s in states if s not in (State.NOT_MONITORED, State.UNKNOWN)]
    indicator = "none"
    if MAINTENANCE in monitored:
        indicator = "maintenance"
    if State.DEGRADED in monitored:
        indicator = "minor"
    if State.DOWN in monitored:
        indicator = "critical" if all(s == State.DOWN for s in monitored) else "major"
    for impact in impacts:
        if impact in INDICATOR_ORDER and INDICATOR_ORDER.index(impact) > INDICATOR_ORDER.index(
            indicator
        ):
            indicator = impact
    return {
        "indicator": indicator,
        "state": INDICATOR_STATE[indicator],
        "description": OVERALL_DESCRIPTIONS[indicator],
    }


def incident_as_dict(incident: Incident) -> dict:
    updates = sorted(incident.updates.all(), key=lambda u: (u.posted_at, u.id), reverse=True)
    return {
        "id": str(incident.public_id),
        "title": incident.title,
        "impact": incident.impact,
        "status": incident.status,
        "started_at": _iso(incident.started_at),
        "resolved_at": _iso(incident.resolved_at),
        "updated_at": _iso(updates[0].posted_at if updates else incident.started_at),
        "components": sorted(c.slug for c in incident.components.all()),
        "component_names": sorted(c.name for c in incident.components.all()),
        "updates": [
            {"status": u.status, "message": u.message, "posted_at": _iso(u.posted_at)}
            for u in updates
        ],
    }


def _active_incidents() -> list[dict]:
    incidents = (
        Incident.objects.exclude(status=IncidentStatus.RESOLVED)
        .prefetch_related("components", "updates")
        .order_by("-started_at")
    )
    return [incident_as_dict(incident) for incident in incidents]


def _maintenance_windows(*, now: datetime) -> list[dict]:
    windows = (
        Maintenance.objects.filter(
            ends_at__gt=now, starts_at__lt=now + timedelta(days=UPCOMING_MAINTENANCE_DAYS)
        )
        .prefetch_related("components")
        .order_by("starts_at")
    )
    return [
        {
            "id": str(window.public_id),
            "title": window.title,
            "description": window.description,
            "starts_at": _iso(window.starts_at),
            "ends_at": _iso(window.ends_at),
            "in_progress": window.starts_at <= now < window.ends_at,
            "components": sorted(c.slug for c in window.components.all()),
        }
        for window in windows
    ]


def _maintenance_refreshed(windows: list[dict], *, now: datetime) -> list[dict]:
    """Known windows re-timed against `now` (a window may start or end while the database is away)."""
    refreshed = []
    for window in windows:
        starts_at, ends_at = _parse(window["starts_at"]), _parse(window["ends_at"])
        if ends_at > now:
            refreshed.append({**window, "in_progress": starts_at <= now < ends_at})
    return refreshed


def _bars(*, components: list[dict], now: datetime) -> dict[str, list[dict]]:
    """90 days per component from 90 rollup rows each, plus the incidents touching each day: 3 queries."""
    today = now.astimezone(UTC).date()
    first_day = today - timedelta(days=BAR_DAYS - 1)
    rollups = {
        (row["component_id"], row["day"]): row
        for row in DailyRollup.objects.filter(day__gte=first_day, day__lte=today).values(
            "component_id", "day", "uptime_pct", "sample_count", "worst_state", "p95_ms"
        )
    }
    incidents_by_day: dict[tuple[int, date], list[str]] = defaultdict(list)
    window_start = datetime.combine(first_day, time.min, tzinfo=UTC)
    incidents = Incident.objects.filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=window_start)
    ).prefetch_related(Prefetch("components", queryset=Component.objects.only("id")))
    for incident in incidents:
        start_day = max(incident.started_at.astimezone(UTC).date(), first_day)
        end_day = min((incident.resolved_at or now).astimezone(UTC).date(), today)
        for component in incident.components.all():
            day = start_day
            while day <= end_day:
                incidents_by_day[(component.id, day)].append(incident.title)
                day += timedelta(days=1)

    bars: dict[str, list[dict]] = {}
    for component in components:
        series = []
        for offset in range(BAR_DAYS):
            day = first_day + timedelta(days=offset)
            row = rollups.get((component["id"], day))
            series.append(
                {
                    "day": day.isoformat(),
                    "uptime_pct": None if row is None else float(row["uptime_pct"]),
                    "samples": 0 if row is None else row["sample_count"],
                    "worst_state": None if row is None else row["worst_state"],
                    "p95_ms": None if row is None else row["p95_ms"],
                    "incidents": incidents_by_day.get((component["id"], day), []),
                }
            )
        bars[component["slug"]] = series
    return bars


def _charts(*, slugs: list[str], now: datetime) -> dict[str, list[dict]] | None:
    """Mean response time per 15 minutes over the last 24 hours, per component (one store read).

    None where nothing answered in a bucket; None overall when the store cannot be read.
    """
    bucket = timedelta(minutes=CHART_BUCKET_MINUTES)
    count = CHART_HOURS * 60 // CHART_BUCKET_MINUTES
    start = now - bucket * count
    sums = {slug: [0.0] * count for slug in slugs}
    hits = {slug: [0] * count for slug in slugs}
    try:
        samples = status_samples().between_many(slugs, start, now)
    except Exception:
        logger.warning("status: could not read samples for the charts", exc_info=True)
        return None
    for sample in samples:
        index = int((sample["at"] - start) / bucket)
        slug = sample["component"]
        if slug in sums and 0 <= index < count and sample["latency_ms"] is not None:
            sums[slug][index] += sample["latency_ms"]
            hits[slug][index] += 1
    return {
        slug: [
            {
                "at": _iso(start + bucket * (index + 1)),
                "latency_ms": (
                    round(sums[slug][index] / hits[slug][index], 1) if hits[slug][index] else None
                ),
            }
            for index in range(count)
        ]
        for slug in slugs
    }


def _empty_chart(*, now: datetime) -> list[dict]:
    bucket = timedelta(minutes=CHART_BUCKET_MINUTES)
    count = CHART_HOURS * 60 // CHART_BUCKET_MINUTES
    start = now - bucket * count
    return [{"at": _iso(start + bucket * (i + 1)), "latency_ms": None} for i in range(count)]


def _uptime_of(bars: list[dict]) -> float | None:
    """Sample-weighted uptime over the given days (days without samples are left out)."""
    samples = sum(bar["samples"] for bar in bars)
    if not samples:
        return None
    up = sum(bar["uptime_pct"] * bar["samples"] for bar in bars)
    return round(up / samples, 3)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _parse(value: str | datetime | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


# --- incidents -------------------------------------------------------------------------------


@transaction.atomic
def incident_sync_status(*, incident: Incident) -> Incident:
    """An incident's status is its latest update's; resolved sets resolved_at (the last resolving update)."""
    latest = incident.updates.order_by("-posted_at", "-id").first()
    if latest is not None:
        incident.status = latest.status
        incident.resolved_at = (
            max(latest.posted_at, incident.started_at)
            if latest.status == IncidentStatus.RESOLVED
            else None
        )
        incident.save(update_fields=["status", "resolved_at", "updated_at"])
    transaction.on_commit(_refresh_quietly)
    return incident


@transaction.atomic
def incident_create(
    *,
    title: str,
    impact: str,
    components: list[Component],
    message: str,
    status: str = IncidentStatus.INVESTIGATING,
    started_at: datetime | None = None,
) -> Incident:
    """Open an incident with its first timeline update."""
    started_at = started_at or timezone.now()
    incident = Incident.objects.create(title=title, impact=impact, started_at=started_at)
    incident.components.set(components)
    IncidentUpdate.objects.create(
        incident=incident, status=status, message=message, posted_at=started_at
    )
    return incident_sync_status(incident=incident)


@transaction.atomic
def incident_update_add(
    *, incident: Incident, status: str, message: str, posted_at: datetime | None = None
) -> IncidentUpdate:
    """Add a timeline entry; the incident takes its status."""
    update = IncidentUpdate.objects.create(
        incident=incident, status=status, message=message, posted_at=posted_at or timezone.now()
    )
    incident_sync_status(incident=incident)
    return update


def _refresh_quietly() -> None:
    try:
        status_summary_refresh()
    except Exception:
        logger.warning("status: could not refresh the summary", exc_info=True)
