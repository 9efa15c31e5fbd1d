"""Status test fixtures: a local /healthz to probe, a summary file per test, embedded mode by default."""

from __future__ import annotations

import contextlib
import http.server
import threading

import pytest
from django.db import connections

from status.selectors import status_memo_clear


class _Healthz(http.server.BaseHTTPRequestHandler):
    hosts_seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's naming
        _Healthz.hosts_seen.append(self.headers.get("Host", ""))
        body = b'{"status": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def healthz_url():
    """A tiny HTTP server answering 200, standing in for the web process the web probe requests."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    server.shutdown()


@pytest.fixture(autouse=True)
def _status_settings(settings, tmp_path, healthz_url):
    settings.STATUS_SUMMARY_FILE = tmp_path / "status-summary.json"
    settings.STATUS_WEB_URL = healthz_url
    settings.STATUS_REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STATUS_ALERT_EMAILS = []
    status_memo_clear()
    yield
    status_memo_clear()


CLOSED_REDIS_CACHE = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.2,
            "SOCKET_TIMEOUT": 0.2,
        },
    }
}


@contextlib.contextmanager
def database_unreachable():
    """Point the default connection (this thread's and any new thread's) at a closed PostgreSQL port.

    Test-only: the original connection, with the test's open transaction, is put back untouched afterwards.
    """
    from django.db.backends.postgresql.base import DatabaseWrapper

    original_settings = connections.settings["default"]
    bad = {
        **original_settings,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "medora_unreachable",
        "USER": "nobody",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": "1",
        "OPTIONS": {"connect_timeout": 1},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TEST": {},
    }
    original_connection = connections["default"]
    connections.settings["default"] = bad
    connections["default"] = DatabaseWrapper(bad, "default")
    try:
        yield
    finally:
        connections["default"] = original_connection
        connections.settings["default"] = original_settings
