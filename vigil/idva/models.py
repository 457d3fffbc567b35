"""The IDVA's caseload: referrals to the IDVA service with the victim's recorded consent, the
adviser's casework (contacts, support, safety plans) and the concerns raised with the police.

An IDVA sees a case only while a referral with consent names them (the referral service keeps
`Case.referred_with_consent` and the case's access list in step, which is what
`vigil.core.access.cases_for_user` reads). Nothing is deleted: consent withdrawn ends the
referral, and the record of it stays."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.crypto import EncryptedTextField


class ConsentHow(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    WRITING = "writing", "In writing"


class ReferralStatus(models.TextChoices):
    ACTIVE = "active", "Open"
    WITHDRAWN = "withdrawn", "Consent withdrawn"
    CLOSED = "closed", "Closed"


class IdvaReferral(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="idva_referrals")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="idva_referrals")
    idva = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="idva_caseload")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    consent_at = models.DateTimeField(help_text="When the victim agreed to be referred.")
    consent_how = models.CharField(max_length=10, choices=ConsentHow.choices)
    consent_note = models.TextField(blank=True, help_text="What the victim agreed to, e.g. 'happy to be called on her mobile'.")
    reason = EncryptedTextField(blank=True, help_text="What the adviser needs to know.")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.ACTIVE)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="idva_referral_status_valid"),
            models.CheckConstraint(condition=Q(consent_how__in=ConsentHow.values), name="idva_consent_how_valid"),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True) | (~Q(status="active") & Q(ended_at__isnull=False)),
                name="idva_referral_ended_matches_status",
            ),
            models.UniqueConstraint(fields=["case"], condition=Q(status="active"), name="idva_one_active_referral_per_case"),
        ]

    def __str__(self) -> str:
        return f"IDVA referral {self.pk} ({self.case})"


class EntryKind(models.TextChoices):
    CONTACT = "contact", "Contact with the victim"
    SUPPORT = "support", "Support given or arranged"
    SAFETY_PLAN = "safety_plan", "Safety plan"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video call"
    MESSAGE = "message", "Text or message"
    ATTEMPTED = "attempted", "Tried, no answer"


class CaseworkEntry(models.Model):
    referral = models.ForeignKey(IdvaReferral, on_delete=models.PROTECT, related_name="casework")
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    at = models.DateTimeField(help_text="When it took place.")
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    text = EncryptedTextField()
    review_on = models.DateField(null=True, blank=True, help_text="For a safety plan: when to review it.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="casework_kind_valid"),
            models.CheckConstraint(condition=~Q(kind="contact") | ~Q(channel=""), name="casework_contact_has_channel"),
        ]


class PartnerConcern(models.Model):
    """A concern a partner agency raises with the police about a victim and the person causing
    harm: an IDVA's from their caseload (`referral`), or one recorded from another channel (an
    imported timeline). The policy (R14, a Vigil extension) reads it as a `partner_concern`
    and asks a supervisor to review the case. Append-only."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="partner_concerns")
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, related_name="concerns")
    referral = models.ForeignKey(IdvaReferral, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns")
    concern = EncryptedTextField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time.")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-reported_at", "-id"]
