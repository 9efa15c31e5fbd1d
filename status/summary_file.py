"""The last published status summary on disk, for the page to fall back on when the cache and database are away."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings


def summary_file_write(payload: dict) -> None:
    """Write atomically: a reader sees the old file or the new one, never half of one."""
    path = Path(settings.STATUS_SUMMARY_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".status-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def summary_file_read() -> dict | None:
    try:
        with open(settings.STATUS_SUMMARY_FILE, encoding="utf-8") as handle:
            payload = json.load(handle)
    except (OSError, ValueError):
        return None
    return payload if isinstance(payload, dict) else None
