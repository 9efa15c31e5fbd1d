"""Demo status history: a week of samples and rollups and one resolved incident (idempotent)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from status import services
from status.models import Component, DailyRollup, Impact, Incident, IncidentStatus, State
from status.probes import is_monitored
from status.storage import status_samples

DEMO_DAYS = 7
DEMO_INCIDENT = "Slow appointment booking"
TYPICAL_MS = {
    "web": 40,
    "database": 3,
    "document_store": 4,
    "redis": 1,
    "workers": 2,
    "beat": 2,
    "email": 5,
}


def seed(*, stdout) -> None:
    now = timezone.now()
    today = now.astimezone(UTC).date()
    components = list(Component.objects.all())
    rng = random.Random(20261203)  # noqa: S311 - the same demo history on every machine
    web = next((c for c in components if c.slug == "web"), None)

    if not DailyRollup.objects.filter(day=today - timedelta(days=1)).exists():
        samples = []
        for days_ago in range(DEMO_DAYS, 0, -1):
            start = datetime.combine(today - timedelta(days=days_ago), time.min, tzinfo=UTC)
            for component in components:
                if not is_monitored(component.kind):
                    continue
                typical = TYPICAL_MS.get(component.kind, 5)
                for step in range(0, 24 * 60, 10):
                    at = start + timedelta(minutes=step)
                    latency = round(typical * rng.uniform(0.6, 1.8), 1)
                    state = State.OPERATIONAL
                    # Three days ago, 40 minutes of slow then failing web requests (the demo incident).
                    if component.slug == "web" and days_ago == 3 and 600 <= step < 640:
                        state, latency = (
                            (State.DEGRADED, 1800.0) if step < 620 else (State.DOWN, None)
                        )
                    samples.append(
                        {
                            "component": component.slug,
                            "at": at,
                            "state": state,
                            "latency_ms": latency,
                        }
                    )
        status_samples().add_many(samples)
        for days_ago in range(DEMO_DAYS, 0, -1):
            services.status_rollup_day(day=today - timedelta(days=days_ago))
        stdout.write(f"  status: {len(samples)} samples over {DEMO_DAYS} days, rolled up")

    if web is not None and not Incident.objects.filter(title=DEMO_INCIDENT).exists():
        started = datetime.combine(today - timedelta(days=3), time(10, 0), tzinfo=UTC)
        incident = services.incident_create(
            title=DEMO_INCIDENT,
            impact=Impact.MINOR,
            components=[web],
            message="Booking an appointment takes longer than usual. We are looking into it.",
            started_at=started,
        )
        for minutes, status, message in [
            (
                15,
                IncidentStatus.IDENTIFIED,
                "A slow database query in slot search; a fix is being deployed.",
            ),
            (
                30,
                IncidentStatus.MONITORING,
                "The fix is live. Booking times are back to normal; we are watching.",
            ),
            (60, IncidentStatus.RESOLVED, "Resolved. Sorry for the wait."),
        ]:
            services.incident_update_add(
                incident=incident,
                status=status,
                message=message,
                posted_at=started + timedelta(minutes=minutes),
            )
        stdout.write("  status: one resolved incident")

    # Start from a known state rather than "unknown" until two probe cycles ran.
    for component in components:
        if component.state == State.UNKNOWN:
            component.state = (
                State.OPERATIONAL if is_monitored(component.kind) else State.NOT_MONITORED
            )
            component.last_sample_state = component.state
            component.state_changed_at = now
            component.save(update_fields=["state", "last_sample_state", "state_changed_at"])
    services.status_summary_refresh(now=now)
