from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import WarrantStatus
from vigil.people.models import Person


class Warrant(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="warrants")
    reason = models.TextField()
    issued_at = models.DateTimeField()
    reported_at = models.DateTimeField(help_text="When the police were told of the warrant: with its issue, the policy's time.")
    status = models.CharField(max_length=12, choices=WarrantStatus.choices, default=WarrantStatus.OUTSTANDING)
    executed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.CharField(max_length=200, blank=True, help_text="Who arrested the subject on it (name, collar number).")
    custody_reference = models.CharField(max_length=60, blank=True, help_text="The custody record of the arrest on it.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    officer_in_case = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["issued_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=WarrantStatus.values), name="warrant_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=WarrantStatus.EXECUTED) | Q(executed_at__isnull=False), name="warrant_executed_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status=WarrantStatus.WITHDRAWN) | (Q(withdrawn_at__isnull=False) & ~Q(withdrawn_reason="")),
                name="warrant_withdrawn_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "issued_at"], name="warrant_status_idx")]

    def __str__(self) -> str:
        return self.reference
