from __future__ import annotations

from django.db import models

from vigil.people.models import Person, Place


class Alarm(models.Model):
    """A police alarm or emergency device given to a person or fitted at a place."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alarms")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    fitted_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["fitted_at", "id"]


class AlarmActivation(models.Model):
    alarm = models.ForeignKey(Alarm, null=True, blank=True, on_delete=models.PROTECT, related_name="activations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="alarm_activations")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
