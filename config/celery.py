"""The Celery app. Broker and results on REDIS_URL; with no REDIS_URL tasks run eagerly in-process.

Tasks live in `<app>/tasks.py` (found by autodiscovery). Periodic work is an entry in CELERY_BEAT_SCHEDULE in
config/settings.py, run by `make beat` (the `beat` service in docker compose), for example:

    CELERY_BEAT_SCHEDULE["appointments-send-reminders"] = {
        "task": "appointments.send_due_reminders",
        "schedule": 300.0,  # seconds, or celery.schedules.crontab(...)
    }
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("medora")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.ping")
def ping() -> str:
    """Liveness of the task pipeline (broker, worker, results): the worker round-trip test sends it."""
    return "pong"
