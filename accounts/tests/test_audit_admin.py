"""The relational audit trail in the admin: admins browse it, nobody edits it."""

import pytest

from accounts.audit import audit_event
from accounts.models import AuditEvent
from config import docstore

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(settings, patient, admin_user):
    settings.MONGO_URL = ""  # the admin shows the relational store
    docstore.reset()
    audit_event("user.viewed", actor=admin_user, subject=patient)
    return AuditEvent.objects.get(action="user.viewed")


def test_it_lists_audit_events_for_an_admin(client_for, admin_user, event):
    response = client_for(admin_user).get("/admin/accounts/auditevent/")
    assert response.status_code == 200
    assert b"user.viewed" in response.content


def test_it_shows_an_event_read_only(client_for, admin_user, event):
    client = client_for(admin_user)
    url = f"/admin/accounts/auditevent/{event.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"action": "tampered"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.action == "user.viewed"


def test_it_offers_no_add_or_delete(client_for, admin_user, event):
    client = client_for(admin_user)
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    assert client.post(f"/admin/accounts/auditevent/{event.pk}/delete/").status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_hides_the_audit_trail_from_patients(client_for, patient, event):
    response = client_for(patient).get("/admin/accounts/auditevent/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
