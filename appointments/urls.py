"""API routes of appointments, included under /api/v1/ by config/urls.py."""

from django.urls import path

from appointments import apis

app_name = "appointments"
urlpatterns = [
    path("appointments/", apis.AppointmentListApi.as_view(), name="appointment-list"),
    path(
        "appointments/<uuid:appointment_id>/",
        apis.AppointmentDetailApi.as_view(),
        name="appointment-detail",
    ),
    path(
        "appointments/<uuid:appointment_id>/confirm/",
        apis.AppointmentConfirmApi.as_view(),
        name="appointment-confirm",
    ),
    path(
        "appointments/<uuid:appointment_id>/decline/",
        apis.AppointmentDeclineApi.as_view(),
        name="appointment-decline",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel/",
        apis.AppointmentCancelApi.as_view(),
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        apis.AppointmentRescheduleApi.as_view(),
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/check-in/",
        apis.AppointmentCheckInApi.as_view(),
        name="appointment-check-in",
    ),
    path(
        "appointments/<uuid:appointment_id>/complete/",
        apis.AppointmentCompleteApi.as_view(),
        name="appointment-complete",
    ),
    path(
        "appointments/<uuid:appointment_id>/no-show/",
        apis.AppointmentNoShowApi.as_view(),
        name="appointment-no-show",
    ),
    path(
        "appointments/<uuid:appointment_id>/ics/",
        apis.AppointmentIcsApi.as_view(),
        name="appointment-ics",
    ),
    path("waitlist/", apis.WaitlistListApi.as_view(), name="waitlist-list"),
    path("waitlist/offers/", apis.WaitlistOfferListApi.as_view(), name="waitlist-offer-list"),
    path(
        "waitlist/offers/<uuid:offer_id>/claim/",
        apis.WaitlistOfferClaimApi.as_view(),
        name="waitlist-offer-claim",
    ),
    path("waitlist/<uuid:entry_id>/", apis.WaitlistDetailApi.as_view(), name="waitlist-detail"),
]
