"""The portal's kinds and statuses, as TextChoices (kept with the app: they are not case data)."""

from __future__ import annotations

from django.db import models


class AccessMethod(models.TextChoices):
    PIN = "pin", "Reference and one-time PIN"
    LINK = "link", "Single-use link"


class AccessState(models.TextChoices):
    ACTIVE = "active", "Can be used"
    USED = "used", "Used"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"
    LOCKED = "locked", "Locked after wrong PINs"


class SubmissionKind(models.TextChoices):
    SIGHTING = "sighting", "They were seen"
    CONTACT = "contact", "They tried to contact the victim"
    BREACH = "breach", "They broke the order in another way"


class SeenBy(models.TextChoices):
    REPORTER = "reporter", "The person reporting"
    SOMEONE_ELSE = "someone_else", "Someone else"


class SubmissionStatus(models.TextChoices):
    RECEIVED = "received", "Received, not yet recorded"
    RECORDED = "recorded", "Recorded"
    FAILED = "failed", "Recording failed: will be retried"
    NEEDS_OFFICER = "needs_officer", "An officer must record it"
