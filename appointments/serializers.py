import datetime

from rest_framework import serializers

from appointments.models import Appointment, WaitlistEntry, WaitlistOffer
from appointments.services import appointment_change_deadline
from config.api import AwareDateTimeField, InputSerializer, validate_schedulable
from providers.serializers import VisitTypeOutputSerializer


class ProviderBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    display_name = serializers.CharField()
    credentials = serializers.CharField()
    time_zone = serializers.CharField()


class PatientBriefSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    display_name = serializers.CharField()
    mrn = serializers.CharField()


class AppointmentOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = ProviderBriefSerializer()
    patient = PatientBriefSerializer()
    visit_type = VisitTypeOutputSerializer()
    patient_can_change_until = serializers.SerializerMethodField(
        help_text="Patients may cancel or reschedule online until this time."
    )
    rescheduled_from = serializers.UUIDField(
        source="rescheduled_from.public_id", allow_null=True, default=None
    )

    class Meta:
        model = Appointment
        fields = [
            "id",
            "status",
            "start",
            "end",
            "provider",
            "patient",
            "visit_type",
            "reason",
            "video_link",
            "via",
            "cancel_reason",
            "cancelled_at",
            "rescheduled_from",
            "patient_can_change_until",
            "created_at",
        ]

    def get_patient_can_change_until(self, appointment) -> datetime.datetime | None:
        return appointment_change_deadline(appointment=appointment)


class AppointmentCreateInputSerializer(InputSerializer):
    provider = serializers.UUIDField()
    visit_type = serializers.UUIDField()
    start = AwareDateTimeField(
        validators=[validate_schedulable],
        help_text="With its UTC offset, e.g. 2026-03-02T14:00:00Z.",
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    patient = serializers.UUIDField(
        required=False, help_text="Required for providers and admins; patients book for themselves."
    )


class AppointmentCancelInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class AppointmentRescheduleInputSerializer(InputSerializer):
    start = AwareDateTimeField(
        validators=[validate_schedulable],
        help_text="With its UTC offset, e.g. 2026-03-02T14:00:00Z.",
    )


class EmptyInputSerializer(InputSerializer):
    pass


class WaitlistOfferOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    entry = serializers.UUIDField(source="entry.public_id")
    provider = ProviderBriefSerializer(source="entry.provider")
    visit_type = VisitTypeOutputSerializer(source="entry.visit_type")

    class Meta:
        model = WaitlistOffer
        fields = ["id", "entry", "provider", "visit_type", "start", "end", "hold_until", "status"]


class WaitlistEntryOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    provider = ProviderBriefSerializer()
    patient = PatientBriefSerializer()
    visit_type = VisitTypeOutputSerializer()

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "provider",
            "patient",
            "visit_type",
            "earliest_date",
            "latest_date",
            "status",
            "created_at",
        ]


class WaitlistJoinInputSerializer(InputSerializer):
    provider = serializers.UUIDField()
    visit_type = serializers.UUIDField()
    earliest_date = serializers.DateField(validators=[validate_schedulable])
    latest_date = serializers.DateField(validators=[validate_schedulable])
    patient = serializers.UUIDField(required=False, help_text="For providers and admins.")


class WaitlistClaimInputSerializer(InputSerializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
