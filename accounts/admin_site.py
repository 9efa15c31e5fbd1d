"""The admin portal's site: admins only, sign-in through allauth (MFA), and the dashboard."""

from __future__ import annotations

import importlib
import logging

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.local_apps import local_app_modules
from accounts.models import Role

logger = logging.getLogger(__name__)


def dashboard_panels(request) -> list[dict]:
    """Every local app's `<app>.dashboard.panels(request)`, sorted by their `order`."""
    collected = []
    for app_config, module_name in local_app_modules("dashboard"):
        try:
            collected.extend(importlib.import_module(module_name).panels(request))
        except Exception:
            # One broken panel must not take the admin down with it; the log names the app.
            logger.exception("Dashboard panels of %s failed", app_config.label)
            collected.append(
                {
                    "title": app_config.verbose_name,
                    "template": "admin/dashboard/_panel_error.html",
                    "context": {},
                    "order": 10_000,
                }
            )
    return sorted(collected, key=lambda panel: panel.get("order", 0))


class MedoraAdminSite(admin.AdminSite):
    site_header = "Medora administration"
    site_title = "Medora admin"
    index_title = "Dashboard"
    index_template = "admin/dashboard/index.html"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and getattr(user, "role", None) == Role.ADMIN)

    def login(self, request, extra_context=None):
        # Sign-in goes through allauth so that MFA and rate limits apply to the admin too.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get("next") or reverse("admin:index"), reverse("account_login")
        )

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "panels": dashboard_panels(request)}
        return super().index(request, extra_context)
