"""docker-compose.yml and the Dockerfile, read as data (no Docker engine on CI machines)."""

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings

BASE_DIR = settings.BASE_DIR
APP_SERVICES = {"web", "worker", "beat"}
SERVER_SERVICES = {"postgres": "postgres:16", "mongo": "mongo:7", "redis": "redis:7"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (BASE_DIR / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def env_example() -> dict[str, str]:
    text = (BASE_DIR / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, re.MULTILINE))


def interpolated(value: str) -> str:
    """The value as compose would pass it, with every ${VARIABLE...} set to a sample."""
    return re.sub(r"\$\{[A-Z_]+[^}]*\}", "sample", value)


def test_it_has_the_six_services(compose):
    assert set(compose["services"]) == APP_SERVICES | set(SERVER_SERVICES)


def test_it_pins_the_server_images(compose):
    for name, image in SERVER_SERVICES.items():
        assert compose["services"][name]["image"] == image


def test_it_builds_the_app_services_from_the_dockerfile(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["build"] == "."


def test_it_gives_every_service_a_health_check(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test"), name
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert {"interval", "timeout", "retries"} <= set(check), name


def test_it_probes_the_web_liveness_endpoint(compose):
    assert "http://127.0.0.1:8000/healthz" in " ".join(
        compose["services"]["web"]["healthcheck"]["test"]
    )


def test_it_keeps_data_on_named_volumes(compose):
    declared = set(compose["volumes"])
    mounts = {
        name: dict(volume.split(":", 1) for volume in service.get("volumes", []))
        for name, service in compose["services"].items()
    }
    assert mounts["postgres"] == {"postgres-data": "/var/lib/postgresql/data"}
    assert mounts["mongo"] == {"mongo-data": "/data/db"}
    assert mounts["redis"] == {"redis-data": "/data"}
    assert mounts["web"] == mounts["worker"] == {"media": "/app/var/media"}
    used = {source for service_mounts in mounts.values() for source in service_mounts}
    assert used <= declared  # named volumes only, no bind mounts of the host


def test_it_starts_each_service_after_its_dependencies_are_healthy(compose):
    services = compose["services"]
    assert set(services["web"]["depends_on"]) == {"postgres", "redis", "mongo"}
    assert set(services["worker"]["depends_on"]) == {"web", "postgres", "redis", "mongo"}
    assert set(services["beat"]["depends_on"]) >= {"redis"}
    for service in services.values():
        for dependency in service.get("depends_on", {}).values():
            assert dependency == {"condition": "service_healthy"}


def test_it_points_the_app_at_the_compose_servers(compose):
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["env_file"] == ".env"
        environment = {key: interpolated(value) for key, value in service["environment"].items()}
        assert urlsplit(environment["DATABASE_URL"]).hostname == "postgres"
        assert urlsplit(environment["REDIS_URL"]).hostname == "redis"
        assert urlsplit(environment["MONGO_URL"]).hostname == "mongo"
        assert urlsplit(environment["MONGO_URL"]).path == "/medora"


def test_it_migrates_before_serving(compose):
    command = compose["services"]["web"]["command"]
    assert re.search(r"manage\.py migrate --noinput && exec gunicorn config\.wsgi", command)
    assert compose["services"]["web"]["ports"] == ["${WEB_PORT:-8000}:8000"]


def test_it_runs_the_celery_worker_and_beat(compose):
    assert "celery -A config worker" in compose["services"]["worker"]["command"]
    assert "celery -A config beat" in compose["services"]["beat"]["command"]


def test_it_documents_what_web_needs_in_the_env_example(compose):
    example = env_example()
    for name in [
        "DEBUG",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "SITE_URL",
        "EMAIL_URL",
    ]:
        assert name in example, name
    assert example["DEBUG"] == "0"
    assert example["SECRET_KEY"] == ""  # never a real key in the repository
    # Every ${VARIABLE} compose interpolates has a line in .env.example.
    interpolated = set(re.findall(r"\$\{([A-Z_]+)", (BASE_DIR / "docker-compose.yml").read_text()))
    assert interpolated - set(example) == set()


def test_it_builds_a_slim_python_311_image(dockerfile):
    assert dockerfile[0] == ("FROM", "python:3.11-slim")


def test_it_installs_the_pinned_requirements(dockerfile):
    runs = [args for instruction, args in dockerfile if instruction == "RUN"]
    assert any("pip install --no-deps -r requirements.txt && pip check" in run for run in runs)


def test_it_collects_static_files_at_build_time(dockerfile):
    runs = [args for instruction, args in dockerfile if instruction == "RUN"]
    assert any("manage.py collectstatic --noinput" in run and "SECRET_KEY=" in run for run in runs)


def test_it_runs_as_a_non_root_user(dockerfile):
    users = [args for instruction, args in dockerfile if instruction == "USER"]
    assert users
    assert users[-1] not in {"root", "0", "0:0"}
    last_user = max(i for i, (instruction, _) in enumerate(dockerfile) if instruction == "USER")
    assert dockerfile[-1][0] == "CMD" and last_user < len(dockerfile) - 1


def test_it_serves_with_gunicorn_on_port_8000(dockerfile):
    instructions = dict(dockerfile)
    assert instructions["EXPOSE"] == "8000"
    assert json.loads(instructions["CMD"])[:2] == ["gunicorn", "config.wsgi"]


def test_it_declares_a_health_check_without_curl(dockerfile):
    [check] = [args for instruction, args in dockerfile if instruction == "HEALTHCHECK"]
    assert "curl" not in check
    assert "urllib" in check and "/healthz" in check


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("medora.example.org,other.org", "medora.example.org"),
        (".example.org", "example.org"),
        ("", "localhost"),
    ],
)
def test_it_probes_with_a_host_header_django_accepts(dockerfile, monkeypatch, allowed_hosts, host):
    [check] = [args for instruction, args in dockerfile if instruction == "HEALTHCHECK"]
    command = json.loads(check[check.index("CMD") + 3 :].strip())
    assert command[:2] == ["python", "-c"]
    sent = []
    monkeypatch.setenv("ALLOWED_HOSTS", allowed_hosts)
    monkeypatch.setattr(urllib.request, "urlopen", lambda request, timeout: sent.append(request))
    exec(command[2], {})  # noqa: S102 - our own Dockerfile's probe
    [request] = sent
    assert request.full_url == "http://127.0.0.1:8000/healthz"
    assert request.get_header("Host") == host


def test_it_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((BASE_DIR / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", ".git", "bench/out"} <= ignored
