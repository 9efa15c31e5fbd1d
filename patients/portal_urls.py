"""Portal pages, included by config/urls.py."""

from django.urls import path

from patients import views

app_name = "patient_portal"
urlpatterns = [
    path("", views.home, name="home"),
]
