"""Reads on providers: search (with each one's next free slot), visit types."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role
from appointments.slots import (
    NEXT_FREE_SLOT_CACHE_SECONDS,
    Slot,
    next_free_slot,
    next_free_slot_cache_key,
    notice,
    providers_with_schedules,
)
from providers.models import BookingPolicy, Provider, VisitType

# How far provider search looks for the next free slot.
NEXT_SLOT_SEARCH_DAYS = 30


def provider_queryset() -> QuerySet[Provider]:
    """Providers patients can find: active accounts only."""
    return Provider.objects.filter(user__is_active=True).select_related("specialty", "user")


def _language_condition(code: str) -> Q:
    code = code.strip().lower()
    return (
        Q(languages=code)
        | Q(languages__startswith=f"{code},")
        | Q(languages__endswith=f",{code}")
        | Q(languages__contains=f",{code},")
    )


def provider_filter(
    *,
    specialty: str | None = None,
    name: str | None = None,
    language: str | None = None,
    providers: QuerySet[Provider] | None = None,
) -> QuerySet[Provider]:
    """Providers (from `providers`, default all findable) by specialty, name and language."""
    if providers is None:
        providers = provider_queryset()
    if specialty:
        providers = providers.filter(
            Q(specialty__slug=specialty) | Q(specialty__name__iexact=specialty)
        )
    if name:
        for word in name.split():
            providers = providers.filter(display_name__icontains=word)
    if language:
        providers = providers.filter(_language_condition(language))
    return providers.order_by("display_name", "pk")


_NO_FREE_SLOT = "none"


def _cache_entry(slot: Slot, visit_type: VisitType) -> tuple:
    # Plain values, not the model instances: unpickling a VisitType (with the provider and its
    # whole prefetched schedule it carried) was most of a warm search. By field name, so an
    # entry written before a migration added or dropped a field still reads (see below).
    return (
        slot.start,
        slot.end,
        slot.location,
        {f.attname: getattr(visit_type, f.attname) for f in VisitType._meta.concrete_fields},
    )


def _from_cache_entry(entry: tuple) -> tuple[Slot, VisitType]:
    start, end, location, values = entry
    # Fields the entry lacks are deferred (read on access); names it has that the model no
    # longer has are ignored.
    names = [f.attname for f in VisitType._meta.concrete_fields if f.attname in values]
    visit_type = VisitType.from_db(VisitType.objects.db, names, [values[name] for name in names])
    return Slot(start=start, end=end, location=location), visit_type


def provider_search(
    *,
    specialty: str | None = None,
    name: str | None = None,
    language: str | None = None,
    now: datetime.datetime | None = None,
    providers: Iterable[Provider] | None = None,
) -> list[Provider]:
    """Providers by specialty (slug or name), name and language, each with `.next_free_slot`
    (a Slot or None) and `.next_free_visit_type`, in a constant number of queries.

    `providers` (a queryset, or a page of providers already loaded) replaces the filters.

    Each provider's next free slot is cached for a minute (forgotten as soon as their
    schedule changes, see appointments.signals) and recomputed once it is within the notice.
    """
    now = now or timezone.now()
    if providers is None:
        providers = provider_filter(specialty=specialty, name=name, language=language)
    found = list(providers)
    cached = cache.get_many([next_free_slot_cache_key(provider.pk) for provider in found])
    earliest = now + notice()
    missing = []
    for provider in found:
        hit = cached.get(next_free_slot_cache_key(provider.pk))
        if hit == _NO_FREE_SLOT:
            provider.next_free_slot, provider.next_free_visit_type = None, None
        elif hit is not None and hit[0] >= earliest:
            provider.next_free_slot, provider.next_free_visit_type = _from_cache_entry(hit)
        else:
            missing.append(provider)
    if missing:
        _with_next_free_slot(missing, now=now)
        cache.set_many(
            {
                next_free_slot_cache_key(provider.pk): (
                    _cache_entry(provider.next_free_slot, provider.next_free_visit_type)
                    if provider.next_free_slot is not None
                    else _NO_FREE_SLOT
                )
                for provider in missing
            },
            timeout=NEXT_FREE_SLOT_CACHE_SECONDS,
        )
    return found


def _with_next_free_slot(providers: list[Provider], *, now: datetime.datetime) -> None:
    """Set each provider's `.next_free_slot` and `.next_free_visit_type`."""
    # Most providers have a free slot within the next few days: look there first (a small load),
    # then over the rest of the search period only for those still without one. Two rounds of
    # a fixed number of queries each, whatever the number of providers.
    # Local dates: a day early covers zones behind UTC (past slots are excluded by the notice).
    week_start = now.date() - datetime.timedelta(days=1)
    first_days = (week_start, week_start + datetime.timedelta(days=2))
    rest = (
        first_days[1] + datetime.timedelta(days=1),
        now.date() + datetime.timedelta(days=NEXT_SLOT_SEARCH_DAYS),
    )
    waiting = providers
    for start_date, end_date in (first_days, rest):
        for provider in providers_with_schedules(
            waiting, start_date=start_date, end_date=end_date, now=now
        ):
            found = next_free_slot(provider, now=now, start_date=start_date, end_date=end_date)
            provider.next_free_slot, provider.next_free_visit_type = found or (None, None)
            # Only needed here: not kept for as long as the caller keeps the providers.
            del provider.schedule, provider.bookable_visit_types
        waiting = [provider for provider in waiting if provider.next_free_slot is None]
        if not waiting:
            break


def visit_types_for(
    *, provider: Provider, bookable_online_only: bool = False
) -> QuerySet[VisitType]:
    visit_types = provider.visit_types.filter(active=True)
    if bookable_online_only:
        visit_types = visit_types.exclude(booking_policy=BookingPolicy.NOT_ONLINE)
    return visit_types.order_by("name", "pk")


def visit_types_bookable_by(*, provider: Provider, user) -> QuerySet[VisitType]:
    """The visit types `user` may book with `provider`: a patient only those bookable online;
    the clinic (the provider, an admin) every active one."""
    return visit_types_for(provider=provider, bookable_online_only=user.role == Role.PATIENT)
