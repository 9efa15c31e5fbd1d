"""Admin for appointments and the waitlist: filters, and actions that call the services."""

from django.contrib import admin, messages

from appointments import services
from appointments.models import Appointment, Notification, WaitlistEntry, WaitlistOffer
from config.api import ApplicationError


def _run(modeladmin, request, queryset, service, done: str, **kwargs):
    succeeded = 0
    for appointment in queryset:
        try:
            service(appointment=appointment, by=request.user, **kwargs)
            succeeded += 1
        except ApplicationError as error:
            modeladmin.message_user(request, f"{appointment}: {error.message}", messages.WARNING)
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} appointment(s) {done}.", messages.SUCCESS)


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ("start", "provider", "patient", "visit_type", "status", "via")
    list_filter = ("status", "provider", ("start", admin.DateFieldListFilter), "via")
    date_hierarchy = "start"
    search_fields = ("=public_id", "patient__mrn", "provider__display_name")
    list_select_related = ("provider", "patient", "visit_type")
    ordering = ("-start",)
    actions = ["confirm", "decline", "cancel", "mark_no_show"]
    readonly_fields = [field.name for field in Appointment._meta.fields]

    # Bookings go through the portals or the API so that every rule applies; the admin manages them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Confirm the selected requests")
    def confirm(self, request, queryset):
        _run(self, request, queryset, services.appointment_confirm, "confirmed")

    @admin.action(description="Decline the selected requests")
    def decline(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            services.appointment_decline,
            "declined",
            reason="declined by the clinic",
        )

    @admin.action(description="Cancel the selected appointments")
    def cancel(self, request, queryset):
        _run(
            self,
            request,
            queryset,
            services.appointment_cancel,
            "cancelled",
            reason="cancelled by the clinic",
        )

    @admin.action(description="Mark the selected appointments as no-shows")
    def mark_no_show(self, request, queryset):
        _run(self, request, queryset, services.appointment_mark_no_show, "marked as no-shows")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "provider",
        "patient",
        "visit_type",
        "earliest_date",
        "latest_date",
        "status",
    )
    list_filter = ("status", "provider")
    list_select_related = ("provider", "patient", "visit_type")
    readonly_fields = [field.name for field in WaitlistEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WaitlistOffer)
class WaitlistOfferAdmin(admin.ModelAdmin):
    list_display = ("created_at", "entry", "start", "hold_until", "status")
    list_filter = ("status",)
    list_select_related = ("entry",)
    readonly_fields = [field.name for field in WaitlistOffer._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "recipient", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("recipient",)
    readonly_fields = [field.name for field in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
