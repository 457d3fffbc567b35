"""Existing rows: when the police were told is the time the policy has read them at until now
(the old single time); rows that kept no entry time take the same. Nothing else changes."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    apps.get_model("warrants", "Warrant").objects.filter(reported_at__isnull=True).update(reported_at=F("issued_at"))


class Migration(migrations.Migration):
    dependencies = [("warrants", "0002_fact_times_reported_recorded_happened")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
