"""The status-sample store: every probe result, kept 90 days.

Two adapters with the same domain methods, picked once by `config.docstore.store`: pymongo (collection
`status_samples`, a TTL index expires samples after 90 days) and relational (`StatusSample` rows, pruned by the
nightly rollup). Samples are plain dicts: {"component": slug, "at": aware UTC datetime, "state": str,
"latency_ms": float | None}, returned oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from config import docstore

RETENTION = timedelta(days=90)
COLLECTION = "status_samples"


class SampleStore(Protocol):
    def add(self, sample: dict) -> None: ...
    def add_many(self, samples: Iterable[dict]) -> None: ...
    def between(self, component: str, start: datetime, end: datetime) -> list[dict]: ...
    def between_many(self, components: list[str], start: datetime, end: datetime) -> list[dict]: ...
    def latest(self, component: str, n: int) -> list[dict]: ...
    def prune(self, before: datetime) -> int: ...


def _clean(sample: dict) -> dict:
    latency = sample.get("latency_ms")
    return {
        "component": sample["component"],
        "at": docstore.as_stored(sample["at"]),
        "state": sample["state"],
        "latency_ms": None if latency is None else float(latency),
    }


class MongoSampleStore:
    INDEXES = (
        ("at_ttl", [("at", 1)], {"expireAfterSeconds": int(RETENTION.total_seconds())}),
        ("component_at", [("component", 1), ("at", 1)], {}),
    )

    def __init__(self, database) -> None:
        self.collection = database[COLLECTION]
        docstore.ensure_indexes(self.collection, self.INDEXES)

    def add(self, sample: dict) -> None:
        self.collection.insert_one(_clean(sample))

    def add_many(self, samples: Iterable[dict]) -> None:
        documents = [_clean(sample) for sample in samples]
        if documents:
            self.collection.insert_many(documents, ordered=False)

    def between(self, component: str, start: datetime, end: datetime) -> list[dict]:
        cursor = self.collection.find(
            {"component": component, "at": {"$gte": start, "$lt": end}}, {"_id": 0}
        ).sort("at", 1)
        return [_from_mongo(document) for document in cursor]

    def between_many(self, components: list[str], start: datetime, end: datetime) -> list[dict]:
        cursor = self.collection.find(
            {"component": {"$in": list(components)}, "at": {"$gte": start, "$lt": end}}, {"_id": 0}
        ).sort("at", 1)
        return [_from_mongo(document) for document in cursor]

    def latest(self, component: str, n: int) -> list[dict]:
        cursor = self.collection.find({"component": component}, {"_id": 0}).sort("at", -1).limit(n)
        return [_from_mongo(document) for document in cursor][::-1]

    def prune(self, before: datetime) -> int:
        # The TTL index does this on its own; pruning by hand keeps both adapters alike.
        return self.collection.delete_many({"at": {"$lt": before}}).deleted_count


def _from_mongo(document: dict) -> dict:
    return {
        "component": document["component"],
        "at": docstore.as_utc(document["at"]),
        "state": document["state"],
        "latency_ms": document.get("latency_ms"),
    }


class RelationalSampleStore:
    def _model(self):
        from status.models import StatusSample

        return StatusSample

    def add(self, sample: dict) -> None:
        self.add_many([sample])

    def add_many(self, samples: Iterable[dict]) -> None:
        model = self._model()
        model.objects.bulk_create([model(**_clean(sample)) for sample in samples])

    def between(self, component: str, start: datetime, end: datetime) -> list[dict]:
        rows = (
            self._model()
            .objects.filter(component=component, at__gte=start, at__lt=end)
            .order_by("at")
            .values("component", "at", "state", "latency_ms")
        )
        return [_aware(row) for row in rows]

    def between_many(self, components: list[str], start: datetime, end: datetime) -> list[dict]:
        rows = (
            self._model()
            .objects.filter(component__in=list(components), at__gte=start, at__lt=end)
            .order_by("at")
            .values("component", "at", "state", "latency_ms")
        )
        return [_aware(row) for row in rows]

    def latest(self, component: str, n: int) -> list[dict]:
        rows = (
            self._model()
            .objects.filter(component=component)
            .order_by("-at")
            .values("component", "at", "state", "latency_ms")[:n]
        )
        return [_aware(row) for row in rows][::-1]

    def prune(self, before: datetime) -> int:
        deleted, _ = self._model().objects.filter(at__lt=before).delete()
        return deleted


def _aware(row: dict) -> dict:
    row["at"] = docstore.as_utc(row["at"])
    return row


def status_samples() -> SampleStore:
    return docstore.store(
        "status_samples", mongo=MongoSampleStore, relational=RelationalSampleStore
    )
