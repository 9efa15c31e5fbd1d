"""Patient portal pages (/patient/). Layout and initial data are rendered here; the page scripts
(static/js/patient-portal.js) call /api/v1/ for search, slots, booking, cancel, reschedule and the
waitlist. Booking, cancelling and the profile also work without JavaScript (plain form posts to
these views, which call the same services as the API)."""

import datetime
import uuid
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from accounts.decorators import role_required
from accounts.models import Role
from appointments import services as appointment_services
from appointments.models import AppointmentStatus, Via, WaitlistEntry, WaitlistOffer
from appointments.selectors import (
    appointment_list_for,
    visible_waitlist_entries,
    waitlist_offers_for,
)
from appointments.services import appointment_change_deadline
from appointments.slots import slot_list
from config.api import ApplicationError, ConflictError, is_schedulable
from patients.forms import PatientContactForm, PatientStartForm
from patients.selectors import patient_for_user
from patients.services import patient_create, patient_update_contact
from providers.models import BookingPolicy, Specialty
from providers.selectors import provider_filter, provider_queryset, provider_search, visit_types_for

UPCOMING = (AppointmentStatus.REQUESTED, AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
SEARCH_RESULTS = 25
# Languages patients can search providers by (codes as stored on Provider.languages).
LANGUAGES = (
    ("en", "English"),
    ("es", "Spanish"),
    ("fr", "French"),
    ("de", "German"),
    ("pt", "Portuguese"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("ar", "Arabic"),
    ("hi", "Hindi"),
    ("ru", "Russian"),
    ("ko", "Korean"),
    ("tl", "Tagalog"),
)
PAST_SHOWN = 50


class _NoPatientProfile(Exception):
    pass


def _my_patient(request):
    patient = patient_for_user(request.user)
    if patient is None:
        raise _NoPatientProfile
    return patient


def patient_page(view):
    """A page of the patient portal: patients only; without a profile yet, first complete it."""

    @role_required(Role.PATIENT)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _NoPatientProfile:
            return redirect("patient_portal:home")

    return wrapper


def _decorate(appointment, now: datetime.datetime):
    """What the templates need to show an appointment's policy without more queries."""
    deadline = appointment_change_deadline(appointment=appointment)
    appointment.change_until = deadline
    appointment.can_change = deadline is not None and now <= deadline
    appointment.zone = appointment.provider.time_zone
    return appointment


def _policy_context() -> dict:
    return {"cutoff_hours": settings.APPOINTMENT_CANCEL_CUTOFF_HOURS}


def _profile_start(request):
    """A new patient account (self sign-up) names itself before using the portal."""
    form = PatientStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient_create(user=request.user, by=request.user, **form.cleaned_data)
        except ConflictError:
            pass  # created meanwhile (a second tab): nothing to do
        except ApplicationError as error:
            form.add_application_error(error)
        if not form.errors:
            messages.success(request, "Welcome to Medora. Your patient profile is ready.")
            return redirect("patient_portal:home")
    return render(
        request, "patients/profile_start.html", {"form": form}, status=400 if form.errors else 200
    )


@role_required(Role.PATIENT)
def home(request):
    patient = patient_for_user(request.user)
    if patient is None:
        return _profile_start(request)
    now = timezone.now()
    upcoming = list(appointment_list_for(user=request.user, status=list(UPCOMING), start=now)[:3])
    for appointment in upcoming:
        _decorate(appointment, now)
    offers = list(
        waitlist_offers_for(request.user)
        .filter(status=WaitlistOffer.Status.OFFERED, hold_until__gt=now)
        .order_by("hold_until", "pk")[:5]
    )
    return render(
        request,
        "patients/home.html",
        {
            "patient": patient,
            "next_appointment": upcoming[0] if upcoming else None,
            "later_appointments": upcoming[1:],
            "offers": offers,
            **_policy_context(),
        },
    )


@patient_page
def provider_find(request):
    _my_patient(request)
    specialty = request.GET.get("specialty", "").strip()
    name = request.GET.get("name", "").strip()
    language = request.GET.get("language", "").strip()
    # Next free slots are computed for the page shown only, in a constant number of queries.
    shown = provider_filter(specialty=specialty, name=name, language=language)[:SEARCH_RESULTS]
    providers = provider_search(providers=list(shown))
    return render(
        request,
        "patients/provider_find.html",
        {
            "providers": providers,
            "specialties": Specialty.objects.order_by("name"),
            "query": {"specialty": specialty, "name": name, "language": language},
            "languages": LANGUAGES,
            "searched": bool(specialty or name or language),
        },
    )


def _week_start(request, zone) -> datetime.date:
    today = timezone.now().astimezone(zone).date()
    try:
        asked = parse_date(request.GET.get("week", ""))
    except ValueError:
        asked = None
    if asked is not None and not is_schedulable(asked):
        asked = None  # year 9999 plus a week overflowed into a 500
    return max(asked or today, today)


def _visible_appointment(request, appointment_id):
    return get_object_or_404(appointment_list_for(user=request.user), public_id=appointment_id)


@patient_page
def provider_slots(request, provider_id):
    """A week of free slots of one provider and visit type; prev/next week; join the waitlist."""
    patient = _my_patient(request)
    provider = get_object_or_404(provider_queryset(), public_id=provider_id)
    visit_types = list(visit_types_for(provider=provider, bookable_online_only=True))
    reschedule = None
    if request.GET.get("reschedule"):
        reschedule = _visible_appointment(request, _uuid(request.GET["reschedule"]))
        if reschedule.provider_id != provider.pk:
            raise Http404("Appointment not found.")
        visit_types = [reschedule.visit_type]
    visit_type = None
    if visit_types:
        wanted = request.GET.get("visit_type", "")
        visit_type = next((vt for vt in visit_types if str(vt.public_id) == wanted), visit_types[0])
    zone = provider.zone
    week_start = _week_start(request, zone)
    week_end = week_start + datetime.timedelta(days=6)
    today = timezone.now().astimezone(zone).date()
    days = []
    if visit_type is not None:
        slots = slot_list(
            provider=provider,
            visit_type=visit_type,
            start_date=week_start,
            end_date=week_end,
            patient=patient,
        )
        by_day = {week_start + datetime.timedelta(days=n): [] for n in range(7)}
        for slot in slots:
            by_day.setdefault(slot.start.astimezone(zone).date(), []).append(slot)
        days = [{"date": day, "slots": by_day[day]} for day in sorted(by_day)]
    return render(
        request,
        "patients/provider_slots.html",
        {
            "provider": provider,
            "visit_types": visit_types,
            "visit_type": visit_type,
            "days": days,
            "week_start": week_start,
            "week_end": week_end,
            "prev_week": (week_start - datetime.timedelta(days=7) if week_start > today else None),
            "next_week": week_start + datetime.timedelta(days=7),
            "reschedule": reschedule,
            "zone": provider.time_zone,
            "today": today,
        },
    )


def _booking_target(request, source):
    """Provider, visit type and start named in a booking link or form (404 when unknown)."""
    provider = get_object_or_404(provider_queryset(), public_id=_uuid(source.get("provider")))
    visit_type = get_object_or_404(
        visit_types_for(provider=provider), public_id=_uuid(source.get("visit_type"))
    )
    try:
        start = parse_datetime(source.get("start", "") or "")
    except ValueError:
        start = None
    if start is None or timezone.is_naive(start) or not is_schedulable(start):
        raise Http404("No such time.")
    return provider, visit_type, start


def _uuid(value):
    """A UUID from a query or form value; anything else is as unknown as a missing object."""
    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise Http404("Not found.") from error


@patient_page
def book(request):
    """The confirmation step before booking (or requesting, or moving) a visit."""
    patient = _my_patient(request)
    source = request.POST if request.method == "POST" else request.GET
    provider, visit_type, start = _booking_target(request, source)
    reschedule = None
    if source.get("reschedule"):
        reschedule = _visible_appointment(request, _uuid(source["reschedule"]))
        if reschedule.provider_id != provider.pk:
            raise Http404("Appointment not found.")
        visit_type = reschedule.visit_type  # a move keeps the visit type
    error = None
    reason = source.get("reason", "")
    if request.method == "POST":
        try:
            if reschedule is not None:
                appointment = appointment_services.appointment_reschedule(
                    appointment=reschedule, start=start, by=request.user
                )
            else:
                appointment = appointment_services.appointment_book(
                    patient=patient,
                    provider=provider,
                    visit_type=visit_type,
                    start=start,
                    reason=reason[:2000],
                    by=request.user,
                    via=Via.PORTAL,
                )
        except ApplicationError as exc:
            error = exc
        else:
            return redirect(
                reverse("patient_portal:appointment", args=[appointment.public_id]) + "?done=1"
            )
    return render(
        request,
        "patients/book.html",
        {
            "provider": provider,
            "visit_type": visit_type,
            "start": start,
            "end": start + datetime.timedelta(minutes=visit_type.duration_minutes),
            "is_request": visit_type.booking_policy == BookingPolicy.REQUEST_ONLY,
            "reschedule": reschedule,
            "reason": reason,
            "error": error,
            "zone": provider.time_zone,
            **_policy_context(),
        },
        status=error.status_code if error is not None else 200,
    )


@patient_page
def appointment_list(request):
    _my_patient(request)
    now = timezone.now()
    appointments = appointment_list_for(user=request.user)
    upcoming = [
        _decorate(appointment, now)
        for appointment in appointments.filter(start__gte=now, status__in=UPCOMING)
    ]
    past = [
        _decorate(appointment, now)
        for appointment in appointments.exclude(start__gte=now, status__in=UPCOMING).order_by(
            "-start", "-pk"
        )[:PAST_SHOWN]
    ]
    return render(
        request,
        "patients/appointment_list.html",
        {"upcoming": upcoming, "past": past, **_policy_context()},
    )


@patient_page
def appointment_detail(request, appointment_id):
    """One appointment: the result page after booking; cancel (no-JS fallback) and reschedule."""
    _my_patient(request)
    appointment = _visible_appointment(request, appointment_id)
    error = None
    if request.method == "POST" and request.POST.get("action") == "cancel":
        try:
            appointment_services.appointment_cancel(
                appointment=appointment,
                by=request.user,
                reason=request.POST.get("reason", "")[:200],
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(request, "Your appointment is cancelled.")
            return redirect("patient_portal:appointment", appointment_id=appointment.public_id)
    _decorate(appointment, timezone.now())
    return render(
        request,
        "patients/appointment_detail.html",
        {
            "appointment": appointment,
            "just_done": request.GET.get("done") == "1",
            "error": error,
            **_policy_context(),
        },
        status=error.status_code if error is not None else 200,
    )


@patient_page
def profile(request):
    """My profile: everything shown, contact details editable, MRN and date of birth read-only."""
    patient = _my_patient(request)
    if request.method == "POST":
        form = PatientContactForm(request.POST, patient=patient)
        if form.is_valid():
            try:
                patient_update_contact(patient=patient, by=request.user, **form.changed_values())
            except ApplicationError as exc:
                form.add_application_error(exc)
                patient.refresh_from_db()
            else:
                messages.success(request, "Your details are saved.")
                return redirect("patient_portal:profile")
    else:
        form = PatientContactForm(patient=patient)
    return render(
        request,
        "patients/profile.html",
        {"patient": patient, "form": form},
        status=400 if form.errors else 200,
    )


def _waitlist_post(request, patient):
    """The no-JavaScript fallback of the waitlist buttons (join, leave, claim)."""
    action = request.POST.get("action", "join")
    if action == "leave":
        entry = get_object_or_404(
            visible_waitlist_entries(request.user), public_id=_uuid(request.POST.get("entry"))
        )
        appointment_services.waitlist_leave(entry=entry, by=request.user)
        messages.success(request, "You have left this waitlist.")
        return redirect("patient_portal:waitlist")
    if action == "claim":
        offer = get_object_or_404(
            waitlist_offers_for(request.user), public_id=_uuid(request.POST.get("offer"))
        )
        appointment = appointment_services.waitlist_claim(
            offer=offer, by=request.user, reason=request.POST.get("reason", "")[:2000]
        )
        return redirect(
            reverse("patient_portal:appointment", args=[appointment.public_id]) + "?done=1"
        )
    provider = get_object_or_404(provider_queryset(), public_id=_uuid(request.POST.get("provider")))
    visit_type = get_object_or_404(
        visit_types_for(provider=provider), public_id=_uuid(request.POST.get("visit_type"))
    )
    earliest, latest = (
        parse_date(request.POST.get("earliest_date", "")),
        parse_date(request.POST.get("latest_date", "")),
    )
    if earliest is None or latest is None:
        raise ApplicationError("Give both dates.", code="invalid_dates")
    if not (is_schedulable(earliest) and is_schedulable(latest)):
        raise ApplicationError("Choose dates in the calendar.", code="invalid_dates")
    appointment_services.waitlist_join(
        patient=patient,
        provider=provider,
        visit_type=visit_type,
        earliest_date=earliest,
        latest_date=latest,
        by=request.user,
    )
    messages.success(request, "You are on the waitlist.")
    return redirect("patient_portal:waitlist")


@patient_page
def waitlist(request):
    """My waitlist entries and any slot held for me (with its countdown), to claim."""
    patient = _my_patient(request)
    error = None
    if request.method == "POST":
        try:
            return _waitlist_post(request, patient)
        except (ApplicationError, ValueError) as exc:
            error = exc if isinstance(exc, ApplicationError) else ApplicationError("Invalid date.")
    now = timezone.now()
    entries = list(
        visible_waitlist_entries(request.user).filter(
            status__in=(WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED)
        )
    )
    offers = list(
        waitlist_offers_for(request.user)
        .filter(status=WaitlistOffer.Status.OFFERED, hold_until__gt=now)
        .order_by("hold_until", "pk")
    )
    return render(
        request,
        "patients/waitlist.html",
        {"entries": entries, "offers": offers, "now": now, "error": error},
        status=error.status_code if error is not None else 200,
    )
