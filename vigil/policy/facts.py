"""The facts the engine reads: people, places, relationships, identity groups, and events.

Plain frozen dataclasses, built either by `vigil.timeline.reader` from a timeline file or by
the live system from the database. Every datetime is timezone-aware.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Person:
    ref: str
    name: str
    aliases: tuple[str, ...] = ()
    born: str | None = None  # "YYYY-MM-DD", "YYYY" or None
    sex: str = "unknown"
    home: str | None = None  # a place ref


@dataclass(frozen=True)
class Place:
    ref: str
    label: str
    kind: str  # home, work, school, other
    lat: float
    lon: float
    person: str | None = None  # whose work, school or regular place this is


@dataclass(frozen=True)
class Relationship:
    a: str
    b: str
    kind: str
    since: dt.date | None = None
    until: dt.date | None = None


@dataclass(frozen=True, eq=False)
class World:
    """Everyone and everywhere the events may name, and which person records are one human.

    `groups` are the identity links (sets of person refs). A pair is (victim group, subject
    group), each named by its canonical ref: the first of the group's refs in `people` order.
    """

    people: Mapping[str, Person]
    places: Mapping[str, Place] = field(default_factory=dict)
    relationships: Sequence[Relationship] = ()
    groups: Sequence[frozenset[str]] = ()
    group_reasons: Mapping[frozenset[str], str] = field(default_factory=dict)
    timezone: str = "Europe/London"
    # How to name an order or a warrant in words, by its id in the events ("O12" -> "NMO-7"):
    # the live system's references. Ids without a label are named as they are.
    labels: Mapping[str, str] = field(default_factory=dict)
    _canonical: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _members: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        order = {ref: i for i, ref in enumerate(self.people)}
        for group in self.groups:
            refs = tuple(sorted(group, key=lambda r: (order.get(r, len(order)), r)))
            for ref in refs:
                self._canonical[ref] = refs[0]
                self._members[ref] = refs

    def canonical(self, ref: str) -> str:
        return self._canonical.get(ref, ref)

    def linked(self, ref: str) -> bool:
        """Whether `ref` is in an identity group."""
        return ref in self._members

    def members(self, ref: str) -> tuple[str, ...]:
        """Every person ref of `ref`'s identity group (itself when it has no links)."""
        return self._members.get(ref, (ref,))

    def person(self, ref: str) -> Person | None:
        return self.people.get(ref)

    def link_reason(self, ref: str) -> str:
        for group, reason in self.group_reasons.items():
            if ref in group:
                return reason
        return ""


@dataclass(frozen=True)
class Condition:
    kind: str  # no_contact, exclusion_zone
    place: str | None = None
    radius_m: float | None = None


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something that became known at `at`. `event_id` is stable (derived from the content
    when not given); `index` is the position in the source file, for messages.

    `recorded` is when the live system was told it (None: at `at`, as in a timeline file). A
    fact entered late with an earlier `at` is placed at `at`, but a decision recorded before
    it was entered cannot settle the work it creates (docs/live-and-replay.md). It is not
    part of the event's content or id."""

    TYPE: ClassVar[str] = ""
    at: dt.datetime
    summary: str = ""
    event_id: str = ""
    index: int = -1
    recorded: dt.datetime | None = None

    @property
    def type(self) -> str:
        return self.TYPE


@dataclass(frozen=True, kw_only=True)
class Report(Event):
    TYPE: ClassVar[str] = "report"
    victim: str
    suspect: str | None = None
    category: str
    reported_by: str | None = None
    place: str | None = None
    children_present: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RiskAssessment(Event):
    TYPE: ClassVar[str] = "risk_assessment"
    victim: str
    suspect: str | None = None
    instrument: str
    answers: Mapping[int, bool] = field(default_factory=dict)
    officer_level: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderGranted(Event):
    TYPE: ClassVar[str] = "order_granted"
    order: str
    order_type: str
    protected: tuple[str, ...]
    subject: str
    conditions: tuple[Condition, ...] = ()
    expires: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class OrderEnded(Event):
    TYPE: ClassVar[str] = "order_ended"
    order: str


@dataclass(frozen=True, kw_only=True)
class OrderVaried(Event):
    """A court varied an order: from `at` its conditions and expiry are these (the whole new
    terms, not a difference). A live-system event, not in format 1."""

    TYPE: ClassVar[str] = "order_varied"
    order: str
    conditions: tuple[Condition, ...] = ()
    expires: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Breach(Event):
    TYPE: ClassVar[str] = "breach"
    order: str
    reported_by: str | None = None
    place: str | None = None


@dataclass(frozen=True, kw_only=True)
class Sighting(Event):
    TYPE: ClassVar[str] = "sighting"
    subject: str
    near: str | None = None
    place: str | None = None
    reported_by: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, kw_only=True)
class ContactAttempt(Event):
    TYPE: ClassVar[str] = "contact_attempt"
    subject: str
    victim: str
    channel: str = "other"
    reported_by: str | None = None


@dataclass(frozen=True, kw_only=True)
class Arrest(Event):
    TYPE: ClassVar[str] = "arrest"
    subject: str


@dataclass(frozen=True, kw_only=True)
class Charge(Event):
    TYPE: ClassVar[str] = "charge"
    subject: str
    offence: str = ""


@dataclass(frozen=True, kw_only=True)
class Released(Event):
    TYPE: ClassVar[str] = "released"
    subject: str
    bail_until: dt.datetime | None = None


@dataclass(frozen=True, kw_only=True)
class CourtHearing(Event):
    TYPE: ClassVar[str] = "court_hearing"
    subject: str
    outcome: str


@dataclass(frozen=True, kw_only=True)
class WarrantIssued(Event):
    TYPE: ClassVar[str] = "warrant_issued"
    warrant: str
    subject: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class WarrantExecuted(Event):
    TYPE: ClassVar[str] = "warrant_executed"
    warrant: str


@dataclass(frozen=True, kw_only=True)
class WarrantWithdrawn(Event):
    """Not in timeline format 1; the live system records it, and POLICY.md's 'Closing'
    says what it does (the warrant's actions are cancelled)."""

    TYPE: ClassVar[str] = "warrant_withdrawn"
    warrant: str
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AlarmFitted(Event):
    TYPE: ClassVar[str] = "alarm_fitted"
    person: str
    place: str | None = None


@dataclass(frozen=True, kw_only=True)
class AlarmActivated(Event):
    TYPE: ClassVar[str] = "alarm_activated"
    person: str
    place: str | None = None


@dataclass(frozen=True, kw_only=True)
class Intelligence(Event):
    TYPE: ClassVar[str] = "intelligence"
    subject: str
    place: str | None = None
    weapons: bool = False
    threat_to_kill: bool = False


@dataclass(frozen=True, kw_only=True)
class DisclosureRequest(Event):
    """A Clare's Law (Domestic Violence Disclosure Scheme) application about the subject's
    past (`right_to_ask`), or the police's own decision to consider telling the person at
    risk (`right_to_know`)."""

    TYPE: ClassVar[str] = "disclosure_request"
    request: str
    route: str
    subject: str
    person_at_risk: str
    applicant: str | None = None


@dataclass(frozen=True, kw_only=True)
class DisclosureDecision(Event):
    """The decision on a disclosure request: `disclose` or `no_disclosure` (which needs a
    rationale)."""

    TYPE: ClassVar[str] = "disclosure_decision"
    request: str
    decision: str
    rationale: str = ""


@dataclass(frozen=True, kw_only=True)
class PartnerConcern(Event):
    """A partner agency (an independent domestic violence adviser) raised a concern about a
    victim and the subject for the police to review. A live-system event, not in format 1."""

    TYPE: ClassVar[str] = "partner_concern"
    victim: str
    subject: str | None = None
    agency: str = ""


@dataclass(frozen=True, kw_only=True)
class ActionCompleted(Event):
    TYPE: ClassVar[str] = "action_completed"
    action: str
    victim: str
    subject: str | None = None


@dataclass(frozen=True, kw_only=True)
class ActionDeclined(Event):
    TYPE: ClassVar[str] = "action_declined"
    action: str
    victim: str
    subject: str | None = None
    rationale: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (
        Report,
        RiskAssessment,
        OrderGranted,
        OrderEnded,
        OrderVaried,
        Breach,
        Sighting,
        ContactAttempt,
        Arrest,
        Charge,
        Released,
        CourtHearing,
        WarrantIssued,
        WarrantExecuted,
        WarrantWithdrawn,
        AlarmFitted,
        AlarmActivated,
        Intelligence,
        DisclosureRequest,
        DisclosureDecision,
        PartnerConcern,
        ActionCompleted,
        ActionDeclined,
    )
}

# Events at the same moment are applied in this order: facts that set up state (a report
# establishing a pair, an order or warrant beginning or ending) before facts that react to
# it (a sighting that breaks the order), a disclosure request after what sets its pair's
# level at that moment, and arrests and decisions last (a disclosure decision after
# everything, so that one made at the moment of its request answers it).
TYPE_ORDER: dict[str, int] = {
    name: i
    for i, name in enumerate(
        (
            "report",
            "order_ended",
            "order_granted",
            "order_varied",
            "warrant_withdrawn",
            "warrant_issued",
            "alarm_fitted",
            "charge",
            "released",
            "court_hearing",
            "risk_assessment",
            "intelligence",
            "breach",
            "sighting",
            "contact_attempt",
            "alarm_activated",
            "disclosure_request",
            "partner_concern",
            "warrant_executed",
            "arrest",
            "action_completed",
            "action_declined",
            "disclosure_decision",
        )
    )
}


def _canonical_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Condition):
        return {"kind": value.kind, "place": value.place, "radius_m": value.radius_m}
    if isinstance(value, Mapping):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    return value


def canonical_content(event: Event) -> str:
    """The event's content as canonical JSON (times in UTC), without its id or position."""
    content = {
        f.name: _canonical_value(getattr(event, f.name)) for f in fields(event) if f.name not in ("event_id", "index", "recorded")
    }
    content["type"] = event.type
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def content_id(event: Event) -> str:
    return hashlib.sha256(canonical_content(event).encode()).hexdigest()[:16]


def sort_key(event: Event) -> tuple[dt.datetime, int, str]:
    return (event.at, TYPE_ORDER.get(event.type, len(TYPE_ORDER)), event.event_id or canonical_content(event))


def in_utc(event: Event) -> Event:
    """The event with every datetime in UTC (the same instants).

    The engine works in UTC only. Python adds a timedelta to a datetime in a zone such as
    Europe/London on the wall clock, so "24 h" after a moment the evening before the clocks
    change would be 23 or 25 hours; and it compares two datetimes of one zone by their wall
    clocks, so in the repeated hour of October 01:10 GMT would sort before 01:30 BST."""
    changes: dict[str, Any] = {}
    names = _TIME_FIELDS.get(type(event))
    if names is None:
        names = _TIME_FIELDS[type(event)] = _time_fields(type(event))
    utc = dt.UTC
    for name in names:
        value = getattr(event, name)
        if isinstance(value, dt.datetime) and value.tzinfo is not utc:
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"event {event.type}: {name} {value} has no time zone")
            changes[name] = value.astimezone(utc)
    return dataclasses.replace(event, **changes) if changes else event


# The fields of each event class that may hold a datetime (the class's fields are fixed,
# so they are looked up once per class rather than once per event).
_TIME_FIELDS: dict[type, tuple[str, ...]] = {}


_NOT_TIME = frozenset(
    (
        "str",
        "str | None",
        "int",
        "bool",
        "float",
        "float | None",
        "tuple[str, ...]",
        "Mapping[int, bool]",
        "tuple[Condition, ...]",
    )
)


def _time_fields(cls: type) -> tuple[str, ...]:
    """Every field not declared as something other than a datetime."""
    return tuple(f.name for f in fields(cls) if not (isinstance(f.type, str) and f.type in _NOT_TIME))


def with_ids(events: Iterable[Event]) -> list[Event]:
    """The events in the engine's total order, each with a stable `event_id`, every
    datetime in UTC (see `in_utc`).

    The order does not depend on the order of the input: by time, then type, then content.
    An id is the hash of the content; identical events get `.2`, `.3` after the first.
    """
    keyed: list[tuple[tuple[dt.datetime, int, str], Event]] = []
    append = keyed.append
    order, last = TYPE_ORDER, len(TYPE_ORDER)
    for event in events:
        if event.at.tzinfo is None:
            raise ValueError(f"event {event.type} at {event.at} has no time zone")
        event = in_utc(event)
        ident = event.event_id or content_id(event)
        append(((event.at, order.get(event.type, last), ident), event))
    keyed.sort(key=_first)
    seen: dict[str, int] = {}
    result: list[Event] = []
    add = result.append
    for (_, _, ident), event in keyed:
        n = seen.get(ident, 0) + 1
        seen[ident] = n
        final = ident if n == 1 else f"{ident}.{n}"
        add(event if final == event.event_id else dataclasses.replace(event, event_id=final))
    return result


_first = operator.itemgetter(0)
