"""Reads of accounts for the admin dashboard and the API. Each runs one query."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.sessions.models import Session
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import Role, User


def user_counts_by_role() -> dict[str, int]:
    """{role: number of active users}, every role present."""
    counts = dict(
        User.objects.filter(is_active=True)
        .order_by()
        .values_list("role")
        .annotate(total=Count("pk"))
        .values_list("role", "total")
    )
    return {role.value: counts.get(role.value, 0) for role in Role}


def signups_per_day(*, days: int = 30, today: date | None = None) -> list[tuple[date, int]]:
    """[(day, accounts created that day)] for the last `days` days up to today, gaps as 0."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    zone = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    rows = (
        User.objects.filter(date_joined__gte=start)
        .order_by()
        .annotate(day=TruncDate("date_joined", tzinfo=zone))
        .values("day")
        .annotate(total=Count("pk"))
        .values_list("day", "total")
    )
    by_day = dict(rows)
    return [
        (first + timedelta(days=n), by_day.get(first + timedelta(days=n), 0)) for n in range(days)
    ]


def active_session_count() -> int:
    """Sessions that have not expired (idle ones expire after SESSION_IDLE_TIMEOUT)."""
    return Session.objects.filter(expire_date__gt=timezone.now()).count()
