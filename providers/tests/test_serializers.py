"""The provider list's output: each provider's next free slot, nested, exactly as the API shows it."""

import datetime

import pytest

from appointments.slots import Slot
from providers.serializers import (
    NextFreeSlotSerializer,
    ProviderListOutputSerializer,
    SlotOutputSerializer,
)
from providers.tests.factories import ProviderFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db
UTC = datetime.UTC


def test_it_nests_each_providers_own_next_free_slot_in_a_list(provider, other_provider):
    doctor, other_doctor = provider.provider_profile, other_provider.provider_profile
    doctor.next_free_slot = Slot(
        start=datetime.datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        end=datetime.datetime(2026, 3, 3, 15, 30, tzinfo=UTC),
        location="Room 1",
    )
    doctor.next_free_visit_type = VisitTypeFactory(provider=doctor, name="Consultation")
    other_doctor.next_free_slot = Slot(
        start=datetime.datetime(2026, 3, 4, 14, 0, tzinfo=UTC),
        end=datetime.datetime(2026, 3, 4, 14, 20, tzinfo=UTC),
    )
    other_doctor.next_free_visit_type = VisitTypeFactory(
        provider=other_doctor, name="Video check-in", duration_minutes=20, mode="video"
    )

    rows = ProviderListOutputSerializer([doctor, other_doctor], many=True).data

    # As a serializer of its own per provider would show it (what the list did before).
    assert [row["next_free_slot"] for row in rows] == [
        NextFreeSlotSerializer(
            {
                **SlotOutputSerializer.from_slot(p.next_free_slot),
                "visit_type": p.next_free_visit_type,
            }
        ).data
        for p in (doctor, other_doctor)
    ]
    assert rows[1]["next_free_slot"]["visit_type"]["name"] == "Video check-in"
    assert rows[1]["next_free_slot"]["start"] == "2026-03-04T14:00:00Z"


def test_it_shows_no_next_free_slot_for_a_provider_without_one(provider):
    doctor = provider.provider_profile
    doctor.next_free_slot, doctor.next_free_visit_type = None, None
    without_search = ProviderFactory()  # never searched: no attribute at all

    rows = ProviderListOutputSerializer([doctor, without_search], many=True).data

    assert [row["next_free_slot"] for row in rows] == [None, None]
