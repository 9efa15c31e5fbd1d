from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self):
        from accounts import mfa, signals

        signals.connect()
        mfa.connect()
