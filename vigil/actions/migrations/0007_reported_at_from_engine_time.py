"""Existing rows: when the police were told is the time the policy has read them at until now
(the old single time); rows that kept no entry time take the same. Nothing else changes."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    apps.get_model("actions", "Decision").objects.filter(recorded_at__isnull=True).update(recorded_at=F("at"))


class Migration(migrations.Migration):
    dependencies = [("actions", "0006_fact_times_reported_recorded_happened")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
