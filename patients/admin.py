"""Admin for patients: search, edit (through the services), care-team grant and revoke."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from accounts.models import Role, User
from config.api import ApplicationError
from patients.models import CareTeamChange, Patient
from patients.services import (
    PATIENT_ADMIN_FIELDS,
    care_team_grant,
    care_team_revoke,
    patient_create,
    patient_update,
)
from providers.models import Provider


class CareTeamActionForm(ActionForm):
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.order_by("display_name"), required=False, label="Provider"
    )
    reason = forms.CharField(max_length=200, required=False, label="Reason")


class CareTeamChangeInline(admin.TabularInline):
    model = CareTeamChange
    fields = ("at", "action", "provider", "by", "reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "care-team change"
    verbose_name_plural = "care-team history (use the actions on the patient list to change it)"

    def has_add_permission(self, request, obj=None):
        return False


class PatientAdminForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = ("user", *PATIENT_ADMIN_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(
                role=Role.PATIENT, patient_profile__isnull=True
            )


@admin.register(Patient)
class PatientAdmin(admin.ModelAdmin):
    form = PatientAdminForm
    action_form = CareTeamActionForm
    actions = ["grant_care_team", "revoke_care_team"]
    list_display = (
        "mrn",
        "legal_last_name",
        "legal_first_name",
        "date_of_birth",
        "preferred_language",
    )
    search_fields = ("mrn", "legal_last_name", "legal_first_name", "preferred_name", "user__email")
    list_filter = ("preferred_language", "sex_at_birth")
    readonly_fields = ("mrn", "public_id", "created_at", "updated_at")
    inlines = [CareTeamChangeInline]
    list_select_related = ("user",)

    def get_fields(self, request, obj=None):
        fields = list(PATIENT_ADMIN_FIELDS)
        return ["user", *fields] if obj is None else ["mrn", "public_id", *fields]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in PATIENT_ADMIN_FIELDS
            if name in form.cleaned_data
        }
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            patient_update(patient=obj, by=request.user, **changed)
            return
        created = patient_create(user=form.cleaned_data["user"], by=request.user, **data)
        obj.pk, obj.mrn, obj.public_id = created.pk, created.mrn, created.public_id
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # a medical record is never deleted from the admin

    def _care_team_action(self, request, queryset, service, done: str):
        provider = request.POST.get("provider")
        provider = Provider.objects.filter(pk=provider).first() if provider else None
        if provider is None:
            self.message_user(request, "Choose a provider first.", messages.ERROR)
            return
        reason = request.POST.get("reason", "")[:200] or "admin"
        changed = 0
        for patient in queryset:
            try:
                changed += service(
                    patient=patient, provider=provider, by=request.user, reason=reason
                )
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        self.message_user(
            request, f"{provider}: {done} for {changed} patient(s).", messages.SUCCESS
        )

    @admin.action(description="Add the chosen provider to the care team")
    def grant_care_team(self, request, queryset):
        self._care_team_action(request, queryset, care_team_grant, "access granted")

    @admin.action(description="Remove the chosen provider from the care team")
    def revoke_care_team(self, request, queryset):
        self._care_team_action(request, queryset, care_team_revoke, "access revoked")


@admin.register(CareTeamChange)
class CareTeamChangeAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "patient", "provider", "by")
    list_filter = ("action", "provider")
    search_fields = ("patient__mrn",)
    list_select_related = ("patient", "provider", "by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
