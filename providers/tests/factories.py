import datetime

import factory
from django.utils import timezone

from accounts.tests.factories import ProviderUserFactory
from providers.models import AvailabilityWindow, Provider, Specialty, TimeOff, VisitType
from providers.validators import npi_check_digit


def npi_for(n: int) -> str:
    first_nine = f"{100000000 + n:09d}"
    return f"{first_nine}{npi_check_digit(first_nine)}"


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Specialty {n}")
    slug = factory.Sequence(lambda n: f"specialty-{n}")


class ProviderFactory(factory.django.DjangoModelFactory):
    """A provider user (MFA enrolled) with a profile. Pass `user=` for an existing user."""

    class Meta:
        model = Provider

    user = factory.SubFactory(ProviderUserFactory)
    display_name = factory.LazyAttribute(
        lambda o: f"Dr. {o.user.first_name} {o.user.last_name}".strip()
    )
    credentials = "MD"
    specialty = factory.SubFactory(SpecialtyFactory)
    licence_number = factory.Sequence(lambda n: f"LIC-{n:05d}")
    npi = factory.Sequence(npi_for)
    time_zone = "America/New_York"
    location = "Main clinic"
    languages = "en"


class VisitTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VisitType

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Consultation {n}")
    duration_minutes = 30
    buffer_after_minutes = 0
    mode = "in_person"
    booking_policy = "self_book"


class AvailabilityWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityWindow
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    weekday = 0
    start_time = datetime.time(9, 0)
    end_time = datetime.time(17, 0)
    location = "Main clinic"

    @factory.post_generation
    def visit_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.visit_types.set(extracted)


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    provider = factory.SubFactory(ProviderFactory)
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=4))
    kind = TimeOff.Kind.TIME_OFF
