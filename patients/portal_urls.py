"""Portal pages, included by config/urls.py."""

app_name = "patient_portal"
urlpatterns: list = []
