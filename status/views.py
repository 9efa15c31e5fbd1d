"""The public status pages. Rendered without a RequestContext: no context processor reads the user or the session,
and no CSRF token is made, so an anonymous visit sets no cookie and never waits on the database.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from status import selectors
from status.public import detached_session
from status.services import incident_as_dict

STATE_LABELS = {
    "operational": ("✓", "Operational"),
    "degraded": ("!", "Degraded performance"),
    "down": ("✕", "Down"),
    "maintenance": ("⚒", "Under maintenance"),
    "unknown": ("?", "Unknown"),
    "not_monitored": ("–", "Not monitored"),
}
IMPACT_LABELS = {"none": "No impact", "minor": "Minor", "major": "Major", "critical": "Critical"}
CHART_WIDTH, CHART_HEIGHT = 288, 60


def _render(template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"site_name": settings.SITE_NAME, **context}
    response = HttpResponse(render_to_string(template, context), status=status)
    response["Cache-Control"] = "public, max-age=10"
    return response


@require_GET
@detached_session
def status_page(request):
    payload = selectors.status_payload()
    html = selectors.status_memo_get("page.html")
    if html is None:
        # Memoised as bytes: the page is ~90 KB, not worth encoding again on every request.
        html = render_to_string("status/page.html", _page_context(payload)).encode()
        selectors.status_memo_put("page.html", html)
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=10"
    return response


def _page_context(payload: dict) -> dict:
    groups = [
        (name, [_component_view(component) for component in components])
        for name, components in selectors.public_groups(payload)
    ]
    maintenance = payload.get("maintenance", [])
    return {
        "site_name": settings.SITE_NAME,
        "overall": payload["overall"],
        "overall_label": STATE_LABELS.get(payload["overall"]["state"], ("", "")),
        "groups": groups,
        "incidents": [_incident_view(incident) for incident in payload.get("incidents", [])],
        "maintenance_now": [_window_view(w) for w in maintenance if w["in_progress"]],
        "maintenance_upcoming": [_window_view(w) for w in maintenance if not w["in_progress"]],
        "generated_at": _when(payload.get("generated_at")),
        "generated_at_iso": payload.get("generated_at") or "",
    }


def _component_view(component: dict) -> dict:
    glyph, label = STATE_LABELS.get(component["display_state"], ("?", component["display_state"]))
    bars = []
    for bar in component.get("bars", []):
        day = datetime.fromisoformat(bar["day"]).strftime("%b %d, %Y")
        if bar["uptime_pct"] is None:
            level, text = "none", f"{day}: no data"
        else:
            level = (
                "down"
                if bar["uptime_pct"] < 99
                else "degraded"
                if bar["uptime_pct"] < 99.9 or bar["worst_state"] in ("degraded", "down")
                else "operational"
            )
            text = f"{day}: {bar['uptime_pct']:.2f}% uptime"
        if bar["incidents"]:
            text += " · incidents: " + "; ".join(bar["incidents"])
        else:
            text += " · no incidents"
        bars.append({"level": level, "text": text})
    return {
        **component,
        "glyph": glyph,
        "label": label,
        "bars": bars,
        "uptime_label": (
            "no data"
            if component["uptime_90d"] is None
            else f"{component['uptime_90d']:.2f}% uptime"
        ),
        "chart": _chart_view(component.get("chart", [])),
    }


def _chart_view(chart: list[dict]) -> dict:
    """Server-drawn SVG polyline segments (gaps where nothing answered)."""
    values = [point["latency_ms"] for point in chart if point["latency_ms"] is not None]
    if not values:
        return {"segments": [], "summary": "no response times measured in the last 24 hours"}
    top = max(values) * 1.1 or 1.0
    step = CHART_WIDTH / max(1, len(chart) - 1)
    segments, current = [], []
    for index, point in enumerate(chart):
        if point["latency_ms"] is None:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        y = CHART_HEIGHT - (point["latency_ms"] / top) * (CHART_HEIGHT - 4)
        current.append(f"{index * step:.1f},{y:.1f}")
    if current:
        segments.append(" ".join(current))
    ordered = sorted(values)
    return {
        "segments": segments,
        "summary": (
            f"median {ordered[len(ordered) // 2]:.0f} ms, slowest {ordered[-1]:.0f} ms "
            "over the last 24 hours"
        ),
        "top": f"{top:.0f}",
    }


def _incident_view(incident: dict) -> dict:
    glyph_label = {
        "investigating": "Investigating",
        "identified": "Identified",
        "monitoring": "Monitoring",
        "resolved": "Resolved",
    }
    return {
        **incident,
        "impact_label": IMPACT_LABELS.get(incident["impact"], incident["impact"]),
        "status_label": glyph_label.get(incident["status"], incident["status"]),
        "updates": [
            {
                **u,
                "status_label": glyph_label.get(u["status"], u["status"]),
                "when": _when(u["posted_at"]),
            }
            for u in incident["updates"]
        ],
        "started": _when(incident["started_at"]),
    }


def _window_view(window: dict) -> dict:
    return {**window, "starts": _when(window["starts_at"]), "ends": _when(window["ends_at"])}


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%b %d, %Y %H:%M UTC")


@require_GET
@detached_session
def status_history(request):
    # The last cycle found PostgreSQL down: say so at once instead of waiting for a connect timeout.
    if selectors.status_payload().get("database_up") is False:
        return _render("status/history.html", {"unavailable": True}, status=503)
    try:
        months = selectors.incident_history()
    except Exception:
        # The database is away: say so rather than fail; the main page still answers from the summary.
        return _render("status/history.html", {"unavailable": True}, status=503)
    return _render(
        "status/history.html",
        {
            "months": [
                (label, [_incident_view(incident_as_dict(i)) for i in items])
                for label, items in months
            ]
        },
    )


@require_GET
@detached_session
def status_incident(request, public_id):
    try:
        if selectors.status_payload().get("database_up") is False:
            raise ConnectionError("database down at the last probe cycle")
        incident = selectors.incident_get_public(public_id=public_id)
        found = None if incident is None else incident_as_dict(incident)
    except Exception:
        # Without the database, an active incident can still be shown from the published summary.
        found = next(
            (
                i
                for i in selectors.status_payload().get("incidents", [])
                if i["id"] == str(public_id)
            ),
            None,
        )
        if found is None:
            return _render("status/history.html", {"unavailable": True}, status=503)
    if found is None:
        return _render("status/not_found.html", {}, status=404)
    return _render("status/incident.html", {"incident": _incident_view(found)})
