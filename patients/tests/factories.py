import datetime

import factory

from accounts.tests.factories import PatientUserFactory
from patients.models import Patient
from providers.validators import luhn_check_digit


def _mrn(n: int) -> str:
    body = f"{9000000 + n % 1000000:07d}"
    return f"MRN-{body}{luhn_check_digit(body)}"


class PatientFactory(factory.django.DjangoModelFactory):
    """A patient user with a profile. Pass `user=` to give an existing user a profile."""

    class Meta:
        model = Patient

    user = factory.SubFactory(PatientUserFactory)
    # Deterministic (a random MRN could collide across 500 rows); same shape as mrn_generate().
    mrn = factory.Sequence(lambda n: _mrn(n))
    legal_first_name = factory.LazyAttribute(lambda o: o.user.first_name or "Pat")
    legal_last_name = factory.LazyAttribute(lambda o: o.user.last_name or "Example")
    date_of_birth = factory.Sequence(
        # Spread over ~60 years and never in the future, however many rows a suite makes.
        lambda n: datetime.date(1940, 1, 1) + datetime.timedelta(days=(97 * n) % 21900)
    )
    phone = "+1 555 0100"
    preferred_language = "en"
