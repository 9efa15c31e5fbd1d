import uuid

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    PROVIDER = "provider", "Provider"
    ADMIN = "admin", "Admin"


# The Django group that mirrors each role, so admins can grant extra model permissions per role.
ROLE_GROUPS = {Role.PATIENT: "Patients", Role.PROVIDER: "Providers", Role.ADMIN: "Admins"}
PORTAL_URLS = {Role.PATIENT: "/patient/", Role.PROVIDER: "/provider/", Role.ADMIN: "/admin/"}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.ADMIN)
        user = self._create_user(email, password, **extra_fields)
        from accounts.services import user_sync_role_group

        user_sync_role_group(user=user)
        return user


class User(AbstractUser):
    """A person who signs in. Email is the login; the role decides the portal."""

    username = None
    email = models.EmailField("email address", unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(
        max_length=16, choices=Role.choices, default=Role.PATIENT, db_index=True
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in Role]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def is_provider(self) -> bool:
        return self.role == Role.PROVIDER

    @property
    def is_clinic_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def portal_url(self) -> str:
        return PORTAL_URLS[Role(self.role)]

    def get_absolute_url(self) -> str:
        return reverse("admin:accounts_user_change", args=[self.pk])


# --- Audit trail (relational adapter of accounts.audit; MongoDB holds it when MONGO_URL is set) ---


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Audit events are append-only")

    def delete(self):
        raise TypeError("Audit events are append-only")


class AuditEvent(models.Model):
    """One audited action: who (public id, email), on what (model label, public id), when, from where.

    Append-only. Written and read only through accounts.audit; details never hold PHI or secrets.
    """

    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.CharField(max_length=64)
    at = models.DateTimeField()
    actor_id = models.CharField(max_length=64, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    subject_type = models.CharField(max_length=100, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=256, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "-at"], name="audit_subject_at"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Audit events are append-only")
