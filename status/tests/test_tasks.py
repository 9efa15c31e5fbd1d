import io
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone

from status.models import Component, DailyRollup, Incident, State
from status.storage import status_samples

pytestmark = pytest.mark.django_db


def test_it_runs_one_probe_cycle_from_the_command():
    out = io.StringIO()
    call_command("probe_status", stdout=out)
    assert "PostgreSQL" in out.getvalue()
    assert "cycle time:" in out.getvalue()
    assert status_samples().latest("postgresql", 1)


def test_it_times_repeated_cycles_from_the_command():
    out = io.StringIO()
    call_command("probe_status", "--repeat", "3", "--quiet", stdout=out)
    assert "over 3 cycle(s)" in out.getvalue()
    assert Component.objects.get(slug="web").state == State.OPERATIONAL


def test_it_rolls_up_from_the_command():
    call_command("probe_status", stdout=io.StringIO())
    out = io.StringIO()
    call_command("rollup_status", stdout=out)
    assert "daily rollup(s) written" in out.getvalue()
    assert DailyRollup.objects.filter(component__slug="web").exists()


def test_it_runs_the_scheduled_tasks():
    from status.tasks import status_probe_cycle, status_rollup

    status_probe_cycle.delay()
    status_rollup.delay()
    assert DailyRollup.objects.exists()


def test_it_schedules_probes_ticks_and_rollups_on_beat():
    schedule = django_settings.CELERY_BEAT_SCHEDULE
    assert schedule["status-probe-cycle"]["task"] == "status.probe_cycle"
    assert schedule["status-probe-cycle"]["schedule"] == float(
        django_settings.STATUS_PROBE_INTERVAL
    )
    assert schedule["status-beat-tick"]["task"] == "status.beat_tick"
    assert schedule["status-rollup"]["task"] == "status.rollup"
    from celery import current_app

    for entry in schedule.values():
        assert entry["task"] in current_app.tasks


def test_it_seeds_demo_history_idempotently(client):
    from status import demo

    demo.seed(stdout=io.StringIO())
    counts = (DailyRollup.objects.count(), Incident.objects.count())
    demo.seed(stdout=io.StringIO())
    assert (DailyRollup.objects.count(), Incident.objects.count()) == counts
    assert counts[1] == 1 and counts[0] >= 7 * 4
    incident = Incident.objects.get()
    assert incident.status == "resolved" and incident.updates.count() == 4
    web_bars = next(
        c
        for c in client.get("/status/api/v1/summary.json").json()["components"]
        if c["id"] == "web"
    )
    assert web_bars["status"] == "operational"
    assert web_bars["uptime_90d"] < 100


def test_it_keeps_probe_samples_in_mongo_when_mongo_url_is_set(settings):
    from config import docstore

    docstore.reset()
    settings.MONGO_URL = "mongomock://"
    try:
        call_command("probe_status", stdout=io.StringIO())
        assert status_samples().latest("web", 1)[0]["state"] == "operational"
        start = timezone.now() - timedelta(hours=1)
        assert (
            len(status_samples().between("web", start, timezone.now() + timedelta(seconds=1))) == 1
        )
    finally:
        docstore.reset()
