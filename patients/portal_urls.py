"""Patient portal pages, included under /patient/ by config/urls.py."""

from django.urls import path

from patients import views

app_name = "patient_portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("providers/", views.provider_find, name="provider_find"),
    path("providers/<uuid:provider_id>/", views.provider_slots, name="provider_slots"),
    path("book/", views.book, name="book"),
    path("appointments/", views.appointment_list, name="appointments"),
    path("appointments/<uuid:appointment_id>/", views.appointment_detail, name="appointment"),
    path("profile/", views.profile, name="profile"),
    path("waitlist/", views.waitlist, name="waitlist"),
]
