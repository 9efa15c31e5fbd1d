"""A patient finds a provider, books a slot, sees it, cancels it: in a real browser.

Playwright (sync API) drives Debian's Chromium in the test thread; pytest-django's live_server
serves the app from another thread. Run with: pytest -m browser tests/browser/
"""

import datetime
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from appointments.models import Appointment, AppointmentStatus

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "var"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which(CHROMIUM) is None, reason=f"no Chromium at {CHROMIUM} for the browser test"
    ),
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe (set for these tests only, not the whole session).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # The test body's ORM calls ran while Playwright's loop was active, on a connection of
        # their own: close it, or the test database cannot be dropped at the end (PostgreSQL).
        connections.close_all()


def _signed_in_page(browser, live_server, user, **context_options):
    """A 375-px-wide page signed in as `user` (session cookie made by the test client)."""
    client = Client()
    client.force_login(user, backend="accounts.backends.ModelBackend")
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, device_scale_factor=1, **context_options
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session_cookie,
                "url": live_server.url,
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.problems = []
    page.api_calls = []
    page.on(
        "request",
        lambda request: (
            page.api_calls.append(f"{request.method} {request.url.removeprefix(live_server.url)}")
            if "/api/v1/" in request.url
            else None
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    # Failed requests are checked by URL below (the browser's own /favicon.ico probe is fine).
    page.on(
        "console",
        lambda message: (
            page.problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            page.problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    return context, page


@pytest.fixture
def phone_page(browser, live_server, patient):
    context, page = _signed_in_page(browser, live_server, patient)
    yield page
    context.close()


@pytest.fixture
def provider_page(browser, live_server, provider):
    context, page = _signed_in_page(browser, live_server, provider)
    yield page
    context.close()


def test_it_lets_a_patient_find_book_and_cancel(
    transactional_db, live_server, phone_page, patient, provider, visit_type, weekday_availability
):
    page = phone_page
    doctor = provider.provider_profile

    # Find the provider (the search runs through the API).
    page.goto(f"{live_server.url}/patient/providers/")
    page.get_by_label("Name").fill(doctor.display_name)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("status").filter(has_text="1 provider found.").wait_for()
    page.get_by_role("link", name=f"See available times with {doctor.title}").click()

    # The week view: go to next week (slots loaded from the API), pick the first free time.
    page.get_by_role("heading", name=f"Book with {doctor.title}").wait_for()
    page.get_by_role("link", name="Next week →").click()
    page.locator("#slots-status").filter(has_text="this week").wait_for()
    page.locator("a.slot").first.click()

    # The confirmation step: reason typed, the button reached and pressed with the keyboard.
    page.get_by_role("heading", name="Confirm your booking").wait_for()
    reason = page.get_by_label("Reason for the visit")
    reason.fill("Persistent cough")
    reason.press("Tab")
    assert page.evaluate("document.activeElement.id") == "book-button"
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "booking-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Enter")

    page.get_by_text("Your appointment is booked.").wait_for()
    appointment = Appointment.objects.get(patient=patient.patient_profile)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.reason == "Persistent cough"

    # It shows in "My appointments"; open it and cancel it.
    page.get_by_role("link", name="My appointments").first.click()
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    upcoming.locator(f'[data-appointment="{appointment.public_id}"] a').click()
    page.get_by_label("Why are you cancelling?").fill("Feeling better")
    page.get_by_role("button", name="Cancel appointment").click()
    page.locator("#appointment-status").filter(has_text="Cancelled").wait_for()
    assert page.evaluate("document.activeElement.id") == "appointment-heading"

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    page.get_by_role("link", name="My appointments").first.click()
    past = page.locator("section", has=page.get_by_role("heading", name="Past and cancelled"))
    assert "Cancelled" in past.locator(f'[data-appointment="{appointment.public_id}"]').inner_text()
    assert page.problems == []
    # Search, slots, booking and cancelling went through the JSON API.
    calls = [call.split("?")[0] for call in page.api_calls]
    assert calls == [
        "GET /api/v1/providers/",
        f"GET /api/v1/providers/{doctor.public_id}/slots/",
        "POST /api/v1/appointments/",
        f"POST /api/v1/appointments/{appointment.public_id}/cancel/",
    ]


def test_it_lets_a_provider_confirm_a_request_with_the_keyboard(
    transactional_db, live_server, provider_page, visit_type
):
    from appointments.tests.factories import AppointmentFactory

    page = provider_page
    soon = timezone.now() + datetime.timedelta(hours=3)
    requested = AppointmentFactory(
        visit_type=visit_type, status=AppointmentStatus.REQUESTED, start=soon
    )
    stale = AppointmentFactory(
        visit_type=visit_type,
        status=AppointmentStatus.REQUESTED,
        start=soon + datetime.timedelta(hours=1),
    )
    page.goto(f"{live_server.url}/provider/requests/")
    row = page.locator(f'[data-appointment="{requested.public_id}"]')
    row.get_by_role("button", name="Confirm").focus()
    page.keyboard.press("Enter")
    row.locator("[data-status]").filter(has_text="Booked").wait_for()
    page.get_by_role("status").filter(has_text="Request confirmed.").wait_for()
    # The next action of a booked visit (check-in opens on the day) replaces confirm/decline,
    # and focus stays in the row; complete and no-show wait until the visit has started.
    assert row.get_by_role("button", name="Check in").is_visible()
    assert row.get_by_role("button", name="Complete").count() == 0
    assert page.evaluate("document.activeElement.dataset.action") == "check-in"
    requested.refresh_from_db()
    assert requested.status == AppointmentStatus.BOOKED

    # A request the patient cancelled meanwhile: the API's refusal shows in the live region.
    Appointment.objects.filter(pk=stale.pk).update(status=AppointmentStatus.CANCELLED)
    page.locator(f'[data-appointment="{stale.public_id}"]').get_by_role(
        "button", name="Confirm"
    ).click()
    page.locator("#action-error").filter(has_text="cannot be confirmed").wait_for()
    assert page.evaluate("document.activeElement.id") == "action-error"
    assert page.problems == [
        f"409 {live_server.url}/api/v1/appointments/{stale.public_id}/confirm/"
    ]


def test_it_lets_a_provider_decline_a_request_with_a_reason(
    transactional_db, live_server, provider_page, visit_type
):
    from appointments.tests.factories import AppointmentFactory

    page = provider_page
    requested = AppointmentFactory(
        visit_type=visit_type,
        status=AppointmentStatus.REQUESTED,
        start=timezone.now() + datetime.timedelta(hours=3),
    )
    page.goto(f"{live_server.url}/provider/requests/")
    row = page.locator(f'[data-appointment="{requested.public_id}"]')
    row.get_by_label("Decline reason").fill("On leave that day")
    row.get_by_role("button", name="Decline").click()
    row.locator("[data-status]").filter(has_text="Cancelled").wait_for()
    page.get_by_role("status").filter(has_text="Request declined.").wait_for()
    requested.refresh_from_db()
    assert requested.status == AppointmentStatus.CANCELLED
    assert requested.cancel_reason == "On leave that day"
    # The script sent it to the API; the page did not post its form as well.
    assert page.api_calls == [f"POST /api/v1/appointments/{requested.public_id}/decline/"]
    assert page.problems == []


def test_it_lets_a_provider_work_the_visit_buttons_without_javascript(
    transactional_db, live_server, browser, provider, visit_type
):
    from appointments.tests.factories import AppointmentFactory

    context, page = _signed_in_page(browser, live_server, provider, java_script_enabled=False)
    soon = timezone.now() + datetime.timedelta(hours=3)
    requested = AppointmentFactory(
        visit_type=visit_type, status=AppointmentStatus.REQUESTED, start=soon
    )
    unwanted = AppointmentFactory(
        visit_type=visit_type,
        status=AppointmentStatus.REQUESTED,
        start=soon + datetime.timedelta(hours=1),
    )
    page.goto(f"{live_server.url}/provider/requests/")
    page.locator(f'[data-appointment="{requested.public_id}"]').get_by_role(
        "button", name="Confirm"
    ).click()
    page.get_by_text("Request confirmed.").wait_for()
    assert page.url == f"{live_server.url}/provider/requests/"
    row = page.locator(f'[data-appointment="{unwanted.public_id}"]')
    row.get_by_label("Decline reason").fill("Fully booked")
    row.get_by_role("button", name="Decline").click()
    page.get_by_text("Request declined.").wait_for()
    requested.refresh_from_db()
    unwanted.refresh_from_db()
    assert requested.status == AppointmentStatus.BOOKED
    assert (unwanted.status, unwanted.cancel_reason) == (
        AppointmentStatus.CANCELLED,
        "Fully booked",
    )
    # The confirmed visit opens for check-in on the agenda (the week: in 3 hours may be tomorrow).
    page.goto(f"{live_server.url}/provider/week/")
    page.locator(f'[data-appointment="{requested.public_id}"]').get_by_role(
        "button", name="Check in"
    ).click()
    page.get_by_text("Patient checked in.").wait_for()
    assert page.url == f"{live_server.url}/provider/week/"
    requested.refresh_from_db()
    assert requested.status == AppointmentStatus.CHECKED_IN
    assert page.api_calls == []
    assert page.problems == []
    context.close()


def test_it_lets_a_patient_reschedule_join_the_waitlist_and_claim_an_offer(
    transactional_db, live_server, phone_page, patient, provider, visit_type, weekday_availability
):
    from appointments.models import WaitlistEntry, WaitlistOffer
    from appointments.tests.factories import AppointmentFactory

    page = phone_page
    doctor = provider.provider_profile
    zone = doctor.zone
    day = timezone.now().astimezone(zone).date() + datetime.timedelta(days=7)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    booked = AppointmentFactory(
        patient=patient.patient_profile,
        visit_type=visit_type,
        start=datetime.datetime.combine(day, datetime.time(9), tzinfo=zone),
    )

    # Reschedule: the week view in "move" mode, a new time, one step.
    page.goto(f"{live_server.url}/patient/appointments/{booked.public_id}/")
    page.get_by_role("link", name="Reschedule").click()
    page.get_by_role("heading", name=f"Move your appointment with {doctor.title}").wait_for()
    page.locator("a.slot").last.click()
    page.get_by_role("button", name="Move my appointment").click()
    page.get_by_text("Your appointment is moved to the new time.").wait_for()
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    moved = Appointment.objects.get(rescheduled_from=booked)
    assert moved.status == AppointmentStatus.BOOKED

    # Join the waitlist from the week view.
    page.goto(f"{live_server.url}/patient/providers/{doctor.public_id}/")
    page.get_by_role("button", name="Join the waitlist").click()
    page.get_by_text("You are on the waitlist.").wait_for()
    entry = WaitlistEntry.objects.get(patient=patient.patient_profile)

    # A freed time is held for the patient: the waitlist page counts down; claiming books it.
    offer_start = datetime.datetime.combine(day, datetime.time(15), tzinfo=zone)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistEntry.Status.OFFERED)
    offer = WaitlistOffer.objects.create(
        entry=entry,
        start=offer_start,
        end=offer_start + datetime.timedelta(minutes=visit_type.duration_minutes),
        hold_until=timezone.now() + datetime.timedelta(minutes=20),
    )
    page.get_by_role("link", name="See my waitlist").click()
    countdown = page.locator("[data-countdown]")
    countdown.filter(has_text=" min").wait_for()
    assert countdown.inner_text().startswith("19:")
    page.get_by_role("button", name="Claim this time").click()
    page.get_by_text("Your appointment is booked.").wait_for()
    offer.refresh_from_db()
    assert offer.status == WaitlistOffer.Status.CLAIMED
    assert offer.appointment.start == offer_start
    assert page.problems == []
    calls = [call.split("?")[0] for call in page.api_calls]
    assert calls == [
        f"POST /api/v1/appointments/{booked.public_id}/reschedule/",
        "POST /api/v1/waitlist/",
        f"POST /api/v1/waitlist/offers/{offer.public_id}/claim/",
    ]
