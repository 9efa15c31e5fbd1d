"""API routes of accounts, included under /api/v1/ by config/urls.py."""

app_name = "accounts"
urlpatterns: list = []
