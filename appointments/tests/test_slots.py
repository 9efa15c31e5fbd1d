import datetime
import zoneinfo

import pytest

from appointments.models import AppointmentStatus
from appointments.slots import local_to_utc, slot_list
from appointments.tests.factories import AppointmentFactory
from providers.models import TimeOff
from providers.tests.factories import AvailabilityWindowFactory, TimeOffFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
UTC = datetime.UTC
# "Now" for these tests: well before the dates asked about, so notice and horizon do not interfere.
NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def local_times(slots):
    return [slot.start.astimezone(NEW_YORK).strftime("%a %H:%M") for slot in slots]


@pytest.fixture
def doctor(provider):
    return provider.provider_profile


def test_it_lists_slots_every_15_minutes_that_fit_the_window(doctor, visit_type):
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    day = datetime.date(2026, 3, 2)  # a Monday
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
    assert local_times(slots) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    assert slots[0].start == utc(2026, 3, 2, 14, 0)
    assert slots[0].end == utc(2026, 3, 2, 14, 30)


def test_it_keeps_local_wall_clock_times_across_the_spring_forward_week(
    doctor, visit_type, weekday_availability
):
    # DST starts in New York on Sunday 2026-03-08: 9:00 is 14:00 UTC before and 13:00 UTC after.
    slots = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=datetime.date(2026, 3, 6),
        end_date=datetime.date(2026, 3, 9),
        now=NOW,
    )
    firsts = {slot.start.astimezone(NEW_YORK).date(): slot.start for slot in reversed(slots)}
    assert firsts[datetime.date(2026, 3, 6)] == utc(2026, 3, 6, 14, 0)
    assert firsts[datetime.date(2026, 3, 9)] == utc(2026, 3, 9, 13, 0)
    assert datetime.date(2026, 3, 7) not in firsts  # weekend


def test_it_skips_wall_clock_times_that_do_not_exist_on_spring_forward_day(doctor, visit_type):
    AvailabilityWindowFactory(
        provider=doctor, weekday=6, start_time=datetime.time(1), end_time=datetime.time(4)
    )
    day = datetime.date(2026, 3, 8)
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
    assert local_times(slots) == [
        "Sun 01:00", "Sun 01:15", "Sun 01:30", "Sun 01:45", "Sun 03:00", "Sun 03:15", "Sun 03:30",
    ]  # fmt: skip
    assert all(slot.end - slot.start == datetime.timedelta(minutes=30) for slot in slots)


def test_it_offers_nothing_in_a_window_that_does_not_exist_on_spring_forward_day(
    doctor, visit_type
):
    AvailabilityWindowFactory(
        provider=doctor, weekday=6, start_time=datetime.time(2, 0), end_time=datetime.time(2, 45)
    )
    day = datetime.date(2026, 3, 8)
    assert (
        slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
        == []
    )


def test_it_never_offers_overlapping_slots_on_fall_back_day(doctor, visit_type):
    # 2026-11-01: 01:00–02:00 happens twice in New York. Each wall-clock time is offered once.
    AvailabilityWindowFactory(
        provider=doctor, weekday=6, start_time=datetime.time(0, 30), end_time=datetime.time(3)
    )
    day = datetime.date(2026, 11, 1)
    slots = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=day,
        end_date=day,
        now=utc(2026, 10, 20, 12),
    )
    starts = [slot.start for slot in slots]
    assert len(starts) == len(set(starts))
    assert starts == sorted(starts)
    assert local_times(slots).count("Sun 01:00") == 1
    assert slots[-1].end <= local_to_utc(day, datetime.time(3), NEW_YORK, edge="end")[0]


def test_it_books_nothing_twice_on_fall_back_day(doctor, visit_type):
    AvailabilityWindowFactory(
        provider=doctor, weekday=6, start_time=datetime.time(0, 30), end_time=datetime.time(3)
    )
    day = datetime.date(2026, 11, 1)
    now = utc(2026, 10, 20, 12)
    first = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=now)
    AppointmentFactory(visit_type=visit_type, start=first[2].start)  # 01:00 EDT
    after = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=now)
    taken = first[2]
    assert all(not (slot.start < taken.end and taken.start < slot.end) for slot in after)


def test_it_removes_time_off(doctor, visit_type):
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(11)
    )
    TimeOffFactory(provider=doctor, start=utc(2026, 3, 2, 14, 30), end=utc(2026, 3, 2, 15, 30))
    day = datetime.date(2026, 3, 2)
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
    assert local_times(slots) == ["Mon 09:00", "Mon 10:30"]


def test_it_adds_extra_hours(doctor, visit_type):
    TimeOffFactory(
        provider=doctor,
        kind=TimeOff.Kind.EXTRA_HOURS,
        start=utc(2026, 3, 7, 15),
        end=utc(2026, 3, 7, 16),
    )
    day = datetime.date(2026, 3, 7)  # a Saturday, no weekly window
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
    assert local_times(slots) == ["Sat 10:00", "Sat 10:15", "Sat 10:30"]


def test_it_removes_booked_time_and_the_buffer_after_it(doctor):
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(11)
    )
    buffered = VisitTypeFactory(provider=doctor, duration_minutes=30, buffer_after_minutes=15)
    AppointmentFactory(visit_type=buffered, start=utc(2026, 3, 2, 14, 30))  # 9:30–10:00, +15
    day = datetime.date(2026, 3, 2)
    slots = slot_list(provider=doctor, visit_type=buffered, start_date=day, end_date=day, now=NOW)
    # 9:00 would run into 9:30 with its own buffer; 10:00 is inside the 15-minute buffer.
    assert local_times(slots) == ["Mon 10:15", "Mon 10:30"]


def test_it_frees_cancelled_time(doctor, visit_type):
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    AppointmentFactory(
        visit_type=visit_type, start=utc(2026, 3, 2, 14), status=AppointmentStatus.CANCELLED
    )
    day = datetime.date(2026, 3, 2)
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
    assert local_times(slots)[0] == "Mon 09:00"


def test_it_respects_the_minimum_notice(doctor, visit_type, settings):
    settings.APPOINTMENT_MIN_NOTICE_MINUTES = 120
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(12)
    )
    day = datetime.date(2026, 3, 2)
    now = utc(2026, 3, 2, 13, 50)  # 8:50 in New York
    slots = slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=now)
    assert local_times(slots)[0] == "Mon 11:00"


def test_it_skips_whole_days_before_the_notice_without_losing_a_slot(doctor, visit_type, settings):
    settings.APPOINTMENT_MIN_NOTICE_MINUTES = 120
    for weekday in (0, 1):
        AvailabilityWindowFactory(
            provider=doctor,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(12),
        )
    now = utc(2026, 3, 3, 13, 50)  # Tuesday 8:50 in New York
    slots = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=datetime.date(2026, 3, 1),  # Sunday: Sunday and Monday are wholly past
        end_date=datetime.date(2026, 3, 3),
        now=now,
    )
    assert local_times(slots)[0] == "Tue 11:00"
    assert {slot.start.astimezone(NEW_YORK).date() for slot in slots} == {datetime.date(2026, 3, 3)}


def test_it_respects_the_horizon(doctor, visit_type, settings):
    settings.APPOINTMENT_HORIZON_DAYS = 7
    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    slots = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=datetime.date(2026, 3, 2),
        end_date=datetime.date(2026, 3, 20),
        now=NOW,
    )
    assert {slot.start.date() for slot in slots} == {datetime.date(2026, 3, 2)}


def test_it_only_uses_windows_for_their_visit_types(doctor, visit_type):
    other_type = VisitTypeFactory(provider=doctor)
    AvailabilityWindowFactory(
        provider=doctor,
        weekday=0,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
        visit_types=[other_type],
    )
    day = datetime.date(2026, 3, 2)
    assert (
        slot_list(provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW)
        == []
    )
    assert slot_list(provider=doctor, visit_type=other_type, start_date=day, end_date=day, now=NOW)


def test_it_hides_a_waitlist_hold_from_everyone_but_the_patient_it_is_held_for(doctor, visit_type):
    from appointments.models import WaitlistOffer
    from appointments.tests.factories import WaitlistEntryFactory

    AvailabilityWindowFactory(
        provider=doctor, weekday=0, start_time=datetime.time(9), end_time=datetime.time(10)
    )
    entry = WaitlistEntryFactory(visit_type=visit_type, status="offered")
    WaitlistOffer.objects.create(
        entry=entry,
        start=utc(2026, 3, 2, 14),
        end=utc(2026, 3, 2, 14, 30),
        hold_until=NOW + datetime.timedelta(minutes=30),
    )
    day = datetime.date(2026, 3, 2)
    for_others = slot_list(
        provider=doctor, visit_type=visit_type, start_date=day, end_date=day, now=NOW
    )
    for_holder = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=day,
        end_date=day,
        now=NOW,
        patient=entry.patient,
    )
    assert local_times(for_others) == ["Mon 09:30"]
    assert local_times(for_holder) == ["Mon 09:00", "Mon 09:15", "Mon 09:30"]
    after_hold = slot_list(
        provider=doctor,
        visit_type=visit_type,
        start_date=day,
        end_date=day,
        now=NOW + datetime.timedelta(minutes=31),
    )
    assert local_times(after_hold)[0] == "Mon 09:00"


def test_it_agrees_with_the_exact_rule_on_a_busy_week(doctor, visit_type):
    """The fast overlap test gives the same answer as blocking_reason, for everyone."""
    from appointments.slots import _candidates, blocking_reason, schedule_load

    buffered = VisitTypeFactory(provider=doctor, duration_minutes=45, buffer_after_minutes=15)
    for weekday in range(5):
        AvailabilityWindowFactory(
            provider=doctor,
            weekday=weekday,
            start_time=datetime.time(8),
            end_time=datetime.time(18),
        )
    for n in range(12):
        AppointmentFactory(
            visit_type=buffered if n % 2 else visit_type,
            start=utc(2026, 3, 2 + n % 5, 13 + n % 7, 15 * (n % 3)),
        )
    TimeOffFactory(provider=doctor, start=utc(2026, 3, 4, 17), end=utc(2026, 3, 4, 19, 20))
    from appointments.models import WaitlistOffer
    from appointments.tests.factories import WaitlistEntryFactory

    entry = WaitlistEntryFactory(visit_type=visit_type, status="offered")
    WaitlistOffer.objects.create(
        entry=entry,
        start=utc(2026, 3, 5, 14, 10),
        end=utc(2026, 3, 5, 14, 40),
        hold_until=NOW + datetime.timedelta(minutes=30),
    )
    first, last = datetime.date(2026, 3, 2), datetime.date(2026, 3, 6)
    for kind in (visit_type, buffered):
        for patient in (None, entry.patient):
            patient_id = patient.pk if patient else None
            listed = {
                slot.start
                for slot in slot_list(
                    provider=doctor, visit_type=kind, start_date=first, end_date=last, now=NOW,
                    patient=patient,
                )
            }  # fmt: skip
            schedule = schedule_load(provider=doctor, start_date=first, end_date=last, now=NOW)
            day = first
            while day <= last:
                for start, end, _location in _candidates(schedule, kind, day):
                    reason = blocking_reason(
                        schedule, visit_type=kind, start=start, end=end, patient_id=patient_id
                    )
                    assert (start in listed) is (reason is None), (kind.name, patient_id, start)
                day += datetime.timedelta(days=1)


def test_it_loads_schedules_as_plain_rows_not_model_instances(doctor, visit_type):
    """Provider search reads thousands of appointments and windows: building a model instance
    for each (and for each window's visit types) was most of its time."""
    from django.db.models.signals import post_init

    from appointments.models import Appointment
    from appointments.slots import providers_with_schedules
    from providers.models import AvailabilityWindow, Provider, VisitType

    AvailabilityWindowFactory(
        provider=doctor, weekday=1, start_time=datetime.time(9), end_time=datetime.time(17),
        visit_types=[visit_type],
    )  # fmt: skip
    for hour in (14, 15, 16):
        AppointmentFactory(visit_type=visit_type, start=utc(2026, 3, 3, hour))
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    TimeOffFactory(provider=doctor, start=utc(2026, 3, 3, 19), end=utc(2026, 3, 3, 20))
    doctor = Provider.objects.get(pk=doctor.pk)
    plain = (Appointment, AvailabilityWindow, TimeOff)
    for sender in (*plain, VisitType):
        post_init.connect(count, sender=sender)
    try:
        (loaded,) = providers_with_schedules(
            [doctor],
            start_date=datetime.date(2026, 3, 3),
            end_date=datetime.date(2026, 3, 3),
            now=NOW,
        )
    finally:
        for sender in (*plain, VisitType):
            post_init.disconnect(count, sender=sender)
    assert loaded is doctor  # providers already loaded are not loaded again
    assert len(loaded.schedule.busy) == 3
    assert loaded.schedule.time_off == [(utc(2026, 3, 3, 19), utc(2026, 3, 3, 20))]
    assert len(loaded.schedule.windows) == 1
    assert [sender for sender in built if sender in plain] == []
    # Only the bookable visit types themselves, not one per window link.
    assert len(built) == len(loaded.bookable_visit_types)
    assert loaded.schedule.window_visit_types == {
        window.pk: {visit_type.pk} for window in loaded.schedule.windows
    }


# Windows around midnight and the small hours, where DST changes happen, and a working day.
TRICKY_WINDOWS = [
    (datetime.time(0, 0), datetime.time(3, 30)),
    (datetime.time(1, 0), datetime.time(4, 0)),
    (datetime.time(1, 30), datetime.time(2, 30)),
    (datetime.time(2, 0), datetime.time(2, 45)),
    (datetime.time(9, 0), datetime.time(17, 0)),
    (datetime.time(22, 0), datetime.time(23, 59)),
]
TRICKY_ZONES = ["America/New_York", "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata"]


def _schedule(zone, windows, *, busy=()):
    from appointments.slots import Schedule, WindowRow

    return Schedule(
        zone=zoneinfo.ZoneInfo(zone),
        windows=[
            WindowRow(
                pk=n, weekday=weekday, start_time=start, end_time=end, location=f"Room {n % 2}"
            )
            for n, (weekday, start, end) in enumerate(windows)
        ],
        window_visit_types={},
        time_off=[],
        extra_hours=[],
        busy=list(busy),
    )


@pytest.mark.parametrize("zone", TRICKY_ZONES)
def test_it_builds_candidates_as_local_to_utc_converts_each_wall_clock_time(zone):
    from appointments.slots import _candidates
    from providers.models import VisitType

    visit_type = VisitType(pk=1, duration_minutes=30)
    schedule = _schedule(
        zone, [(weekday, start, end) for weekday in range(7) for start, end in TRICKY_WINDOWS]
    )
    every = datetime.timedelta(minutes=15)
    day = datetime.date(2026, 1, 1)
    while day.year == 2026:
        expected = []
        for window in schedule.windows:
            if window.weekday != day.weekday():
                continue
            window_end, _ = local_to_utc(day, window.end_time, schedule.zone, edge="end")
            wall = datetime.datetime.combine(day, window.start_time)
            while wall < datetime.datetime.combine(day, window.end_time):
                start, exists = local_to_utc(day, wall.time(), schedule.zone)
                if exists and start + datetime.timedelta(minutes=30) <= window_end:
                    expected.append(
                        (start, start + datetime.timedelta(minutes=30), window.location)
                    )
                wall += every
        assert list(_candidates(schedule, visit_type, day)) == expected, day
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize("zone", TRICKY_ZONES)
def test_it_finds_as_first_free_slot_the_first_of_the_full_list(zone):
    """Busy every few hours, around both DST changes; overlapping windows with other locations."""
    from appointments.slots import slots_compute
    from providers.models import VisitType

    windows = [(weekday, start, end) for weekday in range(7) for start, end in TRICKY_WINDOWS]
    windows += [(weekday, datetime.time(8, 30), datetime.time(12)) for weekday in range(7)]
    for first_day in (datetime.date(2026, 3, 6), datetime.date(2026, 10, 2)):
        start = datetime.datetime.combine(first_day, datetime.time(), UTC)
        busy = [
            (
                start + datetime.timedelta(minutes=97 * n),
                start + datetime.timedelta(minutes=97 * n + 45 + 15 * (n % 4)),
                n,
                n,
            )
            for n in range(400)
        ]
        schedule = _schedule(zone, windows, busy=busy)
        for visit_type in (
            VisitType(pk=1, duration_minutes=30, buffer_after_minutes=0),
            VisitType(pk=2, duration_minutes=60, buffer_after_minutes=15),
        ):
            for hours in range(0, 24 * 30, 7):
                now = start + datetime.timedelta(hours=hours, minutes=hours % 17)
                options = dict(
                    visit_type=visit_type,
                    start_date=now.date() - datetime.timedelta(days=1),
                    end_date=now.date() + datetime.timedelta(days=3),
                    now=now,
                )
                every_slot = slots_compute(schedule, **options)
                assert slots_compute(schedule, **options, first_only=True) == every_slot[:1]
