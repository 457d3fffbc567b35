"""The API's request and answer shapes. The events themselves are the timeline format's
(`vigil.timeline.schema`); a batch adds who sends them and for which team."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from vigil.timeline.schema import MAX_EVENTS, AnyEvent, PersonRecord, PlaceRecord, RelationshipRecord

Source = Annotated[StrictStr, Field(min_length=2, max_length=60, pattern=r"^[a-z0-9][a-z0-9._-]*[a-z0-9]$")]


class EventBatch(BaseModel):
    """Up to 1,000 events, with the people and places they name that Vigil does not know yet
    from this source. A ref already sent by this source names the same record again."""

    model_config = ConfigDict(extra="forbid", title="EventBatch")

    source: Source | None = Field(None, description="The system the refs and event ids belong to (default: the client's first).")
    team: StrictInt | None = Field(
        None, description="The team a new case is opened for (GET /teams lists them; default: the client's only team)."
    )
    timezone: Annotated[StrictStr, Field(max_length=60)] = Field(
        "Europe/London", description="IANA zone for times written without an offset."
    )
    people: Annotated[list[PersonRecord], Field(max_length=5 * MAX_EVENTS)] = []
    places: Annotated[list[PlaceRecord], Field(max_length=5 * MAX_EVENTS)] = []
    relationships: Annotated[list[RelationshipRecord], Field(max_length=5 * MAX_EVENTS)] = []
    events: Annotated[list[AnyEvent], Field(min_length=1, max_length=MAX_EVENTS)]


# --- answers ------------------------------------------------------------------------------


class ActionOut(Schema):
    id: int
    case: str = Field(description="The case reference.")
    kind: str
    label: str = Field(description="The kind in words.")
    rule: str
    priority: str
    status: str
    level: int = Field(description="Escalation level: 1 officer, 2 sergeant, 3 inspector, 4 superintendent.")
    created_at: dt.datetime
    due_at: dt.datetime
    closed_at: dt.datetime | None = None
    reason: str


class FlagOut(Schema):
    case: str
    kind: str
    detail: str


class RiskOut(Schema):
    case: str
    level: str
    source: str


class PolicyOut(Schema):
    """What the policy did when the event was recorded, on the cases the client may see."""

    created: list[ActionOut] = []
    closed: list[ActionOut] = []
    changed: list[ActionOut] = []
    flags: list[FlagOut] = []
    risk: list[RiskOut] = []


class EventAnswer(Schema):
    index: int = Field(description="The event's place in the batch, from 0.")
    external_id: str
    type: str
    status: Literal["recorded", "duplicate"] = Field(
        description="`duplicate`: this source sent this id before; nothing new was done."
    )
    received_at: dt.datetime
    cases: list[str] = Field(default=[], description="References of the cases the event was recorded on.")
    policy: PolicyOut
    notes: list[str] = []


class BatchAnswer(Schema):
    source: str
    team: int | None = None
    since: PolicyOut = Field(
        description="Then, bringing the batch's people up to now: ladder steps come due since the events were told, "
        "and what new records' links changed."
    )
    recorded: int
    duplicates: int
    events: list[EventAnswer]


class TeamOut(Schema):
    id: int
    name: str
    area: str


class ActionsPage(Schema):
    count: int
    items: list[ActionOut]
