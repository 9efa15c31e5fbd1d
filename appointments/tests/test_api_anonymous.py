"""Every scheduling endpoint refuses anonymous callers with 401 (and never a 500)."""

import uuid

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

SOME_ID = uuid.uuid4()

ENDPOINTS = [
    ("get", "api:providers:provider-list", ()),
    ("get", "api:providers:provider-detail", (SOME_ID,)),
    ("get", "api:providers:provider-visit-types", (SOME_ID,)),
    ("get", "api:providers:provider-slots", (SOME_ID,)),
    ("get", "api:appointments:appointment-list", ()),
    ("post", "api:appointments:appointment-list", ()),
    ("get", "api:appointments:appointment-detail", (SOME_ID,)),
    ("get", "api:appointments:appointment-ics", (SOME_ID,)),
    *[
        ("post", f"api:appointments:appointment-{action}", (SOME_ID,))
        for action in (
            "confirm",
            "decline",
            "cancel",
            "reschedule",
            "check-in",
            "complete",
            "no-show",
        )
    ],
    ("get", "api:appointments:waitlist-list", ()),
    ("post", "api:appointments:waitlist-list", ()),
    ("delete", "api:appointments:waitlist-detail", (SOME_ID,)),
    ("get", "api:appointments:waitlist-offer-list", ()),
    ("post", "api:appointments:waitlist-offer-claim", (SOME_ID,)),
    ("get", "api:patients:patient-me", ()),
    ("post", "api:patients:patient-me", ()),
    ("patch", "api:patients:patient-me", ()),
    ("get", "api:patients:patient-list", ()),
    ("post", "api:patients:patient-search", ()),
    ("get", "api:patients:patient-detail", (SOME_ID,)),
]


@pytest.mark.parametrize(("method", "name", "args"), ENDPOINTS)
def test_it_refuses_anonymous_callers(api_client, method, name, args):
    response = getattr(api_client, method)(reverse(name, args=args), {}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(("method", "name", "args"), [e for e in ENDPOINTS if e[2]])
def test_it_answers_404_for_unknown_ids(api_client, admin_user, method, name, args):
    api_client.force_authenticate(admin_user)
    response = getattr(api_client, method)(reverse(name, args=args), {}, format="json")
    assert response.status_code == 404


@pytest.mark.parametrize("body", [[], "text", {"start": "not a date"}, {"provider": 5}])
def test_it_answers_400_never_500_for_bad_bodies(api_client, patient, body):
    api_client.force_authenticate(patient)
    response = api_client.post(reverse("api:appointments:appointment-list"), body, format="json")
    assert response.status_code == 400
