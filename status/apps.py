from django.apps import AppConfig


class StatusConfig(AppConfig):
    name = "status"
    verbose_name = "Status"

    def ready(self) -> None:
        from status import signals  # noqa: F401 - connects the Celery worker heartbeat
