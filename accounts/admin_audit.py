"""The relational audit trail in the admin: browsable, searchable, read-only.

Imported from accounts/admin.py (`from accounts import admin_audit  # noqa: F401`).
With MONGO_URL set the events live in MongoDB and this table stays empty.
"""

from django.contrib import admin

from accounts.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor_email", "subject_type", "subject_id", "ip_address"]
    list_filter = ["action", "subject_type"]
    search_fields = ["=actor_email", "=actor_id", "=subject_id", "action"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
    show_full_result_count = False
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
