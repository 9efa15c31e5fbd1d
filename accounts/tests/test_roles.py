import pytest

from accounts.models import Role
from accounts.services import user_set_role
from accounts.tests.factories import enrol_totp

pytestmark = pytest.mark.django_db


def test_it_puts_a_new_user_in_their_role_group(patient):
    assert list(patient.groups.values_list("name", flat=True)) == ["Patients"]


def test_it_moves_the_user_to_the_new_role_group(patient, admin_user):
    user_set_role(user=patient, role=Role.PROVIDER, by=admin_user)
    patient.refresh_from_db()
    assert patient.role == Role.PROVIDER
    assert list(patient.groups.values_list("name", flat=True)) == ["Providers"]
    assert not patient.is_staff


def test_it_makes_admins_staff(patient):
    user_set_role(user=patient, role=Role.ADMIN)
    patient.refresh_from_db()
    assert patient.is_staff


@pytest.mark.parametrize(
    ("role", "portal"), [("patient", "/patient/"), ("provider", "/provider/"), ("admin", "/admin/")]
)
def test_it_sends_each_role_home_to_its_portal(client_for, role, portal, patient):
    user_set_role(user=patient, role=role)
    enrol_totp(patient)
    response = client_for(patient).get("/")
    assert response.status_code == 302
    assert response["Location"] == portal
