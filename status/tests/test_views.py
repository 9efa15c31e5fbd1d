"""The public page, history, incident, summary.json, uptime.json and badges."""

import json
import time
import xml.etree.ElementTree as ET
from datetime import UTC, date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from status import services
from status.models import DailyRollup
from status.selectors import status_memo_clear, status_payload_source

from .conftest import CLOSED_REDIS_CACHE, database_unreachable
from .factories import IncidentFactory, component

pytestmark = pytest.mark.django_db

PAGE = "/status/"
SUMMARY = "/status/api/v1/summary.json"


def two_cycles():
    services.status_probe_cycle()
    return services.status_probe_cycle()


def assert_no_cookies(response):
    assert response.cookies == {} or not any(response.cookies.values()), dict(response.cookies)
    assert "csrfmiddlewaretoken" not in response.content.decode()


# --- anonymous, cookie-free --------------------------------------------------------------------


@pytest.mark.parametrize("path", [PAGE, SUMMARY, "/status/history/", "/status/badge/web.svg"])
def test_it_answers_anonymous_visitors_without_setting_a_cookie(client, path):
    two_cycles()
    response = client.get(path)
    assert response.status_code == 200
    assert_no_cookies(response)


def test_it_neither_saves_nor_replaces_a_signed_in_visitors_session(
    client_for, patient, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    two_cycles()
    client = client_for(patient)
    key = client.cookies["sessionid"].value
    client.get(PAGE)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE)
    assert response.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert response.cookies.get("sessionid") is None or response.cookies["sessionid"].value == key
    assert "csrftoken" not in response.cookies


def test_it_shows_the_banner_components_and_bars(client):
    two_cycles()
    html = client.get(PAGE).content.decode()
    assert "All systems operational" in html
    assert "PostgreSQL" in html and "Celery workers" in html
    assert html.count('class="bar level-') == 90 * 7
    assert "Not monitored" in html
    assert "Response time, last 24 hours" in html
    assert 'src="/static/js/status.js"' in html
    assert "cdn" not in html.lower()


def test_it_shows_states_with_text_and_a_glyph_not_colour_alone(client, settings):
    services.status_probe_cycle()
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    services.status_probe_cycle()
    services.status_probe_cycle()
    html = client.get(PAGE).content.decode()
    assert "Partial system outage" in html
    assert (
        '<span class="glyph" aria-hidden="true">✕</span> <span data-role="label">Down</span>'
        in html
    )


def test_it_puts_uptime_and_incidents_in_each_days_tooltip(
    client, django_capture_on_commit_callbacks
):
    two_cycles()
    services.status_rollup()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_create(
            title="Slow pages", impact="minor", components=[component("web")], message="Looking."
        )
    html = client.get(PAGE).content.decode()
    today = timezone.now().astimezone(UTC).strftime("%b %d, %Y")
    assert f"{today}: 100.00% uptime · incidents: Slow pages" in html
    assert "no data · no incidents" in html


def test_it_lists_active_incidents_and_upcoming_maintenance(client):
    from .factories import MaintenanceFactory

    services.incident_create(
        title="Email delays", impact="major", components=[component("email")], message="Queued."
    )
    now = timezone.now()
    MaintenanceFactory(
        title="Database upgrade",
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
    )
    services.status_summary_refresh()
    html = client.get(PAGE).content.decode()
    assert "Email delays" in html and "Impact: Major" in html
    assert "Database upgrade" in html and "Scheduled" in html


def test_it_reads_the_bars_page_in_a_constant_number_of_queries(
    client, django_assert_max_num_queries, settings
):
    def rollups_for(days):
        DailyRollup.objects.all().delete()
        today = timezone.now().astimezone(UTC).date()
        DailyRollup.objects.bulk_create(
            DailyRollup(
                component=c,
                day=today - timedelta(days=d),
                sample_count=1440,
                operational_count=1440,
                uptime_pct=100,
                worst_state="operational",
            )
            for c in [component(s) for s in ("web", "postgresql", "redis")]
            for d in range(days)
        )
        for _ in range(days // 10 + 1):
            IncidentFactory().components.set([component("web")])

    for days in (5, 90):
        rollups_for(days)
        cache.clear()
        settings.STATUS_SUMMARY_FILE.unlink(missing_ok=True)
        status_memo_clear()
        # Summary rebuilt from the database: components, rollups, incidents (+components), active incidents
        # (+components, +updates), maintenance (+components).
        with django_assert_max_num_queries(10):
            assert client.get(PAGE).status_code == 200
        assert status_payload_source() == "database"
        # Then served from the cache: no query at all.
        status_memo_clear()
        with django_assert_max_num_queries(0):
            assert client.get(PAGE).status_code == 200


# --- stays up ----------------------------------------------------------------------------------


def test_it_answers_from_the_cache_when_postgresql_is_unreachable(client):
    two_cycles()
    with database_unreachable():
        services.status_probe_cycle()
        services.status_probe_cycle()
        status_memo_clear()
        started = time.monotonic()
        page = client.get(PAGE)
        summary = client.get(SUMMARY)
        assert time.monotonic() - started < 2.0
    assert page.status_code == 200 and summary.status_code == 200
    states = {c["id"]: c["status"] for c in summary.json()["components"]}
    assert states["postgresql"] == "down"
    assert "Partial system outage" in page.content.decode()


def test_it_answers_from_the_file_when_postgresql_and_the_cache_are_gone(client, settings):
    two_cycles()
    with database_unreachable():
        services.status_probe_cycle()
        services.status_probe_cycle()
        settings.CACHES = CLOSED_REDIS_CACHE
        status_memo_clear()
        started = time.monotonic()
        page = client.get(PAGE)
        summary = client.get(SUMMARY)
        assert time.monotonic() - started < settings.STATUS_PROBE_TIMEOUT
        assert status_payload_source() == "file"
    assert page.status_code == 200 and summary.status_code == 200
    states = {c["id"]: c["status"] for c in summary.json()["components"]}
    assert states["postgresql"] == "down"


def test_it_answers_from_a_stale_file_when_nothing_else_is_there(client, settings):
    two_cycles()
    payload = json.loads(settings.STATUS_SUMMARY_FILE.read_text())
    payload["generated_at"] = (timezone.now() - timedelta(hours=2)).isoformat()
    settings.STATUS_SUMMARY_FILE.write_text(json.dumps(payload))
    cache.clear()
    with database_unreachable():
        status_memo_clear()
        started = time.monotonic()
        response = client.get(SUMMARY)
        assert time.monotonic() - started < settings.STATUS_PROBE_TIMEOUT + 0.5
    assert response.status_code == 200
    assert len(response.json()["components"]) == 7


def test_it_reads_the_database_when_redis_is_unreachable(client, settings):
    two_cycles()
    settings.CACHES = CLOSED_REDIS_CACHE
    settings.STATUS_REDIS_URL = "redis://127.0.0.1:1/0"
    settings.STATUS_SUMMARY_FILE.unlink()
    status_memo_clear()
    started = time.monotonic()
    page = client.get(PAGE)
    summary = client.get(SUMMARY)
    assert time.monotonic() - started < settings.STATUS_PROBE_TIMEOUT
    assert status_payload_source() == "database"
    assert page.status_code == 200 and summary.status_code == 200
    assert {c["id"]: c["status"] for c in summary.json()["components"]}["web"] == "operational"


def test_it_shows_redis_down_after_cycles_without_redis(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.STATUS_REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = CLOSED_REDIS_CACHE
    started = time.monotonic()
    two_cycles()
    assert time.monotonic() - started < 2 * 2.5
    status_memo_clear()
    states = {c["id"]: c["status"] for c in client.get(SUMMARY).json()["components"]}
    assert states["redis"] == states["workers"] == states["beat"] == "down"
    assert states["postgresql"] == "operational"


def test_it_answers_before_any_probe_ran(client):
    assert client.get(PAGE).status_code == 200
    assert client.get(SUMMARY).json()["status"]["indicator"] == "none"


# --- JSON shapes -------------------------------------------------------------------------------


def test_it_shapes_summary_json_like_statuspage(client, django_capture_on_commit_callbacks):
    two_cycles()
    with django_capture_on_commit_callbacks(execute=True):
        services.incident_create(
            title="Slow", impact="minor", components=[component("web")], message="x"
        )
    body = client.get(SUMMARY).json()
    assert set(body) == {"page", "status", "components", "incidents", "scheduled_maintenances"}
    assert set(body["status"]) == {"indicator", "state", "description"}
    assert set(body["components"][0]) == {
        "id",
        "name",
        "description",
        "group",
        "status",
        "updated_at",
        "checked_at",
        "latency_ms",
        "uptime_90d",
    }
    incident = body["incidents"][0]
    assert incident["url"].endswith(f"/status/incidents/{incident['id']}/")
    assert incident["components"] == ["web"]
    assert incident["updates"][0]["status"] == "investigating"


def test_it_leaves_private_components_out_of_public_outputs(client):
    web = component("web")
    web.is_public = False
    web.save()
    two_cycles()
    assert "web" not in {c["id"] for c in client.get(SUMMARY).json()["components"]}
    assert client.get("/status/badge/web.svg").status_code == 404
    assert client.get("/status/api/v1/components/web/uptime.json").status_code == 404


def test_it_returns_daily_uptime_for_up_to_90_days(client):
    today = timezone.now().astimezone(UTC).date()
    DailyRollup.objects.create(
        component=component("web"),
        day=today - timedelta(days=1),
        sample_count=100,
        operational_count=99,
        down_count=1,
        uptime_pct=99,
        p50_ms=3,
        p95_ms=9,
        worst_state="down",
    )
    DailyRollup.objects.create(
        component=component("web"),
        day=today,
        sample_count=300,
        operational_count=300,
        uptime_pct=100,
        worst_state="operational",
    )
    body = client.get("/status/api/v1/components/web/uptime.json?days=7").json()
    assert body["days"] == 7 and len(body["daily"]) == 7
    assert body["uptime_pct"] == pytest.approx(99.75)  # (99 + 300) / 400
    assert body["daily"][-2] | {} == {
        "date": (today - timedelta(days=1)).isoformat(),
        "uptime_pct": 99.0,
        "samples": 100,
        "p50_ms": 3.0,
        "p95_ms": 9.0,
        "worst_state": "down",
        "incidents": 0,
    }
    assert body["daily"][0]["uptime_pct"] is None
    assert len(client.get("/status/api/v1/components/web/uptime.json").json()["daily"]) == 90


@pytest.mark.parametrize("days", ["0", "91", "abc"])
def test_it_rejects_a_bad_number_of_days(client, days):
    response = client.get(f"/status/api/v1/components/web/uptime.json?days={days}")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "code", "fields"}


def test_it_answers_404_for_an_unknown_component(client):
    assert client.get("/status/api/v1/components/nope/uptime.json").status_code == 404
    assert client.get("/status/badge/nope.svg").status_code == 404


def test_it_counts_incidents_per_day_in_uptime_json(client):
    now = timezone.now()
    services.incident_create(
        title="x",
        impact="minor",
        components=[component("web")],
        message="x",
        started_at=now - timedelta(days=1),
    )
    daily = client.get("/status/api/v1/components/web/uptime.json?days=3").json()["daily"]
    assert [d["incidents"] for d in daily] == [0, 1, 1]


# --- badges ------------------------------------------------------------------------------------


def svg_texts(response):
    assert response["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_it_draws_a_state_badge_as_valid_svg(client):
    two_cycles()
    assert svg_texts(client.get("/status/badge/postgresql.svg")) == ["PostgreSQL", "operational"]


def test_it_draws_a_30_day_uptime_badge(client):
    DailyRollup.objects.create(
        component=component("web"),
        day=timezone.now().astimezone(UTC).date(),
        sample_count=1000,
        operational_count=995,
        down_count=5,
        uptime_pct=99.5,
        worst_state="down",
    )
    services.status_summary_refresh()
    assert svg_texts(client.get("/status/badge/web.svg?type=uptime")) == ["Web / API 30d", "99.50%"]


def test_it_escapes_names_in_badges(client):
    web = component("web")
    web.name = "Web & <API>"
    web.save()
    services.status_summary_refresh()
    assert svg_texts(client.get("/status/badge/web.svg"))[0] == "Web & <API>"


# --- history and one incident ------------------------------------------------------------------


def test_it_lists_past_incidents_by_month(client, django_assert_max_num_queries):
    from datetime import datetime

    for day in (date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 3)):
        services.incident_create(
            title=f"On {day}",
            impact="minor",
            components=[component("web")],
            message="x",
            started_at=datetime.combine(day, datetime.min.time(), tzinfo=UTC),
        )
    services.status_summary_refresh()
    with django_assert_max_num_queries(3):
        html = client.get("/status/history/").content.decode()
    assert html.index("November 2026") < html.index("October 2026")
    assert html.index("On 2026-10-20") < html.index("On 2026-10-05")


def test_it_shows_one_incident_timeline(client):
    start = timezone.now() - timedelta(hours=1)
    incident = services.incident_create(
        title="Slow logins",
        impact="major",
        components=[component("web")],
        message="Looking into it.",
        started_at=start,
    )
    services.incident_update_add(
        incident=incident,
        status="resolved",
        message="All good.",
        posted_at=start + timedelta(minutes=30),
    )
    response = client.get(f"/status/incidents/{incident.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("All good.") < html.index("Looking into it.")
    assert "Web / API" in html
    assert_no_cookies(response)


def test_it_answers_404_for_an_unknown_incident(client):
    import uuid

    assert client.get(f"/status/incidents/{uuid.uuid4()}/").status_code == 404


def test_it_shows_an_active_incident_from_the_summary_when_the_database_is_away(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.incident_create(
            title="DB trouble", impact="major", components=[], message="x"
        )
    with database_unreachable():
        response = client.get(f"/status/incidents/{incident.public_id}/")
    assert response.status_code == 200
    assert "DB trouble" in response.content.decode()


def test_it_is_in_the_api_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/status/api/v1/summary.json" in schema["paths"]
    assert "/status/api/v1/components/{slug}/uptime.json" in schema["paths"]
    assert "/status/badge/{slug}.svg" in schema["paths"]


def test_it_is_exempt_from_the_mfa_requirement(client_for, admin_user):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=admin_user).delete()
    assert client_for(admin_user).get(PAGE).status_code == 200


def test_it_says_the_history_is_unavailable_at_once_while_postgresql_is_down(client):
    two_cycles()
    with database_unreachable():
        services.status_probe_cycle()
        status_memo_clear()
        started = time.monotonic()
        response = client.get("/status/history/")
        assert time.monotonic() - started < 1.0  # no connect timeout waited for
    assert response.status_code == 503
    assert "unavailable right now" in response.content.decode()
