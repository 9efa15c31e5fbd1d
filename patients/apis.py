from collections.abc import Mapping

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from config.api import ApplicationError, ErrorSerializer, ForbiddenError, NotFoundError
from patients.models import Patient
from patients.selectors import patient_for_user, patient_search, visible_patients
from patients.serializers import (
    PATIENT_READ_ONLY_FIELDS,
    PatientBriefOutputSerializer,
    PatientContactInputSerializer,
    PatientCreateInputSerializer,
    PatientOutputSerializer,
    PatientSearchQuerySerializer,
)
from patients.services import patient_create, patient_update_contact

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Not found (or not a patient account).")


def _my_profile(request):
    patient = patient_for_user(request.user)
    if patient is None:
        raise NotFoundError("No patient profile for this account.")
    return patient


class PatientMeApi(APIView):
    """My patient profile: read everything, change contact details only."""

    @extend_schema(
        operation_id="patients_me_retrieve",
        responses={200: PatientOutputSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        return Response(PatientOutputSerializer(_my_profile(request)).data)

    @extend_schema(
        operation_id="patients_me_create",
        request=PatientCreateInputSerializer,
        responses={
            201: PatientOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="Invalid input."),
            403: OpenApiResponse(ErrorSerializer, description="Not a patient account."),
            409: OpenApiResponse(ErrorSerializer, description="The profile exists already."),
        },
        description="Complete my patient profile (a new patient account has none); the MRN is generated.",
    )
    def post(self, request):
        if request.user.role != Role.PATIENT:
            raise ForbiddenError(
                "Only patient accounts have a patient profile.", code="not_a_patient"
            )
        data = PatientCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient = patient_create(user=request.user, by=request.user, **data.validated_data)
        return Response(PatientOutputSerializer(patient).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="patients_me_partial_update",
        request=PatientContactInputSerializer,
        responses={
            200: PatientOutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Invalid, or a read-only field (MRN, date of birth, legal name) was sent.",
            ),
            404: NOT_FOUND,
        },
    )
    def patch(self, request):
        patient = _my_profile(request)
        if isinstance(request.data, Mapping):
            read_only = sorted(set(request.data) & set(PATIENT_READ_ONLY_FIELDS))
            if read_only:
                raise ApplicationError(
                    "These details can only be changed by the clinic.",
                    code="read_only_field",
                    fields={name: ["This field cannot be changed here."] for name in read_only},
                )
        data = PatientContactInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        patient = patient_update_contact(patient=patient, by=request.user, **data.validated_data)
        return Response(PatientOutputSerializer(patient).data)


class PatientListApi(generics.GenericAPIView):
    """Patients I may see (a provider: my care team), searchable by name, MRN, date of birth."""

    serializer_class = PatientBriefOutputSerializer
    queryset = Patient.objects.none()  # for the schema; the data comes from patient_search

    @extend_schema(
        operation_id="patients_list",
        parameters=[
            OpenApiParameter("q", str, description="Name or MRN."),
            OpenApiParameter("date_of_birth", OpenApiTypes.DATE, description="YYYY-MM-DD"),
        ],
        responses={200: PatientBriefOutputSerializer(many=True)},
    )
    def get(self, request):
        query = PatientSearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        patients = patient_search(
            user=request.user,
            query=query.validated_data.get("q", ""),
            date_of_birth=query.validated_data.get("date_of_birth"),
        )
        page = self.paginate_queryset(patients)
        return self.get_paginated_response(PatientBriefOutputSerializer(page, many=True).data)


class PatientDetailApi(APIView):
    @extend_schema(
        operation_id="patients_retrieve", responses={200: PatientOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, patient_id):
        patient = get_object_or_404(
            visible_patients(request.user).select_related("user"), public_id=patient_id
        )
        return Response(PatientOutputSerializer(patient).data)
