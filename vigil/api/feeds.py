"""Feeds from devices: location fixes from an electronic-monitoring provider (and, beside the
events, alarm presses from an alarm-receiving centre: `alarms.py`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from vigil.api.answers import policy_out
from vigil.api.api import client_of
from vigil.api.batch import client_source
from vigil.api.models import ExternalRef
from vigil.api.problems import ApiProblem, Item, invalid, nul_items
from vigil.api.schemas import PolicyOut, Source
from vigil.api.scope import may_send
from vigil.core import times
from vigil.monitoring.services import Fix, fixes_record
from vigil.timeline.schema import Latitude, Longitude, Ref

router = Router(tags=["feeds"])
MAX_FIXES = 10_000


class FixIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: Ref = Field(description="The provider's id for the monitored person (enrolled with `vigil monitoring enrol`).")
    at: AwareDatetime = Field(description="When the fix was taken, with its offset.")
    lat: Latitude
    lon: Longitude
    accuracy_m: Annotated[StrictFloat | StrictInt, Field(ge=0, le=100_000, description="The fix's accuracy radius in metres.")]


class FixBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: Source | None = Field(None, description="The provider's system (default: the client's first source).")
    fixes: Annotated[list[FixIn], Field(min_length=1, max_length=MAX_FIXES)]


class BreachOut(Schema):
    index: int = Field(description="The fix's place in the batch, from 0.")
    subject: str
    at: dt.datetime
    sighting: int = Field(description="The sighting recorded for the breach.")
    policy: PolicyOut


class FixesAnswer(Schema):
    received: int
    ignored: int = Field(description="Fixes less accurate than the hysteresis rule accepts.")
    near_zones: int = Field(description="Fixes inside a zone or its margin.")
    breaches: list[BreachOut]
    left: int = Field(description="Subjects counted outside a zone again.")


@router.post("/monitoring/fixes", response={200: FixesAnswer}, summary="Location fixes from a tag provider (up to 10,000)")
def post_fixes(request: HttpRequest, payload: FixBatch) -> dict[str, Any]:
    client = client_of(request)
    if not may_send(client, "sighting"):
        raise ApiProblem(403, "forbidden", "This client may not send sightings, which a breach of a zone is.")
    nul = nul_items(payload.model_dump(mode="json"))
    if nul:
        raise invalid(nul[:50])
    source = client_source(client, payload.source)
    refs = {fix.subject for fix in payload.fixes}
    people = dict(
        ExternalRef.objects.filter(source=source, kind=ExternalRef.Kind.PERSON, external_id__in=refs).values_list(
            "external_id", "object_id"
        )
    )
    now = times.now()
    problems = [
        Item(f"fixes[{i}].subject", f"{fix.subject!r} is not enrolled for {source} (vigil monitoring enrol)", i)
        for i, fix in enumerate(payload.fixes)
        if fix.subject not in people
    ][:50]
    problems += [
        Item(f"fixes[{i}].at", f"{fix.at.isoformat()} is in the future", i) for i, fix in enumerate(payload.fixes) if fix.at > now
    ][:50]
    if problems:
        raise invalid(problems)
    fixes = [
        Fix(i, people[fix.subject], fix.at, float(fix.lat), float(fix.lon), float(fix.accuracy_m))
        for i, fix in enumerate(payload.fixes)
    ]
    result = fixes_record(actor=client.label, fixes=fixes)
    return {
        "received": result.received,
        "ignored": result.ignored,
        "near_zones": result.near_zones,
        "breaches": [
            {
                "index": b.fix.index,
                "subject": payload.fixes[b.fix.index].subject,
                "at": b.fix.at,
                "sighting": b.sighting.pk,
                "policy": policy_out(b.effects, client),
            }
            for b in result.breaches
        ],
        "left": len(result.left),
    }
