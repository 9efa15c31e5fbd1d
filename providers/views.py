"""Provider portal pages (/provider/): agenda, requests, schedule editors, care-team patients.

Times are shown in the provider's own time zone. Visit actions (confirm, decline, check-in,
complete, no-show) are small POST forms handled by `appointment_action`; where JavaScript runs,
static/js/provider-portal.js sends them to /api/v1/ instead and updates the row in place. The
schedule editors are plain Django forms calling providers/services.py.
"""

import datetime
import uuid
from functools import wraps

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.audit import audit_event
from accounts.decorators import role_required
from accounts.models import Role
from appointments import services as appointment_services
from appointments.feeds import provider_feed_url
from appointments.models import AppointmentStatus
from appointments.selectors import appointment_list_for, visible_appointments
from appointments.services import appointment_visit_steps
from config.api import ApplicationError, is_schedulable
from patients.selectors import patient_search, visible_patients
from providers import services
from providers.forms import (
    AvailabilityWindowForm,
    PatientSearchForm,
    ProviderProfileForm,
    TimeOffForm,
    VisitTypeForm,
)
from providers.models import Provider

ACTIVE = (
    AppointmentStatus.REQUESTED,
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.NO_SHOW,
)
PATIENTS_SHOWN = 50
REQUESTS_ON_HOME = 10
# The visit buttons (the names appointment_visit_steps gives) and what each one does.
VISIT_ACTIONS = {
    "confirm": (appointment_services.appointment_confirm, "Request confirmed."),
    "decline": (appointment_services.appointment_decline, "Request declined."),
    "check-in": (appointment_services.appointment_check_in, "Patient checked in."),
    "complete": (appointment_services.appointment_complete, "Visit completed."),
    "no-show": (appointment_services.appointment_mark_no_show, "Marked as a no-show."),
}
DECLINE_REASON_MAX = 200


class _NoProviderProfile(Exception):
    pass


def _my_provider(request) -> Provider:
    try:
        return Provider.objects.select_related("specialty").get(user=request.user)
    except Provider.DoesNotExist as error:
        raise _NoProviderProfile from error


def provider_page(view):
    """A page of the provider portal: providers only. An invited provider whose profile the
    clinic has not set up yet is told so (the admin creates it; a provider cannot)."""

    @role_required(Role.PROVIDER)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NoProviderProfile:
            return render(request, "providers/no_profile.html")

    return wrapper


def _row_id(value) -> int:
    """A row id posted by an editor's delete button (never in a URL); junk is unknown."""
    if not str(value or "").isdigit():
        raise Http404("Not found.")
    return int(value)


def _local_day_bounds(day: datetime.date, zone) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tzinfo=zone)
    return start, end


def _with_actions(appointments, now: datetime.datetime | None = None):
    """Offer only the buttons the services would accept now."""
    now = now or timezone.now()
    for appointment in appointments:
        appointment.actions = appointment_visit_steps(appointment=appointment, now=now)
    return appointments


def _agenda_days(appointments, days: list[datetime.date], zone) -> list[dict]:
    by_day = {day: [] for day in days}
    for appointment in appointments:
        by_day.setdefault(appointment.start.astimezone(zone).date(), []).append(appointment)
    return [{"date": day, "appointments": by_day[day]} for day in days]


@provider_page
def home(request):
    """Today's agenda and the requests waiting for an answer."""
    provider = _my_provider(request)
    zone = provider.zone
    now = timezone.now()
    today = now.astimezone(zone).date()
    start, end = _local_day_bounds(today, zone)
    agenda = _with_actions(
        list(appointment_list_for(user=request.user, status=list(ACTIVE), start=start, end=end))
    )
    requests = appointment_list_for(
        user=request.user, status=AppointmentStatus.REQUESTED, start=now
    )
    pending = _with_actions(list(requests[: REQUESTS_ON_HOME + 1]))
    return render(
        request,
        "providers/home.html",
        {
            "provider": provider,
            "today": today,
            "agenda": agenda,
            "pending": pending[:REQUESTS_ON_HOME],
            "more_pending": len(pending) > REQUESTS_ON_HOME,
            "zone": provider.time_zone,
        },
    )


@provider_page
def week(request):
    """Seven days of the agenda from ?start= (default today), in the provider's zone."""
    provider = _my_provider(request)
    zone = provider.zone
    today = timezone.now().astimezone(zone).date()
    try:
        first = parse_date(request.GET.get("start", "")) or today
    except ValueError:
        first = today
    if not is_schedulable(first):
        first = today  # year 9999 plus a week overflowed into a 500
    days = [first + datetime.timedelta(days=n) for n in range(7)]
    start, _ = _local_day_bounds(days[0], zone)
    _, end = _local_day_bounds(days[-1], zone)
    appointments = _with_actions(
        list(appointment_list_for(user=request.user, status=list(ACTIVE), start=start, end=end))
    )
    return render(
        request,
        "providers/week.html",
        {
            "provider": provider,
            "days": _agenda_days(appointments, days, zone),
            "first": first,
            "last": days[-1],
            "prev_week": first - datetime.timedelta(days=7),
            "next_week": first + datetime.timedelta(days=7),
            "today": today,
            "zone": provider.time_zone,
        },
    )


@provider_page
def requests(request):
    """Every upcoming request, to confirm or decline."""
    provider = _my_provider(request)
    pending = _with_actions(
        list(
            appointment_list_for(
                user=request.user, status=AppointmentStatus.REQUESTED, start=timezone.now()
            )
        )
    )
    return render(
        request,
        "providers/requests.html",
        {"provider": provider, "pending": pending, "zone": provider.time_zone},
    )


def _back(request):
    """Where the page that posted a visit button wants to return: a path on this site, else home."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("provider_portal:home")


@provider_page
@require_POST
def appointment_action(request, appointment_id: uuid.UUID, action: str):
    """A visit button without JavaScript: run the step's service on one of my appointments
    (anyone else's is 404), say how it went, and go back to the page it came from."""
    if action not in VISIT_ACTIONS:
        raise Http404("Not found.")
    service, done = VISIT_ACTIONS[action]
    appointment = get_object_or_404(visible_appointments(request.user), public_id=appointment_id)
    extra = {}
    if action == "decline":
        extra["reason"] = request.POST.get("reason", "").strip()[:DECLINE_REASON_MAX]
    try:
        service(appointment=appointment, by=request.user, **extra)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back(request)


def _save(request, form, call, success: str) -> bool:
    """Run a service with a valid form's data; its ApplicationError becomes a form error."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ApplicationError as error:
        form.add_application_error(error)
        return False
    messages.success(request, success)
    return True


@provider_page
def availability(request):
    """The weekly windows: add one, remove one."""
    provider = _my_provider(request)
    form = AvailabilityWindowForm(provider=provider)
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            window = get_object_or_404(
                provider.availability_windows, pk=_row_id(request.POST.get("window"))
            )
            try:
                services.availability_window_delete(window=window, by=request.user)
            except ApplicationError as exc:
                error = exc
            else:
                messages.success(request, "The window is removed.")
                return redirect("provider_portal:availability")
        else:
            form = AvailabilityWindowForm(request.POST, provider=provider)
            if _save(
                request,
                form,
                lambda data: services.availability_window_create(
                    provider=provider, by=request.user, **data
                ),
                "The window is added.",
            ):
                return redirect("provider_portal:availability")
    windows = provider.availability_windows.prefetch_related("visit_types").order_by(
        "weekday", "start_time"
    )
    return render(
        request,
        "providers/availability.html",
        {"provider": provider, "windows": windows, "form": form, "error": error},
        status=400 if form.errors or error else 200,
    )


def _edit_page(
    request, row, *, form_for, update, delete, done_url, template, context, saved, removed
):
    """The page of one row of an editor: a POST with action=delete removes the row, another POST
    saves the form through the service (its errors become form errors), then back to the list."""
    if request.method == "POST" and request.POST.get("action") == "delete":
        delete()
        messages.success(request, removed)
        return redirect(done_url)
    form = form_for(row, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if _save(request, form, update, saved):
            return redirect(done_url)
        row.refresh_from_db()  # the heading shows the row as it is, not as typed
    return render(request, template, {**context, "form": form}, status=400 if form.errors else 200)


@provider_page
def availability_window_edit(request, window_id):
    """One weekly window: change its day, hours, location or visit types, or remove it."""
    provider = _my_provider(request)
    window = get_object_or_404(provider.availability_windows, public_id=window_id)
    return _edit_page(
        request,
        window,
        form_for=AvailabilityWindowForm.for_window,
        update=lambda data: services.availability_window_update(
            window=window, by=request.user, **data
        ),
        delete=lambda: services.availability_window_delete(window=window, by=request.user),
        done_url="provider_portal:availability",
        template="providers/availability_window_edit.html",
        context={"provider": provider, "window": window},
        saved="The window is saved.",
        removed="The window is removed.",
    )


@provider_page
def time_off(request):
    """Upcoming time off and extra hours: add a block, remove one."""
    provider = _my_provider(request)
    form = TimeOffForm(provider=provider)
    error = None
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            block = get_object_or_404(provider.time_off, pk=_row_id(request.POST.get("block")))
            try:
                services.time_off_delete(time_off=block, by=request.user)
            except ApplicationError as exc:
                error = exc
            else:
                messages.success(request, "The block is removed.")
                return redirect("provider_portal:time_off")
        else:
            form = TimeOffForm(request.POST, provider=provider)
            created = {}

            def create(data):
                created["block"] = services.time_off_create(
                    provider=provider, by=request.user, **data
                )

            if _save(request, form, create, "Saved."):
                clashes = getattr(created["block"], "clashing_appointments", 0)
                if clashes:
                    messages.warning(
                        request,
                        f"{clashes} booked appointment{'s' if clashes != 1 else ''} fall in this "
                        "time off. They stay booked: move or cancel them from your agenda.",
                    )
                return redirect("provider_portal:time_off")
    blocks = provider.time_off.filter(end__gt=timezone.now()).order_by("start")
    return render(
        request,
        "providers/time_off.html",
        {
            "provider": provider,
            "blocks": blocks,
            "form": form,
            "error": error,
            "zone": provider.time_zone,
        },
        status=400 if form.errors or error else 200,
    )


@provider_page
def visit_types(request):
    """The visit types patients book: list them, add one."""
    provider = _my_provider(request)
    form = VisitTypeForm()
    if request.method == "POST":
        form = VisitTypeForm(request.POST)
        if _save(
            request,
            form,
            lambda data: services.visit_type_create(provider=provider, by=request.user, **data),
            "The visit type is added.",
        ):
            return redirect("provider_portal:visit_types")
    return render(
        request,
        "providers/visit_types.html",
        {
            "provider": provider,
            "visit_types": provider.visit_types.order_by("-active", "name"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@provider_page
def visit_type_edit(request, visit_type_id):
    provider = _my_provider(request)
    visit_type = get_object_or_404(provider.visit_types, public_id=visit_type_id)
    return _edit_page(
        request,
        visit_type,
        form_for=VisitTypeForm.for_visit_type,
        update=lambda data: services.visit_type_update(
            visit_type=visit_type, by=request.user, **data
        ),
        delete=lambda: services.visit_type_delete(visit_type=visit_type, by=request.user),
        done_url="provider_portal:visit_types",
        template="providers/visit_type_edit.html",
        context={"provider": provider, "visit_type": visit_type},
        saved="The visit type is saved.",
        removed="The visit type is removed (or deactivated if it was used).",
    )


@provider_page
def profile(request):
    """My public profile: bio, accepting new patients, time zone, location, languages."""
    provider = _my_provider(request)
    form = ProviderProfileForm.for_provider(provider)
    if request.method == "POST":
        form = ProviderProfileForm.for_provider(provider, request.POST)
        if _save(
            request,
            form,
            lambda data: services.provider_update(
                provider=provider, by=request.user, **form.changed_values()
            ),
            "Your profile is saved.",
        ):
            return redirect("provider_portal:profile")
        provider.refresh_from_db()
    return render(
        request,
        "providers/profile.html",
        {"provider": provider, "form": form, "feed_url": provider_feed_url(provider)},
        status=400 if form.errors else 200,
    )


@provider_page
@require_POST
def calendar_feed_rotate(request):
    """Issue a new private calendar feed URL; the old one stops working at once."""
    services.provider_calendar_token_rotate(provider=_my_provider(request), by=request.user)
    messages.success(request, "Your calendar feed has a new address. Subscribe to it again.")
    return redirect("provider_portal:profile")


@provider_page
def patient_list(request):
    """My care team's patients, searchable by name, MRN and date of birth."""
    provider = _my_provider(request)
    # The search terms are PHI: they come in a POST body, never in the URL (access logs, history).
    form = PatientSearchForm(request.POST if request.method == "POST" else None)
    query, date_of_birth = "", None
    if form.is_bound and form.is_valid():
        query = form.cleaned_data["q"] or ""
        date_of_birth = form.cleaned_data["date_of_birth"]
    patients = list(
        patient_search(user=request.user, query=query, date_of_birth=date_of_birth)[
            : PATIENTS_SHOWN + 1
        ]
    )
    return render(
        request,
        "providers/patient_list.html",
        {
            "provider": provider,
            "form": form,
            "patients": patients[:PATIENTS_SHOWN],
            "more": len(patients) > PATIENTS_SHOWN,
            "searched": bool(query or date_of_birth),
        },
        status=400 if form.errors else 200,
    )


def _age(date_of_birth: datetime.date, today: datetime.date) -> int:
    before_birthday = (today.month, today.day) < (date_of_birth.month, date_of_birth.day)
    return today.year - date_of_birth.year - before_birthday


def patient_header_context(*, patient, provider: Provider) -> dict:
    """What templates/providers/_patient_header.html needs (for other chart pages too)."""
    today = timezone.now().astimezone(provider.zone).date()
    return {"patient": patient, "age": _age(patient.date_of_birth, today)}


@provider_page
def patient_detail(request, patient_id: uuid.UUID):
    """The patient header (the records issue fills the page below it). Off the care team: 404."""
    provider = _my_provider(request)
    patient = get_object_or_404(
        visible_patients(request.user).select_related("user"), public_id=patient_id
    )
    # Demographics are health data: every read by the clinic is on the audit trail.
    audit_event("patient.viewed", actor=request.user, subject=patient, request=request)
    today = timezone.now().astimezone(provider.zone).date()
    upcoming = _with_actions(
        list(
            appointment_list_for(
                user=request.user,
                status=[
                    AppointmentStatus.REQUESTED,
                    AppointmentStatus.BOOKED,
                    AppointmentStatus.CHECKED_IN,
                ],
                start=_local_day_bounds(today, provider.zone)[0],
            ).filter(patient=patient)[:20]
        )
    )
    return render(
        request,
        "providers/patient_detail.html",
        {
            "provider": provider,
            **patient_header_context(patient=patient, provider=provider),
            "upcoming": upcoming,
            "zone": provider.time_zone,
        },
    )
