"""Reads on patients, always scoped to the user asking. The one place the visibility rule lives."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from accounts.models import Role, User
from patients.models import Patient
from patients.services import CARE_TEAM_PERMISSION_FULL


def visible_patients(user: User) -> QuerySet[Patient]:
    """Patients `user` may see: a patient themself; a provider their care team; an admin all."""
    if not user.is_authenticated or not user.is_active:
        return Patient.objects.none()
    if user.role == Role.ADMIN:
        return Patient.objects.all()
    if user.role == Role.PATIENT:
        return Patient.objects.filter(user=user)
    if user.role == Role.PROVIDER:
        # One subquery on guardian's table; never the role group's model-wide permission.
        return get_objects_for_user(
            user,
            CARE_TEAM_PERMISSION_FULL,
            klass=Patient,
            use_groups=False,
            with_superuser=False,
            accept_global_perms=False,
        )
    return Patient.objects.none()


def patient_search(
    *, user: User, query: str = "", date_of_birth: datetime.date | None = None
) -> QuerySet[Patient]:
    """Visible patients matching a name or MRN fragment and/or an exact date of birth."""
    patients = visible_patients(user).select_related("user")
    query = query.strip()
    if query:
        condition = Q(mrn__iexact=query) | Q(mrn__iexact=f"MRN-{query}")
        for word in query.split():
            condition |= (
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        patients = patients.filter(condition)
    if date_of_birth is not None:
        patients = patients.filter(date_of_birth=date_of_birth)
    return patients.order_by("legal_last_name", "legal_first_name", "pk")


def patient_for_user(user: User) -> Patient | None:
    """The patient profile of a patient user (None for anyone else)."""
    if not user.is_authenticated or user.role != Role.PATIENT:
        return None
    return Patient.objects.filter(user=user).first()
