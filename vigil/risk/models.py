from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import Instrument


class AssessmentDraft(models.Model):
    """An assessment being filled in, one section at a time, so no answer is lost if the
    officer is called away. Never deleted: once submitted it points at the recorded assessment."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessment_drafts")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    answers = models.JSONField(default=dict, blank=True, help_text="Question number (as text) to yes, no or not_known.")
    current_section = models.CharField(max_length=50, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    assessment = models.OneToOneField(
        "cases.RiskAssessment", null=True, blank=True, on_delete=models.PROTECT, related_name="draft"
    )

    class Meta:
        ordering = ["-updated_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(instrument__in=Instrument.values), name="draft_instrument_valid"),
            models.UniqueConstraint(
                fields=["case", "instrument", "started_by"],
                condition=Q(submitted_at__isnull=True),
                name="draft_one_open_per_officer",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True, assessment__isnull=True)
                | Q(submitted_at__isnull=False, assessment__isnull=False),
                name="draft_submitted_has_assessment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} draft ({self.case})"
