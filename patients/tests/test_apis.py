import pytest
from django.urls import reverse

from patients.services import care_team_grant

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"api:patients:{name}", args=args)


def test_it_shows_me_my_profile(api_client, patient):
    api_client.force_authenticate(patient)
    body = api_client.get(url("patient-me")).json()
    assert body["mrn"] == patient.patient_profile.mrn
    assert body["email"] == "pat@example.test"


@pytest.mark.parametrize("role", ["provider", "admin_user"])
def test_it_answers_404_for_me_without_a_patient_profile(request, api_client, role):
    api_client.force_authenticate(request.getfixturevalue(role))
    assert api_client.get(url("patient-me")).status_code == 404


def test_it_refuses_me_to_anonymous(api_client):
    assert api_client.get(url("patient-me")).status_code == 401


def test_it_updates_my_contact_details(api_client, patient):
    api_client.force_authenticate(patient)
    response = api_client.patch(
        url("patient-me"), {"phone": "+1 555 0199", "city": "Springfield"}, format="json"
    )
    assert response.status_code == 200
    patient.patient_profile.refresh_from_db()
    assert (patient.patient_profile.phone, patient.patient_profile.city) == (
        "+1 555 0199",
        "Springfield",
    )


@pytest.mark.parametrize("field", ["mrn", "date_of_birth", "legal_last_name"])
def test_it_refuses_to_change_read_only_fields(api_client, patient, field):
    before = patient.patient_profile
    api_client.force_authenticate(patient)
    response = api_client.patch(
        url("patient-me"), {field: "2000-01-01", "phone": "1"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "read_only_field"
    assert field in response.json()["fields"]
    after = type(before).objects.get(pk=before.pk)
    assert (after.mrn, after.date_of_birth, after.phone) == (
        before.mrn,
        before.date_of_birth,
        before.phone,
    )


def test_it_rejects_a_non_object_body(api_client, patient):
    api_client.force_authenticate(patient)
    assert api_client.patch(url("patient-me"), [1, 2], format="json").status_code == 400


@pytest.mark.parametrize(
    ("role", "on_team", "count", "sees_owner"),
    [
        ("patient", False, 1, True),
        ("other_patient", False, 1, False),
        ("provider", True, 1, True),
        ("provider", False, 0, False),
        ("admin_user", False, 2, True),
    ],
)
def test_it_lists_the_patients_a_role_may_see(
    request, api_client, patient, other_patient, provider, role, on_team, count, sees_owner
):
    if on_team:
        care_team_grant(patient=patient.patient_profile, provider=provider.provider_profile)
    api_client.force_authenticate(request.getfixturevalue(role))
    body = api_client.get(url("patient-list")).json()
    assert body["count"] == count
    owner_id = str(patient.patient_profile.public_id)
    assert (owner_id in [p["id"] for p in body["results"]]) is sees_owner
    detail = api_client.get(url("patient-detail", owner_id))
    assert detail.status_code == (200 if sees_owner else 404)


def test_it_searches_the_care_team_by_name_mrn_and_birth_date(api_client, patient, provider):
    profile = patient.patient_profile
    care_team_grant(patient=profile, provider=provider.provider_profile)
    api_client.force_authenticate(provider)
    for query in (
        {"q": profile.legal_last_name[:3]},
        {"q": profile.mrn},
        {"date_of_birth": profile.date_of_birth.isoformat()},
    ):
        assert api_client.post(url("patient-search"), query).json()["count"] == 1, query
    assert api_client.post(url("patient-search"), {"q": "zzzz"}).json()["count"] == 0


def test_it_takes_no_search_terms_in_the_url(api_client, patient, other_patient, provider):
    for profile in (patient.patient_profile, other_patient.patient_profile):
        care_team_grant(patient=profile, provider=provider.provider_profile)
    api_client.force_authenticate(provider)
    name = patient.patient_profile.legal_last_name
    # A name in a query string is ignored (never a search): it would be in every access log.
    assert api_client.get(url("patient-list"), {"q": name}).json()["count"] == 2
    schema = api_client.get("/api/schema/?format=json").json()
    list_parameters = schema["paths"]["/api/v1/patients/"]["get"].get("parameters", [])
    assert {parameter["name"] for parameter in list_parameters} <= {"page", "page_size"}


def test_it_scopes_the_search_to_the_patients_a_role_may_see(api_client, patient, provider):
    api_client.force_authenticate(provider)
    query = {"q": patient.patient_profile.mrn}
    assert api_client.post(url("patient-search"), query).json()["count"] == 0


def test_it_rejects_unknown_search_fields(api_client, provider):
    api_client.force_authenticate(provider)
    response = api_client.post(url("patient-search"), {"name": "x"}, format="json")
    assert response.status_code == 400


def test_it_lets_a_new_patient_complete_their_profile(api_client):
    from accounts.tests.factories import PatientUserFactory

    user = PatientUserFactory()
    api_client.force_authenticate(user)
    data = {
        "legal_first_name": "Eve",
        "legal_last_name": "Stone",
        "date_of_birth": "1991-01-02",
        "phone": "555",
    }
    response = api_client.post(url("patient-me"), data, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["mrn"].startswith("MRN-")
    assert api_client.post(url("patient-me"), data, format="json").status_code == 409


@pytest.mark.parametrize("field", ["mrn", "id"])
def test_it_refuses_an_mrn_on_creation(api_client, field):
    from accounts.tests.factories import PatientUserFactory

    api_client.force_authenticate(PatientUserFactory())
    data = {
        "legal_first_name": "E",
        "legal_last_name": "S",
        "date_of_birth": "1991-01-02",
        field: "MRN-1",
    }
    assert api_client.post(url("patient-me"), data, format="json").status_code == 400


def test_it_refuses_a_patient_profile_to_a_provider(api_client, provider):
    api_client.force_authenticate(provider)
    data = {"legal_first_name": "E", "legal_last_name": "S", "date_of_birth": "1991-01-02"}
    assert api_client.post(url("patient-me"), data, format="json").status_code == 403


@pytest.mark.parametrize("size", [10, 500])
@pytest.mark.parametrize("role", ["provider", "admin_user"])
def test_it_lists_patients_in_a_constant_number_of_queries(
    request, api_client, provider, role, size, django_assert_max_num_queries
):
    from guardian.models import UserObjectPermission

    from patients.tests.factories import PatientFactory

    patients = PatientFactory.create_batch(size)
    first = patients[0]
    care_team_grant(patient=first, provider=provider.provider_profile)
    # The other grants in bulk: what is measured is the list, not the set-up.
    template = UserObjectPermission.objects.get(user=provider)
    UserObjectPermission.objects.bulk_create(
        UserObjectPermission(
            user=provider,
            permission_id=template.permission_id,
            content_type_id=template.content_type_id,
            object_pk=str(p.pk),
        )
        for p in patients[1:]
    )
    api_client.force_authenticate(request.getfixturevalue(role))
    with django_assert_max_num_queries(6):
        response = api_client.get(url("patient-list"), {"page_size": 100})
    assert response.json()["count"] >= size


@pytest.mark.parametrize("date_of_birth", ["2999-01-01", "0060-07-10", "1899-12-31"])
def test_it_refuses_a_date_of_birth_in_the_future_or_before_1900_and_creates_nothing(
    api_client, date_of_birth
):
    from accounts.tests.factories import PatientUserFactory
    from patients.models import Patient

    api_client.force_authenticate(PatientUserFactory())
    data = {"legal_first_name": "E", "legal_last_name": "S", "date_of_birth": date_of_birth}
    response = api_client.post(url("patient-me"), data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert list(body["fields"]) == ["date_of_birth"]
    assert date_of_birth not in response.content.decode()
    assert not Patient.objects.exists()


def test_it_answers_a_malformed_birth_date_search_with_400(api_client, provider):
    api_client.force_authenticate(provider)
    response = api_client.post(
        url("patient-search"), {"date_of_birth": "2026-02-30"}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["date_of_birth"]


def test_it_publishes_the_birth_date_search_as_a_date(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    body = schema["paths"]["/api/v1/patients/search/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    date_of_birth = schema["components"]["schemas"][ref]["properties"]["date_of_birth"]
    assert date_of_birth == {"type": "string", "format": "date"}
