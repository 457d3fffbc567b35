"""`POST /api/v1/alarms/activations`: an alarm-receiving centre's calls. Each call is an
`alarm_activated` event recorded through the event API's own path (`vigil.api.batch` checks
it, `vigil.api.recording` records it through `vigil import timeline`'s event path), so it is
idempotent by the centre's call id, scoped, audited under the client, and R7's 15-minute
priority response starts in the same request. A person with no case yet gets one
(`vigil.alarms.services.alarm_call_record`, the function the importer uses too)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from vigil.api.api import client_of
from vigil.api.batch import check_batch
from vigil.api.problems import ApiProblem, Item
from vigil.api.recording import record_batch
from vigil.api.schemas import BatchAnswer, Source
from vigil.timeline.schema import MAX_EVENTS, Ref

router = Router(tags=["feeds"])
_EVENT_PATH = re.compile(r"^events\[(\d+)\]")


class ActivationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    external_id: Ref = Field(description="The centre's id for this call: sent twice, it is recorded once.")
    person: Ref = Field(
        description="The centre's id for the alarm's holder: enrolled with `vigil monitoring enrol SOURCE ID --person N`, "
        "or sent before as a person through POST /events."
    )
    at: AwareDatetime = Field(description="When the centre took the call (the police are told now), with its offset.")
    place: Ref | None = Field(None, description="Where, as a place this source sent before (default: where the alarm is fitted).")


class ActivationBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Source | None = Field(None, description="The centre's system (default: the client's first source).")
    team: StrictInt | None = Field(None, description="The team a new case is opened for (default: the client's only team).")
    activations: Annotated[list[ActivationIn], Field(min_length=1, max_length=MAX_EVENTS)]


def _in_activations(problem: ApiProblem) -> ApiProblem:
    """A refusal of the events the calls became, named as the calls the centre sent."""

    def where(item: Item) -> Item:
        path = _EVENT_PATH.sub(r"activations[\1]", item.field)
        return Item("activations" if path == "events" else path.replace("].type", "]"), item.detail, item.index)

    problem.errors = [where(item) for item in problem.errors]
    problem.detail = problem.detail.replace(": events[", ": activations[")
    return problem


@router.post(
    "/alarms/activations",
    response={200: BatchAnswer},
    summary="Alarm presses from an alarm-receiving centre (up to 1,000)",
)
def post_activations(request: HttpRequest, payload: ActivationBatch) -> dict[str, Any]:
    client = client_of(request)
    events = [
        {"external_id": a.external_id, "type": "alarm_activated", "at": a.at.isoformat(), "person": a.person}
        | ({"place": a.place} if a.place is not None else {})
        for a in payload.activations
    ]
    try:
        checked = check_batch(client, {"source": payload.source, "team": payload.team, "events": events})
    except ApiProblem as problem:
        raise _in_activations(problem) from None
    try:
        return record_batch(checked)
    except ApiProblem as problem:
        raise _in_activations(problem) from None
