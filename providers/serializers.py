import functools

from rest_framework import serializers

from appointments.slots import Slot
from config.api import validate_schedulable
from providers.models import Provider, Specialty, VisitType


class SpecialtyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["name", "slug"]


class VisitTypeOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = VisitType
        fields = [
            "id",
            "name",
            "duration_minutes",
            "buffer_after_minutes",
            "mode",
            "booking_policy",
        ]


class SlotOutputSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    location = serializers.CharField()

    @classmethod
    def from_slot(cls, slot: Slot) -> dict:
        return {"start": slot.start, "end": slot.end, "location": slot.location}


class NextFreeSlotSerializer(SlotOutputSerializer):
    visit_type = VisitTypeOutputSerializer()


class ProviderOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    specialty = SpecialtyOutputSerializer(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField(), source="language_list")

    class Meta:
        model = Provider
        fields = [
            "id",
            "display_name",
            "credentials",
            "specialty",
            "bio",
            "accepting_new_patients",
            "time_zone",
            "location",
            "languages",
        ]


class ProviderListOutputSerializer(ProviderOutputSerializer):
    next_free_slot = serializers.SerializerMethodField()

    class Meta(ProviderOutputSerializer.Meta):
        fields = [*ProviderOutputSerializer.Meta.fields, "next_free_slot"]

    @functools.cached_property
    def _next_free_slot_serializer(self) -> NextFreeSlotSerializer:
        # One for the whole list: a serializer built per provider has DRF rebuild its fields for
        # every row, most of the time of a search.
        return NextFreeSlotSerializer()

    def get_next_free_slot(self, provider) -> NextFreeSlotSerializer(allow_null=True):  # type: ignore[valid-type]
        slot = getattr(provider, "next_free_slot", None)
        if slot is None:
            return None
        return self._next_free_slot_serializer.to_representation(
            {**SlotOutputSerializer.from_slot(slot), "visit_type": provider.next_free_visit_type}
        )


class SlotListQuerySerializer(serializers.Serializer):
    visit_type = serializers.UUIDField()
    start = serializers.DateField(
        required=False,
        validators=[validate_schedulable],
        help_text="First local date (default: today).",
    )
    end = serializers.DateField(
        required=False,
        validators=[validate_schedulable],
        help_text="Last local date, inclusive (default: start + 6 days; at most 62 days).",
    )
