import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from status import services
from status.models import DailyRollup, IncidentStatus, State
from status.storage import status_samples

from .conftest import database_unreachable
from .factories import IncidentFactory, MaintenanceFactory, component

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)
MIDNIGHT = datetime(2026, 11, 2, tzinfo=UTC)


def by_slug(payload):
    return {c["slug"]: c for c in payload["components"]}


# --- the two-sample rule -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "last_sample", "sample", "expected"),
    [
        (State.UNKNOWN, "", State.OPERATIONAL, State.UNKNOWN),
        (State.UNKNOWN, State.OPERATIONAL, State.OPERATIONAL, State.OPERATIONAL),
        (State.OPERATIONAL, State.OPERATIONAL, State.DOWN, State.OPERATIONAL),
        (State.OPERATIONAL, State.DOWN, State.DOWN, State.DOWN),
        (State.OPERATIONAL, State.DOWN, State.DEGRADED, State.OPERATIONAL),
        (State.DOWN, State.OPERATIONAL, State.DOWN, State.DOWN),
        (State.DOWN, State.DOWN, State.OPERATIONAL, State.DOWN),
        (State.OPERATIONAL, State.OPERATIONAL, State.NOT_MONITORED, State.NOT_MONITORED),
    ],
)
def test_it_changes_state_only_after_two_agreeing_samples(current, last_sample, sample, expected):
    assert services.state_next(current=current, last_sample=last_sample, sample=sample) == expected


def test_it_calls_a_slow_answer_degraded():
    assert services.sample_state(ok=True, latency_ms=501, degraded_after_ms=500) == State.DEGRADED
    assert services.sample_state(ok=True, latency_ms=20, degraded_after_ms=500) == State.OPERATIONAL
    assert services.sample_state(ok=False, latency_ms=1, degraded_after_ms=500) == State.DOWN


def test_it_ignores_a_single_failed_probe(settings):
    services.status_probe_cycle()
    services.status_probe_cycle()
    assert component("web").state == State.OPERATIONAL
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    services.status_probe_cycle()
    assert component("web").state == State.OPERATIONAL
    services.status_probe_cycle()
    assert component("web").state == State.DOWN


def test_it_does_not_flap_on_alternating_samples(settings, healthz_url):
    services.status_probe_cycle()
    services.status_probe_cycle()
    for url in ["http://127.0.0.1:1/healthz", healthz_url] * 3:
        settings.STATUS_WEB_URL = url
        services.status_probe_cycle()
        assert component("web").state == State.OPERATIONAL


# --- the cycle ---------------------------------------------------------------------------------


def test_it_records_a_sample_per_monitored_component_and_marks_the_rest_not_monitored():
    payload = services.status_probe_cycle()
    states = {c["slug"]: c["state"] for c in payload["components"]}
    assert states["redis"] == states["workers"] == states["beat"] == State.NOT_MONITORED
    assert states["web"] == State.UNKNOWN  # one sample is not enough
    for slug in ("web", "postgresql", "mongodb", "email"):
        (sample,) = status_samples().latest(slug, 5)
        assert sample["state"] == State.OPERATIONAL
        assert sample["latency_ms"] >= 0
    assert status_samples().latest("redis", 5) == []


def test_it_ends_a_cycle_within_the_timeout_when_a_dependency_hangs(settings, monkeypatch):
    from status import probes

    settings.STATUS_PROBE_TIMEOUT = 0.5
    monkeypatch.setitem(probes.PROBES, "email", lambda: time.sleep(3))
    started = time.monotonic()
    services.status_probe_cycle()
    services.status_probe_cycle()
    assert time.monotonic() - started < 2 * 0.5 + 1.0
    assert component("email").state == State.DOWN
    assert component("web").state == State.OPERATIONAL


def test_it_reports_a_database_on_a_closed_port_down_and_remembers_it_in_the_summary():
    services.status_probe_cycle()
    services.status_probe_cycle()
    with database_unreachable():
        started = time.monotonic()
        services.status_probe_cycle()
        payload = services.status_probe_cycle()
        assert time.monotonic() - started < 2 * 2.5
    assert by_slug(payload)["postgresql"]["state"] == State.DOWN
    assert payload["database_up"] is False
    assert payload["overall"]["state"] == State.DOWN
    # The database row is caught up once PostgreSQL answers again (the summary was newer).
    assert component("postgresql").state == State.OPERATIONAL
    services.status_probe_cycle()
    assert component("postgresql").state == State.DOWN
    services.status_probe_cycle()
    assert component("postgresql").state == State.OPERATIONAL


def test_it_emails_admins_once_when_a_component_changes_state(settings, admin_user):
    settings.STATUS_ALERT_EMAILS = ["oncall@example.test"]
    services.status_probe_cycle()
    services.status_probe_cycle()
    assert mail.outbox == []  # unknown → operational is not news
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    services.status_probe_cycle()
    assert mail.outbox == []
    services.status_probe_cycle()
    services.status_probe_cycle()
    assert len(mail.outbox) == 1
    assert "Web / API is down" in mail.outbox[0].subject
    assert sorted(mail.outbox[0].to) == ["admin@example.test", "oncall@example.test"]


def test_it_does_not_alert_for_a_component_under_maintenance(settings, admin_user):
    services.status_probe_cycle()
    services.status_probe_cycle()
    window = MaintenanceFactory()
    window.components.set([component("web")])
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    services.status_probe_cycle()
    services.status_probe_cycle()
    assert component("web").state == State.DOWN
    assert mail.outbox == []


# --- maintenance -------------------------------------------------------------------------------


def test_it_shows_components_under_maintenance_while_the_window_runs():
    services.status_probe_cycle()
    window = MaintenanceFactory()
    window.components.set([component("postgresql")])
    payload = services.status_probe_cycle()
    assert by_slug(payload)["postgresql"]["display_state"] == "maintenance"
    assert by_slug(payload)["postgresql"]["state"] == State.OPERATIONAL
    assert by_slug(payload)["web"]["display_state"] == State.OPERATIONAL
    assert payload["overall"]["indicator"] == "maintenance"
    assert payload["maintenance"][0]["in_progress"] is True


def test_it_lists_upcoming_maintenance_without_overriding_states():
    now = timezone.now()
    window = MaintenanceFactory(
        starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=1)
    )
    window.components.set([component("postgresql")])
    payload = services.status_summary_refresh()
    assert payload["maintenance"][0]["in_progress"] is False
    assert by_slug(payload)["postgresql"]["display_state"] != "maintenance"


def test_it_starts_a_known_window_while_the_database_is_away():
    now = timezone.now()
    window = MaintenanceFactory(
        starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    window.components.set([component("web")])
    services.status_summary_refresh(now=now)
    with database_unreachable():
        payload = services.status_probe_cycle(now=now + timedelta(minutes=6))
    assert by_slug(payload)["web"]["display_state"] == "maintenance"


# --- rollups -----------------------------------------------------------------------------------


def samples_at(component_slug, minutes_and_states):
    return [
        {
            "component": component_slug,
            "at": MIDNIGHT + timedelta(minutes=minutes),
            "state": state,
            "latency_ms": latency,
        }
        for minutes, state, latency in minutes_and_states
    ]


def test_it_computes_uptime_and_percentiles_on_known_samples():
    # 20 samples: 17 operational at 1..17 ms, 1 degraded at 100 ms, 2 down.
    rows = [(m, State.OPERATIONAL, float(m + 1)) for m in range(17)]
    rows += [(17, State.DEGRADED, 100.0), (18, State.DOWN, None), (19, State.DOWN, None)]
    figures = services.rollup_compute(samples_at("web", rows))
    assert figures["sample_count"] == 20
    assert figures["uptime_pct"] == Decimal("90.000")
    assert figures["down_count"] == 2 and figures["degraded_count"] == 1
    # 18 latencies (1..17, 100): nearest rank p50 = 9th = 9, p95 = ceil(17.1) = 18th = 100.
    assert figures["p50_ms"] == 9.0
    assert figures["p95_ms"] == 100.0
    assert figures["worst_state"] == State.DOWN


def test_it_rolls_up_a_day_with_a_gap_over_the_samples_taken():
    # Probes ran 00:00–06:00 and 18:00–24:00 only (a 12-hour gap), one failure among 72 samples.
    rows = [(m, State.OPERATIONAL, 5.0) for m in range(0, 360, 10)]
    rows += [(m, State.OPERATIONAL, 5.0) for m in range(1080, 1440, 10)]
    rows[40] = (rows[40][0], State.DOWN, None)
    status_samples().add_many(samples_at("postgresql", rows))
    services.status_rollup_day(day=DAY)
    rollup = DailyRollup.objects.get(component__slug="postgresql", day=DAY)
    assert rollup.sample_count == 72
    assert rollup.uptime_pct == Decimal("98.611")  # 71 / 72
    assert rollup.worst_state == State.DOWN
    assert rollup.p95_ms == 5.0


def test_it_writes_no_rollup_for_a_day_without_samples():
    services.status_rollup_day(day=DAY)
    assert not DailyRollup.objects.filter(day=DAY).exists()


def test_it_rolls_up_idempotently():
    status_samples().add_many(
        samples_at("web", [(0, State.OPERATIONAL, 1.0), (1, State.DOWN, None)])
    )
    services.status_rollup_day(day=DAY)
    services.status_rollup_day(day=DAY)
    assert DailyRollup.objects.get(component__slug="web", day=DAY).uptime_pct == Decimal("50.000")


def test_it_keeps_only_the_samples_of_that_utc_day():
    status_samples().add_many(
        samples_at(
            "web", [(-1, State.DOWN, None), (0, State.OPERATIONAL, 1.0), (1440, State.DOWN, None)]
        )
    )
    services.status_rollup_day(day=DAY)
    assert DailyRollup.objects.get(component__slug="web", day=DAY).sample_count == 1


def test_it_prunes_samples_older_than_90_days_in_the_rollup():
    now = timezone.now()
    status_samples().add_many(
        [
            {
                "component": "web",
                "at": now - timedelta(days=91),
                "state": "operational",
                "latency_ms": 1.0,
            },
            {
                "component": "web",
                "at": now - timedelta(hours=1),
                "state": "operational",
                "latency_ms": 1.0,
            },
        ]
    )
    outcome = services.status_rollup(now=now)
    assert outcome["pruned"] == 1
    assert DailyRollup.objects.filter(component__slug="web").count() >= 1


# --- incidents ---------------------------------------------------------------------------------


def test_it_orders_an_incident_timeline_newest_first_and_takes_the_latest_status():
    start = timezone.now() - timedelta(hours=2)
    incident = services.incident_create(
        title="Slow logins",
        impact="minor",
        components=[component("web")],
        message="Looking.",
        started_at=start,
    )
    services.incident_update_add(
        incident=incident,
        status=IncidentStatus.RESOLVED,
        message="Fixed.",
        posted_at=start + timedelta(minutes=50),
    )
    # Posted later but dated earlier (an admin back-filling the timeline).
    services.incident_update_add(
        incident=incident,
        status=IncidentStatus.IDENTIFIED,
        message="Found it.",
        posted_at=start + timedelta(minutes=20),
    )
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.resolved_at == start + timedelta(minutes=50)
    timeline = services.incident_as_dict(incident)["updates"]
    assert [u["status"] for u in timeline] == ["resolved", "identified", "investigating"]


def test_it_orders_updates_posted_at_the_same_time_by_entry_order():
    incident = IncidentFactory()
    at = timezone.now()
    services.incident_update_add(
        incident=incident, status="investigating", message="a", posted_at=at
    )
    services.incident_update_add(incident=incident, status="identified", message="b", posted_at=at)
    assert [u["message"] for u in services.incident_as_dict(incident)["updates"]] == ["b", "a"]


def test_it_reopens_an_incident_when_a_later_update_is_not_resolved():
    incident = IncidentFactory()
    at = timezone.now()
    services.incident_update_add(incident=incident, status="resolved", message="ok", posted_at=at)
    services.incident_update_add(
        incident=incident, status="monitoring", message="back", posted_at=at + timedelta(minutes=1)
    )
    incident.refresh_from_db()
    assert incident.status == "monitoring" and incident.resolved_at is None


def test_it_raises_the_banner_to_an_active_incidents_impact():
    services.incident_create(title="Outage", impact="critical", components=[], message="Down.")
    payload = services.status_summary_refresh()
    assert payload["overall"]["indicator"] == "critical"
    assert payload["incidents"][0]["title"] == "Outage"


def test_it_leaves_resolved_incidents_out_of_the_active_list():
    incident = services.incident_create(title="Gone", impact="major", components=[], message="x")
    services.incident_update_add(incident=incident, status="resolved", message="done")
    assert services.status_summary_refresh()["incidents"] == []


# --- the summary -------------------------------------------------------------------------------


def test_it_publishes_the_summary_to_the_cache_and_atomically_to_a_file(settings):
    import json

    from django.core.cache import cache

    payload = services.status_probe_cycle()
    assert cache.get(services.SUMMARY_CACHE_KEY)["generated_at"] == payload["generated_at"]
    on_disk = json.loads(settings.STATUS_SUMMARY_FILE.read_text())
    assert on_disk["generated_at"] == payload["generated_at"]
    assert list(settings.STATUS_SUMMARY_FILE.parent.glob(".status-*.tmp")) == []


def test_it_builds_90_bars_and_a_24_hour_chart_per_component():
    services.status_probe_cycle()
    payload = services.status_rollup()
    assert payload["rollups"] >= 1
    summary = services.status_summary_refresh()
    web = by_slug(summary)["web"]
    assert len(web["bars"]) == 90
    assert web["bars"][-1]["samples"] == 1
    assert len(web["chart"]) == 96
    assert web["chart"][-1]["latency_ms"] is not None


def test_it_marks_incident_days_on_the_bars():
    now = timezone.now()
    services.incident_create(
        title="Yesterday's blip",
        impact="minor",
        components=[component("redis")],
        message="x",
        started_at=now - timedelta(days=1),
    )
    bars = by_slug(services.status_summary_refresh(now=now))["redis"]["bars"]
    assert bars[-2]["incidents"] == ["Yesterday's blip"]
    assert bars[-3]["incidents"] == []


@pytest.mark.parametrize(
    ("states", "impacts", "indicator"),
    [
        (["operational", "operational"], [], "none"),
        (["operational", "not_monitored", "unknown"], [], "none"),
        (["operational", "degraded"], [], "minor"),
        (["operational", "down"], [], "major"),
        (["down", "down", "not_monitored"], [], "critical"),
        (["maintenance", "operational"], [], "maintenance"),
        (["operational"], ["major"], "major"),
    ],
)
def test_it_sums_up_the_overall_status(states, impacts, indicator):
    assert services.overall_status(states=states, impacts=impacts)["indicator"] == indicator
