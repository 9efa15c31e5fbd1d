"""The public status page and its JSON, included at /status/ by config/urls.py."""

from django.urls import path

from status import apis, views

app_name = "status"
urlpatterns = [
    path("", views.status_page, name="page"),
    path("history/", views.status_history, name="history"),
    path("incidents/<uuid:public_id>/", views.status_incident, name="incident"),
    path("api/v1/summary.json", apis.SummaryApi.as_view(), name="summary"),
    path("api/v1/components/<slug:slug>/uptime.json", apis.UptimeApi.as_view(), name="uptime"),
    path("badge/<slug:slug>.svg", apis.BadgeApi.as_view(), name="badge"),
]
