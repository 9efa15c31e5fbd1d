import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import (
    PatientUserFactory,
    ProviderUserFactory,
)
from accounts.tests.helpers import link_in, sign_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kettle-Orbit-7731"


def groups_of(user):
    return sorted(user.groups.values_list("name", flat=True))


def change_form_data(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


# --- who gets in -------------------------------------------------------------------------


def test_it_shows_the_admin_to_an_admin(client_for, admin_user):
    assert client_for(admin_user).get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("who", ["patient", "provider"])
def test_it_refuses_the_admin_to_patients_and_providers(client_for, who, request):
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse("admin:index"), follow=True)
    assert response.status_code == 403


def test_it_refuses_a_staff_flag_without_the_admin_role(client_for):
    user = ProviderUserFactory(is_superuser=True)
    user.is_staff = True
    user.save()
    assert client_for(user).get(reverse("admin:index"), follow=True).status_code == 403


def test_it_sends_anonymous_visitors_to_the_allauth_sign_in(client):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert "next=/admin/" in response.redirect_chain[-1][0]


# --- the user list -----------------------------------------------------------------------


def test_it_lists_searches_and_filters_users(client_for, admin_user, patient, provider):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_changelist")
    assert patient.email in client.get(url, {"q": "pat@"}).content.decode()
    assert provider.email not in client.get(url, {"q": "pat@"}).content.decode()
    by_role = client.get(url, {"role__exact": "provider"}).context["cl"].result_list
    assert list(by_role) == [provider]


def test_it_filters_users_by_mfa_status(client_for, admin_user, patient, provider):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_changelist")
    enrolled = set(client.get(url, {"mfa": "yes"}).context["cl"].result_list)
    not_enrolled = set(client.get(url, {"mfa": "no"}).context["cl"].result_list)
    assert enrolled == {admin_user, provider}
    assert not_enrolled == {patient}


def test_it_lists_users_in_a_constant_number_of_queries(
    client_for, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_changelist")
    client.get(url)
    PatientUserFactory.create_batch(3)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    ProviderUserFactory.create_batch(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- create, change, deactivate ----------------------------------------------------------


def test_it_creates_a_user_with_a_role_from_the_admin(client_for, admin_user, audit_events):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_add"),
        {
            "email": "New.Doc@Example.test",
            "first_name": "New",
            "last_name": "Doc",
            "role": "provider",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.doc@example.test")
    assert user.role == Role.PROVIDER
    assert groups_of(user) == ["Providers"]
    assert user.check_password(NEW_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert ("user.created", {"role": "provider"}) in [
        (action, kwargs.get("details")) for action, kwargs in audit_events
    ]


def test_it_refuses_a_duplicate_email_in_the_admin(client_for, admin_user, patient):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_add"),
        {"email": "PAT@example.test", "role": "patient", "usable_password": "false"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"]


def test_it_changes_the_role_from_the_user_page(client_for, admin_user, patient, audit_events):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_change", args=[patient.pk]),
        change_form_data(patient, role="provider", first_name="Renamed"),
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.role == Role.PROVIDER
    assert patient.first_name == "Renamed"
    assert groups_of(patient) == ["Providers"]
    assert ("user.role_changed", {"from": "patient", "to": "provider"}) in [
        (action, kwargs.get("details")) for action, kwargs in audit_events
    ]
    assert ("user.changed", {"fields": ["first_name"]}) in [
        (action, kwargs.get("details")) for action, kwargs in audit_events
    ]


def test_it_makes_an_admin_staff_when_the_role_changes(client_for, admin_user, provider):
    client_for(admin_user).post(
        reverse("admin:accounts_user_change", args=[provider.pk]),
        change_form_data(provider, role="admin"),
    )
    provider.refresh_from_db()
    assert provider.is_staff
    assert groups_of(provider) == ["Admins"]


def test_it_changes_roles_in_bulk(client_for, admin_user, patient, other_patient):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "change_role_to_provider", "_selected_action": [patient.pk, other_patient.pk]},
    )
    assert response.status_code == 302
    for user in (patient, other_patient):
        user.refresh_from_db()
        assert user.role == Role.PROVIDER
        assert groups_of(user) == ["Providers"]


def test_it_deactivates_users_with_an_action(client_for, admin_user, patient, audit_events):
    client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [patient.pk]},
    )
    patient.refresh_from_db()
    assert not patient.is_active
    assert "user.deactivated" in [action for action, _ in audit_events]


def test_it_deactivates_a_user_from_the_user_page(client_for, admin_user, patient):
    client_for(admin_user).post(
        reverse("admin:accounts_user_change", args=[patient.pk]),
        change_form_data(patient, is_active=""),
    )
    patient.refresh_from_db()
    assert not patient.is_active


def test_it_does_not_let_an_admin_deactivate_themselves(client_for, admin_user):
    client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [admin_user.pk]},
    )
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_it_keeps_a_deactivated_user_out(client, patient):
    patient.is_active = False
    patient.save()
    sign_in(client, patient.email)
    assert "_auth_user_id" not in client.session


# --- invite ------------------------------------------------------------------------------


def test_it_invites_a_provider_who_sets_a_password_through_the_emailed_link(
    client_for, admin_user, django_capture_on_commit_callbacks, audit_events
):
    admin_client = client_for(admin_user)
    assert admin_client.get(reverse("admin:accounts_user_invite")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:accounts_user_invite"),
            {
                "email": "invited@example.test",
                "first_name": "In",
                "last_name": "Vited",
                "role": "provider",
            },
        )
    assert response.status_code == 302
    invited = User.objects.get(email="invited@example.test")
    assert invited.role == Role.PROVIDER
    assert groups_of(invited) == ["Providers"]
    assert not invited.has_usable_password()
    assert "user.invited" in [action for action, _ in audit_events]

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["invited@example.test"]
    admin_client.post(reverse("account_logout"))

    from django.test import Client

    client = Client()
    response = client.get(link_in(mail.outbox[0].body))
    assert response.status_code == 302
    response = client.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    invited.refresh_from_db()
    assert invited.check_password(NEW_PASSWORD)

    # Signed in, the new provider is sent to MFA enrolment first.
    sign_in(client, "invited@example.test", NEW_PASSWORD)
    assert client.get("/provider/")["Location"] == reverse("mfa_activate_totp")


def test_it_refuses_to_invite_an_existing_email(client_for, admin_user, provider):
    response = client_for(admin_user).post(
        reverse("admin:accounts_user_invite"),
        {"email": provider.email, "first_name": "A", "last_name": "B", "role": "provider"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert len(mail.outbox) == 0


def test_it_hides_the_invite_page_from_non_admins(client_for, provider):
    response = client_for(provider).get(reverse("admin:accounts_user_invite"), follow=True)
    assert response.status_code == 403


def test_it_links_the_invite_page_from_the_user_list(client_for, admin_user):
    body = client_for(admin_user).get(reverse("admin:accounts_user_changelist")).content.decode()
    assert reverse("admin:accounts_user_invite") in body


def test_it_resends_a_set_password_email_to_active_users_only(
    client_for, admin_user, provider, other_provider
):
    other_provider.is_active = False
    other_provider.save()
    client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_set_password_email", "_selected_action": [provider.pk, other_provider.pk]},
    )
    assert [message.to for message in mail.outbox] == [[provider.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_ends_the_open_session_of_a_deactivated_user(client_for, admin_user, patient):
    from django.test import Client

    patient_client = Client()
    patient_client.force_login(patient, backend="accounts.backends.ModelBackend")
    assert patient_client.get("/patient/").status_code == 200
    client_for(admin_user).post(
        reverse("admin:accounts_user_changelist"),
        {"action": "deactivate_users", "_selected_action": [patient.pk]},
    )
    assert patient_client.get("/patient/").status_code == 302


def test_it_keeps_the_last_admin_an_admin(client_for, admin_user, audit_events):
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:accounts_user_change", args=[admin_user.pk]),
        # The form as the admin page shows it to them (superuser and staff boxes ticked).
        change_form_data(admin_user, role="patient", is_staff="on", is_superuser="on"),
        follow=True,
    )
    assert response.status_code == 200
    assert "last active admin" in response.content.decode()
    admin_user.refresh_from_db()
    assert (admin_user.role, admin_user.is_staff) == (Role.ADMIN, True)
    assert groups_of(admin_user) == ["Admins"]
    assert "user.role_changed" not in [action for action, _ in audit_events]

    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "change_role_to_provider", "_selected_action": [admin_user.pk]},
        follow=True,
    )
    assert "last active admin" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_it_lets_an_admin_step_down_once_there_is_another(client_for, admin_user):
    from accounts.tests.factories import AdminUserFactory

    AdminUserFactory(email="second.admin@example.test")
    client_for(admin_user).post(
        reverse("admin:accounts_user_change", args=[admin_user.pk]),
        change_form_data(admin_user, role="provider"),
    )
    admin_user.refresh_from_db()
    assert admin_user.role == Role.PROVIDER


def test_it_does_not_deactivate_the_last_admin(admin_user):
    from accounts.services import user_deactivate
    from config.api import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        user_deactivate(user=admin_user)
    assert refused.value.code == "last_admin"
    admin_user.refresh_from_db()
    assert admin_user.is_active
