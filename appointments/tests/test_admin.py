import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory
from patients.models import CareTeamChange
from patients.services import care_team_has

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client_for, admin_user):
    return client_for(admin_user)


@pytest.mark.parametrize(
    "name",
    [
        "admin:appointments_appointment_changelist",
        "admin:appointments_waitlistentry_changelist",
        "admin:providers_provider_changelist",
        "admin:providers_provider_add",
        "admin:providers_specialty_changelist",
        "admin:providers_visittype_changelist",
        "admin:providers_timeoff_changelist",
        "admin:patients_patient_changelist",
        "admin:patients_patient_add",
        "admin:patients_careteamchange_changelist",
    ],
)
def test_it_shows_the_admin_pages(admin_client, name, visit_type):
    AppointmentFactory(visit_type=visit_type)
    assert admin_client.get(reverse(name)).status_code == 200


def test_it_filters_appointments(admin_client, visit_type):
    AppointmentFactory(visit_type=visit_type, status="requested")
    url = reverse("admin:appointments_appointment_changelist")
    response = admin_client.get(
        url, {"status__exact": "requested", "provider__id__exact": visit_type.provider_id}
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_it_shows_a_provider_with_availability_inline(admin_client, provider, weekday_availability):
    url = reverse("admin:providers_provider_change", args=[provider.provider_profile.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert b"availability_windows-TOTAL_FORMS" in response.content


def test_it_confirms_requests_through_the_service(admin_client, visit_type):
    requested = AppointmentFactory(visit_type=visit_type, status="requested")
    admin_client.post(
        reverse("admin:appointments_appointment_changelist"),
        {"action": "confirm", "_selected_action": [requested.pk]},
    )
    requested.refresh_from_db()
    assert requested.status == "booked"


def test_it_grants_and_revokes_the_care_team_from_the_patient_list(
    admin_client, admin_user, patient, provider
):
    url = reverse("admin:patients_patient_changelist")
    profile, doctor = patient.patient_profile, provider.provider_profile
    admin_client.post(
        url,
        {
            "action": "grant_care_team",
            "_selected_action": [profile.pk],
            "provider": doctor.pk,
            "reason": "Referral",
        },
    )
    assert care_team_has(patient=profile, provider=doctor)
    admin_client.post(
        url, {"action": "revoke_care_team", "_selected_action": [profile.pk], "provider": doctor.pk}
    )
    assert not care_team_has(patient=profile, provider=doctor)
    assert list(CareTeamChange.objects.order_by("id").values_list("action", "by")) == [
        ("grant", admin_user.pk),
        ("revoke", admin_user.pk),
    ]


def test_it_creates_a_patient_with_a_generated_mrn(admin_client):
    from accounts.tests.factories import PatientUserFactory
    from patients.models import Patient

    user = PatientUserFactory()
    response = admin_client.post(
        reverse("admin:patients_patient_add"),
        {
            "user": user.pk, "legal_first_name": "Dana", "legal_last_name": "Ray", "date_of_birth": "1990-02-03",
            "sex_at_birth": "female", "preferred_language": "en", "country": "US",
            "care_team_changes-TOTAL_FORMS": "0", "care_team_changes-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    assert Patient.objects.get(user=user).mrn.startswith("MRN-")


def _changelist_queries(admin_client, name):
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(reverse(name)).status_code == 200
    return len(queries)


def test_it_lists_notifications_in_a_constant_number_of_queries(admin_client):
    from accounts.tests.factories import PatientUserFactory
    from appointments.models import Notification

    def add(count):
        for _ in range(count):
            recipient = PatientUserFactory()
            Notification.objects.create(
                dedupe_key=f"test:{recipient.pk}", kind="patient_booked", recipient=recipient
            )

    add(2)
    _changelist_queries(admin_client, "admin:appointments_notification_changelist")  # warm up
    few = _changelist_queries(admin_client, "admin:appointments_notification_changelist")
    add(10)
    assert _changelist_queries(admin_client, "admin:appointments_notification_changelist") == few
