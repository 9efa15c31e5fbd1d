"""The visit buttons of the provider portal as plain forms (no JavaScript): POST
/provider/appointments/<id>/<action>/ runs the appointment service and comes back with a message."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from providers import views

pytestmark = pytest.mark.django_db

IN_AN_HOUR = datetime.timedelta(hours=1)
STARTED = -datetime.timedelta(minutes=5)
# action -> (status before, start relative to now, status after)
STEPS = {
    "confirm": (AppointmentStatus.REQUESTED, IN_AN_HOUR, AppointmentStatus.BOOKED),
    "decline": (AppointmentStatus.REQUESTED, IN_AN_HOUR, AppointmentStatus.CANCELLED),
    "check-in": (AppointmentStatus.BOOKED, IN_AN_HOUR, AppointmentStatus.CHECKED_IN),
    "complete": (AppointmentStatus.CHECKED_IN, STARTED, AppointmentStatus.COMPLETED),
    "no-show": (AppointmentStatus.BOOKED, STARTED, AppointmentStatus.NO_SHOW),
}


def _appointment(visit_type, action):
    status, starts_in, _ = STEPS[action]
    start = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    return AppointmentFactory(
        visit_type=visit_type,
        status=status,
        start=start,
        end=start + datetime.timedelta(minutes=30),
    )


def _url(appointment, action):
    return reverse("provider_portal:appointment_action", args=[appointment.public_id, action])


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("action", list(STEPS))
def test_it_runs_each_visit_step_without_javascript(client_for, provider, visit_type, action):
    appointment = _appointment(visit_type, action)
    back = reverse("provider_portal:requests")
    response = client_for(provider).post(_url(appointment, action), {"next": back}, follow=True)
    assert response.redirect_chain == [(back, 302)]
    appointment.refresh_from_db()
    assert appointment.status == STEPS[action][2]
    assert _messages(response) == [views.VISIT_ACTIONS[action][1]]


def test_it_calls_the_service_as_the_signed_in_provider(
    client_for, provider, visit_type, monkeypatch
):
    appointment = _appointment(visit_type, "confirm")
    calls = []
    service, done = views.VISIT_ACTIONS["confirm"]

    def spy(**kwargs):
        calls.append(kwargs)
        return service(**kwargs)

    monkeypatch.setitem(views.VISIT_ACTIONS, "confirm", (spy, done))
    client_for(provider).post(_url(appointment, "confirm"))
    assert [(kw["appointment"], kw["by"]) for kw in calls] == [(appointment, provider)]


def test_it_passes_the_optional_decline_reason(client_for, provider, visit_type):
    appointment = _appointment(visit_type, "decline")
    client_for(provider).post(_url(appointment, "decline"), {"reason": "  On leave that day "})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == provider
    assert appointment.cancel_reason == "On leave that day"


@pytest.mark.parametrize("action", list(STEPS))
def test_it_hides_another_providers_appointment(client_for, other_provider, visit_type, action):
    appointment = _appointment(visit_type, action)
    response = client_for(other_provider).post(_url(appointment, action))
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == STEPS[action][0]


def test_it_refuses_a_patient(client_for, visit_type):
    appointment = _appointment(visit_type, "confirm")
    response = client_for(appointment.patient.user).post(_url(appointment, "confirm"))
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.REQUESTED


def test_it_sends_anonymous_visitors_to_sign_in(client, visit_type):
    appointment = _appointment(visit_type, "confirm")
    response = client.post(_url(appointment, "confirm"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.REQUESTED


def test_it_refuses_get(client_for, provider, visit_type):
    appointment = _appointment(visit_type, "confirm")
    assert client_for(provider).get(_url(appointment, "confirm")).status_code == 405
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.REQUESTED


def test_it_does_not_know_other_actions(client_for, provider, visit_type):
    appointment = _appointment(visit_type, "confirm")
    response = client_for(provider).post(_url(appointment, "cancel"))
    assert response.status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.REQUESTED


def test_it_shows_the_services_refusal_and_changes_nothing(client_for, provider, visit_type):
    appointment = _appointment(visit_type, "check-in")  # booked, starts in an hour
    response = client_for(provider).post(_url(appointment, "complete"), follow=True)
    assert response.redirect_chain == [(reverse("provider_portal:home"), 302)]
    assert _messages(response) == ["A visit can be completed once it has started."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    "target", ["https://evil.example/provider/", "//evil.example/", "http://evil.example"]
)
def test_it_ignores_a_next_on_another_host(client_for, provider, visit_type, target):
    appointment = _appointment(visit_type, "confirm")
    response = client_for(provider).post(_url(appointment, "confirm"), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("provider_portal:home")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_it_renders_the_visit_buttons_as_forms_that_come_back(client_for, provider, visit_type):
    appointment = _appointment(visit_type, "decline")
    response = client_for(provider).get(reverse("provider_portal:requests"))
    body = response.content.decode()
    for action in ("confirm", "decline"):
        assert f'action="{_url(appointment, action)}"' in body
    assert f'name="next" value="{reverse("provider_portal:requests")}"' in body
    assert 'name="reason"' in body
    assert "csrfmiddlewaretoken" in body
