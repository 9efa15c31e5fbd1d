"""Free slots of a provider: weekly windows (+ extra hours) − time off − live appointments and
their buffers − waitlist holds for others, within the notice and horizon.

Times: windows are wall-clock times in the provider's zone. Each candidate start is built as a
local wall-clock time with zoneinfo and converted to UTC, so a 9:00 slot stays 9:00 across DST.
A wall-clock time that does not exist (the spring-forward gap) yields no slot; an ambiguous one
(the repeated fall-back hour) is taken once, at its first occurrence (fold=0), so no two slots
ever overlap in real time. Candidates start every APPOINTMENT_SLOT_STEP_MINUTES (default 15) from
the start of the window; each must fit, with its duration, before the window's end.

Loading (a fixed handful of queries) is separate from computing (pure Python), so that
provider search can load everything for many providers at once and compute each in memory.
"""

from __future__ import annotations

import bisect
import datetime
import functools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from appointments.models import LIVE_STATUSES, Appointment, WaitlistOffer
from providers.models import AvailabilityWindow, BookingPolicy, Provider, TimeOff, VisitType

UTC = datetime.UTC
Interval = tuple[datetime.datetime, datetime.datetime]


@dataclass(frozen=True)
class Slot:
    start: datetime.datetime  # aware, UTC
    end: datetime.datetime
    location: str = ""


class WindowRow(NamedTuple):
    """A weekly availability window as the computation reads it: a plain row, not a model
    instance (provider search reads a couple of thousand)."""

    pk: int
    weekday: int
    start_time: datetime.time
    end_time: datetime.time
    location: str


@dataclass
class Schedule:
    """What the slot computation needs about one provider over a period (already loaded)."""

    zone: zoneinfo.ZoneInfo
    windows: list[WindowRow]
    # window id -> ids of the visit types it is limited to (empty: all)
    window_visit_types: dict[int, set[int]]
    time_off: list[Interval]
    extra_hours: list[tuple[datetime.datetime, datetime.datetime, str]]
    # live appointments: (start, end + buffer after, patient id, appointment id)
    busy: list[tuple[datetime.datetime, datetime.datetime, int, int]]
    # active waitlist holds: (start, end, patient id, offer id)
    holds: list[tuple[datetime.datetime, datetime.datetime, int, int]] = field(default_factory=list)


# Provider search shows each provider's next free slot from the cache for up to this long.
NEXT_FREE_SLOT_CACHE_SECONDS = 60


def next_free_slot_cache_key(provider_id: int) -> str:
    # v2: plain values (see providers.selectors); the v1 entries held model instances.
    return f"slots:next-free:v2:{provider_id}"


def next_free_slot_forget(provider_id: int) -> None:
    """Forget a provider's cached next free slot once the change to their schedule commits."""
    from django.core.cache import cache
    from django.db import transaction

    transaction.on_commit(lambda: cache.delete(next_free_slot_cache_key(provider_id)))


def notice() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.APPOINTMENT_MIN_NOTICE_MINUTES)


def horizon() -> datetime.timedelta:
    return datetime.timedelta(days=settings.APPOINTMENT_HORIZON_DAYS)


def step() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.APPOINTMENT_SLOT_STEP_MINUTES)


def local_to_utc(day: datetime.date, time: datetime.time, zone, *, edge: str = "start"):
    """A local wall-clock time as UTC, and whether that wall-clock time exists.

    A time in the spring-forward gap does not exist: as a window's start it moves to the end of
    the gap, as its end to the start of the gap (never widening the window).
    """
    first = datetime.datetime.combine(day, time, tzinfo=zone)
    as_utc = first.astimezone(UTC)
    exists = as_utc.astimezone(zone).replace(tzinfo=None) == first.replace(tzinfo=None)
    if exists:
        return as_utc, True
    second = first.replace(fold=1).astimezone(UTC)
    return (max(as_utc, second) if edge == "start" else min(as_utc, second)), False


def _overlaps(start, end, other_start, other_end) -> bool:
    return start < other_end and other_start < end


def _window_applies(schedule: Schedule, window: WindowRow, visit_type: VisitType) -> bool:
    limited_to = schedule.window_visit_types.get(window.pk) or set()
    return not limited_to or visit_type.pk in limited_to


def _load_range(start_date: datetime.date, end_date: datetime.date, now) -> Interval:
    # A local day can start up to 14 h before or after the same UTC day: pad by one day each side.
    # Nothing before `now` can be booked, so nothing that ended before it needs loading.
    return (
        max(
            datetime.datetime.combine(
                start_date - datetime.timedelta(days=1), datetime.time(), UTC
            ),
            now,
        ),
        datetime.datetime.combine(end_date + datetime.timedelta(days=2), datetime.time(), UTC),
    )


def _busy_rows(range_start, range_end):
    """(provider id, start, end, buffer after in minutes, patient id, appointment id) of live
    appointments. Plain tuples, not model instances: provider search reads thousands at once."""
    # The longest buffer is 4 h: an appointment ending up to then before the range still matters.
    return Appointment.objects.filter(
        status__in=LIVE_STATUSES,
        start__lt=range_end,
        end__gt=range_start - datetime.timedelta(hours=4),
    ).values_list(
        "provider_id", "start", "end", "visit_type__buffer_after_minutes", "patient_id", "pk"
    )


def _active_holds(now, range_start, range_end):
    return WaitlistOffer.objects.filter(
        status=WaitlistOffer.Status.OFFERED,
        hold_until__gt=now,
        start__lt=range_end,
        end__gt=range_start,
    ).select_related("entry")


_WINDOW_FIELDS = ("pk", "weekday", "start_time", "end_time", "location")


def _window_rows(**window_filter):
    """(provider id, WindowRow) of the windows, in the model's order."""
    for provider_id, *window in AvailabilityWindow.objects.filter(**window_filter).values_list(
        "provider_id", *_WINDOW_FIELDS
    ):
        yield provider_id, WindowRow(*window)


def _time_off_rows(range_start, range_end):
    """(provider id, start, end, kind) of time off and extra hours."""
    return TimeOff.objects.filter(start__lt=range_end, end__gt=range_start).values_list(
        "provider_id", "start", "end", "kind"
    )


def _window_visit_types(**through_filter) -> dict[int, set[int]]:
    """window id -> ids of the visit types it is limited to, from the link table alone."""
    limited_to: dict[int, set[int]] = {}
    links = AvailabilityWindow.visit_types.through.objects.filter(**through_filter)
    for window_id, visit_type_id in links.values_list("availabilitywindow_id", "visittype_id"):
        limited_to.setdefault(window_id, set()).add(visit_type_id)
    return limited_to


def _schedule_from(
    provider: Provider, windows, window_visit_types, time_off_rows, busy_rows, holds
) -> Schedule:
    return Schedule(
        zone=provider.zone,
        windows=list(windows),
        window_visit_types={
            window.pk: window_visit_types[window.pk]
            for window in windows
            if window.pk in window_visit_types
        },
        time_off=[
            (start, end)
            for _provider_id, start, end, kind in time_off_rows
            if kind == TimeOff.Kind.TIME_OFF
        ],
        extra_hours=[
            (start, end, provider.location)
            for _provider_id, start, end, kind in time_off_rows
            if kind == TimeOff.Kind.EXTRA_HOURS
        ],
        busy=[
            (start, end + datetime.timedelta(minutes=buffer), patient_id, appointment_id)
            for _provider_id, start, end, buffer, patient_id, appointment_id in busy_rows
        ],
        holds=[(offer.start, offer.end, offer.entry.patient_id, offer.pk) for offer in holds],
    )


def schedule_load(
    *, provider: Provider, start_date: datetime.date, end_date: datetime.date, now=None
) -> Schedule:
    """Load one provider's schedule for local dates start_date..end_date (five queries)."""
    now = now or timezone.now()
    range_start, range_end = _load_range(start_date, end_date, now)
    return _schedule_from(
        provider,
        [window for _provider_id, window in _window_rows(provider=provider)],
        _window_visit_types(availabilitywindow__provider=provider),
        list(_time_off_rows(range_start, range_end).filter(provider=provider)),
        list(_busy_rows(range_start, range_end).filter(provider=provider)),
        list(_active_holds(now, range_start, range_end).filter(entry__provider=provider)),
    )


def providers_with_schedules(
    providers: Iterable[Provider], *, start_date: datetime.date, end_date: datetime.date, now=None
) -> list[Provider]:
    """The providers (a queryset, or providers already loaded) with their schedules loaded in a
    constant number of queries.

    Each provider gets `.schedule` (a Schedule) and `.bookable_visit_types`.
    """
    now = now or timezone.now()
    range_start, range_end = _load_range(start_date, end_date, now)
    providers = list(providers)
    ids = [provider.pk for provider in providers]
    windows: dict[int, list[WindowRow]] = {}
    for provider_id, window in _window_rows(provider__in=ids):
        windows.setdefault(provider_id, []).append(window)
    time_off: dict[int, list] = {}
    for row in _time_off_rows(range_start, range_end).filter(provider__in=ids):
        time_off.setdefault(row[0], []).append(row)
    visit_types: dict[int, list[VisitType]] = {}
    for visit_type in (
        VisitType.objects.filter(provider__in=ids, active=True)
        .exclude(booking_policy=BookingPolicy.NOT_ONLINE)
        .order_by("provider_id", "name")
    ):
        visit_types.setdefault(visit_type.provider_id, []).append(visit_type)
    window_visit_types = _window_visit_types(availabilitywindow__provider__in=ids)
    busy: dict[int, list] = {}
    for row in _busy_rows(range_start, range_end).filter(provider__in=ids):
        busy.setdefault(row[0], []).append(row)
    holds: dict[int, list] = {}
    for offer in _active_holds(now, range_start, range_end).filter(entry__provider__in=ids):
        holds.setdefault(offer.entry.provider_id, []).append(offer)
    for provider in providers:
        provider.bookable_visit_types = visit_types.get(provider.pk, [])
        provider.schedule = _schedule_from(
            provider,
            windows.get(provider.pk, []),
            window_visit_types,
            time_off.get(provider.pk, []),
            busy.get(provider.pk, []),
            holds.get(provider.pk, []),
        )
    return providers


def _days(start_date: datetime.date, end_date: datetime.date) -> Iterable[datetime.date]:
    day = start_date
    while day <= end_date:
        yield day
        day += datetime.timedelta(days=1)


# Providers share zones and working hours: a search asks for the same few spans again and again.
@functools.lru_cache(maxsize=4096)
def _window_span(
    day: datetime.date, start_time: datetime.time, end_time: datetime.time, zone
) -> tuple[datetime.datetime, datetime.datetime] | None:
    """A window's start and end on `day` in UTC when both wall-clock times exist, are not
    ambiguous and share one UTC offset (every day but the two of a year with a DST change in
    the window); None otherwise."""
    start = datetime.datetime.combine(day, start_time, tzinfo=zone)
    end = datetime.datetime.combine(day, end_time, tzinfo=zone)
    offset = start.utcoffset()
    if (
        start.replace(fold=1).utcoffset() != offset
        or end.utcoffset() != offset
        or end.replace(fold=1).utcoffset() != offset
    ):
        return None
    return (start - offset).replace(tzinfo=UTC), (end - offset).replace(tzinfo=UTC)


def _window_candidates(
    schedule: Schedule, window: WindowRow, day, duration, every, not_before=None
):
    """(start, end) of the window's candidates on a local day, in increasing order; those
    starting before `not_before` may be left out."""
    span = _window_span(day, window.start_time, window.end_time, schedule.zone)
    if span is not None:
        # One offset all through the window: each wall-clock time is the start plus a step, with
        # no conversion per candidate (what local_to_utc would give for each of them).
        start, window_end = span
        if not_before is not None and start < not_before:
            start += -((start - not_before) // every) * every  # the first step at or after it
        while start + duration <= window_end:
            yield start, start + duration
            start += every
        return
    window_end, _ = local_to_utc(day, window.end_time, schedule.zone, edge="end")
    wall = datetime.datetime.combine(day, window.start_time)
    wall_end = datetime.datetime.combine(day, window.end_time)
    while wall < wall_end:
        start, exists = local_to_utc(day, wall.time(), schedule.zone)
        if exists and start + duration <= window_end:
            yield start, start + duration
        wall += every


def _extra_hours_candidates(extra_start, extra_end, day_start, day_end, duration, every):
    start = extra_start
    while start + duration <= extra_end:
        if day_start <= start < day_end:
            yield start, start + duration
        start += every


def _candidate_runs(schedule: Schedule, visit_type: VisitType, day: datetime.date, not_before=None):
    """Per window of the day (then per block of extra hours): its candidates as (start, end) in
    increasing order, and its location. Candidates starting before `not_before` may be left
    out."""
    duration = datetime.timedelta(minutes=visit_type.duration_minutes)
    every = step()
    for window in schedule.windows:
        if window.weekday != day.weekday() or not _window_applies(schedule, window, visit_type):
            continue
        run = _window_candidates(schedule, window, day, duration, every, not_before)
        yield run, window.location
    if not schedule.extra_hours:
        return
    day_start, _ = local_to_utc(day, datetime.time(), schedule.zone)
    day_end, _ = local_to_utc(day + datetime.timedelta(days=1), datetime.time(), schedule.zone)
    for extra_start, extra_end, location in schedule.extra_hours:
        run = _extra_hours_candidates(extra_start, extra_end, day_start, day_end, duration, every)
        yield run, location


def _candidates(schedule: Schedule, visit_type: VisitType, day: datetime.date):
    """(start, end, location) of every candidate slot on a local day, before exclusions."""
    for run, location in _candidate_runs(schedule, visit_type, day):
        for start, end in run:
            yield start, end, location


def blocking_reason(
    schedule: Schedule,
    *,
    visit_type: VisitType,
    start: datetime.datetime,
    end: datetime.datetime,
    patient_id: int | None = None,
    ignore_appointment_ids: set[int] = frozenset(),
    ignore_offer_id: int | None = None,
) -> str | None:
    """Why [start, end) cannot be booked on this schedule beyond availability, or None.

    "time_off", "slot_taken" (another live appointment or its buffer), "patient_busy", "slot_held".
    """
    for off_start, off_end in schedule.time_off:
        if _overlaps(start, end, off_start, off_end):
            return "time_off"
    occupied_end = end + datetime.timedelta(minutes=visit_type.buffer_after_minutes)
    for busy_start, busy_end, _patient_id, appointment_id in schedule.busy:
        if appointment_id not in ignore_appointment_ids and _overlaps(
            start, occupied_end, busy_start, busy_end
        ):
            return "slot_taken"
    for hold_start, hold_end, hold_patient_id, offer_id in schedule.holds:
        if offer_id == ignore_offer_id or hold_patient_id == patient_id:
            continue
        if _overlaps(start, end, hold_start, hold_end):
            return "slot_held"
    return None


def within_availability(
    schedule: Schedule, *, visit_type: VisitType, start: datetime.datetime, end: datetime.datetime
) -> bool:
    """Whether [start, end) lies inside one availability window (for this visit type) or extra hours."""
    for extra_start, extra_end, _location in schedule.extra_hours:
        if extra_start <= start and end <= extra_end:
            return True
    local_day = start.astimezone(schedule.zone).date()
    for window in schedule.windows:
        if window.weekday != local_day.weekday() or not _window_applies(
            schedule, window, visit_type
        ):
            continue
        window_start, _ = local_to_utc(local_day, window.start_time, schedule.zone, edge="start")
        window_end, _ = local_to_utc(local_day, window.end_time, schedule.zone, edge="end")
        if window_start <= start and end <= window_end:
            return True
    return False


class _Intervals:
    """Intervals merged and sorted, for an overlap test in O(log n)."""

    def __init__(self, intervals):
        merged: list[list[datetime.datetime]] = []
        for start, end in sorted(interval for interval in intervals if interval[0] < interval[1]):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _end in merged]
        self.ends = [end for _start, end in merged]

    def overlaps(self, start, end) -> bool:
        # The last merged interval starting before `end` is the only one that can overlap.
        index = bisect.bisect_left(self.starts, end) - 1
        return index >= 0 and self.ends[index] > start


class _Blocked:
    """What blocks a visit, as blocking_reason judges it, without a scan per candidate: time off
    and holds for others block [start, end); live appointments (with their own buffers) block
    [start, end + this visit's buffer)."""

    def __init__(self, schedule: Schedule, *, patient_id: int | None):
        self.plain = _Intervals(
            [*schedule.time_off]
            + [
                (hold_start, hold_end)
                for hold_start, hold_end, hold_patient_id, _o in schedule.holds
                if hold_patient_id != patient_id
            ]
        )
        self.busy = _Intervals(
            (busy_start, busy_end) for busy_start, busy_end, _p, _a in schedule.busy
        )

    def overlaps(self, start, end, buffer: datetime.timedelta) -> bool:
        return self.plain.overlaps(start, end) or self.busy.overlaps(start, end + buffer)


def _first_free(
    schedule: Schedule,
    blocked: _Blocked,
    *,
    visit_type: VisitType,
    start_date: datetime.date,
    end_date: datetime.date,
    earliest: datetime.datetime,
    latest: datetime.datetime,
) -> Slot | None:
    """The earliest free slot, as slots_compute would list it first: each run of candidates is
    in increasing order, so it is read only up to its first free one; on a tie the earlier run
    (as listed by _candidate_runs) gives the location."""
    buffer = datetime.timedelta(minutes=visit_type.buffer_after_minutes)
    for day in _days(start_date, end_date):
        best = None
        for run, location in _candidate_runs(schedule, visit_type, day, not_before=earliest):
            for start, end in run:
                if start > latest or (best is not None and start >= best.start):
                    break
                if start < earliest or blocked.overlaps(start, end, buffer):
                    continue
                best = Slot(start=start, end=end, location=location)
                break
        if best is not None:
            return best
    return None


def slots_compute(
    schedule: Schedule,
    *,
    visit_type: VisitType,
    start_date: datetime.date,
    end_date: datetime.date,
    now: datetime.datetime,
    patient_id: int | None = None,
    first_only: bool = False,
) -> list[Slot]:
    earliest = now + notice()
    latest = now + horizon()
    blocked = _Blocked(schedule, patient_id=patient_id)
    if first_only:
        first = _first_free(
            schedule,
            blocked,
            visit_type=visit_type,
            start_date=start_date,
            end_date=end_date,
            earliest=earliest,
            latest=latest,
        )
        return [first] if first is not None else []
    buffer = datetime.timedelta(minutes=visit_type.buffer_after_minutes)
    found: dict[datetime.datetime, Slot] = {}
    for day in _days(start_date, end_date):
        day_slots = {}
        for start, end, location in _candidates(schedule, visit_type, day):
            if start < earliest or start > latest or start in day_slots:
                continue
            if blocked.overlaps(start, end, buffer):
                continue
            day_slots[start] = Slot(start=start, end=end, location=location)
        found.update(day_slots)
    return sorted(found.values(), key=lambda slot: slot.start)


def slot_list(
    *,
    provider: Provider,
    visit_type: VisitType,
    start_date: datetime.date,
    end_date: datetime.date,
    now: datetime.datetime | None = None,
    patient=None,
) -> list[Slot]:
    """Free slots of `visit_type` with `provider` on local dates start_date..end_date (inclusive).

    `patient` (a Patient), when given, sees the slot held for them by a waitlist offer.
    """
    now = now or timezone.now()
    schedule = schedule_load(provider=provider, start_date=start_date, end_date=end_date, now=now)
    return slots_compute(
        schedule,
        visit_type=visit_type,
        start_date=start_date,
        end_date=end_date,
        now=now,
        patient_id=patient.pk if patient is not None else None,
    )


def next_free_slot(
    provider: Provider,
    *,
    now: datetime.datetime,
    start_date: datetime.date,
    end_date: datetime.date,
) -> tuple[Slot, VisitType] | None:
    """The earliest free slot over the provider's online-bookable visit types, on local dates
    start_date..end_date (the schedule, prefetched, must cover those dates)."""
    # What blocks a visit is the same for every visit type (no patient): sorted once.
    blocked = _Blocked(provider.schedule, patient_id=None)
    best = None
    for visit_type in provider.bookable_visit_types:
        first = _first_free(
            provider.schedule,
            blocked,
            visit_type=visit_type,
            start_date=start_date,
            end_date=end_date,
            earliest=now + notice(),
            latest=now + horizon(),
        )
        if first is not None and (best is None or first.start < best[0].start):
            best = (first, visit_type)
    return best
