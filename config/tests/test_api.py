"""The shared API mechanisms of config/api.py, seen from outside: bad input is a 400 or 404 with the
error shape, never an HTML page or a silently different answer."""

import pytest

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
    ],
)
def test_it_answers_an_unknown_api_address_with_a_json_404(api_client_for, patient, path):
    response = api_client_for(patient).get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert_error_shape(body)
    assert body["code"] == "not_found"


def test_it_keeps_the_html_404_for_pages(client):
    response = client.get("/patient/no-such-page/")
    assert response.status_code in (302, 404)
    assert not response["Content-Type"].startswith("application/json")


def test_it_says_so_when_only_the_trailing_slash_is_missing(api_client_for, patient):
    response = api_client_for(patient).post("/api/v1/appointments", {}, format="json")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found. API addresses end with a slash."
