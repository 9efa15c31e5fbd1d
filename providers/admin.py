"""Admin for providers (with availability, visit types, time off inline) and specialties."""

from django import forms
from django.contrib import admin, messages

from accounts.models import Role, User
from providers.models import AvailabilityWindow, Provider, Specialty, TimeOff, VisitType
from providers.services import (
    PROVIDER_PROFILE_FIELDS,
    provider_calendar_token_rotate,
    provider_create,
    provider_update,
)


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0
    fields = ("weekday", "start_time", "end_time", "location", "visit_types")
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "visit_types":
            provider_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = VisitType.objects.filter(provider_id=provider_id or 0)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class VisitTypeInline(admin.TabularInline):
    model = VisitType
    extra = 0
    fields = (
        "name",
        "duration_minutes",
        "buffer_after_minutes",
        "mode",
        "booking_policy",
        "active",
    )


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0
    fields = ("kind", "start", "end", "reason")

    def get_queryset(self, request):
        from django.utils import timezone

        # Past blocks are history; the inline shows what is still ahead.
        return super().get_queryset(request).filter(end__gte=timezone.now())


class ProviderAdminForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ("user", *PROVIDER_PROFILE_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].queryset = User.objects.filter(
                role=Role.PROVIDER, provider_profile__isnull=True
            )


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    form = ProviderAdminForm
    list_display = (
        "display_name",
        "credentials",
        "specialty",
        "npi",
        "time_zone",
        "accepting_new_patients",
    )
    list_filter = ("specialty", "accepting_new_patients", "time_zone")
    search_fields = ("display_name", "npi", "licence_number", "user__email")
    list_select_related = ("specialty",)
    readonly_fields = ("public_id",)
    inlines = [VisitTypeInline, AvailabilityWindowInline, TimeOffInline]
    actions = ["rotate_calendar_token"]

    def get_fields(self, request, obj=None):
        return (
            ["user", *PROVIDER_PROFILE_FIELDS]
            if obj is None
            else ["public_id", *PROVIDER_PROFILE_FIELDS]
        )

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name]
            for name in PROVIDER_PROFILE_FIELDS
            if name in form.cleaned_data
        }
        if change:
            provider_update(
                provider=obj,
                by=request.user,
                **{name: data[name] for name in form.changed_data if name in data},
            )
            return
        user = form.cleaned_data["user"]
        created = provider_create(
            user=user,
            by=request.user,
            **{"display_name": data.pop("display_name"), "npi": data.pop("npi"), **data},
        )
        obj.pk, obj.public_id, obj.calendar_token = (
            created.pk,
            created.public_id,
            created.calendar_token,
        )
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Rotate the private calendar feed URL")
    def rotate_calendar_token(self, request, queryset):
        for provider in queryset:
            provider_calendar_token_rotate(provider=provider, by=request.user)
        self.message_user(
            request, f"New feed URLs for {queryset.count()} provider(s).", messages.SUCCESS
        )


@admin.register(VisitType)
class VisitTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "provider",
        "duration_minutes",
        "buffer_after_minutes",
        "mode",
        "booking_policy",
        "active",
    )
    list_filter = ("mode", "booking_policy", "active", "provider")
    search_fields = ("name", "provider__display_name")
    list_select_related = ("provider",)


@admin.register(TimeOff)
class TimeOffAdmin(admin.ModelAdmin):
    list_display = ("provider", "kind", "start", "end")
    list_filter = ("kind", "provider")
    date_hierarchy = "start"
    list_select_related = ("provider",)
