"""Writes on patients: creating a profile (with its MRN), contact updates, the care team."""

from __future__ import annotations

import datetime
import secrets

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm, remove_perm

from accounts.audit import audit_event
from accounts.models import Role, User
from config.api import ApplicationError, ConflictError, ForbiddenError
from patients.models import PATIENT_CONTACT_FIELDS, CareTeamChange, Patient
from providers.validators import luhn_check_digit

CARE_TEAM_PERMISSION = "view_patient_record"
CARE_TEAM_PERMISSION_FULL = f"patients.{CARE_TEAM_PERMISSION}"


def mrn_generate() -> str:
    """A random MRN: "MRN-" + 7 random digits + a Luhn check digit (catches typos at the desk)."""
    body = f"{secrets.randbelow(10**7):07d}"
    return f"MRN-{body}{luhn_check_digit(body)}"


def mrn_is_valid(mrn: str) -> bool:
    digits = mrn.removeprefix("MRN-")
    return (
        len(digits) == 8
        and digits.isascii()
        and digits.isdigit()
        and luhn_check_digit(digits[:7]) == int(digits[7])
    )


def _full_clean(patient: Patient, *, exclude: list[str] | None = None) -> None:
    try:
        patient.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise ApplicationError(
            "Please correct the highlighted fields.", code="invalid", fields=error.message_dict
        ) from None


@transaction.atomic
def patient_create(
    *,
    user: User,
    legal_first_name: str,
    legal_last_name: str,
    date_of_birth: datetime.date,
    by: User | None = None,
    **fields,
) -> Patient:
    """Create the profile of a patient user, with a freshly generated unique MRN."""
    if user.role != Role.PATIENT:
        raise ForbiddenError("Only patient accounts have a patient profile.", code="not_a_patient")
    if Patient.objects.filter(user=user).exists():
        raise ConflictError("This account already has a patient profile.", code="profile_exists")
    patient = Patient(
        user=user,
        legal_first_name=legal_first_name,
        legal_last_name=legal_last_name,
        date_of_birth=date_of_birth,
        **fields,
    )
    _full_clean(patient, exclude=["mrn", "user"])
    # A random MRN may collide with an existing one: try again with a new one.
    for _attempt in range(10):
        patient.mrn = mrn_generate()
        try:
            with transaction.atomic():
                patient.save()
        except IntegrityError:
            if Patient.objects.filter(user=user).exists():
                raise ConflictError(
                    "This account already has a patient profile.", code="profile_exists"
                ) from None
            continue
        break
    else:  # pragma: no cover - 10 collisions in a 10-million space
        raise ConflictError("Could not allocate an MRN; try again.", code="mrn_unavailable")
    audit_event("patient.created", actor=by, subject=patient)
    return patient


@transaction.atomic
def patient_update_contact(*, patient: Patient, by: User | None = None, **fields) -> Patient:
    """Update contact details only: MRN, legal names and date of birth are not changed here."""
    not_contact = sorted(set(fields) - set(PATIENT_CONTACT_FIELDS))
    if not_contact:
        raise ApplicationError(
            "Only contact details can be changed here.",
            code="read_only_field",
            fields={name: ["This field cannot be changed here."] for name in not_contact},
        )
    for name, value in fields.items():
        setattr(patient, name, value)
    _full_clean(patient)
    patient.save(update_fields=[*fields, "updated_at"])
    audit_event(
        "patient.contact_updated", actor=by, subject=patient, details={"fields": sorted(fields)}
    )
    return patient


def care_team_has(*, patient: Patient, provider) -> bool:
    return UserObjectPermission.objects.filter(
        user_id=provider.user_id,
        permission__codename=CARE_TEAM_PERMISSION,
        permission__content_type=ContentType.objects.get_for_model(Patient),
        object_pk=str(patient.pk),
    ).exists()


@transaction.atomic
def care_team_grant(
    *, patient: Patient, provider, by: User | None = None, reason: str = ""
) -> bool:
    """Give a provider access to a patient's record. Recorded; a no-op if already on the team.

    Returns True when access was granted now (False when it already existed).
    """
    if care_team_has(patient=patient, provider=provider):
        return False
    assign_perm(CARE_TEAM_PERMISSION_FULL, provider.user, patient)
    _care_team_change_record(
        patient=patient, provider=provider, action=CareTeamChange.Action.GRANT, by=by, reason=reason
    )
    return True


@transaction.atomic
def care_team_revoke(
    *, patient: Patient, provider, by: User | None = None, reason: str = ""
) -> bool:
    """Take a provider's access to a patient's record away. Recorded; a no-op if not on the team."""
    if not care_team_has(patient=patient, provider=provider):
        return False
    remove_perm(CARE_TEAM_PERMISSION_FULL, provider.user, patient)
    _care_team_change_record(
        patient=patient,
        provider=provider,
        action=CareTeamChange.Action.REVOKE,
        by=by,
        reason=reason,
    )
    return True


def _care_team_change_record(
    *, patient: Patient, provider, action: str, by: User | None, reason: str
):
    """The history row and the audit event of one grant or revoke."""
    CareTeamChange.objects.create(
        patient=patient, provider=provider, action=action, by=by, reason=reason[:200]
    )
    audit_event(
        "care_team.granted" if action == CareTeamChange.Action.GRANT else "care_team.revoked",
        actor=by,
        subject=patient,
        details={"provider": str(provider.public_id)},
    )


# Fields an admin may change on a patient (everything but the MRN and the account).
PATIENT_ADMIN_FIELDS = (
    "legal_first_name",
    "legal_last_name",
    "date_of_birth",
    "sex_at_birth",
    *PATIENT_CONTACT_FIELDS,
)


@transaction.atomic
def patient_update(*, patient: Patient, by: User, **fields) -> Patient:
    """An admin's update of any patient detail except the MRN (which never changes)."""
    if by.role != Role.ADMIN:
        return patient_update_contact(patient=patient, by=by, **fields)
    refused = sorted(set(fields) - set(PATIENT_ADMIN_FIELDS))
    if refused:
        raise ApplicationError(
            "These fields cannot be changed.",
            code="read_only_field",
            fields={name: ["This field cannot be changed."] for name in refused},
        )
    for name, value in fields.items():
        setattr(patient, name, value)
    _full_clean(patient)
    patient.save()
    audit_event("patient.updated", actor=by, subject=patient, details={"fields": sorted(fields)})
    return patient
