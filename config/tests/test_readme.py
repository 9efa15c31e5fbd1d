"""The README names only commands, targets and variables that exist."""

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_it_names_only_make_targets_the_makefile_has():
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", README))
    assert named
    assert named - targets == set()


def test_it_names_only_management_commands_that_exist():
    named = set(re.findall(r"manage\.py ([a-z_]+)", README))
    assert {"seed_demo", "demo_totp", "probe_status"} <= named
    assert named - set(get_commands()) == set()


def test_it_names_only_variables_medora_reads():
    read = (ROOT / "config" / "settings.py").read_text() + (ROOT / ".env.example").read_text()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]{2,})(?:=[^`]*)?`", README))
    assert {"DATABASE_URL", "REDIS_URL", "MONGO_URL", "SESSION_IDLE_TIMEOUT"} & named
    assert {name for name in named if name not in read} == set()


def test_it_documents_every_deployment_variable_of_the_foundation():
    foundation = {
        "DATABASE_URL",
        "REDIS_URL",
        "MONGO_URL",
        "SECRET_KEY",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CSRF_TRUSTED_ORIGINS",
        "EMAIL_URL",
        "TIME_ZONE",
        "SESSION_IDLE_TIMEOUT",
    }
    assert {name for name in foundation if name not in README} == set()
