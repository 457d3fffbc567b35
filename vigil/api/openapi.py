"""The OpenAPI document ninja builds, finished for Vigil's contract:

- every operation lists the problem responses it may give (`application/problem+json`);
- `POST /events` takes one event or a batch, as the timeline format's models describe them
  (the operation reads its body itself, so that a bare event and a batch are told apart and
  every error names the event's index);
- the security scheme says what the token is.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from vigil.api.problems import MEDIA_TYPE, Problem
from vigil.api.schemas import EventBatch
from vigil.timeline.schema import AnyEvent

REF = "#/components/schemas/{model}"


def _definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON Schema with its `$defs` moved up to the components."""
    found = dict(schema.pop("$defs", {}))
    return found


def _component(components: dict[str, Any], adapter: TypeAdapter[Any], name: str) -> dict[str, Any]:
    schema = adapter.json_schema(ref_template=REF)
    components.update(_definitions(schema))
    if "$ref" in schema:
        return {"$ref": schema["$ref"]}
    components[name] = schema
    return {"$ref": REF.format(model=name)}


def finish_schema(schema: Any) -> Any:
    from vigil.api.api import COMMON_PROBLEMS

    components = schema.setdefault("components", {}).setdefault("schemas", {})
    problem = _component(components, TypeAdapter(Problem), "Problem")
    batch = _component(components, TypeAdapter(EventBatch), "EventBatch")
    event = _component(components, TypeAdapter(AnyEvent), "Event")
    for _path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            responses = operation.setdefault("responses", {})
            for status, words in COMMON_PROBLEMS.items():
                if status in (409, 413) and method == "get":
                    continue
                responses[status] = {"description": words, "content": {MEDIA_TYPE: {"schema": problem}}}
            if operation.pop("x-vigil-body", None) == "events":
                operation["requestBody"] = {
                    "required": True,
                    "description": "One event, or a batch of up to 1,000 (`EventBatch`).",
                    "content": {"application/json": {"schema": {"oneOf": [batch, event]}}},
                }
    schemes = schema.get("components", {}).get("securitySchemes", {})
    for scheme in schemes.values():
        scheme["description"] = "A client's token, made by `vigil api-client create` (docs/api.md)."
        scheme["bearerFormat"] = "vigil_<prefix>_<secret>"
    return schema
