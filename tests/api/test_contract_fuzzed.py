"""schemathesis against the API's own OpenAPI document, on a live test server: every
operation, with a valid token for a client that may send every event type and read, and
again with a token that is not valid. Every answer must be no server error, and its status,
media type and body must be ones the document declares.

The number of examples per operation is bounded (`EXAMPLES`), so this stays a few minutes on
CI; the real case references and team ids are in the world the client reaches, so the reads
are reached as well as refused."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import MakeClient
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = 20
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _document() -> Any:
    from vigil.api.urls import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


# The document as the server serves it (a test below checks it is the one at /api/v1/openapi.json).
schema = schemathesis.openapi.from_dict(_document())


def test_the_fuzzed_document_is_the_served_one(client: Any) -> None:
    import json

    assert json.loads(client.get("/api/v1/openapi.json").content) == json.loads(json.dumps(_document()))


@pytest.fixture
def token(make_api_client: MakeClient, officer: Any) -> str:
    """A client of the officer's team, with a case on its board, that may do everything."""
    from tests.actions.builders import make_case
    from vigil.cases.services import report_record

    case = make_case(actor=officer, team=officer.team)
    report_record(actor=officer, case=case, category="domestic_abuse")
    TeamFactory()  # a team the client does not reach
    _, made = make_api_client("fuzz", sources=["fuzz"], teams=[officer.team], can_read=True, rate_limit=100_000)
    return made


def _settings(test: Any, phases: tuple[Phase, ...] = (Phase.explicit, Phase.generate)) -> Any:
    """Bounded: `EXAMPLES` generated cases per operation, after schemathesis's explicit ones
    (the schema's boundaries, wrong types and methods: its coverage phase)."""
    return settings(
        max_examples=EXAMPLES,
        phases=phases,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
        database=None,
    )(test)


@schema.parametrize()
@_settings
def test_every_operation_with_a_valid_token_keeps_the_contract(case: Any, token: str, live_server: Any) -> None:
    case.call_and_validate(base_url=live_server.url, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _generated_only(test: Any) -> Any:
    # A bad token is refused before the body is read, so the thousands of explicit boundary
    # cases would all ask the same question: generated cases only.
    return _settings(test, phases=(Phase.generate,))


@schema.parametrize()
@_generated_only
def test_every_operation_with_an_invalid_token_keeps_the_contract(case: Any, token: str, live_server: Any) -> None:
    bad = {"Authorization": "Bearer vigil_000000000000_not-a-token"}
    response = case.call_and_validate(base_url=live_server.url, headers=bad, checks=CHECKS)
    if case.path != "/api/v1/openapi.json":  # the contract itself is public
        # Refused: 401, or before that the method or body is wrong (405, 400, 413, 415), never an answer.
        assert response.status_code in (400, 401, 405, 413, 415), response.text
        assert response.headers.get("content-type") == ["application/problem+json"] or response.status_code == 405
