"""The project's own apps and their contract modules (`<app>/dashboard.py`, `<app>/demo.py`)."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

from django.apps import AppConfig, apps
from django.conf import settings


def local_app_configs() -> Iterator[AppConfig]:
    """The project's own apps (under BASE_DIR, not installed packages), in INSTALLED_APPS order."""
    base = Path(settings.BASE_DIR).resolve()
    for app_config in apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts:
            yield app_config


def local_app_modules(submodule: str) -> Iterator[tuple[AppConfig, str]]:
    """(app, "<app>.<submodule>") for each local app that has that module, in INSTALLED_APPS order.

    Only the name: the caller imports it, so that it decides what a broken module may break.
    """
    for app_config in local_app_configs():
        module_name = f"{app_config.name}.{submodule}"
        if importlib.util.find_spec(module_name) is not None:
            yield app_config, module_name
