from __future__ import annotations

from django.conf import settings
from django.db import models


class TimelineImport(models.Model):
    """A timeline file loaded into the live database by `vigil import timeline`. A file is
    loaded once: its `id` is refused the second time. `refs` maps the file's references to
    the stored rows (people, places, orders, warrants, requests), so the live answer can be
    read back in the file's own terms."""

    timeline_id = models.CharField(max_length=200, unique=True, help_text="The file's `id`.")
    file = models.CharField(max_length=500)
    title = models.CharField(max_length=500, blank=True)
    timezone = models.CharField(max_length=60)
    replay_until = models.DateTimeField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField()
    refs = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.timeline_id
