from rest_framework import serializers

from config.api import InputSerializer
from patients.models import PATIENT_CONTACT_FIELDS, Patient

# Sent to PATCH /patients/me/, these are refused with 400 read_only_field.
PATIENT_READ_ONLY_FIELDS = (
    "id",
    "mrn",
    "date_of_birth",
    "legal_first_name",
    "legal_last_name",
    "sex_at_birth",
    "email",
)


class PatientOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "email",
            "legal_first_name",
            "legal_last_name",
            "preferred_name",
            "display_name",
            "date_of_birth",
            "sex_at_birth",
            *[name for name in PATIENT_CONTACT_FIELDS if name != "preferred_name"],
        ]


class PatientBriefOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "mrn",
            "display_name",
            "legal_first_name",
            "legal_last_name",
            "date_of_birth",
        ]


class PatientContactInputSerializer(InputSerializer):
    preferred_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    gender_identity = serializers.CharField(max_length=64, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address_line1 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    address_line2 = serializers.CharField(max_length=200, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    region = serializers.CharField(max_length=100, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True)
    country = serializers.CharField(max_length=2, required=False, allow_blank=True)
    preferred_language = serializers.CharField(max_length=8, required=False)
    emergency_contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    emergency_contact_phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    emergency_contact_relationship = serializers.CharField(
        max_length=64, required=False, allow_blank=True
    )
    insurance_provider = serializers.CharField(max_length=200, required=False, allow_blank=True)
    insurance_member_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    insurance_group_number = serializers.CharField(max_length=64, required=False, allow_blank=True)


class PatientSearchInputSerializer(InputSerializer):
    q = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Name or MRN."
    )
    date_of_birth = serializers.DateField(required=False)


class PatientCreateInputSerializer(PatientContactInputSerializer):
    legal_first_name = serializers.CharField(max_length=100)
    legal_last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField()
    sex_at_birth = serializers.ChoiceField(
        choices=["female", "male", "intersex", "unknown"], required=False
    )
