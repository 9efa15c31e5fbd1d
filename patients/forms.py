from django import forms
from django.utils import timezone

from config.api import ApplicationError
from patients.models import PATIENT_CONTACT_FIELDS, Patient


class PatientContactForm(forms.ModelForm):
    """The contact details a patient edits themself; saving goes through patient_update_contact."""

    class Meta:
        model = Patient
        fields = list(PATIENT_CONTACT_FIELDS)
        widgets = {
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
            "address_line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "address_line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "country": forms.TextInput(attrs={"autocomplete": "country"}),
        }

    def __init__(self, *args, patient: Patient, **kwargs):
        kwargs["instance"] = patient
        super().__init__(*args, **kwargs)

    def _post_clean(self):
        # Leave the instance untouched (bad input changes nothing); the service validates the
        # model and saves.
        pass

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}

    def add_application_error(self, error: ApplicationError) -> None:
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        if not error.fields:
            self.add_error(None, error.message)


class PatientStartForm(forms.Form):
    """What a new patient account tells us before booking; the clinic checks it at the first visit."""

    legal_first_name = forms.CharField(label="Legal first name", max_length=100)
    legal_last_name = forms.CharField(label="Legal last name", max_length=100)
    preferred_name = forms.CharField(label="Preferred name", max_length=100, required=False)
    date_of_birth = forms.DateField(
        label="Date of birth", widget=forms.DateInput(attrs={"type": "date"})
    )
    phone = forms.CharField(
        max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )

    def clean_date_of_birth(self):
        value = self.cleaned_data["date_of_birth"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date of birth cannot be in the future.")
        return value

    def add_application_error(self, error: ApplicationError) -> None:
        placed = False
        for name, messages in error.fields.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
                placed = True
        if not placed:
            self.add_error(None, error.message)
