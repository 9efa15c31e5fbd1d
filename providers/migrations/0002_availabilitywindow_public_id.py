"""A public id for availability windows, so the provider portal can edit one by URL.

Existing rows get their own UUID before the column becomes unique (a callable default would give
every existing row the same value)."""

import uuid

from django.db import migrations, models


def fill_public_ids(apps, schema_editor):
    AvailabilityWindow = apps.get_model("providers", "AvailabilityWindow")
    windows = list(AvailabilityWindow.objects.filter(public_id__isnull=True).only("pk"))
    for window in windows:
        window.public_id = uuid.uuid4()
    AvailabilityWindow.objects.bulk_update(windows, ["public_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="availabilitywindow",
            name="public_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="availabilitywindow",
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
