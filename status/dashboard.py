"""The status panel of the admin dashboard: every component's current state and the open incidents."""

from __future__ import annotations

from status.models import Component, State
from status.selectors import open_incidents_for_admin


def panels(request) -> list[dict]:
    # Two queries: components, open incidents (+1 prefetch of their components).
    components = list(
        Component.objects.only(
            "name", "slug", "state", "is_public", "last_checked_at", "last_latency_ms"
        )
    )
    labels = dict(State.choices)
    return [
        {
            "title": "Service status",
            "template": "status/dashboard_panel.html",
            "context": {
                "components": [
                    {
                        "name": c.name,
                        "state": c.state,
                        "label": labels.get(c.state, c.state),
                        "is_public": c.is_public,
                        "checked_at": c.last_checked_at,
                        "latency_ms": c.last_latency_ms,
                    }
                    for c in components
                ],
                "down": sum(1 for c in components if c.state == State.DOWN),
                "incidents": open_incidents_for_admin(),
            },
            "order": 5,
        }
    ]
