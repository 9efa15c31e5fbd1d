import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import Role, User
from accounts.services import user_sync_role_group

DEFAULT_PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def finish(self, create, extracted, **kwargs):
        if not create:
            return
        self.save()
        user_sync_role_group(user=self)
        EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def enrol_totp(user: User) -> str:
    """Give the user a TOTP authenticator (as a completed enrolment would); returns the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


class PatientUserFactory(UserFactory):
    role = Role.PATIENT


class ProviderUserFactory(UserFactory):
    role = Role.PROVIDER

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted is not False:
            enrol_totp(self)


class AdminUserFactory(UserFactory):
    role = Role.ADMIN
    is_superuser = True

    @factory.post_generation
    def mfa(self, create, extracted, **kwargs):
        if create and extracted is not False:
            enrol_totp(self)
