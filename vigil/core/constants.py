"""Every kind and status in Vigil, as TextChoices. Values match the timeline format."""

from __future__ import annotations

from django.db import models


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


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not known"


class BirthPrecision(models.TextChoices):
    FULL = "full", "Full date"
    YEAR = "year", "Year only"
    UNKNOWN = "unknown", "Not known"


class PlaceKind(models.TextChoices):
    HOME = "home", "Home"
    WORK = "work", "Work"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class RelationshipKind(models.TextChoices):
    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Former partner"
    FAMILY = "family", "Family"
    HOUSEHOLD = "household", "Same household"
    COLLEAGUE = "colleague", "Colleague"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    STRANGER = "stranger", "Stranger"


class RiskLevel(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


RISK_RANK = {"": 0, RiskLevel.STANDARD: 1, RiskLevel.MEDIUM: 2, RiskLevel.HIGH: 3}


class RiskSource(models.TextChoices):
    DASH = "dash", "DASH checklist"
    SDASH = "sdash", "S-DASH stalking checklist"
    LETHALITY_SCREEN = "lethality_screen", "Lethality Screen"
    PROFESSIONAL_JUDGEMENT = "professional_judgement", "Officer's professional judgement"
    POLICY = "policy", "Policy (escalator or repeat floor)"


class Instrument(models.TextChoices):
    DASH = "dash", "DASH risk checklist"
    SDASH = "sdash", "S-DASH stalking screening"
    LETHALITY_SCREEN = "lethality_screen", "Lethality Screen"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class ReportCategory(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    STALKING = "stalking", "Stalking"
    HARASSMENT = "harassment", "Harassment"
    ASSAULT = "assault", "Assault"
    THREATS = "threats", "Threats"
    THEFT = "theft", "Theft"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    SEXUAL_OFFENCE = "sexual_offence", "Sexual offence"
    OTHER = "other", "Other"


class OrderType(models.TextChoices):
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


class OrderStatus(models.TextChoices):
    IN_FORCE = "in_force", "In force"
    ENDED = "ended", "Ended early"
    EXPIRED = "expired", "Expired"


class ConditionKind(models.TextChoices):
    NO_CONTACT = "no_contact", "No contact"
    EXCLUSION_ZONE = "exclusion_zone", "Exclusion zone"


class WarrantStatus(models.TextChoices):
    OUTSTANDING = "outstanding", "Outstanding"
    EXECUTED = "executed", "Executed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ContactChannel(models.TextChoices):
    CALL = "call", "Phone call"
    MESSAGE = "message", "Message"
    SOCIAL_MEDIA = "social_media", "Social media"
    IN_PERSON = "in_person", "In person"
    GIFT = "gift", "Gift"
    OTHER = "other", "Other"


class JusticeEventKind(models.TextChoices):
    ARREST = "arrest", "Arrest"
    CHARGE = "charge", "Charge"
    RELEASED = "released", "Released"
    COURT_HEARING = "court_hearing", "Court hearing"


class HearingOutcome(models.TextChoices):
    ADJOURNED = "adjourned", "Adjourned"
    CONVICTED = "convicted", "Convicted"
    ACQUITTED = "acquitted", "Acquitted"
    FAILED_TO_APPEAR = "failed_to_appear", "Failed to appear"
    ORDER_MADE = "order_made", "Order made"


class ActionKind(models.TextChoices):
    COMPLETE_RISK_ASSESSMENT = "complete_risk_assessment", "Complete a risk assessment"
    REVIEW_RISK = "review_risk", "Review the risk"
    SUPERVISOR_REVIEW = "supervisor_review", "Supervisor review"
    SAFETY_PLAN = "safety_plan", "Make a safety plan"
    DATABASE_CHECKS = "database_checks", "Database checks"
    REFER_MARAC = "refer_marac", "Refer to MARAC"
    NOTIFY_SCHOOL = "notify_school", "Tell the school (Operation Encompass)"
    CONSIDER_PROTECTIVE_ORDER = "consider_protective_order", "Consider a protective order"
    ARREST_SUSPECT = "arrest_suspect", "Arrest the suspect"
    EXECUTE_WARRANT = "execute_warrant", "Execute the warrant"
    VICTIM_CONTACT = "victim_contact", "Contact the victim"
    PRIORITY_RESPONSE = "priority_response", "Priority response"
    SERIAL_PERPETRATOR_REVIEW = "serial_perpetrator_review", "Serial perpetrator review"
    DVDS_DECISION = "dvds_decision", "Decide on the Clare's Law disclosure"


class Priority(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


PRIORITY_RANK = {Priority.IMMEDIATE: 0, Priority.HIGH: 1, Priority.MEDIUM: 2, Priority.LOW: 3}


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DECLINED = "declined", "Declined"
    CANCELLED = "cancelled", "Cancelled"


class SignOff(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    AWAITING = "awaiting", "Awaiting sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    SENT_BACK = "sent_back", "Sent back"


class FlagKind(models.TextChoices):
    PROXIMITY = "proximity", "Lives or was seen nearby"
    BREACH = "breach", "Order broken"
    REPEAT = "repeat", "Repeat reports"
    SERIAL_PERPETRATOR = "serial_perpetrator", "More than one victim"
    LINKED_REPORTS = "linked_reports", "Linked reports"


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
