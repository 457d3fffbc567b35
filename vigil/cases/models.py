from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from vigil.core.constants import (
    Answer,
    ContactChannel,
    FlagKind,
    HearingOutcome,
    Instrument,
    JusticeEventKind,
    ReportCategory,
    RiskLevel,
    RiskSource,
    Source,
)
from vigil.core.crypto import EncryptedTextField
from vigil.core.times import happened_constraints, happened_fields
from vigil.people.models import Person, Place


class Case(models.Model):
    """A victim and the person who puts them at risk (the subject), with the risk history of the pair.

    `risk_level` is a copy of the latest `RiskChange`, kept for the board's ordering. Only the
    policy service writes it; no form or admin field does.
    """

    reference = models.CharField(max_length=20, unique=True)
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases_as_victim")
    subject = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="cases_as_subject")
    team = models.ForeignKey("core.Team", on_delete=models.PROTECT, related_name="cases")
    sensitive = models.BooleanField(
        default=False, help_text="Restricted: only the named people see it (police staff involved, or marked sensitive)."
    )
    referred_with_consent = models.BooleanField(default=False, help_text="Referred to the partner-agency adviser with consent.")
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True, editable=False)
    risk_changed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["victim", "subject"], name="case_unique_pair"),
            models.CheckConstraint(condition=~Q(victim=models.F("subject")), name="case_victim_not_subject"),
            models.CheckConstraint(condition=Q(risk_level="") | Q(risk_level__in=RiskLevel.values), name="case_risk_level_valid"),
        ]
        indexes = [models.Index(fields=["team", "risk_level"], name="case_team_risk_idx")]

    def __str__(self) -> str:
        return self.reference


class CaseAccess(models.Model):
    """A person named on a case: allocated staff (who may see protected addresses) and, for
    restricted cases, the only people who may see it at all."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="access_grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_grants")
    allocated = models.BooleanField(default=True)
    granted_at = models.DateTimeField()
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_access_unique")]


class RiskChange(models.Model):
    """One change of the pair's risk level, with what set it and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="risk_changes")
    at = models.DateTimeField()
    level = models.CharField(max_length=10, choices=RiskLevel.choices)
    source = models.CharField(max_length=30, choices=RiskSource.choices)
    drivers = models.JSONField(default=list, help_text="The facts that set the level, in words.")
    key = models.CharField(max_length=200, help_text="Engine key, so re-evaluation never writes a change twice.")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "key"], name="risk_change_unique_key"),
            models.CheckConstraint(condition=Q(level__in=RiskLevel.values), name="risk_change_level_valid"),
        ]


class Report(models.Model):
    """Something reported to the police about the pair."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reports")
    category = models.CharField(max_length=20, choices=ReportCategory.choices)
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    occurred_at, occurred_at_until, occurred_at_date_only = happened_fields("occurred_at", "it happened")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reported_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    victim_record = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reports_as_victim")
    suspect_record = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="reports_as_suspect")
    children_present = models.ManyToManyField(Person, blank=True, related_name="reports_present_at")
    summary = EncryptedTextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OFFICER)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=ReportCategory.values), name="report_category_valid"),
            *happened_constraints("occurred_at", "report"),
        ]
        indexes = [models.Index(fields=["case", "reported_at"], name="report_case_reported_idx")]


class RiskAssessment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    instrument = models.CharField(max_length=20, choices=Instrument.choices)
    completed_at = models.DateTimeField()
    officer_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    officer_rationale = models.TextField(blank=True)
    computed_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(help_text="When it was entered in Vigil.")

    class Meta:
        ordering = ["completed_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(instrument__in=Instrument.values), name="assessment_instrument_valid")]


class AssessmentAnswer(models.Model):
    assessment = models.ForeignKey(RiskAssessment, on_delete=models.PROTECT, related_name="answers")
    question = models.PositiveSmallIntegerField()
    answer = models.CharField(max_length=10, choices=Answer.choices)

    class Meta:
        ordering = ["question"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="answer_unique_question"),
            models.CheckConstraint(condition=Q(question__gte=1, question__lte=24), name="answer_question_range"),
            models.CheckConstraint(condition=Q(answer__in=Answer.values), name="answer_value_valid"),
        ]


class Flag(models.Model):
    """A fact the policy noticed (proximity, breach, repeat, serial perpetrator, linked reports)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    at = models.DateTimeField()
    detail = models.TextField()
    key = models.CharField(max_length=200)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "key"], name="flag_unique_key")]


class Sighting(models.Model):
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sightings")
    near = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    seen_at, seen_at_until, seen_at_date_only = happened_fields("seen_at", "the subject was seen")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    reported_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = EncryptedTextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OFFICER)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            *happened_constraints("seen_at", "sighting"),
            models.CheckConstraint(
                condition=Q(lat__isnull=True, lon__isnull=True) | Q(lat__gte=-90, lat__lte=90, lon__gte=-180, lon__lte=180),
                name="sighting_lat_lon_valid",
            ),
        ]


class ContactAttempt(models.Model):
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contact_attempts")
    victim = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=15, choices=ContactChannel.choices)
    at, at_until, at_date_only = happened_fields("at", "the subject tried to make contact")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    reported_by = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    summary = EncryptedTextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.OFFICER)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=ContactChannel.values), name="contact_channel_valid"),
            *happened_constraints("at", "contact"),
        ]


class Intelligence(models.Model):
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="intelligence")
    place = models.ForeignKey(Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    weapons = models.BooleanField(default=False)
    threat_to_kill = models.BooleanField(default=False)
    reported_at = models.DateTimeField(help_text="When the information came in: the policy's time, from which deadlines count.")
    happened_at, happened_at_until, happened_at_date_only = happened_fields("happened_at", "what it tells of happened")
    summary = EncryptedTextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(help_text="When it was entered in Vigil.")

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [*happened_constraints("happened_at", "intelligence")]


class JusticeEvent(models.Model):
    """An arrest, charge, release or court hearing of a subject."""

    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="justice_events")
    kind = models.CharField(max_length=15, choices=JusticeEventKind.choices)
    at, at_until, at_date_only = happened_fields("at", "it happened")
    reported_at = models.DateTimeField(help_text="When the police were told: the policy's time, from which deadlines count.")
    offence = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=HearingOutcome.choices, blank=True)
    bail_until = models.DateTimeField(null=True, blank=True)
    summary = EncryptedTextField(blank=True)
    custody_reference = models.CharField(max_length=60, blank=True, help_text="An arrest's custody record reference.")
    arrested_by = models.CharField(max_length=200, blank=True, help_text="Who made the arrest (name, collar number).")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reported_at", "id"]
        constraints = [
            *happened_constraints("at", "justice"),
            models.CheckConstraint(condition=Q(kind__in=JusticeEventKind.values), name="justice_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=JusticeEventKind.COURT_HEARING) | ~Q(outcome=""), name="justice_hearing_has_outcome"
            ),
        ]
