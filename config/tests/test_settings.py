"""Settings from the environment: production values pass Django's deploy check, and each switch works."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import BASE_DIR, email_settings

SETTINGS_FILE = BASE_DIR / "config" / "settings.py"
ENV_EXAMPLE = BASE_DIR / ".env.example"
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "medora.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://medora.example.org",
    "SITE_URL": "https://medora.example.org",
}


def settings_variables() -> set[str]:
    """Every environment variable config/settings.py reads."""
    source = SETTINGS_FILE.read_text()
    return set(
        re.findall(
            r'(?:os\.environ\.get|env_bool|env_int|env_float|env_list)\("([A-Z0-9_]+)"', source
        )
    )


def run(args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run in a fresh interpreter with only the given settings variables set (nothing inherited)."""
    clean = {k: v for k, v in os.environ.items() if k not in settings_variables()}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.update({"VAR_DIR": str(tmp_path / "var"), **env})
    return subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def loaded_settings(tmp_path: Path, names: list[str], **env: str) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = run(["-c", code], tmp_path, DJANGO_SETTINGS_MODULE="config.settings", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def secret_key() -> str:
    return secrets.token_urlsafe(50)


def test_it_passes_the_deploy_check_with_production_values(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY=secret_key(),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_fails_the_deploy_check_when_https_is_switched_off(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        SECRET_KEY=secret_key(),
        **{**PRODUCTION, "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0"},
    )
    assert result.returncode != 0
    assert "security.W008" in result.stderr
    assert "security.W012" in result.stderr


def test_it_refuses_to_start_in_production_without_a_secret_key(tmp_path):
    result = run(["manage.py", "check"], tmp_path, **PRODUCTION)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set when DEBUG=0" in result.stderr


def test_it_uses_secure_defaults_in_production(tmp_path):
    values = loaded_settings(
        tmp_path,
        [
            "DEBUG",
            "SECURE_SSL_REDIRECT",
            "SESSION_COOKIE_SECURE",
            "CSRF_COOKIE_SECURE",
            "SECURE_HSTS_SECONDS",
            "SECURE_PROXY_SSL_HEADER",
            "STORAGES",
            "ALLOWED_HOSTS",
            "ACCOUNT_EMAIL_VERIFICATION",
        ],
        SECRET_KEY=secret_key(),
        ACCOUNT_EMAIL_VERIFICATION="none",
        **PRODUCTION,
    )
    assert values["DEBUG"] is False
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["STORAGES"]["staticfiles"]["BACKEND"].endswith(
        "CompressedManifestStaticFilesStorage"
    )
    assert values["ALLOWED_HOSTS"] == ["medora.example.org"]
    assert values["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"  # not relaxable in production


def test_it_lets_a_tls_proxy_take_over_https(tmp_path):
    values = loaded_settings(
        tmp_path,
        ["SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SESSION_COOKIE_SECURE"],
        SECRET_KEY=secret_key(),
        SECURE_SSL_REDIRECT="0",
        USE_X_FORWARDED_PROTO="1",
        **PRODUCTION,
    )
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] is True


def test_it_switches_cache_sessions_and_celery_to_redis(tmp_path):
    names = ["CACHES", "SESSION_ENGINE", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"]
    names.append("CELERY_TASK_ALWAYS_EAGER")
    values = loaded_settings(tmp_path, names, REDIS_URL="redis://127.0.0.1:6379/7")
    assert values["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/7"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert (
        values["CELERY_BROKER_URL"] == values["CELERY_RESULT_BACKEND"] == "redis://127.0.0.1:6379/7"
    )
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def test_it_runs_embedded_without_any_server(tmp_path):
    names = ["CACHES", "SESSION_ENGINE", "CELERY_TASK_ALWAYS_EAGER", "DATABASES", "MONGO_URL"]
    values = loaded_settings(tmp_path, names)
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"] == str(tmp_path / "var" / "medora.sqlite3")
    assert values["MONGO_URL"] == ""


def test_it_reads_the_database_and_mongo_urls(tmp_path):
    values = loaded_settings(
        tmp_path,
        ["DATABASES", "MONGO_DB_NAME"],
        DATABASE_URL="postgres://medora:pw@db.internal:5433/medora_prod",
        MONGO_URL="mongodb://mongo.internal:27017/medora_docs",
    )
    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"]) == (
        "db.internal",
        5433,
        "medora_prod",
    )
    assert database["CONN_MAX_AGE"] == 60
    assert database["OPTIONS"]["connect_timeout"] == 3
    assert database["OPTIONS"]["server_side_binding"] is True  # prepared hot queries
    assert database["OPTIONS"]["prepare_threshold"] == 5
    assert values["MONGO_DB_NAME"] == "medora_docs"


def test_it_turns_server_side_binding_off_for_a_transaction_pooler(tmp_path):
    values = loaded_settings(
        tmp_path,
        ["DATABASES"],
        DATABASE_URL="postgres://medora:pw@pgbouncer:6432/medora",
        DB_SERVER_SIDE_BINDING="0",
    )
    options = values["DATABASES"]["default"]["OPTIONS"]
    assert "server_side_binding" not in options
    assert "prepare_threshold" not in options


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("locmem://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
        (
            "file:///var/mail/medora",
            {
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "EMAIL_FILE_PATH": "/var/mail/medora",
            },
        ),
    ],
)
def test_it_parses_local_email_urls(url, expected):
    assert email_settings(url) == expected


def test_it_parses_an_smtp_url_with_starttls_and_an_encoded_password():
    values = email_settings(
        "smtp+tls://mailer%40clinic.org:p%40ss%2Fw0rd@smtp.clinic.org?timeout=5"
    )
    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.clinic.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@clinic.org",
        "EMAIL_HOST_PASSWORD": "p@ss/w0rd",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5,
    }


def test_it_parses_an_smtp_ssl_url_with_its_default_port():
    values = email_settings("smtp+ssl://smtp.clinic.org")
    assert (values["EMAIL_PORT"], values["EMAIL_USE_SSL"], values["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert values["EMAIL_TIMEOUT"] == 10


def test_it_refuses_an_unknown_email_scheme():
    with pytest.raises(ValueError, match="Unsupported EMAIL_URL scheme"):
        email_settings("sendmail://localhost")


def test_it_documents_every_setting_in_the_env_example():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.MULTILINE))
    assert settings_variables() - documented == set()


# The HTTPS switches, in-process: SecurityMiddleware reads them when the test client starts.


def test_it_redirects_plain_http_to_https(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_it_trusts_the_proxys_https_header_when_told_to(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


@pytest.mark.django_db  # /readyz looks at the database
def test_it_never_redirects_the_health_probes(settings, client):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code != 301
    assert client.get("/readyz").status_code != 301


def test_it_reads_api_throttle_rates_and_turns_them_off_on_request(monkeypatch):
    from config.settings import throttle_rate

    monkeypatch.delenv("API_THROTTLE_USER", raising=False)
    assert throttle_rate("API_THROTTLE_USER", "600/min") == "600/min"
    monkeypatch.setenv("API_THROTTLE_USER", "30/min")
    assert throttle_rate("API_THROTTLE_USER", "600/min") == "30/min"
    monkeypatch.setenv("API_THROTTLE_USER", "off")
    assert throttle_rate("API_THROTTLE_USER", "600/min") is None
