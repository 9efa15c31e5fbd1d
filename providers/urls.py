"""API routes of providers, included under /api/v1/ by config/urls.py."""

app_name = "providers"
urlpatterns: list = []
