"""/healthz and /readyz at the site root (filled by the status work)."""

urlpatterns: list = []
