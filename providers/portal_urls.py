"""Portal pages, included by config/urls.py."""

from django.urls import path

from providers import views

app_name = "provider_portal"
urlpatterns = [
    path("", views.home, name="home"),
]
