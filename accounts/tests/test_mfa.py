import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.tests.factories import (
    DEFAULT_PASSWORD,
    AdminUserFactory,
    ProviderUserFactory,
    enrol_totp,
)
from accounts.tests.helpers import sign_in, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider_without_mfa():
    return ProviderUserFactory(email="new.doc@example.test", mfa=False)


@pytest.fixture
def admin_without_mfa():
    return AdminUserFactory(email="new.admin@example.test", mfa=False)


@pytest.mark.parametrize("path", ["/provider/", "/", "/admin/"])
def test_it_sends_a_provider_without_mfa_to_enrolment(client_for, provider_without_mfa, path):
    response = client_for(provider_without_mfa).get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("path", ["/admin/", "/admin/accounts/user/", "/api/v1/me/"])
def test_it_keeps_an_admin_without_mfa_out_of_admin_and_api(client_for, admin_without_mfa, path):
    response = client_for(admin_without_mfa).get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == reverse("mfa_activate_totp")


def test_it_answers_the_api_with_mfa_required(client_for, provider_without_mfa):
    response = client_for(provider_without_mfa).get(reverse("api:accounts:me"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Set up two-factor authentication before using the API.",
        "code": "mfa_required",
        "fields": {},
    }


def test_it_lets_a_provider_without_mfa_reach_the_account_pages(client_for, provider_without_mfa):
    client = client_for(provider_without_mfa)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_it_lets_staff_in_after_enrolment(client_for, provider_without_mfa, admin_without_mfa):
    enrol_totp(provider_without_mfa)
    enrol_totp(admin_without_mfa)
    assert client_for(provider_without_mfa).get("/provider/").status_code == 200
    assert client_for(admin_without_mfa).get("/admin/").status_code == 200


def test_it_blocks_again_at_once_when_the_authenticator_is_removed(client_for, provider):
    client = client_for(provider)
    assert client.get("/provider/").status_code == 200
    Authenticator.objects.filter(user=provider).delete()
    response = client.get("/provider/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_it_checks_enrolment_without_a_query_once_known(
    client_for, provider, django_assert_num_queries
):
    client = client_for(provider)
    client.get("/provider/")
    with django_assert_num_queries(10, exact=False) as second:
        client.get("/provider/")
    assert not any("mfa_authenticator" in q["sql"] for q in second.captured_queries)


def test_it_does_not_ask_patients_for_mfa_but_offers_it(client_for, patient):
    client = client_for(patient)
    assert client.get("/patient/").status_code == 200
    body = client.get(reverse("mfa_index")).content.decode()
    assert reverse("mfa_activate_totp") in body


def test_it_enrols_a_provider_through_the_allauth_page(
    client, provider_without_mfa, audit_events, django_capture_on_commit_callbacks, settings
):
    # The captured on-commit callbacks run after the request has ended, where allauth's
    # notification mail (which needs the request) cannot be built; in a real request they run inside.
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = False
    response = sign_in(client, provider_without_mfa.email)
    assert response.status_code == 302
    response = client.get("/provider/")
    assert response["Location"] == reverse("mfa_activate_totp")

    # allauth asks for the password again before any MFA change.
    response = client.get(reverse("mfa_activate_totp"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    response = client.post(response["Location"], {"password": DEFAULT_PASSWORD})
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session["mfa.totp.secret"]
    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["code"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(
        user=provider_without_mfa, type=Authenticator.Type.TOTP
    ).exists()
    assert client.get("/provider/").status_code == 200
    assert "mfa.added" in [action for action, _ in audit_events]


def test_it_asks_an_enrolled_provider_for_a_code_at_sign_in(client):
    provider = ProviderUserFactory(mfa=False)
    secret = enrol_totp(provider)
    response = sign_in(client, provider.email)
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/provider/").status_code == 200


def test_it_audits_removing_the_authenticator(client, audit_events):
    provider = ProviderUserFactory(mfa=False)
    secret = enrol_totp(provider)
    sign_in(client, provider.email)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=provider, type="totp").exists()
    assert ("mfa.removed", "totp") in [
        (action, kwargs.get("details", {}).get("type")) for action, kwargs in audit_events
    ]
    assert client.get("/provider/")["Location"] == reverse("mfa_activate_totp")


def test_it_audits_a_wrong_code_and_regenerated_recovery_codes(
    client, audit_events, django_capture_on_commit_callbacks, settings
):
    settings.ACCOUNT_EMAIL_NOTIFICATIONS = False  # see the enrolment test
    provider = ProviderUserFactory(mfa=False)
    secret = enrol_totp(provider)
    sign_in(client, provider.email)
    client.post(reverse("mfa_authenticate"), {"code": "000000"})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_generate_recovery_codes"))
    assert response.status_code == 302
    actions = [action for action, _ in audit_events]
    assert "auth.mfa_failed" in actions
    assert "mfa.reset" in actions
    assert "000000" not in repr(audit_events)
