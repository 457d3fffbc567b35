"""Errors as RFC 9457 problem details (`application/problem+json`).

Every refusal the API gives has the same shape: `type` (a URN naming the kind of problem,
listed in docs/api.md), `title`, `status`, `detail` in words, `instance` (the path asked
for) and, for bad input, `errors`: one entry per problem found, each naming the event's
`index` in the batch (null for a key outside the events) and the `field` as a path
(`events[3].category`, `people[0].born`, `team`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Schema

MEDIA_TYPE = "application/problem+json"

TITLES = {
    "invalid-input": "The request could not be recorded as sent",
    "unauthorized": "A valid API token is needed",
    "forbidden": "This client may not do that",
    "not-found": "Not found",
    "too-large": "The request is too large",
    "rate-limited": "Too many requests",
    "conflict": "Another request got there first",
    "method-not-allowed": "Method not allowed",
    "unsupported-media-type": "Send JSON",
    "server-error": "Vigil could not answer",
}


class ProblemItem(Schema):
    index: int | None = None
    field: str
    detail: str


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemItem] = []


@dataclass(frozen=True)
class Item:
    field: str
    detail: str
    index: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"index": self.index, "field": self.field, "detail": self.detail}


class ApiProblem(Exception):
    """Raise anywhere in an API call to answer with a problem."""

    def __init__(
        self, status: int, kind: str, detail: str, errors: Sequence[Item] = (), headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.kind = kind
        self.detail = detail
        self.errors = list(errors)
        self.headers = headers or {}
        super().__init__(detail)


def invalid(errors: Iterable[Item], detail: str | None = None) -> ApiProblem:
    found = list(errors)
    first = found[0] if found else None
    words = detail or (
        f"{len(found)} problem{'s' if len(found) != 1 else ''} in the request"
        + (f"; the first: {first.field}: {first.detail}" if first else "")
        + ". Nothing was recorded."
    )
    return ApiProblem(422, "invalid-input", words, found)


def problem_body(request: HttpRequest | None, status: int, kind: str, detail: str, errors: Sequence[Item] = ()) -> dict[str, Any]:
    return {
        "type": f"urn:vigil:problem:{kind}",
        "title": TITLES.get(kind, kind),
        "status": status,
        "detail": detail,
        "instance": request.path if request is not None else None,
        "errors": [e.as_json() for e in errors],
    }


def problem_response(
    request: HttpRequest | None,
    status: int,
    kind: str,
    detail: str,
    errors: Sequence[Item] = (),
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    import json

    body = problem_body(request, status, kind, detail, errors)
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=status, content_type=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_path(loc: Sequence[Any], *, event_types: Iterable[str] = ()) -> tuple[str, int | None]:
    """A pydantic error location as a path (`events[3].category`) and the event's index.

    A tagged union adds the tag (`report`) to the location: it is not a key the sender
    wrote, so it is left out."""
    tags = set(event_types)
    path = ""
    index: int | None = None
    previous: Any = None
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
            if previous in ("events", "fixes", "activations") and index is None:
                index = part
        elif isinstance(part, str) and (part in tags or part.startswith(("tagged-union[", "function-"))):
            continue
        else:
            path += f".{part}" if path else str(part)
        previous = part
    return path or "body", index


def nul_items(value: Any, path: str = "") -> list[Item]:
    """Every string in a JSON body holding the NUL character (0x00), which no database
    Vigil runs on stores as text, by its path (`events[2].summary`)."""
    found: list[Item] = []
    if isinstance(value, str):
        if "\x00" in value:
            index = int(path[7 : path.index("]")]) if path.startswith("events[") else None
            found.append(Item(path or "body", "holds the NUL character (0x00), which cannot be stored", index))
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                found.append(Item(path or "body", "a key holds the NUL character (0x00)"))
            else:
                found += nul_items(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += nul_items(item, f"{path}[{i}]")
    return found
