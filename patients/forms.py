from django import forms

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
