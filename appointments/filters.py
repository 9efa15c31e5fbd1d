import django_filters

from appointments.models import Appointment, AppointmentStatus
from config.api import validate_schedulable


class AppointmentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=AppointmentStatus.choices, help_text="One or more statuses (repeat the parameter)."
    )
    start = django_filters.IsoDateTimeFilter(
        field_name="start",
        lookup_expr="gte",
        validators=[validate_schedulable],
        help_text="Starting at or after (ISO 8601).",
    )
    end = django_filters.IsoDateTimeFilter(
        field_name="start",
        lookup_expr="lt",
        validators=[validate_schedulable],
        help_text="Starting before (ISO 8601).",
    )

    class Meta:
        model = Appointment
        fields = ["status", "start", "end"]
