import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_from_the_root_to_sign_in(client):
    response = client.get("/")
    assert response["Location"] == reverse("account_login")


@pytest.mark.parametrize(
    ("path", "owner", "outsiders"),
    [
        ("/patient/", "patient", ["provider", "admin_user"]),
        ("/provider/", "provider", ["patient", "admin_user"]),
    ],
)
def test_it_shows_each_portal_home_only_to_its_role(client_for, request, path, owner, outsiders):
    assert client_for(request.getfixturevalue(owner)).get(path).status_code == 200
    for outsider in outsiders:
        assert client_for(request.getfixturevalue(outsider)).get(path).status_code == 403


@pytest.mark.parametrize("path", ["/patient/", "/provider/"])
def test_it_asks_anonymous_visitors_to_sign_in_for_a_portal(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("who", "link", "absent"),
    [
        ("patient", "/patient/", "/provider/"),
        ("provider", "/provider/", "/patient/"),
    ],
)
def test_it_shows_role_aware_navigation(client_for, request, who, link, absent):
    body = client_for(request.getfixturevalue(who)).get(link).content.decode()
    assert f'href="{link}"' in body
    assert f'href="{absent}"' not in body
    assert reverse("mfa_index") in body
    assert reverse("account_logout") in body


def test_it_shows_sign_in_links_to_anonymous_visitors(client):
    body = client.get(reverse("account_login")).content.decode()
    assert reverse("account_signup") in body
    assert reverse("account_logout") not in body


@pytest.mark.parametrize(
    "name",
    [
        "account_email",
        "account_change_password",
        "mfa_index",
        "account_logout",
        "account_reset_password",
    ],
)
def test_it_renders_the_account_pages_in_the_site_layout(client_for, patient, name):
    response = client_for(patient).get(reverse(name))
    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/css/medora.css" in body
    assert 'id="main"' in body
