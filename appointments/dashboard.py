"""The scheduling panels of the admin dashboard (constant queries each)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from appointments.selectors_stats import (
    appointments_per_day,
    clinic_zone,
    outcome_rates,
    utilisation_per_provider,
)


def panels(request) -> list[dict]:
    now = timezone.now()
    today = now.astimezone(clinic_zone()).date()
    per_day = appointments_per_day(today=today, past_days=30, future_days=14)
    month_ago = now - datetime.timedelta(days=30)
    return [
        {
            "title": "Appointments per day",
            "template": "admin/dashboard/appointments_per_day.html",
            "context": {
                "past_total": sum(count for day, count in per_day if day < today),
                "upcoming_total": sum(count for day, count in per_day if day >= today),
                "chart": {
                    "title": "Appointments per day, last 30 and next 14 days",
                    "unit": "appointments",
                    "series": [
                        {"label": day.strftime("%b %d"), "value": count} for day, count in per_day
                    ],
                },
            },
            "order": 40,
        },
        {
            "title": "No-shows and cancellations, last 30 days",
            "template": "admin/dashboard/appointments_outcomes.html",
            "context": outcome_rates(start=month_ago, end=now),
            "order": 41,
        },
        {
            "title": "Utilisation per provider, last 30 days",
            "template": "admin/dashboard/appointments_utilisation.html",
            "context": {"rows": utilisation_per_provider(start=month_ago, end=now)},
            "order": 42,
        },
    ]
