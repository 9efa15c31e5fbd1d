"""The Celery app: configured from Django settings, tasks found in every app, beat reads the settings."""

from django.conf import settings

from config.celery import app, ping


def test_it_answers_ping():
    assert ping.delay().get(timeout=5) == "pong"


def test_it_registers_the_ping_task_under_a_stable_name():
    # Workers and beat entries find tasks by name; renaming one strands queued work.
    assert app.tasks["config.ping"].name == ping.name == "config.ping"
    assert app.tasks["config.ping"]() == "pong"


def test_it_takes_the_beat_schedule_from_settings():
    # The same dict: an entry an app adds to CELERY_BEAT_SCHEDULE in settings.py is what beat runs.
    assert app.conf.beat_schedule is settings.CELERY_BEAT_SCHEDULE


def test_it_takes_broker_and_serialisation_from_settings():
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
