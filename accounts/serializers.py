from rest_framework import serializers

from config.api import InputSerializer


class MeOutputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    display_name = serializers.CharField()
    role = serializers.CharField()
    mfa_enrolled = serializers.BooleanField()
    portal_url = serializers.CharField()


class MeUpdateInputSerializer(InputSerializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
