"""Portal pages, included by config/urls.py."""

app_name = "provider_portal"
urlpatterns: list = []
