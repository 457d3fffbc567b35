"""An officer's private calendar feed of their open actions' deadlines.

The feed's address carries a token signed with the site's secret (so it cannot be made up)
that names this row and its random key (so it can be revoked: a revoked row, or a new key,
ends every address made before)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class CalendarFeed(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # At most one feed in use per person: making a new one revokes the old.
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True), name="calendar_feed_one_active"),
        ]

    def __str__(self) -> str:
        return f"calendar feed {self.pk} of {self.user_id}"
