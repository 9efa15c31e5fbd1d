"""The accounts panels of the admin dashboard: users by role, sign-ups, sessions and logins."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.audit import audit_counts
from accounts.models import Role
from accounts.selectors import active_session_count, signups_per_day, user_counts_by_role

LOGIN_ACTIONS = ["auth.login", "auth.login_failed"]


def panels(request) -> list[dict]:
    by_role = user_counts_by_role()
    signups = signups_per_day(days=30)
    logins = audit_counts(LOGIN_ACTIONS, timezone.now() - timedelta(hours=24))
    return [
        {
            "title": "Users by role",
            "template": "admin/dashboard/accounts_users.html",
            "context": {
                "rows": [(role.label, by_role[role.value]) for role in Role],
                "total": sum(by_role.values()),
            },
            "order": 10,
        },
        {
            "title": "Activity",
            "template": "admin/dashboard/accounts_activity.html",
            "context": {
                "active_sessions": active_session_count(),
                "logins": logins["auth.login"],
                "failed_logins": logins["auth.login_failed"],
            },
            "order": 20,
        },
        {
            "title": "Sign-ups, last 30 days",
            "template": "admin/dashboard/accounts_signups.html",
            "context": {
                "total": sum(count for _, count in signups),
                "chart": {
                    "title": "New accounts per day, last 30 days",
                    "unit": "accounts",
                    "series": [
                        {"label": day.strftime("%b %d"), "value": count} for day, count in signups
                    ],
                },
            },
            "order": 30,
        },
    ]
