"""MARAC: meetings per area, referrals on their agendas, each agency's research, the meeting's
action plan with its own ladder, and the minutes. Nothing is deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.crypto import EncryptedTextField


class Criterion(models.TextChoices):
    """The SafeLives MARAC referral criteria."""

    VISIBLE_HIGH_RISK = "visible_high_risk", "Visible high risk (DASH 14 or more)"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Professional judgement"
    POTENTIAL_ESCALATION = "potential_escalation", "Potential escalation"
    REPEAT = "repeat", "Repeat MARAC"


class MaracMeeting(models.Model):
    area = models.ForeignKey("core.Area", on_delete=models.PROTECT, related_name="marac_meetings")
    held_at = models.DateTimeField()
    location = models.CharField(max_length=200, help_text="Where, or how to join.")
    coordinator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agencies = models.ManyToManyField("partners.Agency", related_name="marac_meetings", help_text="The agencies that attend.")
    circulated_at = models.DateTimeField(null=True, blank=True, help_text="When the agenda went to the agencies.")
    circulated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_at", "id"]
        indexes = [models.Index(fields=["area", "held_at"], name="marac_meeting_area_time_idx")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"MARAC {self.area} {timezone.localtime(self.held_at):%-d %b %Y %H:%M}"


class MaracReferral(models.Model):
    """A case referred to MARAC, with the criteria that applied when it was referred."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="marac_referrals")
    action = models.OneToOneField(
        "actions.Action", null=True, blank=True, on_delete=models.PROTECT, related_name="marac_referral",
        help_text="The refer_marac action this referral completed.",
    )  # fmt: skip
    meeting = models.ForeignKey(MaracMeeting, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    referred_at = models.DateTimeField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(help_text="Why the case is referred: what the agencies need to know.")
    criteria = models.JSONField(
        default=list, blank=True, help_text="[{'code': ..., 'detail': ...}] as they applied at the referral."
    )
    judgement = models.TextField(blank=True, help_text="The referrer's professional judgement, in words.")
    repeat = models.BooleanField(default=False)
    last_listed_at = models.DateTimeField(null=True, blank=True, help_text="The pair's last MARAC listing, for a repeat.")
    dash_score = models.PositiveSmallIntegerField(null=True, blank=True)
    discussion = EncryptedTextField(blank=True, help_text="The minutes of the case's discussion at the meeting.")
    discussed_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["referred_at", "id"]

    def __str__(self) -> str:
        return f"MARAC referral {self.pk} ({self.case})"

    @property
    def criteria_codes(self) -> list[str]:
        return [c["code"] for c in self.criteria]


class AgencyResearch(models.Model):
    """What one agency found in its own records before the meeting."""

    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="research")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"


class PlanAction(models.Model):
    """One action of the meeting's action plan: an agency, an owner in it, a deadline.

    Its ladder is its own: the agency's line (its leads) at the deadline, then the MARAC
    coordinator (docs/marac.md)."""

    referral = models.ForeignKey(MaracReferral, on_delete=models.PROTECT, related_name="plan")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="marac_actions")
    description = models.TextField()
    due_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    level = models.PositiveSmallIntegerField(default=1, help_text="1 the owner, 2 the agency's line, 3 the coordinator.")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True, help_text="How it was done, or why it will not be.")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PlanStatus.values), name="plan_status_valid"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="plan_level_range"),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True) | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="plan_closed_at_matches_status",
            ),
            models.CheckConstraint(condition=~Q(status="declined") | ~Q(note=""), name="plan_decline_has_reason"),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="plan_owner_idx"),
            models.Index(fields=["status", "level", "due_at"], name="plan_ladder_idx"),
        ]

    def __str__(self) -> str:
        return self.description[:60]


class PlanEscalation(models.Model):
    plan_action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="escalations")
    level = models.PositiveSmallIntegerField()
    at = models.DateTimeField(help_text="When the step fell due.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "level"]
        constraints = [
            models.UniqueConstraint(fields=["plan_action", "level"], name="plan_escalation_unique_level"),
            models.CheckConstraint(condition=Q(level__gte=2, level__lte=3), name="plan_escalation_level_range"),
        ]
