from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.demo import DEMO_PASSWORD, DEMO_USERS
from accounts.models import User
from accounts.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_seeds_the_demo_accounts_idempotently(debug):
    output = seed()
    state = (
        list(User.objects.order_by("email").values_list("email", "role", "password")),
        list(Authenticator.objects.order_by("pk").values_list("user__email", "type", "data")),
    )
    seed()
    again = (
        list(User.objects.order_by("email").values_list("email", "role", "password")),
        list(Authenticator.objects.order_by("pk").values_list("user__email", "type", "data")),
    )
    assert state == again
    assert sorted(email for email, *_ in state[0]) == sorted(email for email, *_ in DEMO_USERS)
    assert {email for email, *_ in state[1]} == {
        "admin@medora.demo",
        "dr.lee@medora.demo",
        "dr.patel@medora.demo",
    }
    assert DEMO_PASSWORD in output
    for email, *_ in DEMO_USERS:
        assert email in output


def test_it_refuses_to_seed_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


def test_it_refuses_demo_totp_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("demo_totp", "dr.lee@medora.demo", stdout=StringIO())


def test_it_calls_each_local_apps_demo_seed(debug, monkeypatch):
    import accounts.management.commands.seed_demo as command

    seen = []
    real_import = command.importlib.import_module

    def fake_find_spec(name):
        return object() if name in {"accounts.demo", "status.demo"} else None

    class FakeStatusDemo:
        @staticmethod
        def seed(*, stdout):
            seen.append(User.objects.filter(email="dr.lee@medora.demo").exists())

    monkeypatch.setattr(command.importlib.util, "find_spec", fake_find_spec)
    monkeypatch.setattr(
        command.importlib,
        "import_module",
        lambda name: FakeStatusDemo if name == "status.demo" else real_import(name),
    )
    seed()
    assert seen == [True]  # after the accounts exist


def test_it_prints_a_code_that_allauth_accepts(debug, client):
    seed()
    sign_in(client, "dr.lee@medora.demo", DEMO_PASSWORD)
    out = StringIO()
    call_command("demo_totp", "dr.lee@medora.demo", stdout=out)
    code = out.getvalue().strip()
    assert code.isdigit() and len(code) == 6
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get("/provider/").status_code == 200


def test_it_signs_in_a_demo_patient_without_mfa(debug, client):
    seed()
    response = sign_in(client, "alice@medora.demo", DEMO_PASSWORD)
    assert client.get(response["Location"])["Location"] == "/patient/"


def test_it_tells_when_the_account_has_no_authenticator(debug):
    seed()
    with pytest.raises(CommandError):
        call_command("demo_totp", "alice@medora.demo", stdout=StringIO())
