"""A real round trip: a task sent through Redis to a worker process and its result back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.celery import app, ping

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no broker"),
]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture
def not_eager():
    """conftest forces eager tasks for the whole session; this test needs the broker."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def worker_queue(tmp_path):
    """A worker process consuming a queue of its own, so that parallel runs never steal its tasks."""
    queue = f"medora-test-{uuid.uuid4().hex[:12]}"
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [
            str(CELERY),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--hostname",
            f"{queue}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "0"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
    log.close()


def test_it_runs_a_task_on_a_worker_through_redis(not_eager, worker_queue, tmp_path):
    result = ping.apply_async(queue=worker_queue)
    try:
        assert result.get(timeout=30) == "pong"
    except Exception:
        print((tmp_path / "worker.log").read_text())  # shown by pytest on failure
        raise
    assert result.successful()
    result.forget()
