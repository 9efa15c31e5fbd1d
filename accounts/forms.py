"""Admin forms for the email-login User."""

from django import forms
from django.contrib.auth import forms as auth_forms

from accounts.models import Role, User


def _clean_new_email(form, email: str) -> str:
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email__iexact=email).exclude(pk=form.instance.pk).exists():
        raise forms.ValidationError("A user with that email address already exists.")
    return email


class UserAdminCreationForm(auth_forms.AdminUserCreationForm):
    """Create a user with a role; the password may be left unusable (then invite instead)."""

    class Meta:
        model = User
        fields = ("email", "first_name", "last_name", "role")

    def clean_email(self):
        return _clean_new_email(self, self.cleaned_data["email"])


class UserAdminChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return _clean_new_email(self, self.cleaned_data["email"])


class InviteForm(forms.Form):
    """Invite a staff member: the account is created without a password, the email sets it."""

    email = forms.EmailField(label="Email address")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(
        choices=[(Role.PROVIDER.value, Role.PROVIDER.label), (Role.ADMIN.value, Role.ADMIN.label)],
        initial=Role.PROVIDER.value,
    )

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with that email address already exists.")
        return email
