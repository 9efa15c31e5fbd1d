"""Admin user management: search, filters, create, deactivate, change role, invite staff."""

from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts import audit
from accounts.forms import InviteForm, UserAdminChangeForm, UserAdminCreationForm
from accounts.models import Role, User
from accounts.services import (
    user_deactivate,
    user_invite,
    user_send_set_password_email,
    user_set_role,
    user_sync_role_group,
    user_verify_email,
)
from config.api import ApplicationError

# Never written to the audit trail, even as a field name that changed.
_UNAUDITED_FIELDS = {"password", "password1", "password2", "usable_password"}


def _totp_exists():
    return Exists(
        Authenticator.objects.filter(user_id=OuterRef("pk"), type=Authenticator.Type.TOTP)
    )


class MFAStatusFilter(admin.SimpleListFilter):
    title = "MFA"
    parameter_name = "mfa"

    def lookups(self, request, model_admin):
        return [("yes", "Enrolled"), ("no", "Not enrolled")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(_totp_exists())
        if self.value() == "no":
            return queryset.exclude(_totp_exists())
        return queryset


def _change_role_action(role: Role):
    def action(modeladmin, request, queryset):
        changed = 0
        for user in queryset:
            if user.role != role:
                try:
                    user_set_role(user=user, role=role, by=request.user)
                except ApplicationError as error:
                    modeladmin.message_user(request, f"{user}: {error.message}", messages.ERROR)
                    continue
                changed += 1
        modeladmin.message_user(
            request, f"{changed} user(s) changed to {role.label}.", messages.SUCCESS
        )

    action.__name__ = f"change_role_to_{role.value}"
    action.short_description = f"Change role to {role.label}"
    action.allowed_permissions = ("change",)
    return action


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    change_list_template = "admin/accounts/user/change_list.html"

    list_display = ("email", "first_name", "last_name", "role", "is_active", "mfa_enrolled")
    list_filter = ("role", "is_active", MFAStatusFilter)
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("public_id", "is_staff", "last_login", "date_joined")
    actions = [
        "deactivate_users",
        "send_set_password_email",
        *[_change_role_action(role) for role in Role],
    ]
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Role and access", {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        ("Extra permissions", {"fields": ("groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(has_mfa=_totp_exists())

    @admin.display(boolean=True, description="MFA", ordering="has_mfa")
    def mfa_enrolled(self, user):
        return user.has_mfa

    # --- create and change go through the services so the role group follows ---------------
    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            user_verify_email(user=obj)
            audit.audit_event(
                "user.created",
                actor=request.user,
                subject=obj,
                request=request,
                details={"role": obj.role},
            )
            return

        new_role = obj.role
        deactivating = "is_active" in form.changed_data and not obj.is_active
        if "role" in form.changed_data:
            obj.role = form.initial["role"]
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if obj.role != new_role:
            try:
                user_set_role(user=obj, role=new_role, by=request.user)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        if deactivating:
            try:
                user_deactivate(user=obj, by=request.user, request=request)
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        fields = sorted(set(form.changed_data) - _UNAUDITED_FIELDS - {"role", "is_active"})
        if fields:
            audit.audit_event(
                "user.changed",
                actor=request.user,
                subject=obj,
                request=request,
                details={"fields": fields},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The groups field of the form must not undo the role group.
        user_sync_role_group(user=form.instance)

    def delete_model(self, request, obj):
        audit.audit_event("user.deleted", actor=request.user, subject=obj, request=request)
        super().delete_model(request, obj)

    # --- actions ----------------------------------------------------------------------------
    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate_users(self, request, queryset):
        done = 0
        for user in queryset:
            try:
                user_deactivate(user=user, by=request.user, request=request)
                done += 1
            except ApplicationError as error:
                self.message_user(request, error.message, messages.ERROR)
        self.message_user(request, f"{done} user(s) deactivated.", messages.SUCCESS)

    @admin.action(description="Send a set-password email", permissions=["change"])
    def send_set_password_email(self, request, queryset):
        base_url = request.build_absolute_uri("/")
        for user in queryset.filter(is_active=True):
            user_send_set_password_email(user=user, base_url=base_url)
            audit.audit_event(
                "user.invite_resent", actor=request.user, subject=user, request=request
            )
        self.message_user(request, "Set-password email sent to the active selected users.")

    # --- invite -----------------------------------------------------------------------------
    def get_urls(self):
        return [
            path(
                "invite/",
                self.admin_site.admin_view(self.invite_view),
                name="accounts_user_invite",
            ),
            *super().get_urls(),
        ]

    def invite_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InviteForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = user_invite(
                **form.cleaned_data,
                by=request.user,
                base_url=request.build_absolute_uri("/"),
                request=request,
            )
            self.message_user(
                request,
                f"Invitation sent to {user.email}. They choose a password through the emailed link.",
                messages.SUCCESS,
            )
            return redirect(reverse("admin:accounts_user_change", args=[user.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a provider",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/accounts/user/invite.html", context)


# The read-only audit trail; authenticators and API tokens shown without their secrets.
from accounts import admin_audit, admin_mfa, admin_tokens  # noqa: E402,F401
