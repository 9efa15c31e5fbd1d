import datetime

import pytest

from config.api import ApplicationError, ConflictError, NotFoundError
from providers import services
from providers.models import TimeOff
from providers.tests.factories import AvailabilityWindowFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


@pytest.fixture
def doctor(provider):
    return provider.provider_profile


def test_it_lets_a_provider_edit_their_own_profile(provider, doctor):
    updated = services.provider_update(
        provider=doctor, by=provider, bio="Hello", languages=["EN", "fr"]
    )
    assert (updated.bio, updated.languages) == ("Hello", "en,fr")


@pytest.mark.parametrize("field", ["npi", "display_name", "licence_number"])
def test_it_keeps_identity_fields_for_admins(provider, doctor, field):
    with pytest.raises(ApplicationError) as error:
        services.provider_update(provider=doctor, by=provider, **{field: "x"})
    assert error.value.code == "read_only_field"


def test_it_validates_the_npi_and_time_zone(admin_user, doctor):
    with pytest.raises(ApplicationError) as error:
        services.provider_update(
            provider=doctor, by=admin_user, npi="1234567890", time_zone="Mars/Olympus"
        )
    assert set(error.value.fields) == {"npi", "time_zone"}


def test_it_refuses_other_providers(other_provider, doctor):
    with pytest.raises(NotFoundError):
        services.provider_update(provider=doctor, by=other_provider, bio="x")
    with pytest.raises(NotFoundError):
        services.visit_type_create(
            provider=doctor, by=other_provider, name="X", duration_minutes=30
        )


def test_it_rotates_the_calendar_token(provider, doctor):
    before = doctor.calendar_token
    assert (
        services.provider_calendar_token_rotate(provider=doctor, by=provider).calendar_token
        != before
    )


def test_it_manages_visit_types(provider, doctor):
    visit_type = services.visit_type_create(
        provider=doctor,
        by=provider,
        name="Annual physical",
        duration_minutes=45,
        booking_policy="request_only",
    )
    services.visit_type_update(visit_type=visit_type, by=provider, buffer_after_minutes=10)
    assert visit_type.buffer_after_minutes == 10
    with pytest.raises(ApplicationError):
        services.visit_type_create(
            provider=doctor, by=provider, name="Too short", duration_minutes=1
        )
    with pytest.raises(ApplicationError) as error:  # the name is taken
        services.visit_type_create(
            provider=doctor, by=provider, name="Annual physical", duration_minutes=30
        )
    assert "__all__" in error.value.fields or "name" in error.value.fields
    services.visit_type_delete(visit_type=visit_type, by=provider)
    assert not doctor.visit_types.filter(name="Annual physical").exists()


def test_it_deactivates_a_used_visit_type_instead_of_deleting(provider, doctor, visit_type):
    from appointments.tests.factories import AppointmentFactory

    AppointmentFactory(visit_type=visit_type)
    services.visit_type_delete(visit_type=visit_type, by=provider)
    visit_type.refresh_from_db()
    assert visit_type.active is False


def test_it_manages_availability_windows(provider, doctor, visit_type):
    window = services.availability_window_create(
        provider=doctor, by=provider, weekday=1, start_time=datetime.time(9), end_time=datetime.time(12),
        visit_types=[visit_type],
    )  # fmt: skip
    assert list(window.visit_types.all()) == [visit_type]
    with pytest.raises(ConflictError):
        services.availability_window_create(
            provider=doctor,
            by=provider,
            weekday=1,
            start_time=datetime.time(11),
            end_time=datetime.time(13),
        )
    with pytest.raises(ApplicationError):
        services.availability_window_create(
            provider=doctor,
            by=provider,
            weekday=2,
            start_time=datetime.time(13),
            end_time=datetime.time(11),
        )
    services.availability_window_update(window=window, by=provider, end_time=datetime.time(13))
    assert window.end_time == datetime.time(13)
    services.availability_window_delete(window=window, by=provider)
    assert not doctor.availability_windows.exists()


def test_it_refuses_another_providers_visit_type_in_a_window(provider, doctor, other_provider):
    foreign = VisitTypeFactory(provider=other_provider.provider_profile)
    with pytest.raises(ApplicationError):
        services.availability_window_create(
            provider=doctor, by=provider, weekday=1, start_time=datetime.time(9), end_time=datetime.time(12),
            visit_types=[foreign],
        )  # fmt: skip


def test_it_manages_time_off_and_counts_clashing_appointments(provider, doctor, visit_type):
    from appointments.tests.factories import AppointmentFactory

    AvailabilityWindowFactory(provider=doctor, weekday=1)
    booked = AppointmentFactory(visit_type=visit_type)
    block = services.time_off_create(
        provider=doctor, by=provider, start=booked.start - datetime.timedelta(hours=1),
        end=booked.start + datetime.timedelta(hours=1), reason="Conference",
    )  # fmt: skip
    assert block.clashing_appointments == 1
    with pytest.raises(ApplicationError):
        services.time_off_create(provider=doctor, by=provider, start=booked.start, end=booked.start)
    with pytest.raises(ApplicationError):
        services.time_off_create(
            provider=doctor,
            by=provider,
            start=datetime.datetime(2026, 3, 1, 9),
            end=datetime.datetime(2026, 3, 1, 10),
        )
    services.time_off_delete(time_off=block, by=provider)
    assert not TimeOff.objects.exists()
