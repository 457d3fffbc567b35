"""Every kind and status in Vigil, as choices. Values match the timeline format.

The vocabularies the policy engine shares (action kinds, event types, order types, report
categories, instruments, levels, priorities, statuses, flags and the rest) are defined once,
in `vigil.policy.vocabulary`, and are the same classes here: they offer what Django's
TextChoices offer (`.choices`, `.values`, `.label`). The others are Django's own.
"""

from __future__ import annotations

from django.db import models

from vigil.policy.vocabulary import (
    ActionKind,
    ActionStatus,
    ConditionKind,
    ContactChannel,
    FlagKind,
    HearingOutcome,
    Instrument,
    OrderType,
    PlaceKind,
    Priority,
    RelationshipKind,
    ReportCategory,
    RiskLevel,
    RiskSource,
    Sex,
)

__all__ = [
    "ActionKind",
    "ActionStatus",
    "Answer",
    "BirthPrecision",
    "ConditionKind",
    "ContactChannel",
    "FlagKind",
    "HearingOutcome",
    "Instrument",
    "JusticeEventKind",
    "LinkStatus",
    "OrderStatus",
    "OrderType",
    "PRIORITY_RANK",
    "PlaceKind",
    "Priority",
    "RISK_RANK",
    "RelationshipKind",
    "ReportCategory",
    "RiskLevel",
    "RiskSource",
    "Role",
    "Sex",
    "SignOff",
    "Source",
    "WarrantStatus",
]


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "Supervisor (sergeant)"
    INSPECTOR = "inspector", "Inspector"
    SUPERINTENDENT = "superintendent", "Superintendent"
    IDVA = "idva", "Independent domestic violence adviser"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Administrator"
    # Partner agencies at MARAC (vigil/partners, vigil/marac): each sees only the cases on the
    # agendas of meetings its agency attends, for a set time.
    MARAC_COORDINATOR = "marac_coordinator", "MARAC coordinator"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    HEALTH = "health", "Health"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"


class BirthPrecision(models.TextChoices):
    FULL = "full", "Full date"
    YEAR = "year", "Year only"
    UNKNOWN = "unknown", "Not known"


RISK_RANK = {"": 0, RiskLevel.STANDARD: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class OrderStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    ENDED = "ended", "Ended early"
    EXPIRED = "expired", "Expired"


class WarrantStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    EXECUTED = "executed", "Executed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class JusticeEventKind(models.TextChoices):
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    RELEASED = "released", "Released"
    COURT_HEARING = "court_hearing", "Court hearing"


PRIORITY_RANK = {Priority.IMMEDIATE: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class SignOff(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    AWAITING = "awaiting", "Awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    SENT_BACK = "sent_back", "Sent back"


class LinkStatus(models.TextChoices):
    AUTO = "auto", "Linked automatically"
    CONFIRMED = "confirmed", "Confirmed by a person"
    REVIEW = "review", "Waiting for review"
    REJECTED = "rejected", "Not the same person"
    SPLIT = "split", "Split by a supervisor"


class Source(models.TextChoices):
    OFFICER = "officer", "Officer"
    PORTAL = "portal", "Victims' and families' portal"
    IMPORT = "import", "Import"
