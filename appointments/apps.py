from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "appointments"

    def ready(self):
        from appointments import signals
        from appointments.caching import appointment_list_scopes_of_user
        from config.response_cache import response_cache_readahead

        signals.connect()
        response_cache_readahead(
            "api:appointments:appointment-list", appointment_list_scopes_of_user
        )
