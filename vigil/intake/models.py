from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from vigil.core.crypto import EncryptedTextField


class IntakeDraft(models.Model):
    """A case being opened, page by page, so nothing typed is lost if the officer is called
    away. What was typed is personal data and is kept encrypted. Never deleted: once
    submitted it points at the case it opened."""

    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    content = EncryptedTextField(blank=True, help_text="What was typed so far, as JSON (encrypted at rest).")
    submitted_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-updated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True, case__isnull=True)
                | models.Q(submitted_at__isnull=False, case__isnull=False),
                name="intake_submitted_has_case",
            )
        ]

    def __str__(self) -> str:
        return f"Case being opened by {self.started_by} ({self.started_at:%d %b %Y %H:%M})"

    @property
    def data(self) -> dict[str, Any]:
        if not self.content:
            return {}
        loaded: dict[str, Any] = json.loads(self.content)
        return loaded
