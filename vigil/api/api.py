"""The event API, `/api/v1/` (django-ninja): authentication, errors, and the OpenAPI document.

Every operation needs a client's bearer token (`Authorization: Bearer vigil_…`), made by
`vigil api-client create`. The OpenAPI 3.1 document is public at `/api/v1/openapi.json`
(it is the contract, not data); the browsable docs at `/api/v1/docs` are for signed-in
staff. docs/api.md explains the API in words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from vigil.api.models import ApiClient
from vigil.api.problems import ApiProblem, Item, field_path, problem_response
from vigil.api.ratelimit import rate_limit_check
from vigil.api.services import token_client
from vigil.timeline.schema import EVENT_TYPES

# Statuses any operation may answer with besides its own (each a problem document).
COMMON_PROBLEMS = {
    400: "The body is not JSON.",
    401: "No token, or a token that is unknown, expired or revoked.",
    403: "The client's scope does not allow this.",
    404: "Not found, or not in the client's scope.",
    409: "Another request recorded the same events at the same moment; send it again.",
    413: "The body is larger than the server accepts.",
    415: "The body must be JSON.",
    422: "The input breaks the contract; `errors` names each event index and field.",
    429: "Over the client's rate limit; wait the seconds in Retry-After.",
}


class ClientToken(HttpBearer):
    """A client's bearer token; the client it belongs to is `request.auth`. Counts the call
    against the client's rate limit."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiClient | None:
        client = token_client(token)
        if client is None:
            return None
        request.api_client = client  # type: ignore[attr-defined]  # for the audit middleware
        rate_limit_check(client)
        return client


def _staff_docs(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The browsable docs are for signed-in staff (past the second factor, which the middleware
    asks for); the OpenAPI document itself is public."""
    from ninja.openapi.views import openapi_view

    return login_required(view) if getattr(view, "func", None) is openapi_view else view


class VigilAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        from vigil.api.openapi import finish_schema

        return finish_schema(schema)


api = VigilAPI(
    title="Vigil event API",
    version="1",
    description=(
        "Send Vigil the facts a force's other systems hold (records management, alarm receiving centres, "
        "electronic monitoring) and read back what the safeguarding policy asked for. Every call needs a "
        "client's bearer token; errors are RFC 9457 problem details. See docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=ClientToken(),
    docs_decorator=_staff_docs,
)


def client_of(request: HttpRequest) -> ApiClient:
    client = getattr(request, "auth", None)
    if not isinstance(client, ApiClient):  # pragma: no cover - ninja calls no operation unauthenticated
        raise ApiProblem(401, "unauthorized", "A valid API token is needed.")
    return client


@api.exception_handler(ApiProblem)
def _problem(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
    return problem_response(request, exc.status, exc.kind, exc.detail, exc.errors, exc.headers)


@api.exception_handler(AuthenticationError)
def _unauthorized(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        request,
        401,
        "unauthorized",
        "Send a valid API token: 'Authorization: Bearer vigil_…' (made by `vigil api-client create`).",
        headers={"WWW-Authenticate": 'Bearer realm="vigil"'},
    )


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    items = []
    for error in exc.errors:
        loc = list(error.get("loc", ()))
        where = loc[0] if loc else "body"
        # ('body', 'payload', 'fixes', 3, 'lat') -> fixes[3].lat; query and path keep their name.
        if where == "body" and len(loc) > 1:
            loc = loc[2:]
        elif where in ("query", "path") and len(loc) > 1:
            loc = loc[1:]
        path, index = field_path(loc, event_types=EVENT_TYPES)
        if where == "body" and not loc:
            path = "body"
        items.append(Item(path, str(error.get("msg", "is not valid")), index))
    first = items[0] if items else None
    detail = f"{len(items)} problem(s) in the request" + (f"; the first: {first.field}: {first.detail}" if first else "")
    return problem_response(request, 422, "invalid-input", detail + ". Nothing was recorded.", items)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    kind = {400: "invalid-input", 403: "forbidden", 404: "not-found", 405: "method-not-allowed", 415: "unsupported-media-type"}
    status = exc.status_code
    if status == 400:
        # ninja's "Cannot parse request body": say so as the contract's 400.
        return problem_response(request, 400, "invalid-input", f"The body is not valid JSON: {exc}")
    return problem_response(request, status, kind.get(status, "invalid-input"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(request, 404, "not-found", str(exc) or "Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return problem_response(
        request, 413, "too-large", "The body is larger than the server accepts: send at most 1,000 events a request."
    )
