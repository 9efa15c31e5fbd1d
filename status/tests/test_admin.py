import pytest
from django.urls import reverse
from django.utils import timezone

from status import services
from status.models import Incident, IncidentStatus

from .factories import component

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    return admin_user


@pytest.mark.parametrize(
    "name", ["component", "incident", "maintenance", "dailyrollup", "statussample"]
)
def test_it_lists_every_status_model_in_the_admin(client_for, staff_admin, name):
    response = client_for(staff_admin).get(reverse(f"admin:status_{name}_changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["dailyrollup", "statussample"])
def test_it_keeps_samples_and_rollups_read_only(client_for, staff_admin, name):
    assert client_for(staff_admin).get(reverse(f"admin:status_{name}_add")).status_code == 403


def test_it_shows_a_components_recent_samples_from_the_store(client_for, staff_admin):
    services.status_probe_cycle()
    web = component("web")
    html = client_for(staff_admin).get(reverse("admin:status_component_change", args=[web.pk]))
    assert "Last 20 samples" in html.content.decode()
    assert "operational" in html.content.decode()


def test_it_takes_an_incidents_status_from_the_timeline_entered_in_the_admin(
    client_for, staff_admin, django_capture_on_commit_callbacks
):
    now = timezone.now()
    data = {
        "title": "Slow search",
        "impact": "minor",
        "components": [component("web").pk],
        "started_at_0": now.strftime("%Y-%m-%d"),
        "started_at_1": now.strftime("%H:%M:%S"),
        "updates-TOTAL_FORMS": "2",
        "updates-INITIAL_FORMS": "0",
        "updates-MIN_NUM_FORMS": "0",
        "updates-MAX_NUM_FORMS": "1000",
        "updates-0-status": "investigating",
        "updates-0-message": "Looking.",
        "updates-0-posted_at_0": now.strftime("%Y-%m-%d"),
        "updates-0-posted_at_1": now.strftime("%H:%M:%S"),
        "updates-1-status": "identified",
        "updates-1-message": "Found it.",
        "updates-1-posted_at_0": now.strftime("%Y-%m-%d"),
        "updates-1-posted_at_1": (now + timezone.timedelta(minutes=5)).strftime("%H:%M:%S"),
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff_admin).post(reverse("admin:status_incident_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get(title="Slow search")
    assert incident.status == IncidentStatus.IDENTIFIED
    assert services._previous_payload()["incidents"][0]["title"] == "Slow search"


def test_it_draws_the_dashboard_panel_in_a_constant_number_of_queries(
    rf, staff_admin, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    from status.dashboard import panels

    for count in (1, 5):
        for n in range(count):
            services.incident_create(
                title=f"Open {count}-{n}",
                impact="minor",
                components=[component("web")],
                message="x",
            )
        request = rf.get("/admin/")
        request.user = staff_admin
        with django_assert_max_num_queries(3):
            (panel,) = panels(request)
            html = render_to_string(panel["template"], panel["context"])
        assert "PostgreSQL" in html
        assert f"Open {count}-0" in html
