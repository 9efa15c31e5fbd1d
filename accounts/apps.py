from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and access"

    def ready(self):
        from accounts import backends, mfa, signals

        signals.connect()
        mfa.connect()
        backends.connect()
