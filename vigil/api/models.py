"""API clients (service accounts), their tokens, and what the event API has received.

A client is created by an administrator (`vigil api-client create`), never through the API.
Its scope says which teams and areas it may write to and read, which event types it may
send, from which source systems, and whether it may read at all. Its tokens are stored as
SHA-256 digests: the token itself is shown once, when it is made.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ApiClient(models.Model):
    name = models.CharField(max_length=60, unique=True, help_text="Lower case letters, digits and hyphens.")
    description = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(
        default=list, help_text="The systems it speaks for (their ids name people, places and events); the first is its default."
    )
    teams = models.ManyToManyField("core.Team", blank=True, related_name="+")
    areas = models.ManyToManyField("core.Area", blank=True, related_name="+", help_text="Every team in these areas.")
    event_types = models.JSONField(default=list, help_text="The event types it may send.")
    can_read = models.BooleanField(default=False, help_text="May read cases' open actions and teams' boards.")
    rate_limit = models.PositiveIntegerField(default=120, help_text="Requests per minute.")
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(rate_limit__gte=1), name="api_client_rate_limit_positive")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """Who acted, in the audit trail."""
        return f"api:{self.name}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiToken(models.Model):
    """One bearer token. `prefix` finds the row; `digest` (SHA-256 of the whole token) checks it."""

    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="tokens")
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Set when the token is rotated out.")
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.client.name} {self.prefix}…"


class ApiRateWindow(models.Model):
    """Requests a client made in one minute (fixed windows, counted under a row lock)."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "window"], name="api_rate_window_unique")]


class ExternalRef(models.Model):
    """A sending system's own id for a record Vigil holds: (source, kind, external_id) names
    one person, place, order, warrant or disclosure request for good."""

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        PLACE = "place", "Place"
        ORDER = "order", "Order"
        WARRANT = "warrant", "Warrant"
        REQUEST = "request", "Disclosure request"

    source = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    external_id = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=150)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="external_ref_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["person", "place", "order", "warrant", "request"]), name="external_ref_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="external_ref_object_idx")]

    def __str__(self) -> str:
        return f"{self.source}:{self.kind}:{self.external_id}"


class ReceivedEvent(models.Model):
    """An event the API (or an import) has recorded, by the sender's id: the same source and
    external id are recorded once; a second delivery gets the first answer back."""

    source = models.CharField(max_length=60)
    external_id = models.CharField(max_length=200)
    type = models.CharField(max_length=30)
    at = models.DateTimeField(help_text="The event's time (when the police were told).")
    received_at = models.DateTimeField()
    received_by = models.CharField(max_length=150, help_text="The client (or import) that sent it.")
    answer = models.JSONField(default=dict, help_text="What the policy did, as the API answered.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="received_event_unique")]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id} ({self.type})"
