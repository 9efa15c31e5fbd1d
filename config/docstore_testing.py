"""Test helpers for document stores: the same contract suite runs on every adapter.

A store's contract test parametrizes a fixture with `backend_params()` and builds its adapter per param:
"relational" on the configured database, "mongomock" on `mongomock_database()` always, and "mongodb" on
`real_mongo_database()` when MONGO_URL is a mongodb:// URL (skipped with a reason otherwise).
See accounts/tests/test_audit_trail_contract.py for the pattern.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

RELATIONAL = "relational"
MONGOMOCK = "mongomock"
MONGODB = "mongodb"


def real_mongo_url() -> str:
    """MONGO_URL when it points at a real server, else ""."""
    url = os.environ.get("MONGO_URL", "")
    return url if url.startswith(("mongodb://", "mongodb+srv://")) else ""


def backend_params() -> list:
    """pytest params for a store fixture: every adapter, the real MongoDB one only when it can run."""
    return [
        pytest.param(RELATIONAL, id=RELATIONAL),
        pytest.param(MONGOMOCK, id=MONGOMOCK),
        pytest.param(
            MONGODB,
            id=MONGODB,
            marks=pytest.mark.skipif(
                not real_mongo_url(), reason="MONGO_URL is not a mongodb:// URL: no real MongoDB"
            ),
        ),
    ]


@contextmanager
def mongomock_database() -> Iterator:
    """A fresh, empty in-memory MongoDB database (tz-aware, like the real client)."""
    import mongomock

    client = mongomock.MongoClient(tz_aware=True)
    try:
        yield client[f"medora_test_{uuid.uuid4().hex[:12]}"]
    finally:
        client.close()


@contextmanager
def real_mongo_database() -> Iterator:
    """A fresh database on the MongoDB at MONGO_URL, dropped afterwards (parallel runs never share one)."""
    from pymongo import MongoClient

    url = real_mongo_url()
    if not url:
        pytest.skip("MONGO_URL is not a mongodb:// URL: no real MongoDB")
    client = MongoClient(url, tz_aware=True, serverSelectionTimeoutMS=3000)
    name = f"medora_test_{uuid.uuid4().hex[:12]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()


@contextmanager
def mongo_database_for(backend: str) -> Iterator:
    """The database for a "mongomock" or "mongodb" param."""
    factory = mongomock_database if backend == MONGOMOCK else real_mongo_database
    with factory() as database:
        yield database
