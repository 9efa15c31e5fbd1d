import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import DEFAULT_PASSWORD, PatientUserFactory
from accounts.tests.helpers import link_in, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kettle-Orbit-7731"


def test_it_signs_up_a_patient_who_verifies_the_email_then_lands_on_the_patient_portal(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new.person@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.test")
    assert user.role == Role.PATIENT
    assert list(user.groups.values_list("name", flat=True)) == ["Patients"]
    assert not EmailAddress.objects.get(user=user).verified
    # Unverified: the portal is not reachable yet.
    assert client.get("/patient/").status_code == 302

    assert len(mail.outbox) == 1
    confirm_path = link_in(mail.outbox[0].body)
    assert client.get(confirm_path).status_code == 200
    response = client.post(confirm_path, follow=True)
    assert EmailAddress.objects.get(user=user).verified
    assert response.redirect_chain[-1][0] == "/patient/"

    client.post(reverse("account_logout"))
    response = sign_in(client, "new.person@example.test", NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/patient/"


def test_it_does_not_let_an_unverified_patient_sign_in(client):
    client.post(
        reverse("account_signup"),
        {"email": "new.person@example.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.post(reverse("account_logout"))
    response = sign_in(client, "new.person@example.test", NEW_PASSWORD)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get("/patient/").status_code == 302


@pytest.mark.parametrize(
    ("email", "password1", "password2", "field"),
    [
        ("new@example.test", "password", "password", "password1"),
        ("new@example.test", "12345678901", "12345678901", "password1"),
        ("new@example.test", NEW_PASSWORD, NEW_PASSWORD + "x", "password2"),
    ],
    ids=["common-password", "numeric-password", "mismatch"],
)
def test_it_rejects_a_bad_sign_up_with_form_errors_and_creates_nothing(
    client, patient, email, password1, password2, field
):
    before = User.objects.count()
    response = client.post(
        reverse("account_signup"), {"email": email, "password1": password1, "password2": password2}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == before
    # The error is tied to its input for screen readers.
    assert 'aria-invalid="true"' in response.content.decode()
    assert f"id_{field}_errors" in response.content.decode()


def test_it_does_not_reveal_a_taken_email_at_sign_up_and_creates_nothing(client, patient):
    # Whether an address has an account at a clinic is itself sensitive: allauth's enumeration
    # prevention answers as for a new address and mails the owner instead of showing an error.
    before = User.objects.count()
    response = client.post(
        reverse("account_signup"),
        {"email": patient.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == before
    patient.refresh_from_db()
    assert patient.check_password(DEFAULT_PASSWORD)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [patient.email]
    assert "_auth_user_id" not in client.session


def test_it_gives_the_same_generic_error_for_a_wrong_password_and_an_unknown_email(client, patient):
    wrong_password = sign_in(client, patient.email, "not-the-password")
    unknown_email = sign_in(client, "nobody@example.test", "not-the-password")
    assert wrong_password.status_code == unknown_email.status_code == 200
    errors = wrong_password.context["form"].non_field_errors()
    assert errors == unknown_email.context["form"].non_field_errors()
    assert "not correct" in errors[0]
    assert "_auth_user_id" not in client.session


def test_it_rate_limits_repeated_wrong_passwords_even_before_a_right_one(client, patient):
    for _ in range(5):
        response = sign_in(client, patient.email, "not-the-password")
        assert "Too many" not in response.content.decode()
    response = sign_in(client, patient.email, DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_audits_logins_failed_logins_and_logouts_without_the_password(
    client, patient, audit_events
):
    sign_in(client, patient.email, "not-the-password")
    sign_in(client, patient.email)
    client.post(reverse("account_logout"))
    actions = [action for action, _ in audit_events]
    assert actions == ["auth.login_failed", "auth.login", "auth.logout"]
    failed = audit_events[0][1]
    assert failed["subject"] == patient
    assert failed["details"] == {"account_known": True}
    assert failed["request"] is not None
    assert "not-the-password" not in repr(audit_events)
    assert audit_events[1][1]["actor"] == patient


def test_it_never_audits_the_text_typed_as_the_email(client, audit_events):
    # Whatever was typed (a password pasted into the email field) stays out of the trail.
    sign_in(client, "s3cret@hunter2.example", "anything")
    (failed,) = [kwargs for action, kwargs in audit_events if action == "auth.login_failed"]
    assert failed["subject"] is None
    assert failed["details"] == {"account_known": False}
    assert "hunter2" not in repr(audit_events)


def test_it_signs_out_with_a_post(client_for, patient):
    client = client_for(patient)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get("/patient/").status_code == 302


def test_it_changes_the_password(client, patient, audit_events):
    sign_in(client, patient.email)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)
    assert "auth.password_changed" in [action for action, _ in audit_events]
    # The owner is told, so a takeover does not go unnoticed.
    assert [message.to for message in mail.outbox] == [[patient.email]]


def test_it_resets_a_forgotten_password_through_the_emailed_link(client, patient):
    client.post(reverse("account_reset_password"), {"email": patient.email})
    assert len(mail.outbox) == 1
    response = client.get(link_in(mail.outbox[0].body))
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password(NEW_PASSWORD)


def test_it_ends_an_idle_session(client_for, patient, settings):
    settings.SESSION_COOKIE_AGE = 1
    client = client_for(patient)
    assert client.get("/patient/").status_code == 200
    time.sleep(1.3)
    response = client.get("/patient/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_extends_an_active_session_on_every_request(client_for, patient, settings):
    settings.SESSION_COOKIE_AGE = 2
    client = client_for(patient)
    for _ in range(3):  # 3 x 0.9 s: longer than the timeout in total, never idle for it
        time.sleep(0.9)
        assert client.get("/patient/").status_code == 200


def test_it_uses_the_idle_timeout_for_the_session_age(settings):
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_TIMEOUT


def test_it_does_not_write_the_session_on_every_request(
    client_for, patient, settings, django_assert_max_num_queries
):
    settings.SESSION_COOKIE_AGE = 15 * 60
    client = client_for(patient)
    client.get("/api/v1/me/")  # the first request after sign-in stamps the session once
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me/").status_code == 200
    writes = [
        q["sql"] for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]
    ]
    assert writes == []


def test_it_extends_the_session_once_a_fifteenth_of_the_timeout_has_passed(
    client_for, patient, settings
):
    from django.contrib.sessions.models import Session

    settings.SESSION_COOKIE_AGE = 3
    client = client_for(patient)
    client.get("/api/v1/me/")
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first_expiry = Session.objects.get(session_key=session_key).expire_date
    time.sleep(0.3)  # more than 3 s / 15
    client.get("/api/v1/me/")
    assert Session.objects.get(session_key=session_key).expire_date > first_expiry


def test_it_renders_allauth_pages_in_the_site_layout(client):
    body = client.get(reverse("account_login")).content.decode()
    assert 'href="#main"' in body  # skip link
    assert 'name="viewport"' in body
    assert "/static/css/medora.css" in body
    assert '<label for="id_login">' in body


def test_it_shows_the_role_navigation_to_a_patient(client_for, patient):
    body = client_for(patient).get("/patient/").content.decode()
    assert 'href="/patient/"' in body
    assert 'href="/admin/"' not in body
    assert "Sign out" in body


def test_it_lets_an_inactive_user_not_sign_in(client):
    user = PatientUserFactory(is_active=False)
    response = sign_in(client, user.email)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 302)
