"""Clare's Law (the Domestic Violence Disclosure Scheme): requests, decisions, disclosure meetings.

A request is about a pair, the person at risk and the subject, so it lives on their case (the
case is opened when the pair is first recorded together). The policy reads each request and
each decision as a timeline event (`disclosure_request`, `disclosure_decision`), and R13 turns
the request into a `dvds_decision` action with its clock. Nothing here is ever deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.crypto import EncryptedTextField


class Route(models.TextChoices):
    RIGHT_TO_ASK = "right_to_ask", "Right to Ask (an application)"
    RIGHT_TO_KNOW = "right_to_know", "Right to Know (the police's own decision to consider telling)"


class Applicant(models.TextChoices):
    PERSON_AT_RISK = "person_at_risk", "The person at risk"
    THIRD_PARTY = "third_party", "Someone else on their behalf (a third party)"
    POLICE = "police", "The police (Right to Know)"


class Outcome(models.TextChoices):
    DISCLOSE = "disclose", "Disclose"
    NO_DISCLOSURE = "no_disclosure", "No disclosure"


class DisclosureRequest(models.Model):
    reference = models.CharField(max_length=20, unique=True)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosure_requests")
    route = models.CharField(max_length=15, choices=Route.choices)
    applicant_kind = models.CharField(max_length=15, choices=Applicant.choices)
    applicant = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who applied: the person at risk, a third party's own record, or none (Right to Know).",
    )
    applicant_relationship = models.CharField(
        max_length=100, blank=True, help_text="A third party's relationship to the person at risk, e.g. 'mother'."
    )
    reported_at = models.DateTimeField(
        help_text="When the police were told: the application was made, or the Right to Know was started (the policy's time)."
    )
    concerns = EncryptedTextField(blank=True, help_text="Why they are asking, in their words.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(route__in=Route.values), name="dvds_route_valid"),
            models.CheckConstraint(condition=Q(applicant_kind__in=Applicant.values), name="dvds_applicant_kind_valid"),
            models.CheckConstraint(
                condition=~Q(applicant_kind=Applicant.THIRD_PARTY) | Q(applicant__isnull=False),
                name="dvds_third_party_named",
            ),
            models.CheckConstraint(
                condition=(Q(route="right_to_know") & Q(applicant_kind="police"))
                | (Q(route="right_to_ask") & ~Q(applicant_kind="police")),
                name="dvds_route_matches_applicant",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def engine_ref(self) -> str:
        """The request's reference in the policy's timeline document."""
        return f"D{self.pk}"


class DisclosureDecision(models.Model):
    """The decision on a request, with what the checks showed when it was taken.

    The live form refuses `no_disclosure` without a rationale; a decision written that way
    elsewhere (an imported record) is kept, and the policy leaves the request open."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=15, choices=Outcome.choices)
    rationale = models.TextField(blank=True)
    decided_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checks = models.JSONField(default=dict, help_text="What the listed checks showed when the decision was taken.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="dvds_outcome_valid")]


class DisclosureMeeting(models.Model):
    """The meeting at which the disclosure was made to the person at risk, and the safety plan."""

    request = models.OneToOneField(DisclosureRequest, on_delete=models.PROTECT, related_name="meeting")
    held_at = models.DateTimeField()
    present = models.CharField(max_length=300, help_text="Who was there, e.g. 'PC Shah; the IDVA'.")
    disclosed = EncryptedTextField(help_text="What was disclosed, in the words used.")
    safety_plan = EncryptedTextField(help_text="The safety plan agreed with the person at risk.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
