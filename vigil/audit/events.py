"""Every audit event Vigil writes, registered once, with its part of the chronology and its
words (as Zulip's `AuditLogEventType` does for its audit log).

An audit row's `action` is a registered name: `audit_record` and `audit_record_many` refuse
any other, so a misspelt or new event cannot reach the trail without being added here, and
tests/audit/test_events.py proves that every name the code writes is registered. The
chronology (`vigil.audit.chronology`) reads a row's part and plain words from here.

Most events are fixed names ("report.record"). A family is a prefix and a vocabulary: one
event per code ("justice.arrest" ... "justice.court_hearing" from `JusticeEventKind`). A
family whose vocabulary belongs to a domain app names it by its import path and reads it on
first use, so that this base module imports no domain app.

Names are never renamed: the trail is append-only, and rows written years ago keep theirs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Part(StrEnum):
    """The part of the case chronology an event belongs to (`chronology.KINDS`)."""

    FACT = "fact"  # what became known (and the system's own work, outside any case)
    POLICY = "policy"  # what the policy asked
    ESCALATION = "escalation"
    DECISION = "decision"  # what people did with an action
    ACCESS = "access"  # who looked at the case


class UnregisteredAuditEvent(ValueError):
    """An audit row named an event that is not in this registry."""

    def __init__(self, name: str) -> None:
        super().__init__(f"audit event {name!r} is not registered: add it to vigil/audit/events.py")
        self.name = name


@dataclass(frozen=True)
class AuditEventType:
    """One registered event: its name, its part of the chronology and its plain words."""

    name: str
    part: Part
    words: str
    family: str = ""  # the family's prefix ("justice"), for a family's member
    code: str = ""  # the member's code in the family's vocabulary ("arrest")


@dataclass
class Family:
    """`<prefix>.<code>` for every code of a vocabulary (its import path,
    "module:Class.Inner"), but `without`; `words(code)` says one in words."""

    prefix: str
    part: Part
    vocabulary: str
    words: Callable[[str, str], str]  # (code, the code's label) -> words
    without: tuple[str, ...] = ()
    _members: dict[str, AuditEventType] | None = field(default=None, repr=False)

    def members(self) -> dict[str, AuditEventType]:
        if self._members is None:
            module, _, attr = self.vocabulary.partition(":")
            found: object = importlib.import_module(module)
            for part in attr.split("."):
                found = getattr(found, part)
            choices: Iterable[tuple[str, str]] = found.choices  # type: ignore[attr-defined]
            self._members = {
                f"{self.prefix}.{code}": AuditEventType(
                    f"{self.prefix}.{code}", self.part, self.words(code, str(label)), self.prefix, code
                )
                for code, label in choices
                if code not in self.without
            }
        return self._members


_FIXED: dict[str, AuditEventType] = {}
_FAMILIES: list[Family] = []


def _event(name: str, part: Part, words: str) -> str:
    if name in _FIXED:
        raise ValueError(f"audit event {name!r} registered twice")
    _FIXED[name] = AuditEventType(name, part, words)
    return name


def _family(prefix: str, part: Part, vocabulary: str, words: Callable[[str, str], str], without: tuple[str, ...] = ()) -> None:
    _FAMILIES.append(Family(prefix, part, vocabulary, words, without))


F, P, E, D, A = Part.FACT, Part.POLICY, Part.ESCALATION, Part.DECISION, Part.ACCESS

# --- cases and the facts of a case ---------------------------------------------------------
CASE_OPEN = _event("case.open", F, "Case opened for the victim and the subject")
CASE_ALLOCATE = _event("case.allocate", F, "Staff member allocated to the case")
CASE_NAME = _event("case.name", F, "A person named on the case")
CASE_REFERRED_WITH_CONSENT = _event("case.referred_with_consent", F, "Referral to the adviser changed")
REPORT_RECORD = _event("report.record", F, "Report recorded")
ASSESSMENT_RECORD = _event("assessment.record", F, "Risk assessment completed")
ASSESSMENT_DRAFT_START = _event("assessment_draft.start", F, "Risk assessment started")
ASSESSMENT_DRAFT_SAVE = _event("assessment_draft.save", F, "Risk assessment saved as a draft")
ASSESSMENT_DRAFT_SUBMIT = _event("assessment_draft.submit", F, "Risk assessment submitted")
SIGHTING_RECORD = _event("sighting.record", F, "Subject seen")
CONTACT_ATTEMPT_RECORD = _event("contact_attempt.record", F, "Contact attempt by the subject")
INTELLIGENCE_RECORD = _event("intelligence.record", F, "Intelligence received")
WARRANT_ISSUE = _event("warrant.issue", F, "Warrant issued")
WARRANT_EXECUTE = _event("warrant.execute", F, "Warrant executed")
WARRANT_WITHDRAW = _event("warrant.withdraw", F, "Warrant withdrawn")
ORDER_GRANT = _event("order.grant", F, "Order granted")
ORDER_CONDITION_ADD = _event("order.condition_add", F, "Order condition")
ORDER_VARY = _event("order.vary", F, "Order varied")
ORDER_VARIATION_CONDITION_ADD = _event("order.variation_condition_add", F, "Order condition after a variation")
ORDER_END = _event("order.end", F, "Order ended")
BREACH_RECORD = _event("breach.record", F, "Order broken")
ALARM_FIT = _event("alarm.fit", F, "Alarm fitted")
ALARM_ACTIVATE = _event("alarm.activate", F, "Alarm pressed")
MONITORING_ZONE_ENTERED = _event("monitoring.zone_entered", F, "The subject's tag entered a zone")
MONITORING_ZONE_LEFT = _event("monitoring.zone_left", F, "The subject's tag left a zone")
EXTERNAL_REF_RECORD = _event("external_ref.record", F, "Another system's reference recorded")
INTAKE_START = _event("intake.start", F, "A new case started")
INTAKE_SAVE = _event("intake.save", F, "A new case saved as a draft")
INTAKE_SUBMIT = _event("intake.submit", F, "A new case recorded")
_family(
    "justice",
    F,
    "vigil.core.constants:JusticeEventKind",
    lambda code, label: f"{label} of the subject",
)

# --- people and places ---------------------------------------------------------------------
PERSON_CREATE = _event("person.create", F, "Person recorded")
PERSON_UPDATE = _event("person.update", F, "A person's details changed")
PERSON_ALIAS_ADD = _event("person.alias_add", F, "Another name recorded for a person")
PERSON_HOME_SET = _event("person.home_set", F, "A person's home recorded")
PERSON_SEARCH = _event("person.search", F, "People searched for")
PLACE_CREATE = _event("place.create", F, "Place recorded")
RELATIONSHIP_CREATE = _event("relationship.create", F, "Relationship recorded")
LINK_QUEUE_VIEW = _event("link.queue_view", F, "The queue of possible matches was read")
_family(
    "person_link",
    F,
    "vigil.core.constants:LinkStatus",
    lambda code, label: f"Records of one person: {label.lower()}",
)

# --- what the policy asked, and escalations ------------------------------------------------------
ACTION_CREATE = _event("action.create", P, "The policy created an action")
ACTION_UPDATE = _event("action.update", P, "An action changed")
RISK_CHANGE = _event("risk.change", P, "Risk level changed")
CASE_RISK_LEVEL = _event("case.risk_level", P, "The case's risk level changed")
FLAG_RAISE = _event("flag.raise", P, "Flag raised")
ACTION_ESCALATE = _event("action.escalate", E, "An action not done in time was raised up the ranks")

# --- what people did with an action -------------------------------------------------------------
ACTION_COMPLETE = _event("action.complete", D, "Action marked as done")
ACTION_DECLINE = _event("action.decline", D, "Action declined")
ACTION_REASSIGN = _event("action.reassign", D, "Action reassigned")
ACTION_SIGNOFF = _event("action.signoff", D, "Decline signed off")
ACTION_SEND_BACK = _event("action.send_back", D, "Decline sent back, the action is open again")
DECISION_WITHDRAW = _event("decision.withdraw", D, "Decision withdrawn by a supervisor (the action reopens)")
_family("decision", D, "vigil.actions.models:Decision.Outcome", lambda code, label: f"Decision recorded: {label.lower()}")

# --- who looked at what ---------------------------------------------------------------------------
CASE_VIEW = _event("case.view", A, "Viewed the case")
ACTION_VIEW = _event("action.view", A, "Viewed an action")
PERSON_VIEW = _event("person.view", A, "Viewed a person's record")
PLACE_VIEW = _event("place.view", A, "Viewed a place")
PLACE_REVEAL = _event("place.reveal", A, "Viewed a protected address")
ORDER_VIEW = _event("order.view", A, "Viewed an order")
WARRANT_VIEW = _event("warrant.view", A, "Viewed a warrant")
ASSESSMENT_VIEW = _event("assessment.view", A, "Viewed a risk assessment")
PERSON_LINK_VIEW = _event("person_link.view", A, "Viewed a possible match")
CHRONOLOGY_EXPORT = _event("chronology.export", A, "Exported the chronology")
ANALYST_VIEW = _event("analyst.view", A, "Viewed the analyst's figures")
ADMIN_VIEW = _event("admin.view", A, "Viewed a record in the administration pages")
ADMIN_LIST = _event("admin.list", F, "Listed records in the administration pages")
DISCLOSURE_VIEW = _event("disclosure.view", A, "Viewed a Clare's Law request")
IDVA_REFERRAL_VIEW = _event("idva.referral.view", A, "Viewed a referral to the adviser")
MARAC_REFERRAL_VIEW = _event("marac.referral.view", A, "Viewed a MARAC referral")
MARAC_MEETING_VIEW = _event("marac.meeting.view", A, "Viewed a MARAC meeting")
MARAC_PLAN_VIEW = _event("marac.plan.view", A, "Viewed a MARAC action plan")
MARAC_MINUTES_EXPORT = _event("marac.minutes.export", A, "Exported the MARAC minutes")

# --- the victims' and families' portal -------------------------------------------------------------
PORTAL_ACCESS_ISSUE = _event("portal.access_issue", F, "Reporting access given to the victim or a family member")
PORTAL_ACCESS_WITHDRAW = _event("portal.access_withdraw", F, "Reporting access withdrawn")
PORTAL_ACCESS_USE = _event("portal.access_use", F, "Reporting access link opened")
PORTAL_SIGN_IN = _event("portal.sign_in", F, "Signed in to the portal with the reference and PIN")
PORTAL_PIN_WRONG = _event("portal.pin_wrong", F, "A wrong PIN was entered on the portal")
PORTAL_SUBMISSION_RECEIVE = _event("portal.submission_receive", F, "A report was sent through the portal")
PORTAL_SUBMISSION_RECORD = _event("portal.submission_record", F, "A portal report was recorded on the case")
PORTAL_SUBMISSION_FAIL = _event(
    "portal.submission_fail", F, "A portal report could not be recorded automatically and waits for an officer"
)
PORTAL_SUBMISSION_VIEW = _event("portal.submission_view", F, "A portal report waiting for an officer was read")
HELPLINE_ADD = _event("helpline.add", F, "A helpline added")
HELPLINE_CHANGE = _event("helpline.change", F, "A helpline changed")

# --- partner work: the adviser, MARAC, Clare's Law, schools --------------------------------------------
IDVA_REFER = _event("idva.refer", F, "Referred to the IDVA service with the victim's consent")
_family("idva", F, "vigil.idva.models:EntryKind", lambda code, label: f"The adviser recorded: {label.lower()}")
_family(
    "idva",
    F,
    "vigil.idva.models:ReferralStatus",
    lambda code, label: f"The adviser's referral ended: {label.lower()}",
    without=("active",),
)
PARTNER_CONCERN = _event("partner.concern", F, "A partner agency raised a concern about the victim's safety")
AGENCY_CREATE = _event("agency.create", F, "A partner agency recorded")
MARAC_REFER = _event("marac.refer", F, "Referred to MARAC")
MARAC_RESEARCH = _event("marac.research", F, "Research recorded for MARAC")
MARAC_REFERRAL_LIST = _event("marac.referral.list", F, "A MARAC referral listed for a meeting")
MARAC_MEETING_CREATE = _event("marac.meeting.create", F, "A MARAC meeting arranged")
MARAC_AGENDA_CIRCULATE = _event("marac.agenda.circulate", F, "The MARAC agenda circulated")
MARAC_DISCUSSION = _event("marac.discussion", F, "The case discussed at MARAC")
MARAC_PLAN_ADD = _event("marac.plan.add", F, "An action added to the MARAC action plan")
MARAC_PLAN_ESCALATE = _event("marac.plan.escalate", F, "A MARAC action not done in time was raised")
_family(
    "marac.plan",
    F,
    "vigil.marac.models:PlanStatus",
    lambda code, label: f"A MARAC action closed: {label.lower()}",
    without=("open",),
)
DISCLOSURE_REQUEST = _event("disclosure.request", F, "A Clare's Law request recorded")
DISCLOSURE_MEETING = _event("disclosure.meeting", F, "A Clare's Law disclosure meeting recorded")
_family("disclosure", F, "vigil.disclosure.models:Outcome", lambda code, label: f"Clare's Law decision: {label.lower()}")
ENCOMPASS_SEND = _event("encompass.send", F, "Operation Encompass notice sent to the school")
ENCOMPASS_ACKNOWLEDGE = _event("encompass.acknowledge", F, "The school acknowledged the Operation Encompass notice")
ENCOMPASS_SCHOOL_RECORD = _event("encompass.school_record", F, "A child's school recorded")
ENCOMPASS_SCHOOL_END = _event("encompass.school_end", F, "A child's school ended")
_family(
    "encompass",
    F,
    "vigil.schools.models:NoticeStatus",
    lambda code, label: f"Operation Encompass notice: {label[:1].lower()}{label[1:]}",
)
SCHOOLS_LOAD = _event("schools.load", F, "The schools' list loaded")
SCHOOLS_KEYADULT_ADD = _event("schools.keyadult.add", F, "A school's key adult added")
SCHOOLS_KEYADULT_CHANGE = _event("schools.keyadult.change", F, "A school's key adult changed")

# --- directory data kept in the administration pages (`AuditedAdmin`) ------------------------------------
for _label, _words in (
    ("partners.agency", "partner agency"),
    ("partners.agencymember", "partner agency's member"),
    ("schools.school", "school"),
):
    _event(f"{_label}.add", F, f"A {_words} added in the administration pages")
    _event(f"{_label}.change", F, f"A {_words} changed in the administration pages")
    _event(f"{_label}.delete", F, f"A {_words} deleted in the administration pages")

# --- accounts, keys, clients and the system ---------------------------------------------------------------
AUTH_PASSWORD_OK = _event("auth.password_ok", F, "Password accepted; the second factor is asked")
AUTH_CODE_REFUSED = _event("auth.code_refused", F, "A second-factor code was refused")
AUTH_SECOND_FACTOR_SET_UP = _event("auth.second_factor_set_up", F, "A second factor set up")
AUTH_SIGNED_IN = _event("auth.signed_in", F, "Signed in")
USER_CREATE = _event("user.create", F, "An account created")
USER_CHANGE = _event("user.change", F, "An account changed")
USER_GROUPS = _event("user.groups", F, "An account's groups changed")
KEYS_ROTATE = _event("keys.rotate", F, "Encryption keys rotated")
API_CLIENT_CREATE = _event("api_client.create", F, "An API client created")
API_CLIENT_ROTATE = _event("api_client.rotate", F, "An API client's token rotated")
API_CLIENT_REVOKE = _event("api_client.revoke", F, "An API client revoked")
API_CALL = _event("api.call", F, "The API was called")
API_CASE_ACTIONS = _event("api.case_actions", F, "A case's actions read through the API")
API_TEAM_ACTIONS = _event("api.team_actions", F, "A team's actions read through the API")
CALENDAR_FEED_CREATE = _event("calendar_feed.create", F, "A calendar feed created")
CALENDAR_FEED_READ = _event("calendar_feed.read", F, "A calendar feed read")
CALENDAR_FEED_REVOKE = _event("calendar_feed.revoke", F, "A calendar feed revoked")
NOTIFICATION_PREFERENCE = _event("notification.preference", F, "Notification preferences changed")
TIMELINE_IMPORT = _event("timeline.import", F, "A timeline file imported")

del F, P, E, D, A


def _members() -> Iterator[AuditEventType]:
    yield from _FIXED.values()
    for family in _FAMILIES:
        yield from family.members().values()


def lookup(name: str) -> AuditEventType | None:
    """The registered event called `name`, or None."""
    found = _FIXED.get(name)
    if found is not None:
        return found
    for family in _FAMILIES:
        if name.startswith(family.prefix + "."):
            member = family.members().get(name)
            if member is not None:
                return member
    return None


def event_type(name: str) -> AuditEventType:
    """The registered event called `name`; `UnregisteredAuditEvent` when there is none."""
    found = lookup(name)
    if found is None:
        raise UnregisteredAuditEvent(name)
    return found


def registered() -> dict[str, AuditEventType]:
    """Every registered event by name (each family's members included)."""
    return {event.name: event for event in _members()}


def family_prefixes() -> tuple[str, ...]:
    return tuple(dict.fromkeys(family.prefix for family in _FAMILIES))
