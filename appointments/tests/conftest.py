import datetime

import pytest

UTC = datetime.UTC


@pytest.fixture
def now():
    """A fixed 'now': Monday 2026-03-02 12:00 UTC (07:00 in New York)."""
    return datetime.datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.fixture
def doctor(provider, weekday_availability):
    """The `provider`'s profile, working 09:00–17:00 New York time Monday to Friday."""
    return provider.provider_profile


@pytest.fixture
def tuesday_10am():
    """Tuesday 2026-03-03 10:00 in New York (15:00 UTC): a free slot, a day after `now`."""
    return datetime.datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
