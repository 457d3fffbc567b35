"""Operation Encompass: the schools directory (from the DfE's Get Information about Schools),
each school's key adult, the school each child attends, and each notice sent.

A notice says the minimum the school needs: the child's name, that an incident happened and
its date, and a police contact. Never the narrative, an address or the suspect."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class School(models.Model):
    urn = models.PositiveIntegerField(unique=True, help_text="The DfE's unique reference number.")
    name = models.CharField(max_length=200)
    postcode = models.CharField(max_length=10, blank=True)
    phase = models.CharField(max_length=60, blank=True, help_text="Phase of education, as GIAS gives it.")
    status = models.CharField(max_length=60, help_text="Establishment status, as GIAS gives it.")
    open = models.BooleanField(default=True)
    local_authority = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "urn"]
        indexes = [
            models.Index(fields=["name"], name="school_name_idx"),
            models.Index(fields=["postcode"], name="school_postcode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.urn})"


class KeyAdult(models.Model):
    """The school's designated key adult for Operation Encompass (usually the designated
    safeguarding lead). One is active at a time; earlier ones are kept."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="key_adults")
    name = models.CharField(max_length=200)
    email = models.EmailField(help_text="A secure address the school reads before the school day.")
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-active", "-since"]
        constraints = [
            models.UniqueConstraint(fields=["school"], condition=Q(active=True), name="key_adult_one_active_per_school")
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.school.name}"


class ChildSchool(models.Model):
    """The school a child attends, as the police recorded it. A change ends the old row."""

    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="schools_attended")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child"], condition=Q(ended_at__isnull=True), name="child_one_current_school")
        ]


class NoticeStatus(models.TextChoices):
    NO_SCHOOL = "no_school", "School not known: find the school"
    NO_KEY_ADULT = "no_key_adult", "The school has no key adult recorded"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent: waiting for the school to acknowledge"
    FAILED = "failed", "Delivery failed"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the school"


class SchoolNotice(models.Model):
    """One `notify_school` action's notice to the school."""

    action = models.OneToOneField("actions.Action", on_delete=models.PROTECT, related_name="school_notice")
    child = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    key_adult = models.ForeignKey(KeyAdult, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    status = models.CharField(max_length=15, choices=NoticeStatus.choices)
    incident_at = models.DateTimeField(help_text="When the police were told of the incident.")
    police_contact = models.CharField(max_length=300)
    message = models.ForeignKey(
        "notifications.Message", null=True, blank=True, on_delete=models.PROTECT, related_name="school_notices"
    )
    token_digest = models.CharField(max_length=64, blank=True, help_text="Keyed digest of the link's secret; empty once used.")
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=200, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=NoticeStatus.values), name="notice_status_valid")]
