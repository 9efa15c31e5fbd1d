"""Status components, their daily rollups, incidents and scheduled maintenance.

Raw probe samples live in the status-sample store (status/storage.py); `StatusSample` is its relational adapter's table.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import F, Q


class ComponentKind(models.TextChoices):
    WEB = "web", "Web / API"
    DATABASE = "database", "Database (PostgreSQL)"
    DOCUMENT_STORE = "document_store", "Document store (MongoDB)"
    REDIS = "redis", "Redis"
    WORKERS = "workers", "Celery workers"
    BEAT = "beat", "Celery beat"
    EMAIL = "email", "Email"


class State(models.TextChoices):
    """What a probe can find. `unknown` until the first two agreeing samples."""

    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded", "Degraded performance"
    DOWN = "down", "Down"
    UNKNOWN = "unknown", "Unknown"
    NOT_MONITORED = "not_monitored", "Not monitored"


# Worse states sort higher; used for the worst state of a day and the overall banner.
STATE_SEVERITY = {
    State.NOT_MONITORED: 0,
    State.UNKNOWN: 0,
    State.OPERATIONAL: 1,
    State.DEGRADED: 2,
    State.DOWN: 3,
}


class Component(models.Model):
    """One service shown on the status page. Its state changes only after two agreeing samples."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ComponentKind.choices)
    description = models.CharField(max_length=300, blank=True)
    group = models.CharField(max_length=100, blank=True)
    display_order = models.PositiveIntegerField(default=0)
    is_public = models.BooleanField(default=True)
    degraded_after_ms = models.PositiveIntegerField(
        default=1000, help_text="A sample slower than this is 'degraded'."
    )
    state = models.CharField(max_length=20, choices=State.choices, default=State.UNKNOWN)
    state_changed_at = models.DateTimeField(null=True, blank=True)
    last_sample_state = models.CharField(max_length=20, choices=State.choices, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_latency_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["display_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[kind.value for kind in ComponentKind]),
                name="status_component_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[state.value for state in State]),
                name="status_component_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatusSample(models.Model):
    """One probe result (relational adapter of the status-sample store; the rollup prunes old rows)."""

    component = models.SlugField(max_length=50)
    at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices)
    latency_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["component", "at"], name="status_sample_component_at"),
            models.Index(fields=["at"], name="status_sample_at"),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.state} at {self.at:%Y-%m-%d %H:%M:%S}"


class DailyRollup(models.Model):
    """A component's day (UTC): the 90-day bars read these rows, not the raw samples."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="rollups")
    day = models.DateField()
    sample_count = models.PositiveIntegerField()
    operational_count = models.PositiveIntegerField(default=0)
    degraded_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    uptime_pct = models.DecimalField(max_digits=6, decimal_places=3)
    p50_ms = models.FloatField(null=True, blank=True)
    p95_ms = models.FloatField(null=True, blank=True)
    worst_state = models.CharField(max_length=20, choices=State.choices)

    class Meta:
        ordering = ["component", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["component", "day"], name="status_rollup_one_per_day"),
            models.CheckConstraint(
                condition=Q(uptime_pct__gte=0) & Q(uptime_pct__lte=100),
                name="status_rollup_uptime_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.component} {self.day}: {self.uptime_pct}%"


class Impact(models.TextChoices):
    NONE = "none", "None"
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class IncidentStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    IDENTIFIED = "identified", "Identified"
    MONITORING = "monitoring", "Monitoring"
    RESOLVED = "resolved", "Resolved"


class Incident(models.Model):
    """Something went wrong; its status follows the latest update of its timeline."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    impact = models.CharField(max_length=10, choices=Impact.choices, default=Impact.MINOR)
    components = models.ManyToManyField(Component, related_name="incidents", blank=True)
    status = models.CharField(
        max_length=20,
        choices=IncidentStatus.choices,
        default=IncidentStatus.INVESTIGATING,
        editable=False,
    )
    started_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(impact__in=[impact.value for impact in Impact]),
                name="status_incident_impact_valid",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("started_at")),
                name="status_incident_resolved_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(max_length=20, choices=IncidentStatus.choices)
    message = models.TextField()
    posted_at = models.DateTimeField()

    class Meta:
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[status.value for status in IncidentStatus]),
                name="status_incident_update_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.posted_at:%Y-%m-%d %H:%M}"


class Maintenance(models.Model):
    """A planned window; its components show 'under maintenance' while it runs."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    components = models.ManyToManyField(Component, related_name="maintenances", blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "maintenance windows"
        verbose_name = "maintenance window"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="status_maintenance_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title
