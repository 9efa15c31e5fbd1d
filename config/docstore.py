"""The document-store client, and the one place that picks an adapter.

Document data (audit trail, chatbot conversations, status samples) is reached only through small storage
classes with domain methods. Each has a pymongo adapter and a relational adapter (Django models in the
default database). `MONGO_URL` set means pymongo; unset means relational. Nothing else branches on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from django.conf import settings

T = TypeVar("T")

_lock = threading.Lock()
_client = None
_stores: dict[str, object] = {}


class DocumentStoreUnavailable(Exception):
    """MongoDB could not be reached within the configured timeout."""


def uses_mongo() -> bool:
    return bool(settings.MONGO_URL)


def mongo_database():
    """The pymongo Database for MONGO_URL (one client per process, short timeouts)."""
    global _client
    with _lock:
        if _client is None:
            _client = _make_client(settings.MONGO_URL)
    return _client[settings.MONGO_DB_NAME]


def _make_client(url: str):
    if url.startswith("mongomock://"):
        # Tests only: the pymongo adapter against mongomock's in-memory server.
        import mongomock

        return mongomock.MongoClient(tz_aware=True)
    from pymongo import MongoClient

    timeout = settings.MONGO_TIMEOUT_MS
    return MongoClient(
        url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        socketTimeoutMS=max(timeout, 5000),
        appname="medora",
    )


def store(name: str, *, mongo: Callable[[object], T], relational: Callable[[], T]) -> T:
    """Build (once per process) the store `name` with the adapter the settings ask for.

    `mongo` receives the pymongo Database and should create its indexes idempotently.
    """
    key = f"{name}:{'mongo' if uses_mongo() else 'relational'}:{settings.MONGO_URL}"
    existing = _stores.get(key)
    if existing is not None:
        return existing  # type: ignore[return-value]
    built = mongo(mongo_database()) if uses_mongo() else relational()
    _stores[key] = built
    return built


def ensure_indexes(collection, indexes) -> None:
    """Create each (name, keys, options) index on a pymongo collection; a no-op for those that exist."""
    for name, keys, options in indexes:
        collection.create_index(keys, name=name, **options)


def as_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive time (mongomock, an old driver) is taken as UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_stored(moment: datetime) -> datetime:
    """`moment` in UTC to the millisecond, the precision MongoDB keeps, so every adapter stores one instant."""
    moment = as_utc(moment)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def reset() -> None:
    """Forget clients and stores (tests switch MONGO_URL between runs)."""
    global _client
    with _lock:
        if _client is not None:
            _client.close()
        _client = None
        _stores.clear()


def ping() -> None:
    """Round trip to the document store; raises on failure (used by /readyz and the status probes)."""
    if uses_mongo():
        try:
            mongo_database().command("ping")
        except Exception as exc:  # pymongo raises many kinds; all mean "not reachable"
            raise DocumentStoreUnavailable(type(exc).__name__) from exc
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
