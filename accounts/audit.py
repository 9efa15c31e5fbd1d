"""The audit trail of who did what, when and from where (never passwords or health data).

Interface used across the project; the storage behind it is picked by the document-store factory.
"""

from __future__ import annotations

from typing import Any


def audit_event(
    action: str,
    *,
    actor=None,
    subject=None,
    request=None,
    details: dict[str, Any] | None = None,
) -> None:
    """Record one event. `subject` is a model instance (its public id is stored), `details` no PHI."""
    # Filled in by the document-store work (accounts audit trail storage).
    return None


def audit_role_changed(*, user, old_role: str, new_role: str, by=None) -> None:
    audit_event(
        "user.role_changed", actor=by, subject=user, details={"from": old_role, "to": new_role}
    )
