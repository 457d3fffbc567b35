"""Every call to the API is in the audit trail: who (the client's name, or that no valid token
was sent), what (method and path) and how it ended (the status)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponseBase

from vigil.audit.services import audit_record

API_PREFIX = "/api/v1/"
UNAUDITED = ("/api/v1/openapi.json", "/api/v1/docs")  # the published contract and its pages


class ApiAuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX) and not request.path.startswith(UNAUDITED):
            client = getattr(request, "api_client", None)
            with transaction.atomic():
                audit_record(
                    actor=client.label if client is not None else "api:no-valid-token",
                    action="api.call",
                    obj=client,
                    object_type=None if client is not None else "api.call",
                    object_id=None if client is not None else "-",
                    # PostgreSQL stores no NUL character in JSON or text: a path holding one is written out.
                    new={
                        "method": request.method,
                        "path": request.path[:300].replace("\x00", "\\x00"),
                        "status": response.status_code,
                    },
                )
        return response
