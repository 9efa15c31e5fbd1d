"""Provider portal forms. They check shape only; saving goes through providers/services.py, whose
ApplicationError messages come back as form errors (add_application_error)."""

import datetime

from django import forms

from config.api import ApplicationError
from providers.models import (
    AvailabilityWindow,
    BookingPolicy,
    Provider,
    TimeOff,
    VisitMode,
    VisitType,
    Weekday,
)


class ServiceForm(forms.Form):
    def add_application_error(self, error: ApplicationError) -> None:
        placed = False
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)


class AvailabilityWindowForm(ServiceForm):
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    location = forms.CharField(
        max_length=200, required=False, help_text="Leave empty for your usual location."
    )
    visit_types = forms.ModelMultipleChoiceField(
        queryset=VisitType.objects.none(),
        required=False,
        help_text="Leave none selected to allow every visit type in this window.",
    )

    def __init__(self, *args, provider: Provider, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visit_types"].queryset = provider.visit_types.filter(active=True).order_by(
            "name"
        )

    @classmethod
    def for_window(cls, window: AvailabilityWindow, *args, **kwargs):
        initial = {
            "weekday": window.weekday,
            "start_time": window.start_time,
            "end_time": window.end_time,
            "location": window.location,
            "visit_types": list(window.visit_types.all()),
        }
        return cls(*args, provider=window.provider, initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "Must be after the start time.")
        return cleaned


class TimeOffForm(ServiceForm):
    """Start and end are typed in the provider's own time zone."""

    kind = forms.ChoiceField(choices=TimeOff.Kind.choices, initial=TimeOff.Kind.TIME_OFF)
    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    end = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, provider: Provider, **kwargs):
        self.provider = provider
        super().__init__(*args, **kwargs)
        self.fields["start"].help_text = f"In your time zone ({provider.time_zone})."
        self.fields["end"].help_text = f"In your time zone ({provider.time_zone})."

    def _in_provider_zone(self, value: datetime.datetime) -> datetime.datetime:
        # The form field made it aware in the site's zone; the provider meant their own.
        return value.replace(tzinfo=None).replace(tzinfo=self.provider.zone)

    def clean(self):
        cleaned = super().clean()
        for name in ("start", "end"):
            if cleaned.get(name):
                cleaned[name] = self._in_provider_zone(cleaned[name])
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "Must be after the start.")
        return cleaned


class VisitTypeForm(ServiceForm):
    name = forms.CharField(max_length=100)
    duration_minutes = forms.IntegerField(min_value=5, max_value=480, initial=30)
    buffer_after_minutes = forms.IntegerField(
        min_value=0, max_value=240, initial=0, help_text="Free time kept after each visit."
    )
    mode = forms.ChoiceField(choices=VisitMode.choices, initial=VisitMode.IN_PERSON)
    booking_policy = forms.ChoiceField(
        choices=BookingPolicy.choices, initial=BookingPolicy.SELF_BOOK
    )
    active = forms.BooleanField(required=False, initial=True)

    @classmethod
    def for_visit_type(cls, visit_type: VisitType, *args, **kwargs):
        initial = {
            name: getattr(visit_type, name)
            for name in (
                "name",
                "duration_minutes",
                "buffer_after_minutes",
                "mode",
                "booking_policy",
                "active",
            )
        }
        return cls(*args, initial=initial, **kwargs)


class PatientSearchForm(forms.Form):
    q = forms.CharField(label="Name or MRN", required=False, max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ProviderProfileForm(ServiceForm):
    """What a provider changes on their own profile (identity and licensing: the clinic's admin)."""

    bio = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    accepting_new_patients = forms.BooleanField(required=False)
    time_zone = forms.CharField(
        max_length=64, help_text="An IANA time zone, e.g. America/New_York."
    )
    location = forms.CharField(max_length=200, required=False)
    languages = forms.CharField(
        max_length=100, required=False, help_text="Language codes separated by commas, e.g. en,es."
    )

    @classmethod
    def for_provider(cls, provider: Provider, *args, **kwargs):
        initial = {name: getattr(provider, name) for name in cls.base_fields}
        return cls(*args, initial=initial, **kwargs)

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}
