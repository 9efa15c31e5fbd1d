"""API routes of status, included under /api/v1/ by config/urls.py."""

app_name = "status"
urlpatterns: list = []
