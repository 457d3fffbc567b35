"""POST /api/v1/monitoring/fixes: a tag provider's batch of fixes; a fix inside a zone is a
breach the policy acts on at once; unknown tags and bad values are named by index."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from tests.api.conftest import MakeClient, bearer
from tests.monitoring.world import HOME, NOW, make_zone
from vigil.actions.models import Action
from vigil.policy import geo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_clock")]  # at NOW


@pytest.fixture
def zone(officer: Any) -> Any:
    return make_zone(officer)


@pytest.fixture
def provider(make_api_client: MakeClient, zone: Any, officer: Any) -> str:
    _, token = make_api_client("tagco", sources=["tagco"], teams=[officer.team], event_types=["sighting"])
    call_command("monitoring", "enrol", "tagco", "TAG-0042", "--person", str(zone.subject_id), stdout=io.StringIO())
    return token


def _fix(minutes_ago: float, metres: float, subject: str = "TAG-0042") -> dict[str, Any]:
    lat, lon = geo.destination(HOME[0], HOME[1], 0, metres)
    return {
        "subject": subject,
        "at": (NOW - dt.timedelta(minutes=minutes_ago)).isoformat(),
        "lat": lat,
        "lon": lon,
        "accuracy_m": 8,
    }


def _post(client: Any, token: str, body: Any) -> Any:
    return client.post("/api/v1/monitoring/fixes", json.dumps(body), content_type="application/json", **bearer(token))


def test_a_breach_is_answered_with_what_the_policy_did(client: Any, provider: str) -> None:
    response = _post(client, provider, {"fixes": [_fix(30, 2000), _fix(20, 120), _fix(10, 150)]})
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["received"] == 3 and body["near_zones"] == 2 and len(body["breaches"]) == 1
    breach = body["breaches"][0]
    assert breach["index"] == 1 and breach["subject"] == "TAG-0042"
    created = {a["kind"]: a for a in breach["policy"]["created"]}
    arrest = Action.objects.get(kind="arrest_suspect")
    assert (
        created["arrest_suspect"]["id"] == arrest.pk
        and dt.datetime.fromisoformat(created["arrest_suspect"]["due_at"]) == arrest.due_at
    )


def test_unknown_tags_future_fixes_and_bad_values_are_named(client: Any, provider: str) -> None:
    body = json.loads(_post(client, provider, {"fixes": [_fix(5, 10), _fix(5, 10, subject="TAG-9")]}).content)
    assert body["status"] == 422 and body["errors"] == [
        {"index": 1, "field": "fixes[1].subject", "detail": "'TAG-9' is not enrolled for tagco (vigil monitoring enrol)"}
    ]
    future = _fix(-5, 10)
    assert json.loads(_post(client, provider, {"fixes": [future]}).content)["errors"][0]["field"] == "fixes[0].at"
    wrong = {**_fix(5, 10), "lat": 123}
    response = _post(client, provider, {"fixes": [_fix(5, 10), wrong]})
    assert response.status_code == 422 and json.loads(response.content)["errors"][0] == {
        "index": 1,
        "field": "fixes[1].lat",
        "detail": "Input should be less than or equal to 90",
    }
    naive = {**_fix(5, 10), "at": "2025-03-03T11:00:00"}
    assert json.loads(_post(client, provider, {"fixes": [naive]}).content)["errors"][0]["field"] == "fixes[0].at"
    assert not Action.objects.filter(kind="arrest_suspect").exists()


def test_a_client_that_may_not_send_sightings_is_refused(client: Any, make_api_client: MakeClient, officer: Any) -> None:
    _, token = make_api_client("arc", teams=[officer.team], event_types=["alarm_activated"])
    assert _post(client, token, {"fixes": [_fix(5, 10)]}).status_code == 403
