import datetime

import pytest
from guardian.shortcuts import get_perms

from accounts.tests.factories import PatientUserFactory, ProviderUserFactory
from config.api import ApplicationError, ConflictError, ForbiddenError
from patients.models import CareTeamChange, Patient
from patients.selectors import visible_patients
from patients.services import (
    care_team_grant,
    care_team_revoke,
    mrn_generate,
    mrn_is_valid,
    patient_create,
    patient_update_contact,
)

pytestmark = pytest.mark.django_db


def test_it_creates_a_patient_with_a_valid_mrn():
    patient = patient_create(
        user=PatientUserFactory(),
        legal_first_name="Ann",
        legal_last_name="Bee",
        date_of_birth=datetime.date(1990, 5, 1),
    )
    assert mrn_is_valid(patient.mrn)
    assert (
        str(patient.pk) not in patient.mrn.removeprefix("MRN-").lstrip("0")
        or len(patient.mrn) == 12
    )


def test_it_generates_distinct_check_digit_mrns():
    mrns = {mrn_generate() for _ in range(200)}
    assert len(mrns) == 200
    assert all(mrn_is_valid(mrn) for mrn in mrns)
    assert not mrn_is_valid("MRN-12345678" if not mrn_is_valid("MRN-12345678") else "MRN-12345679")


def test_it_retries_when_a_generated_mrn_is_taken(monkeypatch, patient):
    taken = patient.patient_profile.mrn
    candidates = iter([taken, "MRN-00000018"])
    monkeypatch.setattr("patients.services.mrn_generate", lambda: next(candidates))
    created = patient_create(
        user=PatientUserFactory(),
        legal_first_name="A",
        legal_last_name="B",
        date_of_birth=datetime.date(2000, 1, 1),
    )
    assert created.mrn == "MRN-00000018"
    assert Patient.objects.filter(mrn=taken).count() == 1


def test_it_refuses_a_second_profile(patient):
    with pytest.raises(ConflictError):
        patient_create(
            user=patient,
            legal_first_name="A",
            legal_last_name="B",
            date_of_birth=datetime.date(2000, 1, 1),
        )


def test_it_refuses_a_profile_for_a_provider_account():
    # 403 from the service itself, so that the API and the admin need no check of their own.
    with pytest.raises(ForbiddenError) as error:
        patient_create(
            user=ProviderUserFactory(mfa=False), legal_first_name="A", legal_last_name="B",
            date_of_birth=datetime.date(2000, 1, 1),
        )  # fmt: skip
    assert error.value.code == "not_a_patient"


def test_it_refuses_to_update_non_contact_fields(patient):
    with pytest.raises(ApplicationError) as error:
        patient_update_contact(patient=patient.patient_profile, mrn="MRN-00000000")
    assert error.value.code == "read_only_field"


def test_it_records_care_team_grants_and_revokes(patient, provider, admin_user):
    profile, doctor = patient.patient_profile, provider.provider_profile
    assert care_team_grant(patient=profile, provider=doctor, by=admin_user, reason="Referral")
    assert "view_patient_record" in get_perms(provider, profile)
    assert list(visible_patients(provider)) == [profile]
    assert not care_team_grant(
        patient=profile, provider=doctor, by=admin_user
    )  # already on the team
    assert care_team_revoke(patient=profile, provider=doctor, by=admin_user, reason="Moved away")
    assert list(visible_patients(provider)) == []
    changes = list(
        CareTeamChange.objects.order_by("at", "id").values_list("action", "by", "reason")
    )
    assert changes == [
        ("grant", admin_user.pk, "Referral"),
        ("revoke", admin_user.pk, "Moved away"),
    ]


@pytest.mark.parametrize("size", [2, 30])
def test_it_lists_a_care_team_in_constant_queries(provider, size, django_assert_max_num_queries):
    from patients.tests.factories import PatientFactory

    for _ in range(size):
        care_team_grant(patient=PatientFactory(), provider=provider.provider_profile)
    with django_assert_max_num_queries(2):
        assert len(list(visible_patients(provider))) == size


def test_it_refuses_a_duplicate_mrn_in_the_database(patient, other_patient):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Patient.objects.filter(pk=other_patient.patient_profile.pk).update(
            mrn=patient.patient_profile.mrn
        )


def test_it_audits_care_team_grants_and_revokes_without_phi(patient, provider, admin_user):
    from accounts.audit import audit_trail

    profile = patient.patient_profile
    doctor = provider.provider_profile
    care_team_grant(patient=profile, provider=doctor, by=admin_user, reason="referral")
    care_team_revoke(patient=profile, provider=doctor, by=admin_user, reason="moved away")
    granted = audit_trail().recent(limit=1, action="care_team.granted")[0]
    revoked = audit_trail().recent(limit=1, action="care_team.revoked")[0]
    for event in (granted, revoked):
        assert event.subject_id == str(profile.public_id)
        assert event.details == {"provider": str(doctor.public_id)}
