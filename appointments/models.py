import uuid

from django.conf import settings
from django.db import models


class AppointmentStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Live appointments hold their time: a pending request holds it too (so the provider can confirm
# it without a clash), and past ones stay live so history never overlaps. Cancelling frees the
# slot, and so does marking a no-show (the provider may fit someone in after it).
LIVE_STATUSES = (
    AppointmentStatus.REQUESTED,
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class Via(models.TextChoices):
    PORTAL = "portal", "Patient portal"
    PROVIDER = "provider", "Provider portal"
    ADMIN = "admin", "Admin"
    API = "api", "API"
    CHATBOT = "chatbot", "Chatbot"


class Appointment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="appointments"
    )
    visit_type = models.ForeignKey(
        "providers.VisitType", on_delete=models.PROTECT, related_name="appointments"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    # PHI: never log it, never put it in an error message or the audit details.
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cancel_reason = models.CharField(max_length=200, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    video_link = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=16, choices=Via.choices, default=Via.PORTAL)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    # Set on the new appointment when one is rescheduled (the old one is cancelled).
    rescheduled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["provider", "start"]),
            models.Index(fields=["patient", "start"]),
            models.Index(fields=["status", "start"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="appointment_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[choice.value for choice in AppointmentStatus]),
                name="appointment_status_valid",
            ),
            # The no-overlap exclusion constraints (PostgreSQL only) are in migration 0002.
        ]

    def __str__(self) -> str:
        return f"Appointment {self.public_id}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class WaitlistEntry(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        OFFERED = "offered", "Offered a slot"
        BOOKED = "booked", "Booked"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    visit_type = models.ForeignKey(
        "providers.VisitType", on_delete=models.CASCADE, related_name="waitlist_entries"
    )
    earliest_date = models.DateField()
    latest_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["provider", "status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_date__gte=models.F("earliest_date")),
                name="waitlist_entry_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist entry {self.public_id}"


class WaitlistOffer(models.Model):
    """A freed slot held for one waitlisted patient until `hold_until`."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        CLAIMED = "claimed", "Claimed"
        EXPIRED = "expired", "Expired"
        DECLINED = "declined", "Declined"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    start = models.DateTimeField()
    end = models.DateTimeField()
    hold_until = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFERED)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "hold_until"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="waitlist_offer_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Waitlist offer {self.public_id}"


class Notification(models.Model):
    """One email (or other message) sent. `dedupe_key` makes a retry never send it twice."""

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    offer = models.ForeignKey(
        WaitlistOffer, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.dedupe_key
