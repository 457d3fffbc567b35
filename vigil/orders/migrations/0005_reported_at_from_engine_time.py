"""Existing rows: when the police were told is the time the policy has read them at until now
(the old single time); rows that kept no entry time take the same. Nothing else changes."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    apps.get_model("orders", "ProtectiveOrder").objects.filter(reported_at__isnull=True).update(reported_at=F("starts_at"))
    apps.get_model("orders", "Breach").objects.filter(reported_at__isnull=True).update(reported_at=F("at"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_fact_times_reported_recorded_happened")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
