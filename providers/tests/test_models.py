import pytest
from django.db import IntegrityError

from providers.models import Provider
from providers.tests.factories import ProviderFactory, npi_for
from providers.validators import npi_is_valid, validate_npi

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_it_accepts_npis_with_a_valid_check_digit(npi):
    assert npi_is_valid(npi)


@pytest.mark.parametrize(
    "npi", ["1234567890", "123456789", "12345678931", "12345678a3", "", "１２３４５６７８９３"]
)
def test_it_rejects_invalid_npis(npi):
    assert not npi_is_valid(npi)
    with pytest.raises(Exception):  # noqa: B017
        validate_npi(npi)


def test_it_generates_valid_npis_in_the_factory():
    assert all(npi_is_valid(npi_for(n)) for n in range(50))


def test_it_refuses_a_non_10_digit_npi_in_the_database(provider):
    with pytest.raises(IntegrityError):
        Provider.objects.filter(pk=provider.provider_profile.pk).update(npi="12345")


def test_it_gives_the_conftest_users_their_profiles(patient, provider):
    assert patient.patient_profile.mrn.startswith("MRN-")
    assert provider.provider_profile.npi
    assert ProviderFactory().user.is_provider
