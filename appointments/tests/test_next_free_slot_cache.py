"""Provider search keeps each provider's next free slot in the cache, and forgets it on change."""

import pytest

from appointments.tests.factories import AppointmentFactory
from providers.selectors import provider_search

pytestmark = pytest.mark.django_db


def test_it_serves_the_next_free_slot_from_the_cache_on_a_second_search(
    doctor, visit_type, now, django_assert_max_num_queries
):
    first = provider_search(now=now)
    with django_assert_max_num_queries(1):  # the providers; no schedule is loaded
        second = provider_search(now=now)
    assert [p.next_free_slot for p in second] == [p.next_free_slot for p in first]
    assert second[0].next_free_slot is not None


def test_it_forgets_the_cached_slot_when_it_is_booked(
    doctor, visit_type, patient, now, django_capture_on_commit_callbacks
):
    slot = provider_search(now=now)[0].next_free_slot
    with django_capture_on_commit_callbacks(execute=True):
        AppointmentFactory(
            provider=doctor, patient=patient.patient_profile, visit_type=visit_type,
            start=slot.start, end=slot.end,
        )  # fmt: skip
    assert provider_search(now=now)[0].next_free_slot.start > slot.start


def test_it_forgets_the_cached_slot_when_time_off_is_added(
    doctor, visit_type, now, django_capture_on_commit_callbacks
):
    from providers.tests.factories import TimeOffFactory

    slot = provider_search(now=now)[0].next_free_slot
    with django_capture_on_commit_callbacks(execute=True):
        TimeOffFactory(provider=doctor, start=slot.start, end=slot.end)
    assert provider_search(now=now)[0].next_free_slot.start >= slot.end


def test_it_recomputes_a_cached_slot_that_is_now_too_soon(doctor, visit_type, now):
    slot = provider_search(now=now)[0].next_free_slot
    later = slot.start  # by then that slot is inside the booking notice
    assert provider_search(now=later)[0].next_free_slot.start > slot.start


def test_it_shows_the_same_next_free_slot_from_the_cache_as_computed(doctor, visit_type, now):
    from providers.serializers import ProviderListOutputSerializer

    computed = provider_search(now=now)
    cached = provider_search(now=now)
    assert ProviderListOutputSerializer(cached, many=True).data == (
        ProviderListOutputSerializer(computed, many=True).data
    )
    from_cache, as_computed = cached[0].next_free_visit_type, computed[0].next_free_visit_type
    assert from_cache == visit_type
    fields = [f.attname for f in type(visit_type)._meta.concrete_fields]
    assert [getattr(from_cache, f) for f in fields] == [getattr(as_computed, f) for f in fields]
    assert not from_cache._state.adding  # a saved row, as if loaded


def test_it_forgets_the_cached_slot_when_its_visit_type_changes(
    doctor, visit_type, now, django_capture_on_commit_callbacks
):
    provider_search(now=now)
    with django_capture_on_commit_callbacks(execute=True):
        visit_type.name = "Long consultation"
        visit_type.save()
    assert provider_search(now=now)[0].next_free_visit_type.name == "Long consultation"


def test_it_reads_an_entry_cached_before_a_visit_type_field_was_added_or_dropped(
    doctor, visit_type, now, django_assert_num_queries
):
    """A process still running the previous release may have written the entry."""
    from django.core.cache import cache

    from appointments.slots import next_free_slot_cache_key

    slot = provider_search(now=now)[0].next_free_slot
    key = next_free_slot_cache_key(doctor.pk)
    start, end, location, values = cache.get(key)
    older = {name: value for name, value in values.items() if name != "mode"}
    cache.set(key, (start, end, location, {**older, "dropped_field": 1}))
    found = provider_search(now=now)[0]
    assert found.next_free_slot == slot
    assert found.next_free_visit_type.name == visit_type.name
    with django_assert_num_queries(1):  # the missing field, read on access
        assert found.next_free_visit_type.mode == visit_type.mode
