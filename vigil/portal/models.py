"""The victims' and families' portal: the helpline directory, reporting access, and what
people send through it.

A `PortalSubmission` is written before anything else is attempted and is never deleted, so
nothing a victim sends is lost even when recording it fails."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import ContactChannel
from vigil.core.crypto import EncryptedTextField
from vigil.portal.constants import AccessMethod, SeenBy, SubmissionKind, SubmissionStatus


class Helpline(models.Model):
    """One entry in the public directory of helplines and services. Edited by an administrator."""

    name = models.CharField(max_length=200)
    for_whom = models.TextField("Who it is for")
    phone = models.CharField("Phone", max_length=60, blank=True)
    text = models.CharField("Text or SMS", max_length=200, blank=True)
    email = models.EmailField("Email", blank=True)
    web_chat = models.URLField("Web chat", blank=True)
    website = models.URLField(blank=True)
    opening_hours = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers come first.")
    active = models.BooleanField(default=True, help_text="Untick to hide the entry without losing it.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")


class ReportingAccess(models.Model):
    """A reference and one-time PIN, or a single-use link, that lets the victim (or a family
    member the victim names) send one report about a case. Only a hash of the secret is kept."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="reporting_access")
    reporter = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    reporter_is_victim = models.BooleanField()
    victim_consent = models.BooleanField(default=False, help_text="The victim asked for this person to be able to report.")
    method = models.CharField(max_length=10, choices=AccessMethod.choices)
    reference = models.CharField(max_length=20, unique=True)
    secret_hash = models.CharField(max_length=200, editable=False)
    link_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    withdrawn_reason = models.TextField(blank=True)
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name_plural = "reporting access"
        constraints = [
            models.CheckConstraint(condition=Q(method__in=AccessMethod.values), name="portal_access_method_valid"),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("issued_at")), name="portal_access_expires_after_issue"),
            models.CheckConstraint(
                condition=Q(reporter_is_victim=True) | Q(victim_consent=True), name="portal_access_family_needs_consent"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawn_reason=""), name="portal_access_withdrawal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Reporting access {self.reference}"


class PortalSubmission(models.Model):
    """What someone sent through the portal, exactly as sent, and what became of it."""

    reference = models.CharField(max_length=20, unique=True, help_text="The receipt reference the reporter was shown.")
    access = models.ForeignKey(ReportingAccess, on_delete=models.PROTECT, related_name="submissions")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="portal_submissions")
    kind = models.CharField(max_length=10, choices=SubmissionKind.choices)
    happened_at = models.DateTimeField()
    happened_date_only = models.BooleanField(
        default=False, help_text="The sender gave the day but not the time: happened_at is that day's start, shown as a day."
    )
    where = EncryptedTextField(blank=True, max_length=500)
    known_place = models.ForeignKey(
        "people.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="A place the sender chose by name ('at or near my home').",
    )
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    channel = models.CharField(max_length=15, choices=ContactChannel.choices, blank=True)
    seen_by = models.CharField(max_length=15, choices=SeenBy.choices)
    seen_by_name = EncryptedTextField(blank=True, max_length=200)
    details = EncryptedTextField(blank=True, max_length=5000)
    received_at = models.DateTimeField()
    status = models.CharField(max_length=15, choices=SubmissionStatus.choices, default=SubmissionStatus.RECEIVED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    recorded_as = models.CharField(max_length=60, blank=True, help_text="The record made from it, e.g. cases.sighting:12.")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SubmissionKind.values), name="portal_submission_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SubmissionStatus.values), name="portal_submission_status_valid"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True) | Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="portal_submission_lat_lon_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind=SubmissionKind.CONTACT) | ~Q(channel=""), name="portal_submission_contact_has_channel"
            ),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="portal_submission_status_idx")]

    def __str__(self) -> str:
        return f"Portal report {self.reference}"


class PortalRateHit(models.Model):
    """One attempt against a rate-limit bucket (a keyed hash of an address, or a reference)."""

    bucket = models.CharField(max_length=80)
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["bucket", "at"], name="portal_rate_bucket_idx")]
