"""Existing rows: when the police were told is the time the policy has read them at until now
(the old single time); rows that kept no entry time take the same. Nothing else changes."""

from django.db import migrations
from django.db.models import F


def forwards(apps, schema_editor):
    apps.get_model("cases", "Report").objects.filter(reported_at__isnull=True).update(reported_at=F("occurred_at"))
    apps.get_model("cases", "Sighting").objects.filter(reported_at__isnull=True).update(reported_at=F("seen_at"))
    apps.get_model("cases", "ContactAttempt").objects.filter(reported_at__isnull=True).update(reported_at=F("at"))
    apps.get_model("cases", "JusticeEvent").objects.filter(reported_at__isnull=True).update(reported_at=F("at"))
    apps.get_model("cases", "Intelligence").objects.filter(recorded_at__isnull=True).update(recorded_at=F("reported_at"))
    apps.get_model("cases", "RiskAssessment").objects.filter(recorded_at__isnull=True).update(recorded_at=F("completed_at"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_fact_times_reported_recorded_happened")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
