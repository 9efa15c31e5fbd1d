"""API routes of patients, included under /api/v1/ by config/urls.py."""

app_name = "patients"
urlpatterns: list = []
