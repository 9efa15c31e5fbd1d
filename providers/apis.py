import datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from appointments.slots import slot_list
from config.api import ApplicationError, ErrorSerializer
from patients.selectors import patient_for_user
from providers.filters import ProviderFilter
from providers.selectors import (
    provider_queryset,
    provider_search,
    visit_types_bookable_by,
    visit_types_for,
)
from providers.serializers import (
    ProviderListOutputSerializer,
    ProviderOutputSerializer,
    SlotListQuerySerializer,
    SlotOutputSerializer,
    VisitTypeOutputSerializer,
)

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such provider.")


def _provider(public_id):
    return get_object_or_404(provider_queryset(), public_id=public_id)


class ProviderListApi(generics.GenericAPIView):
    """Find a provider by specialty, name and language; each with their next free slot."""

    serializer_class = ProviderListOutputSerializer
    filterset_class = ProviderFilter

    def get_queryset(self):
        return provider_queryset().order_by("display_name", "pk")

    @extend_schema(
        operation_id="providers_list", responses={200: ProviderListOutputSerializer(many=True)}
    )
    def get(self, request):
        providers = self.filter_queryset(self.get_queryset())
        # Next free slots only for the page shown, all loaded in a constant number of queries.
        page = provider_search(providers=self.paginate_queryset(providers))
        return self.get_paginated_response(ProviderListOutputSerializer(page, many=True).data)


class ProviderDetailApi(APIView):
    @extend_schema(
        operation_id="providers_retrieve", responses={200: ProviderOutputSerializer, 404: NOT_FOUND}
    )
    def get(self, request, provider_id):
        return Response(ProviderOutputSerializer(_provider(provider_id)).data)


class ProviderVisitTypesApi(APIView):
    @extend_schema(
        operation_id="providers_visit_types_list",
        responses={200: VisitTypeOutputSerializer(many=True), 404: NOT_FOUND},
    )
    def get(self, request, provider_id):
        provider = _provider(provider_id)
        return Response(
            VisitTypeOutputSerializer(visit_types_for(provider=provider), many=True).data
        )


class ProviderSlotsApi(APIView):
    """Free slots of one visit type over local dates start..end (the provider's time zone)."""

    @extend_schema(
        operation_id="providers_slots_list",
        parameters=[
            OpenApiParameter("visit_type", str, required=True, description="Visit type id (UUID)."),
            OpenApiParameter(
                "start", datetime.date, description="First local date (default today)."
            ),
            OpenApiParameter(
                "end", datetime.date, description="Last local date (default start + 6 days)."
            ),
        ],
        responses={
            200: SlotOutputSerializer(many=True),
            400: OpenApiResponse(ErrorSerializer, description="Bad dates or visit type."),
            404: NOT_FOUND,
        },
    )
    def get(self, request, provider_id):
        provider = _provider(provider_id)
        query = SlotListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        visit_type = get_object_or_404(
            visit_types_bookable_by(provider=provider, user=request.user),
            public_id=query.validated_data["visit_type"],
        )
        start = query.validated_data.get("start") or timezone.now().astimezone(provider.zone).date()
        end = query.validated_data.get("end") or start + datetime.timedelta(days=6)
        if end < start or (end - start).days > 62:
            raise ApplicationError(
                "Ask for at most 62 days, with the end on or after the start.",
                code="invalid_dates",
                fields={"end": ["Must be within 62 days on or after the start."]},
            )
        slots = slot_list(
            provider=provider,
            visit_type=visit_type,
            start_date=start,
            end_date=end,
            patient=patient_for_user(request.user),
        )
        return Response(
            SlotOutputSerializer([SlotOutputSerializer.from_slot(s) for s in slots], many=True).data
        )
