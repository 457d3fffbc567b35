"""Where a monitored subject stands against each exclusion zone, for the hysteresis rule
(docs/api.md, 'Electronic monitoring'). The fixes themselves are not kept: only the state,
and a sighting for each breach."""

from __future__ import annotations

from django.db import models


class ZonePresence(models.Model):
    subject = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    condition = models.ForeignKey("orders.OrderCondition", on_delete=models.PROTECT, related_name="+")
    inside = models.BooleanField(default=False)
    entered_at = models.DateTimeField(null=True, blank=True, help_text="The fix that started the current breach.")
    sighting = models.ForeignKey("cases.Sighting", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    beyond_since = models.DateTimeField(
        null=True, blank=True, help_text="While inside: the first fix beyond the margin since the last one within it."
    )
    last_fix_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subject", "condition"], name="zone_presence_unique")]

    def __str__(self) -> str:
        return f"{self.subject_id} {'inside' if self.inside else 'outside'} zone {self.condition_id}"
