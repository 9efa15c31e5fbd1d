"""The signed-in user is read from the cache, and every change to them is seen at once."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from accounts.backends import (
    USER_CACHE_SECONDS,
    AuthenticationBackend,
    ModelBackend,
    _cache_key,
)
from accounts.models import Role
from accounts.services import user_set_role, user_sync_role_group
from accounts.tests.factories import UserFactory
from accounts.tests.helpers import sign_in

pytestmark = pytest.mark.django_db

ME = "api:accounts:me"


@pytest.mark.parametrize("backend", [ModelBackend, AuthenticationBackend])
def test_it_loads_a_signed_in_user_once_then_from_the_cache(
    backend, provider, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the user row, their MFA enrolment
        first = backend().get_user(provider.pk)
    with django_assert_num_queries(0):
        again = backend().get_user(provider.pk)
    assert again.pk == first.pk == provider.pk
    assert (again.email, again.role, again.password) == (
        provider.email,
        provider.role,
        provider.password,
    )
    assert again.mfa_enrolled is first.mfa_enrolled is True


def test_it_serves_signed_in_api_requests_without_a_user_query(
    client_for, provider, django_assert_num_queries
):
    client = client_for(provider)
    assert client.get(reverse(ME)).status_code == 200
    with django_assert_num_queries(10, exact=False) as second:
        assert client.get(reverse(ME)).status_code == 200
    tables = " ".join(query["sql"] for query in second.captured_queries)
    assert "accounts_user" not in tables
    assert "mfa_authenticator" not in tables


def test_it_knows_no_user_that_is_gone():
    user = UserFactory()
    assert ModelBackend().get_user(user.pk) is not None
    get_user_model().objects.filter(pk=user.pk).delete()
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(10**9) is None


def test_it_signs_out_a_deactivated_user_on_their_next_request(client_for, patient):
    client = client_for(patient)
    assert client.get(reverse(ME)).status_code == 200
    patient.is_active = False
    patient.save()
    assert client.get(reverse(ME)).status_code in (401, 403)


def test_it_signs_out_everywhere_when_the_password_changes(client_for, patient):
    client = client_for(patient)
    assert client.get(reverse(ME)).status_code == 200
    patient.set_password("A-new-passphrase-2026")
    patient.save()
    assert client.get(reverse(ME)).status_code in (401, 403)


def test_it_shows_a_new_role_on_the_next_request(client_for, patient):
    client = client_for(patient)
    assert client.get(reverse(ME)).json()["role"] == Role.PATIENT
    user_set_role(user=patient, role=Role.ADMIN)
    # An admin without MFA is stopped at the gate: proof the new role was read.
    response = client.get(reverse(ME))
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_it_forgets_the_user_after_a_staff_flag_update(patient):
    """user_sync_role_group writes is_staff with an UPDATE, which sends no signal."""
    ModelBackend().get_user(patient.pk)
    patient.role = Role.ADMIN
    get_user_model().objects.filter(pk=patient.pk).update(role=Role.ADMIN)
    user_sync_role_group(user=patient)
    assert ModelBackend().get_user(patient.pk).is_staff is True


def test_it_asks_for_mfa_again_once_the_authenticator_is_removed(client_for, provider):
    client = client_for(provider)
    assert client.get(reverse(ME)).status_code == 200
    Authenticator.objects.filter(user=provider).delete()
    response = client.get(reverse(ME))
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_it_drops_a_snapshot_cached_before_the_commit(patient, django_capture_on_commit_callbacks):
    """A request that read the row before the change committed may have cached it meanwhile;
    the commit drops it again."""
    with django_capture_on_commit_callbacks(execute=True):
        patient.first_name = "Renamed"
        patient.save()
        stale = get_user_model().objects.get(pk=patient.pk)
        stale.first_name = "Before"
        cache.set(_cache_key(patient.pk), (stale, False), USER_CACHE_SECONDS)
    assert ModelBackend().get_user(patient.pk).first_name == "Renamed"


def test_it_signs_in_through_allauth_with_the_cached_backend(client, patient):
    response = sign_in(client, patient.email)
    assert response.status_code == 302
    assert client.session["_auth_user_backend"].startswith("accounts.backends.")
    assert client.get(reverse(ME)).json()["email"] == patient.email
