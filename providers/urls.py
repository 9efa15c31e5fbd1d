"""API routes of providers, included under /api/v1/ by config/urls.py."""

from django.urls import path

from providers import apis

app_name = "providers"
urlpatterns = [
    path("providers/", apis.ProviderListApi.as_view(), name="provider-list"),
    path("providers/<uuid:provider_id>/", apis.ProviderDetailApi.as_view(), name="provider-detail"),
    path(
        "providers/<uuid:provider_id>/visit-types/",
        apis.ProviderVisitTypesApi.as_view(),
        name="provider-visit-types",
    ),
    path(
        "providers/<uuid:provider_id>/slots/",
        apis.ProviderSlotsApi.as_view(),
        name="provider-slots",
    ),
]
