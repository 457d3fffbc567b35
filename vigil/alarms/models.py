from __future__ import annotations

from django.db import models

from vigil.core.times import happened_constraints, happened_fields
from vigil.people.models import Person, Place


class Alarm(models.Model):
    """A police alarm or emergency device given to a person or fitted at a place."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alarms")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fitted_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(help_text="When the police were told it was fitted (usually when they fitted it).")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["fitted_at", "id"]


class AlarmActivation(models.Model):
    alarm = models.ForeignKey(Alarm, null=True, blank=True, on_delete=models.PROTECT, related_name="activations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alarm_activations")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at, at_until, at_date_only = happened_fields("at", "the alarm was pressed")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [*happened_constraints("at", "alarm_activation")]
