"""API tokens in the admin: issued and revoked by admins (audited), the key shown once only.

DRF's own admin lists every key, so any admin could read a user's token and act as them
through the API without a trace.
Imported from accounts/admin.py.
"""

from django.contrib import admin, messages
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from accounts import audit
from accounts.authentication import token_expires_at

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class TokenAdmin(DRFTokenAdmin):
    list_display = ("user", "key_hint", "created", "expires")
    list_select_related = ("user",)

    @admin.display(description="Key")
    def key_hint(self, token) -> str:
        return f"{token.key[:4]}…"

    @admin.display(description="Expires")
    def expires(self, token):
        return token_expires_at(token) or "never"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit.audit_event(
                "api_token.created", actor=request.user, subject=obj.user, request=request
            )
            self.message_user(
                request,
                f"API token for {obj.user.email}: {obj.key} (copy it now: it is not shown again).",
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        audit.audit_event(
            "api_token.revoked", actor=request.user, subject=obj.user, request=request
        )
        super().delete_model(request, obj)
