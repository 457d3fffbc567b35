"""Every message Vigil sends, to whom, from which template, and whether it was delivered.

Nothing is deleted: a failed message stays failed, with its last error, so a school that was
never told, or a sergeant never paged, can be seen and followed up."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.crypto import EncryptedTextField


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "Email me each one as it happens"
    DIGEST = "digest", "One email a day with everything (immediate-priority work is still sent at once)"


class Priority(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    NORMAL = "normal", "Normal"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    RETRYING = "retrying", "Not delivered yet: will try again"
    SENT = "sent", "Delivered"
    FAILED = "failed", "Failed"
    DIGEST = "digest", "Waiting for the daily digest"
    IN_DIGEST = "in_digest", "Sent in a daily digest"


class Preference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notification_preference")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(mode__in=Mode.values), name="notification_mode_valid")]


class Message(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="messages",
        help_text="The recipient, when it is a user (a key adult at a school is not).",
    )  # fmt: skip
    to_address = models.CharField(max_length=254, blank=True, help_text="Empty when the recipient has no address.")
    to_name = models.CharField(max_length=200, blank=True)
    template = models.CharField(max_length=40)
    subject = models.CharField(max_length=200)
    body = EncryptedTextField(help_text="Encrypted at rest: a school notice names a child.")
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    provider_ref = models.CharField(max_length=200, blank=True, help_text="The Message-ID, or GOV.UK Notify's id.")
    backend = models.CharField(max_length=20, blank=True)
    digest = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    key = models.CharField(max_length=120, null=True, blank=True, unique=True, help_text="So one event is never sent twice.")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="message_status_valid"),
            models.CheckConstraint(condition=Q(priority__in=Priority.values), name="message_priority_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due_idx"),
            models.Index(fields=["user", "status"], name="message_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.to_address or self.user}"


class Cursor(models.Model):
    """How far through the audit trail the notifier has read."""

    name = models.CharField(max_length=40, unique=True)
    seq = models.BigIntegerField()
