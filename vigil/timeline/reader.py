"""Read and validate a timeline file (format `vigil-timeline/1`) into the engine's facts.

Any problem is a `TimelineError` naming the file, the place in it and the key, e.g.
`scenario.json: events[3].category: unknown category 'burglary'`. Nothing is guessed: a
file that does not follow FORMAT.md is refused whole, so a replay never answers from half
a timeline.

This is the one parser of the timeline document: `vigil replay` and `vigil import timeline`
read files with it, and the live system reads the document it builds from the database
(`vigil.actions.live_document.build_document`) with it too (`read_live_document`), so a fact means
the same to the engine whichever way it arrived.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from vigil.policy import calendar
from vigil.policy.facts import (
    ActionCompleted,
    ActionDeclined,
    AlarmActivated,
    AlarmFitted,
    Arrest,
    Breach,
    Charge,
    Condition,
    ContactAttempt,
    CourtHearing,
    DisclosureDecision,
    DisclosureRequest,
    Event,
    Intelligence,
    OrderEnded,
    OrderGranted,
    OrderVaried,
    PartnerConcern,
    Person,
    Place,
    Relationship,
    Released,
    Report,
    RiskAssessment,
    Sighting,
    WarrantExecuted,
    WarrantIssued,
    WarrantWithdrawn,
    World,
    with_ids,
)
from vigil.policy.vocabulary import (
    INSTRUMENTS,
    QUESTIONS,
    ActionKind,
    ConditionKind,
    ContactChannel,
    DisclosureOutcome,
    DisclosureRoute,
    EventType,
    ExtensionEventType,
    HearingOutcome,
    OrderType,
    PlaceKind,
    RelationshipKind,
    ReportCategory,
    RiskLevel,
    Sex,
    codes,
)

FORMAT = "vigil-timeline/1"
ORDER_TYPES = codes(OrderType)
CHANNELS = codes(ContactChannel)
OUTCOMES = codes(HearingOutcome)
SEXES = codes(Sex)
CONDITION_KINDS = codes(ConditionKind)
FORMAT_TYPES = codes(EventType)
# Event types the live system also records (not in format 1, so refused in a file).
EXTENSION_TYPES = codes(ExtensionEventType)
EXTENSIONS_HELP = (
    f"also read the live system's own event types ({', '.join(EXTENSION_TYPES)}): Vigil extensions, not part of vigil-timeline/1"
)
ACTION_KINDS = codes(ActionKind)
LEVELS = codes(RiskLevel)
PLACE_KINDS = codes(PlaceKind)
RELATIONSHIP_KINDS = codes(RelationshipKind)
REPORT_CATEGORIES = codes(ReportCategory)
DISCLOSURE_ROUTES = codes(DisclosureRoute)
DISCLOSURE_DECISIONS = codes(DisclosureOutcome)


class TimelineError(ValueError):
    """A timeline that cannot be replayed: the file, the event index (if any), the key."""

    def __init__(self, file: str, key: str, message: str, index: int | None = None) -> None:
        self.file = file
        self.key = key
        self.message = message
        self.index = index
        super().__init__(f"{file}: {key}: {message}" if key else f"{file}: {message}")


@dataclass(frozen=True, eq=False)
class Timeline:
    file: str
    id: str
    title: str
    source: str
    timezone: str
    world: World
    events: list[Event]  # in the engine's order, each with its stable id
    replay_until: dt.datetime


def parse_datetime(value: Any, zone: ZoneInfo) -> dt.datetime:
    """An ISO 8601 datetime; without an offset it is local to `zone`; a date alone is 09:00."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be an ISO 8601 datetime, got {_show(value)}")
    text = value.strip()
    try:
        if "T" not in text and " " not in text:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time(9, 0), tzinfo=zone)
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a datetime: {value!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return str(value)


_MISSING = object()


class _Reader:
    """Reads one JSON object, naming the key of any problem."""

    def __init__(self, file: str, path: str, data: Any, index: int | None, zone: ZoneInfo | None) -> None:
        self.file = file
        self.path = path
        self.index = index
        self.zone = zone
        if not isinstance(data, dict):
            raise TimelineError(file, path, f"must be an object, got {_show(data)}", index)
        self.data: dict[str, Any] = data

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str, message: str) -> TimelineError:
        return TimelineError(self.file, self.key(name), message, self.index)

    def get(self, name: str, default: Any = _MISSING) -> Any:
        if name not in self.data:
            if default is _MISSING:
                raise self.error(name, "missing required key")
            return default
        return self.data[name]

    def string(self, name: str, default: Any = _MISSING, *, empty: bool = False) -> str:
        value = self.get(name, default)
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise self.error(name, f"must be a non-empty string, got {_show(value)}")
        return value

    def optional_string(self, name: str) -> str | None:
        value = self.get(name, None)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.error(name, f"must be a string or null, got {_show(value)}")
        return value

    def choice(self, name: str, options: tuple[str, ...], what: str, default: Any = _MISSING) -> str:
        value = self.get(name, default)
        if not isinstance(value, str) or value not in options:
            raise self.error(name, f"unknown {what} {_show(value)} (one of {', '.join(options)})")
        return value

    def number(self, name: str, low: float, high: float) -> float:
        value = self.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise self.error(name, f"must be a number from {low:g} to {high:g}, got {_show(value)}")
        return float(value)

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {_show(value)}")
        return value

    def moment(self, name: str, default: Any = _MISSING) -> dt.datetime | None:
        value = self.get(name, default)
        if value is None and default is None:
            return None
        assert self.zone is not None
        try:
            return parse_datetime(value, self.zone)
        except ValueError as exc:
            raise self.error(name, str(exc)) from None

    def date(self, name: str) -> dt.date | None:
        value = self.get(name, None)
        if value is None:
            return None
        assert self.zone is not None
        try:
            return parse_datetime(value, self.zone).astimezone(self.zone).date()
        except ValueError as exc:
            raise self.error(name, str(exc).replace("datetime", "date")) from None

    def ref(self, name: str, known: dict[str, Any], what: str, *, nullable: bool = False, default: Any = _MISSING) -> str | None:
        value = self.get(name, default)
        if value is None and nullable:
            return None
        return self._check_ref(self.key(name), value, known, what)

    def refs(self, name: str, known: dict[str, Any], what: str, default: Any = _MISSING) -> tuple[str, ...]:
        value = self.get(name, default)
        if not isinstance(value, list):
            raise self.error(name, f"must be a list of {what} refs, got {_show(value)}")
        return tuple(self._check_ref(f"{self.key(name)}[{i}]", item, known, what) for i, item in enumerate(value))

    def _check_ref(self, key: str, value: Any, known: dict[str, Any], what: str) -> str:
        if not isinstance(value, str):
            raise TimelineError(self.file, key, f"must be a {what} ref, got {_show(value)}", self.index)
        if value not in known:
            raise TimelineError(self.file, key, f"undefined {what} ref {value!r}", self.index)
        return value


def read_timeline(path: str | os.PathLike[str], *, extensions: bool = False) -> Timeline:
    """Read and validate a timeline file."""
    name = str(path)
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise TimelineError(name, "", "no such file") from None
    except UnicodeDecodeError as exc:
        raise TimelineError(name, "", f"not UTF-8 text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise TimelineError(name, "", f"not valid JSON: {exc}") from None
    return parse_timeline(data, name, extensions=extensions)


def parse_timeline(data: Any, file: str = "<timeline>", *, extensions: bool = False, check_until: bool = True) -> Timeline:
    """Validate a parsed timeline document. `extensions` admits the live system's extra
    event types; `check_until` refuses events after `replay_until`."""
    parsed = _parse(data, file, extensions=extensions, check_until=check_until, live=False)
    return dataclasses.replace(parsed, events=with_ids(parsed.events))


def read_live_document(document: dict[str, Any]) -> tuple[World, list[Event]]:
    """The live system's timeline document read as a file is read: its world, and its events
    in the document's order, without ids (each event's `index` is its position in
    `document["events"]`). The live document may also hold the live system's event types
    (EXTENSION_TYPES), each event's `recorded` time, and an exclusion zone whose place has no
    coordinates (`place: null`, which no distance can reach). Its identity groups, link
    reasons and labels are the caller's (`vigil.actions.engine_adapter`)."""
    parsed = _parse(document, "live document", extensions=True, check_until=False, live=True)
    return parsed.world, parsed.events


def _parse(data: Any, file: str, *, extensions: bool, check_until: bool, live: bool) -> Timeline:
    """The document validated, its events in the file's order without ids."""
    top = _Reader(file, "", data, None, None)
    fmt = top.get("format")
    if fmt != FORMAT:
        raise top.error("format", f"must be {FORMAT!r}, got {_show(fmt)}")
    zone_name = top.string("timezone")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise top.error("timezone", f"unknown time zone {zone_name!r}") from None
    top.zone = zone
    ident = top.string("id")
    title = top.string("title", "", empty=True)
    source = top.string("source", "", empty=True)
    replay_until = top.moment("replay_until")
    assert replay_until is not None

    raw_people = _list(top, "people")
    raw_places = _list(top, "places", [])
    raw_relationships = _list(top, "relationships", [])
    raw_events = _list(top, "events")

    person_refs: dict[str, Any] = {}
    for i, item in enumerate(raw_people):
        r = _Reader(file, f"people[{i}]", item, None, zone)
        ref = r.string("ref")
        if ref in person_refs:
            raise r.error("ref", f"ref {ref!r} is defined twice")
        person_refs[ref] = item
    place_refs: dict[str, Any] = {}
    for i, item in enumerate(raw_places):
        r = _Reader(file, f"places[{i}]", item, None, zone)
        ref = r.string("ref")
        if ref in place_refs or ref in person_refs:
            raise r.error("ref", f"ref {ref!r} is defined twice")
        place_refs[ref] = item

    people: dict[str, Person] = {}
    for i, item in enumerate(raw_people):
        r = _Reader(file, f"people[{i}]", item, None, zone)
        aliases = r.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise r.error("aliases", f"must be a list of names, got {_show(aliases)}")
        born = r.optional_string("born")
        if born is not None and not _valid_born(born):
            raise r.error("born", f"must be YYYY-MM-DD, YYYY or null, got {born!r}")
        person = Person(
            ref=r.string("ref"),
            name=r.string("name"),
            aliases=tuple(aliases),
            born=born,
            sex=r.choice("sex", SEXES, "sex", "unknown"),
            home=r.ref("home", place_refs, "place", nullable=True, default=None),
        )
        people[person.ref] = person
    places: dict[str, Place] = {}
    for i, item in enumerate(raw_places):
        r = _Reader(file, f"places[{i}]", item, None, zone)
        place = Place(
            ref=r.string("ref"),
            label=r.string("label", "", empty=True),
            kind=r.choice("kind", PLACE_KINDS, "place kind"),
            lat=r.number("lat", -90, 90),
            lon=r.number("lon", -180, 180),
            person=r.ref("person", person_refs, "person", nullable=True, default=None),
        )
        places[place.ref] = place
    relationships: list[Relationship] = []
    for i, item in enumerate(raw_relationships):
        r = _Reader(file, f"relationships[{i}]", item, None, zone)
        a = r.ref("a", person_refs, "person")
        b = r.ref("b", person_refs, "person")
        assert a is not None and b is not None
        relationships.append(
            Relationship(a, b, r.choice("kind", RELATIONSHIP_KINDS, "relationship kind"), r.date("since"), r.date("until"))
        )

    order_refs = {
        e.get("order"): True for e in raw_events if isinstance(e, dict) and e.get("type") == "order_granted" and e.get("order")
    }
    warrant_refs = {
        e.get("warrant"): True
        for e in raw_events
        if isinstance(e, dict) and e.get("type") == "warrant_issued" and e.get("warrant")
    }
    request_refs = {
        e.get("request"): True
        for e in raw_events
        if isinstance(e, dict) and e.get("type") == "disclosure_request" and e.get("request")
    }
    known = _Known(person_refs, place_refs, order_refs, warrant_refs, request_refs, live)
    allowed = FORMAT_TYPES + (EXTENSION_TYPES if extensions else ())
    events: list[Event] = []
    for i, item in enumerate(raw_events):
        r = _Reader(file, f"events[{i}]", item, i, zone)
        kind = r.get("type")
        if not isinstance(kind, str) or kind not in allowed:
            raise r.error("type", f"unknown type {_show(kind)}")
        at = r.moment("at")
        assert at is not None
        if check_until and at > replay_until:
            raise r.error("at", f"event at {at.isoformat()} is after replay_until ({replay_until.isoformat()})")
        summary = r.get("summary", "")
        if summary is None:
            summary = ""
        if not isinstance(summary, str):
            raise r.error("summary", f"must be a string, got {_show(summary)}")
        event = _BUILDERS[kind](r, known, at, summary, i)
        if live:
            recorded = r.moment("recorded", None)
            if recorded is not None:
                event = dataclasses.replace(event, recorded=recorded)
        events.append(event)

    world = World(people=people, places=places, relationships=tuple(relationships), timezone=zone_name)
    return Timeline(
        file=file,
        id=ident,
        title=title,
        source=source,
        timezone=zone_name,
        world=world,
        events=events,
        replay_until=replay_until,
    )


def _list(top: _Reader, name: str, default: Any = _MISSING) -> list[Any]:
    value = top.get(name, default)
    if not isinstance(value, list):
        raise top.error(name, f"must be a list, got {_show(value)}")
    return value


def _valid_born(text: str) -> bool:
    """`YYYY`, or a `YYYY-MM-DD` that is a date as written or with day and month swapped
    ("1988-17-07", a slip records are known for: kept as written, for the linkage to compare,
    and read as 17 July 1988 for ages)."""
    if len(text) == 4 and text.isdigit():
        return True
    return len(text) == 10 and calendar.born_dates(text) is not None


@dataclass(frozen=True)
class _Known:
    people: dict[str, Any]
    places: dict[str, Any]
    orders: dict[Any, bool]
    warrants: dict[Any, bool]
    requests: dict[Any, bool]
    live: bool = False  # the live system's document (`read_live_document`)


def _report(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    victim = r.ref("victim", k.people, "person")
    assert victim is not None
    return Report(
        at=at,
        summary=summary,
        index=i,
        victim=victim,
        suspect=r.ref("suspect", k.people, "person", nullable=True, default=None),
        category=r.choice("category", REPORT_CATEGORIES, "category"),
        reported_by=r.ref("reported_by", k.people, "person", nullable=True, default=None),
        place=r.ref("place", k.places, "place", nullable=True, default=None),
        children_present=r.refs("children_present", k.people, "person", [])
        if r.get("children_present", None) is not None
        else (),
    )


def _risk_assessment(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    victim = r.ref("victim", k.people, "person")
    assert victim is not None
    instrument = r.choice("instrument", INSTRUMENTS, "instrument")
    raw = r.get("answers")
    if not isinstance(raw, dict):
        raise r.error("answers", f"must be an object of question numbers to true/false, got {_show(raw)}")
    count = QUESTIONS[instrument]
    answers: dict[int, bool] = {}
    for key, value in raw.items():
        if not (isinstance(key, str) and key.isdigit() and 1 <= int(key) <= count and str(int(key)) == key):
            raise r.error(f"answers.{key}", f"question {key!r} is out of range for {instrument} (1 to {count})")
        if not isinstance(value, bool):
            raise r.error(f"answers.{key}", f"must be true or false, got {_show(value)}")
        answers[int(key)] = value
    level = r.get("officer_level", None)
    if level is not None and level not in LEVELS:
        raise r.error("officer_level", f"unknown officer_level {_show(level)} (one of {', '.join(LEVELS)} or null)")
    return RiskAssessment(
        at=at,
        summary=summary,
        index=i,
        victim=victim,
        suspect=r.ref("suspect", k.people, "person", nullable=True, default=None),
        instrument=instrument,
        answers=answers,
        officer_level=level,
    )


def _conditions(r: _Reader, k: _Known, i: int) -> tuple[Condition, ...]:
    conditions: list[Condition] = []
    raw = r.get("conditions", [])
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise r.error("conditions", f"must be a list, got {_show(raw)}")
    for n, item in enumerate(raw):
        c = _Reader(r.file, r.key(f"conditions[{n}]"), item, i, r.zone)
        kind = c.choice("kind", CONDITION_KINDS, "condition kind")
        if kind == "exclusion_zone":
            place = c.ref("place", k.places, "place", nullable=k.live)
            radius = c.get("radius_m")
            if isinstance(radius, bool) or not isinstance(radius, int | float) or radius <= 0:
                raise c.error("radius_m", f"must be a positive number of metres, got {_show(radius)}")
            conditions.append(Condition(kind, place, float(radius)))
        else:
            conditions.append(Condition(kind))
    return tuple(conditions)


def _order_granted(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    conditions = _conditions(r, k, i)
    order = r.string("order")
    subject = r.ref("subject", k.people, "person")
    assert subject is not None
    return OrderGranted(
        at=at,
        summary=summary,
        index=i,
        order=order,
        order_type=r.choice("order_type", ORDER_TYPES, "order_type"),
        protected=r.refs("protected", k.people, "person"),
        subject=subject,
        conditions=conditions,
        expires=r.moment("expires", None),
    )


def _order_varied(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return OrderVaried(
        at=at,
        summary=summary,
        index=i,
        order=_order_ref(r, k),
        conditions=_conditions(r, k, i),
        expires=r.moment("expires", None),
    )


def _order_ref(r: _Reader, k: _Known) -> str:
    value = r.get("order")
    if not isinstance(value, str) or value not in k.orders:
        raise r.error("order", f"undefined order ref {_show(value)}")
    return value


def _order_ended(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return OrderEnded(at=at, summary=summary, index=i, order=_order_ref(r, k))


def _breach(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return Breach(
        at=at,
        summary=summary,
        index=i,
        order=_order_ref(r, k),
        reported_by=r.ref("reported_by", k.people, "person", nullable=True, default=None),
        place=r.ref("place", k.places, "place", nullable=True, default=None),
    )


def _sighting(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    subject = r.ref("subject", k.people, "person")
    assert subject is not None
    lat = lon = None
    if r.get("lat", None) is not None or r.get("lon", None) is not None:
        lat, lon = r.number("lat", -90, 90), r.number("lon", -180, 180)
    return Sighting(
        at=at,
        summary=summary,
        index=i,
        subject=subject,
        near=r.ref("near", k.people, "person", nullable=True, default=None),
        place=r.ref("place", k.places, "place", nullable=True, default=None),
        reported_by=r.ref("reported_by", k.people, "person", nullable=True, default=None),
        lat=lat,
        lon=lon,
    )


def _contact_attempt(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    subject = r.ref("subject", k.people, "person")
    victim = r.ref("victim", k.people, "person")
    assert subject is not None and victim is not None
    return ContactAttempt(
        at=at,
        summary=summary,
        index=i,
        subject=subject,
        victim=victim,
        channel=r.choice("channel", CHANNELS, "channel", "other"),
        reported_by=r.ref("reported_by", k.people, "person", nullable=True, default=None),
    )


def _subject(r: _Reader, k: _Known) -> str:
    subject = r.ref("subject", k.people, "person")
    assert subject is not None
    return subject


def _arrest(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return Arrest(at=at, summary=summary, index=i, subject=_subject(r, k))


def _charge(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    offence = r.get("offence", "")
    return Charge(at=at, summary=summary, index=i, subject=_subject(r, k), offence=offence if isinstance(offence, str) else "")


def _released(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return Released(at=at, summary=summary, index=i, subject=_subject(r, k), bail_until=r.moment("bail_until", None))


def _court_hearing(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return CourtHearing(at=at, summary=summary, index=i, subject=_subject(r, k), outcome=r.choice("outcome", OUTCOMES, "outcome"))


def _warrant_issued(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    reason = r.get("reason", "")
    return WarrantIssued(
        at=at,
        summary=summary,
        index=i,
        warrant=r.string("warrant"),
        subject=_subject(r, k),
        reason=reason if isinstance(reason, str) else "",
    )


def _warrant_ref(r: _Reader, k: _Known) -> str:
    value = r.get("warrant")
    if not isinstance(value, str) or value not in k.warrants:
        raise r.error("warrant", f"undefined warrant ref {_show(value)}")
    return value


def _warrant_executed(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return WarrantExecuted(at=at, summary=summary, index=i, warrant=_warrant_ref(r, k))


def _warrant_withdrawn(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    reason = r.get("reason", "")
    return WarrantWithdrawn(
        at=at, summary=summary, index=i, warrant=_warrant_ref(r, k), reason=reason if isinstance(reason, str) else ""
    )


def _alarm_fitted(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    person = r.ref("person", k.people, "person")
    assert person is not None
    return AlarmFitted(
        at=at, summary=summary, index=i, person=person, place=r.ref("place", k.places, "place", nullable=True, default=None)
    )


def _alarm_activated(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    person = r.ref("person", k.people, "person")
    assert person is not None
    return AlarmActivated(
        at=at, summary=summary, index=i, person=person, place=r.ref("place", k.places, "place", nullable=True, default=None)
    )


def _intelligence(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    return Intelligence(
        at=at,
        summary=summary,
        index=i,
        subject=_subject(r, k),
        place=r.ref("place", k.places, "place", nullable=True, default=None),
        weapons=r.boolean("weapons", False),
        threat_to_kill=r.boolean("threat_to_kill", False),
    )


def _partner_concern(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    victim = r.ref("victim", k.people, "person")
    assert victim is not None
    agency = r.get("agency", "")
    if agency is None:
        agency = ""
    if not isinstance(agency, str):
        raise r.error("agency", "must be a string")
    return PartnerConcern(
        at=at,
        summary=summary,
        index=i,
        victim=victim,
        subject=r.ref("subject", k.people, "person", nullable=True, default=None),
        agency=agency,
    )


def _disclosure_request(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    subject = r.ref("subject", k.people, "person")
    person_at_risk = r.ref("person_at_risk", k.people, "person")
    assert subject is not None and person_at_risk is not None
    return DisclosureRequest(
        at=at,
        summary=summary,
        index=i,
        request=r.string("request"),
        route=r.choice("route", DISCLOSURE_ROUTES, "route"),
        subject=subject,
        person_at_risk=person_at_risk,
        applicant=r.ref("applicant", k.people, "person", nullable=True, default=None),
    )


def _disclosure_decision(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    request = r.get("request")
    if not isinstance(request, str) or request not in k.requests:
        raise r.error("request", f"undefined disclosure request ref {_show(request)}")
    # Like a decline, a decision not to disclose written down without its rationale is read,
    # not refused: the engine keeps the request open and the chronology says why.
    rationale = r.get("rationale", None)
    if rationale is None:
        rationale = ""
    if not isinstance(rationale, str):
        raise r.error("rationale", "must be a string (or null when none was recorded)")
    return DisclosureDecision(
        at=at,
        summary=summary,
        index=i,
        request=request,
        decision=r.choice("decision", DISCLOSURE_DECISIONS, "decision"),
        rationale=rationale,
    )


def _decision_pair(r: _Reader, k: _Known) -> tuple[str, str, str | None]:
    action = r.choice("action", ACTION_KINDS, "action kind")
    victim = r.ref("victim", k.people, "person")
    assert victim is not None
    return action, victim, r.ref("subject", k.people, "person", nullable=True, default=None)


def _action_completed(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    action, victim, subject = _decision_pair(r, k)
    return ActionCompleted(at=at, summary=summary, index=i, action=action, victim=victim, subject=subject)


def _action_declined(r: _Reader, k: _Known, at: dt.datetime, summary: str, i: int) -> Event:
    action, victim, subject = _decision_pair(r, k)
    # A decline written down without a rationale is what inquiries find again and again, so
    # it is read, not refused: the engine keeps the action open and the chronology says why.
    rationale = r.get("rationale", None)
    if rationale is None:
        rationale = ""
    if not isinstance(rationale, str):
        raise r.error("rationale", "must be a string (or null when none was recorded)")
    return ActionDeclined(at=at, summary=summary, index=i, action=action, victim=victim, subject=subject, rationale=rationale)


_BUILDERS: dict[str, Callable[[_Reader, _Known, dt.datetime, str, int], Event]] = {
    "report": _report,
    "risk_assessment": _risk_assessment,
    "order_granted": _order_granted,
    "order_ended": _order_ended,
    "order_varied": _order_varied,
    "partner_concern": _partner_concern,
    "breach": _breach,
    "sighting": _sighting,
    "contact_attempt": _contact_attempt,
    "arrest": _arrest,
    "charge": _charge,
    "released": _released,
    "court_hearing": _court_hearing,
    "warrant_issued": _warrant_issued,
    "warrant_executed": _warrant_executed,
    "warrant_withdrawn": _warrant_withdrawn,
    "alarm_fitted": _alarm_fitted,
    "alarm_activated": _alarm_activated,
    "intelligence": _intelligence,
    "disclosure_request": _disclosure_request,
    "disclosure_decision": _disclosure_decision,
    "action_completed": _action_completed,
    "action_declined": _action_declined,
}
