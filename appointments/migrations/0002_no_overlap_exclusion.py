"""PostgreSQL only: no provider and no patient may hold two overlapping live appointments.

The services check overlaps under a row lock (which also works on SQLite); these exclusion
constraints are the final guard against concurrent requests. Live = requested, booked,
checked_in, completed (see appointments.models.LIVE_STATUSES). Buffers after a visit are a
scheduling preference enforced by the services, not by the database.
"""

from django.db import migrations

LIVE = "('requested', 'booked', 'checked_in', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_provider_no_overlap "
    "EXCLUDE USING gist (provider_id WITH =, tstzrange(\"start\", \"end\", '[)') WITH &&) "
    f"WHERE (status IN {LIVE})",
    "ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_patient_no_overlap "
    "EXCLUDE USING gist (patient_id WITH =, tstzrange(\"start\", \"end\", '[)') WITH &&) "
    f"WHERE (status IN {LIVE})",
]

REVERSE = [
    "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_provider_no_overlap",
    "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("appointments", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
