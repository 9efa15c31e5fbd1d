"""The provider's private iCal feed: their schedule at a secret URL, no session needed.

The URL's token is the only credential (calendar apps cannot log in), so: it is looked up exactly
and never logged (a 404 is marked as logged already, so Django's request logger does not write
the path; appointments.calendar_feed's logging filter blanks it in any other line), rotating it (providers.services.provider_calendar_token_rotate) makes the old URL 404
at once, and the response carries no session cookie. Calendar apps poll, so the response has an
ETag and a max-age and a repeated poll gets an empty 304.
"""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from appointments.ics import provider_feed_ics
from appointments.models import LIVE_STATUSES, Appointment
from providers.models import Provider

FEED_PAST_DAYS = 30
FEED_MAX_AGE_SECONDS = 5 * 60


def provider_feed_url(provider: Provider) -> str:
    """The absolute feed URL to show the provider (it is a secret: show it only to them)."""
    return f"{settings.SITE_URL}{reverse('calendar:provider_feed', args=[provider.calendar_token])}"


def _feed_appointments(provider: Provider, *, now: datetime.datetime):
    return (
        Appointment.objects.filter(
            provider=provider,
            status__in=LIVE_STATUSES,
            start__gte=now - datetime.timedelta(days=FEED_PAST_DAYS),
            start__lte=now + datetime.timedelta(days=settings.APPOINTMENT_HORIZON_DAYS),
        )
        .select_related("visit_type")
        .order_by("start")
    )


def _not_found() -> HttpResponse:
    response = HttpResponseNotFound("Not found", content_type="text/plain; charset=utf-8")
    # The path holds a token (maybe a just-rotated one): keep it out of django.request's log.
    response._has_been_logged = True
    return response


@require_safe
def provider_feed(request: HttpRequest, token: str) -> HttpResponse:
    provider = Provider.objects.filter(calendar_token=token).first() if token else None
    if provider is None:
        return _not_found()
    body = provider_feed_ics(provider, _feed_appointments(provider, now=timezone.now()))
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={FEED_MAX_AGE_SECONDS}"
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
