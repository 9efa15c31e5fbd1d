"""Thin API views: validate input, call a service or selector, serialize the result."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from appointments import services
from appointments.caching import appointment_list_scopes
from appointments.filters import AppointmentFilter
from appointments.ics import appointment_to_ics
from appointments.models import Via
from appointments.selectors import (
    appointment_list_for,
    visible_waitlist_entries,
    waitlist_offers_for,
)
from appointments.serializers import (
    AppointmentCancelInputSerializer,
    AppointmentCreateInputSerializer,
    AppointmentOutputSerializer,
    AppointmentRescheduleInputSerializer,
    EmptyInputSerializer,
    WaitlistClaimInputSerializer,
    WaitlistEntryOutputSerializer,
    WaitlistJoinInputSerializer,
    WaitlistOfferOutputSerializer,
)
from config.api import ApplicationError, ErrorSerializer
from config.response_cache import cached_json_response
from patients.selectors import patient_for_user, visible_patients
from providers.selectors import provider_queryset

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A rule was broken (see `code`)."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed for your role."),
    404: OpenApiResponse(ErrorSerializer, description="Unknown, or not yours."),
    409: OpenApiResponse(
        ErrorSerializer, description="Conflict: the time is taken, or the status changed."
    ),
}

VIA_BY_ROLE = {Role.PATIENT: Via.PORTAL, Role.PROVIDER: Via.PROVIDER, Role.ADMIN: Via.ADMIN}


def _appointment(request, appointment_id):
    return get_object_or_404(
        appointment_list_for(user=request.user).select_related("rescheduled_from"),
        public_id=appointment_id,
    )


def _patient_for_booking(request, patient_id):
    """A patient books for themself; the clinic names a patient it can see."""
    if request.user.role == Role.PATIENT:
        patient = patient_for_user(request.user)
        if patient is None:
            raise ApplicationError(
                "Complete your patient profile first.", code="no_patient_profile"
            )
        return patient
    if patient_id is None:
        raise ApplicationError(
            "Say which patient this is for.",
            code="invalid",
            fields={"patient": ["This field is required."]},
        )
    return get_object_or_404(visible_patients(request.user), public_id=patient_id)


def _booking_target(request, data):
    provider = get_object_or_404(provider_queryset(), public_id=data["provider"])
    visit_type = get_object_or_404(provider.visit_types.all(), public_id=data["visit_type"])
    return _patient_for_booking(request, data.get("patient")), provider, visit_type


class AppointmentListApi(generics.GenericAPIView):
    """My appointments (patient), my schedule (provider), or all (admin); book or request one."""

    serializer_class = AppointmentOutputSerializer
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return appointment_list_for(user=self.request.user).select_related("rescheduled_from")

    @extend_schema(
        operation_id="appointments_list", responses={200: AppointmentOutputSerializer(many=True)}
    )
    def get(self, request):
        scopes = appointment_list_scopes(request.user)
        if scopes is None:
            return self._list()
        # A patient's or provider's list is served from the cache until one of their
        # appointments, or a name shown in it, changes.
        return cached_json_response(request, scopes=scopes, build=self._list)

    def _list(self):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AppointmentOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="appointments_create",
        request=AppointmentCreateInputSerializer,
        responses={201: AppointmentOutputSerializer, **ERRORS},
        description=(
            "Book a visit. For a patient and a request-only visit type the appointment is created "
            "as `requested`. 400 codes: outside_availability, too_soon, beyond_horizon, time_off, "
            "not_bookable_online, invalid_visit_type, not_accepting_new_patients. 409 codes: "
            "slot_taken, patient_busy, slot_held."
        ),
    )
    def post(self, request):
        data = AppointmentCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient, provider, visit_type = _booking_target(request, data.validated_data)
        appointment = services.appointment_book(
            patient=patient,
            provider=provider,
            visit_type=visit_type,
            start=data.validated_data["start"],
            reason=data.validated_data["reason"],
            by=request.user,
            via=VIA_BY_ROLE.get(request.user.role, Via.API),
        )
        appointment = _appointment(request, appointment.public_id)
        return Response(
            AppointmentOutputSerializer(appointment).data, status=status.HTTP_201_CREATED
        )


class AppointmentDetailApi(APIView):
    @extend_schema(
        operation_id="appointments_retrieve",
        responses={200: AppointmentOutputSerializer, 404: ERRORS[404]},
    )
    def get(self, request, appointment_id):
        return Response(AppointmentOutputSerializer(_appointment(request, appointment_id)).data)


def _action_api(name: str, service, input_serializer, doc: str, **service_kwargs_from_input):
    """One POST endpoint that runs one lifecycle service on a visible appointment."""

    class ActionApi(APIView):
        @extend_schema(
            operation_id=f"appointments_{name}",
            request=input_serializer,
            responses={200: AppointmentOutputSerializer, **ERRORS},
            description=doc,
        )
        def post(self, request, appointment_id):
            appointment = _appointment(request, appointment_id)
            data = input_serializer(data=request.data if request.data else {})
            data.is_valid(raise_exception=True)
            kwargs = {
                key: data.validated_data[field] for key, field in service_kwargs_from_input.items()
            }
            result = service(appointment=appointment, by=request.user, **kwargs)
            return Response(
                AppointmentOutputSerializer(_appointment(request, result.public_id)).data
            )

    ActionApi.__name__ = ActionApi.__qualname__ = f"Appointment{name.title().replace('_', '')}Api"
    return ActionApi


AppointmentConfirmApi = _action_api(
    "confirm",
    services.appointment_confirm,
    EmptyInputSerializer,
    "Accept a requested appointment (provider, admin).",
)
AppointmentDeclineApi = _action_api(
    "decline",
    services.appointment_decline,
    AppointmentCancelInputSerializer,
    "Turn down a requested appointment (provider, admin).",
    reason="reason",
)
AppointmentCancelApi = _action_api(
    "cancel",
    services.appointment_cancel,
    AppointmentCancelInputSerializer,
    "Cancel. Patients may cancel up to APPOINTMENT_CANCEL_CUTOFF_HOURS before (code past_cutoff).",
    reason="reason",
)
AppointmentRescheduleApi = _action_api(
    "reschedule",
    services.appointment_reschedule,
    AppointmentRescheduleInputSerializer,
    "Move to a new start in one step; returns the NEW appointment (the old one is cancelled). "
    "Any refusal changes nothing.",
    start="start",
)
AppointmentCheckInApi = _action_api(
    "check_in",
    services.appointment_check_in,
    EmptyInputSerializer,
    "The patient has arrived (provider, admin).",
)
AppointmentCompleteApi = _action_api(
    "complete",
    services.appointment_complete,
    EmptyInputSerializer,
    "The visit took place (provider, admin).",
)
AppointmentNoShowApi = _action_api(
    "no_show",
    services.appointment_mark_no_show,
    EmptyInputSerializer,
    "The patient did not come (provider, admin).",
)


class AppointmentIcsApi(APIView):
    @extend_schema(
        operation_id="appointments_ics",
        responses={
            (200, "text/calendar"): OpenApiResponse(bytes, description="An iCalendar file."),
            404: ERRORS[404],
        },
    )
    def get(self, request, appointment_id):
        appointment = _appointment(request, appointment_id)
        response = HttpResponse(
            appointment_to_ics(appointment), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="appointment-{appointment.start:%Y%m%d}.ics"'
        )
        return response


class WaitlistListApi(generics.GenericAPIView):
    serializer_class = WaitlistEntryOutputSerializer

    def get_queryset(self):
        return visible_waitlist_entries(self.request.user)

    @extend_schema(
        operation_id="waitlist_list", responses={200: WaitlistEntryOutputSerializer(many=True)}
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WaitlistEntryOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="waitlist_create",
        request=WaitlistJoinInputSerializer,
        responses={201: WaitlistEntryOutputSerializer, **ERRORS},
    )
    def post(self, request):
        data = WaitlistJoinInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        patient, provider, visit_type = _booking_target(request, data.validated_data)
        entry = services.waitlist_join(
            patient=patient,
            provider=provider,
            visit_type=visit_type,
            earliest_date=data.validated_data["earliest_date"],
            latest_date=data.validated_data["latest_date"],
            by=request.user,
        )
        entry = get_object_or_404(self.get_queryset(), pk=entry.pk)
        return Response(WaitlistEntryOutputSerializer(entry).data, status=status.HTTP_201_CREATED)


class WaitlistDetailApi(APIView):
    @extend_schema(operation_id="waitlist_destroy", responses={204: None, **ERRORS})
    def delete(self, request, entry_id):
        entry = get_object_or_404(visible_waitlist_entries(request.user), public_id=entry_id)
        services.waitlist_leave(entry=entry, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WaitlistOfferListApi(generics.GenericAPIView):
    """Slots currently held for me (patient) or everyone (admin)."""

    serializer_class = WaitlistOfferOutputSerializer

    def get_queryset(self):
        return (
            waitlist_offers_for(self.request.user)
            .filter(status="offered")
            .order_by("hold_until", "pk")
        )

    @extend_schema(
        operation_id="waitlist_offers_list",
        responses={200: WaitlistOfferOutputSerializer(many=True)},
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WaitlistOfferOutputSerializer(page, many=True).data)


class WaitlistOfferClaimApi(APIView):
    @extend_schema(
        operation_id="waitlist_offers_claim",
        request=WaitlistClaimInputSerializer,
        responses={201: AppointmentOutputSerializer, **ERRORS},
    )
    def post(self, request, offer_id):
        offer = get_object_or_404(waitlist_offers_for(request.user), public_id=offer_id)
        data = WaitlistClaimInputSerializer(data=request.data if request.data else {})
        data.is_valid(raise_exception=True)
        appointment = services.waitlist_claim(
            offer=offer, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            AppointmentOutputSerializer(_appointment(request, appointment.public_id)).data,
            status=status.HTTP_201_CREATED,
        )
