"""The event API's schema (vigil/timeline/schema.py) and the timeline reader agree.

Events are generated from FORMAT.md's table, written out here a second time on purpose (an
oracle of its own, not the schema read back). Every event the reader accepts, the schema
accepts; then each event is broken one key at a time (the key dropped, a value of another
type, a code not in the format), and the reader and the schema must refuse or accept it
together. The only differences allowed are the two the schema's docstring names: keys the
format does not name (the schema refuses them, the reader ignores them), and a non-text
`offence` or `reason` (the reader drops it, the schema refuses it). Values only the reader
can judge (a datetime that does not parse, a ref the batch does not define, a question
number past the instrument's last) are the reader's alone: the API runs it on every batch.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from vigil.timeline import reader as R
from vigil.timeline.reader import TimelineError, parse_timeline
from vigil.timeline.schema import EVENT_MODELS, EVENT_TYPES, AnyEvent

PEOPLE = ["V1", "P1", "C1"]
PLACES = ["H1", "X1"]
EVENT = TypeAdapter(AnyEvent)

person = st.sampled_from(PEOPLE)
place = st.sampled_from(PLACES)
moment = st.sampled_from(["2022-01-04T10:30", "2022-01-04", "2022-01-04T10:30:00+00:00", "2021-12-31T23:59:59.5+01:00"])
text = st.text(max_size=30)


CONDITIONS = st.lists(
    st.just({"kind": "no_contact"})
    | st.fixed_dictionaries({"kind": st.just("exclusion_zone"), "place": place, "radius_m": st.floats(1, 5000)}),
    max_size=2,
)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


# FORMAT.md's table: type -> (required keys, optional keys), each key's values.
TABLE: dict[str, tuple[dict[str, st.SearchStrategy[Any]], dict[str, st.SearchStrategy[Any]]]] = {
    "report": (
        {"victim": person, "category": st.sampled_from(R.REPORT_CATEGORIES)},
        {
            "suspect": maybe(person),
            "reported_by": maybe(person),
            "place": maybe(place),
            "children_present": maybe(st.lists(person, max_size=2)),
        },
    ),
    "risk_assessment": (
        {
            "victim": person,
            "instrument": st.just("dash"),
            "answers": st.dictionaries(st.integers(1, 24).map(str), st.booleans(), max_size=5),
        },
        {"suspect": maybe(person), "officer_level": maybe(st.sampled_from(R.LEVELS))},
    ),
    "order_granted": (
        {
            "order": st.just("O9"),
            "order_type": st.sampled_from(R.ORDER_TYPES),
            "protected": st.lists(person, max_size=2),
            "subject": person,
        },
        {
            "conditions": maybe(CONDITIONS),
            "expires": maybe(moment),
        },
    ),
    "order_varied": ({"order": st.just("O1")}, {"conditions": maybe(CONDITIONS), "expires": maybe(moment)}),
    "order_ended": ({"order": st.just("O1")}, {}),
    "breach": ({"order": st.just("O1")}, {"reported_by": maybe(person), "place": maybe(place)}),
    "sighting": ({"subject": person}, {"near": maybe(person), "place": maybe(place), "reported_by": maybe(person)}),
    "contact_attempt": (
        {"subject": person, "victim": person},
        {"channel": st.sampled_from(R.CHANNELS), "reported_by": maybe(person)},
    ),
    "arrest": ({"subject": person}, {}),
    "charge": ({"subject": person}, {"offence": maybe(text)}),
    "released": ({"subject": person}, {"bail_until": maybe(moment)}),
    "court_hearing": ({"subject": person, "outcome": st.sampled_from(R.OUTCOMES)}, {}),
    "warrant_issued": ({"warrant": st.just("W9"), "subject": person}, {"reason": maybe(text)}),
    "warrant_executed": ({"warrant": st.just("W1")}, {}),
    "warrant_withdrawn": ({"warrant": st.just("W1")}, {"reason": maybe(text)}),
    "partner_concern": ({"victim": person}, {"subject": maybe(person), "agency": maybe(text)}),
    "alarm_fitted": ({"person": person}, {"place": maybe(place)}),
    "alarm_activated": ({"person": person}, {"place": maybe(place)}),
    "intelligence": ({"subject": person}, {"place": maybe(place), "weapons": st.booleans(), "threat_to_kill": st.booleans()}),
    "disclosure_request": (
        {"request": st.just("Q9"), "route": st.sampled_from(R.DISCLOSURE_ROUTES), "subject": person, "person_at_risk": person},
        {"applicant": maybe(person)},
    ),
    "disclosure_decision": (
        {"request": st.just("Q1"), "decision": st.sampled_from(R.DISCLOSURE_DECISIONS)},
        {"rationale": maybe(text)},
    ),
    "action_completed": ({"action": st.sampled_from(R.ACTION_KINDS), "victim": person}, {"subject": maybe(person)}),
    "action_declined": (
        {"action": st.sampled_from(R.ACTION_KINDS), "victim": person},
        {"subject": maybe(person), "rationale": maybe(text)},
    ),
}
ENUMS = {
    "category",
    "instrument",
    "officer_level",
    "order_type",
    "channel",
    "outcome",
    "route",
    "decision",
    "action",
    "type",
}
ALLOWED_DIFFERENCE = {"offence", "reason"}  # non-text: the reader drops it, the schema refuses it


def valid_event(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    required, optional = TABLE[kind]
    base = {"type": st.just(kind), "at": moment, "summary": maybe(text)}
    return st.fixed_dictionaries({**base, **required}, optional=optional)


def read(event: dict[str, Any]) -> bool:
    """Does the reader accept a file holding this event (after the events it refers to)?"""
    document = {
        "format": "vigil-timeline/1",
        "id": "agreement",
        "timezone": "Europe/London",
        "people": [{"ref": ref, "name": f"Person {ref}"} for ref in PEOPLE],
        "places": [{"ref": ref, "kind": "other", "lat": 51.5, "lon": -0.1} for ref in PLACES],
        "events": [
            {
                "type": "order_granted",
                "at": "2021-01-01",
                "order": "O1",
                "order_type": "dvpo",
                "protected": ["V1"],
                "subject": "P1",
            },
            {"type": "warrant_issued", "at": "2021-01-01", "warrant": "W1", "subject": "P1"},
            {
                "type": "disclosure_request",
                "at": "2021-01-01",
                "request": "Q1",
                "route": "right_to_ask",
                "subject": "P1",
                "person_at_risk": "V1",
            },
            event,
        ],
        "replay_until": "2030-01-01",
    }
    try:
        parse_timeline(document, "agreement.json", extensions=True)
    except TimelineError:
        return False
    return True


def schema_accepts(event: dict[str, Any]) -> bool:
    try:
        EVENT.validate_python({**event, "external_id": "E-1"})
    except ValidationError:
        return False
    return True


def test_the_schema_has_one_model_per_event_type_of_the_reader() -> None:
    assert set(EVENT_MODELS) == set(R.FORMAT_TYPES) | set(R.EXTENSION_TYPES) == set(EVENT_TYPES) == set(TABLE)


@pytest.mark.parametrize("kind", sorted(TABLE))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_event_the_reader_accepts_the_schema_accepts(kind: str, data: st.DataObject) -> None:
    event = data.draw(valid_event(kind))
    assert read(event), event  # the oracle's own events are good ones
    assert schema_accepts(event), event


WRONG_TYPES = [0, 1.5, True, [], {}, None]


@pytest.mark.parametrize("kind", sorted(TABLE))
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_a_broken_event_is_refused_by_both_or_by_neither(kind: str, data: st.DataObject) -> None:
    event = data.draw(valid_event(kind))
    required, optional = TABLE[kind]
    key = data.draw(st.sampled_from(sorted({"type", "at", "summary", *required, *optional})))
    broken = copy.deepcopy(event)
    how = data.draw(st.sampled_from(["drop", "wrong type", "unknown code"] if key in ENUMS else ["drop", "wrong type"]))
    if how == "drop":
        broken.pop(key, None)
    elif how == "wrong type":
        broken[key] = data.draw(st.sampled_from(WRONG_TYPES))
    else:
        broken[key] = "not_a_code"
    by_reader, by_schema = read(broken), schema_accepts(broken)
    if key in ALLOWED_DIFFERENCE and how == "wrong type" and broken[key] is not None:
        assert by_reader and not by_schema
        return
    assert by_reader == by_schema, (how, key, broken)


def test_keys_the_format_does_not_name_are_refused_by_the_schema_only() -> None:
    event = {"type": "arrest", "at": "2022-01-04", "subject": "P1", "suspekt": "P1"}
    assert read(event) and not schema_accepts(event)


def test_a_sighting_s_coordinates_come_as_a_pair_in_both() -> None:
    base = {"type": "sighting", "at": "2022-01-04", "subject": "P1"}
    for extra, ok in [({"lat": 51.5}, False), ({"lon": -0.1}, False), ({"lat": 51.5, "lon": -0.1}, True), ({}, True)]:
        assert read({**base, **extra}) is ok and schema_accepts({**base, **extra}) is ok, extra


def test_an_exclusion_zone_needs_its_place_and_radius_in_both() -> None:
    base = {
        "type": "order_granted",
        "at": "2022-01-04",
        "order": "O9",
        "order_type": "dvpo",
        "protected": ["V1"],
        "subject": "P1",
    }
    for condition, ok in [
        ({"kind": "exclusion_zone", "place": "H1", "radius_m": 200}, True),
        ({"kind": "exclusion_zone", "place": "H1"}, False),
        ({"kind": "exclusion_zone", "radius_m": 200}, False),
        ({"kind": "exclusion_zone", "place": "H1", "radius_m": 0}, False),
        ({"kind": "curfew"}, False),
    ]:
        event = {**base, "conditions": [condition]}
        assert read(event) is ok and schema_accepts(event) is ok, condition


VOCABULARIES = {
    "category": R.REPORT_CATEGORIES,
    "instrument": R.INSTRUMENTS,
    "officer_level": R.LEVELS,
    "order_type": R.ORDER_TYPES,
    "channel": R.CHANNELS,
    "outcome": R.OUTCOMES,
    "route": R.DISCLOSURE_ROUTES,
    "decision": R.DISCLOSURE_DECISIONS,
    "action": R.ACTION_KINDS,
}


@pytest.mark.parametrize("kind", sorted(TABLE))
def test_every_code_of_the_reader_s_vocabularies_is_in_the_schema(kind: str) -> None:
    required, optional = TABLE[kind]
    smallest = find(valid_event(kind), lambda _: True)
    for key in sorted(set(required) | set(optional)):
        for code in VOCABULARIES.get(key, ()):
            event = {**smallest, key: code}
            if key == "instrument":
                event["answers"] = {}
            assert read(event) and schema_accepts(event), (key, code)
