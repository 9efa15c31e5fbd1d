from django.db import migrations

COMPONENTS = [
    # slug, name, kind, group, order, degraded_after_ms, description
    ("web", "Web / API", "web", "Medora", 10, 1000, "The patient and provider portals and the API."),
    ("postgresql", "PostgreSQL", "database", "Data", 20, 500, "The system of record: accounts, appointments, records."),
    ("mongodb", "MongoDB (document store)", "document_store", "Data", 30, 500, "Audit trail, assistant conversations, probe samples."),
    ("redis", "Redis", "redis", "Data", 40, 250, "Cache, sessions and the task queue."),
    ("workers", "Celery workers", "workers", "Background work", 50, 1000, "Reminders, emails, exports and other background tasks."),
    ("beat", "Celery beat", "beat", "Background work", 60, 1000, "The scheduler of periodic work."),
    ("email", "Email", "email", "Notifications", 70, 1500, "Outgoing email: confirmations, reminders, alerts."),
]


def seed(apps, schema_editor):
    Component = apps.get_model("status", "Component")
    for slug, name, kind, group, order, degraded_after_ms, description in COMPONENTS:
        Component.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "group": group,
                "display_order": order,
                "degraded_after_ms": degraded_after_ms,
                "description": description,
                "is_public": True,
            },
        )


def unseed(apps, schema_editor):
    Component = apps.get_model("status", "Component")
    Component.objects.filter(slug__in=[row[0] for row in COMPONENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("status", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
