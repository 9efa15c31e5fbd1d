import pytest


@pytest.fixture
def audit_events(monkeypatch):
    """Every audit_event call of the test, as (action, kwargs)."""
    from accounts import audit

    events = []

    def record(action, **kwargs):
        events.append((action, kwargs))

    monkeypatch.setattr(audit, "audit_event", record)
    return events
