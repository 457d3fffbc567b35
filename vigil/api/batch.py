"""Check an event batch before anything is written: its shape (the timeline format's models),
the client's scope (source, team, event types), the sender's ids, and then the timeline
reader itself, the one judge of a timeline document, so the API refuses exactly what
`vigil replay` refuses.

The refs a batch uses but does not define (people, places, orders, warrants and requests
that this source sent before) are looked up in `ExternalRef`; the reader is shown a
stand-in for each, so a known ref reads as defined and an unknown one is refused with its
event index and key, as in a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError as PydanticError

from vigil.api.models import ApiClient, ExternalRef, ReceivedEvent
from vigil.api.problems import ApiProblem, Item, field_path, invalid, nul_items
from vigil.api.schemas import EventBatch
from vigil.api.scope import client_teams, may_send
from vigil.core import times
from vigil.core.models import Team
from vigil.policy import facts as F
from vigil.timeline.reader import Timeline, TimelineError, parse_timeline
from vigil.timeline.schema import EVENT_TYPES, MAX_EVENTS

# Which kind of record each key of an event names (FORMAT.md, 'events'). An `order`,
# `warrant` or `request` key defines the record in the event that grants or issues it.
PERSON_KEYS = ("victim", "suspect", "reported_by", "subject", "near", "person", "person_at_risk", "applicant")
PERSON_LIST_KEYS = ("protected", "children_present")
DEFINED_BY = {"order": "order_granted", "warrant": "warrant_issued", "request": "disclosure_request"}
_STAND_IN = "\x00vigil-stand-in"


@dataclass
class KnownRefs:
    """Refs this source sent before, by kind: ref -> stored object id."""

    people: dict[str, int] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)
    orders: dict[str, int] = field(default_factory=dict)
    warrants: dict[str, int] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, int]:
        return {
            "person": self.people,
            "place": self.places,
            "order": self.orders,
            "warrant": self.warrants,
            "request": self.requests,
        }[kind]


@dataclass
class CheckedBatch:
    client: ApiClient
    source: str
    team: Team
    batch: EventBatch
    timeline: Timeline  # the reader's reading: people, places, relationships, events
    events: list[F.Event]  # the batch's events in the engine's order (`.index` is the place in the batch)
    known: KnownRefs
    duplicates: dict[int, ReceivedEvent]  # index -> the first delivery


def read_body(raw: bytes) -> dict[str, Any]:
    """The JSON body as a batch: a bare event is a batch of one."""
    try:
        data = json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiProblem(400, "invalid-input", f"The body is not valid JSON: {error}") from None
    if isinstance(data, dict) and "events" not in data and "type" in data:
        return {"events": [data]}
    if not isinstance(data, dict):
        raise invalid([Item("body", 'must be a JSON object: one event, or a batch {"events": [...]}')])
    return data


def check_shape(data: Mapping[str, Any]) -> EventBatch:
    try:
        return EventBatch.model_validate(data)
    except PydanticError as error:
        items = []
        for problem in error.errors():
            path, index = field_path(problem["loc"], event_types=EVENT_TYPES)
            items.append(Item(path, problem["msg"], index))
        raise invalid(items) from None


def client_source(client: ApiClient, wanted: str | None) -> str:
    """The source a request writes as (default: the client's first); refused unless the client's."""
    source = wanted or (client.sources[0] if client.sources else "")
    if source not in client.sources:
        raise ApiProblem(
            403,
            "forbidden",
            f"This client sends for {', '.join(client.sources)}, not {source!r}.",
            [Item("source", "not this client's source")],
        )
    return source


def check_scope(client: ApiClient, batch: EventBatch) -> tuple[str, Team]:
    """The batch's source and team, if the client may write them; else a 403 or 422 naming the key."""
    source = client_source(client, batch.source)
    teams = client_teams(client)
    if batch.team is None:
        only = list(teams[:2])
        if len(only) != 1:
            raise invalid([Item("team", "name the team new cases are opened for (GET /api/v1/teams lists this client's)")])
        team = only[0]
    else:
        found = teams.filter(pk=batch.team).first()
        if found is None:
            raise ApiProblem(
                403,
                "forbidden",
                f"Team {batch.team} is not in this client's scope.",
                [Item("team", "not in this client's scope")],
            )
        team = found
    refused = [
        Item(f"events[{i}].type", f"this client may not send {event.type!r} events", i)
        for i, event in enumerate(batch.events)
        if not may_send(client, event.type)
    ]
    if refused:
        allowed = ", ".join(client.event_types) or "none"
        raise ApiProblem(403, "forbidden", f"This client may send these event types only: {allowed}.", refused)
    return source, team


def _refs_used(batch: EventBatch) -> dict[str, set[str]]:
    """Every ref the batch names, by kind (its own definitions included: they may be known)."""
    used: dict[str, set[str]] = {"person": set(), "place": set(), "order": set(), "warrant": set(), "request": set()}
    for person in batch.people:
        used["person"].add(person.ref)
        if person.home:
            used["place"].add(person.home)
    for place in batch.places:
        used["place"].add(place.ref)
        if place.person:
            used["person"].add(place.person)
    for relationship in batch.relationships:
        used["person"].update((relationship.a, relationship.b))
    for event in batch.events:
        values = event.model_dump()
        for key in PERSON_KEYS:
            if isinstance(values.get(key), str):
                used["person"].add(values[key])
        for key in PERSON_LIST_KEYS:
            used["person"].update(r for r in values.get(key) or () if isinstance(r, str))
        if isinstance(values.get("place"), str):
            used["place"].add(values["place"])
        for condition in values.get("conditions") or ():
            if isinstance(condition.get("place"), str):
                used["place"].add(condition["place"])
        for key, defining in DEFINED_BY.items():
            if isinstance(values.get(key), str) and event.type != defining:
                used[key].add(values[key])
    return used


def _known(source: str, wanted: Mapping[str, set[str]]) -> KnownRefs:
    known = KnownRefs()
    for kind, refs in wanted.items():
        if not refs:
            continue
        rows = ExternalRef.objects.filter(source=source, kind=kind, external_id__in=refs).values_list("external_id", "object_id")
        known.of(kind).update(rows)
    return known


def check_ids(batch: EventBatch, source: str) -> dict[int, ReceivedEvent]:
    """Each event id once in the batch; the events this source sent before, by index."""
    seen: dict[str, int] = {}
    items = []
    for i, event in enumerate(batch.events):
        if event.external_id in seen:
            items.append(Item(f"events[{i}].external_id", f"{event.external_id!r} is also events[{seen[event.external_id]}]", i))
        seen.setdefault(event.external_id, i)
    if items:
        raise invalid(items)
    before = {r.external_id: r for r in ReceivedEvent.objects.filter(source=source, external_id__in=list(seen))}
    return {i: before[e.external_id] for i, e in enumerate(batch.events) if e.external_id in before}


# Keys naming the two sides of a pair, which must be two people (a case is a victim and another).
PAIRS = {
    "report": ("victim", "suspect"),
    "risk_assessment": ("victim", "suspect"),
    "contact_attempt": ("victim", "subject"),
    "disclosure_request": ("person_at_risk", "subject"),
    "action_completed": ("victim", "subject"),
    "action_declined": ("victim", "subject"),
}


def _one_person_twice(batch: EventBatch) -> Iterable[Item]:
    for i, event in enumerate(batch.events):
        if event.type == "order_granted" and getattr(event, "subject", None) in (getattr(event, "protected", None) or ()):
            yield Item(f"events[{i}].protected", "the subject of an order cannot be among the people it protects", i)
        elif event.type in PAIRS:
            first, second = PAIRS[event.type]
            value = getattr(event, first, None)
            if value is not None and value == getattr(event, second, None):
                yield Item(
                    f"events[{i}].{second}", f"the {second.replace('_', ' ')} and the {first.replace('_', ' ')} are one ref", i
                )


def _document(batch: EventBatch, known: KnownRefs, defined_people: set[str], defined_places: set[str]) -> dict[str, Any]:
    """The batch as a timeline document, with a stand-in for each known ref it does not define."""
    now = times.now().isoformat()
    people = [p.model_dump(exclude_none=True) for p in batch.people]
    people += [{"ref": ref, "name": "known record"} for ref in sorted(set(known.people) - defined_people)]
    people.append({"ref": _STAND_IN, "name": "stand-in"})
    places = [p.model_dump(exclude={"address"}, exclude_none=True) for p in batch.places]
    places += [{"ref": ref, "kind": "other", "lat": 0, "lon": 0} for ref in sorted(set(known.places) - defined_places)]
    events = [e.model_dump(exclude={"external_id"}, exclude_none=True) for e in batch.events]
    for ref in sorted(known.orders):
        events.append(
            {
                "type": "order_granted",
                "at": now,
                "order": ref,
                "order_type": "dvpn",
                "protected": [_STAND_IN],
                "subject": _STAND_IN,
            }
        )
    for ref in sorted(known.warrants):
        events.append({"type": "warrant_issued", "at": now, "warrant": ref, "subject": _STAND_IN})
    for ref in sorted(known.requests):
        events.append(
            {
                "type": "disclosure_request",
                "at": now,
                "request": ref,
                "route": "right_to_know",
                "subject": _STAND_IN,
                "person_at_risk": _STAND_IN,
            }
        )
    return {
        "format": "vigil-timeline/1",
        "id": "api-batch",
        "timezone": batch.timezone,
        "people": people,
        "places": places,
        "relationships": [r.model_dump(exclude_none=True) for r in batch.relationships],
        "events": events,
        "replay_until": now,
    }


def agencies_for_client(client: ApiClient) -> Any:
    """The active agencies a client may name as a concern's source: force-wide ones, and those
    of the areas its teams are in."""
    from django.db.models import Q

    from vigil.partners.models import Agency

    areas = client_teams(client).values("area_id")
    return Agency.objects.filter(Q(area__isnull=True) | Q(area_id__in=areas), active=True)


def check_agencies(client: ApiClient, batch: EventBatch, duplicates: Mapping[int, ReceivedEvent]) -> list[Item]:
    """A `partner_concern` names, by its exact name, an agency Vigil already holds and the
    client reaches. An API call never makes an agency: a misspelt or invented name would
    otherwise become a partner agency of the force, with concerns recorded as from it."""
    named = {
        i: (getattr(event, "agency", None) or "").strip()
        for i, event in enumerate(batch.events)
        if event.type == "partner_concern" and i not in duplicates
    }
    if not named:
        return []
    held = set(agencies_for_client(client).filter(name__in=set(named.values())).values_list("name", flat=True))
    return [
        Item(
            f"events[{i}].agency",
            "name the agency that raised the concern, as Vigil holds it"
            if not name
            else f"no agency called {name!r} that this client reaches: an administrator adds agencies, the API does not",
            i,
        )
        for i, name in named.items()
        if name not in held
    ]


def _reader_item(error: TimelineError) -> Item:
    key = error.key or "body"
    return Item(key, error.message, error.index)


def check_batch(client: ApiClient, data: Mapping[str, Any], *, assumed: KnownRefs | None = None) -> CheckedBatch:
    """Everything that can be checked before writing; raises `ApiProblem` naming what is wrong.
    `assumed`: refs to take as sent before (a dry run's earlier batches, never written)."""
    nul = nul_items(data)
    if nul:
        raise invalid(nul[:50])
    batch = check_shape(data)
    if len(batch.events) > MAX_EVENTS:  # pragma: no cover - the model caps it
        raise invalid([Item("events", f"at most {MAX_EVENTS} events a request")])
    try:
        ZoneInfo(batch.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid([Item("timezone", f"unknown time zone {batch.timezone!r}")]) from None
    source, team = check_scope(client, batch)
    duplicates = check_ids(batch, source)
    defined_people = {p.ref for p in batch.people}
    defined_places = {p.ref for p in batch.places}
    used = _refs_used(batch)
    known = _known(source, used)
    if assumed is not None:
        for kind in ("person", *DEFINED_BY):
            for ref in used[kind] & set(assumed.of(kind)):
                known.of(kind).setdefault(ref, assumed.of(kind)[ref])
    # A record this source already sent is named again, never made twice.
    regranted = [
        Item(f"events[{i}].{key}", f"{key} {value!r} was already sent by {source}: it is recorded once", i)
        for i, event in enumerate(batch.events)
        for key, defining in DEFINED_BY.items()
        if i not in duplicates
        and event.type == defining
        and isinstance(value := getattr(event, key, None), str)
        and ExternalRef.objects.filter(source=source, kind=key, external_id=value).exists()
    ]
    if regranted:
        raise invalid(regranted)
    agencies = check_agencies(client, batch, duplicates)
    if agencies:
        raise invalid(agencies)
    same = list(_one_person_twice(batch))
    if same:
        raise invalid(same)
    try:
        timeline = parse_timeline(
            _document(batch, known, defined_people, defined_places), "request", extensions=True, check_until=False
        )
    except TimelineError as error:
        raise invalid([_reader_item(error)]) from None
    now = times.now()
    future = [
        Item(f"events[{e.index}].at", f"{e.at.isoformat()} is in the future: send what the police have been told", e.index)
        for e in timeline.events
        if e.index < len(batch.events) and e.at > now
    ]
    if future:
        raise invalid(future)
    events = [e for e in timeline.events if e.index < len(batch.events)]
    return CheckedBatch(client, source, team, batch, timeline, events, known, duplicates)
