from django.contrib.admin.apps import AdminConfig


class MedoraAdminConfig(AdminConfig):
    """The admin portal: admins only, signed in through allauth (so MFA applies), with a dashboard."""

    default_site = "accounts.admin_site.MedoraAdminSite"
