"""`POST /api/v1/events`: one event, or a batch of up to 1,000, in the timeline format's
shapes; recorded through the officers' services, the policy run after each; the answer says
per event what the policy did."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from vigil.api.api import client_of
from vigil.api.batch import check_batch, read_body
from vigil.api.recording import record_batch
from vigil.api.schemas import BatchAnswer

router = Router(tags=["events"])


@router.post(
    "/events",
    response={200: BatchAnswer},
    summary="Record one event or a batch of up to 1,000",
    openapi_extra={"x-vigil-body": "events"},
)
def post_events(request: HttpRequest) -> dict[str, Any]:
    client = client_of(request)
    checked = check_batch(client, read_body(request.body))
    return record_batch(checked)
