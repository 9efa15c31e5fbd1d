"""Scheduled status work (see CELERY_BEAT_SCHEDULE in settings); each task calls one service."""

from celery import shared_task

from status import heartbeat, services


@shared_task(name="status.probe_cycle", ignore_result=True, expires=50)
def status_probe_cycle() -> None:
    # expires: a cycle queued behind a backlog is worthless once the next one is due.
    services.status_probe_cycle()


@shared_task(name="status.rollup", ignore_result=True)
def status_rollup() -> None:
    services.status_rollup()


@shared_task(name="status.beat_tick", ignore_result=True, expires=25)
def status_beat_tick() -> None:
    heartbeat.beat_tick_record()
