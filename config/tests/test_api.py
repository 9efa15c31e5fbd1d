"""The shared API mechanisms of config/api.py, seen from outside: bad input is a 400 or 404 with the
error shape, never an HTML page or a silently different answer."""

import pytest
from django.urls import reverse

from appointments.tests.factories import AppointmentFactory

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/api/v1/appointments/"


def assert_error_shape(body: dict) -> None:
    assert set(body) == {"detail", "code", "fields"}
    assert isinstance(body["detail"], str)
    assert isinstance(body["fields"], dict)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/appointments/not-a-uuid/",
        "/api/v1/appointments/null,null/cancel/",
        "/api/v1/patients/123/",
        "/api/v1/no-such-thing/",
        "/status/api/v1/components/%0D/uptime.json",
        "/status/badge/%C3%B7i.svg",
    ],
)
def test_it_answers_an_unknown_api_address_with_a_json_404(api_client_for, patient, path):
    response = api_client_for(patient).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "delete"])
def test_it_answers_a_write_to_an_unknown_api_address_with_a_json_404_not_a_csrf_page(method):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "not-a-session"
    response = getattr(client, method)("/api/v1/waitlist/null,null/")
    assert response.status_code == 404
    assert_error_shape(response.json())


def test_it_keeps_the_html_404_for_pages(client):
    response = client.get("/patient/no-such-page/")
    assert response.status_code in (302, 404)
    assert not response["Content-Type"].startswith("application/json")


def test_it_says_so_when_only_the_trailing_slash_is_missing(api_client_for, patient):
    response = api_client_for(patient).post("/api/v1/appointments", {}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found. API addresses end with a slash."


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-3"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "null"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-23214"}, "page_size"),
        ({"page_size": "null"}, "page_size"),
        ({"page_size": "1e3"}, "page_size"),
    ],
)
def test_it_refuses_a_malformed_page_with_400(api_client_for, patient, query, field):
    response = api_client_for(patient).get(APPOINTMENTS, query)
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_it_answers_a_page_past_the_end_with_the_404_shape(api_client_for, patient):
    response = api_client_for(patient).get(APPOINTMENTS, {"page": "33501965"})
    assert response.status_code == 404
    assert_error_shape(response.json())


@pytest.mark.parametrize("page_size", ["100000", "157421951474414957625344", "9" * 5000])
def test_it_lowers_a_large_page_size_to_the_maximum(api_client_for, patient, page_size):
    AppointmentFactory(patient=patient.patient_profile)
    response = api_client_for(patient).get(APPOINTMENTS, {"page_size": page_size, "page": "last"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("page", ["687879504961038819786752", "9" * 5000])
def test_it_answers_a_huge_page_number_with_the_404_shape(api_client_for, patient, page):
    response = api_client_for(patient).get(APPOINTMENTS, {"page": page})
    assert response.status_code == 404
    assert_error_shape(response.json())


def test_it_refuses_a_number_where_text_is_expected(api_client_for, patient):
    response = api_client_for(patient).patch(
        reverse("api:accounts:me"), {"last_name": 0}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert body["fields"] == {"last_name": ["Not a valid string."]}
    patient.refresh_from_db()
    assert patient.last_name != "0"


@pytest.fixture
def schema(client):
    return client.get(reverse("api-schema"), {"format": "json"}).json()


def test_it_publishes_page_numbers_as_positive_integers(schema):
    parameters = {p["name"]: p for p in schema["paths"][APPOINTMENTS]["get"]["parameters"]}
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"]["minimum"] == 1


def test_it_publishes_that_input_bodies_take_no_unknown_fields(schema):
    components = schema["components"]["schemas"]
    assert components["PatchedMeUpdateInputRequest"]["additionalProperties"] is False
    assert components["AppointmentCreateInputRequest"]["additionalProperties"] is False
    # Output shapes say nothing about extra fields.
    assert "additionalProperties" not in components["MeOutput"]


@pytest.mark.parametrize(
    ("path", "method", "codes"),
    [
        (APPOINTMENTS, "get", {"400", "401", "403", "404"}),
        ("/api/v1/appointments/{appointment_id}/", "get", {"401", "403", "404"}),
        ("/api/v1/me/", "patch", {"400", "401", "403"}),
        ("/api/v1/providers/", "get", {"400", "401", "403", "404"}),
        ("/api/v1/patients/", "get", {"400", "401", "403", "404"}),
        ("/api/v1/waitlist/offers/", "get", {"400", "401", "403", "404"}),
    ],
)
def test_it_publishes_the_error_responses_of_every_operation(schema, path, method, codes):
    responses = schema["paths"][path][method]["responses"]
    assert codes <= set(responses)
    for code in codes:
        content = responses[code]["content"]["application/json"]["schema"]
        assert content == {"$ref": "#/components/schemas/Error"}


def test_it_publishes_no_auth_errors_for_the_public_status_json(schema):
    responses = schema["paths"]["/status/api/v1/summary.json"]["get"]["responses"]
    assert "401" not in responses
    assert "403" not in responses


@pytest.mark.parametrize(
    "body", ["[" * 100_000 + "]" * 100_000, '{"a":' * 100_000 + "1" + "}" * 100_000]
)
def test_it_answers_deeply_nested_json_with_400_and_changes_nothing(api_client_for, patient, body):
    before = (patient.first_name, patient.last_name)
    response = api_client_for(patient).generic(
        "PATCH", reverse("api:accounts:me"), body, content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "parse_error"
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == before
