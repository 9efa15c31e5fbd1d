"""Provider portal pages, included under /provider/ by config/urls.py."""

from django.urls import path

from providers import views

app_name = "provider_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("week/", views.week, name="week"),
    path("requests/", views.requests, name="requests"),
    path(
        "appointments/<uuid:appointment_id>/<slug:action>/",
        views.appointment_action,
        name="appointment_action",
    ),
    path("availability/", views.availability, name="availability"),
    path(
        "availability/<uuid:window_id>/",
        views.availability_window_edit,
        name="availability_window",
    ),
    path("time-off/", views.time_off, name="time_off"),
    path("visit-types/", views.visit_types, name="visit_types"),
    path("visit-types/<uuid:visit_type_id>/", views.visit_type_edit, name="visit_type"),
    path("profile/", views.profile, name="profile"),
    path("profile/calendar-feed/", views.calendar_feed_rotate, name="calendar_feed_rotate"),
    path("patients/", views.patient_list, name="patients"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="patient"),
]
