"""Counts of audit events for the dashboard, from the audit trail when its storage is present.

Until the audit-trail storage lands, `accounts.audit` has no `audit_counts` and every figure is 0.
"""

from __future__ import annotations

from datetime import datetime

try:
    from accounts.audit import audit_counts as _audit_counts
except ImportError:  # the storage is merged separately
    _audit_counts = None


def audit_counts(actions: list[str], since: datetime) -> dict[str, int]:
    """{action: number of events since `since`} for each of `actions` (0 when none)."""
    counts = _audit_counts(actions, since) if _audit_counts is not None else {}
    return {action: int(counts.get(action, 0)) for action in actions}
