import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.db import models

from providers.validators import validate_npi, validate_time_zone


def calendar_token_new() -> str:
    return secrets.token_urlsafe(32)


class Specialty(models.Model):
    """The admin-managed list of specialties providers are searched by."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """A clinician's profile: credentials, specialty, time zone. One per provider user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="provider_profile"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    display_name = models.CharField(max_length=200)
    credentials = models.CharField(max_length=50, blank=True, help_text="e.g. MD, DO, NP")
    specialty = models.ForeignKey(
        Specialty, null=True, blank=True, on_delete=models.PROTECT, related_name="providers"
    )
    licence_number = models.CharField(max_length=50, blank=True)
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    bio = models.TextField(blank=True)
    accepting_new_patients = models.BooleanField(default=True)
    time_zone = models.CharField(
        max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    location = models.CharField(max_length=200, blank=True)
    # Language codes separated by commas ("en,es"): searchable the same way on SQLite and PostgreSQL.
    languages = models.CharField(max_length=100, blank=True, default="en")
    calendar_token = models.CharField(
        max_length=64, unique=True, default=calendar_token_new, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(npi__regex=r"^[0-9]{10}$"), name="provider_npi_10_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def language_list(self) -> list[str]:
        return [code.strip() for code in self.languages.split(",") if code.strip()]

    @property
    def title(self) -> str:
        return f"{self.display_name}, {self.credentials}" if self.credentials else self.display_name


class VisitMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"


class BookingPolicy(models.TextChoices):
    SELF_BOOK = "self_book", "Patients may book"
    REQUEST_ONLY = "request_only", "Patients may request (provider confirms)"
    NOT_ONLINE = "not_online", "Not bookable online"


class VisitType(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="visit_types")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=100)
    duration_minutes = models.PositiveSmallIntegerField(default=30)
    buffer_after_minutes = models.PositiveSmallIntegerField(default=0)
    mode = models.CharField(max_length=16, choices=VisitMode.choices, default=VisitMode.IN_PERSON)
    booking_policy = models.CharField(
        max_length=16, choices=BookingPolicy.choices, default=BookingPolicy.SELF_BOOK
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="visit_type_duration_range",
            ),
            models.CheckConstraint(
                condition=models.Q(buffer_after_minutes__lte=240), name="visit_type_buffer_range"
            ),
            models.CheckConstraint(
                condition=models.Q(mode__in=[choice.value for choice in VisitMode]),
                name="visit_type_mode_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(booking_policy__in=[choice.value for choice in BookingPolicy]),
                name="visit_type_booking_policy_valid",
            ),
            models.UniqueConstraint(fields=["provider", "name"], name="visit_type_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.duration_minutes} min)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityWindow(models.Model):
    """A weekly recurring working window, in the provider's local wall-clock time."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, on_delete=models.CASCADE, related_name="availability_windows"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField()
    end_time = models.TimeField()
    location = models.CharField(max_length=200, blank=True)
    # Empty means every visit type of the provider may be booked in this window.
    visit_types = models.ManyToManyField(VisitType, blank=True, related_name="availability_windows")

    class Meta:
        ordering = ["provider", "weekday", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=models.F("start_time")),
                name="availability_window_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="availability_window_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class TimeOff(models.Model):
    """A one-off block: time off removes availability, extra hours add it."""

    class Kind(models.TextChoices):
        TIME_OFF = "time_off", "Time off"
        EXTRA_HOURS = "extra_hours", "Extra hours"

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="time_off")
    start = models.DateTimeField()
    end = models.DateTimeField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TIME_OFF)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["provider", "start"]
        verbose_name = "time off / extra hours"
        verbose_name_plural = "time off / extra hours"
        indexes = [models.Index(fields=["provider", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="time_off_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=["time_off", "extra_hours"]), name="time_off_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%Y-%m-%d %H:%M}"
