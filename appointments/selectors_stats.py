"""Aggregates over appointments for the admin dashboard (each a constant number of queries)."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from appointments.models import Appointment, AppointmentStatus
from providers.models import AvailabilityWindow, Provider, TimeOff

# Time that was booked (even if the patient did not come): the numerator of utilisation.
BOOKED_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)


def clinic_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def appointments_per_day(
    *, today: datetime.date, past_days: int = 30, future_days: int = 14
) -> list[tuple[datetime.date, int]]:
    """Appointments (not cancelled) per clinic-local day, from today-past_days to today+future_days."""
    zone = clinic_zone()
    first, last = (
        today - datetime.timedelta(days=past_days),
        today + datetime.timedelta(days=future_days),
    )
    start = datetime.datetime.combine(first, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    counts = dict(
        Appointment.objects.filter(start__gte=start, start__lt=end)
        .exclude(status=AppointmentStatus.CANCELLED)
        .annotate(day=TruncDate("start", tzinfo=zone))
        .values_list("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    return [
        (day, counts.get(day, 0))
        for day in (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
    ]


def outcome_rates(*, start: datetime.datetime, end: datetime.datetime) -> dict:
    """No-show and cancellation counts and rates for appointments starting in [start, end)."""
    totals = Appointment.objects.filter(start__gte=start, start__lt=end).aggregate(
        total=Count("pk"),
        no_shows=Count("pk", filter=Q(status=AppointmentStatus.NO_SHOW)),
        cancelled=Count("pk", filter=Q(status=AppointmentStatus.CANCELLED)),
    )
    total = totals["total"]
    return {
        **totals,
        "no_show_rate": totals["no_shows"] / total if total else 0.0,
        "cancellation_rate": totals["cancelled"] / total if total else 0.0,
        "no_show_percent": round(100 * totals["no_shows"] / total, 1) if total else 0.0,
        "cancellation_percent": round(100 * totals["cancelled"] / total, 1) if total else 0.0,
    }


def _minutes(start: datetime.datetime, end: datetime.datetime) -> float:
    return max((end - start).total_seconds() / 60, 0)


def utilisation_per_provider(*, start: datetime.datetime, end: datetime.datetime) -> list[dict]:
    """Booked minutes / available minutes per provider over [start, end) (three queries).

    Available = weekly windows on each day of the period (in the provider's zone) + extra hours
    − time off; booked = visit durations of appointments that were not cancelled.
    """
    providers = list(
        Provider.objects.annotate(
            booked_minutes=Sum(
                "appointments__visit_type__duration_minutes",
                filter=Q(
                    appointments__start__gte=start,
                    appointments__start__lt=end,
                    appointments__status__in=BOOKED_STATUSES,
                ),
            )
        ).order_by("display_name", "pk")
    )
    windows: dict[int, list[AvailabilityWindow]] = {}
    for window in AvailabilityWindow.objects.all():
        windows.setdefault(window.provider_id, []).append(window)
    blocks: dict[int, list[TimeOff]] = {}
    for block in TimeOff.objects.filter(start__lt=end, end__gt=start):
        blocks.setdefault(block.provider_id, []).append(block)
    rows = []
    for provider in providers:
        zone = provider.zone
        provider_blocks = blocks.get(provider.pk, [])
        time_off = [
            (max(block.start, start), min(block.end, end))
            for block in provider_blocks
            if block.kind == TimeOff.Kind.TIME_OFF
        ]
        available = 0.0
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        while day < last:
            for window in windows.get(provider.pk, []):
                if window.weekday == day.weekday():
                    window_start = datetime.datetime.combine(day, window.start_time, tzinfo=zone)
                    window_end = datetime.datetime.combine(day, window.end_time, tzinfo=zone)
                    minutes = _minutes(window_start, window_end)
                    # Time off counts only where it covers working hours (a week away is not
                    # 168 hours lost).
                    for off_start, off_end in time_off:
                        minutes -= _minutes(max(window_start, off_start), min(window_end, off_end))
                    available += max(minutes, 0)
            day += datetime.timedelta(days=1)
        for block in provider_blocks:
            if block.kind == TimeOff.Kind.EXTRA_HOURS:
                available += _minutes(max(block.start, start), min(block.end, end))
        available = max(available, 0)
        booked_minutes = provider.booked_minutes or 0
        rows.append(
            {
                "provider": provider.display_name,
                "booked_minutes": booked_minutes,
                "available_minutes": round(available),
                "utilisation": booked_minutes / available if available else None,
                "percent": round(100 * booked_minutes / available, 1) if available else None,
            }
        )
    return rows
