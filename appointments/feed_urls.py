"""The provider's private iCal feed, included at /calendar/ by config/urls.py (no session, no API)."""

from django.urls import path

from appointments.feeds import provider_feed

app_name = "calendar"
urlpatterns = [
    path("<str:token>.ics", provider_feed, name="provider_feed"),
]
