"""A text value holding the NUL character (0x00), which PostgreSQL cannot store (the fuzzer
found it as a server error): refused as a problem naming the field, on every database."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import bearer

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_ref_is_a_problem_naming_its_field(client: Any, rms: Any) -> None:
    _, token = rms
    event = {"external_id": "E\u00001", "type": "report", "at": "2025-06-11T18:30:00+01:00", "victim": "P1", "category": "other"}
    response = client.post("/api/v1/events", json.dumps({"events": [event]}), content_type="application/json", **bearer(token))
    assert response.status_code == 422, response.content
    problem = json.loads(response.content)
    assert problem["errors"][0]["field"] == "events[0].external_id" and "NUL" in problem["errors"][0]["detail"]


def test_a_nul_in_a_case_reference_is_not_found_or_refused(client: Any, rms: Any) -> None:
    _, token = rms
    response = client.get("/api/v1/cases/VG-0\u00001/actions", **bearer(token))
    assert response.status_code in (404, 422), response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_nul_in_a_fix_s_tag_is_a_problem_naming_it(client: Any, make_api_client: Any, api_team: Any) -> None:
    _, token = make_api_client("tags", sources=["tags"], teams=[api_team], event_types=["sighting"])
    fix = {"subject": "T\u00001", "at": "2025-06-11T18:30:00+01:00", "lat": 51.5, "lon": -0.1, "accuracy_m": 5}
    body = json.dumps({"fixes": [fix]})
    response = client.post("/api/v1/monitoring/fixes", body, content_type="application/json", **bearer(token))
    assert response.status_code == 422 and json.loads(response.content)["errors"][0]["field"] == "fixes[0].subject"
