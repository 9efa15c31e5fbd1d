"""The audit trail of who did what, when and from where (never passwords or health data).

`audit_event(...)` is what the rest of the project calls. The events go to an `AuditTrail` store: MongoDB
(collection `audit_events`) when MONGO_URL is set, the `AuditEvent` model in the default database otherwise;
`audit_trail()` asks the document-store factory which. Both adapters pass one contract test suite
(accounts/tests/test_audit_trail_contract.py).
"""

from __future__ import annotations

import ipaddress
import logging
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from config import docstore

logger = logging.getLogger(__name__)

COLLECTION = "audit_events"
ACTION_MAX = 64
EMAIL_MAX = 254
SUBJECT_TYPE_MAX = 100
SUBJECT_ID_MAX = 64
USER_AGENT_MAX = 256
DETAILS_MAX_KEYS = 20
DETAIL_KEY_MAX = 64
DETAIL_TEXT_MAX = 200

# A details key containing one of these never reaches the store, whatever the caller passed.
_SECRET_KEY_WORDS = (
    "password",
    "passwd",
    "token",
    "secret",
    "otp",
    "recovery",
    "credential",
    "authorization",
    "cookie",
    "session",
    "api_key",
    "apikey",
)
_SCALARS = (str, int, float, bool, type(None))
_DROP = object()  # a details value that is not plain data


@dataclass(frozen=True)
class AuditRecord:
    """One stored event, as every adapter returns it. Ids are public ids; `at` is aware UTC."""

    id: str
    action: str
    at: datetime
    actor_id: str = ""
    actor_email: str = ""
    subject_type: str = ""
    subject_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    details: dict[str, Any] = field(default_factory=dict)


class AuditTrail(ABC):
    """The audit-trail store: append events, read them back newest first, count them."""

    def record(
        self,
        *,
        action: str,
        at: datetime | None = None,
        actor_id: str = "",
        actor_email: str = "",
        subject_type: str = "",
        subject_id: str = "",
        ip_address: str | None = None,
        user_agent: str = "",
        details: dict[str, Any] | None = None,
    ) -> AuditRecord:
        """Append one event (details cleaned of secrets, text truncated); returns it with its id."""
        if not action:
            raise ValueError("An audit event needs an action")
        event = AuditRecord(
            id="",
            action=action[:ACTION_MAX],
            at=docstore.as_stored(at or datetime.now(UTC)),
            actor_id=str(actor_id or "")[:SUBJECT_ID_MAX],
            actor_email=(actor_email or "")[:EMAIL_MAX],
            subject_type=(subject_type or "")[:SUBJECT_TYPE_MAX],
            subject_id=str(subject_id or "")[:SUBJECT_ID_MAX],
            ip_address=_valid_ip(ip_address),
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
            details=clean_details(details),
        )
        return replace(event, id=self._insert(event))

    @abstractmethod
    def _insert(self, event: AuditRecord) -> str:
        """Store the event; return its id."""

    @abstractmethod
    def for_subject(self, subject_type: str, subject_id: str, limit: int = 50) -> list[AuditRecord]:
        """Events about one object (model label + public id), newest first."""

    @abstractmethod
    def for_actor(self, actor_id: str, limit: int = 50) -> list[AuditRecord]:
        """Events done by one user (their public id), newest first."""

    @abstractmethod
    def recent(self, limit: int = 50, action: str | None = None) -> list[AuditRecord]:
        """The latest events, optionally of one action, newest first."""

    @abstractmethod
    def count(self, actions: Iterable[str], since: datetime) -> dict[str, int]:
        """How many events of each action since `since` (every asked action present, 0 if none)."""


class MongoAuditTrail(AuditTrail):
    """The audit trail in a MongoDB collection (pymongo, or mongomock in tests)."""

    INDEXES = (
        ("subject_at", [("subject_type", 1), ("subject_id", 1), ("at", -1)], {}),
        ("actor_at", [("actor_id", 1), ("at", -1)], {}),
        ("action_at", [("action", 1), ("at", -1)], {}),
    )

    def __init__(self, database) -> None:
        self.collection = database[COLLECTION]

    def ensure_indexes(self) -> MongoAuditTrail:
        """Create the indexes the reads use; a no-op when they exist already."""
        docstore.ensure_indexes(self.collection, self.INDEXES)
        return self

    def _insert(self, event: AuditRecord) -> str:
        document = {
            "event_id": str(uuid.uuid4()),
            "action": event.action,
            "at": event.at,
            "actor_id": event.actor_id,
            "actor_email": event.actor_email,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "ip_address": event.ip_address,
            "user_agent": event.user_agent,
            "details": event.details,
        }
        self.collection.insert_one(document)
        return document["event_id"]

    def for_subject(self, subject_type: str, subject_id: str, limit: int = 50) -> list[AuditRecord]:
        return self._find({"subject_type": subject_type, "subject_id": str(subject_id)}, limit)

    def for_actor(self, actor_id: str, limit: int = 50) -> list[AuditRecord]:
        return self._find({"actor_id": str(actor_id)}, limit)

    def recent(self, limit: int = 50, action: str | None = None) -> list[AuditRecord]:
        return self._find({"action": action} if action else {}, limit)

    def count(self, actions: Iterable[str], since: datetime) -> dict[str, int]:
        wanted = list(dict.fromkeys(actions))
        counts = dict.fromkeys(wanted, 0)
        if not wanted:
            return counts
        pipeline = [
            {"$match": {"action": {"$in": wanted}, "at": {"$gte": docstore.as_utc(since)}}},
            {"$group": {"_id": "$action", "n": {"$sum": 1}}},
        ]
        for row in self.collection.aggregate(pipeline):
            counts[row["_id"]] = row["n"]
        return counts

    def _find(self, query: dict, limit: int) -> list[AuditRecord]:
        # _id (an ObjectId) grows with insertion order, so it breaks ties between equal times.
        cursor = self.collection.find(query).sort([("at", -1), ("_id", -1)]).limit(int(limit))
        return [
            AuditRecord(
                id=document["event_id"],
                action=document["action"],
                at=docstore.as_utc(document["at"]),
                actor_id=document.get("actor_id", ""),
                actor_email=document.get("actor_email", ""),
                subject_type=document.get("subject_type", ""),
                subject_id=document.get("subject_id", ""),
                ip_address=document.get("ip_address"),
                user_agent=document.get("user_agent", ""),
                details=document.get("details") or {},
            )
            for document in cursor
        ]


class RelationalAuditTrail(AuditTrail):
    """The audit trail in the `AuditEvent` table of the default database."""

    def _insert(self, event: AuditRecord) -> str:
        from django.db import transaction

        from accounts.models import AuditEvent

        # A savepoint: a failed insert must not poison the caller's transaction.
        with transaction.atomic():
            row = AuditEvent.objects.create(
                action=event.action,
                at=event.at,
                actor_id=event.actor_id,
                actor_email=event.actor_email,
                subject_type=event.subject_type,
                subject_id=event.subject_id,
                ip_address=event.ip_address,
                user_agent=event.user_agent,
                details=event.details,
            )
        return str(row.event_id)

    def for_subject(self, subject_type: str, subject_id: str, limit: int = 50) -> list[AuditRecord]:
        return self._find(
            {"subject_type": subject_type, "subject_id": str(subject_id)}, limit=limit
        )

    def for_actor(self, actor_id: str, limit: int = 50) -> list[AuditRecord]:
        return self._find({"actor_id": str(actor_id)}, limit=limit)

    def recent(self, limit: int = 50, action: str | None = None) -> list[AuditRecord]:
        return self._find({"action": action} if action else {}, limit=limit)

    def count(self, actions: Iterable[str], since: datetime) -> dict[str, int]:
        from django.db.models import Count

        from accounts.models import AuditEvent

        wanted = list(dict.fromkeys(actions))
        counts = dict.fromkeys(wanted, 0)
        if not wanted:
            return counts
        rows = (
            AuditEvent.objects.filter(action__in=wanted, at__gte=since)
            .order_by()
            .values("action")
            .annotate(n=Count("id"))
        )
        for row in rows:
            counts[row["action"]] = row["n"]
        return counts

    def _find(self, filters: dict, *, limit: int) -> list[AuditRecord]:
        from accounts.models import AuditEvent

        rows = AuditEvent.objects.filter(**filters).order_by("-at", "-id")[: int(limit)]
        return [
            AuditRecord(
                id=str(row.event_id),
                action=row.action,
                at=docstore.as_utc(row.at),
                actor_id=row.actor_id,
                actor_email=row.actor_email,
                subject_type=row.subject_type,
                subject_id=row.subject_id,
                ip_address=row.ip_address,
                user_agent=row.user_agent,
                details=row.details or {},
            )
            for row in rows
        ]


def audit_trail() -> AuditTrail:
    """The audit-trail store the settings ask for (built once per process)."""
    return docstore.store(
        "audit_trail",
        mongo=lambda database: MongoAuditTrail(database).ensure_indexes(),
        relational=RelationalAuditTrail,
    )


def audit_event(
    action: str,
    *,
    actor=None,
    subject=None,
    request=None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one event. `subject` is a model instance (its public id is stored), `details` no PHI.

    Never breaks the request it audits: when the store fails, a warning names the action and we go on.
    """
    try:
        if actor is None and request is not None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                actor = user
        meta = request.META if request is not None else {}
        audit_trail().record(
            action=action,
            actor_id=str(getattr(actor, "public_id", None) or ""),
            actor_email=getattr(actor, "email", None) or "",
            # The model label and its public id: never a row id, never anything readable.
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_id=str(getattr(subject, "public_id", None) or ""),
            ip_address=_client_ip(request) if request is not None else None,
            user_agent=meta.get("HTTP_USER_AGENT", ""),
            details=details,
        )
    except Exception:
        # Only the action: the exception text could carry data we must not log.
        logger.warning("Audit event not recorded: %s", action)


def audit_counts(actions: list[str], since: datetime) -> dict[str, int]:
    """Events per action since `since` (for the admin dashboard); every asked action is a key."""
    return audit_trail().count(actions, since)


def clean_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """Keep a small JSON-safe dict: no secret-looking keys, short text, scalar values or lists of them."""
    cleaned: dict[str, Any] = {}
    for key, value in (details or {}).items():
        name = str(key)[:DETAIL_KEY_MAX]
        if any(word in name.lower() for word in _SECRET_KEY_WORDS):
            continue
        if isinstance(value, list | tuple):
            items = [_detail_value(item) for item in value[:DETAILS_MAX_KEYS]]
            if any(item is _DROP for item in items):
                continue
            cleaned[name] = items
        else:
            item = _detail_value(value)
            if item is _DROP:
                continue
            cleaned[name] = item
        if len(cleaned) >= DETAILS_MAX_KEYS:
            break
    return cleaned


def _detail_value(value: Any) -> Any:
    # Model instances and other objects are dropped: their str() may be a patient's name.
    if isinstance(value, str):
        return value[:DETAIL_TEXT_MAX]
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _DROP


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def audit_role_changed(*, user, old_role: str, new_role: str, by=None) -> None:
    audit_event(
        "user.role_changed", actor=by, subject=user, details={"from": old_role, "to": new_role}
    )


def _client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it (X-Forwarded-For only through the
    TRUSTED_PROXY_COUNT proxies of ours, else REMOTE_ADDR)."""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # a header that does not match the proxy count: keep the peer address
        return request.META.get("REMOTE_ADDR")
