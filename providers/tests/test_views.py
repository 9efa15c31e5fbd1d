import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import AppointmentStatus
from appointments.tests.factories import AppointmentFactory
from patients.services import care_team_grant
from patients.tests.factories import PatientFactory
from providers.models import AvailabilityWindow, TimeOff, VisitType
from providers.tests.factories import AvailabilityWindowFactory, TimeOffFactory, VisitTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def doctor(provider):
    return provider.provider_profile


@pytest.fixture
def on_team(doctor, admin_user):
    """A patient on `provider`'s care team."""
    patient = PatientFactory(
        legal_first_name="Ada", legal_last_name="Lovelace", date_of_birth=datetime.date(1985, 6, 15)
    )
    care_team_grant(patient=patient, provider=doctor, by=admin_user)
    return patient


def _today_at(zone, hour: int) -> datetime.datetime:
    today = timezone.now().astimezone(zone).date()
    return datetime.datetime.combine(today, datetime.time(hour), tzinfo=zone)


def _pages(visit_type, patient):
    return [
        reverse("provider_portal:home"),
        reverse("provider_portal:week"),
        reverse("provider_portal:requests"),
        reverse("provider_portal:availability"),
        reverse("provider_portal:time_off"),
        reverse("provider_portal:visit_types"),
        reverse("provider_portal:visit_type", args=[visit_type.public_id]),
        reverse("provider_portal:profile"),
        reverse("provider_portal:patients"),
        reverse("provider_portal:patient", args=[patient.public_id]),
    ]


def test_it_shows_every_provider_page_to_the_provider(client_for, provider, visit_type, on_team):
    client = client_for(provider)
    for path in _pages(visit_type, on_team):
        assert client.get(path).status_code == 200, path


@pytest.mark.parametrize("outsider", ["patient", "admin_user"])
def test_it_refuses_provider_pages_to_other_roles(
    client_for, request, visit_type, on_team, outsider
):
    client = client_for(request.getfixturevalue(outsider))
    for path in _pages(visit_type, on_team):
        assert client.get(path).status_code == 403, path


def test_it_sends_anonymous_visitors_to_sign_in(client, visit_type, on_team):
    for path in _pages(visit_type, on_team):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("account_login"))


def test_it_hides_a_patient_off_the_care_team(client_for, provider, other_provider, on_team):
    url = reverse("provider_portal:patient", args=[on_team.public_id])
    assert client_for(other_provider).get(url).status_code == 404
    off_team = PatientFactory()
    url = reverse("provider_portal:patient", args=[off_team.public_id])
    assert client_for(provider).get(url).status_code == 404


def test_it_hides_another_providers_visit_type(client_for, other_provider, visit_type):
    url = reverse("provider_portal:visit_type", args=[visit_type.public_id])
    assert client_for(other_provider).get(url).status_code == 404


def test_it_shows_the_patient_header(client_for, provider, doctor, on_team, visit_type):
    upcoming = AppointmentFactory(patient=on_team, visit_type=visit_type)
    response = client_for(provider).get(
        reverse("provider_portal:patient", args=[on_team.public_id])
    )
    body = response.content.decode()
    assert on_team.mrn in body
    assert "Lovelace" in body
    today = timezone.now().astimezone(doctor.zone).date()
    assert response.context["age"] == today.year - 1985 - ((today.month, today.day) < (6, 15))
    assert [a.pk for a in response.context["upcoming"]] == [upcoming.pk]


def test_it_audits_each_view_of_the_patient_header(client_for, provider, on_team, monkeypatch):
    events = []
    monkeypatch.setattr(
        "providers.views.audit_event", lambda action, **kwargs: events.append((action, kwargs))
    )
    client_for(provider).get(reverse("provider_portal:patient", args=[on_team.public_id]))
    assert [(action, kw["subject"], kw["actor"]) for action, kw in events] == [
        ("patient.viewed", on_team, provider)
    ]


def test_it_shows_todays_agenda_in_the_providers_zone(client_for, provider, doctor, visit_type):
    # Started a few minutes ago (but today, in the provider's zone): every visit button applies.
    start = max(timezone.now() - datetime.timedelta(minutes=5), _today_at(doctor.zone, 0))
    start = start.replace(second=0, microsecond=0)
    appointment = AppointmentFactory(
        visit_type=visit_type, start=start, end=start + datetime.timedelta(minutes=30)
    )
    response = client_for(provider).get(reverse("provider_portal:home"))
    assert [a.pk for a in response.context["agenda"]] == [appointment.pk]
    body = response.content.decode()
    assert start.astimezone(doctor.zone).strftime("%H:%M") in body
    for action in ("check-in", "complete", "no-show"):
        assert f'data-action="{action}"' in body
    # Each button's accessible name starts with its visible text, then says which visit.
    assert ">Check in</button>" in body
    assert 'aria-label="Check in: ' in body


@pytest.mark.parametrize(
    ("starts_in", "status", "actions"),
    [
        (datetime.timedelta(days=2), "booked", ()),
        (datetime.timedelta(hours=3), "booked", ("check-in",)),
        (-datetime.timedelta(minutes=5), "booked", ("check-in", "complete", "no-show")),
        (-datetime.timedelta(minutes=5), "checked_in", ("complete",)),
        (datetime.timedelta(days=2), "requested", ("confirm", "decline")),
        (-datetime.timedelta(days=1), "completed", ()),
    ],
)
def test_it_offers_only_the_visit_buttons_the_service_accepts_now(starts_in, status, actions):
    from types import SimpleNamespace

    from providers.views import _with_actions

    now = timezone.now()
    (appointment,) = _with_actions([SimpleNamespace(start=now + starts_in, status=status)], now)
    assert appointment.actions == actions


def test_it_shows_pending_requests_with_confirm_and_decline(client_for, provider, visit_type):
    requested = AppointmentFactory(visit_type=visit_type, status=AppointmentStatus.REQUESTED)
    response = client_for(provider).get(reverse("provider_portal:requests"))
    assert [a.pk for a in response.context["pending"]] == [requested.pk]
    body = response.content.decode()
    assert 'data-action="confirm"' in body
    assert 'data-action="decline"' in body


def test_it_shows_only_its_own_schedule(client_for, other_provider, visit_type):
    AppointmentFactory(visit_type=visit_type, start=_today_at(visit_type.provider.zone, 23))
    response = client_for(other_provider).get(reverse("provider_portal:home"))
    assert response.context["agenda"] == []


@pytest.mark.parametrize("rows", [2, 12])
def test_it_shows_the_agenda_in_a_constant_number_of_queries(
    client_for, provider, doctor, visit_type, django_assert_max_num_queries, rows
):
    today = timezone.now().astimezone(doctor.zone).date()
    for n in range(rows):
        day = today + datetime.timedelta(days=n % 7)
        start = datetime.datetime.combine(day, datetime.time(8), tzinfo=doctor.zone)
        start += datetime.timedelta(minutes=30 * (n // 7))
        AppointmentFactory(visit_type=visit_type, start=start)
        AppointmentFactory(
            visit_type=visit_type,
            start=timezone.now() + datetime.timedelta(days=10 + n),
            status=AppointmentStatus.REQUESTED,
        )
    client = client_for(provider)
    for name in ("home", "week", "requests"):
        with django_assert_max_num_queries(10):
            assert client.get(reverse(f"provider_portal:{name}")).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
def test_it_lists_patients_and_editors_in_a_constant_number_of_queries(
    client_for, provider, doctor, admin_user, django_assert_max_num_queries, rows
):
    for n in range(rows):
        care_team_grant(patient=PatientFactory(), provider=doctor, by=admin_user)
        visit_type = VisitTypeFactory(provider=doctor)
        AvailabilityWindowFactory(
            provider=doctor,
            weekday=n % 7,
            start_time=datetime.time(6 + n // 7 * 2),
            end_time=datetime.time(7 + n // 7 * 2),
            visit_types=[visit_type],
        )
        TimeOffFactory(
            provider=doctor, start=timezone.now() + datetime.timedelta(days=1 + n), reason="x"
        )
    client = client_for(provider)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("provider_portal:patients"))
    assert len(response.context["patients"]) == rows
    for name in ("availability", "time_off", "visit_types"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"provider_portal:{name}")).status_code == 200


def test_it_searches_patients_by_name_mrn_and_date_of_birth(client_for, provider, on_team):
    client = client_for(provider)
    url = reverse("provider_portal:patients")
    assert client.post(url, {"q": "lovelace"}).context["patients"] == [on_team]
    assert client.post(url, {"q": on_team.mrn}).context["patients"] == [on_team]
    dob = on_team.date_of_birth.isoformat()
    assert client.post(url, {"date_of_birth": dob}).context["patients"] == [on_team]
    assert client.post(url, {"q": "nobody-like-this"}).context["patients"] == []


def test_it_keeps_patient_search_terms_out_of_the_url(client_for, provider, on_team):
    client = client_for(provider)
    url = reverse("provider_portal:patients")
    page = client.get(url).content.decode()
    assert 'method="post"' in page and 'method="get"' not in page
    # A name in a query string (a bookmark, a shared link) is not used as a search.
    response = client.get(url, {"q": "nobody-like-this"})
    assert response.context["patients"] == [on_team]
    assert not response.context["searched"]


def test_it_adds_an_availability_window_through_the_service(
    client_for, provider, doctor, visit_type
):
    response = client_for(provider).post(
        reverse("provider_portal:availability"),
        {
            "weekday": "2",
            "start_time": "08:00",
            "end_time": "12:00",
            "location": "",
            "visit_types": [str(visit_type.pk)],
        },
    )
    assert response.status_code == 302
    window = AvailabilityWindow.objects.get(provider=doctor)
    assert (window.weekday, window.start_time) == (2, datetime.time(8))
    assert list(window.visit_types.all()) == [visit_type]


def test_it_refuses_an_overlapping_window_and_changes_nothing(client_for, provider, doctor):
    AvailabilityWindowFactory(provider=doctor, weekday=1)
    response = client_for(provider).post(
        reverse("provider_portal:availability"),
        {"weekday": "1", "start_time": "10:00", "end_time": "11:00"},
    )
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()
    assert AvailabilityWindow.objects.filter(provider=doctor).count() == 1


def test_it_refuses_an_end_before_the_start(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:availability"),
        {"weekday": "1", "start_time": "12:00", "end_time": "11:00"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"]
    assert not AvailabilityWindow.objects.exists()


def test_it_removes_an_availability_window(client_for, provider, doctor):
    window = AvailabilityWindowFactory(provider=doctor)
    client_for(provider).post(
        reverse("provider_portal:availability"), {"action": "delete", "window": window.pk}
    )
    assert not AvailabilityWindow.objects.exists()


def test_it_cannot_remove_another_providers_window(client_for, other_provider, doctor):
    window = AvailabilityWindowFactory(provider=doctor)
    response = client_for(other_provider).post(
        reverse("provider_portal:availability"), {"action": "delete", "window": window.pk}
    )
    assert response.status_code == 404
    assert AvailabilityWindow.objects.filter(pk=window.pk).exists()


def test_it_adds_time_off_in_the_providers_zone(client_for, provider, doctor):
    day = timezone.now().astimezone(doctor.zone).date() + datetime.timedelta(days=5)
    response = client_for(provider).post(
        reverse("provider_portal:time_off"),
        {
            "kind": "time_off",
            "start": f"{day.isoformat()}T09:00",
            "end": f"{day.isoformat()}T13:00",
            "reason": "Training",
        },
    )
    assert response.status_code == 302
    block = TimeOff.objects.get(provider=doctor)
    assert block.start == datetime.datetime.combine(day, datetime.time(9), tzinfo=doctor.zone)


def test_it_refuses_time_off_ending_before_it_starts(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:time_off"),
        {"kind": "time_off", "start": "2030-01-02T13:00", "end": "2030-01-02T09:00"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["end"]
    assert not TimeOff.objects.exists()


def test_it_removes_time_off(client_for, provider, doctor):
    block = TimeOffFactory(provider=doctor)
    client_for(provider).post(
        reverse("provider_portal:time_off"), {"action": "delete", "block": block.pk}
    )
    assert not TimeOff.objects.exists()


def test_it_adds_a_visit_type_through_the_service(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:visit_types"),
        {
            "name": "Follow-up",
            "duration_minutes": "20",
            "buffer_after_minutes": "5",
            "mode": "video",
            "booking_policy": "request_only",
            "active": "on",
        },
    )
    assert response.status_code == 302
    visit_type = VisitType.objects.get(provider=doctor)
    assert (visit_type.name, visit_type.duration_minutes, visit_type.mode) == (
        "Follow-up",
        20,
        "video",
    )


def test_it_refuses_a_duplicate_visit_type_name_and_changes_nothing(
    client_for, provider, doctor, visit_type
):
    response = client_for(provider).post(
        reverse("provider_portal:visit_types"),
        {
            "name": visit_type.name,
            "duration_minutes": "20",
            "buffer_after_minutes": "0",
            "mode": "in_person",
            "booking_policy": "self_book",
        },
    )
    assert response.status_code == 400
    assert VisitType.objects.filter(provider=doctor).count() == 1


def test_it_refuses_a_too_short_visit_type(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:visit_types"),
        {
            "name": "Tiny",
            "duration_minutes": "1",
            "buffer_after_minutes": "0",
            "mode": "in_person",
            "booking_policy": "self_book",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["duration_minutes"]
    assert not VisitType.objects.exists()


def test_it_edits_a_visit_type(client_for, provider, visit_type):
    response = client_for(provider).post(
        reverse("provider_portal:visit_type", args=[visit_type.public_id]),
        {
            "name": "Long consultation",
            "duration_minutes": "60",
            "buffer_after_minutes": "10",
            "mode": "in_person",
            "booking_policy": "self_book",
            "active": "on",
        },
    )
    assert response.status_code == 302
    visit_type.refresh_from_db()
    assert (visit_type.name, visit_type.duration_minutes) == ("Long consultation", 60)


def test_it_deactivates_a_used_visit_type_instead_of_deleting_it(client_for, provider, visit_type):
    AppointmentFactory(visit_type=visit_type)
    client_for(provider).post(
        reverse("provider_portal:visit_type", args=[visit_type.public_id]), {"action": "delete"}
    )
    visit_type.refresh_from_db()
    assert visit_type.active is False


def test_it_tells_a_provider_without_a_profile_to_wait_for_the_clinic(client_for):
    from accounts.tests.factories import ProviderUserFactory

    response = client_for(ProviderUserFactory()).get(reverse("provider_portal:availability"))
    assert response.status_code == 200
    assert "not set up yet" in response.content.decode()


def test_it_saves_the_providers_own_profile_through_the_service(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:profile"),
        {
            "bio": "Family doctor.",
            "accepting_new_patients": "",
            "time_zone": "Europe/Paris",
            "location": "North clinic",
            "languages": "en, FR",
        },
    )
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert (doctor.time_zone, doctor.languages, doctor.accepting_new_patients) == (
        "Europe/Paris",
        "en,fr",
        False,
    )


def test_it_refuses_an_unknown_time_zone_and_changes_nothing(client_for, provider, doctor):
    response = client_for(provider).post(
        reverse("provider_portal:profile"),
        {"time_zone": "Mars/Olympus", "location": "Elsewhere", "accepting_new_patients": "on"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["time_zone"]
    doctor.refresh_from_db()
    assert (doctor.time_zone, doctor.location) == ("America/New_York", "Main clinic")


@pytest.mark.parametrize("rows", [2, 12])
def test_it_shows_the_patient_header_in_a_constant_number_of_queries(
    client_for, provider, on_team, visit_type, django_assert_max_num_queries, rows
):
    for n in range(rows):
        AppointmentFactory(
            patient=on_team,
            visit_type=visit_type,
            start=timezone.now() + datetime.timedelta(days=2 + n),
        )
    client = client_for(provider)
    url = reverse("provider_portal:patient", args=[on_team.public_id])
    # 12 includes recording the chart view in the audit trail (its insert and savepoint).
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert len(response.context["upcoming"]) == rows


def test_it_shows_the_provider_their_private_calendar_feed(client_for, provider, doctor):
    response = client_for(provider).get(reverse("provider_portal:profile"))
    assert response.status_code == 200
    assert f"/calendar/{doctor.calendar_token}.ics" in response.content.decode()


def test_it_gives_the_provider_a_new_feed_address_and_retires_the_old(client_for, provider, doctor):
    old_token = doctor.calendar_token
    client = client_for(provider)
    response = client.post(reverse("provider_portal:calendar_feed_rotate"))
    assert response.status_code == 302
    doctor.refresh_from_db()
    assert doctor.calendar_token != old_token
    assert client.get(f"/calendar/{old_token}.ics").status_code == 404
    assert client.get(f"/calendar/{doctor.calendar_token}.ics").status_code == 200


def test_it_rotates_the_feed_only_on_post(client_for, provider, doctor):
    old_token = doctor.calendar_token
    assert (
        client_for(provider).get(reverse("provider_portal:calendar_feed_rotate")).status_code == 405
    )
    doctor.refresh_from_db()
    assert doctor.calendar_token == old_token


def test_it_refuses_the_feed_rotation_to_a_patient(client_for, patient, doctor):
    old_token = doctor.calendar_token
    response = client_for(patient).post(reverse("provider_portal:calendar_feed_rotate"))
    assert response.status_code == 403
    doctor.refresh_from_db()
    assert doctor.calendar_token == old_token


@pytest.mark.parametrize("start", ["9999-12-31", "9999-12-25", "0001-01-01"])
def test_it_shows_this_week_for_a_start_far_outside_the_calendar(client_for, provider, start):
    response = client_for(provider).get(reverse("provider_portal:week"), {"start": start})
    assert response.status_code == 200


def _window_url(window) -> str:
    return reverse("provider_portal:availability_window", args=[window.public_id])


def test_it_edits_an_availability_window_in_place(client_for, provider, doctor, visit_type):
    window = AvailabilityWindowFactory(
        provider=doctor, weekday=1, start_time=datetime.time(9), end_time=datetime.time(12)
    )
    client = client_for(provider)
    page = client.get(reverse("provider_portal:availability")).content.decode()
    assert _window_url(window) in page
    assert client.get(_window_url(window)).context["form"]["start_time"].value() == datetime.time(9)
    response = client.post(
        _window_url(window),
        {
            "weekday": "3",
            "start_time": "13:00",
            "end_time": "17:30",
            "location": "",
            "visit_types": [str(visit_type.pk)],
        },
    )
    assert response.status_code == 302
    window.refresh_from_db()
    assert (window.weekday, window.start_time, window.end_time) == (
        3,
        datetime.time(13),
        datetime.time(17, 30),
    )
    assert window.location == doctor.location  # empty means the usual location
    assert list(window.visit_types.all()) == [visit_type]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"weekday": "1", "start_time": "12:00", "end_time": "11:00"}, "end_time"),
        ({"weekday": "9", "start_time": "09:00", "end_time": "11:00"}, "weekday"),
        ({"weekday": "1", "start_time": "nine", "end_time": "11:00"}, "start_time"),
    ],
)
def test_it_refuses_a_bad_window_edit_and_changes_nothing(
    client_for, provider, doctor, body, field
):
    window = AvailabilityWindowFactory(provider=doctor, weekday=1)
    before = (window.weekday, window.start_time, window.end_time)
    response = client_for(provider).post(_window_url(window), body)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    window.refresh_from_db()
    assert (window.weekday, window.start_time, window.end_time) == before


def test_it_refuses_an_edit_that_overlaps_another_window(client_for, provider, doctor):
    AvailabilityWindowFactory(
        provider=doctor, weekday=2, start_time=datetime.time(9), end_time=datetime.time(12)
    )
    window = AvailabilityWindowFactory(
        provider=doctor, weekday=2, start_time=datetime.time(13), end_time=datetime.time(17)
    )
    response = client_for(provider).post(
        _window_url(window), {"weekday": "2", "start_time": "11:00", "end_time": "17:00"}
    )
    assert response.status_code == 400
    assert "overlaps" in response.content.decode()
    window.refresh_from_db()
    assert window.start_time == datetime.time(13)


def test_it_removes_a_window_from_its_edit_page(client_for, provider, doctor):
    window = AvailabilityWindowFactory(provider=doctor)
    response = client_for(provider).post(_window_url(window), {"action": "delete"})
    assert response.status_code == 302
    assert not AvailabilityWindow.objects.filter(pk=window.pk).exists()


def test_it_keeps_a_window_page_to_its_provider(client, client_for, doctor, other_provider):
    window = AvailabilityWindowFactory(provider=doctor)
    url = _window_url(window)
    assert client_for(other_provider).get(url).status_code == 404
    assert client_for(other_provider).post(url, {"action": "delete"}).status_code == 404
    assert AvailabilityWindow.objects.filter(pk=window.pk).exists()
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("outsider", ["patient", "admin_user"])
def test_it_refuses_the_window_page_to_other_roles(client_for, request, doctor, outsider):
    window = AvailabilityWindowFactory(provider=doctor)
    client = client_for(request.getfixturevalue(outsider))
    assert client.get(_window_url(window)).status_code == 403


def test_it_labels_every_control_of_every_provider_page(client_for, provider, visit_type, on_team):
    from accounts.tests.test_accessibility import assert_accessible_layout, parse

    window = AvailabilityWindowFactory(provider=provider.provider_profile)
    client = client_for(provider)
    for path in [*_pages(visit_type, on_team), _window_url(window)]:
        assert_accessible_layout(parse(client.get(path)))
