import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import dashboard
from accounts.admin_site import dashboard_panels
from accounts.selectors import active_session_count, signups_per_day, user_counts_by_role
from accounts.tests.factories import PatientUserFactory, ProviderUserFactory

pytestmark = pytest.mark.django_db


def figure(body: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', body).group(1).strip()


def test_it_shows_the_dashboard_figures(client_for, admin_user, patient, provider):
    body = client_for(admin_user).get(reverse("admin:index")).content.decode()
    assert "Users by role" in body
    assert figure(body, "signups") == "3"
    assert int(figure(body, "active-sessions")) >= 1
    assert figure(body, "logins").isdigit()
    assert figure(body, "failed-logins").isdigit()
    assert "<svg" in body
    assert "New accounts per day, last 30 days" in body
    assert "https://" not in body.split("<svg", 1)[1].split("</svg>", 1)[0]


def test_it_counts_logins_and_failed_logins_of_the_last_day_from_the_audit_trail(
    client_for, admin_user
):
    from accounts.audit import audit_trail

    client = client_for(admin_user)  # the admin's own sign-in is one login
    for action in ("auth.login", "auth.login", "auth.login_failed"):
        audit_trail().record(action=action)
    audit_trail().record(action="auth.login", at=timezone.now() - timedelta(hours=25))
    body = client.get(reverse("admin:index")).content.decode()
    assert (figure(body, "logins"), figure(body, "failed-logins")) == ("3", "1")


def test_it_counts_users_by_role():
    PatientUserFactory.create_batch(2)
    ProviderUserFactory()
    PatientUserFactory(is_active=False)
    assert user_counts_by_role() == {"patient": 2, "provider": 1, "admin": 0}


def test_it_counts_sign_ups_per_day_with_empty_days():
    today = timezone.localdate()
    PatientUserFactory(date_joined=timezone.now() - timedelta(days=2))
    PatientUserFactory.create_batch(2)
    PatientUserFactory(date_joined=timezone.now() - timedelta(days=40))
    days = signups_per_day(days=30)
    assert len(days) == 30
    assert days[-1] == (today, 2)
    assert days[-3] == (today - timedelta(days=2), 1)
    assert sum(count for _, count in days) == 3


def test_it_counts_only_unexpired_sessions(client_for, patient, provider):
    client_for(patient)
    assert active_session_count() == 1


def test_it_takes_login_figures_from_the_audit_trail(monkeypatch, rf, admin_user):
    monkeypatch.setattr(
        dashboard,
        "audit_counts",
        lambda actions, since: {"auth.login": 7, "auth.login_failed": 2},
    )
    request = rf.get("/admin/")
    request.user = admin_user
    activity = next(p for p in dashboard.panels(request) if p["title"] == "Activity")
    assert activity["context"]["logins"] == 7
    assert activity["context"]["failed_logins"] == 2


def test_it_runs_a_constant_number_of_queries(
    client_for, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse("admin:index"))
    PatientUserFactory.create_batch(3)
    # The index renders every app's panels; what matters is that the count does not grow with data.
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("admin:index"))
    for days_ago in range(20):
        PatientUserFactory(date_joined=timezone.now() - timedelta(days=days_ago))
    ProviderUserFactory.create_batch(5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("admin:index"))


def test_it_orders_panels_and_survives_a_broken_one(monkeypatch, rf, admin_user, client_for):
    request = rf.get("/admin/")
    request.user = admin_user
    orders = [panel["order"] for panel in dashboard_panels(request)]
    assert orders == sorted(orders)

    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr(dashboard, "panels", broken)
    response = client_for(admin_user).get(reverse("admin:index"))
    assert response.status_code == 200
    assert "could not be loaded" in response.content.decode()


def test_it_draws_a_bar_per_point_of_the_chart():
    from django.template.loader import render_to_string

    chart = {
        "title": "Visits",
        "unit": "visits",
        "series": [{"label": "Mon", "value": 2}, {"label": "Tue", "value": 4}],
    }
    svg = render_to_string("admin/dashboard/_bar_chart.html", {"chart": chart})
    assert svg.count("<rect") == 2
    assert "Tue: 4 visits" in svg
    assert 'height="0.0"' not in svg


def test_it_finds_the_contract_modules_of_local_apps_only_in_installed_order():
    from accounts.local_apps import local_app_modules

    dashboards = [name for _, name in local_app_modules("dashboard")]
    assert dashboards[:1] == ["accounts.dashboard"]
    assert "status.dashboard" in dashboards
    demos = [name for _, name in local_app_modules("demo")]
    assert demos[0] == "accounts.demo"
    assert all(name.split(".")[0] not in {"allauth", "rest_framework"} for name in demos)
