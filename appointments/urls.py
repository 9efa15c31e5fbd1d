"""API routes of appointments, included under /api/v1/ by config/urls.py."""

app_name = "appointments"
urlpatterns: list = []
