"""The OpenAPI document is valid OpenAPI 3.1, its embedded schemas are valid JSON Schema, and
it documents what the API really answers."""

from __future__ import annotations

import json
from typing import Any

import jsonschema_rs
import pytest
from schemathesis.specs.openapi.definitions import OPENAPI_31

from vigil.timeline.schema import EVENT_TYPES

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(client: Any) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1")
    validator = jsonschema_rs.Draft202012Validator(OPENAPI_31)
    errors = [f"{e.instance_path}: {e.message}" for e in validator.iter_errors(document)]
    assert errors == []
    for name, schema in document["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name


def test_every_operation_documents_its_problems_and_needs_a_token(document: dict[str, Any]) -> None:
    operations = [(path, method, op) for path, item in document["paths"].items() for method, op in item.items()]
    assert {(p, m) for p, m, _ in operations} >= {
        ("/api/v1/events", "post"),
        ("/api/v1/alarms/activations", "post"),
        ("/api/v1/monitoring/fixes", "post"),
        ("/api/v1/teams", "get"),
        ("/api/v1/cases/{reference}/actions", "get"),
        ("/api/v1/teams/{team_id}/actions", "get"),
    }
    for path, method, op in operations:
        assert op["security"] == [{"ClientToken": []}], (path, method)
        for status in ("401", "403", "404", "422", "429"):
            content = op["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (path, method, status)


def test_the_events_body_is_one_event_or_a_batch_of_every_type(document: dict[str, Any]) -> None:
    body = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    refs = [option["$ref"].rsplit("/", 1)[1] for option in body["oneOf"]]
    assert refs == ["EventBatch", "Event"]
    schemas = document["components"]["schemas"]
    mapping = schemas["Event"]["discriminator"]["mapping"]
    assert set(mapping) == set(EVENT_TYPES)
    batch_events = schemas["EventBatch"]["properties"]["events"]
    assert batch_events["maxItems"] == 1000 and batch_events["minItems"] == 1
