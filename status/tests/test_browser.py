"""The public status page in a real browser (Playwright driving Debian's Chromium)."""

import importlib
import io
import os

import pytest

from status import services

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian's Chromium is not installed"),
]


@pytest.fixture
def browser_page(monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 375, "height": 740})
        page = context.new_page()
        yield page
        context.close()
        browser.close()


@pytest.fixture
def seeded_components(transactional_db):
    # The components come from a data migration; an earlier transactional test's flush removes them.
    from django.apps import apps

    importlib.import_module("status.migrations.0002_seed_components").seed(apps, None)


def test_it_shows_the_bars_refreshes_itself_and_opens_an_incident(
    live_server, seeded_components, browser_page, settings
):
    from status import demo
    from status.models import Component

    demo.seed(stdout=io.StringIO())
    services.incident_create(
        title="Delayed reminder emails",
        impact="minor",
        components=[Component.objects.get(slug="email")],
        message="Reminders are going out late.",
    )
    services.status_summary_refresh()

    page = browser_page
    page.goto(f"{live_server.url}/status/")
    assert page.locator("#overall h1").inner_text() == "Minor service disruption"
    assert page.locator("[data-component=web] .bar").count() == 90
    assert page.locator(".bars").count() == 7
    # Readable on a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Per-day tooltip, by pointer and by keyboard.
    page.locator("[data-component=web] .bar").nth(
        89 - 3
    ).hover()  # the demo incident, three days ago
    tooltip = page.locator("[data-component=web] .tooltip")
    assert (
        "uptime" in tooltip.inner_text()
        and "incidents: Slow appointment booking" in tooltip.inner_text()
    )
    page.locator("[data-component=postgresql] .bars").focus()
    page.keyboard.press("ArrowLeft")
    assert "uptime" in page.locator("[data-component=postgresql] .tooltip").inner_text()

    # The page refreshes itself from summary.json without a reload.
    page.evaluate("window.__notReloaded = true")
    settings.STATUS_WEB_URL = "http://127.0.0.1:1/healthz"
    services.status_probe_cycle()
    services.status_probe_cycle()
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.wait_for_function(
        "document.querySelector('[data-component=web] [data-role=label]').textContent === 'Down'"
    )
    assert page.locator("#overall h1").inner_text() == "Partial system outage"
    # Readable: white on the banner's colour, not red on red.
    assert (
        page.evaluate("getComputedStyle(document.querySelector('#overall h1')).color")
        == "rgb(255, 255, 255)"
    )
    assert page.evaluate("window.__notReloaded") is True

    # Open the active incident and read its timeline.
    page.get_by_role("link", name="Delayed reminder emails").click()
    page.wait_for_url("**/status/incidents/**")
    assert page.locator("h1").inner_text() == "Delayed reminder emails"
    assert "Reminders are going out late." in page.locator(".timeline").inner_text()
    assert page.context.cookies() == []
