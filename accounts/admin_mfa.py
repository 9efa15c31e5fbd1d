"""Authenticators in the admin: who has MFA, and a reset that is audited. Never the secrets.

allauth's own admin shows and edits `data` (the TOTP secret and the recovery-code seed, stored
unencrypted by default): anyone who reads it holds the user's second factor. Here an admin sees
only who enrolled what and when, and may delete an authenticator (the user enrols again).
Imported from accounts/admin.py.
"""

from allauth.mfa.models import Authenticator
from django.contrib import admin

from accounts import audit

if admin.site.is_registered(Authenticator):
    admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(admin.ModelAdmin):
    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    list_select_related = ("user",)
    search_fields = ("=user__email",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        _audit_reset(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for authenticator in queryset.select_related("user"):
            _audit_reset(request, authenticator)
        super().delete_queryset(request, queryset)


def _audit_reset(request, authenticator: Authenticator) -> None:
    audit.audit_event(
        "mfa.removed",
        actor=request.user,
        subject=authenticator.user,
        request=request,
        details={"type": authenticator.type, "by_admin": True},
    )
