"""/healthz and /readyz at the site root."""

from django.urls import path

from status.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
]
