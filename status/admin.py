"""Status in the admin portal: components, incidents with their timeline, maintenance; samples and rollups read-only."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join

from status import services
from status.models import (
    Component,
    DailyRollup,
    Incident,
    IncidentUpdate,
    Maintenance,
    StatusSample,
)
from status.storage import status_samples


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "group",
        "display_order",
        "is_public",
        "state",
        "last_checked_at",
    )
    list_editable = ("display_order", "is_public")
    list_filter = ("kind", "group", "is_public", "state")
    search_fields = ("name", "slug")
    readonly_fields = (
        "state",
        "state_changed_at",
        "last_sample_state",
        "last_checked_at",
        "last_latency_ms",
        "recent_samples",
    )
    fields = (
        "name",
        "slug",
        "kind",
        "description",
        "group",
        "display_order",
        "is_public",
        "degraded_after_ms",
        *readonly_fields,
    )

    @admin.display(description="Last 20 samples (from the status-sample store)")
    def recent_samples(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        samples = status_samples().latest(obj.slug, 20)[::-1]
        if not samples:
            return "No samples yet."
        return format_html_join(
            "\n",
            "<div>{} — {} {}</div>",
            (
                (
                    f"{s['at']:%Y-%m-%d %H:%M:%S} UTC",
                    s["state"],
                    "" if s["latency_ms"] is None else f"({s['latency_ms']:.1f} ms)",
                )
                for s in samples
            ),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.status_summary_refresh()


class IncidentUpdateInline(admin.StackedInline):
    model = IncidentUpdate
    extra = 1
    ordering = ("-posted_at", "-id")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("title", "impact", "status", "started_at", "resolved_at")
    list_filter = ("impact", "status")
    search_fields = ("title",)
    filter_horizontal = ("components",)
    readonly_fields = ("public_id", "status", "resolved_at", "created_at", "updated_at")
    inlines = [IncidentUpdateInline]
    date_hierarchy = "started_at"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The status follows the timeline's latest update; the public summary is republished.
        services.incident_sync_status(incident=form.instance)


@admin.register(Maintenance)
class MaintenanceAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_at", "ends_at")
    filter_horizontal = ("components",)
    readonly_fields = ("public_id",)
    date_hierarchy = "starts_at"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.status_summary_refresh()


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdmin):
    list_display = (
        "component",
        "day",
        "uptime_pct",
        "sample_count",
        "p50_ms",
        "p95_ms",
        "worst_state",
    )
    list_filter = ("component", "worst_state")
    list_select_related = ("component",)
    date_hierarchy = "day"


@admin.register(StatusSample)
class StatusSampleAdmin(ReadOnlyAdmin):
    """Rows of the relational sample store; with MongoDB, see a component's recent samples instead."""

    list_display = ("component", "at", "state", "latency_ms")
    list_filter = ("component", "state")
    date_hierarchy = "at"
    show_full_result_count = False
