"""API routes of records, included under /api/v1/ by config/urls.py."""

app_name = "records"
urlpatterns: list = []
