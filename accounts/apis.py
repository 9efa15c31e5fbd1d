from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.mfa import user_has_mfa
from accounts.serializers import MeOutputSerializer, MeUpdateInputSerializer
from accounts.services import user_update_profile
from config.api import ErrorSerializer


def _me(user) -> dict:
    return MeOutputSerializer(
        {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "display_name": user.display_name,
            "role": user.role,
            "mfa_enrolled": user_has_mfa(user=user),
            "portal_url": user.portal_url,
        }
    ).data


class MeApi(APIView):
    """The signed-in user: who they are, their role and where their portal is."""

    @extend_schema(
        operation_id="me_retrieve",
        responses={200: MeOutputSerializer, 401: ErrorSerializer, 403: ErrorSerializer},
    )
    def get(self, request):
        return Response(_me(request.user))

    @extend_schema(
        operation_id="me_update",
        request=MeUpdateInputSerializer,
        responses={200: MeOutputSerializer, 400: ErrorSerializer, 401: ErrorSerializer},
    )
    def patch(self, request):
        serializer = MeUpdateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, **serializer.validated_data)
        return Response(_me(user))
