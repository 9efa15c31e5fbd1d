"""Every form control on the account pages has a label, and the layout keeps its skip link and landmarks."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.label_for: set[str] = set()
        self.controls: list[dict] = []
        self.tags: list[tuple[str, dict]] = []
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "label":
            self._label_depth += 1
            if attributes.get("for"):
                self.label_for.add(attributes["for"])
        if tag in {"input", "select", "textarea"} and attributes.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.controls.append({**attributes, "_wrapped": self._label_depth > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self._label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [
            control.get("name", "?")
            for control in self.controls
            if not control["_wrapped"]
            and control.get("id") not in self.label_for
            and not control.get("aria-label")
            and not control.get("aria-labelledby")
        ]


def parse(response) -> Page:
    assert response.status_code == 200
    page = Page()
    page.feed(response.content.decode())
    return page


ANONYMOUS_PAGES = ["account_login", "account_signup", "account_reset_password"]
SIGNED_IN_PAGES = ["account_email", "account_change_password", "mfa_index"]


def assert_accessible_layout(page: Page) -> None:
    assert page.unlabelled() == []
    skip = [a for tag, a in page.tags if tag == "a" and "skip-link" in a.get("class", "")]
    assert skip and skip[0]["href"].lstrip("#") in page.ids
    assert page.tags[0][0] == "html" and page.tags[0][1].get("lang")
    assert any(tag == "main" for tag, _ in page.tags)
    assert any(tag == "meta" and a.get("name") == "viewport" for tag, a in page.tags)


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_it_labels_every_control_of_the_sign_in_pages(client, name):
    assert_accessible_layout(parse(client.get(reverse(name))))


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_it_labels_every_control_of_the_account_pages(client_for, patient, name):
    assert_accessible_layout(parse(client_for(patient).get(reverse(name))))


def test_it_labels_the_code_field_of_mfa_enrolment(client):
    from accounts.tests.factories import DEFAULT_PASSWORD, ProviderUserFactory
    from accounts.tests.helpers import sign_in

    sign_in(client, ProviderUserFactory(mfa=False).email)
    reauthenticate = client.get(reverse("mfa_activate_totp"))["Location"]
    assert_accessible_layout(parse(client.get(reauthenticate)))
    client.post(reauthenticate, {"password": DEFAULT_PASSWORD})
    page = parse(client.get(reverse("mfa_activate_totp")))
    assert_accessible_layout(page)
    assert any(control.get("name") == "code" for control in page.controls)


def test_it_links_field_errors_to_their_input(client):
    response = client.post(
        reverse("account_signup"), {"email": "x", "password1": "a", "password2": "b"}
    )
    page = parse(response)
    invalid = [c for c in page.controls if c.get("aria-invalid") == "true"]
    assert invalid
    for control in invalid:
        described = control.get("aria-describedby", "").split()
        assert described and all(ref in page.ids for ref in described)


@pytest.mark.parametrize(
    ("name", "link"), [("account_email", "Account"), ("mfa_index", "Security")]
)
def test_it_marks_the_current_page_in_the_main_navigation(client_for, patient, name, link):
    body = client_for(patient).get(reverse(name)).content.decode()
    nav = body.split('aria-label="Main"', 1)[1].split("</nav>", 1)[0]
    assert f'aria-current="page">{link}</a>' in nav
