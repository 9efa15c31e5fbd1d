import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ME = "api:accounts:me"


def assert_error_shape(body: dict) -> None:
    assert set(body) == {"detail", "code", "fields"}
    assert isinstance(body["detail"], str)
    assert isinstance(body["fields"], dict)


@pytest.mark.parametrize(
    ("who", "portal", "mfa"),
    [
        ("patient", "/patient/", False),
        ("provider", "/provider/", True),
        ("admin_user", "/admin/", True),
    ],
)
def test_it_describes_the_signed_in_user(client_for, request, who, portal, mfa):
    user = request.getfixturevalue(who)
    response = client_for(user).get(reverse(ME))
    assert response.status_code == 200
    assert response.json() == {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "role": user.role,
        "mfa_enrolled": mfa,
        "portal_url": portal,
    }


def test_it_works_with_token_auth(api_client, patient):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=patient)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get(reverse(ME)).json()["email"] == patient.email


@pytest.mark.parametrize(
    "age_days, max_age_days, works",
    [(89, 90, True), (90, 90, False), (400, 90, False), (400, 0, True), (2, 1, False)],
)
def test_it_refuses_an_expired_token(api_client, patient, settings, age_days, max_age_days, works):
    import datetime

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    settings.API_TOKEN_MAX_AGE_DAYS = max_age_days
    token = Token.objects.create(user=patient)
    Token.objects.filter(pk=token.pk).update(
        created=timezone.now() - datetime.timedelta(days=age_days, minutes=1 if not works else -1)
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get(reverse(ME))
    if works:
        assert response.status_code == 200
        assert response.json()["email"] == patient.email
    else:
        assert response.status_code == 401
        assert_error_shape(response.json())
        assert response.json()["code"] == "token_expired"


def test_it_answers_anonymous_with_401_and_the_error_shape(api_client):
    response = api_client.get(reverse(ME))
    assert response.status_code == 401
    assert_error_shape(response.json())
    assert response.json()["code"] == "not_authenticated"


def test_it_updates_the_own_name(api_client_for, patient):
    response = api_client_for(patient).patch(
        reverse(ME), {"first_name": "Ada", "last_name": "Lovelace"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["display_name"] == "Ada Lovelace"
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name) == ("Ada", "Lovelace")


def test_it_answers_malformed_json_with_400_and_the_error_shape(api_client_for, patient):
    response = api_client_for(patient).generic(
        "PATCH", reverse(ME), '{"first_name": "Ada"', content_type="application/json"
    )
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "admin"}, "role"),
        ({"first_name": ["Ada"]}, "first_name"),
        ({"last_name": 0}, "last_name"),
        ({"first_name": "x" * 151}, "first_name"),
        (["first_name"], "non_field_errors"),
    ],
    ids=["unknown-field", "wrong-type", "number-for-text", "too-long", "not-an-object"],
)
def test_it_rejects_bad_input_and_changes_nothing(api_client_for, patient, body, field):
    before = (patient.first_name, patient.last_name, patient.role)
    response = api_client_for(patient).patch(reverse(ME), body, format="json")
    assert response.status_code == 400
    assert_error_shape(response.json())
    assert field in response.json()["fields"]
    patient.refresh_from_db()
    assert (patient.first_name, patient.last_name, patient.role) == before


def test_it_needs_csrf_for_session_writes(patient):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(patient, backend="accounts.backends.ModelBackend")
    response = client.patch(reverse(ME), {"first_name": "X"}, content_type="application/json")
    assert response.status_code == 403
    assert_error_shape(response.json())


def test_it_publishes_me_in_the_openapi_schema(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    me = schema["paths"]["/api/v1/me/"]
    assert set(me) >= {"get", "patch"}
    assert "MeOutput" in schema["components"]["schemas"]


def test_it_serves_swagger_ui_from_local_static_files(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in body
    for external in ("cdn.jsdelivr", "unpkg.com", "cdnjs", 'src="https://', 'href="https://'):
        assert external not in body


def test_it_refuses_a_token_of_staff_without_mfa(api_client):
    from rest_framework.authtoken.models import Token

    from accounts.tests.factories import ProviderUserFactory

    provider = ProviderUserFactory(mfa=False)
    token = Token.objects.create(user=provider)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api_client.get(reverse(ME))
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_it_throttles_anonymous_api_requests_with_429_and_the_error_shape(monkeypatch, client):
    from rest_framework.throttling import AnonRateThrottle

    # The schema is the public API endpoint (the others answer 401 before any throttle).
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/min"})
    for _ in range(2):
        assert client.get(reverse("api-schema"), {"format": "json"}).status_code == 200
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 429
    assert_error_shape(response.json())
    assert response.json()["code"] == "throttled"


def test_it_throttles_a_signed_in_client_per_user(monkeypatch, patient, other_patient):
    from rest_framework.test import APIClient
    from rest_framework.throttling import UserRateThrottle

    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/min"})
    client, other_client = APIClient(), APIClient()
    client.force_authenticate(user=patient)
    other_client.force_authenticate(user=other_patient)
    for _ in range(3):
        assert client.get(reverse(ME)).status_code == 200
    assert client.get(reverse(ME)).status_code == 429
    assert other_client.get(reverse(ME)).status_code == 200
