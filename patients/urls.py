"""API routes of patients, included under /api/v1/ by config/urls.py."""

from django.urls import path

from patients import apis

app_name = "patients"
urlpatterns = [
    path("patients/", apis.PatientListApi.as_view(), name="patient-list"),
    path("patients/search/", apis.PatientSearchApi.as_view(), name="patient-search"),
    path("patients/me/", apis.PatientMeApi.as_view(), name="patient-me"),
    path("patients/<uuid:patient_id>/", apis.PatientDetailApi.as_view(), name="patient-detail"),
]
