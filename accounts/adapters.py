from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Self sign-up only ever makes patients; staff accounts come from an admin."""

    def save_user(self, request, user, form, commit=True):
        from accounts.models import Role

        user.role = Role.PATIENT
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from accounts.services import user_sync_role_group

            user_sync_role_group(user=user)
        return user
