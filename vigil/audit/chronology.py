"""The case chronology, read from the audit trail and nothing else.

Every entry is one audit row, so the chronology a reviewer (the IOPC, a Domestic Homicide
Review panel) reads cannot disagree with the hash-chained trail: each entry carries the row's
sequence number and hash. The rows of a case are those written with its case id (and the
case ids of the same pair under linked records), and the rows about records that belong to
the pair without a case id: the subject's warrants, sightings, intelligence and justice
events, contact attempts on the victim, orders protecting the victim from the subject and
their breaches, and the victim's alarms.

Texts are built from what the row recorded (its `new` and `old` values). Encrypted narratives
are kept in the trail only as digests, so the chronology says that a summary was written, not
what it said; a reviewer reads the narrative on the record itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from vigil.audit import events as registry
from vigil.audit.models import AuditEvent
from vigil.core.access import WRITE_ROLES
from vigil.core.constants import (
    ActionKind,
    ActionStatus,
    ConditionKind,
    ContactChannel,
    FlagKind,
    Instrument,
    OrderType,
    Priority,
    ReportCategory,
    RiskLevel,
    RiskSource,
    Role,
    SignOff,
)

KINDS: dict[str, str] = {
    "fact": "What became known",
    "policy": "What the policy asked",
    "escalation": "Escalations",
    "decision": "What people did",
    "access": "Who looked at the case",
}
PAGE_DEFAULT_KINDS = ("fact", "policy", "escalation", "decision")


def kind_of(action: str) -> str:
    """Which part of the chronology an audit action belongs to (the registry says; a name
    it does not hold, from a row older than the registry, is a fact)."""
    found = registry.lookup(action)
    return found.part.value if found is not None else registry.Part.FACT.value


def may_export(user: Any) -> bool:
    """Who may download the review export: police roles, on cases they can see (not analysts or IDVAs)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in WRITE_ROLES)


# --- the filter -----------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(value.strip())


# The dates a filter may name (a chronology starts long after the first and ends before the last).
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


@dataclass(frozen=True)
class ChronologyFilter:
    """A date range (inclusive, local days) and the kinds of entry to show."""

    start: dt.date | None = None
    end: dt.date | None = None
    kinds: tuple[str, ...] = tuple(KINDS)
    errors: tuple[str, ...] = ()

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, default_kinds: Iterable[str] = tuple(KINDS)) -> ChronologyFilter:
        errors: list[str] = []
        bounds: dict[str, dt.date | None] = {}
        for name, label in (("from", "From"), ("to", "To")):
            try:
                bounds[name] = _date(params.get(name))
            except ValueError:
                bounds[name] = None
                errors.append(f"{label} date must be a real date, like 2025-03-02")
                continue
            day = bounds[name]
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                bounds[name] = None
                errors.append(f"{label} date must be between {FIRST_DAY:%Y} and {LAST_DAY:%Y}")
        getlist = getattr(params, "getlist", None)
        chosen = list(getlist("kind")) if getlist else list(params.get("kind") or [])
        kinds = tuple(k for k in chosen if k in KINDS) if chosen else tuple(default_kinds)
        start, end = bounds["from"], bounds["to"]
        if start and end and end < start:
            errors.append("To date must be the same as or after the from date")
        return cls(start=start, end=end, kinds=kinds, errors=tuple(errors))

    def as_params(self) -> list[tuple[str, str]]:
        params = [("from", self.start.isoformat())] if self.start else []
        params += [("to", self.end.isoformat())] if self.end else []
        return params + [("kind", k) for k in self.kinds]

    def describe(self) -> str:
        start = self.start.isoformat() if self.start else "the beginning"
        end = self.end.isoformat() if self.end else "now"
        return f"from {start} to {end}"


# --- entries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One chronology entry: one audit row, in words."""

    seq: int
    at: dt.datetime
    kind: str
    audit_action: str
    source: str
    by: str
    known: str = ""
    asked: str = ""
    done: str = ""
    rationale: str = ""
    hash: str = ""
    happened: str = ""  # for a fact: when the police were told and when it happened, in words

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def title(self) -> str:
        return self.done or self.asked or self.known

    @property
    def detail(self) -> str:
        parts = [p for p in (self.known, self.asked, self.done) if p and p != self.title]
        return " ".join(parts)


def _moment(value: Any) -> dt.datetime | None:
    """A time written into an audit row (ISO 8601), or None when it is not one."""
    if not value:
        return None
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _when(value: Any) -> str:
    moment = _moment(value)
    if moment is None:
        return str(value) if value else ""
    if moment.tzinfo is None:
        return moment.strftime("%-d %b %Y %H:%M")
    return timezone.localtime(moment).strftime("%-d %b %Y %H:%M")


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@dataclass
class _Lookups:
    """Names for the ids an audit row mentions, fetched once per chronology."""

    users: dict[int, str] = field(default_factory=dict)
    action_kinds: dict[int, str] = field(default_factory=dict)
    escalation_actions: dict[int, int] = field(default_factory=dict)

    def user(self, pk: Any) -> str:
        return self.users.get(int(pk), f"user {pk}") if pk not in (None, "") else "nobody"

    def action(self, pk: Any) -> str:
        try:
            return self.action_kinds.get(int(pk), "an action")
        except (TypeError, ValueError):
            return "an action"


def _person_name(user: Any) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return f"{full} ({user.username})" if full else str(user.username)


def _who(event: AuditEvent) -> tuple[str, str]:
    """(source, by whom) for an audit row."""
    if event.actor_id is not None and event.actor is not None:
        return _label(Role, event.actor.role), _person_name(event.actor)
    label = event.actor_label or "system"
    if label == "policy":
        return "Policy", "the policy (automatic)"
    if label == "portal":
        return "Victims' and families' portal", "the portal"
    return label.capitalize(), label


def _fact(event: AuditEvent, new: dict[str, Any]) -> str:
    """What became known, from a fact's audit row."""
    action = event.action
    texts: dict[str, Any] = {
        registry.REPORT_RECORD: lambda: (
            f"Report recorded: {_label(ReportCategory, new.get('category'))}, "
            f"reported {_when(new.get('reported_at') or new.get('occurred_at'))}"
            + (" (summary written)" if new.get("summary") else "")
        ),
        registry.ASSESSMENT_RECORD: lambda: (
            f"{_label(Instrument, new.get('instrument'))} completed {_when(new.get('completed_at'))}"
            + (f"; officer's own grading {new['officer_level']}" if new.get("officer_level") else "")
        ),
        registry.SIGHTING_RECORD: lambda: (
            "Subject seen"
            + (f" {_when(new.get('seen_at'))}" if new.get("seen_at") else "")
            + (" near a protected person" if new.get("near_id") else "")
            + (" at a recorded place" if new.get("place_id") else "")
        ),
        registry.CONTACT_ATTEMPT_RECORD: lambda: (
            f"Contact attempt by the subject ({_label(ContactChannel, new.get('channel'))})"
            + (f" {_when(new.get('at'))}" if new.get("at") else "")
        ),
        registry.INTELLIGENCE_RECORD: lambda: (
            "Intelligence received"
            + (": holds or hides weapons" if new.get("weapons") else "")
            + (": believed threat to kill" if new.get("threat_to_kill") else "")
        ),
        registry.WARRANT_ISSUE: lambda: (
            f"Warrant {new.get('reference', '')} issued {_when(new.get('issued_at'))}: {new.get('reason', '')}"
        ),
        registry.WARRANT_EXECUTE: lambda: f"Warrant executed {_when(new.get('executed_at'))}",
        registry.WARRANT_WITHDRAW: lambda: (
            f"Warrant withdrawn {_when(new.get('withdrawn_at'))}: {new.get('withdrawn_reason', '')}"
        ),
        registry.ORDER_GRANT: lambda: (
            f"{_label(OrderType, new.get('order_type'))} granted, from {_when(new.get('starts_at'))}"
            + (f" to {_when(new.get('expires_at'))}" if new.get("expires_at") else "")
        ),
        registry.ORDER_CONDITION_ADD: lambda: (
            f"Order condition: {_label(ConditionKind, new.get('kind'))}"
            + (f" ({new['radius_m']:.0f} m)" if new.get("radius_m") else "")
        ),
        registry.ORDER_END: lambda: f"Order ended {_when(new.get('ended_at'))}: {new.get('ended_reason', '')}",
        registry.BREACH_RECORD: lambda: "Order broken" + (f" {_when(new.get('at'))}" if new.get("at") else ""),
        registry.ALARM_FIT: lambda: f"Alarm fitted {_when(new.get('fitted_at'))}",
        registry.CASE_REFERRED_WITH_CONSENT: lambda: (
            "Referred to the adviser with the victim's consent"
            if new.get("referred_with_consent")
            else "No longer referred to the adviser"
        ),
        registry.ALARM_ACTIVATE: lambda: "Alarm pressed" + (f" {_when(new.get('at'))}" if new.get("at") else ""),
    }
    if action in texts:
        return str(texts[action]())
    found = registry.lookup(action)
    if found is None:
        return f"Recorded: {action}"
    if found.family == "justice":
        offence = f": {new['offence']}" if new.get("offence") else ""
        return f"{found.words} {_when(new.get('at'))}{offence}"
    # The registry's words: for the adviser's work, what was done and never its text (the
    # adviser's casework).
    return found.words


def _changes(new: dict[str, Any]) -> str:
    words = {
        "due_at": lambda v: f"due {_when(v)}",
        "priority": lambda v: f"priority {_label(Priority, v).lower()}",
        "status": lambda v: f"status {_label(ActionStatus, v).lower()}",
        "closed_at": lambda v: f"closed {_when(v)}" if v else "reopened",
        "level": lambda v: f"escalation level {v}",
    }
    return ", ".join(words[k](v) for k, v in new.items() if k in words) or "details updated"


def _policy(event: AuditEvent, new: dict[str, Any], lookups: _Lookups) -> tuple[str, str]:
    """(what was known, what the policy asked) for a policy row."""
    if event.action == registry.ACTION_CREATE:
        asked = (
            f"{_label(ActionKind, new.get('kind'))} by {_when(new.get('due_at'))} "
            f"({_label(Priority, new.get('priority')).lower()} priority, {new.get('rule', '')}): {new.get('reason', '')}"
        )
        return "", asked
    if event.action == registry.ACTION_UPDATE:
        return "", f"{lookups.action(event.object_id)}: {_changes(new)}"
    if event.action == registry.RISK_CHANGE:
        drivers = "; ".join(str(d) for d in new.get("drivers") or [])
        source = _label(RiskSource, new.get("source"))
        return f"Risk level {_label(RiskLevel, new.get('level')).lower()} ({source})" + (f": {drivers}" if drivers else ""), ""
    if event.action == registry.CASE_RISK_LEVEL:
        return f"The case's risk level is now {_label(RiskLevel, new.get('risk_level')).lower()}", ""
    if event.action == registry.FLAG_RAISE:
        return f"Flag: {_label(FlagKind, new.get('kind'))}. {new.get('detail', '')}".strip(), ""
    return "", event.action


def _decision(event: AuditEvent, new: dict[str, Any], lookups: _Lookups) -> tuple[str, str]:
    """(what was done, rationale) for a person's decision row."""
    what = lookups.action(event.object_id)
    action = event.action
    if action == registry.DECISION_WITHDRAW:
        return "Decision withdrawn by a supervisor (the action reopens)", str(new.get("withdrawn_note", ""))
    found = registry.lookup(action)
    if found is not None and found.family == "decision":
        kind = _label(ActionKind, new.get("action_kind"))
        return f"Decision recorded: {kind} {found.code}", str(new.get("rationale", ""))
    if action == registry.ACTION_COMPLETE:
        return f"{what}: marked as done", str(new.get("rationale", ""))
    if action == registry.ACTION_DECLINE:
        awaiting = new.get("signoff") == SignOff.AWAITING
        return f"{what}: declined" + (" (waits for a supervisor's sign-off)" if awaiting else ""), str(new.get("rationale", ""))
    if action == registry.ACTION_REASSIGN:
        return f"{what}: reassigned to {lookups.user(new.get('owner'))}", ""
    if action == registry.ACTION_SIGNOFF:
        return f"{what}: decline signed off", str(new.get("signoff_note", ""))
    if action == registry.ACTION_SEND_BACK:
        return f"{what}: decline sent back, the action is open again", str(new.get("signoff_note", ""))
    return action, ""


def _access(event: AuditEvent, new: dict[str, Any]) -> str:
    if event.action == registry.CASE_VIEW:
        return "Viewed the case"
    if event.action == registry.PLACE_REVEAL:
        return "Viewed a protected address"
    if event.action == registry.CHRONOLOGY_EXPORT:
        return f"Exported the chronology ({new.get('format', '')}, {new.get('range', '')}, {new.get('rows', 0)} entries)"
    return f"Viewed a record ({event.object_type})"


def entry_for(event: AuditEvent, lookups: _Lookups) -> Entry:
    new: dict[str, Any] = event.new if isinstance(event.new, dict) else {}
    kind = kind_of(event.action)
    source, by = _who(event)
    base = Entry(seq=event.seq, at=event.at, kind=kind, audit_action=event.action, source=source, by=by, hash=event.hash)
    if kind == "policy":
        known, asked = _policy(event, new, lookups)
        return replace(base, known=known, asked=asked)
    if kind == "escalation":
        action_pk = new.get("action") or lookups.escalation_actions.get(int(event.object_id))
        asked = f"{lookups.action(action_pk)}: not done in time, raised to level {new.get('level')} ({_when(new.get('at'))})"
        return replace(base, asked=asked)
    if kind == "decision":
        done, rationale = _decision(event, new, lookups)
        return replace(base, done=done, rationale=rationale)
    if kind == "access":
        return replace(base, done=_access(event, new))
    return replace(base, known=_fact(event, new), happened=_happened(new))


# The fields of a fact's audit row that say when it happened, by fact: a happened time kept
# with its window (`_until`, `_date_only`, vigil/core/times.py), or a single moment.
_HAPPENED_WINDOWS = ("occurred_at", "seen_at", "happened_at", "at")
_HAPPENED_MOMENTS = ("completed_at", "issued_at", "starts_at", "fitted_at", "executed_at")


def _happened(new: dict[str, Any]) -> str:
    """When a fact became known and when it happened, in words: 'Police told 2 March 2025 at
    02:10; happened on 1 March 2025 (time not known)'. Empty for a row that says neither."""
    from vigil.core.times import Happened

    parts: list[str] = []
    reported = _aware(new.get("reported_at"))
    if reported is not None:
        parts.append(f"Police told {_long(reported)}")
    window = next((n for n in _HAPPENED_WINDOWS if f"{n}_date_only" in new), None)
    if window is not None:
        start, end = _aware(new.get(window)), _aware(new.get(f"{window}_until"))
        when = Happened.from_columns(start, end, bool(new.get(f"{window}_date_only")))
        if when.known:
            text = when.words()
            parts.append(f"happened {text}" if parts else f"Happened {text}")
        elif parts:
            parts.append("when it happened is not known")
        return "; ".join(parts)
    name = next((n for n in (*_HAPPENED_MOMENTS, "at") if new.get(n)), None)
    moment = _aware(new.get(name)) if name else None
    if moment is not None and (reported is None or moment != reported):
        parts.append(f"happened {_long(moment)}" if parts else f"Happened {_long(moment)}")
    return "; ".join(parts)


def _aware(value: Any) -> dt.datetime | None:
    moment = _moment(value)
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else timezone.make_aware(moment)


def _long(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M}"


# --- which audit rows belong to a case ----------------------------------------------------


def _related_objects(case: Any) -> dict[str, list[str]]:
    from vigil.alarms.models import Alarm, AlarmActivation
    from vigil.cases.models import ContactAttempt, Intelligence, JusticeEvent
    from vigil.cases.selectors import pair_sightings
    from vigil.orders.models import Breach, OrderCondition, ProtectiveOrder
    from vigil.people.linking import linked_ids
    from vigil.warrants.models import Warrant

    victims = linked_ids(case.victim)
    subjects = linked_ids(case.subject) if case.subject_id else set()
    orders = ProtectiveOrder.objects.filter(subject_id__in=subjects, protected__in=victims).distinct()
    querysets: dict[str, QuerySet[Any]] = {
        "warrants.warrant": Warrant.objects.filter(subject_id__in=subjects),
        "cases.sighting": pair_sightings(case),
        "cases.contactattempt": ContactAttempt.objects.filter(subject_id__in=subjects, victim_id__in=victims),
        "cases.intelligence": Intelligence.objects.filter(subject_id__in=subjects),
        "cases.justiceevent": JusticeEvent.objects.filter(subject_id__in=subjects),
        "orders.protectiveorder": orders,
        "orders.ordercondition": OrderCondition.objects.filter(order__in=orders),
        "orders.breach": Breach.objects.filter(order__in=orders),
        "alarms.alarm": Alarm.objects.filter(person_id__in=victims),
        "alarms.alarmactivation": AlarmActivation.objects.filter(person_id__in=victims),
    }
    return {label: [str(pk) for pk in qs.values_list("pk", flat=True)] for label, qs in querysets.items()}


def pair_case_ids(case: Any, user: Any = None) -> set[int]:
    """This case and any case of the same pair under linked records (only those `user` may
    see, when given: a restricted case of the same pair stays with the people named on it)."""
    from vigil.cases.models import Case
    from vigil.core.access import cases_for_user
    from vigil.people.linking import linked_ids

    victims = linked_ids(case.victim)
    pairs = (cases_for_user(user) if user is not None else Case.objects.all()).filter(victim_id__in=victims)
    pairs = pairs.filter(subject_id__in=linked_ids(case.subject)) if case.subject_id else pairs.filter(subject__isnull=True)
    return {case.pk, *pairs.values_list("pk", flat=True)}


def case_audit_rows(case: Any, chrono_filter: ChronologyFilter | None = None, *, user: Any = None) -> QuerySet[AuditEvent]:
    """The audit rows of a case, in the chain's order, within the filter's date range (and,
    for a `user`, without the rows of other cases of the pair that they may not see)."""
    case_ids = pair_case_ids(case, user)
    # The case's own creation row carries no case id: it is the case.
    where = Q(case_id__in=case_ids) | Q(object_type="cases.case", object_id__in=[str(pk) for pk in case_ids])
    for label, ids in _related_objects(case).items():
        if ids:
            where |= Q(object_type=label, object_id__in=ids)
    qs = AuditEvent.objects.filter(where).select_related("actor").order_by("seq")
    if chrono_filter is not None:
        zone = timezone.get_current_timezone()
        if chrono_filter.start:
            qs = qs.filter(at__gte=dt.datetime.combine(chrono_filter.start, dt.time.min, tzinfo=zone))
        if chrono_filter.end:
            qs = qs.filter(at__lt=dt.datetime.combine(chrono_filter.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone))
    return qs


def _lookups(events: list[AuditEvent]) -> _Lookups:
    from vigil.actions.models import Action, Escalation

    action_ids = {int(e.object_id) for e in events if e.object_type == "actions.action"}
    escalations = dict(
        Escalation.objects.filter(pk__in=[int(e.object_id) for e in events if e.object_type == "actions.escalation"]).values_list(
            "pk", "action_id"
        )
    )
    for e in events:
        if e.object_type == "actions.escalation" and isinstance(e.new, dict) and e.new.get("action"):
            action_ids.add(int(e.new["action"]))
    action_ids |= set(escalations.values())
    kinds = {pk: _label(ActionKind, kind) for pk, kind in Action.objects.filter(pk__in=action_ids).values_list("pk", "kind")}
    owner_ids = {
        int(e.new["owner"])
        for e in events
        if e.action == registry.ACTION_REASSIGN and isinstance(e.new, dict) and e.new.get("owner")
    }
    users = {u.pk: _person_name(u) for u in get_user_model().objects.filter(pk__in=owner_ids)}
    return _Lookups(users=users, action_kinds=kinds, escalation_actions=escalations)


def case_chronology(case: Any, chrono_filter: ChronologyFilter | None = None, *, user: Any = None) -> list[Entry]:
    """Every entry of the case's chronology that passes the filter, oldest first."""
    events = list(case_audit_rows(case, chrono_filter, user=user))
    if chrono_filter is not None:
        events = [e for e in events if kind_of(e.action) in chrono_filter.kinds]
    lookups = _lookups(events)
    return [entry_for(e, lookups) for e in events]


def chronology_context(user: Any, case: Any, params: Mapping[str, Any]) -> dict[str, Any]:
    """What the case page's chronology section needs (the include reads `chronology`)."""
    from urllib.parse import urlencode

    from django.urls import reverse

    chrono_filter = ChronologyFilter.from_params(params, default_kinds=PAGE_DEFAULT_KINDS)
    entries = case_chronology(case, chrono_filter, user=user)
    query = urlencode(chrono_filter.as_params())
    exports = (
        [(fmt.upper(), f"{reverse('chronology_export', args=[case.pk, fmt])}?{query}") for fmt in ("csv", "pdf")]
        if may_export(user)
        else []
    )
    return {
        "chronology": {
            "entries": entries,
            "filter": chrono_filter,
            "kinds": list(KINDS.items()),
            "exports": exports,
        }
    }
