from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and access"

    def ready(self):
        from accounts import mfa, signals

        signals.connect()
        mfa.connect()
