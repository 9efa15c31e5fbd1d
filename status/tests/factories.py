from datetime import timedelta

import factory
from django.utils import timezone

from status.models import Component, Impact, Incident, IncidentStatus, IncidentUpdate, Maintenance


def component(slug: str) -> Component:
    """The seeded component (data migration) with this slug."""
    return Component.objects.get(slug=slug)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    impact = Impact.MINOR
    started_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class IncidentUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncidentUpdate

    incident = factory.SubFactory(IncidentFactory)
    status = IncidentStatus.INVESTIGATING
    message = "Looking into it."
    posted_at = factory.LazyFunction(timezone.now)


class MaintenanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Maintenance

    title = factory.Sequence(lambda n: f"Maintenance {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=10))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
