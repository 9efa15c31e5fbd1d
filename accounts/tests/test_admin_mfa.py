"""Authenticators in the admin: visible to admins without their secrets, reset only, and audited."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts import mfa_crypto

pytestmark = pytest.mark.django_db


def totp_of(user) -> Authenticator:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)


def test_it_lists_who_enrolled_mfa(client_for, admin_user, provider):
    response = client_for(admin_user).get(reverse("admin:mfa_authenticator_changelist"))
    assert response.status_code == 200
    assert provider.email in response.content.decode()


def test_it_never_shows_a_totp_secret(client_for, admin_user, provider):
    authenticator = totp_of(provider)
    stored = authenticator.data["secret"]
    secret = mfa_crypto.decrypt(stored)
    client = client_for(admin_user)
    for url in (
        reverse("admin:mfa_authenticator_changelist"),
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert stored not in response.content.decode()
        assert secret not in response.content.decode()


def test_it_lets_no_admin_add_or_edit_an_authenticator(client_for, admin_user, provider):
    authenticator = totp_of(provider)
    client = client_for(admin_user)
    assert client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    client.post(
        reverse("admin:mfa_authenticator_change", args=[authenticator.pk]),
        {"user": admin_user.pk, "type": "totp", "data": '{"secret": "ATTACKER"}'},
    )
    authenticator.refresh_from_db()
    assert (authenticator.user_id, authenticator.data["secret"]) != (admin_user.pk, "ATTACKER")
    assert authenticator.user_id == provider.pk


def test_it_audits_an_admin_resetting_a_users_mfa(client_for, admin_user, provider, audit_events):
    authenticator = totp_of(provider)
    response = client_for(admin_user).post(
        reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    (removed,) = [kwargs for action, kwargs in audit_events if action == "mfa.removed"]
    assert (removed["actor"], removed["subject"]) == (admin_user, provider)
    assert "secret" not in repr(removed["details"])
