"""API tokens in the admin: the key is shown once, issuing and revoking are audited."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_it_lists_tokens_without_their_keys(client_for, admin_user, patient):
    token = Token.objects.create(user=patient)
    response = client_for(admin_user).get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert patient.email in body
    assert token.key not in body


def test_it_shows_a_new_key_once_and_audits_issuing_it(
    client_for, admin_user, provider, audit_events
):
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:authtoken_tokenproxy_add"), {"user": provider.pk}, follow=True
    )
    token = Token.objects.get(user=provider)
    assert token.key in response.content.decode()
    assert (
        token.key
        not in client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    )
    (issued,) = [kwargs for action, kwargs in audit_events if action == "api_token.created"]
    assert (issued["actor"], issued["subject"]) == (admin_user, provider)
    assert token.key not in repr(audit_events)


def test_it_audits_revoking_a_token(client_for, admin_user, patient, audit_events):
    Token.objects.create(user=patient)
    response = client_for(admin_user).post(
        reverse("admin:authtoken_tokenproxy_delete", args=[patient.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Token.objects.filter(user=patient).exists()
    (revoked,) = [kwargs for action, kwargs in audit_events if action == "api_token.revoked"]
    assert (revoked["actor"], revoked["subject"]) == (admin_user, patient)


def test_it_shows_when_each_token_expires(client_for, admin_user, patient, settings):
    from django.utils import formats, timezone

    from accounts.authentication import token_expires_at

    settings.API_TOKEN_MAX_AGE_DAYS = 30
    token = Token.objects.create(user=patient)
    client = client_for(admin_user)
    body = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert "Expires" in body
    expected = token_expires_at(token)
    assert (expected - token.created).days == 30
    assert formats.date_format(timezone.localtime(expected), "DATE_FORMAT") in body
    settings.API_TOKEN_MAX_AGE_DAYS = 0
    body = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert "never" in body
