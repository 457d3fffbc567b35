"""The words of the timeline format and the policy, defined once.

Every code the engine, the timeline reader, the policy parser, the database and the tests
share is here, with its label for pages and its words for sentences: action kinds, event
types, order types, report categories, instruments and their question counts, and the rest.
Pure Python: the engine imports it, and Django's choices (`vigil.core.constants`) are these
same classes, so a code is never spelled in two places.

A vocabulary is a `Terms` enum: each member is its code (a `str`, equal to the code and
written as it), with `.label` ("Tell the school (Operation Encompass)") and `.words` ("tell
the school"; the label with a small first letter unless given). The class offers what
Django's choices offer: `.choices`, `.values`, `.labels`, `.names`.
"""

from __future__ import annotations

import enum
from typing import Any, Final


class _TermsType(enum.EnumType):
    """Django's choices API on the class: `Kind.choices`, `Kind.values`, and so on."""

    @property
    def members(cls) -> list[Terms]:
        found: list[Terms] = list(cls.__members__.values())
        return found

    @property
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls.members]

    @property
    def values(cls) -> list[str]:
        return [m.value for m in cls.members]

    @property
    def labels(cls) -> list[str]:
        return [m.label for m in cls.members]

    @property
    def names(cls) -> list[str]:
        return [m.name for m in cls.members]


class Terms(enum.StrEnum, metaclass=_TermsType):
    """One vocabulary: members are `NAME = "code", "Label"` or `NAME = "code", "Label", "words"`."""

    _label: str
    _words: str
    # A class named in a template is not called (as Django's choices are not).
    do_not_call_in_templates = enum.nonmember(True)

    def __new__(cls, value: str, label: str = "", words: str = "") -> Terms:
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label or value.replace("_", " ").capitalize()
        member._words = words or member._label[:1].lower() + member._label[1:]
        return member

    @property
    def label(self) -> str:
        """The code as a page shows it."""
        return self._label

    @property
    def words(self) -> str:
        """The code as a sentence says it."""
        return self._words

    @classmethod
    def words_of(cls, code: str) -> str:
        """The words of `code`, or the code itself when it is not in this vocabulary."""
        return _PHRASES[cls].get(code, code)

    @classmethod
    def words_map(cls) -> dict[str, str]:
        """Each code's words, as a plain mapping (built once; for the engine's hot paths)."""
        return _PHRASES[cls]


class _Phrases(dict[type["Terms"], dict[str, str]]):
    """Each vocabulary's words by code, built on first use."""

    def __missing__(self, cls: type[Terms]) -> dict[str, str]:
        table = self[cls] = {m.value: m.words for m in cls.members}
        return table


_PHRASES = _Phrases()


# --- people, places, relationships -------------------------------------------------------


class Sex(Terms):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class PlaceKind(Terms):
    HOME = "home", "Home"
    WORK = "work", "Work"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class RelationshipKind(Terms):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Former partner"
    FAMILY = "family", "Family"
    HOUSEHOLD = "household", "Same household"
    COLLEAGUE = "colleague", "Colleague"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    STRANGER = "stranger", "Stranger"


# --- risk ---------------------------------------------------------------------------------


class RiskLevel(Terms):
    """Lowest first: the policy's levels in their order."""

    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class RiskSource(Terms):
    DASH = "dash", "DASH checklist"
    SDASH = "sdash", "S-DASH stalking checklist"
    LETHALITY_SCREEN = "lethality_screen", "Lethality Screen"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Officer's professional judgement"
    POLICY = "policy", "Policy (escalator or repeat floor)"


class Instrument(Terms):
    """The risk instruments; `.words` is the instrument's short name."""

    DASH = "dash", "DASH risk checklist", "DASH"
    SDASH = "sdash", "S-DASH stalking screening", "S-DASH"
    LETHALITY_SCREEN = "lethality_screen", "Lethality Screen", "Lethality Screen"


# How many questions each instrument has (answers are numbered from 1).
QUESTIONS: Final[dict[str, int]] = {Instrument.DASH: 24, Instrument.SDASH: 11, Instrument.LETHALITY_SCREEN: 11}
INSTRUMENTS: Final[tuple[str, ...]] = tuple(Instrument.values)


# --- what is reported ---------------------------------------------------------------------


class ReportCategory(Terms):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    STALKING = "stalking", "Stalking"
    HARASSMENT = "harassment", "Harassment"
    ASSAULT = "assault", "Assault"
    THREATS = "threats", "Threats"
    THEFT = "theft", "Theft"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    SEXUAL_OFFENCE = "sexual_offence", "Sexual offence", "a sexual offence"
    OTHER = "other", "Other", "an incident"


class OrderType(Terms):
    INTERIM_SPO = "interim_spo", "Interim stalking protection order"
    SPO = "spo", "Stalking protection order"
    RESTRAINING_ORDER = "restraining_order", "Restraining order"
    NON_MOLESTATION_ORDER = "non_molestation_order", "Non-molestation order"
    DVPN = "dvpn", "Domestic violence protection notice"
    DVPO = "dvpo", "Domestic violence protection order"
    DAPN = "dapn", "Domestic abuse protection notice"
    DAPO = "dapo", "Domestic abuse protection order"
    BAIL_CONDITIONS = "bail_conditions", "Bail conditions"
    HARASSMENT_WARNING = "harassment_warning", "Harassment warning"


class ConditionKind(Terms):
    NO_CONTACT = "no_contact", "No contact"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone"


class ContactChannel(Terms):
    CALL = "call", "Phone call"
    MESSAGE = "message", "Message"
    SOCIAL_MEDIA = "social_media", "Social media"
    IN_PERSON = "in_person", "In person"
    GIFT = "gift", "Gift"
    OTHER = "other", "Other"


class HearingOutcome(Terms):
    ADJOURNED = "adjourned", "Adjourned"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    FAILED_TO_APPEAR = "failed_to_appear", "Failed to appear"
    ORDER_MADE = "order_made", "Order made"


class DisclosureRoute(Terms):
    RIGHT_TO_ASK = "right_to_ask", "Right to ask"
    RIGHT_TO_KNOW = "right_to_know", "Right to know"


class DisclosureOutcome(Terms):
    DISCLOSE = "disclose", "Disclose", "disclose"
    NO_DISCLOSURE = "no_disclosure", "No disclosure", "not to disclose"


# --- events ---------------------------------------------------------------------------


class EventType(Terms):
    """The event types of timeline format 1 (FORMAT.md, "events")."""

    REPORT = "report", "Report"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    ORDER_GRANTED = "order_granted", "Order granted"
    ORDER_ENDED = "order_ended", "Order ended"
    BREACH = "breach", "Breach"
    SIGHTING = "sighting", "Sighting"
    CONTACT_ATTEMPT = "contact_attempt", "Contact attempt"
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    RELEASED = "released", "Released"
    COURT_HEARING = "court_hearing", "Court hearing"
    WARRANT_ISSUED = "warrant_issued", "Warrant issued"
    WARRANT_EXECUTED = "warrant_executed", "Warrant executed"
    ALARM_FITTED = "alarm_fitted", "Alarm fitted"
    ALARM_ACTIVATED = "alarm_activated", "Alarm pressed"
    INTELLIGENCE = "intelligence", "Intelligence"
    DISCLOSURE_REQUEST = "disclosure_request", "Disclosure request"
    DISCLOSURE_DECISION = "disclosure_decision", "Disclosure decision"
    ACTION_COMPLETED = "action_completed", "Action completed"
    ACTION_DECLINED = "action_declined", "Action declined"


class ExtensionEventType(Terms):
    """Event types the live system also records: not in format 1, so refused in a file."""

    WARRANT_WITHDRAWN = "warrant_withdrawn", "Warrant withdrawn"
    ORDER_VARIED = "order_varied", "Order varied"
    PARTNER_CONCERN = "partner_concern", "Partner agency's concern"  # R14, a Vigil extension


# --- what comes out -------------------------------------------------------------------


class ActionKind(Terms):
    COMPLETE_RISK_ASSESSMENT = "complete_risk_assessment", "Complete a risk assessment"
    REVIEW_RISK = "review_risk", "Review the risk"
    SUPERVISOR_REVIEW = "supervisor_review", "Supervisor review"
    SAFETY_PLAN = "safety_plan", "Make a safety plan"
    DATABASE_CHECKS = "database_checks", "Database checks"
    REFER_MARAC = "refer_marac", "Refer to MARAC"
    NOTIFY_SCHOOL = "notify_school", "Tell the school (Operation Encompass)", "tell the school"
    CONSIDER_PROTECTIVE_ORDER = "consider_protective_order", "Consider a protective order"
    ARREST_SUSPECT = "arrest_suspect", "Arrest the suspect"
    EXECUTE_WARRANT = "execute_warrant", "Execute the warrant"
    VICTIM_CONTACT = "victim_contact", "Contact the victim"
    PRIORITY_RESPONSE = "priority_response", "Priority response"
    SERIAL_PERPETRATOR_REVIEW = "serial_perpetrator_review", "Serial perpetrator review"
    DVDS_DECISION = "dvds_decision", "Decide on the Clare's Law disclosure"


class Priority(Terms):
    """Most urgent first."""

    IMMEDIATE = "immediate", "Immediate"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class ActionStatus(Terms):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class FlagKind(Terms):
    PROXIMITY = "proximity", "Lives or was seen nearby"
    BREACH = "breach", "Order broken"
    REPEAT = "repeat", "Repeat reports"
    SERIAL_PERPETRATOR = "serial_perpetrator", "More than one victim"
    LINKED_REPORTS = "linked_reports", "Linked reports"


WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def codes(terms: Any) -> tuple[str, ...]:
    """A vocabulary's codes as a plain tuple of `str` (for the engine's own comparisons)."""
    return tuple(str(value) for value in terms.values)
