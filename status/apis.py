"""The status page's public JSON and badges. No authentication classes: nothing here reads a session or a user."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.utils.html import escape
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ErrorSerializer, NotFoundError
from status import selectors
from status.public import detached_session
from status.services import BAR_DAYS


class PublicStatusAPI(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []
    # JSON only: the browsable API would render a form with a CSRF token (a cookie) and read the user.
    renderer_classes = [JSONRenderer]

    @method_decorator(detached_session)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class StateField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=["operational", "degraded", "down", "maintenance", "unknown", "not_monitored"],
            **kwargs,
        )


class SummaryOutput(serializers.Serializer):
    class Page(serializers.Serializer):
        name = serializers.CharField()
        url = serializers.URLField()
        updated_at = serializers.DateTimeField(allow_null=True)

    class Overall(serializers.Serializer):
        indicator = serializers.ChoiceField(
            choices=["none", "maintenance", "minor", "major", "critical"]
        )
        state = StateField()
        description = serializers.CharField()

    class ComponentOut(serializers.Serializer):
        id = serializers.SlugField()
        name = serializers.CharField()
        description = serializers.CharField()
        group = serializers.CharField()
        status = StateField()
        updated_at = serializers.DateTimeField(allow_null=True)
        checked_at = serializers.DateTimeField(allow_null=True)
        latency_ms = serializers.FloatField(allow_null=True)
        uptime_90d = serializers.FloatField(allow_null=True)

    class UpdateOut(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=["investigating", "identified", "monitoring", "resolved"]
        )
        message = serializers.CharField()
        posted_at = serializers.DateTimeField()

    class IncidentOut(serializers.Serializer):
        id = serializers.UUIDField()
        title = serializers.CharField()
        impact = serializers.ChoiceField(choices=["none", "minor", "major", "critical"])
        status = serializers.ChoiceField(
            choices=["investigating", "identified", "monitoring", "resolved"]
        )
        started_at = serializers.DateTimeField()
        resolved_at = serializers.DateTimeField(allow_null=True)
        updated_at = serializers.DateTimeField()
        url = serializers.URLField()
        components = serializers.ListField(child=serializers.SlugField())
        updates = serializers.ListField(child=serializers.DictField())

    class MaintenanceOut(serializers.Serializer):
        id = serializers.UUIDField()
        title = serializers.CharField()
        description = serializers.CharField()
        status = serializers.ChoiceField(choices=["scheduled", "in_progress"])
        starts_at = serializers.DateTimeField()
        ends_at = serializers.DateTimeField()
        in_progress = serializers.BooleanField()
        components = serializers.ListField(child=serializers.SlugField())

    page = Page()
    status = Overall()
    components = ComponentOut(many=True)
    incidents = IncidentOut(many=True)
    scheduled_maintenances = MaintenanceOut(many=True)


class SummaryApi(PublicStatusAPI):
    def dispatch(self, request, *args, **kwargs):
        # Every open status page polls this: answer a GET with the memoised document's bytes,
        # without DRF's request wrapping, negotiation and rendering (nothing to authenticate,
        # throttle or negotiate here). The schema still comes from get() below.
        if request.method == "GET":
            return _summary_response()
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        operation_id="status_summary",
        tags=["status"],
        summary="Overall status, components, active incidents and maintenance",
        responses={200: SummaryOutput},
        auth=[],
    )
    def get(self, request):
        return _summary_response()


def _summary_response() -> HttpResponse:
    # Built from the published summary, never from the database on the request path.
    payload = selectors.status_payload()
    body = selectors.status_memo_get("summary.json")
    if body is None:
        body = json.dumps(selectors.public_summary(payload), cls=DjangoJSONEncoder).encode()
        selectors.status_memo_put("summary.json", body)
    response = HttpResponse(body, content_type="application/json")
    response["Cache-Control"] = "public, max-age=10"
    return response


class UptimeQuery(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=BAR_DAYS, default=BAR_DAYS)


class UptimeOutput(serializers.Serializer):
    class Day(serializers.Serializer):
        date = serializers.DateField()
        uptime_pct = serializers.FloatField(allow_null=True)
        samples = serializers.IntegerField()
        p50_ms = serializers.FloatField(allow_null=True)
        p95_ms = serializers.FloatField(allow_null=True)
        worst_state = serializers.CharField(allow_null=True)
        incidents = serializers.IntegerField()

    component = serializers.SlugField()
    name = serializers.CharField()
    days = serializers.IntegerField()
    uptime_pct = serializers.FloatField(allow_null=True)
    daily = Day(many=True)


class UptimeApi(PublicStatusAPI):
    @extend_schema(
        operation_id="status_component_uptime",
        tags=["status"],
        summary="Daily uptime of one component (up to 90 days)",
        parameters=[UptimeQuery],
        responses={200: UptimeOutput, 400: ErrorSerializer, 404: ErrorSerializer},
        auth=[],
    )
    def get(self, request, slug: str):
        query = UptimeQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        component = selectors.component_get_public(slug=slug)
        if component is None:
            raise NotFoundError("No such component.")
        return Response(
            selectors.component_uptime(component=component, days=query.validated_data["days"])
        )


BADGE_COLOURS = {
    "operational": "#1a7f37",
    "degraded": "#9a6700",
    "down": "#cf222e",
    "maintenance": "#0969da",
    "unknown": "#6e7781",
    "not_monitored": "#6e7781",
}
STATE_WORDS = {
    "operational": "operational",
    "degraded": "degraded",
    "down": "down",
    "maintenance": "maintenance",
    "unknown": "unknown",
    "not_monitored": "not monitored",
}


def badge_svg(*, label: str, value: str, colour: str) -> str:
    """A flat badge (Shields.io layout): grey label, coloured value; text widths estimated per character."""
    label_width = 10 + 7 * len(label)
    value_width = 10 + 7 * len(value)
    width = label_width + value_width
    label, value = escape(label), escape(value)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f'aria-label="{label}: {value}"><title>{label}: {value}</title>'
        f'<rect width="{label_width}" height="20" fill="#555"/>'
        f'<rect x="{label_width}" width="{value_width}" height="20" fill="{colour}"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{label_width / 2}" y="14">{label}</text>'
        f'<text x="{label_width + value_width / 2}" y="14">{value}</text></g></svg>'
    )


class BadgeApi(PublicStatusAPI):
    @extend_schema(
        operation_id="status_component_badge",
        tags=["status"],
        summary="An SVG badge with a component's state or 30-day uptime",
        parameters=[
            OpenApiParameter(
                "type", OpenApiTypes.STR, enum=["state", "uptime"], description="default: state"
            )
        ],
        responses={(200, "image/svg+xml"): OpenApiTypes.STR, 404: ErrorSerializer},
        auth=[],
    )
    def get(self, request, slug: str):
        payload = selectors.status_payload()
        component = next(
            (c for c in selectors.public_components(payload) if c["slug"] == slug), None
        )
        if component is None:
            raise NotFoundError("No such component.")
        if request.query_params.get("type") == "uptime":
            uptime = component.get("uptime_30d")
            value = "no data" if uptime is None else f"{uptime:.2f}%"
            colour = (
                BADGE_COLOURS["unknown"]
                if uptime is None
                else BADGE_COLOURS[
                    "operational" if uptime >= 99.9 else "degraded" if uptime >= 99 else "down"
                ]
            )
            svg = badge_svg(label=f"{component['name']} 30d", value=value, colour=colour)
        else:
            state = component["display_state"]
            svg = badge_svg(
                label=component["name"],
                value=STATE_WORDS.get(state, state),
                colour=BADGE_COLOURS.get(state, "#6e7781"),
            )
        response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
        response["Cache-Control"] = "public, max-age=60"
        return response
