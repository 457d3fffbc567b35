"""The timeline format's records as JSON Schema (pydantic models), for the event API.

One event type, one model, built from the reader's own vocabularies (`vigil.timeline.reader`:
event types, categories, order types, channels, outcomes, instruments, levels, action kinds),
so a code is never spelled twice. The reader stays the judge of a document: the API runs
every batch through `parse_timeline` after these models have checked its shape, and
tests/api/test_schema_agreement.py feeds the same generated events to both and checks they
accept and refuse the same ones.

The API's events are the file's events with one more key, `external_id` (the sending
system's own id for the event, which makes a second delivery harmless), and a `ref` is the
sending system's own id for a person or place. Two differences are deliberate and tested:
the models refuse keys the format does not name (a misspelt `vicitm` is an error, not an
ignored key), and free-text keys the reader would drop when they are not text (`offence`,
`reason`) must be text.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, create_model, model_validator

from vigil.timeline import reader as R

MAX_EVENTS = 1000
MAX_TEXT = 10_000

# A ref: the sending system's own id for a person or place ("P-88123"), an order, a warrant.
Ref = Annotated[StrictStr, Field(min_length=1, max_length=200, description="The sending system's own id for the record.")]
Moment = Annotated[
    StrictStr,
    Field(
        min_length=1,
        max_length=64,
        description="ISO 8601. Without an offset it is local to the batch's `timezone`; a date alone is 09:00 local.",
        examples=["2022-01-04T10:30:00+00:00"],
    ),
]
Text = Annotated[StrictStr, Field(max_length=MAX_TEXT)]
Latitude = Annotated[StrictFloat | StrictInt, Field(ge=-90, le=90)]
Longitude = Annotated[StrictFloat | StrictInt, Field(ge=-180, le=180)]


def one_of(values: tuple[str, ...]) -> Any:
    """`Literal[...]` of a reader vocabulary (a JSON Schema `enum`)."""
    return Literal[values]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoContact(_Strict):
    kind: Literal["no_contact"]


class ExclusionZone(_Strict):
    kind: Literal["exclusion_zone"]
    place: Ref = Field(description="The place at the zone's centre.")
    radius_m: Annotated[StrictFloat | StrictInt, Field(gt=0, le=100_000, description="The zone's radius in metres.")]


Condition = Annotated[NoContact | ExclusionZone, Field(discriminator="kind")]
assert set(R.CONDITION_KINDS) == {"no_contact", "exclusion_zone"}, "a new condition kind needs its model here"


class EventBase(_Strict):
    external_id: Ref = Field(description="The sending system's own id for this event: sent twice, it is recorded once.")
    at: Moment = Field(description="When the police were told (the policy's time).")
    summary: Text | None = None


class _Located(EventBase):
    """A sighting's coordinates come as a pair: `lat` and `lon` together, or neither."""

    model_config = ConfigDict(json_schema_extra={"dependentRequired": {"lat": ["lon"], "lon": ["lat"]}})

    @model_validator(mode="after")
    def _both_or_neither(self) -> _Located:
        lat, lon = getattr(self, "lat", None), getattr(self, "lon", None)
        if (lat is None) != (lon is None):
            raise ValueError("lat and lon come together: give both or neither")
        return self


def _nullable_refs() -> Any:
    return Annotated[list[Ref], Field(max_length=200)] | None


# Each event type's own keys, as FORMAT.md lists them: (annotation, default); `...` is required.
_REQUIRED: Any = ...
EVENT_KEYS: dict[str, dict[str, tuple[Any, Any]]] = {
    "report": {
        "victim": (Ref, _REQUIRED),
        "suspect": (Ref | None, None),
        "category": (one_of(R.REPORT_CATEGORIES), _REQUIRED),
        "reported_by": (Ref | None, None),
        "place": (Ref | None, None),
        "children_present": (_nullable_refs(), None),
    },
    "risk_assessment": {
        "victim": (Ref, _REQUIRED),
        "suspect": (Ref | None, None),
        "instrument": (one_of(R.INSTRUMENTS), _REQUIRED),
        "answers": (
            Annotated[
                dict[Annotated[str, Field(pattern=r"^[1-9][0-9]?$")], StrictBool],
                Field(description="Question numbers as strings ('1' … '24') to true or false; a missing number was not asked."),
            ],
            _REQUIRED,
        ),
        "officer_level": (one_of(R.LEVELS) | None, None),
    },
    "order_granted": {
        "order": (Ref, _REQUIRED),
        "order_type": (one_of(R.ORDER_TYPES), _REQUIRED),
        "protected": (Annotated[list[Ref], Field(max_length=200)], _REQUIRED),
        "subject": (Ref, _REQUIRED),
        "conditions": (Annotated[list[Condition], Field(max_length=50)] | None, None),
        "expires": (Moment | None, None),
    },
    "order_varied": {
        "order": (Ref, _REQUIRED),
        "conditions": (Annotated[list[Condition], Field(max_length=50)] | None, None),
        "expires": (Moment | None, None),
    },
    "order_ended": {"order": (Ref, _REQUIRED)},
    "partner_concern": {"victim": (Ref, _REQUIRED), "subject": (Ref | None, None), "agency": (Text | None, None)},
    "breach": {"order": (Ref, _REQUIRED), "reported_by": (Ref | None, None), "place": (Ref | None, None)},
    "sighting": {
        "subject": (Ref, _REQUIRED),
        "near": (Ref | None, None),
        "place": (Ref | None, None),
        "reported_by": (Ref | None, None),
        "lat": (Latitude | None, None),
        "lon": (Longitude | None, None),
    },
    "contact_attempt": {
        "subject": (Ref, _REQUIRED),
        "victim": (Ref, _REQUIRED),
        "channel": (one_of(R.CHANNELS), "other"),
        "reported_by": (Ref | None, None),
    },
    "arrest": {"subject": (Ref, _REQUIRED)},
    "charge": {"subject": (Ref, _REQUIRED), "offence": (Text | None, None)},
    "released": {"subject": (Ref, _REQUIRED), "bail_until": (Moment | None, None)},
    "court_hearing": {"subject": (Ref, _REQUIRED), "outcome": (one_of(R.OUTCOMES), _REQUIRED)},
    "warrant_issued": {"warrant": (Ref, _REQUIRED), "subject": (Ref, _REQUIRED), "reason": (Text | None, None)},
    "warrant_executed": {"warrant": (Ref, _REQUIRED)},
    "warrant_withdrawn": {"warrant": (Ref, _REQUIRED), "reason": (Text | None, None)},
    "alarm_fitted": {"person": (Ref, _REQUIRED), "place": (Ref | None, None)},
    "alarm_activated": {"person": (Ref, _REQUIRED), "place": (Ref | None, None)},
    "intelligence": {
        "subject": (Ref, _REQUIRED),
        "place": (Ref | None, None),
        "weapons": (StrictBool, False),
        "threat_to_kill": (StrictBool, False),
    },
    "disclosure_request": {
        "request": (Ref, _REQUIRED),
        "route": (one_of(R.DISCLOSURE_ROUTES), _REQUIRED),
        "subject": (Ref, _REQUIRED),
        "person_at_risk": (Ref, _REQUIRED),
        "applicant": (Ref | None, None),
    },
    "disclosure_decision": {
        "request": (Ref, _REQUIRED),
        "decision": (one_of(R.DISCLOSURE_DECISIONS), _REQUIRED),
        "rationale": (Text | None, None),
    },
    "action_completed": {
        "action": (one_of(R.ACTION_KINDS), _REQUIRED),
        "victim": (Ref, _REQUIRED),
        "subject": (Ref | None, None),
    },
    "action_declined": {
        "action": (one_of(R.ACTION_KINDS), _REQUIRED),
        "victim": (Ref, _REQUIRED),
        "subject": (Ref | None, None),
        "rationale": (Text | None, None),
    },
}

EVENT_TYPES: tuple[str, ...] = tuple(R.FORMAT_TYPES) + tuple(R.EXTENSION_TYPES)


def _model_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_")) + "Event"


EVENT_MODELS: dict[str, type[EventBase]] = {
    kind: create_model(  # type: ignore[call-overload]
        _model_name(kind),
        __base__=_Located if kind == "sighting" else EventBase,
        __doc__=f"A `{kind}` event (FORMAT.md, 'events').",
        type=(Literal[kind], ...),
        **EVENT_KEYS[kind],
    )
    for kind in EVENT_TYPES
}

# One event of any type, told apart by `type`.
AnyEvent: Any = Annotated[Union[tuple(EVENT_MODELS.values())], Field(discriminator="type")]  # noqa: UP007


class PersonRecord(_Strict):
    """A person record as the sending system wrote it (FORMAT.md, 'people')."""

    ref: Ref
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    aliases: Annotated[list[Annotated[StrictStr, Field(max_length=200)]], Field(max_length=50)] = []
    born: Annotated[StrictStr, Field(pattern=r"^[0-9]{4}(-[0-9]{2}-[0-9]{2})?$")] | None = Field(
        None, description="YYYY-MM-DD, YYYY or null."
    )
    sex: one_of(R.SEXES) = "unknown"  # type: ignore[valid-type]
    home: Ref | None = Field(None, description="The ref of the person's home among the places.")


class PlaceRecord(_Strict):
    """A place (FORMAT.md, 'places'); `address` is Vigil's own addition, kept encrypted."""

    ref: Ref
    label: Annotated[StrictStr, Field(max_length=150)] = ""
    kind: one_of(R.PLACE_KINDS)  # type: ignore[valid-type]
    lat: Latitude
    lon: Longitude
    person: Ref | None = Field(None, description="Whose work, school or other regular place this is.")
    address: Annotated[StrictStr, Field(max_length=300)] | None = None


class RelationshipRecord(_Strict):
    """Who is what to whom (FORMAT.md, 'relationships')."""

    a: Ref
    b: Ref
    kind: one_of(R.RELATIONSHIP_KINDS)  # type: ignore[valid-type]
    since: Moment | None = None
    until: Moment | None = None
